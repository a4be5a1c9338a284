"""The capacity model: from a request rate and an item size to the figures a deployment must provision.

    scripts/capacity --rpm 50000000 --item-bytes 2048 [--read-percent 90 --p50-ms 40 --p99-ms 200 ...]
    scripts/capacity --write-docs        # regenerates docs/capacity.md (50 M requests/minute, a small deployment)

Pure functions over a frozen `Workload`, returning a frozen `Capacity`. Arithmetic is exact
(`fractions.Fraction`): 50 million requests per minute is 833,333⅓ per second, and in floating
point 21 read units at a 70% target are 30.000000000000004 units to provision, rounded up to 31.
Every figure is rounded up once, at the end.

The model follows what the CRUD function really does (`lambda_src/crud/items_api/store.py`):
`GET /items/{id}` reads with `ConsistentRead=True`, and every write (replace, delete) first reads
the current version strongly consistently, then writes conditionally. A create has no such read:
counting one for every write keeps the model on the safe side. Figures are for one Region serving
the whole rate; with global tables every replica Region also needs the write capacity (replicated
writes), and each Region has its own quotas.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from tapgen.aws_rules.quotas import (
    API_GATEWAY_THROTTLE_BURST,
    API_GATEWAY_THROTTLE_RATE,
    DYNAMODB_ACCOUNT_READ_UNITS,
    DYNAMODB_ACCOUNT_WRITE_UNITS,
    DYNAMODB_MAX_ITEM_BYTES,
    DYNAMODB_TABLE_READ_UNITS,
    DYNAMODB_TABLE_WRITE_UNITS,
    KINESIS_SHARDS_PER_ACCOUNT,
    LAMBDA_CONCURRENT_EXECUTIONS,
    LAMBDA_UNRESERVED_MINIMUM,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "capacity.md"

# Service facts the formulas use (the sources of tapgen/aws_rules/quotas.py).
DYNAMODB_READ_UNIT_BYTES = 4 * 1024  # one strongly consistent read per second of up to 4 KB
DYNAMODB_WRITE_UNIT_BYTES = 1024  # one write per second of up to 1 KB
EVENTUALLY_CONSISTENT_SHARE = Fraction(1, 2)  # an eventually consistent read costs half
KINESIS_SHARD_WRITE_BYTES = 1024 * 1024  # per shard per second: 1 MiB ...
KINESIS_SHARD_WRITE_RECORDS = 1_000  # ... or 1,000 records

# Assumptions of the model (stated in every table it prints).
DYNAMODB_TARGET_UTILIZATION_PERCENT = 70  # Application Auto Scaling's default target for DynamoDB
DYNAMODB_MIN_PROVISIONED_UNITS = 1  # the least a provisioned table accepts
STREAM_RECORD_OVERHEAD_BYTES = 512  # keys, event name, timestamps and the envelope of a change record
CACHE_ENTRY_OVERHEAD_BYTES = 100  # the key (tenant and item id) and the cache's per-key bookkeeping
CACHE_RESERVED_MEMORY_PERCENT = 25  # ElastiCache's default reserved-memory-percent
API_BURST_SHARE = Fraction(API_GATEWAY_THROTTLE_BURST, API_GATEWAY_THROTTLE_RATE)  # AWS's own burst/rate ratio


class CapacityError(ValueError):
    """A workload the model cannot describe (a negative rate, a share above 100%, ...)."""


@dataclass(frozen=True)
class Workload:
    """The inputs: a target rate, an item size, a read/write mix and a latency assumption.

    `read_percent` is the share of requests that are `GET /items/{id}`; the rest write an item.
    `p50_ms`/`p99_ms` are the function's duration (not the API's latency). `cache_hit_percent` and
    `working_set_items` describe the read-through cache (0 and 0 without one). `headroom_percent`
    is added to provisioned concurrency and to the API throttle rate above the steady state.
    `strongly_consistent_reads` is how `GET /items/{id}` reads the table (the CRUD function: yes);
    the version check before each write is strongly consistent whatever it says.
    """

    name: str
    requests_per_minute: int
    item_bytes: int
    read_percent: int = 90
    p50_ms: int = 40
    p99_ms: int = 200
    cache_hit_percent: int = 0
    working_set_items: int = 0
    headroom_percent: int = 20
    strongly_consistent_reads: bool = True


@dataclass(frozen=True)
class QuotaCheck:
    """One default quota against the figure that must fit in it; `exceeded` means: raise it first."""

    quota: str
    default: int
    needed: int

    @property
    def exceeded(self) -> bool:
        return self.needed > self.default


@dataclass(frozen=True)
class Capacity:
    """The derived figures for one Region; `quotas_to_raise` lists the checks that fail.

    Rates, DynamoDB units (`dynamodb_*_units` consumed, on-demand; `provisioned_*` at the auto
    scaling target) and API throttles are per second; concurrencies are execution environments;
    cache and record sizes are bytes; `stream_shards` is for a provisioned-mode stream.
    """

    requests_per_second: Fraction
    reads_per_second: Fraction
    writes_per_second: Fraction
    lambda_concurrency: int
    lambda_peak_concurrency: int
    provisioned_concurrency: int
    account_concurrency: int
    dynamodb_read_units: int
    dynamodb_write_units: int
    provisioned_rcu: int
    provisioned_wcu: int
    cache_data_bytes: int
    cache_memory_bytes: int
    stream_record_bytes: int
    stream_shards: int
    api_rate_limit: int
    api_burst_limit: int
    quotas: tuple[QuotaCheck, ...]

    @property
    def quotas_to_raise(self) -> tuple[QuotaCheck, ...]:
        return tuple(check for check in self.quotas if check.exceeded)


def validate(workload: Workload) -> None:
    """Refuse inputs outside what the formulas mean, with one message naming the field."""
    if workload.requests_per_minute <= 0:
        raise CapacityError(f"requests_per_minute must be positive, got {workload.requests_per_minute}")
    if not 1 <= workload.item_bytes <= DYNAMODB_MAX_ITEM_BYTES:
        raise CapacityError(
            f"item_bytes must be between 1 and {DYNAMODB_MAX_ITEM_BYTES} (DynamoDB's item limit), "
            f"got {workload.item_bytes}"
        )
    for field in ("read_percent", "cache_hit_percent"):
        value = getattr(workload, field)
        if not 0 <= value <= 100:
            raise CapacityError(f"{field} must be between 0 and 100, got {value}")
    if workload.p50_ms <= 0:
        raise CapacityError(f"p50_ms must be positive, got {workload.p50_ms}")
    if workload.p99_ms < workload.p50_ms:
        raise CapacityError(f"p99_ms must be at least p50_ms ({workload.p50_ms}), got {workload.p99_ms}")
    for field in ("working_set_items", "headroom_percent"):
        value = getattr(workload, field)
        if value < 0:
            raise CapacityError(f"{field} must not be negative, got {value}")


def per_second(requests_per_minute: int) -> Fraction:
    return Fraction(requests_per_minute, 60)


def percent(value: int) -> Fraction:
    return Fraction(value, 100)


def concurrency(rate: Fraction, duration_ms: int) -> int:
    """Little's law: environments busy at once = arrival rate x time each request holds one."""
    return math.ceil(rate * Fraction(duration_ms, 1000))


