"""Every combination of synth-time options: pinned addresses, and the default stack kept intact.

Turning an option on never renames or replaces a resource of the default stack. Each
combination's addresses are pinned in `golden/<combination>.txt` (regenerate with
`TAP_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/stacks/test_combinations.py`, then review the
diff). Every step up one option (one more region, WAF on) keeps every address of the smaller stack
with identical configuration, except for the differences listed in `INTENDED_DIFFERENCES`, each
with its reason (stated for the primary region's address, it holds in every region). Chained, the
default stack (`regions=1`, `waf=on`) is kept by every combination with WAF, and
`regions=1, waf=off` by every combination.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from tapgen.combinations import PROVEN
from tapgen.config import SHAPE_OPTIONS
from tapgen.document import addresses as resource_addresses
from tapgen.placement import REGION_SUFFIXES

GOLDEN = Path(__file__).parent / "golden"
# Each option's values from the smallest stack to the largest; the cache engines are alternatives
# (`ALTERNATIVES`): each is one step up from no cache, neither from the other.
ORDER = {option.name: option.growth for option in SHAPE_OPTIONS}
ALTERNATIVES = tuple(option.name for option in SHAPE_OPTIONS if option.alternatives)
COMBINATIONS = PROVEN
# (option, value stepped up to) -> {address or address pattern: {attribute that may differ from the
# smaller stack: why}}
DASHBOARD = "aws_cloudwatch_dashboard.tap_stack_dashboard"  # every region's: all its alarms
# Differences of every step up, whatever the option.
EVERY_STEP: dict[str, dict[str, str]] = {
    "output.generator": {"value": "it records the synth-time options, which every step changes"},
}
INTENDED_DIFFERENCES: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("regions", "2"): {
        "aws_dynamodb_table.tap_stack_data": {
            "lifecycle": "ignore_changes gains `replica`: DynamoDB reports the replicas (separate "
            "aws_dynamodb_table_replica resources) there, and Terraform must not remove them",
        },
    },
    ("waf", "on"): {
        "aws_kms_key.tap_stack_kms": {
            "policy": "CloudWatch Logs may encrypt the WAF log group (aws-waf-logs-<prefix>) with the region's key",
        },
        "data.aws_iam_policy_document.tap_stack_log_archive_subscription_role_trust": {
            "statement": "the WAF log group is archived like every other log group of the region",
        },
    },
    ("compliance", "on"): {
        DASHBOARD: {
            "dashboard_body": "the primary dashboard shows the security events' alarms",
        },
        "aws_iam_role.*": {"permissions_boundary": "every role is capped by the stack's permission boundary"},
        "aws_lambda_function.*": {"vpc_config": "every function runs in the region's private subnets"},
        "data.aws_iam_policy_document.tap_stack_*lambda_role_permissions": {
            "statement": "a function's role may manage its network interfaces in the region's VPC",
        },
        "aws_kms_key.tap_stack_kms": {
            "policy": "the key also encrypts the VPC flow log group and, in the primary region, the trail, "
            "its bucket and its log group",
        },
    },
    ("account_controls", "on"): {
        "aws_kms_key.tap_stack_kms": {"policy": "each region's key also encrypts its AWS Config bucket"},
        DASHBOARD: {"dashboard_body": "each region's dashboard shows its Config non-compliance alarm"},
    },
    ("scale", "on"): {
        DASHBOARD: {
            "dashboard_body": "the dashboard shows the spillover alarm and the alias's provisioned utilization",
        },
        "aws_lambda_function.tap_stack_lambda": {"publish": "the CRUD function is published for its `live` alias"},
        "aws_api_gateway_integration.tap_stack_api_*": {
            "uri": "the CRUD routes invoke the `live` alias, whose provisioned concurrency serves them",
        },
        "aws_lambda_permission.tap_stack_api_*": {"qualifier": "API Gateway may invoke the CRUD function's alias"},
        "aws_api_gateway_deployment.tap_stack_api_deployment": {
            "triggers": "the deployment follows the integrations (the alias's invoke ARN)",
        },
    },
    ("item_stream", "kinesis"): {
        DASHBOARD: {
            "dashboard_body": "the dashboard shows the stream's throttling alarm",
        },
        "aws_kms_key.tap_stack_kms": {"policy": "Kinesis may encrypt the region's item stream with the key"},
    },
    ("cache", "elasticache"): {
        DASHBOARD: {
            "dashboard_body": "the dashboard shows the cache errors alarm, each member cluster's engine CPU, "
            "memory, evictions and connections alarms, and the hit ratio",
        },
        "aws_lambda_function.*": {"vpc_config": "every function runs in the private subnets the cache is in"},
        "aws_lambda_function.tap_stack_lambda": {
            "environment": "the CRUD function finds its cache (endpoint, id, user, entry lifetime)",
        },
        "data.aws_iam_policy_document.tap_stack_*lambda_role_permissions": {
            "statement": "a function's role may manage its network interfaces in the region's VPC; the CRUD "
            "function's may also sign in to the cache as its IAM-authenticated user",
        },
        "aws_kms_key.tap_stack_kms": {
            "policy": "the key also encrypts the cache at rest, its log groups and the VPC flow log group",
        },
    },
    ("cache", "dax"): {
        DASHBOARD: {
            "dashboard_body": "the dashboard shows the cache errors alarm and the hit ratio",
        },
        "aws_lambda_function.*": {"vpc_config": "every function runs in the private subnets the cluster is in"},
        "aws_lambda_function.tap_stack_lambda": {"environment": "the CRUD function finds its DAX cluster"},
        "data.aws_iam_policy_document.tap_stack_*lambda_role_permissions": {
            "statement": "a function's role may manage its network interfaces in the region's VPC; the CRUD "
            "function's may also send its item operations to the cluster",
        },
        "aws_kms_key.tap_stack_kms": {"policy": "the key also encrypts the VPC flow log group"},
    },
    ("regions", "3"): {
        "aws_s3_bucket_replication_configuration.tap_stack_log_replication": {
            "rule": "a rule replicating the log archive into the tertiary region's bucket",
            "depends_on": "that bucket's versioning",
        },
        "data.aws_iam_policy_document.tap_stack_log_replication_role_permissions": {
            "statement": "the replication role may write replicas into the tertiary bucket with its region's key",
        },
    },
}


def _position(combination: dict[str, str], option: str) -> int:
    values = ORDER[option]
    return values.index(combination.get(option, values[0]))


def _move(smaller: dict[str, str], larger: dict[str, str], option: str) -> int | None:
    """How many values `option` steps up from `smaller` to `larger`; None when the two are not
    comparable (two different cache engines)."""
    before, after = _position(smaller, option), _position(larger, option)
    if option in ALTERNATIVES and before != after:
        return 1 if before == 0 else None
    return after - before


def steps() -> list[tuple[dict[str, str], dict[str, str], tuple[tuple[str, str], ...]]]:
    """(smaller, larger, ((option, value), ...)) for every pair of proven combinations where the
    larger steps one or more options up by one value each and changes nothing else."""
    found = []
    for smaller in COMBINATIONS:
        for larger in COMBINATIONS:
            moves = {option: _move(smaller, larger, option) for option in ORDER}
            if set(moves.values()) <= {0, 1} and 1 in moves.values():
                found.append((smaller, larger, tuple((o, larger[o]) for o, m in moves.items() if m)))
    return found


def primary_twin(address: str) -> str:
    """The primary region's address of a regional resource: an intended difference holds in every region."""
    for suffix in REGION_SUFFIXES:
        if address.endswith(suffix):
            return address.removesuffix(suffix)
    return address


