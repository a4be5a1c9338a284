"""The capacity model's arithmetic, checked against figures computed by hand, docs/capacity.md, and its
variables planned with the stack they size."""

import shutil
import subprocess
from dataclasses import replace
from fractions import Fraction

import pytest

from tapgen.combinations import PROVEN
from tests.project import ROOT
from tests.rehearsal.cycles import FIXTURES
from tests.rehearsal.emulator import Workspace
from tools.capacity import (
    DOCS,
    SEED_002,
    SMALL,
    CapacityError,
    QuotaCheck,
    Workload,
    docs,
    main,
    markdown,
    plan,
    read_units_per_read,
    stream_shards,
    tfvars,
    tfvars_text,
    write_units_per_write,
)

# A workload whose every figure is easy to follow: no headroom, one-second durations, all reads.
PLAIN = Workload(
    name="plain", requests_per_minute=60, item_bytes=1, read_percent=100, p50_ms=1000, p99_ms=1000, headroom_percent=0
)


def needed(capacity, quota: str) -> QuotaCheck:
    return next(check for check in capacity.quotas if check.quota == quota)


def test_seed_002_fifty_million_requests_per_minute():
    capacity = plan(SEED_002)
    # 50,000,000 / 60 = 833,333⅓ per second: 750,000 reads (90%) and 83,333⅓ writes.
    assert capacity.requests_per_second == Fraction(2_500_000, 3)
    assert capacity.reads_per_second == 750_000
    assert capacity.writes_per_second == Fraction(250_000, 3)
    # 833,333⅓ x 0.04 s = 33,333⅓ -> 33,334; x 0.2 s = 166,666⅔ -> 166,667.
    assert capacity.lambda_concurrency == 33_334
    assert capacity.lambda_peak_concurrency == 166_667
    # 833,333⅓ x 0.04 x 1.2 = 40,000 exactly.
    assert capacity.provisioned_concurrency == 40_000
    assert capacity.account_concurrency == 166_767
    # Reads reaching the table: 10% of 750,000 misses + 83,333⅓ version checks = 158,333⅓, 1 unit each (2 KB).
    assert capacity.dynamodb_read_units == 158_334
    # 158,333⅓ / 0.7 = 226,190.48 -> 226,191.
    assert capacity.provisioned_rcu == 226_191
    # 83,333⅓ writes x 2 units (2 KB / 1 KB) = 166,666⅔ -> 166,667; / 0.7 = 238,095.24 -> 238,096.
    assert capacity.dynamodb_write_units == 166_667
    assert capacity.provisioned_wcu == 238_096
    # 10,000,000 x (2,048 + 100) = 21,480,000,000 bytes; / 0.75 = 28,640,000,000.
    assert capacity.cache_data_bytes == 21_480_000_000
    assert capacity.cache_memory_bytes == 28_640_000_000
    # 2 x 2,048 + 512 = 4,608 bytes a record; 83,333⅓ x 4,608 = 384,000,000 bytes/s / 1,048,576 = 366.2 -> 367
    # shards (the records, 83.3 shards' worth, do not bind).
    assert capacity.stream_record_bytes == 4_608
    assert capacity.stream_shards == 367
    # 833,333⅓ x 1.2 = 1,000,000; burst half of it.
    assert capacity.api_rate_limit == 1_000_000
    assert capacity.api_burst_limit == 500_000


def test_seed_002_names_every_quota_to_raise_but_the_shards():
    assert [(check.quota, check.default, check.needed) for check in plan(SEED_002).quotas_to_raise] == [
        ("Lambda: Concurrent executions", 1_000, 166_767),
        ("API Gateway: Throttle rate (account, per Region)", 10_000, 1_000_000),
        ("API Gateway: Throttle burst rate (account, per Region)", 5_000, 500_000),
        ("DynamoDB: Table-level read throughput limit", 40_000, 226_191),
        ("DynamoDB: Table-level write throughput limit", 40_000, 238_096),
        ("DynamoDB: Account-level read throughput limit (Provisioned mode)", 80_000, 226_191),
        ("DynamoDB: Account-level write throughput limit (Provisioned mode)", 80_000, 238_096),
    ]
    assert needed(plan(SEED_002), "Kinesis Data Streams: shards per account and Region") == QuotaCheck(
        "Kinesis Data Streams: shards per account and Region", 1_000, 367
    )


