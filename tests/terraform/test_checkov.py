"""checkov over the generated configuration: zero failed checks, and every skip still needed."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from tapgen.security_exceptions import CHECKOV_SKIPS

ROOT = Path(__file__).resolve().parents[2]
CHECKOV = Path(os.environ.get("TAP_CHECKOV", ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"))


def scan(directory: Path, skips: dict[str, str]) -> dict:
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; `scripts/test` installs it (tools/checkov/Pipfile.lock)")
    command = [
        str(CHECKOV),
        "--directory",
        str(directory),
        "--framework",
        "terraform_json",
        "--output",
        "json",
        "--quiet",
    ]
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


def failed_ids(report: dict) -> set[str]:
    return {check["check_id"] for check in report["results"]["failed_checks"]}


def test_no_failed_checks_with_the_listed_exceptions(scan_dir):
    report = scan(scan_dir, CHECKOV_SKIPS)
    failed = [f"{c['check_id']} {c['resource']}" for c in report["results"]["failed_checks"]]
    assert failed == []
    assert report["summary"]["passed"] > 250


def test_every_listed_exception_is_still_needed(scan_dir):
    assert failed_ids(scan(scan_dir, {})) == set(CHECKOV_SKIPS)


def test_every_exception_has_a_reason():
    for check_id, reason in CHECKOV_SKIPS.items():
        assert len(reason.split()) >= 8, check_id
