"""The synth-time option combinations the project proves, in one place.

Every combination here is synthesized, pinned (`tests/stacks/golden/`), validated and tested by
Terraform, scanned by checkov, written as HCL and proven equivalent, and its provider types are in
the HCL schema snapshot. A combination names the options it sets; the others keep their defaults.
The full product of every option is not run (hundreds of stacks): each option is proven on
its own and together with the largest stack; `cache=dax`, whose value excludes the largest
stack's `elasticache`, is proven with a replica region.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

from tapgen.config import SHAPE_OPTIONS, SynthConfig

PROVEN: tuple[dict[str, str], ...] = (
    {"regions": "1", "waf": "on"},
    {"regions": "1", "waf": "off"},
    {"regions": "2", "waf": "on"},
    {"regions": "2", "waf": "off", "cache": "dax"},
    {"regions": "3", "waf": "on"},
    {"regions": "3", "waf": "off"},
    {"regions": "1", "waf": "on", "compliance": "on"},
    {"regions": "1", "waf": "on", "account_controls": "on"},
    {"regions": "1", "waf": "on", "scale": "on", "item_stream": "kinesis", "cache": "elasticache"},
    {
        "regions": "3",
        "waf": "on",
        "compliance": "on",
        "account_controls": "on",
        "scale": "on",
        "item_stream": "kinesis",
        "cache": "elasticache",
    },
)
LARGEST = PROVEN[-1]


def label(combination: Mapping[str, str]) -> str:
    """`regions=3-waf=on-compliance=on`: a test id and a folder name."""
    return "-".join(f"{name}={value}" for name, value in combination.items())


def options(combination: Mapping[str, str]) -> dict[str, str]:
    """Every option's value in this combination (the defaults where it names none)."""
    return {**{k: v for k, v in asdict(SynthConfig()).items() if k in OPTION_KEYS}, **combination}


OPTION_KEYS = tuple(option.name for option in SHAPE_OPTIONS)
