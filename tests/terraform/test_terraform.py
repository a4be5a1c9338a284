"""The generated configuration through the real Terraform CLI: init, validate, test, plan."""

import json
import re
import shutil
from collections import defaultdict
from functools import partial

import pytest

from stacks.variables import variables_for
from tapgen.combinations import LARGEST, label
from tapgen.config import SynthConfig
from tests.terraform.conftest import (
    COMBINATION_IDS,
    COMBINATIONS,
    TFTEST_DIR,
    fresh_root,
    in_parallel,
    init,
    terraform,
)
from tests.terraform.generated_tftest import (
    cache_tftest,
    member_alarms,
    names_tftest,
    regions_tftest,
    unchecked_names,
)

MESSAGES_DIR = TFTEST_DIR.parent / "messages"

# The only warning the configuration may cause: provider 5.x deprecates `reset_on_delete`, which
# provider 6 drops because it then always resets the API Gateway account setting on delete.
ALLOWED_WARNINGS = ['The "reset_on_delete" attribute will be removed in a future version of the provider']


@pytest.mark.parametrize("which", ["bundle", "cdktf_out"])
def test_each_output_directory_is_a_valid_root_module(synth, tmp_path, which):
    source = synth.bundle if which == "bundle" else synth.stack_dir
    target = tmp_path / "root"
    shutil.copytree(source, target)
    init(target, backend=False)
    result = json.loads(terraform(target, "validate", "-json").stdout)
    assert result["valid"] is True
    assert [d["detail"] for d in result["diagnostics"] if d["severity"] == "warning"] == ALLOWED_WARNINGS
    assert result["error_count"] == 0


def _smallest(**wanted: str) -> dict[str, str]:
    """The proven combination with the fewest resources among those that set `wanted`: a message
    file stops at validation, yet Terraform plans the rest of the bundle around it."""
    return min((c for c in COMBINATIONS if wanted.items() <= c.items()), key=len)


def _wiring_proven_here(combination: dict[str, str]) -> bool:
    """Whether `combination` is the smallest with its regions and WAF setting: regions.tftest.hcl
    (every region's wiring) runs there only. Turning another option on keeps every address of the
    smaller stack with its configuration, placement included (tests/stacks/test_combinations.py)."""
    return combination == _smallest(regions=combination["regions"], waf=combination["waf"])


# The combinations `terraform test` runs on: the wiring's, and the largest (names).
TESTED = [c for c in COMBINATIONS if _wiring_proven_here(c) or c == LARGEST]


def _tftest_files(document: dict, combination: dict[str, str], largest: dict) -> dict[str, str]:
    """The test files for one combination of `TESTED`: the shared mocks; on the default stack the
    core contract (stack.tftest.hcl: 12 runs, about 80 s; the other combinations contain the same
    core resources, and tests/stacks pins their configuration to the default's); every region's
    wiring (generated) where `_wiring_proven_here`; and every physical name at the longest allowed
    inputs (generated from the synthesized JSON) on the largest stack (regions=3 with every option:
    the most names), and on a combination with resource types the largest lacks (`cache=dax`); and
    the member clusters the item cache's alarms watch (generated) where they exist (the largest:
    `cache=elasticache` in every region)."""
    files = {"aws.tfmock.hcl": (TFTEST_DIR / "aws.tfmock.hcl").read_text()}
    regions, waf = combination["regions"], combination["waf"]
    if combination == COMBINATIONS[0]:
        files["stack.tftest.hcl"] = (TFTEST_DIR / "stack.tftest.hcl").read_text()
    if _wiring_proven_here(combination):
        files["regions.tftest.hcl"] = regions_tftest(int(regions), waf == "on")
    if combination == LARGEST or set(document["resource"]) - set(largest["resource"]):
        files["names.tftest.hcl"] = names_tftest(document)
    if member_alarms(document):
        files["cache.tftest.hcl"] = cache_tftest(document)
    return files


