"""An environment (dev, stage, prod, ...): one folder of a checkout that holds what differs between
them, and where each one's outputs and state go. The layout is `examples/README.md`'s:

    <folder>/options.json          the synth-time options, in `cdktf.json`'s shape ({"context": {...}})
    <folder>/<name>.tfvars         the deploy-time variables (optional)
    <folder>/<name>.s3.tfbackend   the partial S3 backend's bucket, key and region (optional)

`<name>` is the folder's name. Its cdktf tree is `cdktf.out/<name>` (so `cdktf deploy` keeps one
state per environment: a local state file there, or the backend file's key) and its bundles are
`dist/<name>/tap_stack` and `dist/<name>/tap_stack_hcl`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

OPTIONS_FILE = "options.json"
# A folder name that is also a safe path component and cdktf output name on every system.
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
# Names the default outputs already use inside cdktf.out/ and dist/.
RESERVED = ("stacks", "tap_stack", "tap_stack_hcl")


class EnvironmentFolderError(ValueError):
    """`--env` names no usable environment folder."""


@dataclass(frozen=True)
class Environment:
    folder: Path

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def options(self) -> Path:
        return self.folder / OPTIONS_FILE

    @property
    def tfvars(self) -> Path | None:
        path = self.folder / f"{self.name}.tfvars"
        return path if path.is_file() else None

    @property
    def backend_config(self) -> Path | None:
        path = self.folder / f"{self.name}.s3.tfbackend"
        return path if path.is_file() else None

    def cdktf_out(self, root: Path) -> Path:
        return root / "cdktf.out" / self.name

    def bundle(self, root: Path) -> Path:
        return root / "dist" / self.name / "tap_stack"


def environment(folder: Path) -> Environment:
    """The environment in `folder`, or an error naming the folder and what it lacks."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise EnvironmentFolderError(f"--env {folder}: not a folder; an environment is a folder holding {OPTIONS_FILE}")
    if not _NAME.match(folder.name):
        raise EnvironmentFolderError(
            f"--env {folder}: the folder's name {folder.name!r} names the environment; use 1-63 lowercase "
            "letters, digits, '-' or '_', starting with a letter or digit"
        )
    if folder.name in RESERVED:
        raise EnvironmentFolderError(
            f"--env {folder}: {folder.name!r} is a name the default outputs use; name the folder otherwise "
            f"(not {', '.join(RESERVED)})"
        )
    if not (folder / OPTIONS_FILE).is_file():
        raise EnvironmentFolderError(
            f'--env {folder}: no {OPTIONS_FILE} (the synth-time options, {{"context": {{...}}}}); see examples/'
        )
    return Environment(folder)
