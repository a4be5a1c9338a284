"""The API contract (lambda_src/shared/tap_contract.py): pure data, consistent, and exactly what the
functions serve. tests/modules/test_rest_api.py checks that the gateway is built from it too."""

from __future__ import annotations

import ast
import re
import sys
import uuid

import pytest

from lambda_src.shared import tap_contract
from tests.lambda_src.conftest import LAMBDA_SRC

CONTRACT_SOURCE = LAMBDA_SRC / "shared" / "tap_contract.py"


def runtime_operations(module) -> set[tuple[str, str]]:
    """(method, Powertools path) of every route a loaded handler module registered."""
    return {(route.method, route.path) for route in module.api._routes}


def contract_operations(function: str) -> set[tuple[str, str]]:
    """The contract's operations of `function`, with paths in Powertools form."""
    return {
        (method, "/" + re.sub(r"\{([^}]+)\}", r"<\1>", path)) for method, path in tap_contract.operations_of(function)
    }


def test_the_contract_imports_the_standard_library_only():
    """It is loaded by the generator (no Powertools, no boto3) and by the functions (no CDKTF)."""
    tree = ast.parse(CONTRACT_SOURCE.read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_the_contract_is_consistent():
    routes = tap_contract.ROUTES
    assert len({route.path for route in routes}) == len(routes), "one entry per path"
    served = {method for route in routes for method in route.methods}
    allowed = tap_contract.CORS_ALLOW_METHODS
    assert len(set(allowed)) == len(allowed) and set(allowed) == served | {tap_contract.PREFLIGHT_METHOD}
    assert tap_contract.TENANT_HEADER in tap_contract.CORS_ALLOW_HEADERS
    for route in routes:
        assert not route.path.startswith("/") and route.function in tap_contract.FUNCTIONS
        assert route.authorization in tap_contract.AUTHORIZATIONS
        assert tap_contract.PREFLIGHT_METHOD not in route.methods
        if route.any_source_ip:
            assert route.authorization == tap_contract.NO_AUTH and not route.tenant_scoped
        if route.tenant_scoped:
            assert route.authorization == tap_contract.IAM, "tenant routes are authenticated"


def test_routes_of_a_function():
    assert [route.path for route in tap_contract.routes_of(tap_contract.HEALTH)] == ["health"]
    assert [route.path for route in tap_contract.routes_of(tap_contract.CRUD)] == ["items", "items/{id}", "metrics"]
    with pytest.raises(ValueError, match="unknown function 'nope'"):
        tap_contract.routes_of("nope")


def test_the_tenant_pattern_matches_in_full():
    tenant = re.compile(tap_contract.TENANT_PATTERN)
    assert tenant.fullmatch("tenant_A-1") and tenant.fullmatch("a" * 64)
    assert not tenant.fullmatch("a" * 65) and not tenant.fullmatch(" tenant") and not tenant.fullmatch("")


def test_the_crud_function_serves_exactly_the_contracts_routes(api):
    assert runtime_operations(api.module) == contract_operations(tap_contract.CRUD)


def test_the_health_function_serves_exactly_the_contracts_routes(health_api):
    assert runtime_operations(health_api.module) == contract_operations(tap_contract.HEALTH)


def test_the_functions_load_the_same_contract_file(api):
    """The runtime imports `tap_contract` (archive root), the generator `lambda_src.shared.tap_contract`:
    one file."""
    assert sys.modules["tap_contract"].__file__ == tap_contract.__file__


def test_the_functions_answer_with_the_contracts_cors(api):
    from tap_http import resolver

    assert resolver.TENANT_HEADER == tap_contract.TENANT_HEADER
    assert resolver.TENANT.pattern == tap_contract.TENANT_PATTERN
    result = api("GET", "/items")
    assert result.headers["Access-Control-Allow-Headers"].split(",") == list(tap_contract.CORS_ALLOW_HEADERS)
    assert result.headers["Access-Control-Expose-Headers"].split(",") == list(tap_contract.CORS_EXPOSE_HEADERS)
    preflight = api("OPTIONS", f"/items/{uuid.uuid4()}", tenant=None, headers={"Origin": "https://app.example.com"})
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Max-Age"] == str(tap_contract.CORS_MAX_AGE_SECONDS)
    # Powertools adds its own defaults (X-Api-Key) to a preflight it answers, in no fixed order.
    assert set(tap_contract.CORS_ALLOW_HEADERS) <= set(preflight.headers["Access-Control-Allow-Headers"].split(","))


def test_a_function_cannot_register_other_routes_than_the_contracts(api):
    from tap_http import routes_for

    def handler() -> None:
        return None

    health = {("GET", "health"): handler}
    assert [(route.path, route.method) for route in routes_for(tap_contract.HEALTH, health)] == [("/health", "GET")]
    with pytest.raises(ValueError, match=r"missing \[\('GET', 'health'\)\]"):
        routes_for(tap_contract.HEALTH, {})
    with pytest.raises(ValueError, match=r"extra \[\('POST', 'health'\)\]"):
        routes_for(tap_contract.HEALTH, {**health, ("POST", "health"): handler})
    with pytest.raises(ValueError, match="unknown function"):
        routes_for("nope", health)
