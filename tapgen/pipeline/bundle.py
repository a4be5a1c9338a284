"""The hand-off bundle: the configuration, the archives, and a README whose inputs and outputs
tables are rendered from the synthesized configuration itself (so they list exactly what the
chosen synth-time options declare)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jinja2

from modules.app_secret import RECOVERY_WINDOW_DAYS
from tapgen.provenance import Provenance

BUNDLE_CONFIG = "tap_stack.tf.json"
TEMPLATES = Path(__file__).parent / "templates"
# What every bundle README states from the stack's own constants (the destroy runbook, destroy.md.j2).
README_FACTS = {"secret_recovery_days": RECOVERY_WINDOW_DAYS}


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


@dataclass(frozen=True)
class Written:
    """What a bundle README says wrote it: the synth-time options and the generator (`Provenance`)."""

    options: Mapping[str, str]
    provenance: Provenance

    def readme_context(self) -> dict[str, object]:
        """The names `provenance.md.j2` reads: the options set (`key=value` for each one with a
        value), the generator's version and the source revision."""
        return {
            "options": [f"{name}={value}" for name, value in self.options.items() if value != ""],
            "version": self.provenance.version,
            "revision": self.provenance.revision,
        }


def readme_template(name: str) -> jinja2.Template:
    """A README template of `TEMPLATES`, with the facts every bundle README states (`README_FACTS`)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template(name, globals=README_FACTS)


def render_readme(document: dict, archive_names: list[str], written: Written) -> str:
    return readme_template("README.md.j2").render(
        variables=documented_variables(document),
        outputs=[Documented(name, body.get("description", "")) for name, body in document.get("output", {}).items()],
        archives=sorted(archive_names),
        config_file=BUNDLE_CONFIG,
        **written.readme_context(),
    )


def write_bundle(directory: Path, document_bytes: bytes, archives: dict[str, bytes], written: Written) -> None:
    """The hand-off bundle: the configuration, the archives and a README, nothing else."""
    (directory / BUNDLE_CONFIG).write_bytes(document_bytes)
    for name, content in sorted(archives.items()):
        (directory / name).write_bytes(content)
    readme = render_readme(json.loads(document_bytes), list(archives), written)
    (directory / "README.md").write_text(readme, encoding="utf-8")
