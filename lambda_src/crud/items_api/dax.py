"""The item table through DynamoDB Accelerator (DAX), imported only when `DAX_ENDPOINT` is set; the
DAX client itself (`amazondax`) is imported when it is first built (`items_api.clients`).

DAX is a write-through cache that speaks DynamoDB's API: an eventually consistent `GetItem` through
it is served from its item cache (filled from DynamoDB on a miss, kept for the cluster's item TTL);
a write through it goes to DynamoDB and then updates its item cache; consistent reads and queries
pass through to DynamoDB. So:

- **Reads** (`DaxItems`): `GET /items/{id}` is an eventually consistent `GetItem` through DAX. The
  key `{tenant_id, item_id}` names the tenant, so a tenant can never read another's item. What
  every item cache promises holds (`items_api.guard`): an answer past the item's `expires_at` or
  older than what this container already returned or wrote (a replica node that has not caught
  up) is a miss, answered by the consistent DynamoDB read.
- **Writes** (`WriteThroughTable`, the store's table): the conditional puts (deletes are tombstone
  puts, `items_api.store`) are issued through DAX, which is what keeps its item cache current (there
  is no other invalidation); the store's consistent reads and queries go to DynamoDB directly, as
  DAX would pass them on anyway.
- **An outage degrades to DynamoDB, never an error**, for reads and writes alike: one attempt with
  short timeouts (`CLIENT_CONFIG`), then the guard's warning, `CacheErrors` count and
  `BREAKER_SECONDS` without DAX. A write that fails in DAX for any reason but its condition is
  retried on the table; if DAX had applied it before its answer was lost, the retry's condition
  fails and the store recognises its own write. While DAX is skipped, writes go to DynamoDB only,
  and DAX may serve other containers the version it holds until its item TTL ends; this
  container's floor keeps it from serving that version back.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from aws_lambda_powertools import Logger, Metrics
from botocore.config import Config

from items_api.guard import TIMEOUT_SECONDS, OutageGuard, ReadThrough
from items_api.store import Clock, is_condition_failure

# The DAX client honours exactly these: its socket connect and read timeouts (the connect timeout
# also bounds how long building the client waits for the cluster's nodes), and `max_attempts`,
# which it counts as retries after the first attempt (`amazondax.RetryHandler`): 0 = one attempt.
CLIENT_CONFIG = Config(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS, retries={"max_attempts": 0})
OUTAGE_MESSAGE = "DAX unavailable; using DynamoDB"


def new_guard(logger: Logger, metrics: Metrics, clock: Callable[[], float] = time.monotonic) -> OutageGuard:
    """The container's one DAX breaker: reads and writes reach the same cluster."""
    return OutageGuard(OUTAGE_MESSAGE, logger, metrics, clock)


class WriteThroughTable:
    """The item table for `ItemStore`: puts through DAX (`new_dax_table` builds the DAX `Table` on
    first use), everything else on `table`, DynamoDB's own."""

    def __init__(self, table, new_dax_table: Callable[[], object], guard: OutageGuard) -> None:
        self._table = table
        self._new_dax_table = new_dax_table
        self._guard = guard

    def get_item(self, **arguments) -> dict:
        return self._table.get_item(**arguments)

    def query(self, **arguments) -> dict:
        return self._table.query(**arguments)

    def put_item(self, **arguments) -> dict:
        """Through DAX; when DAX fails for any reason but the condition, on the table."""
        if not self._guard.available():
            return self._table.put_item(**arguments)
        try:
            return self._new_dax_table().put_item(**arguments)
        except Exception as error:
            if is_condition_failure(error):
                raise
            self._guard.failed(error)
        return self._table.put_item(**arguments)


class DaxItems(ReadThrough):
    """`GET /items/{id}` through DAX (`new_dax_table` builds the DAX `Table` on first use). DAX's own
    writes keep its item cache current, so `written` and `deleted` only raise this container's floor."""

    def __init__(
        self, new_dax_table: Callable[[], object], guard: OutageGuard, metrics: Metrics, item_clock: Clock
    ) -> None:
        super().__init__(metrics, item_clock)
        self._new_dax_table = new_dax_table
        self._guard = guard

    def warm(self) -> None:
        """Build the DAX client now (it connects to the cluster), under the guard: a cluster that
        cannot be reached must not fail the container's init."""
        self._guard.run(self._new_dax_table)

    def _cached(self, tenant: str, item_id: str) -> dict | None:
        key = {"tenant_id": tenant, "item_id": item_id}
        response = self._guard.run(lambda: self._new_dax_table().get_item(Key=key))
        return (response or {}).get("Item")
