"""The emulator harness itself: every named moto patch is applied, makes moto behave as AWS does
(probes through boto3 against the running server), and is still needed (the same probes fail
against an unpatched server); the Terraform environment leaks nothing of the caller's."""

import json
import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from tests.rehearsal.emulator import OVERRIDE_FILE, PROVIDER_OVERRIDE
from tests.tools.emulator.probes import PROBES, clients, run_all
from tools.emulator.patches import PATCHES

pytestmark = pytest.mark.rehearsal
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("module", ["tests.rehearsal.emulator", "tests.rehearsal.cycles", "tests.rehearsal.session"])
def test_the_harness_imports_on_its_own_without_the_test_fixtures(module):
    # The emulator is a tool of its own: importing it must not need pytest's conftest to go first.
    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_every_patch_is_applied_has_a_probe_and_says_which_aws_behaviour_it_imitates(emulator):
    assert emulator.patches == tuple(p.name for p in PATCHES)
    assert set(PROBES) == {p.name for p in PATCHES}
    for patch in PATCHES:
        assert patch.apply.__doc__ and "AWS (" in patch.apply.__doc__, patch.name
        assert patch.name == patch.apply.__name__


@pytest.mark.parametrize("name", sorted(PROBES))
def test_patched_emulator_behaves_as_aws(emulator, name):
    PROBES[name](clients(emulator.endpoint), "patched")


def test_every_patch_is_still_needed():
    result = subprocess.run(
        [sys.executable, "-m", "tests.tools.emulator.probes"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    unpatched = json.loads(result.stdout)
    races = {patch.name for patch in PATCHES if not patch.deterministic}
    fixed = [name for name, error in unpatched.items() if error is None and name not in races]
    assert fixed == [], "moto fixed it: drop the patch"


def test_probes_report_failures_instead_of_raising(emulator):
    results = run_all("http://127.0.0.1:9", "unreachable")  # the discard port: nothing listens
    assert set(results) == set(PROBES) and all(results.values())


def test_terraform_environment_is_fake_and_local(emulator, monkeypatch, tmp_path):
    monkeypatch.setenv("AWS_PROFILE", "production")
    monkeypatch.setenv("TF_PLUGIN_CACHE_DIR", "/somewhere")
    env = emulator.env()
    assert "AWS_PROFILE" not in env and "TF_PLUGIN_CACHE_DIR" not in env
    assert env["AWS_ENDPOINT_URL"] == emulator.endpoint
    assert emulator.endpoint.startswith("http://127.0.0.1:")
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["TF_CLI_CONFIG_FILE"] == os.devnull
    override = json.loads(emulator.write_override(tmp_path).read_text())
    assert OVERRIDE_FILE.endswith("_override.tf.json") and (tmp_path / OVERRIDE_FILE).is_file()
    assert override["provider"]["aws"] == [PROVIDER_OVERRIDE]  # no configuration: the default provider


def test_override_covers_every_aws_provider_alias(emulator, tmp_path):
    providers = [{"region": "${var.aws_region}"}, *({"alias": a, "region": "x"} for a in ("secondary", "tertiary"))]
    (tmp_path / "tap_stack.tf.json").write_text(json.dumps({"provider": {"aws": providers}}))
    override = json.loads(emulator.write_override(tmp_path).read_text())
    assert override["provider"]["aws"] == [
        PROVIDER_OVERRIDE,
        {"alias": "secondary", **PROVIDER_OVERRIDE},
        {"alias": "tertiary", **PROVIDER_OVERRIDE},
    ]
    assert emulator.write_override(tmp_path).read_text() == json.dumps(override, indent=2) + "\n"  # not read back


def test_each_rehearsal_account_is_its_own_emulated_aws_account(emulator):
    for account in ("333333333333", "444444444444"):
        env = emulator.env(account=account)
        sts = boto3.client(
            "sts",
            endpoint_url=emulator.endpoint,
            region_name="us-east-1",
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            aws_session_token=env["AWS_SESSION_TOKEN"],
        )
        assert sts.get_caller_identity()["Account"] == account
        assert emulator.env(account=account)["AWS_ACCESS_KEY_ID"] == env["AWS_ACCESS_KEY_ID"]
