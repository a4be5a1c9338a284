"""The items API against moto, route by route and error code by error code (lambda_src/shared/tap_contract.py)."""

import base64
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from botocore.exceptions import ClientError

from tests.lambda_src.conftest import lose_every_replace, published

ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
CORS = "Access-Control-Allow-Origin"


def error_of(result, status: int, code: str) -> dict:
    assert result.status == status, result.raw
    body = result.json
    assert set(body) == {"error", "request_id"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert body["request_id"] == result.request_id
    assert result.headers["Content-Type"] == "application/json"
    assert result.headers[CORS] == "*"
    return body


def create(api, body=None, tenant="tenant-a"):
    result = api("POST", "/items", tenant=tenant, body=body if body is not None else {"name": "widget"})
    assert result.status == 201, result.raw
    return result.json


# --- POST /items -------------------------------------------------------------------------------


def test_post_creates_an_item_with_server_fields(api, aws):
    before = datetime.now(UTC)
    result = api("POST", "/items", body={"name": "widget", "tags": ["a"], "nested": {"ok": True}})
    assert result.status == 201
    item = result.json
    assert str(uuid.UUID(item["item_id"], version=4)) == item["item_id"]
    assert item["version"] == 1
    assert ISO_Z.match(item["created_at"]) and item["created_at"] == item["updated_at"]
    expected_expiry = (before + timedelta(days=30)).timestamp()
    assert abs(item["expires_at"] - expected_expiry) < 5
    assert {k: item[k] for k in ("name", "tags", "nested")} == {"name": "widget", "tags": ["a"], "nested": {"ok": True}}
    assert "tenant_id" not in item
    assert result.headers["ETag"] == '"1"'
    assert result.headers["Content-Type"] == "application/json"
    assert result.headers[CORS] == "*"


def test_post_publishes_item_created_with_ids_only(api, aws):
    item = create(api, {"secret": "do not leak"})
    (event,) = published(aws)
    assert event["source"] == "tap.items"
    assert event["detail-type"] == "ItemCreated"
    assert event["detail"] == {"tenant_id": "tenant-a", "item_id": item["item_id"], "version": 1}


def test_no_expiry_when_retention_is_zero(aws, monkeypatch):
    from tests.lambda_src.conftest import Api, load_handler

    monkeypatch.setenv("DATA_RETENTION_DAYS", "0")
    api = Api(load_handler("crud", "crud_handler"))
    item = create(api)
    assert "expires_at" not in item
    assert "expires_at" not in api("GET", f"/items/{item['item_id']}").json


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "invalid_json"),
        ('{"a": 1, "a": 2}', "invalid_json"),
        ('{"a": NaN}', "invalid_json"),
        ('{"a": Infinity}', "invalid_json"),
        ("[" * 40 + "]" * 40, "invalid_json"),
        ('{"a":' * 33 + "1" + "}" * 33, "invalid_json"),
        ("", "invalid_json"),
        ("[1, 2]", "invalid_body"),
        ('"text"', "invalid_body"),
        ('{"": 1}', "invalid_body"),
        ('{"n": 1' + "0" * 40 + "}", "invalid_number"),
        ('{"n": 1e200}', "invalid_number"),
        ('{"n": 2.5e-140}', "invalid_number"),
        ('{"n": -1e-131}', "invalid_number"),
        ('{"n": 0.12345678901234567890123456789012345678901}', "invalid_number"),
    ],
)
def test_post_rejects_bad_bodies(api, raw, code):
    error_of(api("POST", "/items", raw_body=raw), 400, code)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [('{"a": "\\ud800"}', "\\ud800"), ('{"a": ["ok", {"b": "x\\udfff"}]}', "\\udfff"), ('{"\\udc00": 1}', "\\udc00")],
    ids=["value", "nested", "key"],
)
def test_a_body_dynamodb_cannot_store_is_a_400_naming_the_problem(api, raw, escaped):
    for method, path in (("POST", "/items"), ("PUT", f"/items/{api('POST', '/items', body={}).json['item_id']}")):
        error = error_of(api(method, path, raw_body=raw), 400, "invalid_body")
        assert error["error"]["message"] == (
            f"Strings must be valid Unicode: a lone UTF-16 surrogate ({escaped}) cannot be stored."
        )


