"""The cdktf cycle as users run an environment, offline, against the emulator
(`tests.rehearsal.cycles.cdktf_cycle`, run in the background from the session's start):
`scripts/cdktf synth --env environments/cdk`, `deploy`, a plain synth in between, `diff` and
`deploy` again with no changes, then `destroy`. The environment's options, tfvars and partial S3
backend come from its folder; its state lives under its key in the emulator's S3. Terraform gets
the provider only from the mirror, through the project's own `.tap/terraform.rc`.
"""

from __future__ import annotations

import pytest

from tests.project import provider_mirror
from tests.rehearsal.cycles import CDKTF_ENVIRONMENT, CDKTF_OPTIONS, CDKTF_STATE_KEY

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


def test_the_environment_has_its_own_outputs_and_no_default_ones(run):
    assert run.facts["outputs"] == [f"cdktf.out/{CDKTF_ENVIRONMENT}", f"dist/{CDKTF_ENVIRONMENT}"]
    assert CDKTF_OPTIONS["context"].items() <= run.facts["bundle options"].items()


def test_the_state_is_under_the_environments_key_and_not_beside_the_stack(run):
    backend = run.facts["backend"]
    assert backend["type"] == "s3"
    assert (backend["config"]["key"], backend["config"]["use_lockfile"]) == (CDKTF_STATE_KEY, True)
    assert run.facts["local state"] == []
