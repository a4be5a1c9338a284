"""The cdktf cycle as users run it, offline, against the emulator (`tests.rehearsal.cycles.cdktf_cycle`,
run in the background from the session's start): `scripts/cdktf synth`, `deploy`, a plain synth in
between, `diff` and `deploy` again with no changes, then `destroy`. Terraform gets the provider only
from the mirror, through the project's own `.tap/terraform.rc`.
"""

from __future__ import annotations

import pytest

from tests.project import provider_mirror

pytestmark = pytest.mark.rehearsal


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("cdktf_cycle")


def test_deploy_creates_the_stack_with_the_provider_from_the_mirror(run):
    assert run.facts["resources created"] > 60, run.outputs["deploy"][-3000:]
    assert 'provider "registry.terraform.io/hashicorp/aws"' in run.facts["lock file"]
    assert 'version     = "5.100.0"' in run.facts["lock file"]
    assert run.facts["cli configuration"].count(str(provider_mirror())) == 1


def test_a_synth_between_deploys_keeps_the_state_the_lock_file_and_the_override(run):
    assert run.facts["kept by synth"] is True


def test_diff_and_a_second_deploy_change_nothing(run):
    assert "No changes." in run.outputs["diff"]
    assert "No changes." in run.outputs["deploy again"]
    assert run.facts["replaced by the second deploy"] == []


def test_destroy_removes_everything(run):
    assert run.facts["state after destroy"] == []