def test_a_key_longer_than_dynamodb_allows_is_refused(api):
    assert api("POST", "/items", raw_body='{"' + "k" * 65535 + '": 1}').status == 201
    error = error_of(api("POST", "/items", raw_body='{"' + "k" * 65536 + '": 1}'), 400, "invalid_body")
    assert error["error"]["message"] == "Object keys must be at most 65535 bytes in UTF-8."


def test_paired_surrogates_are_one_character_and_stored_exactly(api):
    item = api("POST", "/items", raw_body='{"a": "\\ud83d\\ude00"}').json
    assert api("GET", f"/items/{item['item_id']}").json["a"] == "\U0001f600"


@pytest.mark.parametrize("number", ["1E-130", "-1E-130", "0", "9.9999999999999999999999999999999999999E+125"])
def test_numbers_at_dynamodbs_limits_are_stored(api, number):
    assert api("POST", "/items", raw_body=f'{{"n": {number}}}').status == 201


def test_nesting_of_exactly_32_is_accepted(api):
    body = '{"a":' * 31 + "{}" + "}" * 31
    assert api("POST", "/items", raw_body=body).status == 201


@pytest.mark.parametrize("field", ["item_id", "version", "created_at", "updated_at", "expires_at", "tenant_id"])
def test_post_rejects_server_managed_fields(api, field):
    error_of(api("POST", "/items", body={"name": "x", field: "1"}), 400, "reserved_field")


def test_post_limits_the_decoded_body_to_256_kib(api):
    at_limit = '{"d":"' + "x" * (256 * 1024 - 8) + '"}'
    assert len(at_limit.encode()) == 256 * 1024
    assert api("POST", "/items", raw_body=at_limit).status == 201
    error_of(api("POST", "/items", raw_body=at_limit[:-2] + 'x"}'), 413, "payload_too_large")
    error_of(api("POST", "/items", raw_body=at_limit[:-2] + 'x"}', base64_body=True), 413, "payload_too_large")


def test_base64_bodies_are_decoded(api):
    result = api("POST", "/items", raw_body='{"name":"b64"}', base64_body=True)
    assert result.status == 201 and result.json["name"] == "b64"


def test_invalid_utf8_and_bad_base64_are_invalid_json(api, aws):
    event_body = base64.b64encode(b'{"a":"\xff"}').decode()
    from tests.lambda_src.conftest import LambdaContext, proxy_event

    event = proxy_event("POST", "/items")
    event.update(body=event_body, isBase64Encoded=True)
    response = api.module.handler(event, LambdaContext())
    assert response["statusCode"] == 400 and json.loads(response["body"])["error"]["code"] == "invalid_json"
    event.update(body="%%%not base64", isBase64Encoded=True)
    response = api.module.handler(event, LambdaContext())
    assert json.loads(response["body"])["error"]["code"] == "invalid_json"


def test_numbers_round_trip_exactly_in_normalised_form(api):
    raw = (
        '{"a": 1.1, "b": 10, "c": 10.0, "d": 1.10, "e": 0.1, '
        '"f": 12345678901234567890123456789012345678, "g": -0.000001}'
    )
    item = api("POST", "/items", raw_body=raw)
    assert item.status == 201
    text = api("GET", f"/items/{item.json['item_id']}").raw
    for fragment in [
        '"a":1.1',
        '"b":10',
        '"c":10',
        '"d":1.1',
        '"e":0.1',
        '"f":12345678901234567890123456789012345678',
        '"g":-0.000001',
    ]:
        assert fragment in text


# --- tenants -----------------------------------------------------------------------------------


@pytest.mark.parametrize("tenant", [None, "", "a" * 65, "bad tenant", " tenant-a", "tenant-a ", "tenant/a", "ténant"])
@pytest.mark.parametrize(("method", "path"), [("GET", "/items"), ("POST", "/items"), ("GET", "/metrics")])
def test_a_valid_tenant_is_required(api, tenant, method, path):
    error_of(api(method, path, tenant=tenant, body={"a": 1}), 400, "invalid_tenant")


def test_tenant_header_is_case_insensitive(api):
    item = create(api)
    result = api("GET", f"/items/{item['item_id']}", tenant=None, headers={"x-tenant-id": "tenant-a"})
    assert result.status == 200


