"""The hand-off bundle: the configuration, the archives, and a README rendered from the
variable and output tables."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2

from stacks.outputs import OUTPUTS
from stacks.variables import VARIABLES, VariableSpec

BUNDLE_CONFIG = "tap_stack.tf.json"
TEMPLATES = Path(__file__).parent / "templates"


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
