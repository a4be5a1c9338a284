"""A Powertools REST resolver with the TAP HTTP contract built in.

- every error, ours or Powertools', has the shape `{"error": {"code", "message"}, "request_id"}`;
- unknown paths are 404 `route_not_found`, known paths with another method 405 with `Allow`;
- `OPTIONS` on a known path is a CORS preflight (204), on an unknown path a 404;
- unexpected exceptions are 500 `internal_error` with no exception text (the log has it);
- DynamoDB throttling or unavailability is 503 `service_unavailable` with `Retry-After`;
- the routes are the API contract's (`tap_contract.ROUTES`), and so are the tenant header and CORS;
- every response carries CORS headers;
- each request logs one structured line and emits CloudWatch EMF metrics.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import BotoCoreError, ClientError

import tap_contract
from tap_http.errors import ApiError, service_unavailable
from tap_http.identity import principal_of
from tap_http.jsonio import dumps

JSON = "application/json"
# The tenant header, a valid tenant id and the CORS headers are the API contract's (tap_contract).
TENANT_HEADER = tap_contract.TENANT_HEADER
TENANT = re.compile(tap_contract.TENANT_PATTERN)
ALLOW_HEADERS = list(tap_contract.CORS_ALLOW_HEADERS)
EXPOSE_HEADERS = list(tap_contract.CORS_EXPOSE_HEADERS)
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
    """`path` in Powertools form (`/items/<id>`); `routes_for` derives them from the contract."""

    path: str
    method: str
    handler: Callable[..., Response]

    @property
    def pattern(self) -> re.Pattern[str]:
        return re.compile("^" + re.sub(r"<[^>]+>", "[^/]+", self.path) + "$")


def resolver_path(contract_path: str) -> str:
    """`items/{id}` (the contract's form) -> `/items/<id>` (Powertools' form)."""
    return "/" + re.sub(r"\{([^}/]+)\}", r"<\1>", contract_path)


def routes_for(function: str, handlers: Mapping[tuple[str, str], Callable[..., Response]]) -> list[Route]:
    """The routes of `function`, exactly as the API contract states them, each bound to its handler
    in `handlers` (keyed by method and contract path). A missing or extra handler is an error at
    import time: a function cannot serve what the gateway does not route, nor miss what it does.
    Path parameters reach a handler as keyword arguments named as in the contract (`{id}`: `id`)."""
    operations = tap_contract.operations_of(function)
    missing = sorted(set(operations) - set(handlers))
    extra = sorted(set(handlers) - set(operations))
    if missing or extra:
        raise ValueError(f"{function}: handlers disagree with tap_contract.ROUTES (missing {missing}, extra {extra})")
    return [Route(resolver_path(path), method, handlers[(method, path)]) for method, path in operations]


def json_response(status: int, body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(status_code=status, content_type=JSON, body=dumps(body), headers=headers or {})


def header(event: dict, name: str) -> str | None:
    """A request header, matched case-insensitively."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return value
    return None


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


def _request_id(event: dict) -> str | None:
    return (event.get("requestContext") or {}).get("requestId")


def _error_body(event: dict, error: ApiError) -> str:
    return dumps({"error": {"code": error.code, "message": error.message}, "request_id": _request_id(event)})


class HttpApi:
    """Routes dispatched by a Powertools resolver; `handle()` is the whole Lambda response path."""

    def __init__(self, routes: list[Route], logger: Logger, metrics: Metrics) -> None:
        self._routes = routes
        self._logger = logger
        self._metrics = metrics
        cors = CORSConfig(
            allow_origin=cors_headers()["Access-Control-Allow-Origin"],
            allow_headers=ALLOW_HEADERS,
            expose_headers=EXPOSE_HEADERS,
            max_age=tap_contract.CORS_MAX_AGE_SECONDS,
        )
        self.app = APIGatewayRestResolver(cors=cors)
        for route in routes:
            self.app.route(route.path, method=route.method, cors=True)(route.handler)
        self.app.exception_handler(ApiError)(self._on_api_error)
        self.app.not_found(self._on_not_found)
        self.app.exception_handler(Exception)(self._on_unexpected)

    @property
    def event(self) -> dict:
        """The raw proxy event of the request being handled."""
        return self.app.current_event.raw_event

    def allowed_methods(self, path: str) -> list[str]:
        return sorted({r.method for r in self._routes if r.pattern.match(path)})

    def handle(self, event: dict, context: object) -> dict:
        started = time.perf_counter()
        if event.get("httpMethod") == "OPTIONS" and not self.allowed_methods(event.get("path") or ""):
            # Powertools answers every OPTIONS as a preflight; an unknown path is still unknown.
            error = ApiError(404, "route_not_found", "No route matches this path.")
            response = {"statusCode": 404, "body": _error_body(event, error), "headers": {"Content-Type": JSON}}
        else:
            response = self.app.resolve(event, context)
        headers = {**(response.get("headers") or {})}
        headers.update({k: ",".join(v) for k, v in (response.get("multiValueHeaders") or {}).items()})
        for name, value in cors_headers().items():
            headers.setdefault(name, value)
        response["headers"] = headers
        response["multiValueHeaders"] = {k: [v] for k, v in headers.items()}
        response.setdefault("isBase64Encoded", False)
        self._record(event, response["statusCode"], (time.perf_counter() - started) * 1000)
        return response

    def _record(self, event: dict, status: int, latency_ms: float) -> None:
        tenant = header(event, TENANT_HEADER)
        self._logger.info(
            tap_contract.REQUEST_LOG_MESSAGE,
            extra={
                "method": event.get("httpMethod"),
                "route": (event.get("requestContext") or {}).get("resourcePath") or event.get("resource"),
                "path": event.get("path"),
                "status": status,
                "latency_ms": round(latency_ms, 3),
                "tenant": tenant if tenant and TENANT.fullmatch(tenant) else None,
                "principal": principal_of(event),
                "request_id": _request_id(event),
            },
        )
        self._metrics.add_metric(name="Requests", unit=MetricUnit.Count, value=1)
        self._metrics.add_metric(name="Latency", unit=MetricUnit.Milliseconds, value=round(latency_ms, 3))
        if status >= 500:
            self._metrics.add_metric(name="ServerErrors", unit=MetricUnit.Count, value=1)
        elif status >= 400:
            self._metrics.add_metric(name="ClientErrors", unit=MetricUnit.Count, value=1)

    def _error(self, error: ApiError) -> Response:
        return Response(
            status_code=error.status, content_type=JSON, body=_error_body(self.event, error), headers=error.headers
        )

    def _on_api_error(self, error: ApiError) -> Response:
        return self._error(error)

    def _on_not_found(self, _: NotFoundError) -> Response:
        allowed = self.allowed_methods(self.app.current_event.path)
        if not allowed:
            return self._error(ApiError(404, "route_not_found", "No route matches this path."))
        allow = ", ".join([*allowed, "OPTIONS"])
        message = f"{self.app.current_event.http_method} is not allowed here; use one of: {allow}."
        return self._error(ApiError(405, "method_not_allowed", message, {"Allow": allow}))

    def _on_unexpected(self, error: Exception) -> Response:
        if is_retryable(error):
            self._logger.warning("dependency unavailable", extra={"error": repr(error)})
            self._metrics.add_metric(name="DependencyUnavailable", unit=MetricUnit.Count, value=1)
            return self._error(service_unavailable())
        self._logger.exception("unhandled error")
        return self._error(ApiError(500, "internal_error", "An internal error occurred."))
