"""Item events to EventBridge. Publishing never fails a write that already succeeded."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

SOURCE = "tap.items"


class ItemEvents:
    """`new_client` builds the EventBridge client when the first event is published."""

    def __init__(self, new_client: Callable[[], object], bus_name: str, logger: Logger, metrics: Metrics) -> None:
        self._new_client = new_client
        self._bus_name = bus_name
        self._logger = logger
        self._metrics = metrics

    @cached_property
    def _client(self):
        return self._new_client()

    def publish(self, name: str, tenant: str, item_id: str, version: int) -> None:
        """Send `name` (ItemCreated, ItemUpdated, ItemDeleted) with ids only, never the item body."""
        detail = json.dumps({"tenant_id": tenant, "item_id": item_id, "version": version})
        entry = {"Source": SOURCE, "DetailType": name, "Detail": detail, "EventBusName": self._bus_name}
        try:
            response = self._client.put_events(Entries=[entry])
            failed = response.get("FailedEntryCount", 0)
        except (BotoCoreError, ClientError) as error:
            failed, reason = 1, repr(error)
        else:
            reason = (response.get("Entries") or [{}])[0].get("ErrorCode")
        if failed:
            self._logger.warning(
                "item event not published", extra={"event": name, "item_id": item_id, "reason": reason}
            )
            self._metrics.add_metric(name="EventPublishFailures", unit=MetricUnit.Count, value=1)
            return
        self._metrics.add_metric(name="EventsPublished", unit=MetricUnit.Count, value=1)