def provisioned_concurrency(rate: Fraction, p50_ms: int, headroom_percent: int) -> int:
    """The steady state at the median duration plus headroom; the p99 tail spills onto on-demand."""
    return math.ceil(rate * Fraction(p50_ms, 1000) * (1 + percent(headroom_percent)))


def account_concurrency(peak_concurrency: int, provisioned: int) -> int:
    """What the account's pool must hold: this function's peak and the 100 AWS keeps unreserved."""
    return max(peak_concurrency, provisioned) + LAMBDA_UNRESERVED_MINIMUM


def read_units_per_read(item_bytes: int, strongly_consistent: bool) -> Fraction:
    """Units per read: 4 KB blocks rounded up per item, half of that when eventually consistent."""
    blocks = Fraction(math.ceil(Fraction(item_bytes, DYNAMODB_READ_UNIT_BYTES)))
    return blocks if strongly_consistent else blocks * EVENTUALLY_CONSISTENT_SHARE


def write_units_per_write(item_bytes: int) -> int:
    """Units per write (put or delete): 1 KB blocks of the item, rounded up per item."""
    return math.ceil(Fraction(item_bytes, DYNAMODB_WRITE_UNIT_BYTES))


def cache_misses(reads: Fraction, cache_hit_percent: int) -> Fraction:
    """`GET /items/{id}` requests that reach the table."""
    return reads * (1 - percent(cache_hit_percent))


