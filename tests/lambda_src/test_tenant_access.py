"""Tenant binding (lambda_src/crud/items_api/access.py): a caller acts only for the tenants granted to
its authenticated identity.

Real-shaped API Gateway proxy events (`requestContext.identity` as `AWS_IAM` auth fills it) against
moto; a spy on the item table proves that a refused request never reaches it.
"""

from __future__ import annotations

import importlib.util
import uuid

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lambda_src.conftest import (
    ACCOUNT,
    CALLER,
    GRANTS_TABLE,
    LAMBDA_SRC,
    TABLE,
    Api,
    FakeClock,
    grant,
    load_handler,
    revoke,
)
from tests.lambda_src.test_crud import error_of

OTHER_ACCOUNT = "210987654321"
READER = f"arn:aws:iam::{ACCOUNT}:role/Reader"
SERVICE = f"arn:aws:iam::{ACCOUNT}:role/TapService"
FORBIDDEN = "tenant_forbidden"
ROUTES = [
    ("POST", "/items"),
    ("GET", "/items"),
    ("GET", "/items/{id}"),
    ("PUT", "/items/{id}"),
    ("DELETE", "/items/{id}"),
    ("GET", "/metrics"),
]
ROUTE_IDS = [f"{method} {path}" for method, path in ROUTES]


def load_module(relative: str):
    """A module of lambda_src by path, without the rest of its function (no AWS needed)."""
    spec = importlib.util.spec_from_file_location("identity_under_test", LAMBDA_SRC / relative)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def session(role_arn: str, name: str = "ci-session") -> str:
    """The STS ARN API Gateway reports for a caller using credentials of an assumed role."""
    partition, account, role = role_arn.split(":")[1], role_arn.split(":")[4], role_arn.rsplit("/", 1)[1]
    return f"arn:{partition}:sts::{account}:assumed-role/{role}/{name}"


def seed(aws, tenant: str, count: int = 2) -> list[str]:
    """Items of `tenant` written straight into the table (as another, granted, caller would have)."""
    ids = sorted(str(uuid.uuid4()) for _ in range(count))
    for item_id in ids:
        aws["dynamodb"].put_item(
            TableName=TABLE,
            Item={
                "tenant_id": {"S": tenant},
                "item_id": {"S": item_id},
                "version": {"N": "1"},
                "created_at": {"S": "2025-01-01T00:00:00.000Z"},
                "updated_at": {"S": "2025-01-01T00:00:00.000Z"},
                "data": {"M": {"name": {"S": "seeded"}}},
            },
        )
    return ids


def call(api, method: str, path: str, tenant: str, caller: str | None, item_id: str | None = None):
    path = path.replace("{id}", item_id or str(uuid.uuid4()))
    body = {"name": "x"} if method in ("POST", "PUT") else None
    return api(method, path, tenant=tenant, caller=caller, body=body)


class ItemSpy:
    """The tenant of every item-table call and item event of one handler instance."""

    def __init__(self, module, monkeypatch) -> None:
        self.tenants: list[str] = []
        table = module.store._table
        for name in ("get_item", "put_item", "update_item", "delete_item", "query", "scan"):
            monkeypatch.setattr(table, name, self._recording(name, getattr(table, name)))
        publish = module.events.publish

        def published(event_name, tenant, item_id, version):
            self.tenants.append(tenant)
            return publish(event_name, tenant, item_id, version)

        monkeypatch.setattr(module.events, "publish", published)

    def _recording(self, name, method):
        def recorded(**arguments):
            self.tenants.append(self.tenant_of(name, arguments))
            return method(**arguments)

        return recorded

    @staticmethod
    def tenant_of(name: str, arguments: dict) -> str:
        if name == "scan":
            return "<every tenant>"
        if name == "query":
            key, tenant = arguments["KeyConditionExpression"].get_expression()["values"]
            assert key.name == "tenant_id"
            start = arguments.get("ExclusiveStartKey")
            assert start is None or start["tenant_id"] == tenant
            return tenant
        return (arguments.get("Key") or arguments.get("Item"))["tenant_id"]


@pytest.fixture
def spy(api, monkeypatch) -> ItemSpy:
    return ItemSpy(api.module, monkeypatch)