def test_a_small_deployment_fits_every_default_quota():
    capacity = plan(SMALL)
    # 600 / 60 = 10 per second: 9 reads, 1 write.
    assert (capacity.reads_per_second, capacity.writes_per_second) == (9, 1)
    # 10 x 0.04 = 0.4 -> 1; 10 x 0.2 = 2; 10 x 0.04 x 1.2 = 0.48 -> 1; 2 + 100.
    assert capacity.lambda_concurrency == 1
    assert capacity.lambda_peak_concurrency == 2
    assert capacity.provisioned_concurrency == 1
    assert capacity.account_concurrency == 102
    # 9 reads + 1 version check = 10 units; 10 / 0.7 = 14.3 -> 15. 1 write x 2 units = 2; 2 / 0.7 = 2.9 -> 3.
    assert (capacity.dynamodb_read_units, capacity.provisioned_rcu) == (10, 15)
    assert (capacity.dynamodb_write_units, capacity.provisioned_wcu) == (2, 3)
    assert (capacity.cache_data_bytes, capacity.cache_memory_bytes) == (0, 0)
    assert capacity.stream_shards == 1
    assert (capacity.api_rate_limit, capacity.api_burst_limit) == (12, 6)
    assert capacity.quotas_to_raise == ()
    assert len(capacity.quotas) == 8


def test_figures_round_up_only_when_not_whole():
    assert plan(PLAIN).lambda_concurrency == 1
    assert plan(PLAIN).provisioned_concurrency == 1
    assert plan(replace(PLAIN, requests_per_minute=61)).lambda_concurrency == 2
    assert plan(replace(PLAIN, requests_per_minute=61)).provisioned_concurrency == 2
    # 1 read unit consumed / 0.7 = 1.43 -> 2 provisioned; 7 / 0.7 = 10 exactly.
    assert plan(PLAIN).provisioned_rcu == 2
    assert plan(replace(PLAIN, requests_per_minute=7 * 60)).provisioned_rcu == 10
    # 3 per second x 1.1 = 3.3 -> 4; 10 per second x 1.1 = 11 exactly.
    assert plan(replace(PLAIN, requests_per_minute=180, headroom_percent=10)).api_rate_limit == 4
    assert plan(replace(PLAIN, requests_per_minute=600, headroom_percent=10)).api_rate_limit == 11
    assert plan(replace(PLAIN, requests_per_minute=180)).api_burst_limit == 2


def test_arithmetic_is_exact_where_floating_point_is_not():
    # 21 per second: 18.9 reads + 2.1 version checks = 21 units; 21 / 0.7 = 30 (floats: 30.000000000000004).
    assert plan(replace(SMALL, requests_per_minute=1260)).provisioned_rcu == 30


def test_zero_writes_need_no_write_units_but_the_minimum_provisioned_and_one_shard():
    capacity = plan(replace(SMALL, read_percent=100))
    assert capacity.writes_per_second == 0
    assert capacity.dynamodb_write_units == 0
    assert capacity.provisioned_wcu == 1
    assert capacity.stream_shards == 1
    # 10 reads x 1 unit, no version checks.
    assert capacity.dynamodb_read_units == 10


def test_only_writes_still_read_each_item_before_writing_it():
    capacity = plan(replace(SMALL, read_percent=0))
    # 10 writes: 10 strongly consistent version checks of 1 unit, 10 x 2 write units.
    assert (capacity.dynamodb_read_units, capacity.dynamodb_write_units) == (10, 20)


@pytest.mark.parametrize(
    ("item_bytes", "strong", "eventual"),
    [(1, 1, Fraction(1, 2)), (4096, 1, Fraction(1, 2)), (4097, 2, 1), (8192, 2, 1), (409_600, 100, 50)],
)
def test_read_units_count_4_kb_blocks_and_half_when_eventually_consistent(item_bytes, strong, eventual):
    assert read_units_per_read(item_bytes, strongly_consistent=True) == strong
    assert read_units_per_read(item_bytes, strongly_consistent=False) == eventual


@pytest.mark.parametrize(("item_bytes", "units"), [(1, 1), (1024, 1), (1025, 2), (2048, 2), (409_600, 400)])
def test_write_units_count_1_kb_blocks(item_bytes, units):
    assert write_units_per_write(item_bytes) == units


def test_eventually_consistent_gets_cost_half_but_version_checks_do_not():
    capacity = plan(replace(SMALL, strongly_consistent_reads=False))
    # 9 reads x ½ + 1 version check x 1 = 5.5 -> 6.
    assert capacity.dynamodb_read_units == 6


def test_the_cache_takes_its_hit_ratio_off_the_table_reads():
    capacity = plan(replace(SMALL, requests_per_minute=6000, cache_hit_percent=75, working_set_items=1000))
    # 90 reads x 25% misses + 10 version checks = 32.5 -> 33.
    assert capacity.dynamodb_read_units == 33
    # 1,000 x (2,048 + 100) = 2,148,000 bytes; / 0.75 = 2,864,000.
    assert (capacity.cache_data_bytes, capacity.cache_memory_bytes) == (2_148_000, 2_864_000)


