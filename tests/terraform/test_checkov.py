"""checkov over the generated configuration of every synth combination and over a plan of the
default one: the findings are exactly the listed exceptions. And over the bundles as shipped, as an
ops team's pipeline runs it (`checkov -d <bundle>`): every resource scanned, no parsing error, no
failed check, each exception suppressed with the registry's reason."""

import json
import os
import shutil
import subprocess
from functools import partial
from pathlib import Path

import pytest

from tapgen.combinations import LARGEST, label, options
from tapgen.pipeline.bundle import BUNDLE_CONFIG, bundle_document
from tapgen.security.exceptions import CHECKOV_PLAN_SKIPS, CHECKOV_SKIPS, checkov_skips_for
from tapgen.security.suppressions import suppressions
from tests.rehearsal.cycles import DEPLOY_TFVARS, TFVARS
from tests.rehearsal.emulator import Emulator, Workspace
from tests.terraform.conftest import COMBINATION_IDS, COMBINATIONS, in_parallel

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(os.environ.get("TAP_CHECKOV", ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"))
PLAN_FILE = "tfplan.json"
DEFAULT = COMBINATIONS[0]  # the default stack; the plan scan runs on it only
SHIPPED = (DEFAULT, LARGEST)  # the combinations whose bundles are scanned as shipped
SHIPPED_IDS = [label(c) for c in SHIPPED]


def scan(target: Path, framework: str | None = "terraform_json", quiet: bool = True) -> str:
    """checkov's JSON report on a directory or on one plan file (`terraform_plan`), offline. A
    directory's own `.checkov.yaml` applies: the raw scan (`_raw_scan`) copies the configuration
    into a folder of its own; the shipped scan (`shipped`) runs as a pipeline would."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; `scripts/test` installs it (tools/checkov/Pipfile.lock)")
    command = [str(CHECKOV), "--file" if target.is_file() else "--directory", str(target)]
    command += ["--framework", framework] if framework else []
    command += ["--output", "json", "--skip-download", *(["--quiet"] if quiet else [])]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=target.parent)
    assert result.stdout, result.stderr
    return result.stdout


def report_of(output: str) -> dict:
    report = json.loads(output)
    return report[0] if isinstance(report, list) else report


def reports_by_type(output: str) -> dict[str, dict]:
    report = json.loads(output)
    return {r["check_type"]: r for r in (report if isinstance(report, list) else [report])}


def terraform_address(reported: str, document: dict) -> str:
    """The Terraform address of a resource as checkov reports it, without an instance key.
    checkov's terraform_json runner names a resource `resource.<name>` (and a data source
    `data.<name>`) in some findings, and its HCL runner a data source `<type>.<name>`; the
    document's names are unique, so the name finds its type."""
    address = reported.split("[", 1)[0]
    kind, _, name = address.partition(".")
    if name in document.get("data", {}).get(kind, {}) and name not in document.get("resource", {}).get(kind, {}):
        return f"data.{address}"  # how checkov's HCL runner names a data source
    if kind not in ("resource", "data") or "." in name:
        return address
    section = document["resource" if kind == "resource" else "data"]
    types = [type_name for type_name, instances in section.items() if name in instances]
    assert len(types) == 1, f"{reported}: {types}"
    return f"{types[0]}.{name}" if kind == "resource" else f"data.{types[0]}.{name}"


def findings(report: dict, document: dict | None = None) -> list[tuple[str, str]]:
    """(check id, Terraform address) of every failed check (a plan's addresses need no `document`)."""
    failed = report["results"]["failed_checks"]
    return sorted({(check["check_id"], terraform_address(check["resource"], document or {})) for check in failed})


def uncovered(found: list[tuple[str, str]], skips) -> list[str]:
    return [f"{c} {r}" for c, r in found if not any(s.check_id == c and s.covers(r) for s in skips)]


def _raw_scan(bundle: Path, target: Path) -> dict:
    """Every finding, none suppressed: the main configuration file alone, without the bundle's
    checkov configuration (and without the files checkov's parser cannot read)."""
    target.mkdir(parents=True)
    shutil.copy(bundle / BUNDLE_CONFIG, target / BUNDLE_CONFIG)
    return report_of(scan(target))


@pytest.fixture(scope="module")
def documents(synth_of) -> dict:
    return {label(c): bundle_document(synth_of(**c).bundle) for c in COMBINATIONS}


@pytest.fixture(scope="module")
def reports(synth_of, tmp_path_factory) -> dict:
    """The raw configuration scan of every combination (one checkov run each, in parallel)."""
    bundles = {label(c): synth_of(**c).bundle for c in COMBINATIONS}
    targets = {label(c): tmp_path_factory.mktemp(f"checkov-{label(c)}") / "tap_stack" for c in COMBINATIONS}
    return in_parallel({key: partial(_raw_scan, bundles[key], targets[key]) for key in bundles})


@pytest.fixture(scope="module")
def shipped(synth_of) -> dict:
    """`checkov -d <bundle>` on the JSON and the HCL bundle as shipped, for the default and the
    largest combination: no flag but the directory (and the report's format)."""
    bundles = {
        (label(c), kind): synth_of(**c).bundle.parent / name
        for c in SHIPPED
        for kind, name in (("json", "tap_stack"), ("hcl", "tap_stack_hcl"))
    }
    outputs = in_parallel({key: partial(scan, path, None, False) for key, path in bundles.items()})
    return {key: reports_by_type(output) for key, output in outputs.items()}


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
    return report_of(scan(plan_file, framework="terraform_plan"))


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_the_suppressions_are_exactly_the_findings(reports, documents, combination):
    """Every finding is a listed exception, and every listed exception in the combination covers a
    resource that fails its check: the bundles suppress exactly what checkov finds."""
    document, report = documents[label(combination)], reports[label(combination)]
    suppressed = sorted({(s.check_id, s.address) for s in suppressions(document, options(combination))})
    assert findings(report, document) == suppressed
    assert report["summary"]["passed"] > 350 * int(combination["regions"])


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
    on_configuration = {check["check_id"] for check in reports[label(DEFAULT)]["results"]["failed_checks"]}
    for skip in checkov_skips_for(options(DEFAULT), skips=CHECKOV_PLAN_SKIPS):
        assert skip.check_id in on_plan, f"{skip.check_id} no longer fails on the plan: drop it from CHECKOV_PLAN_SKIPS"
        assert skip.check_id not in on_configuration, (
            f"{skip.check_id} fails on the configuration: list it in CHECKOV_SKIPS"
        )


def test_every_exception_has_a_reason():
    for skip in CHECKOV_SKIPS + CHECKOV_PLAN_SKIPS:
        assert len(skip.reason.split()) >= 8, skip.check_id
    assert not {s.check_id for s in CHECKOV_SKIPS} & {s.check_id for s in CHECKOV_PLAN_SKIPS}


@pytest.mark.parametrize("combination", SHIPPED, ids=SHIPPED_IDS)
@pytest.mark.parametrize("kind", ["json", "hcl"])
def test_a_pipelines_scan_of_the_shipped_bundle_fails_nothing(shipped, combination, kind):
    reports = shipped[(label(combination), kind)]
    assert set(reports) == {"terraform_json" if kind == "json" else "terraform"}
    summary = next(iter(reports.values()))["summary"]
    assert (summary["failed"], summary["parsing_errors"]) == (0, 0)
    assert summary["passed"] > 350 * int(combination["regions"])


@pytest.mark.parametrize("combination", SHIPPED, ids=SHIPPED_IDS)
def test_the_hcl_bundle_suppresses_each_exception_on_its_resource_with_its_reason(shipped, documents, combination):
    report = shipped[(label(combination), "hcl")]["terraform"]
    document = documents[label(combination)]
    skipped = sorted(
        (check["check_id"], terraform_address(check["resource"], document), check["check_result"]["suppress_comment"])
        for check in report["results"]["skipped_checks"]
    )
    assert skipped == sorted({(s.check_id, s.address, s.reason) for s in suppressions(document, options(combination))})


@pytest.mark.parametrize("combination", SHIPPED, ids=SHIPPED_IDS)
def test_the_json_bundle_is_scanned_resource_for_resource_as_the_hcl_bundle(shipped, documents, combination):
    """checkov reaches the same resources in both bundles (its JSON report counts none itself),
    leaving out those that only the checks the JSON bundle skips by id reach."""
    document = documents[label(combination)]
    json_report = shipped[(label(combination), "json")]["terraform_json"]["results"]
    hcl_report = shipped[(label(combination), "hcl")]["terraform"]["results"]
    skipped_ids = {check["check_id"] for check in hcl_report["skipped_checks"]}

    def reached(results: dict) -> set[str]:
        checks = [c for kind in ("passed_checks", "failed_checks", "skipped_checks") for c in results.get(kind, [])]
        addresses = {terraform_address(c["resource"], document) for c in checks if c["check_id"] not in skipped_ids}
        return {a for a in addresses if not a.startswith(("provider.", "aws."))}  # providers: named differently

    assert reached(json_report) == reached(hcl_report)
