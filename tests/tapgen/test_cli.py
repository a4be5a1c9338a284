"""The entry point as users run it: options, atomic outputs, determinism across checkouts."""

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_main, synth_into

IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", "cdktf.out", "dist", "__pycache__", ".pytest_cache")


def checkout(target: Path) -> Path:
    """A second working copy of the project, somewhere else on disk."""
    shutil.copytree(ROOT, target, ignore=IGNORED)
    return target


def previous_outputs(tmp_path: Path) -> tuple[Path, Path]:
    out, bundle = tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack"
    for directory in (out, bundle):
        directory.mkdir(parents=True)
        (directory / "previous.txt").write_text("from the last good run")
    return out, bundle


def assert_untouched(tmp_path: Path, out: Path, bundle: Path) -> None:
    for directory in (out, bundle):
        assert [p.name for p in directory.iterdir()] == ["previous.txt"]
    leftovers = [p.name for p in [*tmp_path.iterdir(), *(tmp_path / "dist").iterdir()] if p.name.startswith(".")]
    assert leftovers == []


def test_a_bad_option_prints_one_line_and_leaves_previous_outputs(tmp_path):
    out, bundle = previous_outputs(tmp_path)
    result = run_main(ROOT, out, bundle, "-c", "backend=gcs")
    assert result.returncode == 2
    assert result.stderr == (
        "error: invalid synth-time option: backend: 'gcs' is not allowed; expected one of: local, s3\n"
    )
    assert_untouched(tmp_path, out, bundle)


def test_a_name_that_breaks_the_contract_fails_synth_and_leaves_previous_outputs(tmp_path):
    project = checkout(tmp_path / "project")
    module = project / "modules" / "item_events.py"
    module.write_text(module.read_text().replace("props.name, name=props.bus_name", '"events", name=props.bus_name'))
    out, bundle = previous_outputs(tmp_path)
    result = run_main(project, out, bundle)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: aws_cloudwatch_event_bus.events (construct tap_stack/tap_stack_events/events)"
    )
    assert result.stderr.count("\n") == 1
    assert_untouched(tmp_path, out, bundle)


def test_two_checkouts_produce_byte_identical_outputs(synth, tmp_path):
    other = synth_into(checkout(tmp_path / "elsewhere" / "project"), tmp_path / "elsewhere" / "out")
    for first_dir, second_dir in ((synth.bundle, other.bundle), (synth.cdktf_out, other.cdktf_out)):
        first = sorted(p.relative_to(first_dir) for p in first_dir.rglob("*") if p.is_file())
        second = sorted(p.relative_to(second_dir) for p in second_dir.rglob("*") if p.is_file())
        assert first == second
        for relative in first:
            assert (first_dir / relative).read_bytes() == (second_dir / relative).read_bytes(), relative


def test_bundle_holds_exactly_what_ops_needs(synth):
    assert sorted(p.name for p in synth.bundle.iterdir()) == [
        "README.md",
        "canary.zip",
        "function.zip",
        "health.zip",
        "tap_stack.tf.json",
    ]
    assert (synth.bundle / "tap_stack.tf.json").read_bytes() == (synth.stack_dir / "cdk.tf.json").read_bytes()


def test_the_cdktf_output_is_a_cdktf_manifest_tree(synth):
    manifest = json.loads((synth.cdktf_out / "manifest.json").read_text())
    assert manifest["stacks"]["tap_stack"]["synthesizedStackPath"] == "stacks/tap_stack/cdk.tf.json"
    assert {p.name for p in synth.stack_dir.iterdir()} == {"cdk.tf.json", "function.zip", "health.zip", "canary.zip"}


@pytest.mark.parametrize(
    "extra",
    [
        [
            "-c",
            "backend=s3",
            "-c",
            "state_bucket=acme-tf-state",
            "-c",
            "state_region=eu-west-1",
            "-c",
            "state_lock_table=tf-locks",
        ]
    ],
)
def test_s3_backend_option(tmp_path, extra):
    document = synth_into(ROOT, tmp_path, *extra).document
    assert document["terraform"]["backend"] == {
        "s3": {
            "bucket": "acme-tf-state",
            "dynamodb_table": "tf-locks",
            "encrypt": True,
            "key": "tap-stack/terraform.tfstate",
            "region": "eu-west-1",
        }
    }
