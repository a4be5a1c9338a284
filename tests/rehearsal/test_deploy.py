"""The hand-off bundle applied for real to moto's server: apply, an empty second plan, destroy."""

import pytest

from tests.rehearsal.cycles import (
    DEPLOY_ACCOUNT,
    assert_destroyed_everything,
    assert_every_type_created,
    assert_hcl_plans_the_same,
    assert_no_changes,
)
from tests.rehearsal.emulator import STATE_KEY
from tools.emulator.patches import NOT_CREATABLE

pytestmark = pytest.mark.rehearsal


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("deploy")


# Types the deploy rehearsal's tfvars count out, and the rehearsal that creates them.
NOT_COUNTED = {
    "aws_s3_bucket_object_lock_configuration": "Object Lock is refused on an ephemeral stack; the largest "
    "rehearsal (regions.tfvars) locks its archives",
}


def test_apply_creates_every_resource_of_the_bundle(run, resources):
    assert len(assert_every_type_created(run, resources, NOT_CREATABLE, NOT_COUNTED)) > 80


def test_every_resource_moto_cannot_create_is_listed_with_a_reason():
    # Empty today: moto 5.2.5 (with tools/emulator/patches.py) creates every resource type.
    assert NOT_CREATABLE == {}
    for resource, reason in NOT_CREATABLE.items():
        assert len(reason.split()) >= 6, resource


def test_the_state_lives_in_the_emulators_s3_not_beside_the_bundle(run):
    bucket = f"rehearsal-state-{DEPLOY_ACCOUNT}"
    assert run.facts["where the state is"] == {"local": [], bucket: [STATE_KEY]}


def test_second_plan_after_apply_shows_no_changes(run):
    assert_no_changes(run)


def test_the_hcl_bundle_plans_no_change_over_the_state_the_json_bundle_applied(run):
    assert_no_changes(run, "plan (HCL bundle)")


def test_the_hcl_bundle_plans_the_same_values_and_changes_as_the_json_bundle(run):
    assert_hcl_plans_the_same(run)


def test_destroy_leaves_an_empty_state(run):
    assert_destroyed_everything(run)


def test_an_ephemeral_archive_has_no_tamper_deny(run):
    assert "DenyArchiveTampering" not in run.facts["log archive policy"]
    assert "DenyInsecureTransport" in run.facts["log archive policy"]


def test_an_ephemeral_destroy_empties_every_bucket(run):
    """Every bucket held object versions; the destroy still went through."""
    held = run.facts["objects before destroy"]
    assert len(held) >= 3 and all(count == 2 for count in held.values()), held


def test_an_ephemeral_stack_is_re_created_under_the_same_names_at_once(run):
    again = run.steps["apply (same names)"]
    assert again.returncode == 0, again.output[-4000:]
    assert run.facts["resources created again"] == run.facts["resources created"]
    assert run.steps["destroy (again)"].returncode == 0, run.steps["destroy (again)"].output[-4000:]
    assert run.facts["resources destroyed again"] == run.facts["resources created"]
    assert run.facts["state after destroying again"] == []


def test_report_figures(run):
    print(run.figures())
    assert run.steps["apply"].seconds < 300


def test_table_deletion_protection_is_a_variable_that_defaults_to_on(document, resources):
    table = resources["aws_dynamodb_table"]["tap_stack_data"]
    assert table["deletion_protection_enabled"] == "${(!local.stack_is_ephemeral && var.dynamodb_deletion_protection)}"
    variable = document["variable"]["dynamodb_deletion_protection"]
    assert variable["type"] == "bool" and variable["default"] is True
    assert "destroy" in variable["description"]
