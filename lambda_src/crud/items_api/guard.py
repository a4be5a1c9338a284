"""What the two item caches (`items_api.cache`, ElastiCache; `items_api.dax`, DAX) guarantee alike,
kept in one place so both keep the same promises:

- **An outage degrades to DynamoDB, never an error** (`OutageGuard`): one warning line and a
  `CacheErrors` count per failure, then the cache is skipped for `BREAKER_SECONDS`, so a dead
  endpoint costs one timeout per window rather than one per request.
- **A container never serves a version older than one it already returned or wrote**
  (`VersionFloors`): a cached version below the container's floor for that item is a miss,
  whatever another container, a lagging replica or an expired compare-and-set left in the cache.
- **A record past its `expires_at` is never served**, and the read-through counts `CacheHits` and
  `CacheMisses` the same way (`ReadThrough`), so the dashboard's hit ratio means one thing.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

import tap_contract
from items_api.store import Clock

CACHE_HITS, CACHE_MISSES, CACHE_ERRORS = tap_contract.CACHE_METRICS
# Socket and connect timeouts: a cache answers in about a millisecond, and a slower one costs
# more than the DynamoDB read it saves.
TIMEOUT_SECONDS = 0.2
BREAKER_SECONDS = 5.0
FLOOR_MAX_ENTRIES = 10_000
T = TypeVar("T")


def count(metrics: Metrics, name: str) -> None:
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)


class OutageGuard:
    """A breaker around a cache's calls: `message` is the warning a failure logs; `clock` is
    monotonic (tests move it by hand)."""

    def __init__(
        self, message: str, logger: Logger, metrics: Metrics, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.clock = clock
        self._message = message
        self._logger = logger
        self._metrics = metrics
        self._skip_until = float("-inf")

    def available(self) -> bool:
        """False while the cache is skipped after a failure."""
        return self.clock() >= self._skip_until

    def failed(self, error: Exception) -> None:
        """Record one failure: a warning, a `CacheErrors` count, and no cache for `BREAKER_SECONDS`."""
        self._skip_until = self.clock() + BREAKER_SECONDS
        self._logger.warning(
            self._message,
            extra={"reason": f"{type(error).__name__}: {str(error)[:200]}", "skip_seconds": BREAKER_SECONDS},
        )
        count(self._metrics, CACHE_ERRORS)

    def run(self, operation: Callable[[], T]) -> T | None:
        """`operation`'s result; None when the cache is skipped or fails. Any failure counts, whatever
        raised it (socket, TLS, authentication, building the client, a corrupt entry): none may fail
        a request."""
        if not self.available():
            return None
        try:
            return operation()
        except Exception as error:
            self.failed(error)
            return None


class VersionFloors:
    """Per item, the lowest version this container may still serve; the `FLOOR_MAX_ENTRIES` items
    used last are kept (an item forgotten falls back to what the cache holds)."""

    def __init__(self) -> None:
        self._floors: OrderedDict[tuple[str, str], int] = OrderedDict()

    def raise_to(self, tenant: str, item_id: str, version: int) -> None:
        key = (tenant, item_id)
        self._floors[key] = max(version, self._floors.get(key, 0))
        self._floors.move_to_end(key)
        if len(self._floors) > FLOOR_MAX_ENTRIES:
            self._floors.popitem(last=False)

    def allows(self, tenant: str, item_id: str, version: int) -> bool:
        return version >= self._floors.get((tenant, item_id), 0)


class ReadThrough(ABC):
    """`GET /items/{id}` through a cache: a subclass says what the cache holds (`_cached`) and what
    a write or a DynamoDB read does to it (`written`, `deleted`)."""

    def __init__(self, metrics: Metrics, item_clock: Clock) -> None:
        self._metrics = metrics
        self._item_clock = item_clock
        self._floors = VersionFloors()

    def read(self, tenant: str, item_id: str, load: Callable[[], dict | None]) -> dict | None:
        """The item from the cache, or else from `load` (a consistent DynamoDB read)."""
        record = self._cached(tenant, item_id)
        if record is not None and self._servable(record, tenant, item_id):
            count(self._metrics, CACHE_HITS)
            self._floors.raise_to(tenant, item_id, int(record["version"]))
            return record
        count(self._metrics, CACHE_MISSES)
        record = load()
        if record is not None:
            self.written(record)
        return record

    def written(self, record: dict) -> None:
        """`record` is the item's current version (just written, or just read from DynamoDB)."""
        self._floors.raise_to(record["tenant_id"], record["item_id"], int(record["version"]))

    def deleted(self, record: dict) -> None:
        """`record`, the version just deleted, is gone: no version of it may be served again."""
        self._floors.raise_to(record["tenant_id"], record["item_id"], int(record["version"]) + 1)

    @abstractmethod
    def _cached(self, tenant: str, item_id: str) -> dict | None:
        """The record the cache holds for the item, unchecked; None when it holds none or fails."""

    def _servable(self, record: dict, tenant: str, item_id: str) -> bool:
        if (record.get("tenant_id"), record.get("item_id")) != (tenant, item_id):
            return False
        if "expires_at" in record and record["expires_at"] <= self._epoch():
            return False
        return self._floors.allows(tenant, item_id, int(record["version"]))

    def _epoch(self) -> int:
        return int(self._item_clock.now().timestamp())
