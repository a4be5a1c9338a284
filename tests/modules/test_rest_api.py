import json

import pytest

from lambda_src.shared import tap_contract
from modules import rest_api
from modules.rest_api import (
    REQUEST_VALIDATOR,
    Route,
    api_definition,
    definition_digest,
    path_slug,
    routes_from_contract,
)
from stacks.region import ROUTES as ROUTES_OF_STACK


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


@pytest.mark.parametrize(
    ("constant", "value"),
    [("CORS_ALLOW_HEADERS", "Content-Type"), ("CORS_MAX_AGE_SECONDS", 60), ("PREFLIGHT_STATUS", "200")],
)
def test_definition_digest_covers_the_cors_preflights(monkeypatch, constant, value):
    before = definition_digest(ROUTES)
    monkeypatch.setattr(rest_api, constant, value)
    assert definition_digest(ROUTES) != before


def test_every_route_has_a_preflight_in_the_definition():
    preflights = {m["path"]: m for m in api_definition(ROUTES)["methods"] if m["http_method"] == "OPTIONS"}
    assert set(preflights) == {route.path for route in ROUTES}
    items = preflights["items"]
    assert (items["authorization"], items["integration"]["type"], items["integration"]["status_code"]) == (
        "NONE",
        "MOCK",
        "204",
    )
    headers = items["integration"]["response_parameters"]
    assert headers["method.response.header.Access-Control-Allow-Methods"] == "'GET,POST,OPTIONS'"
    assert headers["method.response.header.Access-Control-Allow-Origin"] == f"'{rest_api.ORIGIN_PLACEHOLDER}'"


def test_the_gateway_answers_with_the_contracts_cors():
    """The preflights and gateway responses use tap_contract's values, which the functions use too
    (tests/lambda_src/test_contract.py checks the runtime side)."""
    assert rest_api.TENANT_HEADER == tap_contract.TENANT_HEADER
    assert rest_api.CORS_ALLOW_HEADER_NAMES == tap_contract.CORS_ALLOW_HEADERS
    assert rest_api.CORS_ALLOW_HEADERS.split(",") == list(tap_contract.CORS_ALLOW_HEADERS)
    assert rest_api.CORS_ALLOW_METHODS.split(",") == list(tap_contract.CORS_ALLOW_METHODS)
    assert rest_api.CORS_EXPOSE_HEADERS.split(",") == list(tap_contract.CORS_EXPOSE_HEADERS)
    assert rest_api.CORS_MAX_AGE_SECONDS == tap_contract.CORS_MAX_AGE_SECONDS
    assert rest_api.PREFLIGHT_METHOD == tap_contract.PREFLIGHT_METHOD
    headers = rest_api.cors_response_headers("*")
    assert (
        headers["gatewayresponse.header.Access-Control-Allow-Headers"]
        == f"'{','.join(tap_contract.CORS_ALLOW_HEADERS)}'"
    )


def test_the_gateway_routes_are_the_contracts():
    routes = routes_from_contract()
    assert [
        (r.path, r.methods, r.backend, r.authorization, r.query, r.tenant_scoped, r.any_source_ip) for r in routes
    ] == [
        (c.path, c.methods, c.function, c.authorization, c.query, c.tenant_scoped, c.any_source_ip)
        for c in tap_contract.ROUTES
    ]
    for route in routes:
        assert route.authorization in tap_contract.AUTHORIZATIONS
    assert {"health", "items", "items/{id}", "metrics"} == {route.path for route in routes}


def test_the_stack_deploys_the_contracts_routes():
    assert routes_from_contract() == ROUTES_OF_STACK


def test_a_contract_route_open_to_any_source_ip_must_be_unauthenticated():
    bad = tap_contract.ApiRoute("status", ("GET",), tap_contract.HEALTH, any_source_ip=True)
    with pytest.raises(ValueError, match="only an unauthenticated route"):
        routes_from_contract((bad,))


@pytest.fixture(scope="module")
def resources(synth) -> dict:
    """The whole stack's resources (in this folder, `resources` is otherwise a tiny stack's)."""
    return synth.document["resource"]


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
        expected = settings["integration"]
        if method == "OPTIONS":
            assert (integration["type"], integration["request_templates"]) == ("MOCK", expected["request_templates"])
            assert (
                resources["aws_api_gateway_method_response"][f"{name}_response"]["status_code"]
                == (expected["status_code"])
            )
            answer = resources["aws_api_gateway_integration_response"][f"{name}_integration_response"]
            origin = "'${var.cors_allow_origin}'"
            assert answer["response_parameters"] == {
                header: origin if value == f"'{rest_api.ORIGIN_PLACEHOLDER}'" else value
                for header, value in expected["response_parameters"].items()
            }
            continue
        for key in ("type", "integration_http_method"):
            assert integration[key] == expected[key]
        assert "cache_key_parameters" not in integration
    validator = resources["aws_api_gateway_request_validator"]["tap_stack_api_request_validator"]
    assert {k: validator[k] for k in REQUEST_VALIDATOR} == REQUEST_VALIDATOR
    trigger = resources["aws_api_gateway_deployment"]["tap_stack_api_deployment"]["triggers"]["redeployment"]
    assert f'"definition" = "{definition_digest(ROUTES_OF_STACK)}"' in trigger
