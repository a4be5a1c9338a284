"""Configuration from the function's environment (set by the stack).

| variable | meaning | default |
|---|---|---|
| `TABLE_NAME` | the item table | required |
| `EVENT_BUS_NAME` | the bus item events go to | required |
| `DATA_RETENTION_DAYS` | item lifetime in days; 0 = no expiry | 0 |
| `GRANTS_TABLE_NAME` | the table of tenant grants (hash key `principal`) | required |
| `GRANTS_CACHE_SECONDS` | how long a warm container reuses a principal's grant (0 = read every request) | 60 |
| `GRANTS_CACHE_MAX_ENTRIES` | how many principals' grants a container keeps | 1000 |
| `APP_SECRET_ARN` | the application secret whose `hmac_key` signs `next_token` | required |
| `APP_SECRET_CACHE_SECONDS` | how long a warm container reuses the keys it read | 300 |
| `CACHE_ENDPOINT` | `host:port` of the cache's primary endpoint; empty or absent: no cache | absent |
| `CACHE_USER` | the ElastiCache RBAC user to authenticate as with IAM (its id = its name) | with a cache |
| `CACHE_NAME` | the replication group id, which the IAM auth token names | with a cache |
| `CACHE_TTL_SECONDS` | how long a cached item may be served (never past its `expires_at`), >= 1 | 60 |
| `DAX_ENDPOINT` | `daxs://<cluster address>[:port]`, the DAX cluster's discovery URL; empty: no DAX | absent |

Without a cache nothing of it is imported (`items_api.cache`, redis-py; `items_api.dax`, amazondax):
no cold-start cost. `DAX_ENDPOINT` and `CACHE_ENDPOINT` exclude each other. DAX's item TTL is the
cluster's own parameter, so DAX needs no TTL setting here.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

_ENDPOINT = re.compile(r"^(?P<host>[A-Za-z0-9.-]+):(?P<port>[0-9]{1,5})$")
_DAX_ENDPOINT = re.compile(r"^daxs://[A-Za-z0-9.-]+(:(?P<port>[0-9]{1,5}))?$")


def _whole_number(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {raw!r}")
    return int(raw)


def _required(name: str, why: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ValueError(f"{name} is required {why}")
    return value


@dataclass(frozen=True)
class CacheSettings:
    """Where the item cache is, who the function is there (IAM auth), and how long entries live."""

    host: str
    port: int
    user: str
    name: str
    ttl_seconds: int

    @classmethod
    def from_environment(cls) -> CacheSettings | None:
        """None when `CACHE_ENDPOINT` is empty or absent: the function runs without a cache."""
        endpoint = os.environ.get("CACHE_ENDPOINT", "")
        if not endpoint:
            return None
        match = _ENDPOINT.match(endpoint)
        if not match or not 0 < int(match["port"]) < 65536:
            raise ValueError(f"CACHE_ENDPOINT must be host:port, not {endpoint!r}")
        return cls(
            host=match["host"],
            port=int(match["port"]),
            user=_required("CACHE_USER", "when CACHE_ENDPOINT is set"),
            name=_required("CACHE_NAME", "when CACHE_ENDPOINT is set"),
            ttl_seconds=_whole_number("CACHE_TTL_SECONDS", 60, minimum=1),
        )


def _dax_endpoint() -> str | None:
    """`DAX_ENDPOINT`, or None when it is empty or absent. Only TLS (`daxs://`): the stack's
    clusters require it, and an unencrypted `dax://` URL would send items in clear."""
    endpoint = os.environ.get("DAX_ENDPOINT", "")
    if not endpoint:
        return None
    if os.environ.get("CACHE_ENDPOINT", ""):
        raise ValueError("DAX_ENDPOINT and CACHE_ENDPOINT are both set; the function uses one item cache")
    match = _DAX_ENDPOINT.match(endpoint)
    if not match or (match["port"] is not None and not 0 < int(match["port"]) < 65536):
        raise ValueError(f"DAX_ENDPOINT must be daxs://<cluster address>[:port], not {endpoint!r}")
    return endpoint


@dataclass(frozen=True)
class Settings:
    table_name: str
    event_bus_name: str
    retention_days: int
    grants_table_name: str
    grants_cache_seconds: int
    grants_cache_max_entries: int
    app_secret_arn: str
    app_secret_cache_seconds: int
    cache: CacheSettings | None = None
    dax_endpoint: str | None = None

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            table_name=os.environ["TABLE_NAME"],
            event_bus_name=os.environ["EVENT_BUS_NAME"],
            retention_days=int(os.environ.get("DATA_RETENTION_DAYS", "0")),
            grants_table_name=os.environ["GRANTS_TABLE_NAME"],
            grants_cache_seconds=_whole_number("GRANTS_CACHE_SECONDS", 60),
            grants_cache_max_entries=_whole_number("GRANTS_CACHE_MAX_ENTRIES", 1000, minimum=1),
            app_secret_arn=os.environ["APP_SECRET_ARN"],
            app_secret_cache_seconds=_whole_number("APP_SECRET_CACHE_SECONDS", 300),
            # DAX first: with both caches set, that is the error to report, whatever else is wrong.
            dax_endpoint=_dax_endpoint(),
            cache=CacheSettings.from_environment(),
        )
