"""What tells one deployed stack apart from another in the same account: the names AWS requires to
be unique (`tapgen.aws_rules.unique_names`) and the identity of every metric the stack publishes or
alarms on, read from `terraform show -json` (a state's `values` or a plan's `planned_values`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from tapgen.aws_rules.unique_names import UNIQUE_NAMES


def _resources(module: dict) -> Iterator[dict]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def _metrics(resource: dict) -> Iterator[str]:
    values = resource.get("values", {})
    if resource["type"] == "aws_cloudwatch_metric_alarm":
        metrics = [values, *(query["metric"][0] for query in values.get("metric_query") or [] if query.get("metric"))]
        for metric in (m for m in metrics if m.get("namespace")):
            yield json.dumps([metric["namespace"], metric["metric_name"], metric.get("dimensions") or {}])
    if resource["type"] == "aws_cloudwatch_log_metric_filter":
        for metric in values.get("metric_transformation") or []:
            yield json.dumps([metric["namespace"], metric["name"], metric.get("dimensions") or {}])


def names_and_metrics(values: dict) -> dict[str, str]:
    """Every unique name (`type.attribute = value`) and metric identity (`metric [namespace, name,
    dimensions]`) of the stack, each with the address that holds it. A value that is not known
    before apply is not among them."""
    found: dict[str, str] = {}
    for resource in _resources(values["root_module"]):
        if resource["mode"] != "managed":
            continue
        for attribute in UNIQUE_NAMES.get(resource["type"], ()):
            value = resource.get("values", {}).get(attribute)
            if value:
                found[f"{resource['type']}.{attribute} = {value}"] = resource["address"]
        for metric in _metrics(resource):
            found[f"metric {metric}"] = resource["address"]
    return found
