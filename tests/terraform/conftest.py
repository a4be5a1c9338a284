"""Terraform CLI helpers: offline init from the local provider mirror, never the public registry."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import provider_mirror

TFTEST_DIR = Path(__file__).parent / "tftest"


def terraform(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.fail("terraform is not on PATH; these tests need Terraform 1.6+ (they never skip)")
    env = {
        **os.environ,
        "TF_CLI_CONFIG_FILE": os.devnull,  # nothing from the home directory
        "TF_IN_AUTOMATION": "1",
        "CHECKPOINT_DISABLE": "1",
    }
    env.pop("TF_PLUGIN_CACHE_DIR", None)
    result = subprocess.run([binary, *args, "-no-color"], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"terraform {' '.join(args)} failed in {cwd}:\n{result.stdout}\n{result.stderr}")
    return result


def init(cwd: Path, backend: bool = True) -> None:
    terraform(cwd, "init", "-input=false", f"-backend={str(backend).lower()}", f"-plugin-dir={provider_mirror()}")


@pytest.fixture(scope="module")
def bundle_copy(synth, tmp_path_factory) -> Path:
    """An initialised copy of the hand-off bundle, as an ops team would receive it."""
    target = tmp_path_factory.mktemp("bundle") / "tap_stack"
    shutil.copytree(synth.bundle, target)
    init(target)
    return target
