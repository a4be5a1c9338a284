"""Support code of the TAP stack generator: config, archives, bundle, naming and security rules.

Importing this package silences jsii's Node end-of-life banner. It must happen before the first
`import cdktf` starts the jsii Node process, so entry points import `tapgen` first.
"""

import os
import shutil
import subprocess


def _silence_node_banner() -> None:
    node = shutil.which("node")
    if node is None:
        return
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    major = version.stdout.strip().lstrip("v").split(".")[0]
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", major)
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")


_silence_node_banner()
