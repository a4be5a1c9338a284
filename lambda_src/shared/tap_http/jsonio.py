"""JSON output that writes numbers exactly.

Items hold `Decimal`s (DynamoDB numbers). `json.dumps` would go through float and drift
(`0.1 + 0.2`); this writes each Decimal's exact value in normalised form (`10.0` -> `10`,
`1.10` -> `1.1`).
"""

from __future__ import annotations

import json
from decimal import Context, Decimal


def number(value: Decimal) -> str:
    # Normalise at the value's own precision: the default context (28 digits) would round.
    normalised = value.normalize(Context(prec=max(1, len(value.as_tuple().digits))))
    if normalised == 0:
        return "0"
    return format(normalised, "f")


def dumps(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, Decimal):
        return number(value)
    if isinstance(value, int | float):
        return number(Decimal(str(value)))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
