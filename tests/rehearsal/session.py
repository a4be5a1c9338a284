"""Deploy rehearsal fixtures: one moto server per session, and each rehearsal applied once. Shared
with every folder through `tests/conftest.py`, which starts the rehearsals at the first test and
orders their tests last.

- `emulator` (session): a started `tests.rehearsal.emulator.Emulator` (moto's server on
  127.0.0.1 with the named patches, in a process of its own), stopped at the end of the session. Use `emulator.env()` to
  run terraform/cdktf against it, `emulator.write_override(dir)` to wire a root module to it and
  `Workspace(emulator, dir)` to run and time Terraform there. To share it with tests outside
  this folder, move this fixture to `tests/conftest.py` (it only needs the import).
- `rehearsals` (session, started by `tests/conftest.py` at the first test): runs the deploy,
  upgrade, regions (the largest bundle, `tapgen.combinations.LARGEST`), dax (the regions cycle on
  the DAX combination's bundle, `tests.rehearsal.cycles.DAX_COMBINATION`) and cdktf cycles of
  `tests.rehearsal.cycles`, and `scripts/rehearse` as a user runs it (with an emulator of its own),
  at once in background threads (only those whose test module is selected; none: no emulator is
  started), while the other tests go on, and hands their records to the tests:
  `rehearsals.get("deploy")` waits for that cycle and re-raises its failure.

The figures (resources created, seconds per step) are printed in the terminal summary.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest

from tapgen.combinations import LARGEST, PROVEN, label
from tests.rehearsal.cycles import (
    DAX_ACCOUNT,
    DAX_COMBINATION,
    DAX_TFVARS,
    Run,
    cdktf_cycle,
    deploy_cycle,
    newest_release,
    regions_cycle,
    upgrade_cycle,
    user_rehearsal,
)
from tests.rehearsal.emulator import Emulator

# The cycles by the name of their test module (`test_<name>.py`), the longest first.
CYCLES = ("regions", "dax", "cdktf_cycle", "upgrade", "deploy", "user_rehearsal")
# The proven combination each apply-and-replan cycle deploys; its HCL bundle is planned there over
# the applied state and compared with the JSON bundle's plan (`cycles.assert_hcl_plans_the_same`).
APPLIED = {"regions": LARGEST, "dax": DAX_COMBINATION, "deploy": PROVEN[0]}
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
def rehearsals(request, tmp_path_factory):
    selected = {Path(str(item.fspath)).name for item in request.session.items}
    wanted = [name for name in CYCLES if f"test_{name}.py" in selected]
    if not wanted:
        yield Rehearsals({})
        return
    emulator = request.getfixturevalue("emulator")
    # Synthesized here, in this thread: `synth_of` is not thread-safe.
    synth_of = request.getfixturevalue("synth_of")
    largest = synth_of(**APPLIED["regions"]).bundle if "regions" in wanted else None
    dax = synth_of(**APPLIED["dax"]).bundle if "dax" in wanted else None
    default = synth_of(**APPLIED["deploy"]).bundle if {"deploy", "upgrade", "user_rehearsal"} & set(wanted) else None
    workdir = {name: tmp_path_factory.mktemp(name) / "tap_stack" for name in wanted}
    jobs = {
        "regions": lambda: regions_cycle(emulator, largest, workdir["regions"]),
        "dax": lambda: regions_cycle(
            emulator,
            dax,
            workdir["dax"],
            DAX_TFVARS,
            name=f"deploy dax ({label(DAX_COMBINATION)})",
            account=DAX_ACCOUNT,
        ),
        "deploy": lambda: deploy_cycle(emulator, default, workdir["deploy"]),
        "upgrade": lambda: upgrade_cycle(emulator, newest_release(), default, workdir["upgrade"]),
        "cdktf_cycle": lambda: cdktf_cycle(emulator, workdir["cdktf_cycle"].parent / "project"),
        "user_rehearsal": lambda: user_rehearsal(default),
    }
    pool = ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix="rehearsal")
    try:
        yield Rehearsals({name: pool.submit(jobs[name]) for name in wanted})
    finally:
        pool.shutdown(wait=True)


@pytest.fixture(scope="session")
def emulator():
    with Emulator.running() as running:
        yield running
        ledger = running.ledger()
        LEDGER.extend(
            (
                f"emulator: {len(ledger.retried)} calls retried by the SDK, "
                f"{len(ledger.replayed)} answered again from their first attempt",
                *(f"  answered again: {call}" for call in sorted(set(ledger.replayed))),
            )
        )


def pytest_terminal_summary(terminalreporter):
    FIGURES.extend(LEDGER)
    if FIGURES:
        terminalreporter.section("deploy rehearsal figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