# --- every route -------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_a_granted_tenant_is_served_on_every_route(api, aws, spy, method, path):
    (item_id,) = seed(aws, "tenant-a", 1)
    result = call(api, method, path, "tenant-a", CALLER, item_id)
    assert result.status in (200, 201, 204), result.raw
    assert spy.tenants and set(spy.tenants) == {"tenant-a"}


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_an_ungranted_tenant_is_403_on_every_route_before_any_item_access(api, aws, spy, method, path):
    (item_id,) = seed(aws, "tenant-c", 1)
    body = error_of(call(api, method, path, "tenant-c", CALLER, item_id), 403, FORBIDDEN)
    assert "tenant-c" not in body["error"]["message"]
    assert spy.tenants == []
    stored = aws["dynamodb"].query(
        TableName=TABLE,
        KeyConditionExpression="tenant_id = :t",
        ExpressionAttributeValues={":t": {"S": "tenant-c"}},
    )["Items"]
    assert [(i["item_id"]["S"], i["version"]["N"]) for i in stored] == [(item_id, "1")]  # nothing changed


@pytest.mark.parametrize(
    "caller",
    [None, "", "not-an-arn", f"{CALLER} ", f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader", "AIDAEXAMPLEUSERID"],
    ids=["no identity", "empty", "not an arn", "trailing space", "session-less", "unique id"],
)
def test_no_or_a_malformed_identity_is_403_on_every_route(api, aws, spy, caller):
    grant(aws["dynamodb"], READER, ["*"])
    (item_id,) = seed(aws, "tenant-a", 1)
    for method, path in ROUTES:
        error_of(call(api, method, path, "tenant-a", caller, item_id), 403, FORBIDDEN)
    assert spy.tenants == []


@pytest.mark.parametrize(("method", "path"), ROUTES, ids=ROUTE_IDS)
def test_a_caller_with_no_grant_at_all_is_403(api, aws, spy, method, path):
    error_of(call(api, method, path, "tenant-a", f"arn:aws:iam::{ACCOUNT}:user/stranger"), 403, FORBIDDEN)
    assert spy.tenants == []


def test_the_refusal_says_nothing_about_whether_the_tenant_or_item_exists(api, aws):
    (item_id,) = seed(aws, "tenant-c", 1)
    answers = set()
    for tenant, target in (("tenant-c", item_id), ("tenant-c", str(uuid.uuid4())), ("tenant-nobody", item_id)):
        for method, path in ROUTES:
            result = call(api, method, path, tenant, CALLER, target)
            body = error_of(result, 403, FORBIDDEN)
            answers.add((result.status, body["error"]["code"], body["error"]["message"], tuple(sorted(result.headers))))
    assert len(answers) == 1


def test_preflight_needs_no_identity_and_no_grant(api):
    for path in ("/items", f"/items/{uuid.uuid4()}", "/metrics"):
        assert api("OPTIONS", path, tenant=None, caller=None).status == 204


def test_an_invalid_tenant_is_still_400_for_anyone(api):
    error_of(api("GET", "/items", tenant="bad tenant", caller=None), 400, "invalid_tenant")


# --- grants ------------------------------------------------------------------------------------


def test_a_star_grant_is_every_tenant_for_a_trusted_service(api, aws, spy):
    grant(aws["dynamodb"], SERVICE, ["*"])
    caller = session(SERVICE, "i-0abc123")
    seed(aws, "tenant-q", 3)
    for tenant in ("tenant-a", "tenant-q", "Z" * 64):
        for method, path in ROUTES:
            assert call(api, method, path, tenant, caller).status not in (403, 500)
    assert api("GET", "/metrics", tenant="tenant-q", caller=caller).json["item_count"] == 4  # 3 + the POST


def test_a_star_among_tenants_is_not_a_wildcard(api, aws):
    grant(aws["dynamodb"], READER, ["*", "tenant-a"])
    assert api("GET", "/items", tenant="tenant-a", caller=session(READER)).status == 200
    error_of(api("GET", "/items", tenant="tenant-b", caller=session(READER)), 403, FORBIDDEN)


def test_a_string_set_grant_works_like_a_list(api, aws):
    grant(aws["dynamodb"], READER, ["tenant-a", "tenant-b"], as_set=True)
    assert api("GET", "/metrics", tenant="tenant-b", caller=session(READER)).status == 200
    error_of(api("GET", "/metrics", tenant="tenant-c", caller=session(READER)), 403, FORBIDDEN)


@pytest.mark.parametrize(
    "tenants",
    [{"S": "tenant-a"}, {"S": "*"}, {"N": "1"}, {"L": [{"N": "1"}]}, {"L": [{"L": [{"S": "tenant-a"}]}]}, None],
    ids=["string", "string star", "number", "list of numbers", "nested list", "missing"],
)
def test_malformed_grants_grant_nothing(api, aws, tenants):
    item = {"principal": {"S": READER}} | ({"tenants": tenants} if tenants else {})
    aws["dynamodb"].put_item(TableName=GRANTS_TABLE, Item=item)
    error_of(api("GET", "/items", tenant="tenant-a", caller=session(READER)), 403, FORBIDDEN)


# --- identities --------------------------------------------------------------------------------


def test_an_assumed_role_session_acts_for_its_role(api, aws):
    grant(aws["dynamodb"], READER, ["tenant-a"])
    for name in ("ci-session", "i-0123456789abcdef0", "user@example.com", "a=b,c.d-e_f+g"):
        assert api("GET", "/items", tenant="tenant-a", caller=session(READER, name)).status == 200, name
    error_of(api("GET", "/items", tenant="tenant-b", caller=session(READER)), 403, FORBIDDEN)


def test_a_grant_naming_a_session_grants_nothing(api, aws):
    grant(aws["dynamodb"], session(READER), ["tenant-a"])
    error_of(api("GET", "/items", tenant="tenant-a", caller=session(READER)), 403, FORBIDDEN)


def test_the_same_role_name_in_another_account_or_partition_is_another_principal(api, aws):
    gov = f"arn:aws-us-gov:iam::{ACCOUNT}:role/Reader"
    grant(aws["dynamodb"], READER, ["tenant-a"])
    grant(aws["dynamodb"], gov, ["tenant-b"])
    for other in (f"arn:aws:iam::{OTHER_ACCOUNT}:role/Reader", gov):
        error_of(api("GET", "/items", tenant="tenant-a", caller=session(other)), 403, FORBIDDEN)
    assert api("GET", "/items", tenant="tenant-b", caller=session(gov)).status == 200


def test_a_role_and_a_user_of_the_same_name_are_different_principals(api, aws):
    grant(aws["dynamodb"], f"arn:aws:iam::{ACCOUNT}:user/Reader", ["tenant-a"])
    error_of(api("GET", "/items", tenant="tenant-a", caller=session(READER)), 403, FORBIDDEN)


@pytest.mark.parametrize(
    ("user_arn", "principal"),
    [
        (f"arn:aws:iam::{ACCOUNT}:user/ci", f"arn:aws:iam::{ACCOUNT}:user/ci"),
        (f"arn:aws:iam::{ACCOUNT}:user/team/ci", f"arn:aws:iam::{ACCOUNT}:user/team/ci"),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1", f"arn:aws:iam::{ACCOUNT}:role/Reader"),
        (f"arn:aws-cn:sts::{ACCOUNT}:assumed-role/Reader/s1", f"arn:aws-cn:iam::{ACCOUNT}:role/Reader"),
        (f"arn:aws-iso-b:sts::{ACCOUNT}:assumed-role/R+=,.@-_9/s.1", f"arn:aws-iso-b:iam::{ACCOUNT}:role/R+=,.@-_9"),
        (f"arn:aws:sts::{ACCOUNT}:federated-user/bob", f"arn:aws:sts::{ACCOUNT}:federated-user/bob"),
        (f"arn:aws:iam::{ACCOUNT}:root", f"arn:aws:iam::{ACCOUNT}:root"),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s1/extra", None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Réader/s1", None),
        (f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/s", None),
        (f"arn:aws:sts::{ACCOUNT}:user/ci", None),
        (f"arn:aws:iam::{ACCOUNT}:user/ci\n", None),
        (f"arn:aws:s3:::{ACCOUNT}", None),
        ("arn:aws:iam::12345:user/ci", None),
        ("arn:evil:iam::123456789012:user/ci", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_principal_of_normalises_sessions_and_refuses_anything_else(user_arn, principal):
    principal_of = load_module("shared/tap_http/identity.py").principal_of
    assert principal_of({"requestContext": {"identity": {"userArn": user_arn}}}) == principal
    assert principal_of({}) is None and principal_of({"requestContext": None}) is None


# --- the cache ---------------------------------------------------------------------------------


def test_a_revoked_grant_stops_working_within_the_cache_ttl(api, aws, clock):
    grant(aws["dynamodb"], READER, ["tenant-a"])
    caller = session(READER)
    assert api("GET", "/items", tenant="tenant-a", caller=caller).status == 200
    revoke(aws["dynamodb"], READER)
    clock.advance(59)
    assert api("GET", "/items", tenant="tenant-a", caller=caller).status == 200  # the documented bound
    clock.advance(1)
    error_of(api("GET", "/items", tenant="tenant-a", caller=caller), 403, FORBIDDEN)


def test_a_new_grant_starts_working_within_the_cache_ttl(api, aws, clock):
    caller = session(READER)
    error_of(api("GET", "/items", tenant="tenant-a", caller=caller), 403, FORBIDDEN)
    grant(aws["dynamodb"], READER, ["tenant-a"])
    clock.advance(60)
    assert api("GET", "/items", tenant="tenant-a", caller=caller).status == 200


def test_with_no_cache_a_revocation_is_immediate(aws, monkeypatch):
    monkeypatch.setenv("GRANTS_CACHE_SECONDS", "0")
    api = Api(load_handler("crud", "crud_handler"))
    assert api("GET", "/items").status == 200
    revoke(aws["dynamodb"], CALLER)
    error_of(api("GET", "/items"), 403, FORBIDDEN)


def test_grants_are_read_with_one_get_item_per_principal_per_ttl(api, aws, clock, monkeypatch):
    table = api.module.grants._table
    original = table.get_item
    calls = []
    monkeypatch.setattr(table, "get_item", lambda **a: calls.append(a) or original(**a))
    for _ in range(3):
        for tenant in ("tenant-a", "tenant-b", "tenant-c"):
            api("GET", "/metrics", tenant=tenant)
    assert len(calls) == 1 and calls[0]["Key"] == {"principal": CALLER} and not calls[0].get("ConsistentRead")
    clock.advance(60)
    api("GET", "/metrics")
    assert len(calls) == 2


def test_the_grant_cache_is_bounded(aws, monkeypatch):
    monkeypatch.setenv("GRANTS_CACHE_MAX_ENTRIES", "2")
    api = Api(load_handler("crud", "crud_handler"))
    FakeClock(api.module)
    for n in range(5):
        role = f"arn:aws:iam::{ACCOUNT}:role/R{n}"
        grant(aws["dynamodb"], role, ["tenant-a"])
        assert api("GET", "/metrics", caller=session(role)).status == 200
        assert len(api.module.grants._cache) <= 2


@pytest.mark.parametrize(
    ("name", "value"),
    [("GRANTS_CACHE_SECONDS", "-1"), ("GRANTS_CACHE_SECONDS", "1m"), ("GRANTS_CACHE_MAX_ENTRIES", "0")],
)
def test_invalid_cache_settings_fail_at_start(aws, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_handler("crud", "crud_handler")


# --- the grants table failing ------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow"}}, "GetItem"),
        ClientError({"Error": {"Code": "AccessDeniedException", "Message": "denied"}}, "GetItem"),
        ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no table"}}, "GetItem"),
        ClientError({"Error": {"Code": "KMSAccessDeniedException", "Message": "kms"}}, "GetItem"),
        EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com"),
    ],
    ids=["throttled", "denied", "no table", "kms", "unreachable"],
)
def test_grants_table_errors_are_503_on_every_route_and_never_a_grant(api, aws, spy, monkeypatch, failure):
    table = api.module.grants._table
    original = table.get_item

    def failing(**_):
        raise failure

    monkeypatch.setattr(table, "get_item", failing)
    for method, path in ROUTES:
        result = call(api, method, path, "tenant-a", CALLER)
        body = error_of(result, 503, "service_unavailable")
        assert result.headers["Retry-After"] == "1" and "denied" not in body["error"]["message"]
    assert spy.tenants == []
    monkeypatch.setattr(table, "get_item", original)
    assert call(api, "GET", "/metrics", "tenant-a", CALLER).status == 200  # the failure was not cached


def test_a_missing_grants_table_is_503(aws, monkeypatch):
    monkeypatch.setenv("GRANTS_TABLE_NAME", "no-such-table")
    api = Api(load_handler("crud", "crud_handler"))
    error_of(api("GET", "/items"), 503, "service_unavailable")


# --- the property ------------------------------------------------------------------------------

TENANTS = ("tenant-a", "tenant-b", "tenant-c", "tenant-empty")
USERS = (f"arn:aws:iam::{ACCOUNT}:user/alice", f"arn:aws:iam::{ACCOUNT}:user/bob")
ROLES = (READER, SERVICE, f"arn:aws:iam::{OTHER_ACCOUNT}:role/Reader", f"arn:aws-us-gov:iam::{ACCOUNT}:role/Reader")
SESSION_NAMES = st.sampled_from(["s1", "ci-session", "i-0abc", "bob@example.com"])
# (the ARN API Gateway reports, the principal it must count as: None = nobody a grant can name)
CALLERS = st.one_of(
    st.sampled_from(USERS).map(lambda u: (u, u)),
    st.tuples(st.sampled_from(ROLES), SESSION_NAMES).map(lambda rs: (session(rs[0], rs[1]), rs[0])),
    st.sampled_from([None, "", "not-an-arn", f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader"]).map(lambda c: (c, None)),
)
GRANT_KEYS = st.one_of(
    st.sampled_from(USERS + ROLES),
    st.tuples(st.sampled_from(ROLES), SESSION_NAMES).map(lambda rs: session(*rs)),  # an operator's mistake
)
GRANT_VALUES = st.one_of(
    st.lists(st.sampled_from(TENANTS), min_size=1, max_size=3, unique=True),
    st.just(["*"]),
    st.lists(st.sampled_from(TENANTS), min_size=1, max_size=2, unique=True).map(lambda ts: ["*", *ts]),
)
REQUESTS = st.lists(
    st.tuples(CALLERS, st.sampled_from(TENANTS), st.sampled_from(ROUTES), st.booleans()), min_size=1, max_size=6
)


def expected_allowed(grants: dict[str, list[str]], principal: str | None, tenant: str) -> bool:
    """The model, written independently of the implementation."""
    tenants = grants.get(principal) if principal is not None else None
    if not tenants:
        return False
    return set(tenants) == {"*"} or tenant in tenants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(grants=st.dictionaries(GRANT_KEYS, GRANT_VALUES, max_size=4), requests=REQUESTS)
def test_no_request_ever_reaches_a_tenant_not_granted_to_its_identity(api, aws, spy, grants, requests):
    dynamodb = aws["dynamodb"]
    for item in dynamodb.scan(TableName=GRANTS_TABLE)["Items"]:
        dynamodb.delete_item(TableName=GRANTS_TABLE, Key={"principal": item["principal"]})
    for principal, tenants in grants.items():
        grant(dynamodb, principal, tenants)
    api.module.grants._cache._entries.clear()
    existing = {tenant: seed(aws, tenant, 2) for tenant in TENANTS[:3]}
    for (caller, principal), tenant, (method, path), existing_item in requests:
        spy.tenants.clear()
        item_id = existing[tenant][0] if existing_item and tenant in existing else None
        result = call(api, method, path, tenant, caller, item_id)
        assert set(spy.tenants) <= {tenant}, (caller, tenant, method, path)
        if expected_allowed(grants, principal, tenant):
            assert result.status not in (403, 500, 503), (caller, tenant, method, path, result.raw)
        else:
            assert result.status == 403 and result.json["error"]["code"] == FORBIDDEN, (caller, tenant, result.raw)
            assert spy.tenants == [], (caller, tenant, method, path)
