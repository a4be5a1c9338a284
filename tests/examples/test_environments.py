"""The environments of examples/, as examples/README.md runs them: synthesized with their options
file (what `scripts/synth --env` does, into a directory of the test's), then
`terraform init -backend-config=<env>.s3.tfbackend` (a partial S3 backend, the state in a bucket
of the emulator), validated and planned with their tfvars; and planned again while another run
holds the state's S3-native lock. Against the session's emulator, in an emulated account of
their own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.project import ROOT, provider_mirror, run_main
from tests.rehearsal.emulator import Emulator, Workspace
from tests.tapgen.pipeline.hcl.conftest import in_parallel

EXAMPLES = ROOT / "examples"
ENVIRONMENTS = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
ACCOUNT = "666666666666"
PLAN_FILE = "environment.tfplan"
# The lock file another Terraform run writes (what `terraform force-unlock` would need: its ID).
OTHER_RUNS_LOCK = {
    "ID": "00000000-0000-4000-8000-000000000001",
    "Operation": "OperationTypeApply",
    "Info": "",
    "Who": "someone@elsewhere",
    "Version": "1.11.0",
    "Created": "2026-01-01T00:00:00Z",
    "Path": "",
}


def backend_file(environment: str) -> Path:
    return EXAMPLES / environment / f"{environment}.s3.tfbackend"


def assignments(path: Path) -> dict[str, str]:
    """The `name = "value"` lines of a .tfbackend file."""
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip().strip('"') for name, value in pairs}


def run_environment(emulator: Emulator, environment: str, tmp_path: Path) -> dict:
    out, bundle = tmp_path / "cdktf.out" / environment, tmp_path / "dist" / environment / "tap_stack"
    synth = run_main(ROOT, out, bundle, "--cdktf-json", str(EXAMPLES / environment / "options.json"))
    assert synth.returncode == 0, synth.stderr
    state = assignments(backend_file(environment))
    s3 = emulator.client_factory(ACCOUNT)("s3", state["region"])
    s3.create_bucket(Bucket=state["bucket"])
    workdir = tmp_path / environment
    shutil.copytree(bundle, workdir)
    workspace = Workspace(emulator, workdir, ACCOUNT).prepare()
    extra = emulator.write_backend_config(tmp_path)
    workspace.terraform(
        "init",
        "-input=false",
        f"-plugin-dir={provider_mirror()}",
        f"-backend-config={backend_file(environment)}",
        f"-backend-config={extra}",
    )
    workspace.terraform("validate")
    tfvars = EXAMPLES / environment / f"{environment}.tfvars"
    workspace.terraform("plan", "-input=false", f"-var-file={tfvars}", f"-out={PLAN_FILE}")
    # Another run holds the state's lock: S3-native locking writes `<key>.tflock` only if absent
    # (PutObject with If-None-Match, which the emulator enforces), so this plan must stop at once.
    lock = f"{state['key']}.tflock"
    s3.put_object(Bucket=state["bucket"], Key=lock, Body=json.dumps(OTHER_RUNS_LOCK).encode(), IfNoneMatch="*")
    contended = workspace.terraform("plan", "-input=false", "-lock-timeout=0s", f"-var-file={tfvars}", ok=(1,))
    s3.delete_object(Bucket=state["bucket"], Key=lock)
    return {
        "contended plan": contended.output,
        "plan": workspace.show_json(PLAN_FILE),
        "manifest": json.loads((bundle / ".tapgen-manifest.json").read_text()),
        "backend": json.loads((bundle / "tap_stack.tf.json").read_text())["terraform"]["backend"],
        "initialised backend": json.loads((workdir / ".terraform" / "terraform.tfstate").read_text())["backend"],
    }


@pytest.fixture(scope="module")
def environments(emulator, tmp_path_factory) -> dict[str, dict]:
    return in_parallel(
        {env: (lambda env=env: run_environment(emulator, env, tmp_path_factory.mktemp(env))) for env in ENVIRONMENTS}
    )


def test_there_is_a_dev_and_a_prod_and_each_has_its_own_state():
    assert {"dev", "prod"} <= set(ENVIRONMENTS)
    keys = [assignments(backend_file(env))["key"] for env in ENVIRONMENTS]
    assert len(set(keys)) == len(keys)


@pytest.mark.rehearsal
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_each_environment_plans_with_its_own_files(environments, environment):
    result = environments[environment]
    creates = [c for c in result["plan"]["resource_changes"] if c["change"]["actions"] == ["create"]]
    assert len(creates) > 100
    options = json.loads((EXAMPLES / environment / "options.json").read_text())["context"]
    assert options.items() <= result["manifest"]["options"].items()


@pytest.mark.rehearsal
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_the_backend_is_partial_with_s3_native_locking(environments, environment):
    assert environments[environment]["backend"] == {"s3": {"encrypt": True, "use_lockfile": True}}
    initialised = environments[environment]["initialised backend"]
    state = assignments(backend_file(environment))
    assert initialised["type"] == "s3"
    assert {name: initialised["config"][name] for name in ("bucket", "key", "region")} == state
    assert initialised["config"]["use_lockfile"] is True


@pytest.mark.rehearsal
def test_prod_is_durable_in_two_regions_and_dev_ephemeral(environments):
    variables = {env: environments[env]["plan"]["variables"] for env in ENVIRONMENTS}
    assert variables["prod"]["stack_lifecycle"]["value"] == "durable"
    assert variables["dev"]["stack_lifecycle"]["value"] == "ephemeral"
    assert "secondary_region" in variables["prod"] and "secondary_region" not in variables["dev"]


@pytest.mark.rehearsal
@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_a_plan_while_another_run_holds_the_lock_stops_naming_it(environments, environment):
    output = environments[environment]["contended plan"]
    assert "Error acquiring the state lock" in output
    assert OTHER_RUNS_LOCK["ID"] in output and OTHER_RUNS_LOCK["Who"] in output