def read_units(reads: Fraction, writes: Fraction, workload: Workload) -> Fraction:
    """Read units consumed per second (on-demand read request units), before rounding: the cache
    misses, and the strongly consistent version check before each write."""
    misses = cache_misses(reads, workload.cache_hit_percent)
    per_get = read_units_per_read(workload.item_bytes, workload.strongly_consistent_reads)
    return misses * per_get + writes * read_units_per_read(workload.item_bytes, strongly_consistent=True)


def write_units(writes: Fraction, item_bytes: int) -> Fraction:
    """Write units consumed per second (on-demand write request units), before rounding."""
    return writes * write_units_per_write(item_bytes)


def provisioned_units(consumed: Fraction) -> int:
    """Provisioned capacity that keeps `consumed` at the auto scaling target utilization."""
    target = percent(DYNAMODB_TARGET_UTILIZATION_PERCENT)
    return max(math.ceil(consumed / target), DYNAMODB_MIN_PROVISIONED_UNITS)


def cache_data_bytes(working_set_items: int, item_bytes: int) -> int:
    return working_set_items * (item_bytes + CACHE_ENTRY_OVERHEAD_BYTES)


def cache_memory_bytes(data_bytes: int) -> int:
    """Node memory for `data_bytes`: ElastiCache keeps reserved-memory-percent aside for itself."""
    return math.ceil(Fraction(data_bytes * 100, 100 - CACHE_RESERVED_MEMORY_PERCENT))


def stream_record_bytes(item_bytes: int) -> int:
    """A change record carries the old and the new image (NEW_AND_OLD_IMAGES) and an envelope."""
    return 2 * item_bytes + STREAM_RECORD_OVERHEAD_BYTES


def stream_shards(writes: Fraction, record_bytes: int) -> int:
    """Shards for the write side of the stream: bytes or records per second, whichever binds; at least 1."""
    by_bytes = math.ceil(writes * record_bytes / KINESIS_SHARD_WRITE_BYTES)
    by_records = math.ceil(writes / KINESIS_SHARD_WRITE_RECORDS)
    return max(by_bytes, by_records, 1)


def api_rate_limit(rate: Fraction, headroom_percent: int) -> int:
    """The stage throttle rate: the target rate plus headroom, so throttling starts only beyond it."""
    return math.ceil(rate * (1 + percent(headroom_percent)))


def api_burst_limit(rate_limit: int) -> int:
    """The token bucket size, in AWS's own default proportion to the rate (5,000 for 10,000)."""
    return math.ceil(rate_limit * API_BURST_SHARE)


