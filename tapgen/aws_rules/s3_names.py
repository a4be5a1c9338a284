"""S3's naming rules for general purpose buckets, stated once: the deploy-time bucket variables
validate by them in Terraform (`stacks/variables.py`), the synth-time `state_bucket` in Python."""

from __future__ import annotations

import re

RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
NAME_PATTERN = "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
IP_FORM_PATTERN = r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$"


def broken_rule(name: str) -> str | None:
    """The rule `name` breaks, worded as the Terraform validations word it, or None for a valid name."""
    if not re.fullmatch(NAME_PATTERN, name):
        return "of 3-63 characters, a-z, 0-9, . and -, starting and ending with a letter or digit"
    if ".." in name:
        return "without two adjacent periods"
    if re.fullmatch(IP_FORM_PATTERN, name):
        return "that is not formatted as an IP address"
    if name.startswith(RESERVED_PREFIXES):
        return f"that does not start with a prefix S3 reserves ({', '.join(RESERVED_PREFIXES)})"
    if name.endswith(RESERVED_SUFFIXES):
        return f"that does not end with a suffix S3 reserves ({', '.join(RESERVED_SUFFIXES)})"
    return None
