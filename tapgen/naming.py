"""The naming contract, enforced in one place.

Terraform addresses are the product's public API. Every resource and data source takes its
construct id as its Terraform name, with no CDKTF path prefix or hash suffix; the provider
bindings in `tapgen.aws` call `pin_logical_id` as each one is created (CDKTF forbids renaming
once anything has referenced it). A name that breaks the contract fails synth and names the
offender.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from cdktf import TerraformDataSource, TerraformResource

from tapgen.placement import REGION_SUFFIXES, REGIONS

RESOURCE_NAME = re.compile(r"^tap_stack(_[a-z0-9]+)+$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


class NamingError(ValueError):
    """A generated Terraform name breaks the naming contract."""


def pin_logical_id(element, suffix: str = "") -> None:
    """Make the construct id of a resource or data source, plus its region's suffix (given by
    `tapgen.placement`), its Terraform name."""
    name = element.node.id
    if not RESOURCE_NAME.match(name):
        raise NamingError(
            f"{element.terraform_resource_type}.{name} (construct {element.node.path}): "
            f"name must match {RESOURCE_NAME.pattern}"
        )
    region_part = next((part for part in REGION_SUFFIXES if f"{part}_" in f"{name}_"), None)
    if region_part:
        raise NamingError(
            f"{element.terraform_resource_type}.{name} (construct {element.node.path}): "
            f"{region_part!r} is a region suffix, added by placement (tapgen/placement.py), never by a construct"
        )
    element.override_logical_id(name + suffix)


def terraform_name(element) -> str:
    """The Terraform name of a resource or data source created through `tapgen.aws`."""
    return element.friendly_unique_id


def check_unique(stack) -> None:
    """Two constructs with one id in different scopes would share an address; refuse that."""
    seen: dict[tuple[str, str, str], str] = {}
    for element in stack.node.find_all():
        if not isinstance(element, (TerraformResource, TerraformDataSource)):
            continue
        kind = "data" if isinstance(element, TerraformDataSource) else "resource"
        address = (kind, element.terraform_resource_type, terraform_name(element))
        if address in seen:
            raise NamingError(
                f"{element.terraform_resource_type}.{terraform_name(element)}: declared twice, "
                f"by {seen[address]} and {element.node.path}"
            )
        seen[address] = element.node.path


def check_document(document: Mapping) -> None:
    """Validate every name of a synthesized `cdk.tf.json` against the contract."""
    offenders = [
        f"{block}.{rtype}.{name}"
        for block in ("resource", "data")
        for rtype, named in document.get(block, {}).items()
        for name in named
        if not RESOURCE_NAME.match(name)
    ]
    offenders += [
        f"{block}.{name}"
        for block in ("variable", "output", "locals")
        for name in _block_names(document.get(block, {}))
        if not IDENTIFIER.match(name)
    ]
    if offenders:
        raise NamingError(f"names break the naming contract: {', '.join(sorted(offenders))}")
    misplaced = sorted(_misplaced(document))
    if misplaced:
        raise NamingError(f"region suffix and provider disagree: {', '.join(misplaced)}")


def _misplaced(document: Mapping) -> list[str]:
    """`address (provider)` of every element whose name's region suffix is not its provider's."""
    expected = {region.suffix: region.provider_address for region in REGIONS}
    found = []
    for block in ("resource", "data"):
        for rtype, named in document.get(block, {}).items():
            for name, body in named.items():
                suffix = next((s for s in REGION_SUFFIXES if name.endswith(s)), "")
                provider = body.get("provider", "") if isinstance(body, Mapping) else ""
                if provider != expected[suffix]:
                    prefix = "data." if block == "data" else ""
                    found.append(f"{prefix}{rtype}.{name} ({provider or 'default provider'})")
    return found


def _block_names(block) -> list[str]:
    if isinstance(block, list):
        return [name for entry in block for name in entry]
    return list(block)
