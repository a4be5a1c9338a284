"""GET /health against moto: 200 when the table answers, 503 when it does not."""

import pytest
from botocore.exceptions import EndpointConnectionError


def test_healthy(health_api):
    result = health_api("GET", "/health", tenant=None)
    assert result.status == 200
    assert result.json == {"status": "healthy", "region": "us-east-1", "checks": {"dynamodb": "ok"}}
    assert result.headers["Content-Type"] == "application/json"
    assert result.headers["Access-Control-Allow-Origin"] == "*"


def test_unhealthy_when_the_table_is_missing(health_api, aws):
    aws["dynamodb"].delete_table(TableName="tap-test-items")
    result = health_api("GET", "/health", tenant=None)
    assert result.status == 503
    assert result.json["status"] == "unhealthy"
    assert result.json["checks"] == {"dynamodb": "unreachable"}


def test_unhealthy_when_dynamodb_is_unreachable(health_api, monkeypatch):
    def unreachable(**_):
        raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")

    monkeypatch.setattr(health_api.module.dynamodb, "describe_table", unreachable)
    assert health_api("GET", "/health", tenant=None).status == 503


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [("GET", "/nope", 404, "route_not_found"), ("POST", "/health", 405, "method_not_allowed")],
)
def test_other_routes_use_the_error_shape(health_api, method, path, status, code):
    result = health_api(method, path, tenant=None)
    assert result.status == status
    assert result.json["error"]["code"] == code
    assert result.json["request_id"] == result.request_id
