"""Deploy rehearsal fixtures: one moto server per session, and each rehearsal applied once.

- `emulator` (session): a started `tests.rehearsal.emulator.Emulator` (moto's server on
  127.0.0.1, named patches applied), stopped at the end of the session. Use `emulator.env()` to
  run terraform/cdktf against it, `emulator.write_override(dir)` to wire a root module to it and
  `Workspace(emulator, dir)` to run and time Terraform there. To share it with tests outside
  this folder, move this fixture to `tests/conftest.py` (it only needs the import).
- `rehearsals` (session, started by the first test of this folder): runs the deploy, upgrade and
  regions (the largest bundle: `regions=3` with compliance and account controls) cycles of
  `tests.rehearsal.cycles` at once in background threads (only those whose test module is
  selected), while the other tests go on, and hands their
  `Run` records to the tests: `rehearsals.get("deploy")` waits for that cycle and re-raises its
  failure.

The figures (resources created, seconds per step) are printed in the terminal summary.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tapgen.combinations import LARGEST
from tests.rehearsal.cycles import Run, deploy_cycle, newest_release, regions_cycle, upgrade_cycle
from tests.rehearsal.emulator import Emulator

FIGURES: list[str] = []
LEDGER: list[str] = []


class Rehearsals:
    def __init__(self, futures: dict[str, Future]) -> None:
        self._futures = futures
        self._reported: set[str] = set()

    def get(self, name: str) -> Run:
        if name not in self._futures:
            pytest.fail(f"the {name} rehearsal was not started: its test module is not selected")
        run = self._futures[name].result()
        if name not in self._reported:
            self._reported.add(name)
            FIGURES.append(run.figures())
        return run


@pytest.fixture(scope="session")
def rehearsals(request, emulator, tmp_path_factory):
    selected = {Path(str(item.fspath)).name for item in request.session.items}
    wanted = [name for name in ("deploy", "upgrade", "regions") if f"test_{name}.py" in selected]
    bundle = request.getfixturevalue("synth").bundle if {"deploy", "upgrade"} & set(wanted) else None
    pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="rehearsal")
    futures: dict[str, Future] = {}
    if "regions" in wanted:
        regions_bundle = request.getfixturevalue("synth_of")(**LARGEST).bundle
        futures["regions"] = pool.submit(
            regions_cycle, emulator, regions_bundle, tmp_path_factory.mktemp("regions") / "tap_stack"
        )
    if "deploy" in wanted:
        futures["deploy"] = pool.submit(deploy_cycle, emulator, bundle, tmp_path_factory.mktemp("deploy") / "tap_stack")
    if "upgrade" in wanted:
        futures["upgrade"] = pool.submit(
            upgrade_cycle, emulator, newest_release(), bundle, tmp_path_factory.mktemp("upgrade") / "tap_stack"
        )
    try:
        yield Rehearsals(futures)
    finally:
        pool.shutdown(wait=True)


@pytest.fixture(scope="session", autouse=True)
def _rehearsals_start_early(rehearsals):
    """Start the cycles with the first test of this folder, so they run while other tests do."""


@pytest.fixture(scope="session")
def emulator():
    with Emulator.running() as running:
        yield running
        LEDGER.extend(
            (
                f"emulator: {len(running.ledger.retried)} calls retried by the SDK, "
                f"{len(running.ledger.replayed)} answered again from their first attempt",
                *(f"  answered again: {call}" for call in sorted(set(running.ledger.replayed))),
            )
        )


def pytest_terminal_summary(terminalreporter):
    FIGURES.extend(LEDGER)
    if FIGURES:
        terminalreporter.section("deploy rehearsal figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
