"""A model of API Gateway's REST API stage cache, read from a generated configuration and put in
front of a real handler: the emulator has no stage cache, so this is how a test sees what AWS would
answer from it.

What it imitates (API Gateway Developer Guide, "Cache settings for REST APIs in API Gateway",
https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html):
- nothing is cached unless the stage runs a cache cluster (`cache_cluster_enabled`);
- stage-wide method settings (`*/*`) turn caching on for GET methods only; a method's own settings
  (`<resource path>/<METHOD>`) override them for that method;
- a TTL of 0 turns caching off; entries live for the TTL;
- the cache key is the method's resource path and the values of its integration's
  `cache_key_parameters`; a hit is answered without calling the integration;
- IAM authorization and the resource policy are evaluated before the cache is looked up, so every
  request here is from an authenticated caller, and nothing about that caller is in the key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tapgen.security.rules import resource_path
from tests.lambda_src.deployed import Deployed

STAGE_WIDE = "*/*"


@dataclass(frozen=True)
class Request:
    method: str
    resource: str  # `items/{id}`, no leading slash
    headers: Mapping[str, str]
    path_parameters: Mapping[str, str]
    query: Mapping[str, str]


class StageCache:
    """The stage cache of `document` (a `tap_stack.tf.json`), deployed with `variables` (what a
    tfvars file would set; a `${var.x}` not given there takes the variable's default)."""

    def __init__(self, document: dict, variables: Mapping[str, object], clock: Callable[[], float]) -> None:
        self._deployed = Deployed(document, variables)
        self._value = self._deployed.value
        self._clock = clock
        self._entries: dict[tuple, tuple[float, dict]] = {}
        stages = document["resource"]["aws_api_gateway_stage"]
        self.cluster_enabled = any(self._value(stage.get("cache_cluster_enabled", False)) for stage in stages.values())
        self._settings = self._deployed.settings_by_path
        self._key_parameters = self._integration_key_parameters()

    def _integration_key_parameters(self) -> dict[tuple[str, str], tuple[str, ...]]:
        keys = {}
        for integration in self._deployed.resources["aws_api_gateway_integration"].values():
            method = self._deployed.referenced(integration["http_method"], "aws_api_gateway_method")
            path = resource_path(self._deployed.document, method["resource_id"])
            keys[(path, method["http_method"])] = tuple(integration.get("cache_key_parameters") or ())
        return keys

    def ttl_of(self, method: str, resource: str) -> float:
        """How long a response of `method` on `resource` is kept: 0 when it is never cached."""
        if not self.cluster_enabled:
            return 0
        settings = self._settings.get(f"{resource}/{method}")
        if settings is None and method == "GET":
            settings = self._settings.get(STAGE_WIDE)
        if settings is None or not self._value(settings.get("caching_enabled", False)):
            return 0
        return float(self._value(settings.get("cache_ttl_in_seconds", 300)))

    def _key(self, request: Request) -> tuple:
        headers = {name.lower(): value for name, value in request.headers.items()}
        values = []
        for parameter in self._key_parameters.get((request.resource, request.method), ()):
            _, _, where, name = parameter.split(".", 3)
            source = {"header": headers, "path": request.path_parameters, "querystring": request.query}[where]
            values.append(source.get(name.lower() if where == "header" else name))
        return (request.method, request.resource, tuple(values))

    def answer(self, request: Request, integration: Callable[[], dict]) -> dict:
        """The response API Gateway gives `request`: from the cache, or from `integration` (which
        may then be cached)."""
        ttl = self.ttl_of(request.method, request.resource)
        if not ttl:
            return integration()
        key = self._key(request)
        now = self._clock()
        cached = self._entries.get(key)
        if cached and cached[0] > now:
            return cached[1]
        response = integration()
        if 200 <= response["statusCode"] < 300:
            self._entries[key] = (now + ttl, response)
        return response
