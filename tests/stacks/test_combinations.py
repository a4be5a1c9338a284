"""Every combination of synth-time options: pinned addresses, and the default stack kept intact.

SPEC §8: turning an option on never renames or replaces a resource of the default stack. Each
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
from pathlib import Path

import pytest

from tapgen.config import REGION_COUNTS, SWITCHES
from tapgen.placement import REGION_SUFFIXES

GOLDEN = Path(__file__).parent / "golden"
# Each option's values from the smallest stack to the largest.
ORDER = {"regions": REGION_COUNTS, "waf": tuple(reversed(SWITCHES))}
COMBINATIONS = tuple({"regions": regions, "waf": waf} for regions in REGION_COUNTS for waf in SWITCHES)
# (option, value stepped up to) -> {address: {attribute that may differ from the smaller stack: why}}
INTENDED_DIFFERENCES: dict[tuple[str, str], dict[str, dict[str, str]]] = {
    ("regions", "2"): {
        "aws_kms_key.tap_stack_kms": {
            "policy": "the primary key also encrypts the Athena query results bucket, named in the S3 grant",
        },
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


def steps() -> list[tuple[dict[str, str], dict[str, str], tuple[str, str]]]:
    """(smaller, larger, (option, value)) for every pair of combinations one option step apart."""
    found = []
    for smaller in COMBINATIONS:
        for option, values in ORDER.items():
            position = values.index(smaller[option])
            if position + 1 < len(values):
                larger = {**smaller, option: values[position + 1]}
                found.append((smaller, larger, (option, values[position + 1])))
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
    blocks = [("", document.get("resource", {})), ("data.", document.get("data", {}))]
    found = [f"{prefix}{rtype}.{name}" for prefix, block in blocks for rtype, named in block.items() for name in named]
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


@pytest.mark.parametrize(("smaller", "larger", "step"), steps(), ids=lambda v: label(v) if isinstance(v, dict) else "")
def test_a_step_up_keeps_every_address_and_its_configuration(synth_of, smaller, larger, step):
    before = bodies(synth_of(**smaller).document)
    after = bodies(synth_of(**larger).document)
    missing = sorted(set(before) - set(after))
    assert not missing, f"{label(larger)} drops or renames what {label(smaller)} has: {missing}"
    allowed = INTENDED_DIFFERENCES.get(step, {})
    changed = {}
    for address, body in before.items():
        if after[address] == body:
            continue
        differing = sorted(k for k in set(body) | set(after[address]) if body.get(k) != after[address].get(k))
        unexpected = [k for k in differing if k not in allowed.get(primary_twin(address), {})]
        if unexpected:
            changed[address] = unexpected
    assert not changed, f"{label(larger)} changes the configuration of {label(smaller)}: {changed}"