def quota_checks(capacity: Capacity) -> tuple[QuotaCheck, ...]:
    """Every default quota the figures must fit in; those with `exceeded` must be raised before deploying."""
    return (
        QuotaCheck("Lambda: Concurrent executions", LAMBDA_CONCURRENT_EXECUTIONS, capacity.account_concurrency),
        QuotaCheck(
            "API Gateway: Throttle rate (account, per Region)", API_GATEWAY_THROTTLE_RATE, capacity.api_rate_limit
        ),
        QuotaCheck(
            "API Gateway: Throttle burst rate (account, per Region)",
            API_GATEWAY_THROTTLE_BURST,
            capacity.api_burst_limit,
        ),
        QuotaCheck("DynamoDB: Table-level read throughput limit", DYNAMODB_TABLE_READ_UNITS, capacity.provisioned_rcu),
        QuotaCheck(
            "DynamoDB: Table-level write throughput limit", DYNAMODB_TABLE_WRITE_UNITS, capacity.provisioned_wcu
        ),
        QuotaCheck(
            "DynamoDB: Account-level read throughput limit (Provisioned mode)",
            DYNAMODB_ACCOUNT_READ_UNITS,
            capacity.provisioned_rcu,
        ),
        QuotaCheck(
            "DynamoDB: Account-level write throughput limit (Provisioned mode)",
            DYNAMODB_ACCOUNT_WRITE_UNITS,
            capacity.provisioned_wcu,
        ),
        QuotaCheck(
            "Kinesis Data Streams: shards per account and Region", KINESIS_SHARDS_PER_ACCOUNT, capacity.stream_shards
        ),
    )


def plan(workload: Workload) -> Capacity:
    """All figures for `workload` (validated first)."""
    validate(workload)
    rate = per_second(workload.requests_per_minute)
    reads = rate * percent(workload.read_percent)
    writes = rate - reads
    peak = concurrency(rate, workload.p99_ms)
    provisioned = provisioned_concurrency(rate, workload.p50_ms, workload.headroom_percent)
    consumed_reads = read_units(reads, writes, workload)
    consumed_writes = write_units(writes, workload.item_bytes)
    data = cache_data_bytes(workload.working_set_items, workload.item_bytes)
    record = stream_record_bytes(workload.item_bytes)
    rate_limit = api_rate_limit(rate, workload.headroom_percent)
    figures = Capacity(
        requests_per_second=rate,
        reads_per_second=reads,
        writes_per_second=writes,
        lambda_concurrency=concurrency(rate, workload.p50_ms),
        lambda_peak_concurrency=peak,
        provisioned_concurrency=provisioned,
        account_concurrency=account_concurrency(peak, provisioned),
        dynamodb_read_units=math.ceil(consumed_reads),
        dynamodb_write_units=math.ceil(consumed_writes),
        provisioned_rcu=provisioned_units(consumed_reads),
        provisioned_wcu=provisioned_units(consumed_writes),
        cache_data_bytes=data,
        cache_memory_bytes=cache_memory_bytes(data),
        stream_record_bytes=record,
        stream_shards=stream_shards(writes, record),
        api_rate_limit=rate_limit,
        api_burst_limit=api_burst_limit(rate_limit),
        quotas=(),
    )
    return replace(figures, quotas=quota_checks(figures))


SEED_002 = Workload(
    name="Seed 002: 50 million requests per minute",
    requests_per_minute=50_000_000,
    item_bytes=2048,
    cache_hit_percent=90,
    working_set_items=10_000_000,
)
SMALL = Workload(name="A small deployment: 600 requests per minute", requests_per_minute=600, item_bytes=2048)


def tfvars(capacity: Capacity) -> dict[str, int | str]:
    """The stack's deploy-time variables that provision these figures (`scale=on`,
    `item_stream=kinesis`): provisioned concurrency from the median up to the peak, within a
    reservation of the peak; table capacity autoscaled from the steady consumption up to the
    figure at the target utilization; the API throttle; a provisioned stream's shards."""
    peak = max(capacity.lambda_peak_concurrency, capacity.provisioned_concurrency)
    return {
        "api_throttle_rate_limit": capacity.api_rate_limit,
        "api_throttle_burst_limit": capacity.api_burst_limit,
        "lambda_reserved_concurrency": peak,
        "provisioned_concurrency": capacity.provisioned_concurrency,
        "provisioned_concurrency_min": capacity.provisioned_concurrency,
        "provisioned_concurrency_max": peak,
        "dynamodb_read_capacity_min": max(capacity.dynamodb_read_units, DYNAMODB_MIN_PROVISIONED_UNITS),
        "dynamodb_read_capacity_max": capacity.provisioned_rcu,
        "dynamodb_write_capacity_min": max(capacity.dynamodb_write_units, DYNAMODB_MIN_PROVISIONED_UNITS),
        "dynamodb_write_capacity_max": capacity.provisioned_wcu,
        "dynamodb_target_utilization": DYNAMODB_TARGET_UTILIZATION_PERCENT,
        "item_stream_mode": "PROVISIONED",
        "item_stream_shard_count": capacity.stream_shards,
    }


