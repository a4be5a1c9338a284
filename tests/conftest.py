"""Shared fixtures: one real synth of the stack (through `main.py`) per test session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import tapgen  # noqa: F401  (silences jsii's Node banner before anything imports cdktf)

ROOT = Path(__file__).resolve().parent.parent
# The local mirror of hashicorp/aws 5.100.0 (as laid out by `terraform providers mirror`); the
# same variable as scripts/bootstrap.sh. Nothing in the tests uses the public registry.
PROVIDER_MIRROR = Path(os.environ.get("TAP_PROVIDER_MIRROR", "/opt/tf-plugins"))


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
        return json.loads((self.bundle / "tap_stack.tf.json").read_text())


CHECKOUT_IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "cdktf.out", "dist", "__pycache__", ".pytest_cache"
)


def checkout(target: Path) -> Path:
    """A second working copy of the project, somewhere else on disk (without its environments)."""
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


@pytest.fixture(scope="session")
def synth_of(tmp_path_factory):
    """`synth_of(regions="3", waf="off")`: the synth for those synth-time options, made once per session."""
    made: dict[tuple[tuple[str, str], ...], Synth] = {}

    def get(**options: str) -> Synth:
        key = tuple(sorted(options.items()))
        if key not in made:
            extra = [part for name, value in key for part in ("-c", f"{name}={value}")]
            made[key] = synth_into(ROOT, tmp_path_factory.mktemp("synth"), *extra)
        return made[key]

    return get


@pytest.fixture(scope="session")
def synth(synth_of) -> Synth:
    return synth_of()


@pytest.fixture(scope="session")
def document(synth) -> dict:
    return synth.document


@pytest.fixture(scope="session")
def resources(document) -> dict:
    return document["resource"]


# Tests that use `moto.mock_aws`, which resets moto's global backends when it starts and stops: they
# run first, before any rehearsal holds resources in those backends.
MOCKED_AWS = "tests/lambda_src/"
REHEARSAL_TESTS = "tests/rehearsal/"


def pytest_collection_modifyitems(items):
    """The handler tests first (`MOCKED_AWS`), the rehearsals' tests last. The rehearsal cycles (real
    applies) start with the first test after the handler tests and run in background threads while
    the rest of the suite runs, so their results are ready when their tests ask for them."""

    def turn(item) -> int:
        if item.nodeid.startswith(MOCKED_AWS):
            return 0
        return 2 if item.nodeid.startswith(REHEARSAL_TESTS) else 1

    items.sort(key=turn)


@pytest.fixture(autouse=True)
def _rehearsals_run_beside_the_suite(request):
    """Starts the cycles of the selected rehearsal tests at the first test that is not a handler test."""
    if not request.node.nodeid.startswith(MOCKED_AWS):
        request.getfixturevalue("rehearsals")


# Session fixtures and the figures' summary of the rehearsals, shared with every folder (imported
# last: the rehearsal modules import this one).
from tests.rehearsal.session import emulator, pytest_terminal_summary, rehearsals  # noqa: E402, F401
