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

from tapgen.aws_rules import s3_names


@dataclass(frozen=True, kw_only=True)
class Option:
    """A synth-time option with a fixed set of values: `values` (the default first), what each
    value beyond the smallest adds (`adds`, the README's and `--help`'s text), and whether it shapes
    the stack (`shapes`: every proven combination names it; `backend` only chooses where state
    lives). `smallest_first` orders the values from the smallest stack to the largest, when that is
    not the declared order; with `alternatives`, each value is one step up from the first, none
    from another."""

    name: str
    values: tuple[str, ...]
    adds: str
    shapes: bool = True
    smallest_first: tuple[str, ...] = ()
    alternatives: bool = False

    @property
    def default(self) -> str:
        return self.values[0]

    @property
    def growth(self) -> tuple[str, ...]:
        return self.smallest_first or self.values


OPTIONS: tuple[Option, ...] = (
    Option(
        name="regions",
        values=("1", "2", "3"),
        adds="a full copy of every regional component in `secondary_region` (default `us-west-2`) and "
        "`tertiary_region` (`eu-central-1`); DynamoDB global table replicas; S3 replication of the log archive; a "
        "routed name (`domain_name` in `hosted_zone_id`, both then required) over every region",
    ),
    Option(
        name="waf",
        values=("on", "off"),
        smallest_first=("off", "on"),
        adds="a WAFv2 web ACL (AWS managed rule groups + a per-IP rate rule, `waf_rate_limit`) on each region's "
        "stage, with logging",
    ),
    Option(
        name="compliance",
        values=("off", "on"),
        adds="per region a private network (VPC in `vpc_cidr`, two private subnets, no internet path, VPC "
        "endpoints, flow logs) with every function in it; a multi-region CloudTrail trail; a permission boundary "
        'on every role (see "Compliance")',
    ),
    Option(
        name="account_controls",
        values=("off", "on"),
        adds="**account-wide**: in every region of the stack an AWS Config recorder, delivery channel, the "
        "managed rules the stack passes and an alarm on a non-compliant verdict; the IAM account password "
        'policy (see "Compliance")',
    ),
    Option(
        name="scale",
        values=("off", "on"),
        adds="the CRUD function published with a `live` alias that every CRUD route invokes, provisioned "
        'concurrency on it autoscaled on utilization (`provisioned_concurrency*`) (see "Scale")',
    ),
    Option(
        name="item_stream",
        values=("none", "kinesis"),
        adds="item changes of every region's table into that region's KMS-encrypted Kinesis data stream "
        "(`item_stream_mode`, `item_stream_shard_count`, `item_stream_retention_hours`)",
    ),
    Option(
        name="cache",
        values=("none", "elasticache", "dax"),
        alternatives=True,
        adds="a read-through item cache per region that the CRUD function really uses, in the private network "
        "of `compliance` (created for the cache when `compliance` is off): `elasticache`, ElastiCache for Valkey, "
        "TLS required, encrypted at rest with the region's key, IAM authentication; `dax`, a DynamoDB "
        "Accelerator cluster that every write goes through, TLS endpoint, encrypted at rest (`cache_node_type`, "
        '`cache_node_count`, `cache_ttl_seconds`; see "Cache")',
    ),
    Option(
        name="backend",
        values=("local", "s3"),
        shapes=False,
        adds="where Terraform keeps state (`state_bucket`, `state_key`, `state_region`, `state_lock_table`)",
    ),
)
OPTION = {option.name: option for option in OPTIONS}
# The options that shape the stack, in declaration order: what a proven combination names.
SHAPE_OPTIONS = tuple(option for option in OPTIONS if option.shapes)

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


STATE_KEY_DEFAULT = "tap-stack/terraform.tfstate"


@dataclass(frozen=True)
class SynthConfig:
    """The validated synth-time options. Every field is also a `cdktf.json` context key."""

    backend: str = OPTION["backend"].default
    state_bucket: str = ""
    state_key: str = STATE_KEY_DEFAULT
    state_region: str = ""
    state_lock_table: str = ""
    regions: str = OPTION["regions"].default
    waf: str = OPTION["waf"].default
    compliance: str = OPTION["compliance"].default
    account_controls: str = OPTION["account_controls"].default
    scale: str = OPTION["scale"].default
    item_stream: str = OPTION["item_stream"].default
    cache: str = OPTION["cache"].default

    @property
    def options(self) -> dict[str, str]:
        """Every option by name, as outputs record them."""
        return {field.name: str(getattr(self, field.name)) for field in fields(self)}

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
    def partial_backend(self) -> bool:
        """An S3 backend whose bucket, key and region come at `terraform init -backend-config=...`
        (one bundle, a state per environment: examples/README.md)."""
        return self.backend == "s3" and not self.state_bucket

    def _require_partial(self) -> None:
        given = [name for name in ("state_region", "state_lock_table") if getattr(self, name)]
        if self.state_key != STATE_KEY_DEFAULT:
            given.insert(0, "state_key")
        for name in given:
            raise ConfigError(
                f"{name}: {getattr(self, name)!r} is only allowed with state_bucket; a partial S3 backend (no "
                "state_bucket) takes the bucket, key and region from terraform init -backend-config"
            )

    @property
    def state_lockfile(self) -> bool:
        """S3-native state locking (Terraform 1.10+), unless a DynamoDB lock table (deprecated) is named."""
        return not self.state_lock_table

    def __post_init__(self) -> None:
        for option in OPTIONS:
            _require_choice(option.name, getattr(self, option.name), option.values)
        if self.backend == "s3" and not self.state_bucket:
            self._require_partial()
            return
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


def options_table() -> str:
    """The options as the README's Markdown table (`tests/tapgen/test_config.py` holds the README to it)."""
    rows = [
        f"| `{o.name}` | {', '.join(f'`{v}`' for v in o.values)} | {o.adds} |"
        for o in (*SHAPE_OPTIONS, *(o for o in OPTIONS if not o.shapes))
    ]
    return "\n".join(["| option | values (default first) | what it adds |", "|---|---|---|", *rows])


def options_help() -> str:
    """The options as `python main.py --help` lists them."""
    lines = ["synth-time options (-c KEY=VALUE, or the context of cdktf.json); the default first:"]
    for option in OPTIONS:
        lines.append(f"  {option.name} = {' | '.join(option.values)}")
    lines.append("  state_bucket, state_key, state_region, state_lock_table: the S3 backend's settings (backend=s3)")
    lines.append("  backend=s3 without state_bucket: a partial backend, completed by terraform init -backend-config")
    return "\n".join(lines)


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
