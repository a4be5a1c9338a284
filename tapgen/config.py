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

from tapgen import s3_names

BACKENDS = ("local", "s3")
REGION_COUNTS = ("1", "2", "3")
SWITCHES = ("on", "off")
OFF_ON = ("off", "on")  # capabilities that are off unless asked for (default first)
ITEM_STREAMS = ("none", "kinesis")
CACHES = ("none", "elasticache", "dax")

# What cdktf itself reads from cdktf.json (its config schema) and from the context (its own flags).
# Anything else is a typo or a misplaced option (`"Backend": "s3"`), and is refused, not ignored.
CDKTF_SETTINGS = (
    "app",
    "codeMakerOutput",
    "context",
    "language",
    "output",
    "projectId",
    "sendCrashReports",
    "terraformModules",
    "terraformProviders",
)
CDKTF_CONTEXT_KEYS = (
    "allowSepCharsInLogicalIds",
    "cdktfJsonPath",
    "cdktfRelativeModules",
    "cdktfStaticModuleAssetHash",
    "cdktfVersion",
    "excludeStackIdFromLogicalIds",
)

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
    regions: str = "1"
    waf: str = "on"
    compliance: str = "off"
    account_controls: str = "off"
    scale: str = "off"
    item_stream: str = "none"
    cache: str = "none"

    @property
    def region_count(self) -> int:
        return int(self.regions)

    @property
    def waf_enabled(self) -> bool:
        return self.waf == "on"

    @property
    def compliance_enabled(self) -> bool:
        return self.compliance == "on"

    @property
    def account_controls_enabled(self) -> bool:
        return self.account_controls == "on"

    @property
    def scale_enabled(self) -> bool:
        return self.scale == "on"

    @property
    def item_stream_enabled(self) -> bool:
        return self.item_stream != "none"

    @property
    def cache_enabled(self) -> bool:
        return self.cache != "none"

    @property
    def private_network(self) -> bool:
        """Functions run in a private network for compliance, and to reach a cache in it."""
        return self.compliance_enabled or self.cache_enabled

    @property
    def state_lockfile(self) -> bool:
        """S3-native state locking (Terraform 1.10+), unless a DynamoDB lock table (deprecated) is named."""
        return not self.state_lock_table

    def __post_init__(self) -> None:
        _require_choice("backend", self.backend, BACKENDS)
        _require_choice("regions", self.regions, REGION_COUNTS)
        _require_choice("waf", self.waf, SWITCHES)
        _require_choice("compliance", self.compliance, OFF_ON)
        _require_choice("account_controls", self.account_controls, OFF_ON)
        _require_choice("scale", self.scale, OFF_ON)
        _require_choice("item_stream", self.item_stream, ITEM_STREAMS)
        _require_choice("cache", self.cache, CACHES)
        if self.backend == "s3":
            _require_bucket_name("state_bucket", self.state_bucket)
            _require_match("state_key", self.state_key, _STATE_KEY, "an S3 object key (1-1024 safe characters)")
            _require_match("state_region", self.state_region, _REGION, "an AWS region such as us-east-1")
            if self.state_lock_table:
                _require_match(
                    "state_lock_table",
                    self.state_lock_table,
                    _LOCK_TABLE,
                    "empty (S3-native locking) or a DynamoDB table name (3-255 chars: A-Z a-z 0-9 _ . -)",
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


def _require_bucket_name(name: str, value: str) -> None:
    broken = s3_names.broken_rule(value) if isinstance(value, str) else "a string"
    if broken:
        raise ConfigError(f"{name}: {value!r} is not allowed; expected an S3 bucket name {broken}")


def _require_match(name: str, value: str, pattern: re.Pattern[str], what: str) -> None:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ConfigError(f"{name}: {value!r} is not allowed; expected {what}")


def build_config(context: Mapping[str, object], overrides: Iterable[str] = ()) -> SynthConfig:
    """Merge `key=value` overrides over the context and validate the result."""
    merged: dict[str, object] = {k: v for k, v in context.items() if k not in CDKTF_CONTEXT_KEYS}
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


def load_context(cdktf_json: Path) -> dict[str, object]:
    """The `context` object of `cdktf.json`, or an error naming the file and what is wrong with it."""
    name = cdktf_json.name
    try:
        document = json.loads(cdktf_json.read_bytes().decode("utf-8"))
    except OSError as error:
        raise ConfigError(f"{name}: cannot be read ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise ConfigError(f"{name}: is not UTF-8 (byte {error.start}); expected a JSON object") from error
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ConfigError(f"{name}: is not valid JSON ({error.msg} at {where})") from error
    except RecursionError as error:
        raise ConfigError(f"{name}: is nested too deeply to be a cdktf configuration") from error
    if not isinstance(document, dict):
        raise ConfigError(f"{name}: must be a JSON object, got {_json_type(document)}")
    unknown = sorted(set(document) - set(CDKTF_SETTINGS))
    if unknown:
        raise ConfigError(f"{name}: unknown setting {unknown[0]!r}; cdktf settings are: {', '.join(CDKTF_SETTINGS)}")
    context = document.get("context", {})
    if not isinstance(context, dict):
        raise ConfigError(f"{name}: 'context' must be a JSON object, got {_json_type(context)}")
    return context


def _json_type(value: object) -> str:
    """The JSON name of a decoded value's type, as a user wrote it."""
    names = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)