def label(options: dict[str, str]) -> str:
    return "_".join(f"{name}-{value}" for name, value in sorted(options.items()))


def addresses(document: dict) -> list[str]:
    found = resource_addresses(document)
    found += [f"output.{name}" for name in document.get("output", {})]
    found += [f"var.{name}" for name in document.get("variable", {})]
    return sorted(found)


def bodies(document: dict) -> dict[str, object]:
    """Every addressable block's body, without CDKTF's metadata (construct paths)."""
    found: dict[str, object] = {}
    for prefix, block in (("", document.get("resource", {})), ("data.", document.get("data", {}))):
        for rtype, named in block.items():
            for name, body in named.items():
                found[f"{prefix}{rtype}.{name}"] = {k: v for k, v in body.items() if k != "//"}
    found.update({f"output.{n}": b for n, b in document.get("output", {}).items()})
    found.update({f"var.{n}": b for n, b in document.get("variable", {}).items()})
    return found


@pytest.mark.parametrize("options", COMBINATIONS, ids=label)
def test_addresses_are_pinned_per_combination(synth_of, options):
    golden = GOLDEN / f"{label(options)}.txt"
    actual = "\n".join(addresses(synth_of(**options).document)) + "\n"
    if os.environ.get("TAP_UPDATE_GOLDEN") == "1":
        golden.write_text(actual)
    assert golden.is_file(), f"{golden} is missing: run with TAP_UPDATE_GOLDEN=1 and review it"
    assert actual == golden.read_text(), f"addresses changed for {label(options)}: a rename needs a moved block"


def test_the_golden_folder_holds_the_proven_combinations_only():
    """A combination that left `tapgen/combinations.py` leaves no stale address list behind."""
    assert sorted(path.name for path in GOLDEN.glob("*.txt")) == sorted(f"{label(o)}.txt" for o in COMBINATIONS)


@pytest.mark.parametrize(("smaller", "larger", "step"), steps(), ids=lambda v: label(v) if isinstance(v, dict) else "")
def test_a_step_up_keeps_every_address_and_its_configuration(synth_of, smaller, larger, step):
    before = bodies(synth_of(**smaller).document)
    after = bodies(synth_of(**larger).document)
    missing = sorted(set(before) - set(after))
    assert not missing, f"{label(larger)} drops or renames what {label(smaller)} has: {missing}"
    allowed: dict[str, dict[str, str]] = dict(EVERY_STEP)
    for option_step in step:
        for address, attributes in INTENDED_DIFFERENCES.get(option_step, {}).items():
            allowed[address] = {**allowed.get(address, {}), **attributes}
    changed = {}
    for address, body in before.items():
        if after[address] == body:
            continue
        differing = sorted(k for k in set(body) | set(after[address]) if body.get(k) != after[address].get(k))
        intended = [why for pattern, why in allowed.items() if fnmatchcase(primary_twin(address), pattern)]
        unexpected = [k for k in differing if not any(k in why for why in intended)]
        if unexpected:
            changed[address] = unexpected
    assert not changed, f"{label(larger)} changes the configuration of {label(smaller)}: {changed}"
