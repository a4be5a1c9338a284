"""The EventBridge bus that receives ItemCreated/ItemUpdated/ItemDeleted events.

Events carry ids and versions only, never item bodies, so the bus keeps the AWS-owned key.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from tapgen.aws import aws


@dataclass(frozen=True)
class ItemEventsProps:
    name: str
    bus_name: str


class ItemEvents(Construct):
    """Outputs: `bus` (`aws_cloudwatch_event_bus`), `name`, `arn`."""

    def __init__(self, scope: Construct, props: ItemEventsProps) -> None:
        super().__init__(scope, props.name)
        self.bus = aws.cloudwatch_event_bus.CloudwatchEventBus(self, props.name, name=props.bus_name)
        self.name = self.bus.name
        self.arn = self.bus.arn
