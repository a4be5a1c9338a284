"""The application secret's value: `{"hmac_key": "<canonical base64 of 32 random bytes>"}`.

The CRUD function reads the same format (`lambda_src/crud/items_api/tokens.py`, `parse_key`) to
sign `next_token` with HMAC-SHA256; the two archives share no code, so the format is written in
both places and the tests run one against the other (a key this module makes is the key the CRUD
function signs with after a rotation). Nothing here ever logs or formats a value.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os

KEY_BYTES = 32
_PROBE = b"tap.rotation.testSecret\x00probe"


class MalformedKey(ValueError):
    """A value that is not a valid application key (the message never quotes the value)."""


def new_secret_string() -> str:
    """A fresh value: 32 bytes from the operating system's CSPRNG."""
    return json.dumps({"hmac_key": base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")})


def parse_key(secret_string: str) -> bytes:
    """The HMAC key in a value, strictly (as the CRUD function parses it)."""
    try:
        encoded = json.loads(secret_string)["hmac_key"]
        key = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, binascii.Error):
        raise MalformedKey("the secret value is not a JSON object with a base64 hmac_key") from None
    if len(key) != KEY_BYTES or base64.b64encode(key).decode("ascii") != encoded:
        raise MalformedKey(f"hmac_key must be the canonical base64 of {KEY_BYTES} bytes")
    return key


def self_test(secret_string: str) -> None:
    """Raise `MalformedKey` unless the value parses and its key signs and verifies (HMAC-SHA256,
    constant-time comparison), and a wrong signature is refused."""
    key = parse_key(secret_string)
    signature = hmac.new(key, _PROBE, hashlib.sha256).digest()
    if not hmac.compare_digest(hmac.new(key, _PROBE, hashlib.sha256).digest(), signature):
        raise MalformedKey("the key does not verify its own signature")
    tampered = bytes([signature[0] ^ 1]) + signature[1:]
    if hmac.compare_digest(tampered, signature):
        raise MalformedKey("the key accepts a wrong signature")
