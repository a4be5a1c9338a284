"""Synth-time options: the shape of the stack, validated into one typed object before any construct.

Options come from the `context` of `cdktf.json` and can be overridden on the command line
(`python main.py -c backend=s3 -c state_bucket=...`). Deploy-time values (names, sizes,
thresholds) are Terraform variables instead, owned by the stack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

BACKENDS = ("local", "s3")

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$")
_STATE_KEY = re.compile(r"^[A-Za-z0-9!_.*'()/-]{1,1024}$")
_LOCK_TABLE = re.compile(r"^[A-Za-z0-9_.-]{3,255}$")


class ConfigError(ValueError):
    """A synth-time option is invalid; the message names the option, the value and what is allowed."""


@dataclass(frozen=True)
class SynthConfig:
    """The validated synth-time options. Every field is also a `cdktf.json` context key."""

    backend: str = "local"
    state_bucket: str = ""
    state_key: str = "tap-stack/terraform.tfstate"
    state_region: str = ""
    state_lock_table: str = ""

    def __post_init__(self) -> None:
        _require_choice("backend", self.backend, BACKENDS)
        if self.backend == "s3":
            _require_match("state_bucket", self.state_bucket, _BUCKET, "an S3 bucket name (3-63 chars: a-z 0-9 . -)")
            _require_match("state_key", self.state_key, _STATE_KEY, "an S3 object key (1-1024 safe characters)")
            _require_match("state_region", self.state_region, _REGION, "an AWS region such as us-east-1")
            _require_match(
                "state_lock_table",
                self.state_lock_table,
                _LOCK_TABLE,
                "a DynamoDB table name (3-255 chars: A-Z a-z 0-9 _ . -)",
            )
            return
        for name in ("state_bucket", "state_region", "state_lock_table"):
            if getattr(self, name):
                raise ConfigError(
                    f"{name}: {getattr(self, name)!r} is only allowed with backend 's3' (backend is 'local')"
                )


OPTION_NAMES = tuple(f.name for f in fields(SynthConfig))


def _require_choice(name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = tuple(allowed)
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not allowed; expected one of: {', '.join(allowed)}")


def _require_match(name: str, value: str, pattern: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not pattern.match(value):
        raise ConfigError(f"{name}: {value!r} is not allowed; expected {what}")


def build_config(context: Mapping[str, object], overrides: Iterable[str] = ()) -> SynthConfig:
    """Merge `key=value` overrides over the context and validate the result."""
    merged: dict[str, object] = {k: v for k, v in context.items() if k in OPTION_NAMES or not _is_foreign(k)}
    for override in overrides:
        key, sep, value = override.partition("=")
        if not sep:
            raise ConfigError(f"-c {override!r}: expected key=value with key one of: {', '.join(OPTION_NAMES)}")
        merged[key.strip()] = value
    unknown = sorted(set(merged) - set(OPTION_NAMES))
    if unknown:
        raise ConfigError(f"{unknown[0]}: unknown option; allowed options are: {', '.join(OPTION_NAMES)}")
    for key, value in merged.items():
        if not isinstance(value, str):
            raise ConfigError(f"{key}: {value!r} is not allowed; expected a string")
    return SynthConfig(**merged)


def _is_foreign(key: str) -> bool:
    """Context keys that belong to cdktf itself (e.g. `excludeStackIdFromLogicalIds`) are not ours."""
    return not re.fullmatch(r"[a-z][a-z0-9_]*", key)


def load_context(cdktf_json: Path) -> dict[str, object]:
    """The `context` object of `cdktf.json`, or an error naming the file."""
    try:
        document = json.loads(cdktf_json.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigError(f"{cdktf_json.name}: cannot be read as JSON ({error})") from error
    context = document.get("context", {})
    if not isinstance(context, dict):
        raise ConfigError(f"{cdktf_json.name}: 'context' must be a JSON object, got {type(context).__name__}")
    return context
