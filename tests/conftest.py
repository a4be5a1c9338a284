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
