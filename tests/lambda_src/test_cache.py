"""The CRUD function with its ElastiCache read-through cache, against a real Redis server (Debian's
redis-server over TLS, `tests/lambda_src/cache_server.py`) and moto's DynamoDB: the real handler,
real-shaped events, the cache's contract of `items_api/cache.py`."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import aws_lambda_powertools
import boto3
import pytest
from aws_lambda_powertools.metrics import EphemeralMetrics
from moto.dynamodb.models import DynamoDBBackend

from tapgen.pipeline.archives import build_archives, parse_requirements
from tests.lambda_src.cache_server import ADMIN_USER, CACHE_USER, REQUIREMENTS, import_redis, redis_wheels, tls_files
from tests.lambda_src.conftest import (
    ENVIRONMENT,
    LAMBDA_SRC,
    TABLE,
    Api,
    cache_environment,
    load_handler,
)

CACHE_METRICS = ("CacheHits", "CacheMisses", "CacheErrors")


def key_of(tenant: str, item_id: str) -> str:
    return f"tap:item:{tenant}:{item_id}"


def metric_counts(capsys) -> Counter:
    """The cache metrics of the EMF lines the handler printed since the last call."""
    counts: Counter = Counter()
    for line in capsys.readouterr().out.splitlines():
        if not line.startswith("{") or '"_aws"' not in line:
            continue
        document = json.loads(line)
        for name in CACHE_METRICS:
            value = document.get(name, 0)
            counts[name] += sum(value) if isinstance(value, list) else value
    return counts


def create(api: Api, body: dict | None = None, tenant: str = "tenant-a") -> dict:
    result = api("POST", "/items", tenant=tenant, body=body or {"name": "widget"})
    assert result.status == 201, result.raw
    return result.json


def change_behind_the_cache(aws, tenant: str, item_id: str, name: str) -> None:
    """Write the table directly, as no path of the function does."""
    aws["dynamodb"].update_item(
        TableName=TABLE,
        Key={"tenant_id": {"S": tenant}, "item_id": {"S": item_id}},
        UpdateExpression="SET #d.#n = :name",
        ExpressionAttributeNames={"#d": "data", "#n": "name"},
        ExpressionAttributeValues={":name": {"S": name}},
    )


def new_container() -> Api:
    """Another warm container of the same function (its own clients, cache floors and breaker)."""
    return Api(load_handler("crud", "crud_handler"))


def isolated_container(monkeypatch) -> Api:
    """A container whose metrics are its own: Powertools' `Metrics` keeps one metric set per process
    (a Lambda container), and the containers of a test share this process and would flush each
    other's metrics; `EphemeralMetrics` keeps them apart, as separate processes would."""
    with monkeypatch.context() as patched:
        patched.setattr(aws_lambda_powertools, "Metrics", EphemeralMetrics)
        return new_container()


def warnings_of(monkeypatch, module) -> list[str]:
    """The warning lines `module`'s logger writes from now on (as text: message and extra fields)."""
    lines: list[str] = []
    warning = module.logger.warning

    def recorded(message, *args, **kwargs):
        lines.append(json.dumps({"message": message, **kwargs.get("extra", {})}))
        return warning(message, *args, **kwargs)

    monkeypatch.setattr(module.logger, "warning", recorded)
    return lines


