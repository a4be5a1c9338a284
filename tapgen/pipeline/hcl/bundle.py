"""`dist/tap_stack_hcl/`: the `.tf` files, the same archives, and a README for the ops team."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from tapgen.pipeline.bundle import Documented, Written, documented_variables, readme_template
from tapgen.pipeline.diagram import diagram
from tapgen.pipeline.hcl.convert import FIXED_FILES, document_files
from tapgen.security.suppressions import Suppression, inline_comments, suppressions

HCL_MARKER = "versions.tf"  # in every HCL bundle; marks a directory of this generator's releases
README_TEMPLATE = "hcl_README.md.j2"
FIXED_DESCRIPTIONS = dict(
    zip(
        FIXED_FILES,
        (
            "Terraform and provider versions, and the state backend.",
            "The `aws` provider of each region (the primary one has no alias).",
            "Every deploy-time input, with its type, default and validations.",
            "Names derived once from the inputs (name prefix, physical names).",
            "Account and partition lookups shared by every region.",
            "What the stack exports.",
            "`moved` blocks that carry the state of earlier releases to today's addresses.",
        ),
        strict=True,
    )
)


@dataclass(frozen=True)
class FileNote:
    name: str
    description: str


def _describe(name: str, content: str) -> str:
    if name in FIXED_DESCRIPTIONS:
        return FIXED_DESCRIPTIONS[name]
    types = sorted({line.split('"')[1] for line in content.splitlines() if line.startswith(("resource ", "data "))})
    return "Component `" + name.removesuffix(".tf") + "`: " + ", ".join(f"`{t}`" for t in types) + "."


def render_readme(
    document: dict,
    files: dict[str, str],
    archive_names: list[str],
    written: Written,
    suppressed: tuple[Suppression, ...],
) -> str:
    return readme_template(README_TEMPLATE).render(
        hcl=True,
        diagram=diagram(document),
        suppressed=suppressed,
        files=[FileNote(name, _describe(name, content)) for name, content in files.items()],
        variables=documented_variables(document),
        outputs=[Documented(name, body.get("description", "")) for name, body in document.get("output", {}).items()],
        archives=sorted(archive_names),
        **written.readme_context(),
    )


def write_hcl_bundle(directory: Path, document_bytes: bytes, archives: dict[str, bytes], written: Written) -> None:
    """The `.tf` files, the archives and a README, nothing else."""
    document = json.loads(document_bytes)
    found = suppressions(document, written.options)
    files = document_files(document, comments=inline_comments(found))
    for name, content in files.items():
        (directory / name).write_text(content, encoding="utf-8")
    for name, content in sorted(archives.items()):
        (directory / name).write_bytes(content)
    (directory / "README.md").write_text(
        render_readme(document, files, list(archives), written, found), encoding="utf-8"
    )
