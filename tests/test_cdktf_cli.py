"""`cdktf synth` through the project's pinned cdktf-cli, in a separate working copy."""

import json
import os
import subprocess

from tapgen.pipeline.bundle import bundle_document
from tests.project import ROOT, checkout


def test_cdktf_synth_writes_the_stack_with_its_archives(tmp_path, synth):
    cli = ROOT / "node_modules" / ".bin" / "cdktf"
    assert cli.exists(), "cdktf-cli is missing: scripts/test installs it from package-lock.json"
    project = checkout(tmp_path / "project")
    for shared in ("node_modules", ".venv"):
        (project / shared).symlink_to(ROOT / shared)
    env = {**os.environ, "CHECKPOINT_DISABLE": "1"}
    env.pop("CDKTF_OUTDIR", None)
    result = subprocess.run([str(cli), "synth"], cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    stack_dir = project / "cdktf.out" / "stacks" / "tap_stack"
    assert (stack_dir / "cdk.tf.json").read_bytes() == (synth.stack_dir / "cdk.tf.json").read_bytes()
    canary = next(synth.stack_dir.glob("canary-*.zip")).name
    for archive in ("function.zip", "health.zip", "rotation.zip", canary):
        assert (stack_dir / archive).read_bytes() == (synth.stack_dir / archive).read_bytes()


def scripts_cdktf(project, *arguments: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CHECKPOINT_DISABLE": "1", "CI": "1"}
    for inherited in ("CDKTF_OUTDIR", "TAP_CONTEXT", "TAP_CDKTF_VERB"):
        env.pop(inherited, None)
    return subprocess.run(
        ["scripts/cdktf", *arguments], cwd=project, env=env, capture_output=True, text=True, check=False
    )


def test_scripts_cdktf_passes_options_to_the_app_and_only_synth_rewrites_the_bundles(tmp_path):
    """`scripts/cdktf synth -c regions=2` builds two regions; a later `scripts/cdktf list` (which runs
    the app with the default options) rewrites cdktf.out only, never the bundles in dist/."""
    project = checkout(tmp_path / "project")
    for shared in ("node_modules", ".venv"):
        (project / shared).symlink_to(ROOT / shared)
    synth = scripts_cdktf(project, "synth", "-c", "regions=2")
    assert synth.returncode == 0, synth.stdout + synth.stderr
    dist, stack_dir = project / "dist", project / "cdktf.out" / "stacks" / "tap_stack"
    assert "secondary_region" in json.loads((dist / "tap_stack" / "tap_stack.tf.json").read_text())["variable"]
    assert json.loads((stack_dir / "cdk.tf.json").read_bytes()) == bundle_document(dist / "tap_stack")
    bundles = {p: p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()}

    listed = scripts_cdktf(project, "list")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert {p: p.read_bytes() for p in sorted(dist.rglob("*")) if p.is_file()} == bundles
    assert "secondary_region" not in json.loads((stack_dir / "cdk.tf.json").read_text())["variable"]


def test_scripts_cdktf_refuses_a_context_flag_without_its_value(tmp_path):
    result = scripts_cdktf(ROOT, "synth", "-c")
    assert (result.returncode, result.stderr) == (
        2,
        "error: -c needs KEY=VALUE (a synth-time option, see: scripts/synth --help)\n",
    )