def test_tenants_never_see_change_count_or_page_into_each_other(api):
    mine = create(api, tenant="tenant-a")
    for _ in range(3):
        create(api, tenant="tenant-b")
    path = f"/items/{mine['item_id']}"
    error_of(api("GET", path, tenant="tenant-b"), 404, "not_found")
    error_of(api("PUT", path, tenant="tenant-b", body={"x": 1}), 404, "not_found")
    error_of(api("DELETE", path, tenant="tenant-b"), 404, "not_found")
    assert [i["item_id"] for i in api("GET", "/items", tenant="tenant-a").json["items"]] == [mine["item_id"]]
    assert api("GET", "/metrics", tenant="tenant-a").json == {"tenant_id": "tenant-a", "item_count": 1}
    assert api("GET", "/metrics", tenant="tenant-b").json["item_count"] == 3
    token = api("GET", "/items", tenant="tenant-b", query={"limit": "1"}).json["next_token"]
    error_of(api("GET", "/items", tenant="tenant-a", query={"next_token": token}), 400, "invalid_next_token")
    assert api("GET", path, tenant="tenant-a").status == 200


# --- GET /items and paging ---------------------------------------------------------------------


def test_listing_pages_through_every_item_once_in_id_order(api):
    ids = sorted(create(api, {"n": n})["item_id"] for n in range(7))
    seen, token, pages = [], None, 0
    while True:
        query = {"limit": "3"} | ({"next_token": token} if token else {})
        page = api("GET", "/items", query=query).json
        pages += 1
        seen += [item["item_id"] for item in page["items"]]
        token = page["next_token"]
        if token is None:
            break
        assert isinstance(token, str)
    assert seen == ids
    assert pages == 3


def test_default_limit_is_25_and_an_exact_last_page_has_no_token(api):
    for n in range(26):
        create(api, {"n": n})
    first = api("GET", "/items").json
    assert len(first["items"]) == 25 and first["next_token"]
    second = api("GET", "/items", query={"next_token": first["next_token"]}).json
    assert len(second["items"]) == 1 and second["next_token"] is None
    exact = api("GET", "/items", query={"limit": "26"}).json
    assert len(exact["items"]) == 26 and exact["next_token"] is None


def test_empty_listing(api):
    assert api("GET", "/items").json == {"items": [], "next_token": None}


@pytest.mark.parametrize("limit", ["0", "101", "-1", "1.5", "abc", "", " 5", "١٢", "+5", "1e1"])
def test_bad_limits(api, limit):
    error_of(api("GET", "/items", query={"limit": limit}), 400, "invalid_query")


@pytest.mark.parametrize(
    "token", ["garbage", "", "eyJ0IjoidGVuYW50LWEifQ", base64.urlsafe_b64encode(b'{"t":"tenant-a","k":"x"}').decode()]
)
def test_bad_next_tokens(api, token):
    error_of(api("GET", "/items", query={"next_token": token}), 400, "invalid_next_token")


def test_unknown_query_parameters_are_ignored(api):
    create(api)
    assert api("GET", "/items", query={"colour": "blue"}).status == 200


# --- GET / PUT / DELETE /items/{id} ------------------------------------------------------------


@pytest.mark.parametrize(
    "bad",
    ["123", "not-a-uuid", str(uuid.uuid4()).upper(), "{" + str(uuid.uuid4()) + "}", str(uuid.uuid4()).replace("-", "")],
)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_ids_must_be_canonical_uuids(api, bad, method):
    error_of(api(method, f"/items/{bad}", body={"a": 1}), 400, "invalid_id")


def test_get_missing_is_not_found(api):
    error_of(api("GET", f"/items/{uuid.uuid4()}"), 404, "not_found")


def test_put_replaces_user_fields_and_bumps_the_version(api, aws):
    item = create(api, {"name": "old", "keep": False})
    published(aws)
    result = api("PUT", f"/items/{item['item_id']}", body={"name": "new"})
    assert result.status == 200
    updated = result.json
    assert updated["name"] == "new" and "keep" not in updated
    assert updated["version"] == 2 and result.headers["ETag"] == '"2"'
    assert updated["created_at"] == item["created_at"]
    assert updated["updated_at"] >= item["updated_at"]
    assert updated["expires_at"] >= item["expires_at"]
    assert published(aws)[0]["detail"] == {"tenant_id": "tenant-a", "item_id": item["item_id"], "version": 2}


