"""Every alarm of every proven combination names its runbook, and docs/operations.md has it: a
section named after the alarm that says what it means, what to check first, the fix and who acts."""

from __future__ import annotations

import re

import pytest

from modules.alerts import RUNBOOKS
from tapgen.combinations import PROVEN, label
from tapgen.security.exceptions import primary_address
from tests.project import ROOT

PARTS = ("**What it means.**", "**First checks.**", "**The fix.**", "**Who acts.**")


def runbook_sections() -> dict[str, str]:
    text = (ROOT / RUNBOOKS).read_text()
    headings = list(re.finditer(r"^### (\S+)\n", text, flags=re.MULTILINE))
    ends = [h.start() for h in headings[1:]] + [len(text)]
    return {h[1]: text[h.end() : end].split("\n## ", 1)[0] for h, end in zip(headings, ends, strict=True)}


@pytest.fixture(scope="module")
def alarms(synth_of) -> dict[str, str]:
    """Every alarm of every proven combination (by primary name): its description."""
    found = {}
    for combination in PROVEN:
        for name, body in synth_of(**combination).document["resource"]["aws_cloudwatch_metric_alarm"].items():
            found[f"{label(combination)}: {name}"] = body["alarm_description"]
    return found


def test_every_alarm_names_its_runbook_section(alarms):
    sections = runbook_sections()
    for where, description in alarms.items():
        name = primary_address(where.split(": ", 1)[1])
        assert description.endswith(f". Runbook: {RUNBOOKS}#{name}"), where
        assert name in sections, f"{where}: no section '### {name}' in {RUNBOOKS}"


def test_every_runbook_says_what_it_means_the_first_checks_the_fix_and_who_acts():
    for name, section in runbook_sections().items():
        positions = [section.find(part) for part in PARTS]
        assert -1 not in positions and positions == sorted(positions), f"{name}: needs {', '.join(PARTS)} in order"


def test_every_runbook_is_for_an_alarm_the_stack_can_raise(alarms):
    raised = {primary_address(where.split(": ", 1)[1]) for where in alarms}
    assert set(runbook_sections()) == raised
