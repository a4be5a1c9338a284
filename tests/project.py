"""The project as the tests see it: where it is, where the provider mirror is, and how a user runs
its entry point. Plain functions and data, no fixtures: the fixtures (`tests/conftest.py`) and the
rehearsal harness (`tests/rehearsal/`) both build on it, and it imports neither."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tapgen.pipeline.bundle import bundle_document
from tools.emulator.client import PROVIDER_MIRROR

ROOT = Path(__file__).resolve().parent.parent
# The local mirror of hashicorp/aws 5.100.0 (as laid out by `terraform providers mirror`); the
# same variable as scripts/bootstrap.sh. Nothing in the tests uses the public registry.
# The Go runtime of Terraform and its providers collects garbage less often in the suite, which is
# CPU-bound on two cores: `terraform validate` of the largest bundle took 30% less CPU with GOGC=400
# than with Go's default of 100, for about 1.5x the memory (490 MB instead of 320 MB).
TERRAFORM_RUNTIME = {"GOGC": "400"}


def provider_mirror() -> Path:
    """The mirror, or a failure that says how to point at one (Terraform tests never skip)."""
    if not PROVIDER_MIRROR.is_dir():
        pytest.fail(
            f"provider mirror {PROVIDER_MIRROR} is missing; set TAP_PROVIDER_MIRROR to a mirror of hashicorp/aws"
        )
    return PROVIDER_MIRROR


@dataclass(frozen=True)
class Synth:
    cdktf_out: Path
    bundle: Path

    @property
    def stack_dir(self) -> Path:
        return self.cdktf_out / "stacks" / "tap_stack"

    @property
    def document(self) -> dict:
        return bundle_document(self.bundle)


# A copy keeps `.git`: outputs record the source revision (tapgen/provenance.py), which a copy
# without it would not know.
CHECKOUT_IGNORED = shutil.ignore_patterns(".venv", "node_modules", "cdktf.out", "dist", "__pycache__", ".pytest_cache")


def checkout(target: Path) -> Path:
    """A second working copy of the project, somewhere else on disk (without its environments), at
    the same revision."""
    shutil.copytree(ROOT, target, ignore=CHECKOUT_IGNORED)
    return target


def run_main(cwd: Path, out: Path, bundle: Path, *extra: str) -> subprocess.CompletedProcess:
    """Run the real entry point, as a user would."""
    return subprocess.run(
        [sys.executable, "main.py", "--out", str(out), "--bundle", str(bundle), *extra],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "CDKTF_OUTDIR": ""},
        check=False,
    )


def synth_into(cwd: Path, target: Path, *extra: str) -> Synth:
    synth = Synth(target / "cdktf.out", target / "dist" / "tap_stack")
    result = run_main(cwd, synth.cdktf_out, synth.bundle, *extra)
    assert result.returncode == 0, result.stderr
    return synth
