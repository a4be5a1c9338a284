"""A stand-in for a DAX cluster, for tests: there is no DAX server to run.

It imitates what the DAX developer guide documents, over moto's DynamoDB, behind the interface the
function uses: `AmazonDaxClient.resource(session=..., endpoint_url=..., config=...)` (which connects
at construction) and its `.Table(name)`, a boto3 DynamoDB `Table` (Python values in, `Decimal`
numbers out, boto3 condition objects). What it imitates:

- **Item cache.** An eventually consistent `GetItem` is served from the node's item cache; on a miss
  the node reads DynamoDB and caches the answer, an absent item included (negative caching), for
  the cluster's item TTL (`ttl_seconds`, DAX's default 5 minutes, on an injected clock).
- **Write-through.** `PutItem` and `DeleteItem` go to the primary node, which writes DynamoDB (the
  condition evaluated there) and then updates its item cache with the item written, or evicts the
  deleted one. A condition that fails changes nothing and raises what the DAX client raises:
  `DaxServiceError` with DAX's codes for `ConditionalCheckFailedException`.
- **Pass-through.** Consistent reads and queries go to DynamoDB untouched.
- **Nodes.** With `nodes > 1`, reads are served by `read_node`; replicas receive the primary's
  cache updates only when `catch_up()` is called (replication is asynchronous in DAX), and fill on
  their own misses from DynamoDB.
- **Failures** (`failure`), as the DAX client (amazondax 2.1.0) reports them: `UNREACHABLE`, no
  node answers: building a client raises `DaxClientError` `NoRouteException` ("Failed to configure
  cluster endpoints ...", `EndpointRefresher.start`), a request raises it too ("No cluster
  endpoints available", `Cluster.read_client`); `TIMEOUT`, a request's socket times out before the
  cluster acts (`TimeoutError`, which `socket.timeout` is); `APPLIED_THEN_TIMEOUT`, the cluster
  applies a write, then the answer is lost to the timeout.
- **Interleaving** (`interleave`): a call run once when the next write arrives, before the cluster
  acts on it: another request that gets in first.
"""

from __future__ import annotations

from collections.abc import Callable

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tapgen.pipeline.archives import WheelCache, parse_requirements
from tests.lambda_src.cache_server import REQUIREMENTS

# The function's pinned DAX client and what it imports besides botocore (`lambda_src/crud/requirements.txt`).
DAX_DISTRIBUTIONS = ("amazon-dax-client", "antlr4-python3-runtime", "six")
DAX_ENDPOINT = "daxs://tap-test.abc123.dax-clusters.us-east-1.amazonaws.com"
DEFAULT_TTL_SECONDS = 300
UNREACHABLE, TIMEOUT, APPLIED_THEN_TIMEOUT = "unreachable", "timeout", "applied then timeout"
# The DAX error codes the client maps to ConditionalCheckFailedException (`amazondax.DaxError.ERROR_MAP`).
CONDITION_FAILED_CODES = [4, 37, 38, 39, 43]

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def dax_wheels() -> list[str]:
    """The wheels of the function's DAX client (the client's built from its pinned sdist), from the
    project's wheel cache: wheels are importable as zips, so these are `sys.path` entries."""
    pinned = [r for r in parse_requirements(REQUIREMENTS) if r.name in DAX_DISTRIBUTIONS]
    assert sorted(r.name for r in pinned) == sorted(DAX_DISTRIBUTIONS)
    return [str(WheelCache.default().wheel(r)) for r in pinned]


def import_amazondax(monkeypatch):
    """amazondax, imported from `dax_wheels()`; `sys.path` is restored after the test."""
    for wheel in dax_wheels():
        monkeypatch.syspath_prepend(wheel)
    import amazondax

    return amazondax


