"""The hand-off bundle: the configuration, the archives, and a README whose inputs and outputs
tables are rendered from the synthesized configuration itself (so they list exactly what the
chosen synth-time options declare)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

BUNDLE_CONFIG = "tap_stack.tf.json"
TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Documented:
    """A variable or output as the README shows it."""

    name: str
    description: str
    type: str = ""
    default: str = ""


def documented_variables(document: dict) -> list[Documented]:
    """Each variable with its default as an ops team would write it in a tfvars file."""
    return [
        Documented(
            name,
            body.get("description", ""),
            body.get("type", ""),
            json.dumps(body["default"]) if "default" in body else "(required)",
        )
        for name, body in document.get("variable", {}).items()
    ]


def set_options(options: Mapping[str, str]) -> list[str]:
    """The synth-time options a README names: `key=value` for each one with a value."""
    return [f"{name}={value}" for name, value in options.items() if value != ""]


def render_readme(document: dict, archive_names: list[str], options: Mapping[str, str]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("README.md.j2")
    return template.render(
        variables=documented_variables(document),
        outputs=[Documented(name, body.get("description", "")) for name, body in document.get("output", {}).items()],
        archives=sorted(archive_names),
        config_file=BUNDLE_CONFIG,
        options=set_options(options),
    )


def write_bundle(
    directory: Path, document_bytes: bytes, archives: dict[str, bytes], options: Mapping[str, str]
) -> None:
    """The hand-off bundle: the configuration, the archives and a README, nothing else."""
    (directory / BUNDLE_CONFIG).write_bytes(document_bytes)
    for name, content in sorted(archives.items()):
        (directory / name).write_bytes(content)
    readme = render_readme(json.loads(document_bytes), list(archives), options)
    (directory / "README.md").write_text(readme, encoding="utf-8")
