"""Who may act for which tenant: the tenant header names the tenant, the grant decides.

Grants are operator-managed data in a DynamoDB table (`GRANTS_TABLE_NAME`), one item per principal:

    {"principal": "arn:aws:iam::123456789012:role/Reader", "tenants": ["tenant-a", "tenant-b"]}

`principal` (S, the hash key) is an IAM role or user ARN, as `tap_http.principal_of` derives it from
the request (an assumed-role session counts as its role). `tenants` is a list (L of S) or a string
set (SS) of tenant ids; the single value `*` grants every tenant (an explicit grant for a trusted
service principal). Anything else (no item, no `tenants`, another type, `*` among other values)
grants nothing: no grant, no access.

Each warm container caches a principal's grant (present or absent) for `GRANTS_CACHE_SECONDS`
(default 60) in a bounded cache: **a revoked grant stops working, and a new grant starts working,
within that many seconds** per warm container. Errors reading the table are never a grant: the
request is answered 503 `service_unavailable` and nothing is cached.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from functools import cached_property

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from tap_http import ApiError, principal_of, service_unavailable

ALL_TENANTS = "*"
FORBIDDEN_MESSAGE = "The caller is not allowed to act for this tenant."


@dataclass(frozen=True)
class Grant:
    """The tenants one principal may act for."""

    tenants: frozenset[str] = frozenset()
    all_tenants: bool = False

    def allows(self, tenant: str) -> bool:
        return self.all_tenants or tenant in self.tenants

    @classmethod
    def from_item(cls, item: dict | None) -> Grant | None:
        """The grant an item holds; None when the item is malformed (which grants nothing)."""
        if item is None:
            return cls()
        tenants = item.get("tenants")
        if not isinstance(tenants, list | set) or not all(isinstance(t, str) for t in tenants):
            return None
        if set(tenants) == {ALL_TENANTS}:
            return cls(all_tenants=True)
        return cls(tenants=frozenset(tenants) - {ALL_TENANTS})


NO_GRANT = Grant()


class TtlCache:
    """At most `max_entries` values, each kept `ttl_seconds` (0 keeps nothing); when full, the
    entry stored longest ago is dropped first."""

    def __init__(self, ttl_seconds: float, max_entries: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._entries: OrderedDict[Hashable, tuple[float, object]] = OrderedDict()

    def get(self, key: Hashable) -> object | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._clock() >= entry[0]:
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: Hashable, value: object) -> None:
        if self._ttl <= 0:
            return
        self._entries.pop(key, None)
        self._entries[key] = (self._clock() + self._ttl, value)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


class Grants:
    """Grants read from the table with GetItem (eventually consistent), cached per principal.
    `new_table` builds the grants table when the first uncached grant is read."""

    def __init__(self, new_table: Callable[[], object], cache: TtlCache, logger: Logger) -> None:
        self._new_table = new_table
        self._cache = cache
        self._logger = logger

    @cached_property
    def _table(self):
        return self._new_table()

    def of(self, principal: str) -> Grant:
        cached = self._cache.get(principal)
        if cached is not None:
            return cached
        try:
            item = self._table.get_item(
                Key={"principal": principal}, ProjectionExpression="#t", ExpressionAttributeNames={"#t": "tenants"}
            ).get("Item")
        except (BotoCoreError, ClientError) as error:
            self._logger.warning("grants table unavailable", extra={"error": repr(error)})
            raise service_unavailable() from error
        grant = Grant.from_item(item)
        if grant is None:
            self._logger.warning("malformed grant: it grants nothing", extra={"principal": principal})
            grant = NO_GRANT
        self._cache.put(principal, grant)
        return grant


class TenantAccess:
    """Refuses, with 403 `tenant_forbidden`, a tenant not granted to the caller's identity."""

    def __init__(self, grants: Grants, logger: Logger, metrics: Metrics) -> None:
        self._grants = grants
        self._logger = logger
        self._metrics = metrics

    def check(self, event: dict, tenant: str) -> None:
        principal = principal_of(event)
        if principal is not None and self._grants.of(principal).allows(tenant):
            return
        self._logger.info("tenant forbidden", extra={"principal": principal, "tenant": tenant})
        self._metrics.add_metric(name="TenantForbidden", unit=MetricUnit.Count, value=1)
        # One answer for every refusal: it says nothing about the tenant or its data.
        raise ApiError(403, "tenant_forbidden", FORBIDDEN_MESSAGE)