def _runs(files: dict[str, str]) -> int:
    return sum(len(re.findall(r'^run "', text, re.M)) for text in files.values())


@pytest.fixture(scope="module")
def combination_results(synth_of, tmp_path_factory) -> dict:
    """For every combination, in parallel: a fresh initialised copy of its bundle, `terraform
    validate -json` (before any test file is there), then, for those of `TESTED`, `terraform test`
    with its files."""
    synths = {label(c): synth_of(**c) for c in COMBINATIONS}
    roots = {label(c): tmp_path_factory.mktemp(label(c)) / "tap_stack" for c in COMBINATIONS}

    def job(combination):
        key = label(combination)
        root = fresh_root(synths[key].bundle, roots[key])
        validate = json.loads(terraform(root, "validate", "-json").stdout)
        if combination not in TESTED:
            return validate, {}, None
        files = _tftest_files(synths[key].document, combination, synths[label(LARGEST)].document)
        (root / "tests").mkdir()
        for name, text in files.items():
            (root / "tests" / name).write_text(text)
        return validate, files, terraform(root, "test", check=False)

    return in_parallel({label(c): partial(job, c) for c in COMBINATIONS})


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_every_combination_validates(combination_results, combination):
    validate, _files, _test = combination_results[label(combination)]
    assert validate["valid"] is True, validate["diagnostics"]
    assert validate["error_count"] == 0
    assert {d["detail"] for d in validate["diagnostics"] if d["severity"] == "warning"} == set(ALLOWED_WARNINGS)


@pytest.mark.parametrize("combination", TESTED, ids=[label(c) for c in TESTED])
def test_terraform_test_with_mocked_provider_passes(combination_results, combination):
    _validate, files, result = combination_results[label(combination)]
    assert f"Success! {_runs(files)} passed, 0 failed." in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_every_name_attribute_has_a_limit(synth_of, combination):
    """names.tftest.hcl is generated from NAME_LIMITS: a new resource type with a physical name
    must get its AWS limit there, or its name would go unchecked."""
    assert unchecked_names(synth_of(**combination).document) == []


GRANTS = (
    '{"arn:aws:iam::111111111111:role/batch":["*"],"arn:aws:iam::111111111111:role/empty":[],'
    '"arn:aws:iam::111111111111:role/spaces":["tenant a","*"],'
    '"arn:aws:sts::111111111111:assumed-role/client/session":["tenant-a"]}'
)

# tags_bad_values.tftest.hcl's map as `jsonencode` writes it (keys sorted).
BAD_TAGS = json.dumps(
    {"AWS:cost": "cc-1", "CostCentre": "cc#42", **{f"t{i:02d}": "v" for i in range(1, 45)}}, separators=(",", ":")
)
LONG_DOMAIN = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 58, "com"])  # 254 characters