def tfvars_text(workload: Workload) -> str:
    """`tfvars` as a tfvars file, headed by the workload and the quotas to raise before applying it."""
    capacity = plan(workload)
    lines = [f"# {workload.name}: scripts/capacity --tfvars (tools/capacity.py)"]
    lines += [f"# Raise first: {check.quota} to at least {check.needed:,}" for check in capacity.quotas_to_raise]
    width = max(len(name) for name in tfvars(capacity))
    for name, value in tfvars(capacity).items():
        lines.append(f"{name.ljust(width)} = {json.dumps(value)}")  # HCL writes numbers and strings as JSON does
    return "\n".join(lines) + "\n"


def number(value: Fraction | int) -> str:
    """Thousands separators; two decimals only where the value is not whole."""
    if Fraction(value).denominator == 1:
        return f"{int(value):,}"
    return f"{float(value):,.2f}"


def size(value: int) -> str:
    return f"{value:,} bytes ({value / 2**30:,.1f} GiB)" if value else "0 (no cache)"


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def assumption_rows(workload: Workload, capacity: Capacity) -> list[tuple[str, ...]]:
    cache = (
        f"{workload.cache_hit_percent}% hit ratio on `GET /items/{{id}}`, "
        f"working set {workload.working_set_items:,} items"
        if workload.cache_hit_percent or workload.working_set_items
        else "none (every read reaches DynamoDB)"
    )
    return [
        (
            "target rate",
            f"{workload.requests_per_minute:,} requests per minute ({number(capacity.requests_per_second)} per second)",
        ),
        ("item size", f"{workload.item_bytes:,} bytes"),
        ("mix", f"{workload.read_percent}% `GET /items/{{id}}`, {100 - workload.read_percent}% writes"),
        (
            "`GET /items/{id}` reads",
            "strongly consistent" if workload.strongly_consistent_reads else "eventually consistent",
        ),
        ("function duration", f"p50 {workload.p50_ms} ms, p99 {workload.p99_ms} ms"),
        ("cache", cache),
        ("headroom", f"{workload.headroom_percent}% over the steady state"),
    ]


