"""The read-through item cache in ElastiCache (Valkey/Redis), for `GET /items/{id}` only.

Imported only when `CACHE_ENDPOINT` is set; redis-py itself is imported when the client is first
built (`items_api.clients`). What holds, and why:

- **Keys name the tenant** (`tap:item:<tenant>:<item id>`; a tenant id cannot contain `:`), and an
  entry is served only for the tenant and id it was stored under.
- **Entries are versioned, and every write to the cache is a compare-and-set in the server**
  (`CAS_SCRIPT`, atomic there): an entry is replaced only by a newer version of the item, or by a
  tombstone of the same or a newer version; a tombstone is never replaced (ids are never reused).
  So a reader that read version 1 from DynamoDB before a writer stored version 2 cannot put version
  1 back. A tombstone lives `TOMBSTONE_SECONDS`, Lambda's longest invocation, so it outlives every
  populate that read the item before the delete.
- **What every item cache promises** (`items_api.guard`): a container never serves a version older
  than one it already returned or wrote, never an entry past the item's `expires_at`, and an
  outage degrades to DynamoDB (short timeouts, one warning and a `CacheErrors` count per failure,
  then no cache for `BREAKER_SECONDS`). Entries live at most `CACHE_TTL_SECONDS`; a write whose
  cache update fails has still succeeded.

Values are the stored record in DynamoDB's wire form (`TypeSerializer`), as JSON: numbers keep
their exact value, every field survives.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

import boto3
from aws_lambda_powertools import Logger, Metrics
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.model import ServiceId
from botocore.signers import RequestSigner

import tap_contract
from items_api.guard import OutageGuard, ReadThrough
from items_api.store import Clock

TOMBSTONE_SECONDS = 900
TOKEN_EXPIRY_SECONDS = 900
# ElastiCache accepts a token for its 15 minutes; renewing after 10 leaves a margin for clock skew.
TOKEN_REUSE_SECONDS = 600

# KEYS[1]: the item's key. ARGV: the version, "1" for a tombstone or "0" for an item, the encoded
# item, the entry's TTL in seconds. Returns 1 when stored, 0 when refused.
CAS_SCRIPT = """
local held = redis.call('HMGET', KEYS[1], 'v', 'd')
if held[1] then
  local version, incoming = tonumber(held[1]), tonumber(ARGV[1])
  if held[2] == '1' or incoming < version or (incoming == version and ARGV[2] == '0') then
    return 0
  end
end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' then
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'd', '1')
else
  redis.call('HSET', KEYS[1], 'v', ARGV[1], 'i', ARGV[3])
end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

_SERIALIZER = TypeSerializer()
_DESERIALIZER = TypeDeserializer()


def item_key(tenant: str, item_id: str) -> str:
    return f"{tap_contract.CACHE_KEY_PREFIX}{tenant}:{item_id}"


def encode(record: dict) -> str:
    return json.dumps({name: _SERIALIZER.serialize(value) for name, value in record.items()}, separators=(",", ":"))


def decode(text: str) -> dict:
    return {name: _DESERIALIZER.deserialize(value) for name, value in json.loads(text).items()}


class IamAuthToken:
    """redis-py's `credential_provider` for ElastiCache IAM authentication: `(user, token)`, the
    token a SigV4-presigned `connect` request for the replication group (service `elasticache`,
    the session's region and credentials), reused for `TOKEN_REUSE_SECONDS`."""

    def __init__(
        self, user: str, cache_name: str, session: boto3.Session, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._user = user
        self._cache_name = cache_name
        self._session = session
        self._clock = clock
        self._token: str | None = None
        self._renew_at = 0.0

    def get_credentials(self) -> tuple[str, str]:
        if self._token is None or self._clock() >= self._renew_at:
            self._token = self.sign()
            self._renew_at = self._clock() + TOKEN_REUSE_SECONDS
        return self._user, self._token

    def sign(self) -> str:
        region = self._session.region_name
        signer = RequestSigner(
            ServiceId("elasticache"), region, "elasticache", "v4", self._session.get_credentials(), self._session.events
        )
        query = urlencode({"Action": "connect", "User": self._user})
        url = f"http://{self._cache_name}/?{query}"
        request = {"method": "GET", "url": url, "body": {}, "headers": {}, "context": {}}
        url = signer.generate_presigned_url(
            request, region_name=region, expires_in=TOKEN_EXPIRY_SECONDS, operation_name="connect"
        )
        return url.removeprefix("http://")


class ItemCache(ReadThrough):
    """`new_client` builds the redis-py client on first use; `item_clock` is the item store's
    clock (for `expires_at`), `clock` a monotonic one (for the breaker)."""

    def __init__(
        self,
        new_client: Callable[[], object],
        ttl_seconds: int,
        logger: Logger,
        metrics: Metrics,
        item_clock: Clock,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(metrics, item_clock)
        self._new_client = new_client
        self._ttl = ttl_seconds
        self._guard = OutageGuard("item cache unavailable; reading DynamoDB", logger, metrics, clock)

    @property
    def _clock(self) -> Callable[[], float]:
        """The breaker's monotonic clock (tests move it by hand)."""
        return self._guard.clock

    @_clock.setter
    def _clock(self, clock: Callable[[], float]) -> None:
        self._guard.clock = clock

    @cached_property
    def _client(self):
        return self._new_client()

    def written(self, record: dict) -> None:
        """`record` is the item's current version (just written, or just read from DynamoDB)."""
        super().written(record)
        ttl = self._ttl
        if "expires_at" in record:
            ttl = min(ttl, int(record["expires_at"]) - self._epoch())
        if ttl >= 1:
            key = item_key(record["tenant_id"], record["item_id"])
            self._store(key, int(record["version"]), False, encode(record), ttl)

    def deleted(self, record: dict) -> None:
        """`record`, the version just deleted, is gone: no version of it may be served again."""
        super().deleted(record)
        key = item_key(record["tenant_id"], record["item_id"])
        self._store(key, int(record["version"]), True, "", TOMBSTONE_SECONDS)

    def _cached(self, tenant: str, item_id: str) -> dict | None:
        fields = self._guard.run(lambda: self._client.hmget(item_key(tenant, item_id), "v", "d", "i"))
        if not fields or fields[0] is None or fields[1] == "1" or fields[2] is None:
            return None
        return self._guard.run(lambda: decode(fields[2]))

    def _store(self, key: str, version: int, tombstone: bool, value: str, ttl: int) -> None:
        # EVAL, not EVALSHA with SCRIPT LOAD: one command for the cache user's ACL, and ~0.5 KB a write.
        self._guard.run(lambda: self._client.eval(CAS_SCRIPT, 1, key, version, "1" if tombstone else "0", value, ttl))