@pytest.mark.parametrize("if_match", ['"1"', "1", "*", ' "1" '])
def test_put_with_a_matching_if_match(api, if_match):
    item = create(api)
    result = api("PUT", f"/items/{item['item_id']}", body={"a": 1}, headers={"If-Match": if_match})
    assert result.status == 200, result.raw


def test_stale_if_match_is_412_and_changes_nothing(api):
    item = create(api)
    path = f"/items/{item['item_id']}"
    api("PUT", path, body={"v": "second"})
    error_of(api("PUT", path, body={"v": "lost"}, headers={"If-Match": '"1"'}), 412, "precondition_failed")
    error_of(api("DELETE", path, headers={"If-Match": "1"}), 412, "precondition_failed")
    current = api("GET", path).json
    assert (current["v"], current["version"]) == ("second", 2)


@pytest.mark.parametrize("if_match", ['W/"1"', '"1', "abc", "0", '"01"', "1,2", "-1", '""'])
def test_malformed_if_match_is_400(api, if_match):
    item = create(api)
    error_of(
        api("PUT", f"/items/{item['item_id']}", body={"a": 1}, headers={"If-Match": if_match}), 400, "invalid_if_match"
    )


def test_missing_item_is_404_before_412(api):
    path = f"/items/{uuid.uuid4()}"
    error_of(api("PUT", path, body={"a": 1}, headers={"If-Match": '"7"'}), 404, "not_found")
    error_of(api("DELETE", path, headers={"If-Match": '"7"'}), 404, "not_found")


def test_put_validates_its_body_like_post(api):
    item = create(api)
    path = f"/items/{item['item_id']}"
    error_of(api("PUT", path, body={"version": 9}), 400, "reserved_field")
    error_of(api("PUT", path, raw_body="{"), 400, "invalid_json")
    error_of(api("PUT", path, raw_body='{"d":"' + "x" * 262144 + '"}'), 413, "payload_too_large")
    assert api("GET", path).json["version"] == 1


def test_delete_is_204_with_an_empty_body_then_404(api, aws):
    item = create(api)
    path = f"/items/{item['item_id']}"
    published(aws)
    result = api("DELETE", path)
    assert result.status == 204 and result.raw == ""
    assert "Content-Type" not in result.headers
    assert result.headers[CORS] == "*"
    assert published(aws)[0]["detail-type"] == "ItemDeleted"
    error_of(api("DELETE", path), 404, "not_found")
    error_of(api("GET", path), 404, "not_found")


def every_put_answered_after_a_lost_answer(monkeypatch, api) -> None:
    """Each write reaches DynamoDB, its answer is lost, and the SDK sends it again (botocore retries
    a request whose answer timed out): the function sees only the retry's answer."""
    table = api.module.store._table
    put = table.put_item

    def retried(**arguments):
        put(**arguments)
        return put(**arguments)

    monkeypatch.setattr(table, "put_item", retried)


def test_a_write_whose_retry_meets_its_own_first_attempt_succeeds(api, aws, monkeypatch):
    published(aws)
    every_put_answered_after_a_lost_answer(monkeypatch, api)
    created = api("POST", "/items", body={"name": "v1"})
    assert created.status == 201
    path = f"/items/{created.json['item_id']}"
    assert api("PUT", path, body={"name": "v2"}, headers={"If-Match": '"1"'}).json["version"] == 2
    assert api("DELETE", path, headers={"If-Match": '"2"'}).status == 204
    assert [e["detail-type"] for e in published(aws)] == ["ItemCreated", "ItemUpdated", "ItemDeleted"]
    error_of(api("GET", path), 404, "not_found")


def test_a_deleted_item_is_a_tombstone_without_data_until_dynamodb_expires_it(api, aws):
    item = create(api, {"secret": "plans"})
    assert api("DELETE", f"/items/{item['item_id']}").status == 204
    stored = aws["dynamodb"].get_item(
        TableName="tap-test-items", Key={"tenant_id": {"S": "tenant-a"}, "item_id": {"S": item["item_id"]}}
    )["Item"]
    assert set(stored) == {"tenant_id", "item_id", "version", "expires_at", "write_id"}
    assert int(stored["expires_at"]["N"]) <= int(datetime.now(UTC).timestamp())
    assert api("GET", "/items").json["items"] == [] and api("GET", "/metrics").json["item_count"] == 0