def figure_rows(capacity: Capacity) -> list[tuple[str, ...]]:
    utilization = f"{DYNAMODB_TARGET_UTILIZATION_PERCENT}% target utilization (at least 1)"
    return [
        (
            "reads / writes per second",
            f"{number(capacity.reads_per_second)} / {number(capacity.writes_per_second)}",
            "rate × mix",
        ),
        ("Lambda concurrency, steady (p50)", number(capacity.lambda_concurrency), "rate × p50 (Little's law)"),
        ("Lambda concurrency, peak (p99)", number(capacity.lambda_peak_concurrency), "rate × p99"),
        ("provisioned concurrency", number(capacity.provisioned_concurrency), "rate × p50 × (1 + headroom)"),
        (
            "account concurrency needed",
            number(capacity.account_concurrency),
            f"max(peak, provisioned) + {LAMBDA_UNRESERVED_MINIMUM} kept unreserved",
        ),
        (
            "DynamoDB read units per second (on-demand RRU)",
            number(capacity.dynamodb_read_units),
            "(reads × (1 − hit ratio) × (½ if eventually consistent) + writes) × ⌈item / 4 KB⌉",
        ),
        (
            "DynamoDB write units per second (on-demand WRU)",
            number(capacity.dynamodb_write_units),
            "writes × ⌈item / 1 KB⌉",
        ),
        ("DynamoDB provisioned RCU", number(capacity.provisioned_rcu), f"read units at {utilization}"),
        ("DynamoDB provisioned WCU", number(capacity.provisioned_wcu), f"write units at {utilization}"),
        ("cache data", size(capacity.cache_data_bytes), f"working set × (item + {CACHE_ENTRY_OVERHEAD_BYTES} bytes)"),
        (
            "cache node memory",
            size(capacity.cache_memory_bytes),
            f"data / (1 − {CACHE_RESERVED_MEMORY_PERCENT}% reserved memory)",
        ),
        (
            "item stream record",
            f"{capacity.stream_record_bytes:,} bytes",
            f"old and new image + {STREAM_RECORD_OVERHEAD_BYTES} bytes",
        ),
        (
            "Kinesis shards (provisioned mode)",
            number(capacity.stream_shards),
            "max(writes × record / 1 MiB, writes / 1,000, 1)",
        ),
        ("API Gateway throttle rate", number(capacity.api_rate_limit), "rate × (1 + headroom)"),
        (
            "API Gateway throttle burst",
            number(capacity.api_burst_limit),
            f"rate limit × {API_GATEWAY_THROTTLE_BURST:,} / {API_GATEWAY_THROTTLE_RATE:,} (AWS's default ratio)",
        ),
    ]


def quota_rows(capacity: Capacity) -> list[tuple[str, ...]]:
    return [
        (check.quota, number(check.default), number(check.needed), "**raise**" if check.exceeded else "fits")
        for check in capacity.quotas
    ]


def quota_summary(capacity: Capacity) -> list[str]:
    if not capacity.quotas_to_raise:
        return ["Quotas to raise: none; every figure fits the default quotas."]
    return [
        "Quotas to raise before deploying (Service Quotas console, or a support case):",
        "",
        *(f"- {check.quota}: to at least {number(check.needed)}" for check in capacity.quotas_to_raise),
    ]


def markdown(workload: Workload) -> str:
    """One scenario: its assumptions, its figures and the quotas to raise, as markdown."""
    capacity = plan(workload)
    return "\n".join(
        [
            f"## {workload.name}",
            "",
            *table(("assumption", "value"), assumption_rows(workload, capacity)),
            "",
            *table(("figure", "value", "how"), figure_rows(capacity)),
            "",
            *table(("default quota (per account and Region)", "default", "needed", "action"), quota_rows(capacity)),
            "",
            *quota_summary(capacity),
            "",
        ]
    )


DOCS_HEADER = f"""# Capacity model

Generated by `scripts/capacity --write-docs` from `tools/capacity.py`; do not edit by hand.
`scripts/capacity --rpm N --item-bytes N [...]` prints the same tables for other inputs
(`scripts/capacity --help` lists them).

What the model assumes, whatever the inputs:

- Figures are for one Region serving the whole rate. With global tables every replica Region also
  needs the write capacity (each replicates every write), and each Region has its own quotas.
- `GET /items/{{id}}` reads strongly consistently, and every write (replace, delete) first reads
  the current version strongly consistently, as the CRUD function does; creates, which do not, are
  counted like writes. Conditional writes that fail still consume write units.
- Lambda concurrency follows Little's law (rate × duration). Provisioned concurrency covers the
  median with headroom; the p99 tail runs on on-demand environments, which the account's pool
  must hold ({LAMBDA_UNRESERVED_MINIMUM} of it always stay unreserved).
- DynamoDB: a read unit is one strongly consistent read of up to 4 KB per second (an eventually
  consistent read costs half), a write unit one write of up to 1 KB, each rounded up per item
  (1 KB = 1,024 bytes). On-demand tables are billed by the units consumed; provisioned tables need
  them at a {DYNAMODB_TARGET_UTILIZATION_PERCENT}% auto scaling target. Hot partitions (3,000 RCU or 1,000 WCU
  per partition) are not modelled: keys must spread the load. The table quotas are checked against the
  provisioned figures; an on-demand table is held to the table-level quota for the units it consumes.
- The cache holds the working set at the stated hit ratio; each entry costs the item and
  {CACHE_ENTRY_OVERHEAD_BYTES} bytes (key and bookkeeping), and ElastiCache keeps
  {CACHE_RESERVED_MEMORY_PERCENT}% of a node's memory aside (its default reserved-memory-percent).
- The item stream carries one record per write with the old and the new image; a provisioned
  shard takes 1 MiB or 1,000 records per second. The shard quota checked is {KINESIS_SHARDS_PER_ACCOUNT:,}, the
  smallest default (us-east-1, us-west-2 and eu-west-1 have 20,000).
- The API throttle is the target rate plus headroom, with a burst in AWS's own proportion.
- Default quotas are from the AWS service quotas documentation (sources in `tapgen/aws_rules/quotas.py`);
  an account may already have other values: check the Service Quotas console.
"""


