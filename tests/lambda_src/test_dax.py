"""The CRUD function with DAX in front of its table (`items_api/dax.py`): the real handler and
real-shaped events, through the DAX client's interface, against a stand-in cluster that imitates
DAX over moto's DynamoDB (`tests/lambda_src/dax_standin.py`), and once against the real client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections import Counter
from datetime import timedelta

import pytest
from moto.dynamodb.models import DynamoDBBackend

from tests.lambda_src.conftest import ENVIRONMENT, LAMBDA_SRC, TABLE, Api, load_handler, lose_every_replace, published
from tests.lambda_src.dax_standin import (
    APPLIED_THEN_TIMEOUT,
    DAX_ENDPOINT,
    TIMEOUT,
    UNREACHABLE,
    dax_wheels,
    import_amazondax,
)
from tests.lambda_src.test_cache import (
    Ticks,
    change_behind_the_cache,
    create,
    load_handler_path,
    metric_counts,
    new_container,
    warnings_of,
)

OUTAGE_WARNING = '"message": "DAX unavailable; using DynamoDB"'


@pytest.fixture
def table_reads(monkeypatch) -> list[dict]:
    """The keys of every GetItem DynamoDB (moto) serves from now on, whoever asks: the function or DAX."""
    reads: list[dict] = []
    original = DynamoDBBackend.get_item

    def counted(self, table_name, keys, *args, **kwargs):
        reads.append(keys)
        return original(self, table_name, keys, *args, **kwargs)

    monkeypatch.setattr(DynamoDBBackend, "get_item", counted)
    return reads


def key(item: dict, tenant: str = "tenant-a") -> dict:
    return {"tenant_id": tenant, "item_id": item["item_id"]}


def stored(aws, item: dict) -> dict | None:
    return (
        aws["dynamodb"]
        .get_item(
            TableName=TABLE,
            Key={"tenant_id": {"S": "tenant-a"}, "item_id": {"S": item["item_id"]}},
            ConsistentRead=True,
        )
        .get("Item")
    )


def with_breaker_clock(api: Api) -> Ticks:
    ticks = Ticks()
    api.module.dax_guard.clock = ticks
    return ticks


# --- reads -------------------------------------------------------------------------------------


def test_get_is_served_by_dax_and_counted(dax_api, dax_cluster, table_reads, capsys):
    item = create(dax_api)
    metric_counts(capsys)
    table_reads.clear()
    result = dax_api("GET", f"/items/{item['item_id']}")
    assert result.status == 200 and result.json == item and result.headers["ETag"] == '"1"'
    assert metric_counts(capsys) == Counter(CacheHits=1)
    assert table_reads == []  # the POST went through DAX, which cached the item it wrote
    missing = dax_api("GET", "/items/00000000-0000-4000-8000-000000000000")
    assert missing.status == 404 and missing.json["error"]["code"] == "not_found"
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    (endpoint, config), *_ = dax_cluster.clients
    assert endpoint == DAX_ENDPOINT
    assert (config.connect_timeout, config.read_timeout, config.retries) == (0.2, 0.2, {"max_attempts": 0})


def test_lists_counts_and_the_reads_behind_writes_bypass_dax(dax_api, dax_cluster, capsys):
    item = create(dax_api)
    dax_cluster.requests.clear()
    assert dax_api("GET", "/items").json["items"] == [item]
    assert dax_api("GET", "/metrics").json["item_count"] == 1
    assert dax_cluster.requests == []
    assert dax_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"}).status == 200
    assert dax_cluster.requests == ["PutItem"]  # its consistent read of the current version went to DynamoDB


# --- writes through DAX ------------------------------------------------------------------------


def test_a_write_updates_dax_so_other_containers_read_it_without_dynamodb(dax_api, dax_cluster, aws, table_reads):
    item = create(dax_api)
    other = new_container()
    assert other("GET", f"/items/{item['item_id']}").json["version"] == 1
    updated = dax_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"})
    assert updated.status == 200 and updated.json["version"] == 2
    assert dax_cluster.cached(key(item))["data"] == {"name": "v2"}
    change_behind_the_cache(aws, "tenant-a", item["item_id"], "changed in the table only")
    table_reads.clear()
    assert other("GET", f"/items/{item['item_id']}").json == updated.json
    assert table_reads == []


def test_delete_leaves_dax_a_tombstone_no_container_serves(dax_api, dax_cluster, table_reads):
    item = create(dax_api)
    other = new_container()
    assert other("GET", f"/items/{item['item_id']}").status == 200
    assert dax_api("DELETE", f"/items/{item['item_id']}").status == 204
    tombstone = dax_cluster.cached(key(item))
    assert "data" not in tombstone and tombstone["version"] == 2
    table_reads.clear()
    gone = other("GET", f"/items/{item['item_id']}")
    assert gone.status == 404 and gone.json["error"]["code"] == "not_found"
    assert len(table_reads) == 1  # DAX's expired answer is a miss: the function's consistent read


def test_a_condition_failure_in_dax_is_a_conflict_not_an_outage(dax_api, dax_cluster, monkeypatch, capsys):
    from items_api.store import Conflict

    item = create(dax_api)
    warnings = warnings_of(monkeypatch, dax_api.module)
    store = dax_api.module.store
    original = store.replace
    lose_every_replace(monkeypatch, dax_api.module)
    path = f"/items/{item['item_id']}"
    metric_counts(capsys)
    result = dax_api("PUT", path, body={"by": "us"}, headers={"If-Match": '"1"'})
    assert result.status == 412 and result.json["error"]["code"] == "precondition_failed"
    assert dax_cluster.requests.count("PutItem") == 3  # POST, the other writer's, ours refused by DAX
    assert warnings == [] and metric_counts(capsys)["CacheErrors"] == 0
    assert dax_api("GET", path).json["by"] == "other"

    first = store.get("tenant-a", item["item_id"])
    original(first, {"by": "one"})
    with pytest.raises(Conflict) as raised:
        original(first, {"by": "two"})
    assert type(raised.value.__cause__).__name__ == "DaxServiceError"


# --- the guarantees of every item cache ----------------------------------------------------------


def test_tenants_never_read_each_others_items(dax_api, dax_cluster, capsys):
    item = create(dax_api, tenant="tenant-a")
    metric_counts(capsys)
    other = dax_api("GET", f"/items/{item['item_id']}", tenant="tenant-b")
    assert other.status == 404 and other.json["error"]["code"] == "not_found"
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    assert dax_cluster.cached(key(item, "tenant-b")) is None


def test_expired_items_are_never_served_and_dax_entries_end_at_its_ttl(dax_api, dax_cluster, aws, monkeypatch, capsys):
    item = create(dax_api)
    change_behind_the_cache(aws, "tenant-a", item["item_id"], "changed in the table only")
    assert dax_api("GET", f"/items/{item['item_id']}").json == item
    dax_cluster.clock.now += dax_cluster.ttl_seconds
    assert dax_api("GET", f"/items/{item['item_id']}").json["name"] == "changed in the table only"

    clock = dax_api.module.item_clock
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=30, seconds=1))
    metric_counts(capsys)
    expired = dax_api("GET", f"/items/{item['item_id']}")
    assert expired.status == 404
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    assert dax_cluster.cached(key(item)) is not None  # DAX served it; the function refused it


def test_a_lagging_replica_never_takes_a_container_back(dax_api, dax_cluster, capsys):
    item = create(dax_api)
    path = f"/items/{item['item_id']}"
    dax_cluster.read_node = 1
    assert dax_api("GET", path).json["version"] == 1  # the replica caches version 1
    assert dax_api("PUT", path, body={"name": "v2"}).json["version"] == 2  # the primary has version 2
    metric_counts(capsys)
    result = dax_api("GET", path)
    assert result.json["version"] == 2 and result.json["name"] == "v2"
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    assert new_container()("GET", path).json["version"] == 1  # it has never seen version 2
    assert dax_api("DELETE", path).status == 204
    assert dax_api("GET", path).status == 404
    dax_cluster.catch_up()
    assert new_container()("GET", path).status == 404


# --- outages -----------------------------------------------------------------------------------


def test_a_read_outage_degrades_to_dynamodb_and_the_breaker_recovers(dax_api, dax_cluster, monkeypatch, capsys):
    ticks = with_breaker_clock(dax_api)
    warnings = warnings_of(monkeypatch, dax_api.module)
    item = create(dax_api)
    path = f"/items/{item['item_id']}"
    metric_counts(capsys)
    dax_cluster.failure = UNREACHABLE
    assert dax_api("GET", path).json == item
    (warning,) = warnings
    assert OUTAGE_WARNING in warning and "DaxClientError: " in warning and "NoRouteException" in warning
    assert metric_counts(capsys) == Counter(CacheErrors=1, CacheMisses=1)
    answers = [dax_api("PUT", path, body={"name": "v2"}).status, dax_api("GET", path).status]
    assert answers == [200, 200]
    assert metric_counts(capsys) == Counter(CacheMisses=1) and len(warnings) == 1  # skipped, not tried
    ticks.now += 5
    assert dax_api("GET", path).json["version"] == 2
    assert metric_counts(capsys) == Counter(CacheErrors=1, CacheMisses=1) and len(warnings) == 2
    dax_cluster.failure = None
    ticks.now += 5
    assert dax_api("GET", path).json["version"] == 2  # DAX still holds version 1: below the floor
    assert dax_api("PUT", path, body={"name": "v3"}).status == 200
    assert dax_api("GET", path).json["version"] == 3
    assert metric_counts(capsys) == Counter(CacheMisses=1, CacheHits=1)


def test_a_write_outage_is_retried_on_dynamodb(dax_api, dax_cluster, aws, monkeypatch, capsys):
    ticks = with_breaker_clock(dax_api)
    warnings = warnings_of(monkeypatch, dax_api.module)
    item = create(dax_api)
    other = create(dax_api)
    metric_counts(capsys)
    dax_cluster.failure = TIMEOUT
    updated = dax_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"})
    assert updated.status == 200 and updated.json["version"] == 2
    (warning,) = warnings
    assert OUTAGE_WARNING in warning and "TimeoutError: timed out" in warning
    assert stored(aws, item)["version"] == {"N": "2"}
    assert dax_api("DELETE", f"/items/{other['item_id']}").status == 204
    assert dax_api("POST", "/items", body={"name": "new"}).status == 201
    assert metric_counts(capsys) == Counter(CacheErrors=1) and len(warnings) == 1
    ticks.now += 5
    assert dax_api("PUT", f"/items/{item['item_id']}", body={"name": "v3"}).json["version"] == 3
    assert metric_counts(capsys) == Counter(CacheErrors=1) and len(warnings) == 2


def test_a_write_dax_applied_before_timing_out_is_not_a_conflict(dax_api, dax_cluster, aws, capsys):
    ticks = with_breaker_clock(dax_api)
    item = create(dax_api)
    published(aws)
    dax_cluster.failure = APPLIED_THEN_TIMEOUT
    path = f"/items/{item['item_id']}"
    metric_counts(capsys)
    updated = dax_api("PUT", path, body={"name": "v2"}, headers={"If-Match": '"1"'})
    assert updated.status == 200 and updated.json["version"] == 2
    assert stored(aws, item)["version"] == {"N": "2"}
    ticks.now += 5
    assert dax_api("DELETE", path, headers={"If-Match": '"2"'}).status == 204
    ticks.now += 5
    created = dax_api("POST", "/items", body={"name": "new"})
    assert created.status == 201
    assert metric_counts(capsys) == Counter(CacheErrors=3)
    assert [(e["detail-type"], e["detail"]["version"]) for e in published(aws)] == [
        ("ItemUpdated", 2),
        ("ItemDeleted", 2),
        ("ItemCreated", 1),
    ]
    dax_cluster.failure = None
    assert [i["item_id"] for i in dax_api("GET", "/items").json["items"]] == [created.json["item_id"]]


@pytest.mark.parametrize("header", ['"1"', None], ids=["if-match", "unconditional"])
def test_two_deletes_racing_through_a_dax_timeout_have_one_winner(dax_api, dax_cluster, aws, header):
    item = create(dax_api)
    published(aws)
    path = f"/items/{item['item_id']}"
    headers = {"If-Match": header} if header else {}
    other = new_container()
    answers = []

    def other_deletes_first() -> None:
        failure, dax_cluster.failure = dax_cluster.failure, None
        answers.append(other("DELETE", path, headers=headers).status)
        dax_cluster.failure = failure

    dax_cluster.interleave = other_deletes_first
    dax_cluster.failure = TIMEOUT  # this one's DAX attempt times out, after the other's delete
    answers.append(dax_api("DELETE", path, headers=headers).status)
    assert answers == [204, 412 if header else 404]
    assert [(e["detail-type"], e["detail"]["version"]) for e in published(aws)] == [("ItemDeleted", 1)]
    assert dax_api("GET", path).status == 404


def test_a_real_conflict_after_a_dax_timeout_is_still_a_conflict(dax_api, dax_cluster, aws):
    from items_api.store import Conflict

    item = create(dax_api)
    store = dax_api.module.store
    first = store.get("tenant-a", item["item_id"])
    store.replace(first, {"by": "other"})
    dax_cluster.failure = TIMEOUT
    with pytest.raises(Conflict):  # DynamoDB refuses the retry, and what it holds is not ours
        store.replace(first, {"by": "stale"})
    assert stored(aws, item)["data"] == {"M": {"by": {"S": "other"}}}


def test_the_real_dax_client_on_an_unreachable_cluster_degrades_to_dynamodb(aws, monkeypatch, capsys):
    amazondax = import_amazondax(monkeypatch)
    assert amazondax.__version__ == "2.1.0"
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("DAX_ENDPOINT", f"daxs://127.0.0.1:{port}")
    api = Api(load_handler("crud", "crud_handler"))
    ticks = with_breaker_clock(api)
    warnings = warnings_of(monkeypatch, api.module)
    item = create(api)
    (warning,) = warnings
    assert OUTAGE_WARNING in warning and "Failed to configure cluster endpoints" in warning
    metric_counts(capsys)
    assert api("GET", f"/items/{item['item_id']}").json == item
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    ticks.now += 5
    assert api("GET", f"/items/{item['item_id']}").json == item
    assert metric_counts(capsys) == Counter(CacheErrors=1, CacheMisses=1)


# --- configuration and imports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "dax://c.abc.dax-clusters.us-east-1.amazonaws.com",
            "DAX_ENDPOINT must be daxs://<cluster address>[:port], not 'dax://c.abc.dax-clusters.us-east-1.amazonaws.com'",
        ),
        ("c.abc:9111", "DAX_ENDPOINT must be daxs://<cluster address>[:port], not 'c.abc:9111'"),
        ("daxs://", "DAX_ENDPOINT must be daxs://<cluster address>[:port], not 'daxs://'"),
        ("daxs://c.abc:0", "DAX_ENDPOINT must be daxs://<cluster address>[:port], not 'daxs://c.abc:0'"),
        ("daxs://c.abc:9111/x", "DAX_ENDPOINT must be daxs://<cluster address>[:port], not 'daxs://c.abc:9111/x'"),
    ],
)
def test_dax_endpoint_is_validated(monkeypatch, value, message):
    load_handler_path()
    from items_api.settings import Settings

    for name, setting in (ENVIRONMENT | {"APP_SECRET_ARN": "arn", "DAX_ENDPOINT": value}).items():
        monkeypatch.setenv(name, setting)
    monkeypatch.delenv("CACHE_ENDPOINT", raising=False)
    with pytest.raises(ValueError) as raised:
        Settings.from_environment()
    assert str(raised.value) == message


def test_dax_and_elasticache_exclude_each_other(monkeypatch):
    load_handler_path()
    from items_api.settings import Settings

    for name, value in (ENVIRONMENT | {"APP_SECRET_ARN": "arn", "DAX_ENDPOINT": DAX_ENDPOINT}).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("CACHE_ENDPOINT", "master.c.use1.cache.amazonaws.com:6379")
    with pytest.raises(ValueError) as raised:
        Settings.from_environment()
    assert str(raised.value) == "DAX_ENDPOINT and CACHE_ENDPOINT are both set; the function uses one item cache"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", None), (DAX_ENDPOINT, DAX_ENDPOINT), (f"{DAX_ENDPOINT}:9111", f"{DAX_ENDPOINT}:9111")],
)
def test_dax_endpoint_values(monkeypatch, value, expected):
    load_handler_path()
    from items_api.settings import Settings

    for name, setting in (ENVIRONMENT | {"APP_SECRET_ARN": "arn", "DAX_ENDPOINT": value}).items():
        monkeypatch.setenv(name, setting)
    monkeypatch.delenv("CACHE_ENDPOINT", raising=False)
    settings = Settings.from_environment()
    assert settings.dax_endpoint == expected and settings.cache is None


IMPORTS_PROBE = """
import json, os, sys
sys.path[:0] = [os.environ["CRUD"], os.environ["SHARED"]]
import handler
imported = {"dax": "items_api.dax" in sys.modules, "amazondax": "amazondax" in sys.modules}
print(json.dumps(imported))
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {"dax": False, "amazondax": False}),
        ({"DAX_ENDPOINT": ""}, {"dax": False, "amazondax": False}),
        ({"DAX_ENDPOINT": "daxs://127.0.0.1:1"}, {"dax": True, "amazondax": False}),
        (
            # under provisioned concurrency init builds the client; an unreachable cluster is logged, not fatal
            {"DAX_ENDPOINT": "daxs://127.0.0.1:1", "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"},
            {"dax": True, "amazondax": True},
        ),
    ],
)
def test_amazondax_is_imported_only_when_dax_is_configured_and_used(extra, expected):
    env = {name: value for name, value in os.environ.items() if not name.startswith(("CACHE_", "DAX_"))}
    env |= ENVIRONMENT | {"APP_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"}
    env |= {
        "PYTHONPATH": os.pathsep.join(dax_wheels()),
        "CRUD": str(LAMBDA_SRC / "crud"),
        "SHARED": str(LAMBDA_SRC / "shared"),
    }
    env |= extra
    result = subprocess.run([sys.executable, "-c", IMPORTS_PROBE], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == expected
