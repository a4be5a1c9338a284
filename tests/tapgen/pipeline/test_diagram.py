"""The architecture diagram each bundle README opens with: parsed by Mermaid's own parser (the one
GitHub and GitLab render with, offline: tools/mermaid), and showing exactly the combination."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from tapgen.combinations import PROVEN, label
from tapgen.pipeline.diagram import diagram
from tests.project import ROOT

MERMAID = ROOT / "tools" / "mermaid"


def mermaid_check(*files) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (MERMAID / "node_modules" / "mermaid").is_dir():
        pytest.fail("Mermaid's parser is missing: scripts/test installs tools/mermaid (package-lock.json)")
    result = subprocess.run(
        [node, str(MERMAID / "check.mjs"), *map(str, files)], capture_output=True, text=True, check=False
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def bundles(synth_of) -> dict:
    return {label(c): synth_of(**c).bundle for c in PROVEN}


def test_every_bundle_readme_opens_with_a_diagram_mermaid_parses(bundles):
    readmes = [
        bundle.parent / name / "README.md"
        for bundle in bundles.values()
        for name in (bundle.name, f"{bundle.name}_hcl")
    ]
    for readme in readmes:
        assert readme.read_text().split("\n")[2] == "```mermaid", readme
    assert mermaid_check(*readmes) == [{"file": str(r), "block": 1, "type": "flowchart-v2"} for r in readmes]


def test_a_broken_diagram_is_refused_with_the_parsers_message(tmp_path):
    broken = tmp_path / "README.md"
    broken.write_text('```mermaid\nflowchart LR\n  a["A"] --> b[B (x)]\n```\n')
    (result,) = mermaid_check(broken)
    assert result["error"].startswith("Parse error on line 2")


@pytest.mark.parametrize("combination", PROVEN, ids=[label(c) for c in PROVEN])
def test_the_diagram_shows_exactly_the_combination(bundles, combination):
    text = diagram(json.loads((bundles[label(combination)] / "tap_stack.tf.json").read_text()))
    regions = int(combination["regions"])
    subgraphs = [line.split("[", 1)[0].split()[-1] for line in text.splitlines() if line.startswith("  subgraph ")]
    assert subgraphs == ["primary", "secondary", "tertiary"][:regions]
    assert text.count("WAF web ACL") == (regions if combination["waf"] == "on" else 0)
    assert ("Route 53" in text) == (regions > 1)
    assert text.count("DAX: item cache") == (regions if combination.get("cache") == "dax" else 0)
    assert text.count("ElastiCache Valkey") == (regions if combination.get("cache") == "elasticache" else 0)
    assert text.count("Kinesis: item changes") == (regions if combination.get("item_stream") == "kinesis" else 0)
    assert ("CloudTrail" in text) == (combination.get("compliance") == "on")
    assert ("AWS Config" in text) == (combination.get("account_controls") == "on")
    assert text.count("-.->|replication|") == regions - 1
