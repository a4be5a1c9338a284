"""Terraform's `jsonencode`, in Python: the exact text Terraform would produce for a value.

The generator writes JSON documents (key policies) in this form so that the HCL hand-off can write
them as `jsonencode({...})` and be byte-for-byte the same string (`tapgen.pipeline.hcl.templates`).
"""

from __future__ import annotations

import json
import re

# Compact, object keys sorted, and `<`, `>`, `&`, U+2028/2029 escaped (Go's JSON encoder).
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def jsonencode(value: object) -> str:
    text = json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return re.sub("[<>&\u2028\u2029]", lambda match: _ESCAPES[match.group(0)], text)
