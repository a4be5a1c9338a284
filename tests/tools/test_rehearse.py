"""`scripts/rehearse` (tools/rehearse.py) on bad input and on a failing phase: one line, the exit
status, nothing left behind but what a failed phase keeps to look at. A whole passing run is
tests/rehearsal/test_user_rehearsal.py."""

from pathlib import Path

import pytest

from tests.project import ROOT
from tools import rehearse

FIXTURES = ROOT / "tests" / "rehearsal" / "fixtures"


def test_a_missing_tfvars_file_is_named(capsys, tmp_path):
    assert rehearse.main(["--tfvars", str(tmp_path / "prod.tfvars")]) == 2
    assert (
        capsys.readouterr().err
        == f"error: --tfvars {tmp_path / 'prod.tfvars'}: no such file; expected your tfvars file\n"
    )


def test_a_bundle_and_options_together_are_refused(capsys, synth):
    argv = ["--tfvars", str(FIXTURES / "deploy.tfvars"), "--bundle", str(synth.bundle), "-c", "regions=2"]
    assert rehearse.main(argv) == 2
    assert capsys.readouterr().err == (
        "error: --bundle takes a bundle as it was synthesized; give -c options to a synth instead\n"
    )


def test_a_directory_without_a_configuration_is_not_a_bundle(capsys, tmp_path):
    assert rehearse.main(["--tfvars", str(FIXTURES / "deploy.tfvars"), "--bundle", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: --bundle {tmp_path}: no *.tf.json here; expected a bundle such as dist/tap_stack\n"
    )


def test_a_bad_option_stops_at_synth_with_its_message(capsys):
    assert rehearse.main(["--tfvars", str(FIXTURES / "deploy.tfvars"), "-c", "regions=4"]) == 2
    assert capsys.readouterr().err == (
        "error: invalid synth-time option: regions: '4' is not allowed; expected one of: 1, 2, 3\n"
    )


@pytest.mark.rehearsal
def test_a_failing_plan_exits_1_with_terraforms_message_and_keeps_the_scratch_directory(capsys, synth, tmp_path):
    tfvars = tmp_path / "bad.tfvars"
    tfvars.write_text((FIXTURES / "upgrade.tfvars").read_text() + 'stack_lifecycle = "temporary"\n')
    assert rehearse.main(["--tfvars", str(tfvars), "--bundle", str(synth.bundle)]) == 1
    kept, failed, *detail = capsys.readouterr().err.splitlines()
    assert failed == "error: plan failed (terraform plan exited 1):"
    assert any('stack_lifecycle = "temporary" is not allowed' in line for line in detail)
    scratch = Path(kept.removeprefix("rehearse: the scratch directory is kept for a look: "))
    assert (scratch / "root" / "tap_stack.tf.json").is_file()


def test_the_routed_name_is_read_from_the_tfvars_unquoted():
    assert rehearse.domain_name(ROOT / "examples" / "prod" / "prod.tfvars") == "api.tap.example.com"
    assert rehearse.domain_name(ROOT / "examples" / "dev" / "dev.tfvars") == ""