# Every file in tests/terraform/messages/ but good_values.tftest.hcl is one failing run, and reports
# exactly these messages (each the whole text Terraform prints, in any order).
BAD_VALUE_MESSAGES = {
    "bad_values.tftest.hcl": [
        'aws_region = "mars-north" is not allowed: expected an AWS region such as us-east-1.',
        'project_name = "TAP" is not allowed: expected 2-16 characters: a-z, 0-9 and -, starting with a letter.',
        'environment = "prod env" is not allowed: expected 2-10 characters: a-z and 0-9, starting with a letter.',
        'environment_suffix = "-x" is not allowed: expected empty or 1-10 characters: a-z, 0-9 and -.',
        'owner = "" is not allowed: expected 1-128 characters allowed in AWS tag values.',
        'dynamodb_table_name = "t" is not allowed: expected empty (derive the name) or 3-255 characters: '
        "A-Z, a-z, 0-9, _ . -.",
        'lambda_log_bucket_name = "Not_A_Bucket" is not allowed: expected an S3 bucket name: 3-63 characters, '
        "a-z, 0-9, . and -, starting and ending with a letter or digit.",
        'allowed_ip_ranges = ["203.0.113.0/33"] is not allowed: expected CIDR blocks such as "203.0.113.0/24" '
        'or "2001:db8::/32"; not a CIDR block: "203.0.113.0/33".',
        "lambda_timeout = 1000 is not allowed: expected a whole number from 1 to 900 seconds.",
        "lambda_memory_size = 64 is not allowed: expected a whole number from 128 to 10240 MB.",
        "log_retention_days = 42 is not allowed: expected one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, "
        "365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653.",
        "log_archive_retention_days = 30 is not allowed: expected a whole number from 91 to 3650 days.",
        "api_throttle_burst_limit = 0 is not allowed: expected a whole number of at least 1 requests.",
        "api_throttle_rate_limit = 2.5 is not allowed: expected a whole number of at least 1 requests per second.",
        "metrics_throttle_burst_limit = 0 is not allowed: expected a whole number of at least 1 requests.",
        "metrics_throttle_rate_limit = 0.5 is not allowed: expected a whole number of at least 1 requests per second.",
        "api_cache_enabled = true is not allowed: expected false (API Gateway's stage cache answers before the "
        "function checks the caller's tenant grant, and an AWS_IAM identity cannot be part of its cache key, so a "
        "caller could read another tenant's cached items; synthesize with cache=elasticache or cache=dax for a "
        "read cache behind the grant check).",
        'log_archive_object_lock_mode = "LEGAL_HOLD" is not allowed: expected one of "GOVERNANCE", "COMPLIANCE".',
        'cors_allow_origin = "http://app.example.com" is not allowed: expected * or one https origin (https://, '
        "a lowercase host name, optionally a port from 1 to 65535 other than 443, nothing after it) such as "
        "https://app.example.com.",
        "api_latency_threshold_ms = 1.5 is not allowed: expected a whole number from 50 to 29000 ms.",
        'alarm_email = "not-an-email" is not allowed: expected empty or one e-mail address such as '
        "oncall@example.com (at most 254 characters).",
        "data_retention_days = -1 is not allowed: expected a whole number from 0 to 3650 days.",
        "dynamodb_read_capacity_min = 0 is not allowed: expected a whole number of at least 1 units.",
        "dynamodb_write_capacity_min = 0.5 is not allowed: expected a whole number of at least 1 units.",
        "dynamodb_target_utilization = 95 is not allowed: expected a whole number from 20 to 90 percent.",
        'stack_lifecycle = "temporary" is not allowed: expected one of "durable", "ephemeral".',
    ],
    "tenant_grants.tftest.hcl": [
        f"tenant_grants = {GRANTS} is not allowed: expected IAM role or user ARNs without a path "
        "(arn:aws:iam::123456789012:role/name) as keys; not one: "
        '"arn:aws:sts::111111111111:assumed-role/client/session".',
        f"tenant_grants = {GRANTS} is not allowed: expected for each principal a non-empty list of tenant ids "
        "(1-64 characters: "
        'A-Z, a-z, 0-9, _ and -) or ["*"] for all tenants; bad list for: "arn:aws:iam::111111111111:role/empty", '
        '"arn:aws:iam::111111111111:role/spaces".',
        "secret_rotation_days = 0 is not allowed: expected a whole number from 1 to 90 days.",
    ],
    "log_archive_break_glass.tftest.hcl": [
        'log_archive_break_glass_principal_arn = "arn:aws:sts::123456789012:assumed-role/admin/alice" is not '
        "allowed: expected empty (nobody) or the ARN of one IAM role or user such as "
        "arn:aws:iam::123456789012:role/log-archive-break-glass.",
        'log_archive_object_lock = true is not allowed: expected false when stack_lifecycle = "ephemeral" (its '
        "destroy deletes every object version, which a lock forbids).",
    ],
    "ip_ranges_empty.tftest.hcl": [
        'allowed_ip_ranges = [] is not allowed: expected at least one CIDR such as "203.0.113.0/24".',
    ],
    "ip_ranges_not_canonical.tftest.hcl": [
        'allowed_ip_ranges = ["203.0.113.0/24","10.0.0.1/24","2001:DB8::/32"] is not allowed: expected network '
        'addresses in canonical form, with no host bits set; "10.0.0.1/24" should be "10.0.0.0/24", '
        '"2001:DB8::/32" should be "2001:db8::/32".',
    ],
    "ip_ranges_too_wide.tftest.hcl": [
        'allowed_ip_ranges = ["0.0.0.0/0","10.0.0.0/7","10.0.0.0/8","::/0","2001:db8::/31","2001:db8::/32"] is '
        "not allowed: expected IPv4 prefixes of /8 or longer and IPv6 prefixes of /32 or longer unless "
        'allow_wide_ip_ranges = true; too wide: "0.0.0.0/0", "10.0.0.0/7", "::/0", "2001:db8::/31".',
    ],
    "ip_ranges_repeated.tftest.hcl": [
        'allowed_ip_ranges = ["203.0.113.0/24","198.51.100.0/24","203.0.113.0/24"] is not allowed: expected each '
        'CIDR block once; repeated: "203.0.113.0/24".',
    ],
    "bucket_adjacent_periods.tftest.hcl": [
        'lambda_log_bucket_name = "acme..logs" is not allowed: expected an S3 bucket name without two adjacent '
        "periods.",
    ],
    "bucket_ip_form.tftest.hcl": [
        'lambda_log_bucket_name = "192.168.5.4" is not allowed: expected an S3 bucket name that is not formatted '
        "as an IP address.",
    ],
    "bucket_reserved_prefix.tftest.hcl": [
        'lambda_log_bucket_name = "xn--acme-logs" is not allowed: expected an S3 bucket name that does not start '
        "with a prefix S3 reserves (xn--, sthree-, amzn-s3-demo-).",
    ],
    "bucket_reserved_suffix.tftest.hcl": [
        'lambda_log_bucket_name = "acme-logs--table-s3" is not allowed: expected an S3 bucket name that does not '
        "end with a suffix S3 reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3).",
    ],
    "capacity_inverted.tftest.hcl": [
        "dynamodb_read_capacity_max = 5 is not allowed: expected at least dynamodb_read_capacity_min = 10.",
        "dynamodb_write_capacity_max = 19 is not allowed: expected at least dynamodb_write_capacity_min = 20.",
    ],
    "capacity_max_out_of_range.tftest.hcl": [
        "dynamodb_read_capacity_max = 7.5 is not allowed: expected a whole number of at least 1 units.",
        "dynamodb_write_capacity_max = 0 is not allowed: expected a whole number of at least 1 units.",
        "dynamodb_write_capacity_max = 0 is not allowed: expected at least dynamodb_write_capacity_min = 5.",
    ],
    "tags_bad_values.tftest.hcl": [
        f"tags = {BAD_TAGS} is not allowed: expected keys of 1-128 characters (letters, digits, spaces and "
        '_ . : / = + @ -) not starting with aws:; bad keys: "AWS:cost".',
        f"tags = {BAD_TAGS} is not allowed: expected values of at most 256 characters (letters, digits, spaces "
        'and _ . : / = + @ -); bad values for: "CostCentre".',
        f"tags = {BAD_TAGS} is not allowed: expected at most 45 tags (AWS allows 50 per resource, and the stack "
        "sets 5: Project, Environment, Owner, ManagedBy, Name).",
    ],
    "account_controls_bad_values.tftest.hcl": [
        "password_minimum_length = 5 is not allowed: expected a whole number from 6 to 128 characters.",
        "password_max_age_days = 1096 is not allowed: expected a whole number from 1 to 1095 days.",
        "password_reuse_prevention = 25 is not allowed: expected a whole number from 1 to 24 passwords.",
    ],
    "reserved_concurrency.tftest.hcl": [
        "lambda_reserved_concurrency = -2 is not allowed: expected -1 (no reservation) or a whole number of "
        "at least 0 executions.",
        "lambda_account_concurrency = 0 is not allowed: expected a whole number of at least 1 executions.",
    ],
    "options_bad_values.tftest.hcl": [
        'vpc_cidr = "10.40.0.0/8" is not allowed: expected an IPv4 network address in canonical form with a prefix '
        "from /16 to /24, such as 10.40.0.0/16.",
        'admin_cidr = "0.0.0.0/0" is not allowed: expected empty or an IPv4 CIDR block of /8 or longer, such as '
        "203.0.113.0/24.",
        "provisioned_concurrency = 0 is not allowed: expected a whole number of at least 1 executions.",
        "provisioned_concurrency_max = 3 is not allowed: expected at least provisioned_concurrency_min (5).",
        "provisioned_concurrency_utilization = 0.95 is not allowed: expected a fraction from 0.1 to 0.9.",
        'item_stream_mode = "BURST" is not allowed: expected one of "ON_DEMAND", "PROVISIONED".',
        "item_stream_shard_count = 0 is not allowed: expected a whole number of at least 1 shards.",
        "item_stream_retention_hours = 12 is not allowed: expected a whole number from 24 to 8760 hours.",
        'cache_node_type = "t4g.small" is not allowed: expected an ElastiCache node type such as cache.t4g.small.',
        "cache_node_count = 7 is not allowed: expected a whole number from 1 to 6 nodes.",
        "cache_ttl_seconds = 0 is not allowed: expected a whole number from 1 to 300 seconds.",
    ],
    "dax_bad_values.tftest.hcl": [
        'cache_node_type = "cache.t4g.small" is not allowed: expected a DAX node type such as dax.t3.small.',
        "cache_node_count = 11 is not allowed: expected a whole number from 1 to 10 nodes.",
        "cache_ttl_seconds = 301 is not allowed: expected a whole number from 1 to 300 seconds.",
    ],
    "options_above_reservation.tftest.hcl": [
        "provisioned_concurrency_max = 10 is not allowed: expected at most lambda_reserved_concurrency (5) when "
        "that is set.",
    ],
    "options_out_of_range.tftest.hcl": [
        "provisioned_concurrency_max = 2.5 is not allowed: expected a whole number of at least 1 executions.",
    ],
    "options_min_out_of_range.tftest.hcl": [
        "provisioned_concurrency_min = 0 is not allowed: expected a whole number of at least 1 executions.",
    ],
    "regions_bad_values.tftest.hcl": [
        'secondary_region = "us-east-1" is not allowed: expected a region other than aws_region = us-east-1.',
        'domain_name = "API.example.com" is not allowed: expected a lowercase DNS name such as api.example.com.',
        'hosted_zone_id = "X12" is not allowed: expected a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ.',
        "athena_results_retention_days = 0 is not allowed: expected a whole number from 1 to 3650 days.",
        'canary_schedule_expression = "rate(61 minutes)" is not allowed: expected rate(1 minute), rate(N minutes) '
        "with N from 2 to 60, rate(1 hour) or cron(...).",
        "canary_artifact_retention_days = 3651 is not allowed: expected a whole number from 1 to 3650 days.",
        'log_replica_storage_class = "REDUCED_REDUNDANCY" is not allowed: expected one of "STANDARD", '
        '"INTELLIGENT_TIERING", "STANDARD_IA", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE".',
        "waf_rate_limit = 9 is not allowed: expected a whole number from 10 to 2000000000 requests per 5 minutes.",
        "waf_tenant_rate_limit = 2000000001 is not allowed: expected a whole number from 10 to 2000000000 "
        "requests per 5 minutes.",
    ],
    "regions_tertiary_repeats_secondary.tftest.hcl": [
        'tertiary_region = "us-west-2" is not allowed: expected a region other than aws_region = us-east-1 and '
        "secondary_region = us-west-2.",
        f'domain_name = "{LONG_DOMAIN}" is not allowed: expected at most 253 characters.',
        'canary_schedule_expression = "rate(1 minutes)" is not allowed: expected rate(1 minute), rate(N minutes) '
        "with N from 2 to 60, rate(1 hour) or cron(...).",
    ],
    "regions_secondary_format.tftest.hcl": [
        'secondary_region = "us-west" is not allowed: expected an AWS region such as us-west-2.',
        "waf_rate_limit = 2000000001 is not allowed: expected a whole number from 10 to 2000000000 requests per "
        "5 minutes.",
    ],
    "regions_tertiary_format.tftest.hcl": [
        'tertiary_region = "eu-central" is not allowed: expected an AWS region such as eu-central-1.',
    ],
    "origin_and_email.tftest.hcl": [
        'cors_allow_origin = "https://app.example.com:443" is not allowed: expected * or one https origin '
        "(https://, a lowercase host name, optionally a port from 1 to 65535 other than 443, nothing after it) "
        "such as https://app.example.com.",
        'alarm_email = "oncall@localhost" is not allowed: expected empty or one e-mail address such as '
        "oncall@example.com (at most 254 characters).",
    ],
}
GOOD_VALUES = ("good_values.tftest.hcl", "regions_good_values.tftest.hcl")


