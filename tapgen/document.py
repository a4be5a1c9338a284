"""Reading a synthesized `tap_stack.tf.json`: its resources, the resources attached to another by
reference, and the policy document a `policy` attribute renders. Shared by the security rules
(`tapgen/security/rules.py`) and the AWS Config evaluations (`tapgen/aws_rules/config_rules.py`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

Document = Mapping[str, object]
POLICY_JSON = re.compile(r"^\$\{data\.aws_iam_policy_document\.(?P<name>[a-z0-9_]+)\.json\}$")
REFERENCE = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)\.[a-z_]+\}$")


def resources(doc: Document, rtype: str) -> dict[str, dict]:
    return doc.get("resource", {}).get(rtype, {})


def referenced(value: object, rtype: str) -> str | None:
    """The name of the `rtype` resource that `value` (`${rtype.name.attr}`) points at."""
    match = REFERENCE.match(value) if isinstance(value, str) else None
    if match and match["type"] == rtype:
        return match["name"]
    return None


def targets(doc: Document, rtype: str, target_type: str, attribute: str) -> dict[str, dict]:
    """Resources of `rtype`, keyed by the name of the `target_type` resource they attach to."""
    attached = {}
    for body in resources(doc, rtype).values():
        target = referenced(body.get(attribute), target_type)
        if target:
            attached[target] = body
    return attached


def policy_statements(value: object, documents: Mapping[str, dict]) -> list[dict]:
    """The statements of the policy document among `documents` that `value`
    (`${data.aws_iam_policy_document.<name>.json}`) renders; none if it renders none of them."""
    match = POLICY_JSON.match(value) if isinstance(value, str) else None
    return documents.get(match["name"], {}).get("statement", []) if match else []