class ManualClock:
    """Seconds, moved by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _wire(item: dict) -> dict:
    return {name: _SERIALIZER.serialize(value) for name, value in item.items()}


def _python(wire: dict) -> dict:
    return {name: _DESERIALIZER.deserialize(value) for name, value in wire.items()}


def _cache_key(key: dict) -> tuple:
    return tuple(sorted(key.items()))


class DaxCluster:
    """One DAX cluster in front of `table_name` (moto's, under the active mock)."""

    def __init__(
        self,
        table_name: str,
        nodes: int = 1,
        ttl_seconds: int = DEFAULT_TTL_SECONDS,
        clock: Callable[[], float] | None = None,
    ) -> None:
        from amazondax.DaxError import DaxClientError, DaxErrorCode, DaxServiceError

        self._client_error, self._no_route, self._service_error = DaxClientError, DaxErrorCode.NoRoute, DaxServiceError
        self.table_name = table_name
        self.ttl_seconds = ttl_seconds
        self.clock = clock or ManualClock()
        self.read_node = 0
        self.failure: str | None = None
        self.interleave: Callable[[], None] | None = None
        self.clients: list[tuple[str, object]] = []
        self.requests: list[str] = []
        self._caches: list[dict[tuple, tuple[dict | None, float]]] = [{} for _ in range(nodes)]
        self._unreplicated: list[tuple[tuple, dict | None]] = []
        self._table = boto3.resource("dynamodb").Table(table_name)

    def resource(self, session=None, endpoint_url=None, config=None, **_ignored):
        """`AmazonDaxClient.resource`: connects to the cluster, so it fails when no node answers."""
        if self.failure == UNREACHABLE:
            raise self._client_error(f"Failed to configure cluster endpoints from [{endpoint_url!r}]", self._no_route)
        self.clients.append((endpoint_url, config))
        return _Resource(self)

    def catch_up(self) -> None:
        """The replicas apply every cache update the primary made since the last call."""
        for key, item in self._unreplicated:
            for cache in self._caches[1:]:
                self._apply(cache, key, item)
        self._unreplicated.clear()

    def cached(self, key: dict, node: int = 0) -> dict | None:
        """What `node`'s item cache holds for `key` (None: nothing, or a cached absence)."""
        held = self._caches[node].get(_cache_key(key))
        return None if held is None or held[0] is None else _python(held[0])

    def get_item(self, Key: dict, ConsistentRead: bool = False, **arguments) -> dict:
        self._arrive("GetItem")
        if ConsistentRead:
            return self._table.get_item(Key=Key, ConsistentRead=True, **arguments)
        cache = self._caches[self.read_node]
        held = cache.get(_cache_key(Key))
        if held is None or held[1] <= self.clock():
            item = self._table.get_item(Key=Key, **arguments).get("Item")
            held = self._set(cache, _cache_key(Key), None if item is None else _wire(item))
        return {} if held[0] is None else {"Item": _python(held[0])}

    def put_item(self, Item: dict, **arguments) -> dict:
        key = {name: Item[name] for name in self._key_names()}
        return self._write("PutItem", key, _wire(Item), lambda: self._table.put_item(Item=Item, **arguments))

    def delete_item(self, Key: dict, **arguments) -> dict:
        return self._write("DeleteItem", Key, None, lambda: self._table.delete_item(Key=Key, **arguments))

    def query(self, **arguments) -> dict:
        self._arrive("Query")
        return self._table.query(**arguments)

    def _write(self, operation: str, key: dict, item: dict | None, write: Callable[[], object]) -> dict:
        self._arrive(operation)
        if self.interleave is not None:
            first, self.interleave = self.interleave, None
            first()
        if self.failure == TIMEOUT:
            raise TimeoutError("timed out")
        try:
            write()
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raise self._service_error(
                operation, "The conditional request failed", CONDITION_FAILED_CODES, "standin", None, 400
            ) from None
        self._apply(self._caches[0], _cache_key(key), item)
        self._unreplicated.append((_cache_key(key), item))
        if self.failure == APPLIED_THEN_TIMEOUT:
            raise TimeoutError("timed out")
        return {}

    def _set(self, cache: dict, key: tuple, item: dict | None) -> tuple[dict | None, float]:
        """Cache `item` (None: the item is absent) for the item TTL."""
        cache[key] = (item, self.clock() + self.ttl_seconds)
        return cache[key]

    def _apply(self, cache: dict, key: tuple, item: dict | None) -> None:
        """A write's effect on an item cache: the item written is cached, a deleted one evicted."""
        if item is None:
            cache.pop(key, None)
        else:
            self._set(cache, key, item)

    def _arrive(self, operation: str) -> None:
        if self.failure == UNREACHABLE:
            raise self._client_error("No cluster endpoints available", self._no_route)
        self.requests.append(operation)

    def _key_names(self) -> list[str]:
        return [part["AttributeName"] for part in self._table.key_schema]


class _Resource:
    """The DynamoDB service resource the DAX client returns; only `Table` is used."""

    def __init__(self, cluster: DaxCluster) -> None:
        self._cluster = cluster

    def Table(self, name: str) -> _Table:
        if name != self._cluster.table_name:
            raise ValueError(f"the stand-in fronts {self._cluster.table_name!r} only, not {name!r}")
        return _Table(self._cluster)


class _Table:
    """A boto3 `Table` through the cluster."""

    def __init__(self, cluster: DaxCluster) -> None:
        self.get_item = cluster.get_item
        self.put_item = cluster.put_item
        self.delete_item = cluster.delete_item
        self.query = cluster.query