# Message files by the bundle they run on (a header each: `<bundle>.header.hcl` has the provider
# mocks and required variables; `default` holds every file named nowhere else): the smallest bundle
# that declares every variable the file sets.
MESSAGE_BUNDLES = {
    "default": COMBINATIONS[0],
    "regions": _smallest(regions="3", waf="on"),
    "options": _smallest(scale="on", item_stream="kinesis", cache="elasticache"),
    "dax": _smallest(cache="dax"),
    "account": _smallest(account_controls="on"),
}
MESSAGE_HEADERS = {"default": "default", "regions": "regions", "options": "default", "dax": "dax", "account": "default"}
MESSAGE_FILES = {
    "regions": {
        "regions_bad_values.tftest.hcl",
        "regions_tertiary_repeats_secondary.tftest.hcl",
        "regions_secondary_format.tftest.hcl",
        "regions_tertiary_format.tftest.hcl",
        "regions_good_values.tftest.hcl",
    },
    "options": {
        "options_bad_values.tftest.hcl",
        "options_out_of_range.tftest.hcl",
        "options_above_reservation.tftest.hcl",
        "options_min_out_of_range.tftest.hcl",
    },
    "dax": {"dax_bad_values.tftest.hcl"},
    "account": {"account_controls_bad_values.tftest.hcl"},
}
VALIDATION_SUMMARY = "Invalid value for variable"
CHECKED_BY = "\n\nThis was checked by the validation rule"


