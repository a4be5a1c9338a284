"""The AWS provider's schema, as far as this stack uses it: which names are blocks (and how they
nest) and which are attributes. Read from `aws_provider_schema.json`, a trimmed snapshot of
`terraform providers schema -json` for the pinned provider (`python -m tapgen.pipeline.hcl.snapshot`
regenerates it from the local provider mirror)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SNAPSHOT = Path(__file__).with_name("aws_provider_schema.json")


class SchemaError(ValueError):
    """A type or name that the snapshot does not know: regenerate it (`python -m tapgen.pipeline.hcl.snapshot`)."""


@dataclass(frozen=True)
class BlockSchema:
    """One block's attributes and nested block types (with their nesting modes)."""

    raw: dict
    definitions: dict
    where: str

    def _resolve(self, node: dict) -> dict:
        return self.definitions[node["$ref"]] if "$ref" in node else node

    def is_attribute(self, name: str) -> bool:
        return name in self.raw.get("attributes", {})

    def nested(self, name: str) -> tuple[str, BlockSchema] | None:
        """(nesting mode, schema) of a nested block type, or None if `name` is not one."""
        found = self.raw.get("block_types", {}).get(name)
        if found is None:
            return None
        return found["nesting_mode"], BlockSchema(
            self._resolve(found["block"]), self.definitions, f"{self.where}.{name}"
        )


@dataclass(frozen=True)
class ProviderSchema:
    snapshot: dict

    def _block(self, node: dict, where: str) -> BlockSchema:
        definitions = self.snapshot.get("definitions", {})
        return BlockSchema(definitions[node["$ref"]] if "$ref" in node else node, definitions, where)

    def provider(self) -> BlockSchema:
        return self._block(self.snapshot["provider"], "provider")

    def resource(self, kind: str, type_name: str) -> BlockSchema:
        table = self.snapshot["resource" if kind == "resource" else "data"]
        if type_name not in table:
            raise SchemaError(
                f"{kind} type {type_name} is not in {SNAPSHOT.name}; "
                "regenerate it: python -m tapgen.pipeline.hcl.snapshot"
            )
        return self._block(table[type_name], f"{kind}.{type_name}")


@cache
def load_schema() -> ProviderSchema:
    return ProviderSchema(json.loads(SNAPSHOT.read_text(encoding="utf-8")))
