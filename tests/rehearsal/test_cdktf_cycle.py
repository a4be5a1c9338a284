"""The cdktf cycle as users run it, offline, against the emulator: `scripts/cdktf synth`, `deploy`,
a plain synth in between, `diff` and `deploy` again with no changes, then `destroy`.

It runs in a second working copy of the project (sharing `.venv` and `node_modules`), with the
variables in a `terraform.tfvars` beside `cdktf.json`, where cdktf picks them up. Terraform gets
the provider only from the mirror, through the project's own `.tap/terraform.rc`.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, provider_mirror
from tests.rehearsal.conftest import FIGURES
from tests.rehearsal.emulator import COMMAND_TIMEOUT_SECONDS
from tests.tapgen.test_cli import checkout

TFVARS = """\
project_name                 = "tap"
environment                  = "dev"
environment_suffix           = "cdk"
owner                        = "platform-team"
lambda_log_bucket_name       = "acme-tap-dev-cdk-logs"
allowed_ip_ranges            = ["198.51.100.0/24"]
alarm_email                  = "oncall@example.com"
dynamodb_deletion_protection = false
"""
KEPT_BY_SYNTH = ("terraform.tfstate", ".terraform.lock.hcl", "emulator_override.tf.json")


class Project:
    def __init__(self, directory: Path, env: dict[str, str]) -> None:
        self.directory = directory
        self.env = env
        self.stack_dir = directory / "cdktf.out" / "stacks" / "tap_stack"
        self.figures: list[str] = []

    def run(self, *command: str) -> str:
        started = time.monotonic()
        result = subprocess.run(
            command,
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
            check=False,
        )
        self.figures.append(f"{' '.join(command[:2])}: {time.monotonic() - started:.0f} s")
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{output[-6000:]}"
        return output

    def state(self) -> dict:
        return json.loads((self.stack_dir / "terraform.tfstate").read_text())


def identities(state: dict) -> dict[str, list[str]]:
    """Each managed resource's address and the ids of its instances: what a replace would change."""
    return {
        f"{r['type']}.{r['name']}": [str(i["attributes"].get("id")) for i in r["instances"]]
        for r in state["resources"]
        if r["mode"] == "managed"
    }


@pytest.fixture(scope="module")
def project(emulator, tmp_path_factory) -> Project:
    directory = checkout(tmp_path_factory.mktemp("cdktf") / "project")
    for shared in ("node_modules", ".venv"):
        (directory / shared).symlink_to(ROOT / shared)
    (directory / "terraform.tfvars").write_text(TFVARS)
    env = {**emulator.env(), "CI": "1", "TAP_PROVIDER_MIRROR": str(provider_mirror())}
    return Project(directory, env)


def test_cdktf_synth_deploy_synth_diff_deploy_destroy_offline(project, emulator):
    project.run("scripts/cdktf", "synth")
    emulator.write_override(project.stack_dir)

    output = project.run("scripts/cdktf", "deploy", "--auto-approve")
    created = [r for r in project.state()["resources"] if r["mode"] == "managed"]
    assert len(created) > 60, output[-3000:]
    lock = (project.stack_dir / ".terraform.lock.hcl").read_text()
    assert 'provider "registry.terraform.io/hashicorp/aws"' in lock
    assert 'version     = "5.100.0"' in lock

    kept = {name: (project.stack_dir / name).read_bytes() for name in KEPT_BY_SYNTH}
    project.run("scripts/synth")
    assert {name: (project.stack_dir / name).read_bytes() for name in KEPT_BY_SYNTH} == kept

    assert "No changes." in project.run("scripts/cdktf", "diff")
    deployed = identities(project.state())
    assert "No changes." in project.run("scripts/cdktf", "deploy", "--auto-approve")
    assert identities(project.state()) == deployed

    project.run("scripts/cdktf", "destroy", "--auto-approve")
    assert [r for r in project.state()["resources"] if r["mode"] == "managed"] == []
    assert (project.directory / ".tap" / "terraform.rc").read_text().count(str(provider_mirror())) == 1
    FIGURES.append(f"cdktf cycle: {len(created)} resources created; " + ", ".join(project.figures))
