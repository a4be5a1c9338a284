"""An environment's folder: its name, its files, and the errors for a folder that is none."""

from __future__ import annotations

import pytest

from tapgen.environments import Environment, EnvironmentFolderError, environment
from tests.project import ROOT


def test_an_environment_is_named_by_its_folder_and_finds_its_files():
    dev = environment(ROOT / "examples" / "dev")
    assert dev == Environment(ROOT / "examples" / "dev")
    assert dev.name == "dev"
    assert (dev.options, dev.tfvars, dev.backend_config) == (
        ROOT / "examples/dev/options.json",
        ROOT / "examples/dev/dev.tfvars",
        ROOT / "examples/dev/dev.s3.tfbackend",
    )
    assert dev.cdktf_out(ROOT) == ROOT / "cdktf.out" / "dev"
    assert dev.bundle(ROOT) == ROOT / "dist" / "dev" / "tap_stack"


def test_tfvars_and_backend_file_are_optional(tmp_path):
    (tmp_path / "stage").mkdir()
    (tmp_path / "stage" / "options.json").write_text('{"context": {}}')
    stage = environment(tmp_path / "stage")
    assert (stage.tfvars, stage.backend_config) == (None, None)


@pytest.mark.parametrize(
    ("name", "options", "message"),
    [
        ("missing", None, "--env {path}: not a folder; an environment is a folder holding options.json"),
        (
            "Prod",
            "{}",
            "--env {path}: the folder's name 'Prod' names the environment; use 1-63 lowercase letters, digits, "
            "'-' or '_', starting with a letter or digit",
        ),
        (
            "stacks",
            "{}",
            "--env {path}: 'stacks' is a name the default outputs use; name the folder otherwise "
            "(not stacks, tap_stack, tap_stack_hcl)",
        ),
        ("empty", "", '--env {path}: no options.json (the synth-time options, {{"context": {{...}}}}); see examples/'),
    ],
    ids=["not a folder", "bad name", "reserved name", "no options"],
)
def test_a_folder_that_is_no_environment_is_refused_naming_it(tmp_path, name, options, message):
    path = tmp_path / name
    if options is not None:
        path.mkdir()
        if options:
            (path / "options.json").write_text(options)
    with pytest.raises(EnvironmentFolderError) as raised:
        environment(path)
    assert str(raised.value) == message.format(path=path)
