"""Equivalence, proven per option combination: `terraform plan` of the JSON bundle and of the HCL
bundle, with the same tfvars, against moto's server on loopback, plan the same values and the
same resource changes. The plans start from an empty state with `-refresh=false`, so only the
data sources are read from the emulator; nothing is created.

The combinations that a rehearsal applies (`tests.rehearsal.session.APPLIED`) are not planned
here: the rehearsal plans both bundles over the state it applied, with the same tfvars, and
compares the same parts of the two plans (`tests.rehearsal.cycles.assert_hcl_plans_the_same`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tapgen.combinations import label
from tests.project import ROOT
from tests.rehearsal.cycles import PLAN_PARTS
from tests.rehearsal.emulator import OVERRIDE_FILE, Emulator, Workspace
from tests.rehearsal.session import APPLIED
from tests.tapgen.pipeline.hcl.conftest import COMBINATIONS, in_parallel

FIXTURES = ROOT / "tests" / "rehearsal" / "fixtures"
# The session's emulator (`tests/rehearsal/session.py`), in an emulated account of its own: nothing
# is shared with the rehearsals that run beside these plans.
ACCOUNT = "444444444444"
HOSTED_ZONE = "Z0444444444444EXAMPLE"  # plans only: the zone is not read
OTHER_BRANCHES = Path(__file__).resolve().parent / "fixtures" / "other_branches.tfvars"
PLANNED_HERE = [c for c in COMBINATIONS if c not in APPLIED.values()]


# The rehearsals' tfvars size an ElastiCache cache; a DAX cluster takes DAX nodes.
DAX_NODE_TYPE = "dax.t3.small"


def tfvars(combination: dict[str, str]) -> list[str]:
    dax = [f"-var=cache_node_type={DAX_NODE_TYPE}"] if combination.get("cache") == "dax" else []
    if combination["regions"] == "1":
        return [f"-var-file={FIXTURES / 'deploy.tfvars'}", *dax]
    return [f"-var-file={FIXTURES / 'regions.tfvars'}", f"-var=hosted_zone_id={HOSTED_ZONE}", *dax]


def planned(emulator: Emulator, directory: Path, variables: list[str]) -> dict:
    workspace = Workspace(emulator, directory, account=ACCOUNT)
    workspace.init()
    workspace.terraform("plan", "-refresh=false", "-input=false", "-out=tfplan", *variables)
    return workspace.show_json("tfplan")


def assert_both_bundles_plan_the_same(emulator, synth, tmp_path: Path, variables: list[str]) -> None:
    roots = {"json": tmp_path / "json", "hcl": tmp_path / "hcl"}
    shutil.copytree(synth.bundle, roots["json"])
    shutil.copytree(synth.bundle.parent / "tap_stack_hcl", roots["hcl"])
    # The override names every provider alias; they are read from the JSON configuration.
    shutil.copy(emulator.write_override(roots["json"]), roots["hcl"] / OVERRIDE_FILE)
    plans = in_parallel({kind: (lambda root=root: planned(emulator, root, variables)) for kind, root in roots.items()})
    assert plans["json"]["resource_changes"], "the plan creates the stack"
    for key in PLAN_PARTS:
        assert plans["hcl"].get(key) == plans["json"].get(key), key


def test_every_proven_combination_is_planned_here_or_in_a_rehearsal():
    assert all(c in COMBINATIONS for c in APPLIED.values())
    assert len(PLANNED_HERE) + len(APPLIED) == len(COMBINATIONS)


@pytest.mark.rehearsal
@pytest.mark.parametrize("combination", PLANNED_HERE, ids=[label(c) for c in PLANNED_HERE])
def test_json_and_hcl_bundles_plan_the_same(emulator, synth_of, tmp_path, combination):
    assert_both_bundles_plan_the_same(emulator, synth_of(**combination), tmp_path, tfvars(combination))


@pytest.mark.rehearsal
def test_the_other_branch_of_every_optional_part_plans_the_same(emulator, synth_of, tmp_path):
    """Counts and conditionals the rehearsal fixtures leave untaken (SSH from an admin CIDR, no
    alarm e-mail, the API cache, another account's API Gateway setting, a break-glass principal)."""
    synth = synth_of(regions="1", waf="on", compliance="on")
    assert_both_bundles_plan_the_same(emulator, synth, tmp_path, [f"-var-file={OTHER_BRANCHES}"])
