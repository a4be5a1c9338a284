"""Archive integrity: `terraform plan` refuses an archive that is not the one synthesized."""

import re
import shutil

import pytest

from tests.rehearsal.cycles import DEPLOY_TFVARS, TFVARS
from tests.rehearsal.emulator import Workspace

pytestmark = pytest.mark.rehearsal


def test_every_function_checks_its_archive_against_the_synthesized_hash(document, resources):
    locals_ = document["locals"]
    for name, function in resources["aws_lambda_function"].items():
        (precondition,) = function["lifecycle"]["precondition"]
        filename = function["filename"]
        expected = re.fullmatch(
            rf'\$\{{filebase64sha256\("{re.escape(filename)}"\) == local\.(\w+)\}}', precondition["condition"]
        )
        assert expected, precondition["condition"]
        assert locals_[expected[1]] == function["source_code_hash"], name
        assert precondition["error_message"].startswith(f"{filename} is not the archive"), name


@pytest.fixture(scope="module")
def tampered(emulator, synth, tmp_path_factory):
    """An initialised copy of the bundle whose function.zip was swapped after synth."""
    workdir = tmp_path_factory.mktemp("tampered") / "tap_stack"
    shutil.copytree(synth.bundle, workdir)
    shutil.copy(DEPLOY_TFVARS, workdir / TFVARS)
    with (workdir / "function.zip").open("ab") as archive:
        archive.write(b"\0")  # still a valid zip, different bytes
    workspace = Workspace(emulator, workdir).prepare()
    workspace.init()
    return workspace


def test_plan_fails_naming_a_swapped_archive(tampered):
    step = tampered.terraform("plan", "-input=false", f"-var-file={TFVARS}", ok=(1,))
    output = " ".join(step.output.split())
    assert "Resource precondition failed" in output
    assert "function.zip is not the archive this configuration was synthesized with" in output
    assert "health.zip is not" not in output


def test_plan_passes_once_the_archive_is_restored(tampered, synth):
    shutil.copy(synth.bundle / "function.zip", tampered.directory / "function.zip")
    tampered.terraform("plan", "-input=false", f"-var-file={TFVARS}")
