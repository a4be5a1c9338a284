"""Shared fixtures: one real synth of the stack (through `main.py`) per test session."""

from __future__ import annotations

import pytest

import tapgen  # noqa: F401  (silences jsii's Node banner before anything imports cdktf)
from tests.project import ROOT, Synth, synth_into
from tests.rehearsal.session import emulator, pytest_terminal_summary, rehearsals  # noqa: F401


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


REHEARSAL_TESTS = "tests/rehearsal/"


def pytest_collection_modifyitems(items):
    """The rehearsals' tests last: their cycles (real applies) start with the first test and run in
    background threads while the rest of the suite runs, so their results are ready when their
    tests ask for them."""
    items.sort(key=lambda item: item.nodeid.startswith(REHEARSAL_TESTS))


@pytest.fixture(autouse=True)
def _rehearsals_run_beside_the_suite(request):
    """Starts the cycles of the selected rehearsal tests at the first test."""
    request.getfixturevalue("rehearsals")
