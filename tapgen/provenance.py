"""What wrote an output: the generator's version and the source revision it ran from.

Every output root records them (its manifest, the bundles' READMEs) and so does the configuration
itself (the output `generator`), so a plan over old state shows which generator wrote what is
deployed. The revision is the checkout's commit, with `-dirty` when tracked files differ from it;
outside a git checkout (an exported tree) it is `unknown`. Two checkouts of one commit therefore
write identical bytes, and each commit writes its own.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# The generator's version: the next release while it is developed (tests/fixtures/releases/README.md
# says when to change it).
VERSION = "0.2.0.dev0"
UNKNOWN_REVISION = "unknown"
DIRTY_SUFFIX = "-dirty"


@dataclass(frozen=True)
class Provenance:
    version: str
    revision: str


def _git(checkout: Path, *args: str) -> str | None:
    git = shutil.which("git")
    if git is None:
        return None
    result = subprocess.run([git, "-C", str(checkout), *args], capture_output=True, text=True, check=False, timeout=60)
    return result.stdout.strip() if result.returncode == 0 else None


def source_revision(checkout: Path) -> str:
    """The commit `checkout` is at, `-dirty` if a tracked file differs from it; `UNKNOWN_REVISION`
    when `checkout` is not the top of a git work tree (or git is missing)."""
    top = _git(checkout, "rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != checkout.resolve():
        return UNKNOWN_REVISION
    commit = _git(checkout, "rev-parse", "HEAD")
    if commit is None:
        return UNKNOWN_REVISION
    changed = _git(checkout, "status", "--porcelain", "--untracked-files=no")
    return commit + (DIRTY_SUFFIX if changed else "")


def provenance(checkout: Path) -> Provenance:
    return Provenance(VERSION, source_revision(checkout))
