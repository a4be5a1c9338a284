"""Output directories: written beside their destination, then swapped in, so a failed run leaves
the previous output untouched. Also renders the hand-off README from the variable/output tables."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2

from stacks.outputs import OUTPUTS
from stacks.variables import VARIABLES, VariableSpec

BUNDLE_CONFIG = "tap_stack.tf.json"
TEMPLATES = Path(__file__).parent / "templates"


@contextmanager
def staged_directory(destination: Path) -> Iterator[Path]:
    """Yield an empty directory beside `destination`; on success it replaces `destination`."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; outputs are shared with the team
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    replace_directory(staging, destination)


def replace_directory(new: Path, destination: Path) -> None:
    """Swap `new` into `destination` with renames; the old tree is removed only afterwards."""
    retired = None
    if destination.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{destination.name}.old.", dir=destination.parent))
        retired.rmdir()
        destination.rename(retired)
    new.rename(destination)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


def hcl_default(spec: VariableSpec) -> str:
    """A variable's default as an ops team would write it in a tfvars file."""
    if spec.required:
        return "(required)"
    return json.dumps(spec.default)


def render_readme(archive_names: list[str]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("README.md.j2")
    return template.render(
        variables=VARIABLES,
        outputs=OUTPUTS,
        archives=sorted(archive_names),
        config_file=BUNDLE_CONFIG,
        default=hcl_default,
    )


def write_bundle(directory: Path, document_bytes: bytes, archives: dict[str, bytes]) -> None:
    """The hand-off bundle: the configuration, the archives and a README, nothing else."""
    (directory / BUNDLE_CONFIG).write_bytes(document_bytes)
    for name, content in sorted(archives.items()):
        (directory / name).write_bytes(content)
    (directory / "README.md").write_text(render_readme(list(archives)), encoding="utf-8")
