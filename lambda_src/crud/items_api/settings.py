"""Configuration from the function's environment (set by the stack)."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    table_name: str
    event_bus_name: str
    retention_days: int

    @classmethod
    def from_environment(cls) -> Settings:
        return cls(
            table_name=os.environ["TABLE_NAME"],
            event_bus_name=os.environ["EVENT_BUS_NAME"],
            retention_days=int(os.environ.get("DATA_RETENTION_DAYS", "0")),
        )