def test_shards_follow_bytes_or_records_whichever_binds():
    # 1,000 records of 1,048 bytes (1 MiB / 1,000 = 1,048.6): records bind, exactly 1 shard.
    assert stream_shards(Fraction(1000), 1048) == 1
    assert stream_shards(Fraction(1001), 1048) == 2
    # 100 records of 10,486 bytes: 1,048,600 bytes > 1 MiB, bytes bind.
    assert stream_shards(Fraction(100), 10_485) == 1
    assert stream_shards(Fraction(100), 10_486) == 2
    assert stream_shards(Fraction(0), 4608) == 1


def quota_at(workload: Workload, quota: str) -> QuotaCheck:
    return needed(plan(workload), quota)


def test_a_figure_exactly_at_a_quota_fits_and_one_more_must_be_raised():
    # 900 per second for 1 s: 900 + 100 unreserved = 1,000, the default account concurrency.
    lam = "Lambda: Concurrent executions"
    assert quota_at(replace(PLAIN, requests_per_minute=900 * 60), lam) == QuotaCheck(lam, 1000, 1000)
    assert not quota_at(replace(PLAIN, requests_per_minute=900 * 60), lam).exceeded
    assert quota_at(replace(PLAIN, requests_per_minute=901 * 60), lam).exceeded
    # 10,000 per second with no headroom: rate 10,000, burst 5,000, both exactly the defaults.
    rate, burst = (
        "API Gateway: Throttle rate (account, per Region)",
        "API Gateway: Throttle burst rate (account, per Region)",
    )
    at_rate = replace(PLAIN, requests_per_minute=600_000, p50_ms=1, p99_ms=1)
    assert (quota_at(at_rate, rate).needed, quota_at(at_rate, burst).needed) == (10_000, 5_000)
    assert plan(at_rate).quotas_to_raise == ()
    above = replace(at_rate, requests_per_minute=600_060)
    assert [check.quota for check in plan(above).quotas_to_raise] == [rate, burst]
    # 28,000 reads per second of one unit: 28,000 / 0.7 = 40,000 RCU, the table-level default.
    table = "DynamoDB: Table-level read throughput limit"
    at_table = replace(at_rate, requests_per_minute=28_000 * 60)
    assert quota_at(at_table, table) == QuotaCheck(table, 40_000, 40_000)
    assert quota_at(replace(at_table, requests_per_minute=28_001 * 60), table).exceeded
    # 1,000,000 writes per second of 514-byte records: the records bind, 1,000 shards, the default.
    shards = "Kinesis Data Streams: shards per account and Region"
    at_shards = replace(at_rate, requests_per_minute=60_000_000, read_percent=0)
    assert quota_at(at_shards, shards) == QuotaCheck(shards, 1_000, 1_000)
    assert quota_at(replace(at_shards, requests_per_minute=60_000_060), shards).exceeded


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"requests_per_minute": 0}, "requests_per_minute must be positive, got 0"),
        ({"item_bytes": 0}, "item_bytes must be between 1 and 409600 (DynamoDB's item limit), got 0"),
        ({"item_bytes": 409_601}, "item_bytes must be between 1 and 409600 (DynamoDB's item limit), got 409601"),
        ({"read_percent": 101}, "read_percent must be between 0 and 100, got 101"),
        ({"cache_hit_percent": -1}, "cache_hit_percent must be between 0 and 100, got -1"),
        ({"p50_ms": 0}, "p50_ms must be positive, got 0"),
        ({"p99_ms": 39}, "p99_ms must be at least p50_ms (40), got 39"),
        ({"working_set_items": -1}, "working_set_items must not be negative, got -1"),
        ({"headroom_percent": -5}, "headroom_percent must not be negative, got -5"),
    ],
)
def test_a_workload_outside_the_model_is_refused(change, message):
    with pytest.raises(CapacityError) as error:
        plan(replace(SMALL, **change))
    assert str(error.value) == message


def test_the_seed_table_lists_the_quotas_to_raise_with_the_figures():
    text = markdown(SEED_002)
    assert "| provisioned concurrency | 40,000 | rate × p50 × (1 + headroom) |" in text
    assert "| Kinesis Data Streams: shards per account and Region | 1,000 | 367 | fits |" in text
    assert text.endswith(
        "Quotas to raise before deploying (Service Quotas console, or a support case):\n\n"
        "- Lambda: Concurrent executions: to at least 166,767\n"
        "- API Gateway: Throttle rate (account, per Region): to at least 1,000,000\n"
        "- API Gateway: Throttle burst rate (account, per Region): to at least 500,000\n"
        "- DynamoDB: Table-level read throughput limit: to at least 226,191\n"
        "- DynamoDB: Table-level write throughput limit: to at least 238,096\n"
        "- DynamoDB: Account-level read throughput limit (Provisioned mode): to at least 226,191\n"
        "- DynamoDB: Account-level write throughput limit (Provisioned mode): to at least 238,096\n"
    )
    assert markdown(SMALL).endswith("\nQuotas to raise: none; every figure fits the default quotas.\n")


