"""DynamoDB storage of items. Every key condition names the tenant, so no call can reach another
tenant's items; every write is conditional, so a failed or conflicting write changes nothing.

A write can be applied and its answer lost (a timeout), and then retried: by the SDK, or on
DynamoDB after DAX failed (`items_api.dax`). The retry's condition fails, and only the stored item
can tell whether the first attempt was ours. So every write stores a fresh `write_id`, and a write
whose condition fails is ours when the stored item carries its id. A delete therefore writes a
tombstone (the next version, its `write_id`, `expires_at` now, no data) instead of removing the
item: every route treats an expired item as absent, and DynamoDB's TTL removes it later. Of two
deletes racing, exactly one wins; the other sees someone else's tombstone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import cached_property

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

SERVER_FIELDS = ("item_id", "version", "created_at", "updated_at", "expires_at")
KEY_FIELDS = ("tenant_id", "item_id")
WRITE_ID = "write_id"
SECONDS_PER_DAY = 86400
CONDITION_FAILED = "ConditionalCheckFailedException"


class Conflict(Exception):
    """The stored item changed (or vanished) between the read and the conditional write."""


class Clock:
    """Now, as the contract writes it; replaceable in tests."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def key_of(record: dict) -> dict:
    """The table key of `record` (or of a key)."""
    return {field: record[field] for field in KEY_FIELDS}


def is_condition_failure(error: Exception) -> bool:
    """Whether `error` is a write's condition failing. boto3 raises a `ClientError`; the DAX client a
    `DaxServiceError`, a `ClientError` too whose response carries DynamoDB's error code."""
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") == CONDITION_FAILED


def to_api(record: dict) -> dict:
    """A stored record as clients see it: their fields plus the server-managed ones."""
    item = dict(record.get("data", {}))
    item.update({field: record[field] for field in SERVER_FIELDS if field in record})
    return item


class ItemStore:
    """`new_table` builds the item table (a boto3 `Table`, or `items_api.dax.WriteThroughTable`,
    which has the same methods) when the store first needs it."""

    def __init__(self, new_table: Callable[[], object], retention_days: int, clock: Clock | None = None) -> None:
        self._new_table = new_table
        self._retention_days = retention_days
        self._clock = clock or Clock()

    @cached_property
    def _table(self):
        return self._new_table()

    def _epoch(self) -> int:
        return int(self._clock.now().timestamp())

    def _live(self) -> Attr:
        return Attr("expires_at").not_exists() | Attr("expires_at").gt(self._epoch())

    def _is_live(self, record: dict | None) -> bool:
        return record is not None and ("expires_at" not in record or record["expires_at"] > self._epoch())

    def _record(self, tenant: str, item_id: str, version: int, data: dict, created_at: str | None = None) -> dict:
        now = self._clock.now()
        record = {
            "tenant_id": tenant,
            "item_id": item_id,
            "version": version,
            "created_at": created_at or iso(now),
            "updated_at": iso(now),
            "data": data,
            WRITE_ID: uuid.uuid4().hex,
        }
        if self._retention_days > 0:
            record["expires_at"] = int(now.timestamp()) + self._retention_days * SECONDS_PER_DAY
        return record

    def create(self, tenant: str, data: dict) -> dict:
        record = self._record(tenant, str(uuid.uuid4()), 1, data)
        self._conditional(Item=record, ConditionExpression=Attr("item_id").not_exists())
        return record

    def get(self, tenant: str, item_id: str) -> dict | None:
        record = self._table.get_item(Key={"tenant_id": tenant, "item_id": item_id}, ConsistentRead=True).get("Item")
        return record if self._is_live(record) else None

    def replace(self, current: dict, data: dict) -> dict:
        """Write `data` as the next version of `current`, only if `current` is still what is stored."""
        version = int(current["version"])
        record = self._record(current["tenant_id"], current["item_id"], version + 1, data, current["created_at"])
        self._conditional(Item=record, ConditionExpression=self._unchanged(version))
        return record

    def delete(self, current: dict) -> None:
        """Replace `current` with a tombstone (see the module docstring), only if it is still what is stored."""
        version = int(current["version"])
        tombstone = {**key_of(current), "version": version + 1, "expires_at": self._epoch(), WRITE_ID: uuid.uuid4().hex}
        self._conditional(Item=tombstone, ConditionExpression=self._unchanged(version))

    def _unchanged(self, version: int):
        return Attr("version").eq(version) & self._live()

    def _conditional(self, **arguments) -> None:
        """Put `Item` under its condition: Conflict when the condition fails and what is stored is
        not this very write (whose answer a timeout may have lost before a retry)."""
        item = arguments["Item"]
        try:
            self._table.put_item(**arguments)
        except ClientError as error:
            if not is_condition_failure(error):
                raise
            stored = self._table.get_item(Key=key_of(item), ConsistentRead=True).get("Item") or {}
            if stored.get(WRITE_ID) != item[WRITE_ID]:
                raise Conflict from error

    def page(self, tenant: str, limit: int, after: str | None) -> tuple[list[dict], str | None]:
        """Up to `limit` live items in item_id order after `after`, and the id to continue after."""
        found: list[dict] = []
        for record in self._scan_tenant(tenant, after, page_size=limit + 1):
            found.append(record)
            if len(found) > limit:
                return found[:limit], found[limit - 1]["item_id"]
        return found, None

    def count(self, tenant: str) -> int:
        total = 0
        arguments = self._query_arguments(tenant, None) | {"Select": "COUNT"}
        while True:
            response = self._table.query(**arguments)
            total += response["Count"]
            if "LastEvaluatedKey" not in response:
                return total
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _query_arguments(self, tenant: str, after: str | None) -> dict:
        arguments = {
            "KeyConditionExpression": Key("tenant_id").eq(tenant),
            "FilterExpression": self._live(),
            "ConsistentRead": True,
        }
        if after is not None:
            arguments["ExclusiveStartKey"] = {"tenant_id": tenant, "item_id": after}
        return arguments

    def _scan_tenant(self, tenant: str, after: str | None, page_size: int) -> Iterator[dict]:
        arguments = self._query_arguments(tenant, after) | {"Limit": page_size}
        while True:
            response = self._table.query(**arguments)
            yield from response["Items"]
            if "LastEvaluatedKey" not in response:
                return
            arguments["ExclusiveStartKey"] = response["LastEvaluatedKey"]
