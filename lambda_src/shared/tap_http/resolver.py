"""A Powertools REST resolver with the TAP HTTP contract built in.

- every error, ours or Powertools', has the shape `{"error": {"code", "message"}, "request_id"}`;
- unknown paths are 404 `route_not_found`, known paths with another method 405 with `Allow`;
- `OPTIONS` on a known path is a CORS preflight (204), on an unknown path a 404;
- unexpected exceptions are 500 `internal_error` with no exception text (the log has it);
- DynamoDB throttling or unavailability is 503 `service_unavailable` with `Retry-After`;
- each request logs one structured line and emits CloudWatch EMF metrics.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

from tap_http.errors import ApiError, service_unavailable
from tap_http.jsonio import dumps

JSON = "application/json"
ALLOW_HEADERS = ["Content-Type", "Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Tenant-Id", "If-Match"]
EXPOSE_HEADERS = ["ETag", "Allow", "Retry-After"]
RETRYABLE_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)


@dataclass(frozen=True)
class Route:
    """`path` in Powertools form (`/items/<id>`)."""

    path: str
    method: str
    handler: Callable[..., Response]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"<[^>]+>", "[^/]+", self.path) + "$")


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=dumps(body), headers=headers or {})


def _error_response(app: APIGatewayRestResolver, error: ApiError) -> Response:
    body = {"error": {"code": error.code, "message": error.message}, "request_id": _request_id(app)}
    return json_response(error.status, body, error.headers)


def _request_id(app: APIGatewayRestResolver) -> str | None:
    return (app.current_event.get("requestContext") or {}).get("requestId")


def is_retryable(error: Exception) -> bool:
    if isinstance(error, ClientError):
        return error.response.get("Error", {}).get("Code") in RETRYABLE_CODES
    return isinstance(error, BotoCoreError)


def cors_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": os.environ.get("CORS_ALLOW_ORIGIN", "*"),
        "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
        "Access-Control-Expose-Headers": ",".join(EXPOSE_HEADERS),
    }


def resolve(app: APIGatewayRestResolver, event: dict, context: object) -> dict:
    """The proxy response with CORS headers on every response (Powertools adds them only when
    the request has an Origin), in both `headers` and `multiValueHeaders`."""
    response = app.resolve(event, context)
    headers = {**(response.get("headers") or {})}
    headers.update({k: ",".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()})
    for name, value in cors_headers().items():
        headers.setdefault(name, value)
    response["headers"] = headers
    response["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
    return response


def build_resolver(routes: list[Route], logger: Logger, metrics: Metrics) -> APIGatewayRestResolver:
    cors = CORSConfig(
        allow_origin=cors_headers()["Access-Control-Allow-Origin"],
        allow_headers=ALLOW_HEADERS,
        expose_headers=EXPOSE_HEADERS,
        max_age=600,
    )
    app = APIGatewayRestResolver(cors=cors)
    for route in routes:
        app.route(route.path, method=route.method, cors=True)(route.handler)

    def allowed_methods(path: str) -> list[str]:
        return sorted({r.method for r in routes if r.pattern.match(path)})

    @app.exception_handler(ApiError)
    def on_api_error(error: ApiError) -> Response:
        return _error_response(app, error)

    @app.not_found
    def on_not_found(_: NotFoundError) -> Response:
        allowed = allowed_methods(app.current_event.path)
        if allowed:
            allow = ", ".join([*allowed, "OPTIONS"])
            message = f"{app.current_event.http_method} is not allowed here; use one of: {allow}."
            return _error_response(app, ApiError(405, "method_not_allowed", message, {"Allow": allow}))
        return _error_response(app, ApiError(404, "route_not_found", "No route matches this path."))

    @app.exception_handler(Exception)
    def on_unexpected(error: Exception) -> Response:
        if is_retryable(error):
            logger.warning("dependency unavailable", extra={"error": repr(error)})
            metrics.add_metric(name="DependencyUnavailable", unit=MetricUnit.Count, value=1)
            return _error_response(app, service_unavailable())
        logger.exception("unhandled error")
        return _error_response(app, ApiError(500, "internal_error", "An internal error occurred."))

    def preflight_only_on_known_paths(app: APIGatewayRestResolver, next_middleware) -> Response:
        event = app.current_event
        if event.http_method == "OPTIONS" and not allowed_methods(event.path):
            return _error_response(app, ApiError(404, "route_not_found", "No route matches this path."))
        return next_middleware(app)

    def log_request(app: APIGatewayRestResolver, next_middleware) -> Response:
        started = time.perf_counter()
        response = next_middleware(app)
        latency_ms = round((time.perf_counter() - started) * 1000, 3)
        status = response.status_code
        event = app.current_event
        logger.info(
            "request",
            extra={
                "method": event.http_method,
                "route": (event.get("requestContext") or {}).get("resourcePath") or event.path,
                "path": event.path,
                "status": status,
                "latency_ms": latency_ms,
                "tenant": app.context.get("tenant"),
                "request_id": _request_id(app),
            },
        )
        metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=latency_ms)
        if status >= 500:
            metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        elif status >= 400:
            metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)
        return response

    app.use(middlewares=[log_request, preflight_only_on_known_paths])
    return app