class Ticks:
    """A monotonic clock moved by hand (the cache's breaker)."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


# --- read-through ------------------------------------------------------------------------------


def test_get_reads_dynamodb_once_then_serves_the_cache(cached_api, cache_admin, aws, capsys):
    item = create(cached_api)
    cache_admin.delete(key_of("tenant-a", item["item_id"]))
    metric_counts(capsys)
    first = cached_api("GET", f"/items/{item['item_id']}")
    assert first.status == 200 and first.json == item
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    assert cache_admin.hget(key_of("tenant-a", item["item_id"]), "v") == "1"
    change_behind_the_cache(aws, "tenant-a", item["item_id"], "changed in the table only")
    second = cached_api("GET", f"/items/{item['item_id']}")
    assert second.status == 200 and second.json == item and second.headers["ETag"] == '"1"'
    assert metric_counts(capsys) == Counter(CacheHits=1)


def test_lists_counts_and_missing_items_always_read_dynamodb(cached_api, aws, capsys):
    item = create(cached_api)
    change_behind_the_cache(aws, "tenant-a", item["item_id"], "changed in the table only")
    metric_counts(capsys)
    assert cached_api("GET", "/items").json["items"][0]["name"] == "changed in the table only"
    assert cached_api("GET", "/metrics").json["item_count"] == 1
    assert metric_counts(capsys) == Counter()
    missing = cached_api("GET", "/items/00000000-0000-4000-8000-000000000000")
    assert missing.status == 404 and missing.json["error"]["code"] == "not_found"


# --- writes ------------------------------------------------------------------------------------


def test_post_and_put_write_through_and_delete_leaves_a_tombstone(cached_api, cache_admin, aws, capsys, monkeypatch):
    item = create(cached_api)
    key = key_of("tenant-a", item["item_id"])
    assert cache_admin.hget(key, "v") == "1" and 0 < cache_admin.ttl(key) <= 60
    updated = cached_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"})
    assert updated.status == 200 and updated.json["version"] == 2
    assert cache_admin.hget(key, "v") == "2"
    change_behind_the_cache(aws, "tenant-a", item["item_id"], "changed in the table only")
    metric_counts(capsys)
    assert cached_api("GET", f"/items/{item['item_id']}").json == updated.json
    assert metric_counts(capsys) == Counter(CacheHits=1)

    stale = new_container()  # it read version 2 before the delete
    assert stale("GET", f"/items/{item['item_id']}").json == updated.json
    assert cached_api("DELETE", f"/items/{item['item_id']}").status == 204
    assert cache_admin.hgetall(key) == {"v": "2", "d": "1"} and 800 < cache_admin.ttl(key) <= 900
    for api in (cached_api, stale):
        gone = api("GET", f"/items/{item['item_id']}")
        assert gone.status == 404 and gone.json["error"]["code"] == "not_found"
    assert cache_admin.hgetall(key) == {"v": "2", "d": "1"}


def test_a_stale_populate_after_a_newer_write_is_refused(cached_api, cache_admin, monkeypatch):
    item = create(cached_api)
    slow_reader = new_container()
    read_before_the_write = slow_reader.module.store.get("tenant-a", item["item_id"])
    assert cached_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"}).status == 200
    slow_reader.module.cache.written(read_before_the_write)
    key = key_of("tenant-a", item["item_id"])
    assert cache_admin.hget(key, "v") == "2"
    assert new_container()("GET", f"/items/{item['item_id']}").json["name"] == "v2"

    assert cached_api("DELETE", f"/items/{item['item_id']}").status == 204
    slow_reader.module.cache.written(read_before_the_write)
    assert cache_admin.hgetall(key) == {"v": "2", "d": "1"}


def test_a_container_never_serves_a_version_older_than_one_it_returned(cached_api, cache_admin, monkeypatch, capsys):
    item = create(cached_api)
    key = key_of("tenant-a", item["item_id"])
    old_entry = cache_admin.hgetall(key)
    assert cached_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"}).status == 200
    cache_admin.delete(key)
    cache_admin.hset(key, mapping=old_entry)  # e.g. a lagging replica, or a CAS entry that expired
    metric_counts(capsys)
    result = cached_api("GET", f"/items/{item['item_id']}")
    assert result.json["version"] == 2 and result.json["name"] == "v2"
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    fresh = new_container()
    cache_admin.delete(key)
    cache_admin.hset(key, mapping=old_entry)
    assert fresh("GET", f"/items/{item['item_id']}").json["version"] == 1  # it has never seen version 2


# --- tenants, numbers, expiry ------------------------------------------------------------------


def test_tenants_never_share_entries(cached_api, cache_admin, capsys):
    item = create(cached_api, tenant="tenant-a")
    assert cache_admin.keys("tap:*") == [key_of("tenant-a", item["item_id"])]
    metric_counts(capsys)
    other = cached_api("GET", f"/items/{item['item_id']}", tenant="tenant-b")
    assert other.status == 404 and other.json["error"]["code"] == "not_found"
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    # Even an entry planted under tenant-b's key that holds tenant-a's record is not served.
    cache_admin.hset(key_of("tenant-b", item["item_id"]), mapping=cache_admin.hgetall(cache_admin.keys("tap:*")[0]))
    assert cached_api("GET", f"/items/{item['item_id']}", tenant="tenant-b").status == 404


def test_numbers_and_every_field_round_trip_exactly_through_the_cache(cached_api, capsys):
    raw = '{"price": 1.10, "ten": 10.0, "big": 12345678901234567890123456789012345678, "tiny": 1E-130, '
    raw += (
        '"neg": -0.5, "list": [1, 2.50, {"deep": 3.3333333333333333333333333333333333333}], "flag": true, "none": null}'
    )
    created = cached_api("POST", "/items", raw_body=raw)
    assert created.status == 201, created.raw
    metric_counts(capsys)
    cached = cached_api("GET", f"/items/{created.json['item_id']}")
    assert metric_counts(capsys) == Counter(CacheHits=1)
    assert cached.raw == created.raw
    body = json.loads(cached.raw, parse_float=Decimal)
    assert body["price"] == Decimal("1.1") and body["ten"] == 10 and body["tiny"] == Decimal("1E-130")
    assert body["big"] == 12345678901234567890123456789012345678
    assert body["list"][2]["deep"] == Decimal("3.3333333333333333333333333333333333333")
    assert set(body) >= {"item_id", "version", "created_at", "updated_at", "expires_at"}


def test_expired_items_are_never_served_and_entries_end_at_expiry(cached_api, cache_admin, monkeypatch, capsys):
    item = create(cached_api)
    clock = cached_api.module.item_clock
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=30, seconds=1))
    metric_counts(capsys)
    expired = cached_api("GET", f"/items/{item['item_id']}")
    assert expired.status == 404
    assert metric_counts(capsys) == Counter(CacheMisses=1)
    assert cache_admin.exists(key_of("tenant-a", item["item_id"]))  # the function refused it, not Redis

    other = create(cached_api)
    key = key_of("tenant-a", other["item_id"])
    cache_admin.delete(key)
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(days=60, seconds=1) - timedelta(seconds=10))
    assert cached_api("GET", f"/items/{other['item_id']}").status == 200
    assert 0 < cache_admin.ttl(key) <= 10


# --- concurrency -------------------------------------------------------------------------------


@pytest.fixture
def atomic_moto(monkeypatch):
    """DynamoDB's conditional writes are atomic; moto's check-then-write is not, under threads."""
    lock = threading.Lock()
    for name in ("put_item", "delete_item"):
        original = getattr(DynamoDBBackend, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def events_per_thread(monkeypatch):
    """Powertools keeps the request being resolved in class attributes of `BaseRouter` (one request
    per process at a time, as in Lambda); this test's containers are threads of one process, so each
    thread reads its own request instead of whichever thread resolved last."""
    from aws_lambda_powertools.event_handler.api_gateway import APIGatewayRestResolver

    local = threading.local()
    resolve = APIGatewayRestResolver.resolve

    def resolve_own(self, event, context):
        local.event, local.context = self._to_proxy_event(dict(event)), context
        return resolve(self, event, context)

    monkeypatch.setattr(APIGatewayRestResolver, "resolve", resolve_own)
    monkeypatch.setattr(APIGatewayRestResolver, "current_event", property(lambda _: local.event), raising=False)
    monkeypatch.setattr(APIGatewayRestResolver, "lambda_context", property(lambda _: local.context), raising=False)


def test_concurrent_writers_and_readers_never_go_back(
    cached_api, cache_admin, aws, monkeypatch, atomic_moto, events_per_thread
):
    item = create(cached_api)
    path = f"/items/{item['item_id']}"
    containers = [isolated_container(monkeypatch) for _ in range(8)]
    for container in containers:
        container.module.clients.build_all()  # boto3's default session is not thread-safe to build on
    failures: list[str] = []

    def work(api: Api) -> None:
        try:
            rounds(api)
        except Exception as error:  # a thread's exception would otherwise only be a warning
            failures.append(f"{type(error).__name__}: {error}")

    def rounds(api: Api) -> None:
        highest = 0
        for round_ in range(12):
            written = api("PUT", path, body={"round": round_})
            if written.status == 503:  # lost the race MAX_ATTEMPTS times: nothing was written
                continue
            if written.status != 200:
                failures.append(f"PUT {written.status} {written.raw}")
                continue
            highest = max(highest, written.json["version"])
            read = api("GET", path)
            if read.status != 200:
                failures.append(f"GET {read.status} {read.raw}")
                continue
            version = read.json["version"]
            if version < highest:
                failures.append(f"GET returned version {version} after this container saw {highest}")
            highest = max(highest, version)

    threads = [threading.Thread(target=work, args=(container,)) for container in containers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    stored = aws["dynamodb"].get_item(
        TableName=TABLE, Key={"tenant_id": {"S": "tenant-a"}, "item_id": {"S": item["item_id"]}}
    )["Item"]
    cached_version = cache_admin.hget(key_of("tenant-a", item["item_id"]), "v")
    assert cached_version in (None, stored["version"]["N"])
    assert int(stored["version"]["N"]) > len(containers)  # the writers did race


# --- outage ------------------------------------------------------------------------------------


def test_an_outage_degrades_to_dynamodb_and_the_breaker_recovers(cached_api, cache_server, capsys, monkeypatch):
    ticks = Ticks()
    cached_api.module.cache._clock = ticks
    warnings = warnings_of(monkeypatch, cached_api.module)
    item = create(cached_api)
    other = create(cached_api)
    metric_counts(capsys)
    cache_server.stop()
    try:
        assert cached_api("GET", f"/items/{item['item_id']}").json == item
        (warning,) = warnings
        assert '"message": "item cache unavailable; reading DynamoDB"' in warning and "ConnectionError" in warning
        assert "X-Amz-Signature" not in warning and "Action=connect" not in warning
        answers = [
            cached_api("GET", f"/items/{item['item_id']}").status,
            cached_api("PUT", f"/items/{item['item_id']}", body={"name": "v2"}).status,
            cached_api("DELETE", f"/items/{other['item_id']}").status,
            cached_api("POST", "/items", body={"name": "new"}).status,
            cached_api("GET", "/items").status,
            cached_api("GET", "/metrics").status,
        ]
        assert answers == [200, 200, 204, 201, 200, 200]
        assert metric_counts(capsys) == Counter(CacheErrors=1, CacheMisses=2)  # then skipped: no more errors
        assert len(warnings) == 1
        ticks.now += 5
        assert cached_api("GET", f"/items/{item['item_id']}").json["name"] == "v2"
        assert metric_counts(capsys) == Counter(CacheErrors=1, CacheMisses=1)
    finally:
        cache_server.start()
    ticks.now += 5
    assert cached_api("GET", f"/items/{item['item_id']}").json["version"] == 2
    assert cached_api("GET", f"/items/{item['item_id']}").json["version"] == 2
    assert metric_counts(capsys) == Counter(CacheMisses=1, CacheHits=1)


def test_tls_is_verified_against_the_trust_store(aws, cache_server, cache_admin, monkeypatch, tmp_path, capsys):
    cache_environment(monkeypatch, cache_server)
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files(tmp_path).ca))  # a CA that did not sign the server
    api = Api(load_handler("crud", "crud_handler"))
    warnings = warnings_of(monkeypatch, api.module)
    item = create(api)
    assert api("GET", f"/items/{item['item_id']}").json == item
    (warning,) = warnings
    assert "CERTIFICATE_VERIFY_FAILED" in warning
    assert cache_admin.keys("tap:*") == []


# --- authentication ----------------------------------------------------------------------------


def test_the_function_authenticates_as_the_cache_user_and_others_are_refused(cached_api, cache_server, cache_admin):
    create(cached_api)
    signed_in = {client["user"] for client in cache_admin.client_list()} - {ADMIN_USER}
    assert signed_in == {CACHE_USER}
    redis = import_redis()
    with pytest.raises(redis.AuthenticationError):
        cache_server.client(username=None).get("tap:item:tenant-a:x")
    with pytest.raises(redis.AuthenticationError):
        cache_server.client(username="someone-else").get("tap:item:tenant-a:x")


def test_the_iam_token_is_a_presigned_connect_request(cached_api):
    from items_api.cache import IamAuthToken

    ticks = Ticks()
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        aws_session_token="session",
        region_name="eu-west-1",
    )
    provider = IamAuthToken("tap-user", "tap-group", session, ticks)
    signed = []
    sign = provider.sign
    provider.sign = lambda: signed.append(ticks.now) or sign()
    user, token = provider.get_credentials()
    assert user == "tap-user" and not token.startswith("http")
    parts = urlsplit(f"http://{token}")
    assert parts.netloc == "tap-group" and parts.path == "/"
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert query["Action"] == "connect" and query["User"] == "tap-user"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256" and query["X-Amz-Expires"] == "900"
    assert query["X-Amz-Credential"].startswith("AKIDEXAMPLE/") and query["X-Amz-Credential"].endswith(
        "/eu-west-1/elasticache/aws4_request"
    )
    assert query["X-Amz-Security-Token"] == "session" and len(query["X-Amz-Signature"]) == 64
    ticks.now += 599
    assert provider.get_credentials() == (user, token) and signed == [1_000.0]
    ticks.now += 1
    provider.get_credentials()
    assert signed == [1_000.0, 1_600.0]  # renewed after 10 minutes


# --- configuration and imports -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        ({"CACHE_ENDPOINT": "nope"}, "CACHE_ENDPOINT must be host:port, not 'nope'"),
        ({"CACHE_ENDPOINT": "h:0"}, "CACHE_ENDPOINT must be host:port, not 'h:0'"),
        ({"CACHE_USER": ""}, "CACHE_USER is required when CACHE_ENDPOINT is set"),
        ({"CACHE_NAME": ""}, "CACHE_NAME is required when CACHE_ENDPOINT is set"),
        ({"CACHE_TTL_SECONDS": "0"}, "CACHE_TTL_SECONDS must be a whole number >= 1, not '0'"),
        ({"CACHE_TTL_SECONDS": "1.5"}, "CACHE_TTL_SECONDS must be a whole number >= 1, not '1.5'"),
    ],
)
def test_cache_settings_are_validated(monkeypatch, environment, message):
    load_handler_path()
    from items_api.settings import CacheSettings

    base = {"CACHE_ENDPOINT": "master.c.use1.cache.amazonaws.com:6379", "CACHE_USER": "u", "CACHE_NAME": "g"}
    for name, value in (base | environment).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError) as raised:
        CacheSettings.from_environment()
    assert str(raised.value) == message


def test_cache_settings_defaults(monkeypatch):
    load_handler_path()
    from items_api.settings import CacheSettings

    monkeypatch.delenv("CACHE_ENDPOINT", raising=False)
    assert CacheSettings.from_environment() is None
    monkeypatch.setenv("CACHE_ENDPOINT", "master.c.use1.cache.amazonaws.com:6379")
    monkeypatch.setenv("CACHE_USER", "u")
    monkeypatch.setenv("CACHE_NAME", "g")
    monkeypatch.delenv("CACHE_TTL_SECONDS", raising=False)
    assert CacheSettings.from_environment() == CacheSettings("master.c.use1.cache.amazonaws.com", 6379, "u", "g", 60)


def load_handler_path() -> None:
    for folder in (LAMBDA_SRC / "shared", LAMBDA_SRC / "crud"):
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    sys.modules.pop("items_api.settings", None)


IMPORTS_PROBE = """
import json, os, sys
sys.path[:0] = [os.environ["CRUD"], os.environ["SHARED"]]
import handler
imported = {"cache": "items_api.cache" in sys.modules, "redis": "redis" in sys.modules}
print(json.dumps(imported))
"""


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({}, {"cache": False, "redis": False}),
        ({"CACHE_ENDPOINT": ""}, {"cache": False, "redis": False}),
        ({"CACHE_ENDPOINT": "localhost:6379"}, {"cache": True, "redis": False}),
        (
            {"CACHE_ENDPOINT": "localhost:6379", "AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"},
            {"cache": True, "redis": True},
        ),
    ],
)
def test_redis_is_imported_only_when_a_cache_is_configured_and_used(extra, expected):
    env = {name: value for name, value in os.environ.items() if not name.startswith("CACHE_")}
    env |= ENVIRONMENT | {"APP_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf"}
    env |= {"CACHE_USER": "u", "CACHE_NAME": "g", "PYTHONPATH": os.pathsep.join(redis_wheels())}
    env |= {"CRUD": str(LAMBDA_SRC / "crud")}
    env |= {"SHARED": str(LAMBDA_SRC / "shared")} | extra
    result = subprocess.run([sys.executable, "-c", IMPORTS_PROBE], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == expected


def test_function_zip_vendors_the_pinned_redis_py_and_health_zip_does_not():
    archives = build_archives(LAMBDA_SRC)
    crud = zipfile.ZipFile(io.BytesIO(archives["crud"].content)).namelist()
    health = zipfile.ZipFile(io.BytesIO(archives["health"].content)).namelist()
    assert "redis/__init__.py" in crud and "items_api/cache.py" in crud
    assert not any(name.startswith("redis/") for name in health)
    assert ("redis", "8.1.0") in [(r.name, r.version) for r in parse_requirements(REQUIREMENTS)]


def test_the_cache_metric_names_are_the_contract():
    load_handler_path()
    import tap_contract

    assert tap_contract.CACHE_METRICS == CACHE_METRICS == ("CacheHits", "CacheMisses", "CacheErrors")
