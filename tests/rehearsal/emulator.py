"""moto's server on the loopback address, and Terraform root modules wired to it.

API (reusable outside the rehearsal tests, e.g. for a `cdktf deploy` cycle):

- `Emulator`: `tools.emulator.client.Emulator` with Terraform's runtime settings of the suite
  (`tests.project.TERRAFORM_RUNTIME`); see `tools/emulator/client.py` for its API.
- `Workspace(emulator, directory, account=None, remote_state=False)`: a root module run against the
  emulator. `prepare()` writes the override, with `remote_state` the state in a bucket of the
  emulated account (`STATE_KEY` in `state_bucket(account)`): the local backend rewrites the whole
  state file after each resource, so an apply of N resources costs O(N^2) (measured with 1,200
  `terraform_data`: 162 s on the local backend, 17 s on S3), and the largest rehearsal's apply and
  destroy are mostly that. `init()` is offline (`-plugin-dir`, the local provider
  mirror); `terraform(*args, ok=(0,))` runs one command, records a
  `Step` (command, seconds, exit code, output) in `workspace.steps` and fails the test on an
  unexpected exit code; `state_list()` returns the addresses in state.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.project import TERRAFORM_RUNTIME, provider_mirror
from tools.emulator import client
from tools.emulator.client import OVERRIDE_FILE, PROVIDER_OVERRIDE, STATE_KEY, Step, provider_aliases, run_terraform

__all__ = ["OVERRIDE_FILE", "PROVIDER_OVERRIDE", "STATE_KEY", "Emulator", "Step", "Workspace", "provider_aliases"]
COMMAND_TIMEOUT_SECONDS = 600


class Emulator(client.Emulator):
    """The emulator, with Terraform's runtime settings of the suite."""

    def __init__(self) -> None:
        super().__init__(runtime=TERRAFORM_RUNTIME)


def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        pytest.fail("terraform is not on PATH; the deploy rehearsal needs Terraform 1.7+ (it never skips)")
    return binary


@dataclass
class Workspace:
    """A Terraform root module in `directory`, run against `emulator`."""

    emulator: Emulator
    directory: Path
    account: str | None = None
    remote_state: bool = False
    steps: list[Step] = field(default_factory=list)

    def prepare(self) -> Workspace:
        state = (self.emulator.state_bucket(self.account), STATE_KEY) if self.remote_state else None
        self.emulator.write_override(self.directory, state)
        return self

    def terraform(self, *args: str, ok: tuple[int, ...] = (0,)) -> Step:
        env = self.emulator.env(account=self.account)
        try:
            step = run_terraform(terraform_binary(), self.directory, env, *args, timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            pytest.fail(f"terraform {' '.join(args)} timed out after {error.timeout} s in {self.directory}")
        self.steps.append(step)
        if step.returncode not in ok:
            pytest.fail(
                f"terraform {step.command} exited {step.returncode} in {self.directory}:\n"
                f"{_tail(step.stdout)}\n{_tail(step.stderr)}"
            )
        return step

    def init(self) -> Step:
        return self.terraform("init", "-input=false", f"-plugin-dir={provider_mirror()}")

    def state_list(self) -> list[str]:
        step = self.terraform("state", "list", ok=(0, 1))
        if step.returncode == 1 and "No state file was found" not in step.output:
            pytest.fail(f"terraform state list failed in {self.directory}:\n{step.output}")
        return step.stdout.split()

    def show_json(self, plan_file: str) -> dict:
        return json.loads(self.terraform("show", "-json", plan_file).stdout)

    def state_values(self) -> dict:
        """The state's `values` (`terraform show -json`): every resource as applied."""
        return json.loads(self.terraform("show", "-json").stdout)["values"]


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])
