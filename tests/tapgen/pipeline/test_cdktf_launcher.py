"""`scripts/cdktf`'s command line: options to the app, one environment per run, Terraform's
settings for it. The cycles that run it for real are in tests/rehearsal/test_cdktf_cycle.py."""

from __future__ import annotations

import shutil

import pytest

from tapgen.pipeline.cdktf_launcher import UsageError, launch
from tests.project import ROOT


@pytest.fixture
def checkout(tmp_path):
    """A checkout with the examples' environments and nothing else."""
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    return tmp_path


def test_options_reach_the_app_and_terraform_verbs_skip_the_provider_lock(checkout):
    run = launch(["deploy", "-c", "regions=2", "--context=waf=off", "--auto-approve"], {}, checkout)
    assert run.arguments == ["deploy", "--auto-approve", "--skip-provider-lock"]
    assert run.settings == {"TAP_CONTEXT": "regions=2\nwaf=off\n", "TAP_CDKTF_VERB": "deploy"}


def test_replace_options_is_said_to_the_app(checkout):
    run = launch(["synth", "--replace-options"], {}, checkout)
    assert (run.arguments, run.settings["TAP_REPLACE_OPTIONS"]) == (["synth"], "1")


def test_an_environment_has_its_output_variables_and_backend(checkout):
    folder = checkout / "examples" / "dev"
    run = launch(["deploy", "--env", "examples/dev"], {"TF_CLI_ARGS_init": "-backend-config=mine.tfbackend"}, checkout)
    assert run.arguments == [
        "deploy",
        "--skip-provider-lock",
        "--output",
        "cdktf.out/dev",
        "--var-file",
        str(folder / "dev.tfvars"),
    ]
    assert run.settings["TAP_ENVIRONMENT"] == str(folder)
    assert run.settings["TF_CLI_ARGS_init"] == (
        f"-backend-config=mine.tfbackend -backend-config={folder / 'dev.s3.tfbackend'}"
    )


def test_output_skips_the_provider_lock_and_takes_no_variables(checkout):
    run = launch(["output", "--env", "examples/dev"], {}, checkout)
    assert run.arguments == ["output", "--skip-provider-lock", "--output", "cdktf.out/dev"]


def test_synth_of_an_environment_takes_no_variables(checkout):
    run = launch(["synth", "--env=examples/prod"], {}, checkout)
    assert run.arguments == ["synth", "--output", "cdktf.out/prod"]


def test_a_path_with_spaces_is_quoted_for_terraform(tmp_path):
    folder = tmp_path / "my envs" / "qa"
    folder.mkdir(parents=True)
    (folder / "options.json").write_text('{"context": {}}')
    (folder / "qa.s3.tfbackend").write_text('key = "qa"\n')
    run = launch(["diff", "--env", str(folder)], {}, tmp_path)
    assert run.settings["TF_CLI_ARGS_init"] == f"-backend-config='{folder}/qa.s3.tfbackend'"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["synth", "-c"], "-c needs KEY=VALUE (a synth-time option, see: scripts/synth --help)"),
        (["deploy", "--env"], "--env needs FOLDER (an environment's folder, such as examples/dev)"),
        (
            ["get", "--env", "examples/dev"],
            "--env works with synth, list, deploy, destroy, diff, output; not with 'get'",
        ),
        (["--env", "examples/dev"], "--env needs a verb: synth, list, deploy, destroy, diff, output"),
        (
            ["deploy", "--env", "examples/dev", "-o", "elsewhere"],
            "--output and --env: --env dev writes cdktf.out/dev; give one",
        ),
    ],
    ids=["context without value", "env without folder", "verb without stacks", "no verb", "output and env"],
)
def test_a_command_line_it_cannot_run_is_refused_in_one_line(checkout, argv, message):
    with pytest.raises(UsageError) as raised:
        launch(argv, {}, checkout)
    assert str(raised.value) == message


def test_variables_every_environment_would_share_are_refused(checkout):
    (checkout / "terraform.tfvars").write_text('environment = "dev"\n')
    with pytest.raises(UsageError) as raised:
        launch(["deploy", "--env", "examples/prod"], {}, checkout)
    assert str(raised.value) == (
        "terraform.tfvars beside cdktf.json sets variables of every environment; move them into "
        f"{checkout / 'examples' / 'prod' / 'prod.tfvars'}"
    )
