"""`scripts/rehearse` as a user runs it (`tests.rehearsal.cycles.user_rehearsal`): the default bundle
with a durable stack's tfvars, offline, with an AWS profile that does not exist."""

import pytest

pytestmark = pytest.mark.rehearsal
PHASES = ("init", "plan", "apply", "re-plan", "take-down")


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("user_rehearsal")


def test_every_phase_passes_and_the_summary_counts_what_came_and_went(run):
    assert run.returncode == 0, run.stderr[-4000:]
    first, timed, heading, *not_checked = run.stdout.splitlines()
    created, destroyed = (int(part.rsplit(" ", 1)[1]) for part in first.removeprefix("rehearsal passed: ").split(", "))
    assert created == destroyed > 100
    assert [part.split(" ")[0] for part in timed.removeprefix("seconds: ").split(", ")] == list(PHASES)
    assert heading == "not checked by the emulator:" and len(not_checked) >= 3


def test_each_phase_says_what_it_does_on_stderr(run):
    said = [line.removeprefix("rehearse: ").removesuffix(" ...") for line in run.stderr.splitlines()]
    assert said == [
        "starting the emulator",
        "init: terraform init",
        "plan: terraform plan",
        "apply: terraform apply",
        "re-plan: terraform plan",
        "take-down: terraform apply",
        "take-down: terraform destroy",
    ]
