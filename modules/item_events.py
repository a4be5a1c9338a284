"""The EventBridge bus that receives ItemCreated/ItemUpdated/ItemDeleted events.

Events carry ids and versions only, never item bodies; they still name tenants and items, so the
bus encrypts them with the stack's customer-managed key (`kms_key_identifier`), whose policy lets
EventBridge use it for this bus only (`modules.encryption`).
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.iam import Statement
from tapgen.aws import aws


@dataclass(frozen=True, kw_only=True)
class ItemEventsProps:
    name: str
    bus_name: str
    kms_key_arn: str


class ItemEvents(Construct):
    """Outputs: `bus` (`aws_cloudwatch_event_bus`), `name`, `arn`; `grant_publish()`."""

    def __init__(self, scope: Construct, props: ItemEventsProps) -> None:
        super().__init__(scope, props.name)
        self.bus = aws.cloudwatch_event_bus.CloudwatchEventBus(
            self, props.name, name=props.bus_name, kms_key_identifier=props.kms_key_arn
        )
        self.name = self.bus.name
        self.arn = self.bus.arn

    def grant_publish(self) -> Statement:
        """Put item events on the bus."""
        return Statement("PublishItemEvents", ("events:PutEvents",), (self.arn,))
