"""What the docs state as configuration is the configuration: the guardrail SCP of
docs/threat-model.md names the same actions the stack denies and watches."""

from __future__ import annotations

import json
import re

from modules.encryption import ADMINISTRATION_EVENTS
from modules.secure_bucket import TAMPER_ACTIONS
from tests.project import ROOT

THREAT_MODEL = ROOT / "docs" / "threat-model.md"


def scp_statements() -> dict[str, dict]:
    (block,) = re.findall(r"```json\n(.*?)\n```", THREAT_MODEL.read_text(), flags=re.DOTALL)
    return {statement["Sid"]: statement for statement in json.loads(block)["Statement"]}


def test_the_scp_keeps_everyone_but_break_glass_from_what_the_archive_policy_denies():
    assert scp_statements()["NobodyErasesTheTapLogArchive"]["Action"] == list(TAMPER_ACTIONS)


def test_the_scp_denies_every_key_call_the_stack_alarms_on():
    assert set(ADMINISTRATION_EVENTS) <= {
        action.removeprefix("kms:") for action in scp_statements()["NobodyWeakensTheTapKeys"]["Action"]
    }