def test_concurrent_write_without_if_match_retries_and_increments_once(api, monkeypatch):
    item = create(api)
    path = f"/items/{item['item_id']}"
    store = api.module.store
    original = store.replace
    calls = []

    def racing_replace(current, data):
        if not calls:  # another writer lands between our read and our write
            calls.append("raced")
            original(current, {"by": "other"})
        return original(current, data)

    monkeypatch.setattr(store, "replace", racing_replace)
    result = api("PUT", path, body={"by": "us"})
    assert result.status == 200 and result.json["version"] == 3 and result.json["by"] == "us"


def test_concurrent_write_with_if_match_is_412(api, monkeypatch):
    item = create(api)
    lose_every_replace(monkeypatch, api.module)
    path = f"/items/{item['item_id']}"
    error_of(api("PUT", path, body={"by": "us"}, headers={"If-Match": '"1"'}), 412, "precondition_failed")
    assert api("GET", path).json["by"] == "other"


# --- expiry ------------------------------------------------------------------------------------


def test_expired_items_are_absent_everywhere(api, aws):
    item = create(api)
    aws["dynamodb"].update_item(
        TableName="tap-test-items",
        Key={"tenant_id": {"S": "tenant-a"}, "item_id": {"S": item["item_id"]}},
        UpdateExpression="SET expires_at = :past",
        ExpressionAttributeValues={":past": {"N": "1000"}},
    )
    path = f"/items/{item['item_id']}"
    error_of(api("GET", path), 404, "not_found")
    error_of(api("PUT", path, body={"a": 1}), 404, "not_found")
    error_of(api("DELETE", path), 404, "not_found")
    assert api("GET", "/items").json["items"] == []
    assert api("GET", "/metrics").json["item_count"] == 0


# --- metrics, routing, CORS --------------------------------------------------------------------


def test_metrics_counts_exactly(api):
    for _ in range(4):
        create(api)
    assert api("GET", "/metrics").json == {"tenant_id": "tenant-a", "item_count": 4}


def test_unknown_routes_and_methods(api):
    error_of(api("GET", "/nope"), 404, "route_not_found")
    body = error_of(api("PATCH", "/items"), 405, "method_not_allowed")
    assert body
    result = api("DELETE", "/items")
    assert result.headers["Allow"] == "GET, POST, OPTIONS"
    assert api("POST", f"/items/{uuid.uuid4()}").headers["Allow"] == "DELETE, GET, PUT, OPTIONS"


def test_preflight_on_known_routes_needs_no_tenant(api):
    for path in ("/items", f"/items/{uuid.uuid4()}", "/metrics"):
        result = api("OPTIONS", path, tenant=None, headers={"Origin": "https://app.example.com"})
        assert result.status == 204, result.raw
        assert result.headers[CORS]
    error_of(api("OPTIONS", "/nope", tenant=None), 404, "route_not_found")


# --- failures of dependencies ------------------------------------------------------------------


def test_event_publish_failure_never_fails_the_write(api, aws, monkeypatch):
    monkeypatch.setattr(api.module.events, "_bus_name", "no-such-bus")
    result = api("POST", "/items", body={"a": 1})
    assert result.status == 201
    assert api("GET", f"/items/{result.json['item_id']}").status == 200


def test_event_publish_exception_never_fails_the_write(api, monkeypatch):
    def boom(**_):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "PutEvents")

    monkeypatch.setattr(api.module.events._client, "put_events", boom)
    assert api("POST", "/items", body={"a": 1}).status == 201


def throttled(**_):
    raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "Query")


def test_throttling_is_503_with_retry_after(api, monkeypatch):
    monkeypatch.setattr(api.module.store._table, "query", throttled)
    body = error_of(api("GET", "/items"), 503, "service_unavailable")
    assert "slow down" not in json.dumps(body)
    assert api("GET", "/items").headers["Retry-After"] == "1"


def test_unexpected_errors_are_500_without_exception_text(api, monkeypatch):
    def broken(**_):
        raise RuntimeError("secret internals at /var/task/items_api/store.py")

    monkeypatch.setattr(api.module.store._table, "get_item", broken)
    body = error_of(api("GET", f"/items/{uuid.uuid4()}"), 500, "internal_error")
    assert "secret" not in json.dumps(body) and "store.py" not in json.dumps(body)
