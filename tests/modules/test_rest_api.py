import json

import pytest

from modules import rest_api
from modules.rest_api import REQUEST_VALIDATOR, Route, api_definition, definition_digest, path_slug
from stacks.tap_stack import ROUTES as ROUTES_OF_STACK


def test_path_helpers():
    route = Route("items/{id}", ("GET", "PUT"), "crud")
    assert path_slug("items/{id}") == route.slug == "items_id"
    assert route.arn_path == "items/*"
    assert route.request_parameters() == {"method.request.header.X-Tenant-Id": False, "method.request.path.id": True}


def test_untenanted_routes_take_no_tenant_header():
    assert Route("health", ("GET",), "health", authorization="NONE", tenant_scoped=False).request_parameters() == {}


ROUTES = (
    Route("health", ("GET",), "health", authorization="NONE", tenant_scoped=False),
    Route("items", ("GET", "POST"), "crud", query=("limit",)),
    Route("items/{id}", ("GET", "DELETE"), "crud"),
)


def test_definition_digest_is_stable_and_independent_of_declaration_order():
    assert definition_digest(ROUTES) == definition_digest(ROUTES)
    reordered = (ROUTES[2], ROUTES[0], Route("items", ("POST", "GET"), "crud", query=("limit",)))
    assert definition_digest(reordered) == definition_digest(ROUTES)
    assert "${" not in json.dumps(api_definition(ROUTES))  # synth-time data only, no Terraform tokens


@pytest.mark.parametrize(
    "changed",
    [
        (*ROUTES, Route("metrics", ("GET",), "crud")),
        (ROUTES[0], Route("items", ("GET", "POST", "PUT"), "crud", query=("limit",)), ROUTES[2]),
        (ROUTES[0], Route("items", ("GET", "POST"), "crud", query=("limit", "next_token")), ROUTES[2]),
        (ROUTES[0], ROUTES[1], Route("items/{id}", ("GET", "DELETE"), "crud", authorization="NONE")),
        (ROUTES[0], ROUTES[1], Route("items/{id}", ("GET", "DELETE"), "health")),
        (Route("health", ("GET",), "health", authorization="NONE", tenant_scoped=True), *ROUTES[1:]),
    ],
    ids=["route", "method", "query", "authorization", "backend", "tenant_header"],
)
def test_definition_digest_changes_with_what_defines_the_api(changed):
    assert definition_digest(changed) != definition_digest(ROUTES)


def test_definition_digest_covers_gateway_responses(monkeypatch):
    before = definition_digest(ROUTES)
    monkeypatch.setattr(rest_api, "CORS_EXPOSE_HEADERS", "ETag")
    assert definition_digest(ROUTES) != before


def test_the_digest_describes_exactly_what_is_deployed(resources):
    """The synthesized methods and integrations carry the settings that the digest hashes."""
    definition = {(m["path"], m["http_method"]): m for m in api_definition(ROUTES_OF_STACK)["methods"]}
    assert len(definition) == len(resources["aws_api_gateway_method"]) == len(resources["aws_api_gateway_integration"])
    for (path, method), settings in definition.items():
        name = f"tap_stack_api_{path_slug(path)}_{method.lower()}"
        deployed = resources["aws_api_gateway_method"][name]
        assert deployed["authorization"] == settings["authorization"]
        assert deployed.get("request_parameters", {}) == settings["request_parameters"]
        integration = resources["aws_api_gateway_integration"][f"{name}_integration"]
        for key in ("type", "integration_http_method"):
            assert integration[key] == settings["integration"][key]
        assert integration.get("cache_key_parameters", []) == settings["integration"]["cache_key_parameters"]
    validator = resources["aws_api_gateway_request_validator"]["tap_stack_api_request_validator"]
    assert {k: validator[k] for k in REQUEST_VALIDATOR} == REQUEST_VALIDATOR
    trigger = resources["aws_api_gateway_deployment"]["tap_stack_api_deployment"]["triggers"]["redeployment"]
    assert f'"definition" = "{definition_digest(ROUTES_OF_STACK)}"' in trigger