def _test_results(stdout: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """From `terraform test -json`: the error messages and the final status of each test file."""
    errors: dict[str, list[str]] = defaultdict(list)
    status: dict[str, str] = {}
    for line in stdout.splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            continue
        name = event.get("@testfile", "").rsplit("/", 1)[-1]
        if event.get("type") == "diagnostic" and event["diagnostic"]["severity"] == "error":
            diagnostic = event["diagnostic"]
            if diagnostic["summary"] == VALIDATION_SUMMARY:
                errors[name].append(diagnostic["detail"].split(CHECKED_BY)[0])
            else:  # anything but a validation message is a defect of the test or the configuration
                errors[name].append(f"{diagnostic['summary']}: {diagnostic.get('detail', '')}")
        elif event.get("type") == "test_file" and event["test_file"].get("progress") == "complete":
            status[name] = event["test_file"]["status"]
    return errors, status


@pytest.fixture(scope="module")
def message_results(synth_of, tmp_path_factory):
    """Each bundle's message files, each behind its bundle's header (`<bundle>.header.hcl`: provider
    mocks, required variables), the `terraform test` runs in parallel."""
    elsewhere = set().union(*MESSAGE_FILES.values())
    groups = {
        "default": sorted(p.name for p in MESSAGES_DIR.glob("*.tftest.hcl") if p.name not in elsewhere),
        **{bundle: sorted(files) for bundle, files in MESSAGE_FILES.items()},
    }
    synths = {bundle: synth_of(**combination) for bundle, combination in MESSAGE_BUNDLES.items()}
    roots = {c: tmp_path_factory.mktemp(f"messages-{c}") / "tap_stack" for c in groups}

    def job(combination):
        root = fresh_root(synths[combination].bundle, roots[combination])
        (root / "messages").mkdir()
        header = (MESSAGES_DIR / f"{MESSAGE_HEADERS[combination]}.header.hcl").read_text()
        for name in groups[combination]:
            (root / "messages" / name).write_text(header + "\n" + (MESSAGES_DIR / name).read_text())
        shutil.copytree(TFTEST_DIR, root / "tests")  # the shared provider mocks
        result = terraform(root, "test", "-test-directory=messages", "-json", check=False)
        assert result.returncode != 0
        return _test_results(result.stdout)

    errors: dict[str, list[str]] = defaultdict(list)
    status: dict[str, str] = {}
    for group_errors, group_status in in_parallel({c: partial(job, c) for c in groups}).values():
        errors.update(group_errors)
        status.update(group_status)
    return errors, status


@pytest.mark.parametrize("name", sorted(BAD_VALUE_MESSAGES))
def test_bad_values_fail_at_plan_with_exactly_their_messages(message_results, name):
    errors, status = message_results
    assert status[name] == "error"
    assert sorted(errors[name]) == sorted(BAD_VALUE_MESSAGES[name])


@pytest.mark.parametrize("name", GOOD_VALUES)
def test_good_values_pass_every_validation(message_results, name):
    errors, status = message_results
    assert errors[name] == []
    assert status[name] == "pass"


def test_every_messages_file_is_checked():
    assert {p.name for p in MESSAGES_DIR.glob("*.tftest.hcl")} == {*BAD_VALUE_MESSAGES, *GOOD_VALUES}
    assert {*BAD_VALUE_MESSAGES, *GOOD_VALUES} >= set().union(*MESSAGE_FILES.values())


def _template_pattern(template: str) -> re.Pattern:
    """A regex for the texts a Terraform message template renders: each `${...}` matches anything."""
    parts, depth, literal = [], 0, []
    i = 0
    while i < len(template):
        if depth == 0 and template.startswith("${", i):
            parts.append(re.escape("".join(literal)))
            literal, depth = [], 1
            i += 2
            continue
        if depth:
            depth += {"{": 1, "}": -1}.get(template[i], 0)
            if depth == 0:
                parts.append(".*?")
        else:
            literal.append(template[i])
        i += 1
    parts.append(re.escape("".join(literal)))
    return re.compile("".join(parts))


def test_every_validation_message_is_pinned_by_a_bad_value_case():
    pinned = [message for messages in BAD_VALUE_MESSAGES.values() for message in messages]
    # every variable of every option, and the cache variables of both engines
    for spec in (*variables_for(SynthConfig(**LARGEST)), *variables_for(SynthConfig(**MESSAGE_BUNDLES["dax"]))):
        for validation in spec.validations:
            pattern = _template_pattern(validation.error_message)
            assert any(pattern.fullmatch(m) for m in pinned), f"{spec.name}: {validation.error_message}"


def test_messages_follow_one_style():
    for message in (m for messages in BAD_VALUE_MESSAGES.values() for m in messages):
        assert re.match(r"^[a-z0-9_]+ = .+ is not allowed: expected .+\.$", message), message
