"""Regenerate `aws_provider_schema.json` from the local provider mirror:

    .venv/bin/python -m tapgen.pipeline.hcl.snapshot            # synthesizes every option combination first
    .venv/bin/python -m tapgen.pipeline.hcl.snapshot DIR...     # or: the resource types of these JSON bundles

It runs `terraform init -plugin-dir=$TAP_PROVIDER_MIRROR` (default /opt/tf-plugins) and `terraform
providers schema -json` in a scratch root module that requires the pinned provider, keeps only the
resource and data source types that some combination of the synth-time options uses (plus the
provider's own block), drops descriptions and the flags a writer does not need, and stores block
subtrees that repeat (the WAF statement tree) once under `definitions`. Deterministic: sorted keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from tapgen.combinations import PROVEN, label
from tapgen.config import build_config
from tapgen.pipeline.archives import build_archives
from tapgen.pipeline.cli import synthesize
from tapgen.pipeline.hcl.schema import SNAPSHOT
from tapgen.provenance import provenance

ROOT = Path(__file__).resolve().parents[3]
PROVIDER = "registry.terraform.io/hashicorp/aws"
SHARED_BLOCK_MIN_CHARS = 400


def used_types(documents: list[dict]) -> tuple[set[str], set[str], str]:
    resources: set[str] = set()
    data: set[str] = set()
    version = ""
    for document in documents:
        resources |= set(document.get("resource", {}))
        data |= set(document.get("data", {}))
        version = document["terraform"]["required_providers"]["aws"]["version"]
    return resources, data, version


def synthesize_all(scratch: Path) -> list[dict]:
    """The JSON configuration of every proven combination (synthesized without the HCL bundle,
    which needs this snapshot)."""
    archives = build_archives(ROOT / "lambda_src")
    written_by = provenance(ROOT)
    documents = []
    for combination in PROVEN:
        config = build_config({}, [f"{name}={value}" for name, value in combination.items()])
        documents.append(json.loads(synthesize(config, archives, written_by, scratch / label(combination))))
    return documents


def provider_schema(version: str, scratch: Path) -> dict:
    mirror = os.environ.get("TAP_PROVIDER_MIRROR", "/opt/tf-plugins")
    module = scratch / "schema"
    module.mkdir()
    required = {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": version}}}}
    (module / "main.tf.json").write_text(json.dumps(required))
    env = {**os.environ, "TF_CLI_CONFIG_FILE": os.devnull, "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"}
    terraform = shutil.which("terraform") or "terraform"
    subprocess.run([terraform, "init", "-input=false", f"-plugin-dir={mirror}"], cwd=module, env=env, check=True)
    shown = subprocess.run(
        [terraform, "providers", "schema", "-json"], cwd=module, env=env, check=True, text=True, capture_output=True
    )
    return json.loads(shown.stdout)["provider_schemas"][PROVIDER]


class _Trimmer:
    def __init__(self) -> None:
        self.definitions: dict[str, dict] = {}

    def block(self, block: dict) -> dict:
        out: dict = {}
        if block.get("attributes"):
            out["attributes"] = {name: _attribute(attr) for name, attr in sorted(block["attributes"].items())}
        if block.get("block_types"):
            out["block_types"] = {
                name: {"nesting_mode": nested["nesting_mode"], "block": self.shared(self.block(nested["block"]))}
                for name, nested in sorted(block["block_types"].items())
            }
        return out

    def shared(self, block: dict) -> dict:
        text = json.dumps(block, sort_keys=True, separators=(",", ":"))
        if len(text) < SHARED_BLOCK_MIN_CHARS:
            return block
        key = hashlib.sha1(text.encode()).hexdigest()[:12]
        self.definitions[key] = block
        return {"$ref": key}


def _attribute(attribute: dict) -> dict:
    kept = {key: attribute[key] for key in ("type", "nested_type") if key in attribute}
    return kept


def trimmed(schema: dict, resources: set[str], data: set[str], version: str) -> dict:
    trimmer = _Trimmer()
    snapshot = {
        "provider": trimmer.block(schema["provider"]["block"]),
        "resource": {name: trimmer.block(schema["resource_schemas"][name]["block"]) for name in sorted(resources)},
        "data": {name: trimmer.block(schema["data_source_schemas"][name]["block"]) for name in sorted(data)},
    }
    return {
        "//": f"hashicorp/aws {version}: python -m tapgen.pipeline.hcl.snapshot "
        "(trimmed `terraform providers schema -json`)",
        **snapshot,
        "definitions": dict(sorted(trimmer.definitions.items())),
    }


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="tap-schema-") as scratch_name:
        scratch = Path(scratch_name)
        given = [json.loads((Path(arg) / "tap_stack.tf.json").read_text()) for arg in argv]
        resources, data, version = used_types(given or synthesize_all(scratch))
        snapshot = trimmed(provider_schema(version, scratch), resources, data, version)
    SNAPSHOT.write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(resources)} resource types, {len(data)} data source types)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
