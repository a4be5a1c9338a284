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
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _whole_number(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, str(default))
    if not raw.isascii() or not raw.isdigit() or int(raw) < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, not {raw!r}")
    return int(raw)


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
        )
