"""Terraform CLI helpers: offline init from the local provider mirror, never the public registry."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tapgen.combinations import PROVEN, label
from tests.project import TERRAFORM_RUNTIME, provider_mirror

TFTEST_DIR = Path(__file__).parent / "tftest"


def terraform(cwd: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.fail("terraform is not on PATH; these tests need Terraform 1.6+ (they never skip)")
    env = {
        **os.environ,
        **TERRAFORM_RUNTIME,
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


# Every combination of the synth-time options built so far: (regions, waf). The default first.
COMBINATIONS = PROVEN  # option dicts; `label(c)` names one (a test id, a dict key, a folder)
COMBINATION_IDS = [label(c) for c in COMBINATIONS]
WORKERS = max(2, os.cpu_count() or 2)  # Terraform and checkov each keep about one core busy


def fresh_root(source: Path, target: Path) -> Path:
    """An initialised copy of a bundle (init links the provider from the mirror: well under a second)."""
    shutil.copytree(source, target)
    init(target, backend=False)
    return target


def in_parallel(jobs: dict) -> dict:
    """Run `{key: callable}` on WORKERS threads (each job drives a subprocess) and return `{key: result}`."""
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {key: pool.submit(job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}
