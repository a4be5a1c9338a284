"""The TAP stack generator. Its core: synth-time options (`config`, `combinations`), placement and
the naming contract (`placement`, `naming`, `aws`, `jsonencode`); its packages: `pipeline` (from
options to files), `security` (rules and exceptions) and `aws_rules` (AWS rules kept as data).

Importing this package prepares the jsii Node process: it silences the Node end-of-life banner
and preloads `node/lazy_provider_index.js`, which loads the AWS provider's submodules on first use
instead of all ~2,100 at start (about 2 s of every synth). It must happen before the first
`import cdktf` starts that process, so entry points import `tapgen` first.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

LAZY_PROVIDER_INDEX = Path(__file__).resolve().parent / "node" / "lazy_provider_index.js"


def _silence_node_banner() -> None:
    node = shutil.which("node")
    if node is None:
        return
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", major)
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


def _preload_lazy_provider_index() -> None:
    """Add `--require <preload>` to NODE_OPTIONS (kept: whatever the caller set there)."""
    preload = f"--require {json.dumps(str(LAZY_PROVIDER_INDEX))}"
    options = os.environ.get("NODE_OPTIONS", "")
    if preload not in options:
        os.environ["NODE_OPTIONS"] = f"{options} {preload}".strip()


_silence_node_banner()
_preload_lazy_provider_index()
