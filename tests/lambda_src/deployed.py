"""A generated configuration as deployed with some variables: the values its `${var.x}` take and
the resources its `${type.name.attribute}` references point at. The models of AWS services in this
folder (`stage_cache.py`, `failover.py`) read the configuration through it."""

from __future__ import annotations

import re
from collections.abc import Mapping

_VARIABLE = re.compile(r"^\$\{var\.(?P<name>[a-z0-9_]+)\}$")
_REFERENCE = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)\.[a-z_]+\}$")


class Deployed:
    """`document` (a `tap_stack.tf.json`) deployed with `variables` (what a tfvars file would set;
    a variable not given there takes its default)."""

    def __init__(self, document: dict, variables: Mapping[str, object]) -> None:
        self.document = document
        self.variables = variables
        self.resources: dict[str, dict[str, dict]] = document["resource"]

    def value(self, value: object) -> object:
        match = _VARIABLE.match(value) if isinstance(value, str) else None
        if not match:
            return value
        name = match["name"]
        if name in self.variables:
            return self.variables[name]
        return self.document["variable"][name].get("default")

    def referenced(self, value: object, rtype: str) -> dict | None:
        """The body of the `rtype` resource that `value` (`${rtype.name.attribute}`) points at."""
        match = _REFERENCE.match(value) if isinstance(value, str) else None
        if not match or match["type"] != rtype:
            return None
        return self.resources.get(rtype, {}).get(match["name"])

    @property
    def settings_by_path(self) -> dict[str, dict]:
        """Every `aws_api_gateway_method_settings`' settings, by method path (`*/*`, `health/GET`)."""
        return {
            body["method_path"]: body.get("settings", {})
            for body in self.resources.get("aws_api_gateway_method_settings", {}).values()
        }

    def method_settings(self, method_path: str) -> dict:
        """The stage's settings for `method_path` (`health/GET`): the method's own, else the stage's
        (`*/*`), as API Gateway applies them to throttling."""
        settings = self.settings_by_path
        return settings.get(method_path, settings.get("*/*", {}))
