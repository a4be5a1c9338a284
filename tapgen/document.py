"""Reading a synthesized `tap_stack.tf.json`: its resources, the resources attached to another by
reference, and the policy document a `policy` attribute renders. Shared by the security rules
(`tapgen/security/rules.py`) and the AWS Config evaluations (`tapgen/aws_rules/config_rules.py`)."""

from __future__ import annotations

import re
from collections.abc import Mapping

Document = Mapping[str, object]
POLICY_JSON = re.compile(r"^\$\{data\.aws_iam_policy_document\.(?P<name>[a-z0-9_]+)\.json\}$")
# A policy chosen by a condition: `${<condition> ? data...<a>.json : data...<b>.json}`.
POLICY_CHOICE = re.compile(
    r"^\$\{\(?(?P<condition>[^?]+?)\)? \? (?P<then>data\.aws_iam_policy_document\.[a-z0-9_]+\.json) : "
    r"(?P<otherwise>data\.aws_iam_policy_document\.[a-z0-9_]+\.json)\}$"
)
REFERENCE = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)\.[a-z_]+\}$")


def addresses(doc: Document) -> list[str]:
    """Every resource's and data source's address (`aws_x.name`, `data.aws_x.name`), in the
    document's order."""
    found = [f"{rtype}.{name}" for rtype, named in doc.get("resource", {}).items() for name in named]
    found += [f"data.{rtype}.{name}" for rtype, named in doc.get("data", {}).items() for name in named]
    return found


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


def as_deployed(value: object, doc: Document) -> object:
    """`value`, where it chooses between two policy documents (`POLICY_CHOICE`), as the document's
    default variables choose: the stack as it deploys without tfvars, which the rules judge. A
    condition `default_truth` cannot read is left as it is, so it renders no policy."""
    match = POLICY_CHOICE.match(value) if isinstance(value, str) else None
    if not match:
        return value
    holds = default_truth(match["condition"], doc)
    if holds is None:
        return value
    return "${" + match["then" if holds else "otherwise"] + "}"


def default_truth(expression: str, doc: Document) -> bool | None:
    """The value of a condition under the document's variable defaults, for the forms the stack
    writes: `!<condition>`, `local.<name>` (a local holding a condition) and `var.<name> == "<text>"`;
    None for anything else."""
    expression = expression.strip()
    if expression.startswith("!"):
        inner = default_truth(expression[1:], doc)
        return None if inner is None else not inner
    local = re.fullmatch(r"local\.([a-z0-9_]+)", expression)
    if local:
        body = re.fullmatch(r"\$\{(.+)\}", str(doc.get("locals", {}).get(local[1], "")))
        return default_truth(body[1], doc) if body else None
    equals = re.fullmatch(r'var\.([a-z0-9_]+) == "([^"]*)"', expression)
    if equals and "default" in doc.get("variable", {}).get(equals[1], {}):
        return doc["variable"][equals[1]]["default"] == equals[2]
    return None
