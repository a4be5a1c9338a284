"""The registry's checkov exceptions (`tapgen.security.exceptions.CHECKOV_SKIPS`) where checkov reads
them in the bundles an ops team scans, each with the registry's reason text:

- the HCL bundle: an inline `#checkov:skip=<check>:<reason>` on each resource the exception covers;
- the JSON bundle: checkov's `terraform_json` runner reads no suppressions in the file (3.3 passes
  every resource an empty skip list), so the bundle ships `.checkov.yaml`, the configuration checkov
  reads from the directory it scans (`checkov -d <bundle>`): the check ids to skip, each with the
  resources and reasons as comments, and the files to leave out (Terraform settings and `moved`
  blocks, no resource among them, which its parser cannot read).

Only ids whose every finding in the combination is a listed exception are skipped: tests scan every
proven combination and require exactly the listed resources to fail each check.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from tapgen.combinations import options as every_option
from tapgen.document import addresses
from tapgen.security.exceptions import checkov_skips_for

CHECKOV_CONFIG = ".checkov.yaml"


@dataclass(frozen=True)
class Suppression:
    check_id: str
    address: str  # `aws_s3_bucket.tap_stack_logs_secondary`, `data.aws_availability_zones.x`
    reason: str

    @property
    def inline_comment(self) -> str:
        return f"#checkov:skip={self.check_id}:{self.reason}"


def suppressions(document: Mapping, options: Mapping[str, str]) -> tuple[Suppression, ...]:
    """The exceptions of the combination `options` on the resources of `document`."""
    skips = checkov_skips_for(every_option(options))
    return tuple(
        Suppression(skip.check_id, address, skip.reason)
        for address in addresses(document)
        for skip in skips
        if skip.covers(address)
    )


def inline_comments(found: tuple[Suppression, ...]) -> dict[str, tuple[str, ...]]:
    """The `#checkov:skip` lines of each address, in the registry's order."""
    comments: dict[str, tuple[str, ...]] = {}
    for suppression in found:
        comments[suppression.address] = (*comments.get(suppression.address, ()), suppression.inline_comment)
    return comments


def checkov_config(found: tuple[Suppression, ...], unreadable_files: tuple[str, ...]) -> str:
    """`.checkov.yaml` for the JSON bundle (YAML: every value written as a JSON string)."""
    lines = [
        "# checkov reads this file when it scans this directory (checkov -d <this directory>). Generated from",
        "# the TAP stack generator's exception registry; regenerate instead of editing.",
        "# checkov's terraform_json runner reads no inline suppressions, so each exception is a skipped check",
        "# id here; the HCL bundle suppresses each one on its resource, with the same reason.",
        "skip-path:",
        "  # Terraform settings and moved blocks: no resource, and checkov's terraform_json parser cannot read them.",
        *(f"  - {json.dumps(_path_pattern(name))}" for name in unreadable_files),
        "skip-check:",
    ]
    by_check: dict[str, list[Suppression]] = {}
    for suppression in found:
        by_check.setdefault(suppression.check_id, []).append(suppression)
    for check_id, listed in sorted(by_check.items()):
        reasons = dict.fromkeys(s.reason for s in listed)
        lines.append(f"  # {check_id} on {', '.join(sorted(s.address for s in listed))}:")
        lines += [f"  #   {reason}" for reason in reasons]
        lines.append(f"  - {json.dumps(check_id)}")
    return "\n".join(lines) + "\n"


def _path_pattern(name: str) -> str:
    """checkov's `skip-path` is a regular expression searched in each file's path."""
    return "(^|/)" + re.escape(name) + "$"