def docs() -> str:
    """The whole of docs/capacity.md: 50 million requests a minute, and a small deployment."""
    return "\n".join([DOCS_HEADER, markdown(SEED_002), markdown(SMALL)]).rstrip("\n") + "\n"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/capacity", description="Derive the capacity of a TAP stack deployment from its target load."
    )
    rate = parser.add_mutually_exclusive_group()
    rate.add_argument("--rpm", type=int, help="target requests per minute")
    rate.add_argument("--rps", type=int, help="target requests per second")
    parser.add_argument("--item-bytes", type=int, help="size of an item as DynamoDB stores it")
    defaults = Workload(name="", requests_per_minute=1, item_bytes=1)
    for field, text in (
        ("read_percent", "share of requests that are GET /items/{id}, the rest write"),
        ("p50_ms", "median function duration"),
        ("p99_ms", "99th percentile function duration"),
        ("cache_hit_percent", "read-through cache hit ratio (0: no cache)"),
        ("working_set_items", "distinct items the cache holds"),
        ("headroom_percent", "margin over the steady state for provisioned concurrency and the API throttle"),
    ):
        default = getattr(defaults, field)
        parser.add_argument(f"--{field.replace('_', '-')}", type=int, default=default, help=f"{text} ({default})")
    parser.add_argument(
        "--eventually-consistent",
        action="store_true",
        help="GET /items/{id} reads eventually consistently (the CRUD function reads strongly)",
    )
    parser.add_argument("--name", default="Capacity", help="title of the printed table")
    parser.add_argument(
        "--tfvars",
        action="store_true",
        help="print the stack's variables for these figures (scale=on, item_stream=kinesis) as a tfvars file",
    )
    parser.add_argument(
        "--write-docs",
        action="store_true",
        help="write docs/capacity.md (50 million requests a minute, and a small deployment)",
    )
    parser.add_argument("--docs", type=Path, default=DOCS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.write_docs and (args.item_bytes is None or (args.rpm is None and args.rps is None)):
        parser.error("--rpm or --rps, and --item-bytes, are required (or --write-docs)")
    return args


def workload_of(args: argparse.Namespace) -> Workload:
    return Workload(
        name=args.name,
        requests_per_minute=args.rpm if args.rpm is not None else args.rps * 60,
        item_bytes=args.item_bytes,
        read_percent=args.read_percent,
        p50_ms=args.p50_ms,
        p99_ms=args.p99_ms,
        cache_hit_percent=args.cache_hit_percent,
        working_set_items=args.working_set_items,
        headroom_percent=args.headroom_percent,
        strongly_consistent_reads=not args.eventually_consistent,
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.write_docs:
        args.docs.parent.mkdir(parents=True, exist_ok=True)
        args.docs.write_text(docs())
        print(f"wrote {args.docs}")
        return 0
    try:
        print((tfvars_text if args.tfvars else markdown)(workload_of(args)), end="")
    except CapacityError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
