"""HTTP plumbing shared by the TAP functions: error shape, JSON output, CORS, request logging.

Runtime code: imports Powertools and the standard library only, never CDKTF.
"""

from tap_http.errors import ApiError
from tap_http.jsonio import dumps
from tap_http.resolver import Route, build_resolver, json_response, resolve

__all__ = ["ApiError", "Route", "build_resolver", "dumps", "json_response", "resolve"]
