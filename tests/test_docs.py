"""What the docs state as configuration is the configuration: the guardrail SCP of
docs/threat-model.md names the same actions the stack denies and watches, the layout of
docs/design.md names every module, docs/testing.md lists the proven combinations. And the docs
stay navigable: README.md is short, and every relative link in it and in docs/ leads somewhere."""

from __future__ import annotations

import json
import re
from pathlib import Path

from modules.encryption import ADMINISTRATION_EVENTS
from modules.secure_bucket import TAMPER_ACTIONS
from tapgen.combinations import OPTION_KEYS, PROVEN, options
from tests.project import ROOT

README = ROOT / "README.md"
DOCS = ROOT / "docs"
THREAT_MODEL = DOCS / "threat-model.md"
DESIGN = DOCS / "design.md"
TESTING = DOCS / "testing.md"
README_MAX_LINES = 200


def scp_statements() -> dict[str, dict]:
    (block,) = re.findall(r"```json\n(.*?)\n```", THREAT_MODEL.read_text(), flags=re.DOTALL)
    return {statement["Sid"]: statement for statement in json.loads(block)["Statement"]}


def test_the_scp_keeps_everyone_but_break_glass_from_what_the_archive_policy_denies():
    assert scp_statements()["NobodyErasesTheTapLogArchive"]["Action"] == list(TAMPER_ACTIONS)


def test_the_scp_denies_every_key_call_the_stack_alarms_on():
    assert set(ADMINISTRATION_EVENTS) <= {
        action.removeprefix("kms:") for action in scp_statements()["NobodyWeakensTheTapKeys"]["Action"]
    }


def section(path: Path, heading: str) -> str:
    """The text of `## heading` in `path`, up to the next `## ` heading."""
    text = path.read_text()
    start = text[text.index(f"## {heading}\n") :]
    end = start.find("\n## ", 1)
    return start if end == -1 else start[:end]


def test_the_design_layout_names_every_module_and_every_folder_it_lists_exists():
    layout = section(DESIGN, "Layout")
    words = set(re.findall(r"[a-z_]+", layout))
    modules = {path.stem for path in (ROOT / "modules").glob("*.py") if path.stem != "__init__"}
    assert modules <= words, sorted(modules - words)
    listed = re.findall(r"^([a-z_/.]+)\s", layout.split("```")[1], flags=re.MULTILINE)
    assert listed and all((ROOT / entry.rstrip("/")).exists() for entry in listed), listed


def test_the_readme_stays_short():
    lines = README.read_text().count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move details under docs/"


def relative_links(path: Path) -> list[str]:
    """The targets of the Markdown links in `path` that point into the checkout, without #anchors
    (code blocks and code spans left out: they show text, not links)."""
    text = re.sub(r"```.*?```", "", path.read_text(), flags=re.DOTALL)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)
    return [
        target.split("#", 1)[0]
        for target in targets
        if not re.match(r"^[a-z][a-z0-9+.-]*:", target) and not target.startswith("#")
    ]


def test_every_relative_link_of_the_readme_and_the_docs_leads_to_a_file():
    pages = [README, *sorted(DOCS.glob("*.md"))]
    broken = [
        f"{page.relative_to(ROOT)}: {target}"
        for page in pages
        for target in relative_links(page)
        if not (page.parent / target).exists()
    ]
    assert relative_links(README), "README.md links no page: the link check reads nothing"
    assert not broken, broken


def test_the_proven_combinations_table_is_proven():
    table = [line for line in section(TESTING, "Proven combinations").splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in table[0].strip("|").split("|")]
    rows = [[cell.strip().strip("`") for cell in line.strip("|").split("|")] for line in table[2:]]
    assert header == list(OPTION_KEYS)
    assert rows == [[options(combination)[key] for key in OPTION_KEYS] for combination in PROVEN]
