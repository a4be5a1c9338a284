"""Everything a client sends, parsed strictly into values or an `ApiError` with the contract's code."""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal, DecimalException

from boto3.dynamodb.types import DYNAMODB_CONTEXT

from tap_http import TENANT, TENANT_HEADER, ApiError, header

SMALLEST_MAGNITUDE = Decimal("1E-130")  # DynamoDB's smallest non-zero number
# DynamoDB stores strings as UTF-8, so a lone UTF-16 surrogate (JSON "\ud800") cannot be stored, and
# an attribute name is 1 to 65535 bytes of it (DynamoDB Developer Guide, "Quotas": attribute names).
MAX_NAME_BYTES = 65535

DIGITS = re.compile(r"[0-9]{1,4}")
IF_MATCH = re.compile(r'\*|"([1-9][0-9]{0,17})"|([1-9][0-9]{0,17})')
MAX_BODY_BYTES = 256 * 1024
MAX_DEPTH = 32
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
RESERVED_FIELDS = frozenset({"item_id", "version", "created_at", "updated_at", "expires_at", "tenant_id"})


def tenant_of(event: dict) -> str:
    value = header(event, TENANT_HEADER)
    if value is None or not TENANT.fullmatch(value):
        raise ApiError(400, "invalid_tenant", f"{TENANT_HEADER} must be 1-64 characters: letters, digits, _ and -.")
    return value


def item_id_of(raw: str) -> str:
    try:
        canonical = str(uuid.UUID(raw))
    except ValueError:
        canonical = None
    if canonical != raw:
        raise ApiError(400, "invalid_id", "The item id must be a canonical UUID.")
    return raw


def limit_of(event: dict) -> int:
    raw = (event.get("queryStringParameters") or {}).get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, "invalid_query", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def if_match_of(event: dict) -> int | None:
    """The expected version, or None for no precondition (`*` or no header)."""
    raw = header(event, "If-Match")
    if raw is None:
        return None
    match = IF_MATCH.fullmatch(raw.strip())
    if not match:
        raise ApiError(400, "invalid_if_match", 'If-Match must be a version such as "3", 3 or *.')
    digits = match.group(1) or match.group(2)
    return int(digits) if digits else None


def next_token_of(event: dict) -> str | None:
    """The raw `next_token` query parameter; `tokens.NextTokens` checks it."""
    return (event.get("queryStringParameters") or {}).get("next_token")


def body_of(event: dict) -> dict:
    """The JSON object in the request body, with exact numbers and no server-managed fields."""
    raw = _body_bytes(event)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "payload_too_large", f"The body exceeds {MAX_BODY_BYTES} bytes.")
    document = _parse_json(raw)
    if not isinstance(document, dict):
        raise ApiError(400, "invalid_body", "The body must be a JSON object.")
    reserved = sorted(RESERVED_FIELDS & document.keys())
    if reserved:
        raise ApiError(400, "reserved_field", f"Fields set by the server cannot be sent: {', '.join(reserved)}.")
    _check_values(document)
    return document


def _body_bytes(event: dict) -> bytes:
    body = event.get("body")
    if body is None:
        return b""
    if not event.get("isBase64Encoded"):
        return body.encode("utf-8", errors="surrogatepass")
    try:
        return base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ApiError(400, "invalid_json", "The body is not valid base64.") from error


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict:
    document = dict(pairs)
    if len(document) != len(pairs):
        raise ValueError("duplicate key")
    return document


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def _parse_json(raw: bytes) -> object:
    try:
        text = raw.decode("utf-8")
        document = json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicates,
        )
    except (ValueError, RecursionError) as error:
        raise ApiError(400, "invalid_json", "The body is not valid JSON (UTF-8, no duplicate keys, no NaN).") from error
    if _too_deep(document):
        raise ApiError(400, "invalid_json", f"The body nests deeper than {MAX_DEPTH} levels.")
    return document


def _nodes(document: object) -> Iterator[tuple[object, int]]:
    """Every value of `document` with the depth it stands at (1 for the top), lazily and without
    recursion: the input may nest very deep."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        yield value, depth
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        pending.extend((child, depth + 1) for child in children)


def _too_deep(document: object) -> bool:
    """Whether containers nest deeper than MAX_DEPTH."""
    return any(isinstance(value, (dict, list)) and depth > MAX_DEPTH for value, depth in _nodes(document))


def _check_values(document: object) -> None:
    """Every key and value is one DynamoDB can store."""
    for value, _ in _nodes(document):
        if isinstance(value, dict):
            for key in value:
                _check_name(key)
        elif isinstance(value, str):
            _stored_length(value)
        elif isinstance(value, Decimal):
            _check_number(value)


def _stored_length(text: str) -> int:
    """The UTF-8 length DynamoDB stores `text` with; a lone surrogate has none."""
    try:
        return len(text.encode("utf-8"))
    except UnicodeEncodeError as error:
        raise ApiError(
            400,
            "invalid_body",
            f"Strings must be valid Unicode: a lone UTF-16 surrogate "
            f"(\\u{ord(text[error.start]):04x}) cannot be stored.",
        ) from error


def _check_name(name: str) -> None:
    if not name:
        raise ApiError(400, "invalid_body", "Object keys must not be empty.")
    if _stored_length(name) > MAX_NAME_BYTES:
        raise ApiError(400, "invalid_body", f"Object keys must be at most {MAX_NAME_BYTES} bytes in UTF-8.")


def _check_number(value: Decimal) -> None:
    """DynamoDB's number range. Its decimal context traps too many digits and magnitudes from 1E+126
    up, but a subnormal as small as 1E-165 passes it exactly, which DynamoDB refuses (underflow)."""
    try:
        DYNAMODB_CONTEXT.create_decimal(value)
        in_range = not value or abs(value) >= SMALLEST_MAGNITUDE
    except DecimalException:
        in_range = False
    if not in_range:
        raise ApiError(
            400, "invalid_number", "Numbers must have at most 38 significant digits and magnitude 1E-130 to 1E+126."
        )
