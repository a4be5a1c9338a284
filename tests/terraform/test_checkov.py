"""checkov over the generated configuration of every synth combination and over a plan of the
default one: zero findings that no listed exception covers, and every exception still needed
where it applies."""

import json
import os
import shutil
import subprocess
from functools import partial
from pathlib import Path

import pytest

from tapgen.combinations import label, options
from tapgen.security.exceptions import CHECKOV_PLAN_SKIPS, CHECKOV_SKIPS, checkov_skips_for, primary_address
from tests.rehearsal.cycles import DEPLOY_TFVARS, TFVARS
from tests.rehearsal.emulator import Emulator, Workspace
from tests.terraform.conftest import COMBINATION_IDS, COMBINATIONS, in_parallel

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(os.environ.get("TAP_CHECKOV", ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"))
PLAN_FILE = "tfplan.json"
DEFAULT = COMBINATIONS[0]  # the default stack; the plan scan runs on it only


def scan(target: Path, framework: str = "terraform_json") -> dict:
    """checkov on a directory (`terraform_json`) or on one plan file (`terraform_plan`), offline,
    with no check skipped: the tests decide per finding (check and resource) whether a skip covers it."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; `scripts/test` installs it (tools/checkov/Pipfile.lock)")
    command = [str(CHECKOV), "--file" if target.is_file() else "--directory", str(target)]
    command += ["--framework", framework, "--output", "json", "--quiet", "--skip-download"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stdout, result.stderr
    report = json.loads(result.stdout)
    return report[0] if isinstance(report, list) else report


def findings(report: dict) -> list[tuple[str, str]]:
    """(check id, resource address) of every failed check."""
    return sorted({(check["check_id"], check["resource"]) for check in report["results"]["failed_checks"]})


def uncovered(found: list[tuple[str, str]], skips) -> list[str]:
    return [f"{c} {r}" for c, r in found if not any(s.check_id == c and s.covers(r) for s in skips)]


def unneeded(found: list[tuple[str, str]], skips) -> list[str]:
    """Skips that no finding needs: for a skip naming resources, each resource (any region) must
    fail its check; for a skip of a whole check, at least one resource must."""
    failing = {(c, primary_address(r)) for c, r in found}
    stale = []
    for skip in skips:
        if skip.resources:
            stale += [f"{skip.check_id} {r}" for r in skip.resources if (skip.check_id, r) not in failing]
        elif not any(c == skip.check_id for c, _ in found):
            stale.append(skip.check_id)
    return stale


def _scan_copy(bundle: Path, target: Path) -> dict:
    target.mkdir(parents=True)
    # checkov 3.3's terraform_json parser gives up on a whole file that has `moved` blocks or
    # `terraform.required_version`; neither bears on a security check, so the scanned copy drops them.
    document = json.loads((bundle / "tap_stack.tf.json").read_text())
    document.pop("moved", None)
    document["terraform"].pop("required_version", None)
    (target / "tap_stack.tf.json").write_text(json.dumps(document))
    return scan(target)


@pytest.fixture(scope="module")
def reports(synth_of, tmp_path_factory) -> dict:
    """The configuration scan of every combination (one checkov run each, in parallel)."""
    bundles = {label(c): synth_of(**c).bundle for c in COMBINATIONS}
    targets = {label(c): tmp_path_factory.mktemp(f"checkov-{label(c)}") / "tap_stack" for c in COMBINATIONS}
    return in_parallel({key: partial(_scan_copy, bundles[key], targets[key]) for key in bundles})


@pytest.fixture(scope="module")
def plan_file(synth, tmp_path_factory) -> Path:
    """`terraform show -json` of a plan of the default bundle with the rehearsal's representative
    tfvars, planned against moto's server (empty state: every resource with its planned values)."""
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


@pytest.fixture(scope="module")
def plan_report(plan_file) -> dict:
    return scan(plan_file, framework="terraform_plan")


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_no_failed_checks_with_the_listed_exceptions(reports, combination):
    report = reports[label(combination)]
    assert uncovered(findings(report), checkov_skips_for(options(combination))) == []
    assert report["summary"]["passed"] > 350 * int(combination["regions"])


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_every_listed_exception_is_still_needed(reports, combination):
    assert unneeded(findings(reports[label(combination)]), checkov_skips_for(options(combination))) == []


def test_waf_and_replication_findings_are_not_skipped_where_they_exist():
    """CKV2_AWS_29 (WAF on the stage) is skipped only with waf=off; CKV_AWS_144 (cross-region
    replication) never for the log bucket once a second region exists."""
    for combination in COMBINATIONS:
        regions, waf = combination["regions"], combination["waf"]
        skips = checkov_skips_for(options(combination))
        assert any(s.check_id == "CKV2_AWS_29" for s in skips) == (waf == "off")
        log_bucket_skipped = any(
            s.check_id == "CKV_AWS_144" and s.covers("aws_s3_bucket.tap_stack_logs") for s in skips
        )
        assert log_bucket_skipped == (regions == "1")


def test_every_exception_applies_somewhere():
    for skip in CHECKOV_SKIPS + CHECKOV_PLAN_SKIPS:
        assert any(skip.applies_to(options(c)) for c in COMBINATIONS), skip.check_id


def test_plan_has_no_failed_checks_with_the_listed_exceptions(plan_report):
    skips = checkov_skips_for(options(DEFAULT)) + checkov_skips_for(options(DEFAULT), skips=CHECKOV_PLAN_SKIPS)
    assert uncovered(findings(plan_report), skips) == []
    assert plan_report["summary"]["resource_count"] > 80
    assert plan_report["summary"]["passed"] > 150


def test_every_plan_only_exception_fails_on_the_plan_and_not_on_the_configuration(plan_report, reports):
    on_plan = {c for c, _ in findings(plan_report)}
    on_configuration = {c for c, _ in findings(reports[label(DEFAULT)])}
    for skip in checkov_skips_for(options(DEFAULT), skips=CHECKOV_PLAN_SKIPS):
        assert skip.check_id in on_plan, f"{skip.check_id} no longer fails on the plan: drop it from CHECKOV_PLAN_SKIPS"
        assert skip.check_id not in on_configuration, (
            f"{skip.check_id} fails on the configuration: list it in CHECKOV_SKIPS"
        )


def test_every_exception_has_a_reason():
    for skip in CHECKOV_SKIPS + CHECKOV_PLAN_SKIPS:
        assert len(skip.reason.split()) >= 8, skip.check_id
    assert not {s.check_id for s in CHECKOV_SKIPS} & {s.check_id for s in CHECKOV_PLAN_SKIPS}
