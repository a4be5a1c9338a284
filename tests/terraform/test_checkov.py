"""checkov over the generated configuration and over a plan of it: zero failed checks, and every
skip still needed."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tapgen.security_exceptions import CHECKOV_PLAN_SKIPS, CHECKOV_SKIPS
from tests.rehearsal.cycles import DEPLOY_TFVARS, TFVARS
from tests.rehearsal.emulator import Emulator, Workspace

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(os.environ.get("TAP_CHECKOV", ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"))
PLAN_FILE = "tfplan.json"


def scan(target: Path, skips: dict[str, str], framework: str = "terraform_json") -> dict:
    """checkov on a directory (`terraform_json`) or on one plan file (`terraform_plan`), offline."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; `scripts/test` installs it (tools/checkov/Pipfile.lock)")
    command = [str(CHECKOV), "--file" if target.is_file() else "--directory", str(target)]
    command += ["--framework", framework, "--output", "json", "--quiet", "--skip-download"]
    if skips:
        command += ["--skip-check", ",".join(sorted(skips))]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


@pytest.fixture(scope="module")
def scan_dir(synth, tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("checkov") / "tap_stack"
    target.mkdir()
    # checkov 3.3's terraform_json parser gives up on a whole file that has `moved` blocks or
    # `terraform.required_version`; neither bears on a security check, so the scanned copy drops them.
    document = json.loads((synth.bundle / "tap_stack.tf.json").read_text())
    document.pop("moved", None)
    document["terraform"].pop("required_version", None)
    (target / "tap_stack.tf.json").write_text(json.dumps(document))
    return target


@pytest.fixture(scope="module")
def plan_file(synth, tmp_path_factory) -> Path:
    """`terraform show -json` of a plan of the bundle with the rehearsal's representative tfvars,
    planned against moto's server (empty state: every resource with its planned values)."""
    workdir = tmp_path_factory.mktemp("checkov-plan") / "tap_stack"
    shutil.copytree(synth.bundle, workdir)
    shutil.copy(DEPLOY_TFVARS, workdir / TFVARS)
    with Emulator.running() as emulator:
        workspace = Workspace(emulator, workdir).prepare()
        workspace.init()
        workspace.terraform("plan", "-input=false", f"-var-file={TFVARS}", "-out=checkov.tfplan")
        plan = workspace.terraform("show", "-json", "checkov.tfplan").stdout
    target = tmp_path_factory.mktemp("checkov-plan-json") / PLAN_FILE
    target.write_text(plan)
    return target


def failed_ids(report: dict) -> set[str]:
    return {check["check_id"] for check in report["results"]["failed_checks"]}


def test_no_failed_checks_with_the_listed_exceptions(scan_dir):
    report = scan(scan_dir, CHECKOV_SKIPS)
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 250


def test_every_listed_exception_is_still_needed(scan_dir):
    assert failed_ids(scan(scan_dir, {})) == set(CHECKOV_SKIPS)


def test_plan_has_no_failed_checks_with_the_listed_exceptions(plan_file):
    report = scan(plan_file, {**CHECKOV_SKIPS, **CHECKOV_PLAN_SKIPS}, framework="terraform_plan")
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["resource_count"] > 80
    assert report["summary"]["passed"] > 150


def test_every_plan_only_exception_fails_on_the_plan_and_not_on_the_configuration(plan_file, scan_dir):
    on_plan = failed_ids(scan(plan_file, {}, framework="terraform_plan"))
    on_configuration = failed_ids(scan(scan_dir, {}))
    for check_id in CHECKOV_PLAN_SKIPS:
        assert check_id in on_plan, f"{check_id} no longer fails on the plan: drop it from CHECKOV_PLAN_SKIPS"
        assert check_id not in on_configuration, f"{check_id} fails on the configuration: move it to CHECKOV_SKIPS"
    assert on_plan <= set(CHECKOV_SKIPS) | set(CHECKOV_PLAN_SKIPS)


def test_every_exception_has_a_reason():
    for check_id, reason in {**CHECKOV_SKIPS, **CHECKOV_PLAN_SKIPS}.items():
        assert len(reason.split()) >= 8, check_id
    assert not set(CHECKOV_SKIPS) & set(CHECKOV_PLAN_SKIPS)