def test_docs_capacity_md_is_what_the_script_writes(tmp_path):
    written = tmp_path / "docs" / "capacity.md"
    assert main(["--write-docs", "--docs", str(written)]) == 0
    assert written.read_text() == docs()
    assert DOCS.read_text() == docs(), "docs/capacity.md is stale: run scripts/capacity --write-docs"
    assert docs().count("\n## ") == 2


def test_the_cli_prints_the_table_for_the_given_inputs(capsys):
    assert main(["--rps", "10", "--item-bytes", "2048", "--name", "A small deployment: 600 requests per minute"]) == 0
    assert capsys.readouterr().out == markdown(SMALL)
    assert main(["--rpm", "600", "--item-bytes", "2048", "--eventually-consistent", "--read-percent", "100"]) == 0
    assert "| DynamoDB read units per second (on-demand RRU) | 5 |" in capsys.readouterr().out


def test_the_cli_refuses_a_bad_workload_with_one_line(capsys):
    assert main(["--rpm", "600", "--item-bytes", "2048", "--p99-ms", "10"]) == 2
    assert capsys.readouterr() == ("", "error: p99_ms must be at least p50_ms (40), got 10\n")


def test_the_cli_needs_a_rate_and_an_item_size(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--rpm", "600"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.endswith(
        "scripts/capacity: error: --rpm or --rps, and --item-bytes, are required (or --write-docs)\n"
    )


def test_scripts_capacity_runs_the_model():
    result = subprocess.run(
        [
            ROOT / "scripts" / "capacity",
            "--rpm",
            "50000000",
            "--item-bytes",
            "2048",
            "--cache-hit-percent",
            "90",
            "--working-set-items",
            "10000000",
            "--name",
            SEED_002.name,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == markdown(SEED_002)


def test_the_variables_provision_the_figures():
    capacity = plan(SEED_002)
    assert tfvars(capacity) == {
        "api_throttle_rate_limit": 1_000_000,
        "api_throttle_burst_limit": 500_000,
        "lambda_reserved_concurrency": 166_667,
        "provisioned_concurrency": 40_000,
        "provisioned_concurrency_min": 40_000,
        "provisioned_concurrency_max": 166_667,
        "dynamodb_read_capacity_min": 158_334,
        "dynamodb_read_capacity_max": 226_191,
        "dynamodb_write_capacity_min": 166_667,
        "dynamodb_write_capacity_max": 238_096,
        "dynamodb_target_utilization": 70,
        "item_stream_mode": "PROVISIONED",
        "item_stream_shard_count": 367,
    }
    text = tfvars_text(SEED_002)
    assert "# Raise first: API Gateway: Throttle rate (account, per Region) to at least 1,000,000\n" in text
    assert 'item_stream_mode            = "PROVISIONED"\n' in text


# The proven combination the model sizes: one region, provisioned concurrency, a Kinesis stream.
SCALE = next(c for c in PROVEN if c.get("scale") == "on" and c["regions"] == "1")
SCALE_ACCOUNT = "666666666666"  # an emulated account of its own (tests/rehearsal/cycles.py lists the others)


@pytest.mark.rehearsal
def test_the_figures_for_50_million_requests_a_minute_plan_with_the_scale_bundle(emulator, synth_of, tmp_path):
    """The model's output is accepted by every validation of the stack it sizes: values above AWS's
    default quotas are for accounts that raised them, not refused."""
    root = tmp_path / "bundle"
    shutil.copytree(synth_of(**SCALE).bundle, root)
    (root / "capacity.tfvars").write_text(tfvars_text(SEED_002))
    workspace = Workspace(emulator, root, SCALE_ACCOUNT).prepare()
    workspace.init()
    variables = (f"-var-file={FIXTURES / 'deploy.tfvars'}", "-var-file=capacity.tfvars")
    workspace.terraform("plan", "-refresh=false", "-input=false", "-out=tfplan", *variables)
    resources = workspace.show_json("tfplan")["planned_values"]["root_module"]["resources"]
    planned = {resource["address"]: resource.get("values", {}) for resource in resources}
    stage = planned["aws_api_gateway_method_settings.tap_stack_method_settings"]["settings"][0]
    assert (stage["throttling_rate_limit"], stage["throttling_burst_limit"]) == (1_000_000, 500_000)
    assert planned["aws_appautoscaling_target.tap_stack_data_read_target"]["max_capacity"] == 226_191
    assert (
        planned["aws_lambda_provisioned_concurrency_config.tap_stack_lambda_provisioned"][
            "provisioned_concurrent_executions"
        ]
        == 40_000
    )
    assert planned["aws_kinesis_stream.tap_stack_item_stream"]["shard_count"] == 367
