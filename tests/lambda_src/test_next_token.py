"""`next_token` signed with the application secret, across rotations done by the rotation function
(lambda_src/crud/items_api/tokens.py: HMAC with the current key, the previous key accepted through a rotation)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from tests.lambda_src.conftest import Api, load_handler, new_secret_value
from tests.lambda_src.test_crud import create, error_of

TTL = 300  # APP_SECRET_CACHE_SECONDS default


def page(api, token=None, limit=2, tenant="tenant-a"):
    query = {"limit": str(limit)} | ({"next_token": token} if token is not None else {})
    return api("GET", "/items", query=query, tenant=tenant)


def ids(result) -> list[str]:
    assert result.status == 200, result.raw
    return [item["item_id"] for item in result.json["items"]]


@pytest.fixture
def items(api) -> list[str]:
    return sorted(create(api, {"n": n})["item_id"] for n in range(7))


def sign(key: bytes, tenant: str, item_id: str) -> str:
    """A token as the contract builds it, signed with `key` (what a forger would need)."""
    item = uuid.UUID(item_id).bytes
    mac = hmac.new(key, b"tap.next_token.v1\x00" + tenant.encode() + b"\x00" + item, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(b"\x01" + item + mac).decode().rstrip("=")


def key_of(aws, **selector) -> bytes:
    value = aws["secrets"].get_secret_value(SecretId=aws["secret_arn"], **selector)["SecretString"]
    return base64.b64decode(json.loads(value)["hmac_key"])


# --- tokens are what the contract says ---------------------------------------------------------


def test_tokens_are_opaque_signed_and_reveal_neither_tenant_nor_structure(api, aws, items):
    token = page(api).json["next_token"]
    assert len(token) == 66 and set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    raw = base64.urlsafe_b64decode(token + "==")
    # Random MAC bytes may contain any byte (a `{` among them): the layout is checked, not a byte.
    assert raw[:1] == b"\x01" and raw[1:17] == uuid.UUID(items[1]).bytes and len(raw) == 49
    assert b"tenant-a" not in raw
    with pytest.raises(ValueError):
        json.loads(raw)
    assert token == sign(key_of(aws, VersionStage="AWSCURRENT"), "tenant-a", items[1])


def test_a_token_signed_with_the_current_key_by_anyone_else_is_refused(api, items):
    forged = sign(b"\x00" * 32, "tenant-a", items[1])
    error_of(page(api, forged), 400, "invalid_next_token")


def mutations(token: str) -> dict[str, str]:
    flip = {c: ("A" if c != "A" else "B") for c in token}
    last = token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The last character carries 2 bits of data and 4 zero bits: another character with the same 2
    # data bits decodes to the same bytes, a spelling we never issue.
    respelled = alphabet[alphabet.index(last) | 1] if alphabet.index(last) & 0xF == 0 else alphabet[0]
    raw = base64.urlsafe_b64decode(token + "==")
    return {
        "mac flipped": token[:-5] + flip[token[-5]] + token[-4:],
        "item id flipped": token[:5] + flip[token[5]] + token[6:],
        "version changed": base64.urlsafe_b64encode(b"\x02" + raw[1:]).decode().rstrip("="),
        "truncated by one": token[:-1],
        "truncated to half": token[:33],
        "mac cut short": base64.urlsafe_b64encode(raw[:-1]).decode().rstrip("="),
        "one extra character": token + "A",
        "one extra byte": base64.urlsafe_b64encode(raw + b"\x00").decode().rstrip("="),
        "padded": token + "==",
        "standard base64 alphabet": base64.b64encode(raw).decode().rstrip("="),
        "respelled last character": token[:-1] + respelled,
        "percent-encoded": token.replace("-", "%2D").replace("_", "%5F") + "%3D",
        "surrounded by spaces": f" {token} ",
        "empty": "",
        "old unsigned format": base64.urlsafe_b64encode(b'{"t":"tenant-a","k":"x"}').decode().rstrip("="),
    }


def test_forged_truncated_and_re_encoded_tokens_are_invalid(api, items):
    token = page(api).json["next_token"]
    assert ids(page(api, token)) == items[2:4]
    respelled = mutations(token)["respelled last character"]
    assert respelled != token and base64.urlsafe_b64decode(respelled + "==") == base64.urlsafe_b64decode(token + "==")
    for name, bad in mutations(token).items():
        if bad == token:
            continue
        result = page(api, bad)
        assert result.status == 400, name
        error_of(result, 400, "invalid_next_token")


def test_another_tenants_token_is_invalid_even_for_a_caller_granted_both(api, items):
    for n in range(3):
        create(api, {"n": n}, tenant="tenant-b")
    token_b = page(api, tenant="tenant-b").json["next_token"]
    error_of(page(api, token_b, tenant="tenant-a"), 400, "invalid_next_token")
    token_a = page(api, tenant="tenant-a").json["next_token"]
    error_of(page(api, token_a, tenant="tenant-b"), 400, "invalid_next_token")
    assert len(ids(page(api, token_b, tenant="tenant-b"))) == 1


# --- across rotations ------------------------------------------------------------------------


def test_a_token_issued_before_a_rotation_is_valid_after_it_and_invalid_after_two(api, aws, rotation, items, clock):
    before = page(api).json["next_token"]
    rotation.rotate()
    clock.advance(TTL)  # this container now reads the rotated keys
    assert ids(page(api, before)) == items[2:4]
    after_one = page(api).json["next_token"]
    assert after_one == sign(key_of(aws, VersionStage="AWSCURRENT"), "tenant-a", items[1]) != before
    rotation.rotate()
    clock.advance(TTL)
    error_of(page(api, before), 400, "invalid_next_token")
    assert ids(page(api, after_one)) == items[2:4]


def test_a_retired_key_is_refused_once_the_key_cache_expires(api, rotation, items, clock):
    """The stated bound: a warm container reuses keys for APP_SECRET_CACHE_SECONDS."""
    before = page(api).json["next_token"]
    rotation.rotate()
    rotation.rotate()
    clock.advance(TTL - 1)
    assert ids(page(api, before)) == items[2:4]
    clock.advance(1)
    error_of(page(api, before), 400, "invalid_next_token")


def test_a_token_from_a_container_that_saw_the_rotation_verifies_in_one_that_did_not(api, aws, rotation, items, clock):
    page(api)  # this container has read the keys
    rotation.rotate()
    other = Api(load_handler("crud", "crud_handler"))  # a new container: reads the rotated keys
    fresh_token = page(other).json["next_token"]
    clock.advance(1)
    assert ids(page(api, fresh_token)) == items[2:4]  # refreshed once, then verified


def test_the_keys_are_read_once_per_ttl_and_a_bad_token_refreshes_at_most_once_a_second(api, items, clock, monkeypatch):
    calls = []
    client = api.module.keys._client
    original = client.get_secret_value

    def counted(**arguments):
        calls.append(arguments)
        return original(**arguments)

    monkeypatch.setattr(client, "get_secret_value", counted)
    token = page(api).json["next_token"]
    for _ in range(5):
        assert page(api, token).status == 200
    assert len(calls) == 2  # AWSCURRENT and AWSPREVIOUS, once
    forged = sign(b"\x01" * 32, "tenant-a", items[1])
    error_of(page(api, forged), 400, "invalid_next_token")
    assert len(calls) == 2  # the keys were read less than a second ago: no refresh
    clock.advance(1)
    for _ in range(5):
        error_of(page(api, forged), 400, "invalid_next_token")
    assert len(calls) == 4  # one refresh
    clock.advance(1)
    error_of(page(api, forged), 400, "invalid_next_token")
    assert len(calls) == 6
    clock.advance(TTL)
    page(api, token)
    assert len(calls) == 8


def test_pending_keys_are_never_read_or_accepted(api, aws, rotation, items, clock, monkeypatch):
    calls = []
    client = api.module.keys._client
    original = client.get_secret_value
    monkeypatch.setattr(client, "get_secret_value", lambda **a: calls.append(a) or original(**a))
    token = rotation.start()
    rotation.step("createSecret", token)  # a pending key exists, not yet tested nor promoted
    pending = key_of(aws, VersionId=token, VersionStage="AWSPENDING")
    clock.advance(TTL)
    error_of(page(api, sign(pending, "tenant-a", items[1])), 400, "invalid_next_token")
    assert page(api).json["next_token"] != sign(pending, "tenant-a", items[1])
    assert calls and all(set(c) == {"SecretId", "VersionStage"} for c in calls)
    assert {c["VersionStage"] for c in calls} == {"AWSCURRENT", "AWSPREVIOUS"}


# --- before the first rotation and when Secrets Manager fails -----------------------------------


@pytest.fixture
def unrotated(aws, monkeypatch) -> Api:
    """The CRUD function over a secret that has no value yet (created, never rotated)."""
    arn = aws["secrets"].create_secret(Name="tap-test-unrotated")["ARN"]
    monkeypatch.setenv("APP_SECRET_ARN", arn)
    return Api(load_handler("crud", "crud_handler"))


def test_before_the_first_rotation_a_single_page_works_and_a_next_token_is_503(unrotated):
    assert unrotated("GET", "/items").json == {"items": [], "next_token": None}
    for n in range(3):
        create(unrotated, {"n": n})
    listed = unrotated("GET", "/items", query={"limit": "3"})
    assert listed.status == 200 and listed.json["next_token"] is None and len(listed.json["items"]) == 3
    result = unrotated("GET", "/items", query={"limit": "2"})
    error_of(result, 503, "service_unavailable")
    assert result.headers["Retry-After"] == "1"
    assert "next_token" not in result.raw


def test_before_the_first_rotation_any_token_is_invalid(unrotated):
    item = create(unrotated)
    error_of(
        unrotated("GET", "/items", query={"next_token": sign(b"\x00" * 32, "tenant-a", item["item_id"])}),
        400,
        "invalid_next_token",
    )


def test_a_malformed_current_value_is_never_used_to_sign(api, aws, items, clock):
    aws["secrets"].put_secret_value(SecretId=aws["secret_arn"], SecretString='{"hmac_key": "dG9vIHNob3J0"}')
    clock.advance(TTL)
    error_of(page(api), 503, "service_unavailable")
    aws["secrets"].put_secret_value(SecretId=aws["secret_arn"], SecretString=new_secret_value())
    clock.advance(TTL)
    assert page(api).json["next_token"]


@pytest.mark.parametrize(
    "failure",
    [
        ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetSecretValue"),
        ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "GetSecretValue"),
        ClientError({"Error": {"Code": "DecryptionFailure", "Message": "kms"}}, "GetSecretValue"),
        ClientError({"Error": {"Code": "InternalServiceError", "Message": "oops"}}, "GetSecretValue"),
        EndpointConnectionError(endpoint_url="https://secretsmanager.us-east-1.amazonaws.com"),
    ],
    ids=["throttled", "denied", "kms", "internal", "unreachable"],
)
def test_secrets_manager_failures_are_503_and_never_an_unsigned_token(api, items, monkeypatch, failure):
    client = api.module.keys._client
    original = client.get_secret_value

    def failing(**_):
        raise failure

    monkeypatch.setattr(client, "get_secret_value", failing)
    result = page(api)
    body = error_of(result, 503, "service_unavailable")
    assert "Rate exceeded" not in json.dumps(body)
    monkeypatch.setattr(client, "get_secret_value", original)
    token = page(api).json["next_token"]  # nothing was cached from the failure
    assert ids(page(api, token)) == items[2:4]


def test_a_first_page_needs_no_key_at_all(api, monkeypatch):
    def unreachable(**_):
        raise AssertionError("the first page of a short listing must not read the secret")

    monkeypatch.setattr(api.module.keys._client, "get_secret_value", unreachable)
    create(api)
    assert page(api).json["next_token"] is None
