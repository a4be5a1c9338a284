"""`cdktf synth` through the project's pinned cdktf-cli, in a separate working copy."""

import os
import subprocess

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
