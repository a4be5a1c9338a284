"""Where a resource lives: the one place that decides a resource's provider and region suffix.

The stack opens one `RegionScope` per region. Every resource and data source created under a
region scope (at any depth) is placed by `tapgen.aws` as it is created: it gets that region's
aliased provider and its Terraform name gets the region's suffix as its last part (`tapgen.naming`), so
`aws.kms_key.KmsKey(scope, "tap_stack_kms", ...)` in the secondary region becomes
`aws_kms_key.tap_stack_kms_secondary` on `aws.secondary`. Modules therefore never name a provider
or a suffix, and cannot get either wrong; `tapgen.naming.check_document` fails synth if a
synthesized name and its provider ever disagree. Anything created outside a region scope exists
once, on the default provider, under its primary name.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformStack
from constructs import Construct


@dataclass(frozen=True)
class Region:
    """A region slot of the stack: `primary`, `secondary` or `tertiary`.

    `variable` is the deploy-time variable naming the AWS region; the primary region uses the
    default provider and no suffix, the others the provider alias `aws.<slot>` and `_<slot>`.
    """

    slot: str
    variable: str
    default_region: str | None

    @property
    def is_primary(self) -> bool:
        return self.slot == PRIMARY.slot

    @property
    def alias(self) -> str | None:
        return None if self.is_primary else self.slot

    @property
    def suffix(self) -> str:
        return "" if self.is_primary else f"_{self.slot}"

    @property
    def provider_address(self) -> str:
        """How a synthesized resource names its provider (`aws.secondary`); none for the primary."""
        return "" if self.is_primary else f"aws.{self.alias}"


PRIMARY = Region("primary", "aws_region", None)
REGIONS = (
    PRIMARY,
    Region("secondary", "secondary_region", "us-west-2"),
    Region("tertiary", "tertiary_region", "eu-central-1"),
)
REGION_SUFFIXES = tuple(region.suffix for region in REGIONS if not region.is_primary)


class PlacementError(ValueError):
    """A construct tried to decide its own placement."""


class RegionScope(Construct):
    """Everything created under this scope lives in `region`, on `provider` (None: the default one)."""

    def __init__(self, scope: Construct, region: Region, provider) -> None:
        super().__init__(scope, f"region_{region.slot}")
        self.region = region
        self.provider = provider


@dataclass(frozen=True)
class Placement:
    """`suffix` and `provider` of the region, and the `stack` that holds the scope."""

    suffix: str = ""
    provider: object = None
    stack: object = None


def placement_of(scope: Construct) -> Placement:
    """The placement of an element created in `scope`: its nearest enclosing region scope's.

    Remembered on each scope (a stack creates hundreds of resources in a few dozen scopes, and
    every step up the tree is a call into the jsii runtime)."""
    known = vars(scope).get("_tap_placement")
    if known is not None:
        return known
    if isinstance(scope, TerraformStack):
        found = Placement(stack=scope)
    else:
        parent = scope.node.scope
        outer = placement_of(parent) if parent is not None else Placement()
        found = Placement(scope.region.suffix, scope.provider, outer.stack) if isinstance(scope, RegionScope) else outer
    scope._tap_placement = found
    return found


def place(scope: Construct, id: str, kwargs: dict) -> Placement:
    """Add the region's provider to the arguments of the resource `id` about to be created in
    `scope`; refuse a provider chosen anywhere else."""
    if kwargs.get("provider") is not None:
        raise PlacementError(
            f"{scope.node.path}/{id}: a resource names its own provider; placement is decided by the "
            "enclosing RegionScope (tapgen/placement.py)"
        )
    placement = placement_of(scope)
    if placement.provider is not None:
        kwargs["provider"] = placement.provider
    return placement
