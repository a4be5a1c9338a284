"""The largest bundle (`regions=3` with every option on: `tapgen.combinations.LARGEST`) applied for
real to moto's server: every resource type created in its region, an empty second plan, a clean
destroy."""

import re

import pytest

from modules.encryption import ADMINISTRATION_EVENTS
from modules.private_network import GATEWAY_SERVICES
from stacks.region import ENDPOINT_SERVICES
from tapgen.combinations import LARGEST
from tests.rehearsal.cycles import (
    REGIONS_TFVARS,
    assert_destroyed_everything,
    assert_every_type_created,
    assert_hcl_plans_the_same,
    assert_no_changes,
    tfvars_value,
)
from tests.rehearsal.moto_patches import NOT_CREATABLE

pytestmark = pytest.mark.rehearsal

REGIONS = tuple(tfvars_value(REGIONS_TFVARS, v) for v in ("aws_region", "secondary_region", "tertiary_region"))
SUFFIXES = ("", "_secondary", "_tertiary")


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("regions")


@pytest.fixture(scope="module")
def bundle_resources(synth_of) -> dict:
    return synth_of(**LARGEST).document["resource"]


def test_apply_creates_every_resource_of_the_three_region_bundle(run, bundle_resources):
    state = assert_every_type_created(run, bundle_resources, NOT_CREATABLE)
    assert len(state) > 300
    declared = {
        f"{kind}.{name}" for kind, named in bundle_resources.items() if kind not in NOT_CREATABLE for name in named
    }
    assert {a.split("[")[0] for a in state} == declared


def test_every_region_holds_its_own_copy_of_the_stack(run):
    emulated = run.facts["emulated"]
    assert set(emulated) == set(REGIONS)
    for region in REGIONS:
        held = emulated[region]
        assert len(held["functions"]) >= 3, (region, held["functions"])  # API, health, rotation
        assert len(held["rest apis"]) == 1, (region, held["rest apis"])
        assert list(held["canaries"].values()) == ["RUNNING"], (region, held["canaries"])  # start_canary
    assert emulated[REGIONS[0]]["functions"] == emulated[REGIONS[1]]["functions"] == emulated[REGIONS[2]]["functions"]


def test_every_function_runs_in_two_private_subnets_behind_the_endpoints_of_its_region(run):
    emulated = run.facts["emulated"]
    for region in REGIONS:
        held = emulated[region]
        assert set(held["function subnets"].values()) == {2}, (region, held["function subnets"])
        assert held["endpoint services"] == sorted((*GATEWAY_SERVICES, *ENDPOINT_SERVICES)), region


def test_every_region_keeps_an_encrypted_item_cache_with_its_own_key(run):
    emulated, outputs = run.facts["emulated"], run.facts["outputs"]
    for region, suffix in zip(REGIONS, SUFFIXES, strict=True):
        expected = {
            "TransitEncryptionMode": "required",
            "AtRestEncryptionEnabled": True,
            "KmsKeyId": outputs[f"kms_key_arn{suffix}"],
            "members": int(re.search(r"^cache_node_count\s*=\s*(\d+)", REGIONS_TFVARS.read_text(), re.M)[1]),
            "user groups": 1,
        }
        assert emulated[region]["caches"] == [expected], region


def test_one_trail_logs_and_one_config_recorder_records_in_the_primary_region(run):
    emulated = run.facts["emulated"]
    prefix = "-".join(tfvars_value(REGIONS_TFVARS, v) for v in ("project_name", "environment", "environment_suffix"))
    assert emulated[REGIONS[0]]["logging trails"] == [f"{prefix}-trail"]
    assert emulated[REGIONS[0]]["recording config recorders"] == [f"{prefix}-recorder"]
    for region in REGIONS[1:]:
        assert emulated[region]["recording config recorders"] == [], region


def test_item_table_is_a_global_table_with_each_regions_key(run):
    emulated, outputs = run.facts["emulated"], run.facts["outputs"]
    keys = {region: outputs[f"kms_key_arn{suffix}"] for region, suffix in zip(REGIONS, SUFFIXES, strict=True)}
    assert len(set(keys.values())) == 3 and all(f":{r}:" in keys[r] for r in REGIONS), keys
    primary = emulated[REGIONS[0]]
    assert primary["item table key"] == keys[REGIONS[0]]
    assert sorted((r["RegionName"], r.get("KMSMasterKeyId")) for r in primary["item table replicas"]) == sorted(
        (region, keys[region]) for region in REGIONS[1:]
    )
    for region in REGIONS[1:]:
        assert emulated[region]["item table key"] == keys[region], region


def test_every_regions_key_administration_rule_matches_exactly_the_calls_on_its_key(run):
    expected = {
        f"{event} naming {form}": event in ADMINISTRATION_EVENTS and form != "another key"
        for event in (*ADMINISTRATION_EVENTS, "Decrypt")
        for form in ("id", "ARN", "another key")
    }
    for region, held in run.facts["emulated"].items():
        assert held["key administration matches"] == expected, region


def test_second_plan_after_apply_shows_no_changes(run):
    assert_no_changes(run)


def test_the_hcl_bundle_plans_no_change_over_the_state_the_json_bundle_applied(run):
    assert_no_changes(run, "plan (HCL bundle)")


def test_the_hcl_bundle_plans_the_same_values_and_changes_as_the_json_bundle(run):
    assert_hcl_plans_the_same(run)


def test_destroy_leaves_an_empty_state_and_the_zone_as_it_was(run):
    assert_destroyed_everything(run)
    zone = tfvars_value(REGIONS_TFVARS, "domain_name").split(".", 1)[1]
    assert run.facts["zone records after destroy"] == [f"{zone}. NS", f"{zone}. SOA"]


def test_report_figures(run):
    print(run.figures())
    assert run.steps["apply"].seconds < 420
