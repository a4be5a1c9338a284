"""`next_token`: opaque, bound to its tenant, signed with the application secret.

The secret (`APP_SECRET_ARN`) holds `{"hmac_key": "<base64 of 32 random bytes>"}`; the rotation
function (`lambda_src/rotation`) creates and rotates it. Tokens are signed with the `AWSCURRENT`
key, and tokens signed with the `AWSPREVIOUS` key stay valid, so a token survives one rotation and
not two. `AWSPENDING` is never read: a key is used only once rotation has tested and promoted it.

A token is the unpadded base64url of `version (1 byte) | item id (16 bytes) | HMAC-SHA256 (32)`,
the MAC taken over a domain label, the tenant and the item id, so a token is only valid for the
tenant it was issued to and reveals neither the tenant nor anything the client could edit. Anything
else (forged, truncated, re-encoded, another tenant's) is 400 `invalid_next_token`.

Keys are cached for `APP_SECRET_CACHE_SECONDS` (default 300) per warm container; when a well-formed
token fails verification with the cached keys they are read again (at most once a second), so a
token signed by a container that has already seen a rotation still verifies here. A key retired by
rotation is refused at the latest when the cache expires. Before the first rotation there is no
`AWSCURRENT`: nothing can be signed, so a page that needs a `next_token` is 503, never unsigned.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from collections.abc import Callable
from functools import cached_property

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from tap_http import ApiError, service_unavailable

KEY_BYTES = 32
TOKEN_VERSION = b"\x01"
MAC_LABEL = b"tap.next_token.v1\x00"
TOKEN_BYTES = len(TOKEN_VERSION) + 16 + hashlib.sha256().digest_size
TOKEN_CHARS = -(-TOKEN_BYTES * 4 // 3)  # unpadded base64url: 66 characters
TOKEN_TEXT = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_CHARS}}}")
SIGNING_STAGE = "AWSCURRENT"
VERIFYING_STAGES = ("AWSCURRENT", "AWSPREVIOUS")
MIN_REFRESH_SECONDS = 1.0


class MalformedKey(ValueError):
    """A secret value that is not `{"hmac_key": "<base64 of 32 bytes>"}` (its content is never shown)."""


def parse_key(secret_string: str) -> bytes:
    """The HMAC key in a secret value, strictly: a JSON object whose `hmac_key` is canonical base64
    of exactly 32 bytes."""
    try:
        document = json.loads(secret_string)
        encoded = document["hmac_key"]
        key = base64.b64decode(encoded.encode("ascii"), validate=True)
    except (ValueError, TypeError, KeyError, AttributeError, UnicodeEncodeError, binascii.Error):
        # `from None`: the cause's text could quote the value.
        raise MalformedKey("the secret value is not a JSON object with a base64 hmac_key") from None
    if len(key) != KEY_BYTES or base64.b64encode(key).decode("ascii") != encoded:
        raise MalformedKey(f"hmac_key must be the canonical base64 of {KEY_BYTES} bytes")
    return key


class AppKeys:
    """The AWSCURRENT and AWSPREVIOUS keys of the application secret, cached with a TTL.
    `new_client` builds the Secrets Manager client when the keys are first read."""

    def __init__(
        self,
        new_client: Callable[[], object],
        secret_id: str,
        ttl_seconds: float,
        logger: Logger,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._new_client = new_client
        self._secret_id = secret_id
        self._ttl = ttl_seconds
        self._logger = logger
        self._clock = clock
        self._keys: dict[str, bytes] = {}
        self._loaded_at: float | None = None

    @cached_property
    def _client(self):
        return self._new_client()

    def signing_key(self) -> bytes:
        key = self._fresh().get(SIGNING_STAGE)
        if key is None:
            self._logger.error("no AWSCURRENT application key: cannot sign next_token (has the secret been rotated?)")
            raise service_unavailable()
        return key

    def verifying_keys(self) -> list[bytes]:
        keys = self._fresh()
        return [keys[stage] for stage in VERIFYING_STAGES if stage in keys]

    def reload(self) -> bool:
        """Read the keys again unless they were read within the last second; whether it did."""
        if self._loaded_at is not None and self._clock() - self._loaded_at < MIN_REFRESH_SECONDS:
            return False
        self._load()
        return True

    def _fresh(self) -> dict[str, bytes]:
        if self._loaded_at is None or self._clock() - self._loaded_at >= self._ttl:
            self._load()
        return self._keys

    def _load(self) -> None:
        keys = {}
        for stage in VERIFYING_STAGES:
            key = self._read(stage)
            if key is not None:
                keys[stage] = key
        self._keys, self._loaded_at = keys, self._clock()

    def _read(self, stage: str) -> bytes | None:
        try:
            value = self._client.get_secret_value(SecretId=self._secret_id, VersionStage=stage)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                return None  # no version holds this stage yet (before the first or second rotation)
            self._logger.warning("application secret unavailable", extra={"stage": stage, "error": repr(error)})
            raise service_unavailable() from error
        except BotoCoreError as error:
            self._logger.warning("application secret unavailable", extra={"stage": stage, "error": repr(error)})
            raise service_unavailable() from error
        try:
            return parse_key(value.get("SecretString") or "")
        except MalformedKey as error:
            self._logger.error(
                "application secret version is malformed: not used",
                extra={"stage": stage, "version_id": value.get("VersionId"), "problem": str(error)},
            )
            return None


def _mac(key: bytes, tenant: str, item: bytes) -> bytes:
    return hmac.new(key, MAC_LABEL + tenant.encode("ascii") + b"\x00" + item, hashlib.sha256).digest()


def _invalid() -> ApiError:
    return ApiError(400, "invalid_next_token", "next_token is not a token issued for this tenant.")


class NextTokens:
    def __init__(self, keys: AppKeys) -> None:
        self._keys = keys

    def issue(self, tenant: str, item_id: str) -> str:
        """The token to continue after `item_id` (a canonical UUID) for `tenant`."""
        item = uuid.UUID(item_id).bytes
        raw = TOKEN_VERSION + item + _mac(self._keys.signing_key(), tenant, item)
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def read(self, token: str, tenant: str) -> str:
        """The item id `token` continues after, if `token` was issued for `tenant`; else 400."""
        if not TOKEN_TEXT.fullmatch(token):
            raise _invalid()
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        if len(raw) != TOKEN_BYTES or raw[:1] != TOKEN_VERSION:
            raise _invalid()
        if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != token:
            raise _invalid()  # same bytes, other spelling (non-zero trailing bits): not what we issued
        item, mac = raw[1:17], raw[17:]
        if not self._verifies(tenant, item, mac) and not (self._keys.reload() and self._verifies(tenant, item, mac)):
            raise _invalid()
        return str(uuid.UUID(bytes=item))

    def _verifies(self, tenant: str, item: bytes, mac: bytes) -> bool:
        matched = False
        for key in self._keys.verifying_keys():
            matched |= hmac.compare_digest(_mac(key, tenant, item), mac)
        return matched
