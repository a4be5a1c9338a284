"""The naming contract, enforced in one place.

Terraform addresses are the product's public API. Every resource and data source takes its
construct id (plus its region's suffix) as its Terraform name, with no CDKTF path prefix or hash
suffix; the provider bindings in `tapgen.aws` call `pin` as each one is created (CDKTF forbids
renaming once anything has referenced it). A name that breaks the contract, or an address
declared twice, fails synth at once and names the offender.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tapgen.placement import REGION_SUFFIXES, REGIONS, Placement

RESOURCE_NAME = re.compile(r"^tap_stack(_[a-z0-9]+)+$")
IDENTIFIER = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


class NamingError(ValueError):
    """A generated Terraform name breaks the naming contract."""


@dataclass(frozen=True)
class Registered:
    """A resource or data source created through `tapgen.aws`: its address parts and placement."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    suffix: str
    element: object


def pin(element, id: str, kind: str, rtype: str, placement: Placement) -> Registered:
    """Make the construct id of a new resource or data source, plus its region's suffix (given by
    `tapgen.placement`), its Terraform name, and register it with its stack: an address declared
    twice, from any two scopes, fails at once."""
    if not RESOURCE_NAME.match(id):
        raise NamingError(f"{rtype}.{id} (construct {element.node.path}): name must match {RESOURCE_NAME.pattern}")
    region_part = next((part for part in REGION_SUFFIXES if f"{part}_" in f"{id}_"), None)
    if region_part:
        raise NamingError(
            f"{rtype}.{id} (construct {element.node.path}): "
            f"{region_part!r} is a region suffix, added by placement (tapgen/placement.py), never by a construct"
        )
    name = id + placement.suffix
    addresses = registry(placement.stack)
    first = addresses.get((kind, rtype, name))
    if first is not None:
        raise NamingError(f"{rtype}.{name}: declared twice, by {first.element.node.path} and {element.node.path}")
    element.override_logical_id(name)
    element._tap_name = name
    addresses[(kind, rtype, name)] = registered = Registered(kind, rtype, name, placement.suffix, element)
    return registered


def registry(stack) -> dict[tuple[str, str, str], Registered]:
    """Every element registered with `stack`, by (kind, type, name), in creation order."""
    return vars(stack).setdefault("_tap_addresses", {})


def terraform_name(element) -> str:
    """The Terraform name of a resource or data source created through `tapgen.aws`."""
    return element._tap_name


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
