"""The largest bundle (`regions=3` with every option on: `tapgen.combinations.LARGEST`) applied for
real to moto's server: every resource type created in its region, an empty second plan, a clean
destroy."""

import re
import shutil

import pytest

from modules.encryption import ADMINISTRATION_EVENTS
from modules.private_network import GATEWAY_SERVICES
from stacks.region import ENDPOINT_SERVICES
from tapgen.combinations import LARGEST
from tests.rehearsal.cycles import (
    REGIONS_ACCOUNT,
    REGIONS_TFVARS,
    assert_destroyed_everything,
    assert_every_type_created,
    assert_hcl_plans_the_same,
    assert_no_changes,
    tfvars_value,
)
from tests.rehearsal.emulator import Workspace
from tests.rehearsal.identity import names_and_metrics
from tools.emulator.patches import NOT_CREATABLE

pytestmark = pytest.mark.rehearsal

REGIONS = tuple(tfvars_value(REGIONS_TFVARS, v) for v in ("aws_region", "secondary_region", "tertiary_region"))
SUFFIXES = ("", "_secondary", "_tertiary")


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("regions")


@pytest.fixture(scope="module")
def bundle_resources(synth_of) -> dict:
    return synth_of(**LARGEST).document["resource"]


# A second environment of the same bundle in the same account, as a team adds one for a pull
# request: another suffix, its own values for the names the user chooses, and tags of its own (one
# of them a contract tag, which the stack's value overrides).
SECOND_ENVIRONMENT = (
    f"-var-file={REGIONS_TFVARS}",
    "-var=hosted_zone_id=Z0333333333333EXAMPLE",  # a plan does not read the zone
    "-var=environment_suffix=pr42",
    "-var=lambda_log_bucket_name=acme-tap-staging-pr42-logs",
    "-var=dynamodb_table_name=tap-staging-pr42-items",
    "-var=domain_name=api.pr42.example.com",
    '-var=tags={CostCentre = "cc-42", Owner = "someone-else"}',
)


@pytest.fixture(scope="module")
def second_environment(emulator, synth_of, tmp_path_factory) -> dict:
    """The second environment's plan (`planned_values`), made before the tests wait for the
    rehearsal's apply, so the two run side by side."""
    root = tmp_path_factory.mktemp("second") / "bundle"
    shutil.copytree(synth_of(**LARGEST).bundle, root)
    workspace = Workspace(emulator, root, REGIONS_ACCOUNT).prepare()
    workspace.init()
    workspace.terraform("plan", "-refresh=false", "-input=false", "-out=tfplan", *SECOND_ENVIRONMENT)
    return workspace.show_json("tfplan")["planned_values"]


def custom_metrics(document: dict) -> set[tuple[str, str]]:
    """The (namespace, metric) pairs of the stack's own metrics that its alarms watch."""
    alarms = document["resource"]["aws_cloudwatch_metric_alarm"].values()
    return {(a["namespace"], a["metric_name"]) for a in alarms if a["namespace"].startswith("TapStack/")}


def test_a_second_environment_in_the_account_shares_no_name_and_no_metric(
    second_environment, rehearsals, bundle_resources
):
    second = names_and_metrics(second_environment)
    first = rehearsals.get("regions").facts["names and metrics"]
    # A plan knows every name and custom metric; AWS metrics whose dimension is an attribute known
    # only after apply (an API's id) are compared where both sides know them.
    assert {name: (first[name], second[name]) for name in sorted(set(first) & set(second))} == {}
    known_custom = {name for name in second if name.startswith('metric ["TapStack/')}
    assert len(known_custom) == len(custom_metrics({"resource": bundle_resources})) > 0
    # 136 names of the largest bundle are known before apply (the API's execution log group, named
    # by the API's id, is not).
    assert sum(not name.startswith("metric ") for name in second) >= 100, "the plan knows the names"


def test_user_tags_reach_every_region_and_the_contract_tags_win(second_environment):
    tables = {
        r["address"]: r["values"]["tags_all"]
        for r in second_environment["root_module"]["resources"]
        if r["type"] in ("aws_dynamodb_table", "aws_lambda_function") and r["mode"] == "managed"
    }
    owner = tfvars_value(REGIONS_TFVARS, "owner")
    assert len(tables) >= 6, sorted(tables)
    for address, tags in tables.items():
        assert (tags["CostCentre"], tags["Owner"], tags["ManagedBy"]) == ("cc-42", owner, "terraform"), address


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


def test_one_trail_logs_in_the_primary_region_and_config_records_in_every_region(run):
    emulated = run.facts["emulated"]
    prefix = "-".join(tfvars_value(REGIONS_TFVARS, v) for v in ("project_name", "environment", "environment_suffix"))
    assert emulated[REGIONS[0]]["logging trails"] == [f"{prefix}-trail"]
    for region in REGIONS:
        assert emulated[region]["recording config recorders"] == [f"{prefix}-recorder"], region


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
