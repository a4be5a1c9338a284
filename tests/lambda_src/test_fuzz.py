"""Property tests: whatever a client throws at the handler, it answers within the contract."""

import base64
import json
import uuid
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.lambda_src.conftest import LambdaContext, proxy_event

METHODS = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE", "get", ""])
PATHS = st.one_of(
    st.sampled_from(["/items", "/metrics", "/health", "/", "", "/items/", "//items", "/items/x/y"]),
    st.builds(lambda u: f"/items/{u}", st.uuids().map(str)),
    st.text(max_size=40).map(lambda t: "/" + t),
)
# Text as JSON can carry it: any code point, lone UTF-16 surrogates included (escaped by json.dumps).
TEXT = st.text(st.characters() | st.characters(categories=["Cs"]), max_size=20)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=20,
)
BODIES = st.one_of(
    st.none(),
    JSONISH.map(json.dumps),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    st.integers(1, 2000).map(lambda depth: "[" * depth + "]" * depth),
    st.just('{"a": 1, "a": 2}'),
    st.just('{"n": 1e400}'),
    st.just('{"item_id": "x"}'),
    st.just("x" * 300_000),
)
HEADERS = st.dictionaries(
    st.sampled_from(["X-Tenant-Id", "x-tenant-id", "If-Match", "Content-Type", "Origin", "X-Other"]),
    st.text(max_size=70),
    max_size=4,
)
QUERIES = st.none() | st.dictionaries(
    st.sampled_from(["limit", "next_token", "other"]), st.text(max_size=30), max_size=3
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def exact(text: str):
    """JSON with numbers as Decimals, so values compare exactly, whatever their written form."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def assert_within_contract(response: dict, event: dict) -> None:
    status = response["statusCode"]
    assert status != 500 and status < 600, response
    headers = response["headers"]
    assert headers["Access-Control-Allow-Origin"]
    if status == 204:
        assert response.get("body", "") == ""
        return
    assert headers["Content-Type"] == "application/json"
    body = json.loads(response["body"])
    if status >= 400:
        assert set(body) == {"error", "request_id"}
        assert set(body["error"]) == {"code", "message"}
        assert body["error"]["code"].replace("_", "").isalpha() and body["error"]["code"].islower()
        assert body["request_id"] == event["requestContext"]["requestId"]


@FUZZ
@given(method=METHODS, path=PATHS, headers=HEADERS, query=QUERIES, body=BODIES, encode=st.booleans())
def test_crud_handler_never_breaks_the_contract(api, method, path, headers, query, body, encode):
    event = proxy_event(method, path, tenant=None, headers=headers, query=query, raw_body=body, base64_body=False)
    if encode and body is not None:
        event["body"] = base64.b64encode(body.encode("utf-8", "surrogatepass")).decode()
        event["isBase64Encoded"] = True
    assert_within_contract(api.module.handler(event, LambdaContext()), event)


@FUZZ
@given(body=BODIES, tenant=st.sampled_from(["tenant-a", "tenant-b"]), encode=st.booleans())
def test_writes_with_a_valid_tenant_never_break_the_contract(api, body, tenant, encode):
    for method, path in (("POST", "/items"), ("PUT", f"/items/{uuid.uuid4()}")):
        event = proxy_event(method, path, tenant=tenant, raw_body=body, base64_body=encode and body is not None)
        assert_within_contract(api.module.handler(event, LambdaContext()), event)


@FUZZ
@given(method=METHODS, path=PATHS, headers=HEADERS)
def test_health_handler_never_breaks_the_contract(health_api, method, path, headers):
    event = proxy_event(method, path, tenant=None, headers=headers)
    assert_within_contract(health_api.module.handler(event, LambdaContext()), event)


@FUZZ
@given(document=JSONISH.filter(lambda d: isinstance(d, dict)))
def test_stored_documents_round_trip(api, document):
    raw = json.dumps(document)
    created = api.module.handler(proxy_event("POST", "/items", raw_body=raw), LambdaContext())
    if created["statusCode"] != 201:
        assert json.loads(created["body"])["error"]["code"] in {"invalid_body", "reserved_field", "invalid_number"}
        return
    item_id = json.loads(created["body"])["item_id"]
    fetched = exact(api.module.handler(proxy_event("GET", f"/items/{item_id}"), LambdaContext())["body"])
    for key, value in exact(raw).items():
        assert fetched[key] == value, key
