"""HTTP plumbing shared by the TAP functions: error shape, JSON output, CORS, request logging.

Runtime code: imports Powertools, botocore, the standard library and the pure-data API contract
(`tap_contract`, shared with the infrastructure) only, never CDKTF.
"""

from tap_http.errors import ApiError, service_unavailable
from tap_http.identity import principal_of
from tap_http.jsonio import dumps
from tap_http.resolver import TENANT, TENANT_HEADER, HttpApi, Route, header, json_response, routes_for

__all__ = [
    "TENANT",
    "TENANT_HEADER",
    "ApiError",
    "HttpApi",
    "Route",
    "dumps",
    "header",
    "json_response",
    "principal_of",
    "routes_for",
    "service_unavailable",
]
