"""The TAP API contract: the facts that the functions (runtime) and the API Gateway definition
(infrastructure) must agree on, stated once.

Pure data, standard library only: it is shipped at the root of every archive that includes
`shared` (imported there as `tap_contract`) and imported by the generator as
`lambda_src.shared.tap_contract`. The runtime registers exactly `ROUTES` (`tap_http.routes_for`);
`modules.rest_api` builds its methods, preflights and CORS answers from the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

# The functions behind the API (the `backend` of a route).
CRUD = "crud"
HEALTH = "health"
FUNCTIONS = (CRUD, HEALTH)

# API Gateway method authorization: SigV4-signed requests, or none at all.
IAM = "AWS_IAM"
NO_AUTH = "NONE"
AUTHORIZATIONS = (IAM, NO_AUTH)

# The tenant header (matched case-insensitively) and a valid tenant id (matched in full, no trimming).
TENANT_HEADER = "X-Tenant-Id"
TENANT_PATTERN = r"[A-Za-z0-9_-]{1,64}"

# CORS, answered alike by the functions, the gateway's preflights and its error responses.
CORS_ALLOW_HEADERS = (
    "Content-Type",
    "Authorization",
    "X-Amz-Date",
    "X-Amz-Security-Token",
    "X-Amz-Content-Sha256",  # SigV4 clients sign the payload hash in this header
    TENANT_HEADER,
    "If-Match",
)
CORS_EXPOSE_HEADERS = ("ETag", "Allow", "Retry-After")
PREFLIGHT_METHOD = "OPTIONS"
CORS_ALLOW_METHODS = ("GET", "POST", "PUT", "DELETE", PREFLIGHT_METHOD)
CORS_MAX_AGE_SECONDS = 600

# The CRUD function's item cache metrics (EMF, Count): the dashboard's hit ratio is
# hits / (hits + misses); errors are cache failures that fell back to DynamoDB.
CACHE_HITS = "CacheHits"
CACHE_MISSES = "CacheMisses"
CACHE_ERRORS = "CacheErrors"
CACHE_METRICS = (CACHE_HITS, CACHE_MISSES, CACHE_ERRORS)
# Every key the CRUD function keeps in the cache starts with this, and these are the only commands it
# sends (its compare-and-set script's included): the cache's user is allowed exactly these.
CACHE_KEY_PREFIX = "tap:item:"
CACHE_COMMANDS = ("hmget", "hset", "del", "expire", "eval")
CACHE_ACL_RULES = f"~{CACHE_KEY_PREFIX}* -@all " + " ".join(f"+{command}" for command in CACHE_COMMANDS)

# Every API function logs one record per request with this message (Powertools JSON: method, route,
# status, latency_ms, tenant, principal, request_id); the log archive's named queries select it.
REQUEST_LOG_MESSAGE = "request"

# Powertools' tracer records a handler's response and any exception it raises as trace metadata
# unless told otherwise: item bodies and list pages would leave the stack's key and the tenant grants
# for X-Ray's 30 days. Every traced function runs with this environment (the stack sets it and
# `tapgen.security.rules.lambdas_never_trace_payloads` checks it), and the handlers pass the same choice.
TRACE_PRIVACY_ENVIRONMENT = {
    "POWERTOOLS_TRACER_CAPTURE_ERROR": "false",
    "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",
}


@dataclass(frozen=True)
class ApiRoute:
    """One resource of the API. `path` has no leading slash; `{name}` segments are path
    parameters (API Gateway form). `function` serves it; `query` lists the query parameters it
    reads; `any_source_ip` opens it beyond the allowed IP ranges (health checkers, canaries)."""

    path: str
    methods: tuple[str, ...]
    function: str
    authorization: str = IAM
    tenant_scoped: bool = True
    query: tuple[str, ...] = ()
    any_source_ip: bool = False


ROUTES = (
    ApiRoute("health", ("GET",), HEALTH, authorization=NO_AUTH, tenant_scoped=False, any_source_ip=True),
    ApiRoute("items", ("GET", "POST"), CRUD, query=("limit", "next_token")),
    ApiRoute("items/{id}", ("GET", "PUT", "DELETE"), CRUD),
    ApiRoute("metrics", ("GET",), CRUD),
)


def routes_of(function: str) -> tuple[ApiRoute, ...]:
    """The routes that `function` serves, in contract order."""
    if function not in FUNCTIONS:
        raise ValueError(f"unknown function {function!r}; the contract knows {', '.join(FUNCTIONS)}")
    return tuple(route for route in ROUTES if route.function == function)


def operations_of(function: str) -> tuple[tuple[str, str], ...]:
    """(method, path) of every operation `function` serves, in contract order."""
    return tuple((method, route.path) for route in routes_of(function) for method in route.methods)
