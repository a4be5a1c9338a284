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
from tapgen.pipeline.diagram import diagram
from tapgen.provenance import Provenance
from tapgen.security.suppressions import CHECKOV_CONFIG, Suppression, checkov_config, suppressions

BUNDLE_CONFIG = "tap_stack.tf.json"
# Beside the main file: what checkov's terraform_json parser cannot read (3.3 drops a whole file
# that has `terraform.required_version` or `moved`), so that it scans every resource of the main one.
VERSIONS_CONFIG = "versions.tf.json"
MOVED_CONFIG = "moved.tf.json"
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


# The bundle README's smallest tfvars: every variable without a default, and the two a production
# deployment names; each an example of the form its validation accepts.
EXAMPLE_VALUES: dict[str, object] = {
    "lambda_log_bucket_name": "acme-tap-prod-logs",
    "allowed_ip_ranges": ["203.0.113.0/24"],
    "domain_name": "api.tap.example.com",
    "hosted_zone_id": "Z0123456789ABCDEFGHIJ",
    "environment": "prod",
    "alarm_email": "oncall@example.com",
}
NAMED_IN_PRODUCTION = ("environment", "alarm_email")


def minimal_tfvars(document: dict) -> dict[str, object]:
    """The smallest tfvars that plans this document (`EXAMPLE_VALUES`); a required variable without
    an example fails the synth, so the README never shows a tfvars that cannot plan."""
    variables = document.get("variable", {})
    required = [name for name, body in variables.items() if "default" not in body]
    missing = [name for name in required if name not in EXAMPLE_VALUES]
    if missing:
        raise ValueError(f"variable {missing[0]} has no default and no example in tapgen/pipeline/bundle.py")
    named = [name for name in NAMED_IN_PRODUCTION if name in variables and name not in required]
    return {name: EXAMPLE_VALUES[name] for name in required + named}


def tfvars_text(values: dict[str, object]) -> str:
    """`name = value` lines as `terraform fmt` aligns them."""
    width = max(map(len, values), default=0)
    return "".join(f"{name.ljust(width)} = {json.dumps(value)}\n" for name, value in values.items())


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


def render_readme(
    document: dict, archive_names: list[str], written: Written, suppressed: tuple[Suppression, ...]
) -> str:
    return readme_template("README.md.j2").render(
        hcl=False,
        diagram=diagram(document),
        minimal_tfvars=tfvars_text(minimal_tfvars(document)),
        suppressed=suppressed,
        variables=documented_variables(document),
        outputs=[Documented(name, body.get("description", "")) for name, body in document.get("output", {}).items()],
        archives=sorted(archive_names),
        config_file=BUNDLE_CONFIG,
        **written.readme_context(),
    )


def split_document(document: dict) -> dict[str, dict]:
    """The synthesized document as the bundle's configuration files: `moved` blocks and the
    required Terraform version in their own files, everything else in `BUNDLE_CONFIG`."""
    main = {key: value for key, value in document.items() if key != "moved"}
    settings = dict(main.get("terraform", {}))
    files = {BUNDLE_CONFIG: main}
    if "required_version" in settings:
        files[VERSIONS_CONFIG] = {"terraform": {"required_version": settings.pop("required_version")}}
        main["terraform"] = settings
    if document.get("moved"):
        files[MOVED_CONFIG] = {"moved": document["moved"]}
    return files


def bundle_document(directory: Path) -> dict:
    """A JSON bundle's configuration files read back as the one document they were split from."""
    document = json.loads((directory / BUNDLE_CONFIG).read_text(encoding="utf-8"))
    for name in (VERSIONS_CONFIG, MOVED_CONFIG):
        if (directory / name).is_file():
            part = json.loads((directory / name).read_text(encoding="utf-8"))
            document.setdefault("terraform", {}).update(part.get("terraform", {}))
            document.update({key: value for key, value in part.items() if key != "terraform"})
    return document


def _json_file(document: dict) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_bundle(directory: Path, document_bytes: bytes, archives: dict[str, bytes], written: Written) -> None:
    """The hand-off bundle: the configuration files, the archives, a README and the checkov
    configuration that carries the exception registry (`tapgen.security.suppressions`)."""
    document = json.loads(document_bytes)
    files = split_document(document)
    for name, part in files.items():
        (directory / name).write_bytes(_json_file(part))
    for name, content in sorted(archives.items()):
        (directory / name).write_bytes(content)
    found = suppressions(document, written.options)
    unreadable = tuple(name for name in files if name != BUNDLE_CONFIG)
    (directory / CHECKOV_CONFIG).write_text(checkov_config(found, unreadable), encoding="utf-8")
    readme = render_readme(document, list(archives), written, found)
    (directory / "README.md").write_text(readme, encoding="utf-8")
