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


def readme_layout() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Layout\n") :]
    return section[: section.index("\n## ", 1)]


def test_the_readme_layout_names_every_module_and_every_folder_it_lists_exists():
    layout = readme_layout()
    words = set(re.findall(r"[a-z_]+", layout))
    modules = {path.stem for path in (ROOT / "modules").glob("*.py") if path.stem != "__init__"}
    assert modules <= words, sorted(modules - words)
    listed = re.findall(r"^([a-z_/.]+)\s", layout.split("```")[1], flags=re.MULTILINE)
    assert listed and all((ROOT / entry.rstrip("/")).exists() for entry in listed), listed
