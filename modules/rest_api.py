"""The REST API: routes to Lambda (AWS_PROXY), IAM auth, IP-restricted resource policy, CORS on
gateway errors, a stage with X-Ray and JSON access logs.

The stage never caches a response. API Gateway answers a cache hit after IAM authentication but
before the function, which is the only place a caller's tenant grant is checked, and an `AWS_IAM`
identity cannot be part of a REST API cache key: a cached answer for one caller would be served to
any other caller who names the same tenant. Item caches (`cache=elasticache|dax`) sit behind the
grant check instead (`tapgen.security.rules.api_stage_never_caches_tenant_methods` keeps it so).

Browsers send the CORS preflight (`OPTIONS`) unsigned, so every route also has an `OPTIONS`
method without authorization whose MOCK integration answers 204 with the CORS headers in API
Gateway itself: a preflight never reaches a function, and the resource policy admits it only from
`allowed_ip_ranges`, like every other request."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

from cdktf import Fn
from constructs import Construct

from lambda_src.shared import tap_contract
from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.iam import Condition, Principal, Statement, policy_document
from modules.log_group import LogGroupProps, encrypted_log_group
from tapgen.aws import aws

# The API's contract with the functions (tenant header, CORS, routes) is stated once, as pure data
# shipped in the function archives too: lambda_src/shared/tap_contract.py. The preflight methods
# and the gateway responses answer with the same CORS values as the functions.
TENANT_HEADER = tap_contract.TENANT_HEADER
CORS_ALLOW_HEADER_NAMES = tap_contract.CORS_ALLOW_HEADERS
CORS_ALLOW_HEADERS = ",".join(CORS_ALLOW_HEADER_NAMES)
CORS_ALLOW_METHODS = ",".join(tap_contract.CORS_ALLOW_METHODS)
CORS_EXPOSE_HEADERS = ",".join(tap_contract.CORS_EXPOSE_HEADERS)
CORS_MAX_AGE_SECONDS = tap_contract.CORS_MAX_AGE_SECONDS
PREFLIGHT_METHOD = tap_contract.PREFLIGHT_METHOD
PREFLIGHT_STATUS = "204"
# A MOCK integration answers with the status code its request template selects.
PREFLIGHT_REQUEST_TEMPLATES = {"application/json": f'{{"statusCode": {PREFLIGHT_STATUS}}}'}
# Gateway errors use the same body shape as the Lambda errors: {"error": {...}, "request_id": ...}.
GATEWAY_ERROR_TEMPLATE = (
    '{"error":{"code":"$context.error.responseType.toLowerCase()",'
    '"message":$context.error.messageString},"request_id":"$context.requestId"}'
)
# One JSON document per request; the log archive's table reads these keys (`modules/log_analytics.py`).
ACCESS_LOG_FIELDS = {
    "requestId": "$context.requestId",
    "extendedRequestId": "$context.extendedRequestId",
    "ip": "$context.identity.sourceIp",
    "caller": "$context.identity.caller",
    "userArn": "$context.identity.userArn",
    "requestTime": "$context.requestTimeEpoch",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "integrationLatency": "$context.integrationLatency",
    "responseLatency": "$context.responseLatency",
    "errorType": "$context.error.responseType",
    "xrayTraceId": "$context.xrayTraceId",
}
ACCESS_LOG_FORMAT = json.dumps(ACCESS_LOG_FIELDS, sort_keys=True, separators=(",", ":"))


# The request validator every method uses; also part of the API definition digest.
REQUEST_VALIDATOR = {"name": "parameters", "validate_request_parameters": True, "validate_request_body": False}
GATEWAY_RESPONSE_FAMILIES = ("4xx", "5xx")
# An unauthenticated route (/health) has a small throttle of its own, whatever the stage allows: a
# flood of it is answered 429 by the gateway, and cannot drive its function into Lambda's concurrency
# or DynamoDB's control-plane limits (which would answer 5xx, and fail the region over). The canary's
# one request per run and other monitors fit in it many times over.
OPEN_ROUTE_THROTTLE_RATE_LIMIT = 10
OPEN_ROUTE_THROTTLE_BURST_LIMIT = 20
# Stands for var.cors_allow_origin (or whatever origin the stack passes) in the synth-time digest.
ORIGIN_PLACEHOLDER = "<cors_allow_origin>"


def cors_response_headers(origin: str) -> dict[str, str]:
    """The CORS headers of the gateway responses (error responses API Gateway itself sends)."""
    return {
        "gatewayresponse.header.Access-Control-Allow-Origin": f"'{origin}'",
        "gatewayresponse.header.Access-Control-Allow-Headers": f"'{CORS_ALLOW_HEADERS}'",
        "gatewayresponse.header.Access-Control-Allow-Methods": f"'{CORS_ALLOW_METHODS}'",
        "gatewayresponse.header.Access-Control-Expose-Headers": f"'{CORS_EXPOSE_HEADERS}'",
    }


def preflight_headers(methods: tuple[str, ...], origin: str) -> dict[str, str]:
    """The CORS headers of a preflight answer for a route with `methods`, as integration-response
    mappings (static values are quoted)."""
    allowed = ",".join([*sorted(set(methods) - {PREFLIGHT_METHOD}), PREFLIGHT_METHOD])
    return {
        "method.response.header.Access-Control-Allow-Origin": f"'{origin}'",
        "method.response.header.Access-Control-Allow-Methods": f"'{allowed}'",
        "method.response.header.Access-Control-Allow-Headers": f"'{CORS_ALLOW_HEADERS}'",
        "method.response.header.Access-Control-Max-Age": f"'{CORS_MAX_AGE_SECONDS}'",
    }


@dataclass(frozen=True)
class Backend:
    """A Lambda function that routes send requests to; with `qualifier`, that alias of it (then
    `invoke_arn` is the alias's, and API Gateway's permissions are granted on the alias: a
    permission on the unqualified function does not let API Gateway invoke an alias)."""

    function_name: str
    invoke_arn: str
    qualifier: str | None = None


def path_slug(path: str) -> str:
    """`items/{id}` -> `items_id`: the Terraform-name form of a path."""
    return path.replace("/", "_").replace("{", "").replace("}", "")


@dataclass(frozen=True)
class Route:
    """`path` without a leading slash; `{name}` segments are path parameters."""

    path: str
    methods: tuple[str, ...]
    backend: str
    authorization: str = "AWS_IAM"
    query: tuple[str, ...] = ()
    tenant_scoped: bool = True
    # Reachable from any address (Route 53 health checkers, canaries), not only allowed_ip_ranges:
    # only for an unauthenticated route that reveals nothing but status.
    any_source_ip: bool = False

    def __post_init__(self) -> None:
        if self.any_source_ip and self.authorization != "NONE":
            raise ValueError(f"route {self.path!r}: only an unauthenticated route may be open to any source IP")

    @property
    def slug(self) -> str:
        return path_slug(self.path)

    @property
    def path_parameters(self) -> tuple[str, ...]:
        return tuple(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    @property
    def arn_path(self) -> str:
        return "/".join("*" if part.startswith("{") else part for part in self.path.split("/"))

    def request_parameters(self) -> dict[str, bool]:
        parameters = {f"method.request.path.{p}": True for p in self.path_parameters}
        parameters.update({f"method.request.querystring.{q}": False for q in self.query})
        if self.tenant_scoped:
            parameters[f"method.request.header.{TENANT_HEADER}"] = False
        return dict(sorted(parameters.items()))

    def method_settings(self, method: str) -> dict:
        """What API Gateway stores for `method` on this route, besides ids: the method and its
        integration (the function's invoke ARN is a plan-time input, named by `backend`)."""
        parameters = self.request_parameters()
        return {
            "path": self.path,
            "http_method": method,
            "authorization": self.authorization,
            "request_parameters": parameters,
            "request_validator": REQUEST_VALIDATOR["name"],
            "integration": {
                "type": "AWS_PROXY",
                "integration_http_method": "POST",
                "backend": self.backend,
            },
        }

    def preflight_settings(self, origin: str = "") -> dict:
        """The route's CORS preflight: `OPTIONS` without authorization, answered by a MOCK
        integration (no backend) with 204 and the CORS headers for `origin`."""
        return {
            "path": self.path,
            "http_method": PREFLIGHT_METHOD,
            "authorization": "NONE",
            "request_parameters": {},
            # It declares no required parameter, so the validator passes every preflight.
            "request_validator": REQUEST_VALIDATOR["name"],
            "integration": {
                "type": "MOCK",
                "request_templates": PREFLIGHT_REQUEST_TEMPLATES,
                "status_code": PREFLIGHT_STATUS,
                "response_parameters": preflight_headers(self.methods, origin or ORIGIN_PLACEHOLDER),
            },
        }


def routes_from_contract(contract_routes: tuple[tap_contract.ApiRoute, ...] = tap_contract.ROUTES) -> tuple[Route, ...]:
    """The API's routes as the contract states them (`tap_contract.ROUTES`), each served by the
    backend named after its function (`crud`, `health`)."""
    return tuple(
        Route(
            path=route.path,
            methods=route.methods,
            backend=route.function,
            authorization=route.authorization,
            query=route.query,
            tenant_scoped=route.tenant_scoped,
            any_source_ip=route.any_source_ip,
        )
        for route in contract_routes
    )


def api_definition(routes: tuple[Route, ...]) -> dict:
    """Everything that defines a deployment and is known at synth time, as plain data: paths,
    methods (the CORS preflights included), auth, request parameters, validator, integrations and
    gateway responses.
    Values that only Terraform knows (function ARNs, the CORS origin, the policy document) are
    the other half of the redeployment trigger: see `RestApi._redeployment_trigger`."""
    paths = sorted(
        {"/".join(r.path.split("/")[:depth]) for r in routes for depth in range(1, len(r.path.split("/")) + 1)}
    )
    return {
        "resources": paths,
        "request_validator": REQUEST_VALIDATOR,
        "methods": sorted(
            [
                *(route.method_settings(method) for route in routes for method in route.methods),
                *(route.preflight_settings() for route in routes),
            ],
            key=lambda m: (m["path"], m["http_method"]),
        ),
        "gateway_responses": {
            f"DEFAULT_{family.upper()}": {
                "response_parameters": cors_response_headers(ORIGIN_PLACEHOLDER),
                "response_templates": {"application/json": GATEWAY_ERROR_TEMPLATE},
            }
            for family in GATEWAY_RESPONSE_FAMILIES
        },
    }


def definition_digest(routes: tuple[Route, ...]) -> str:
    """SHA-256 of `api_definition`, independent of dict order and of the construct tree."""
    canonical = json.dumps(api_definition(routes), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StageSettings:
    stage_name: str
    throttle_burst_limit: float
    throttle_rate_limit: float


@dataclass(frozen=True)
class MethodThrottle:
    """A method with a throttle of its own instead of the stage's: `path` (a route's) and `method`,
    `rate_limit` (requests a second) and `burst_limit` (Terraform number expressions)."""

    path: str
    method: str
    rate_limit: object
    burst_limit: object


@dataclass(frozen=True, kw_only=True)
class RestApiProps:
    name: str
    api_name: str
    description: str
    routes: tuple[Route, ...]
    backends: dict[str, Backend]
    stage: StageSettings
    allowed_ip_ranges: list[str]
    cors_allow_origin: str
    account: AwsAccount
    kms_key_arn: str
    log_retention_days: float
    latency_threshold_ms: object
    stage_dependencies: tuple = ()
    method_throttles: tuple[MethodThrottle, ...] = ()


class RestApi(Construct):
    """Outputs: `api` (`aws_api_gateway_rest_api`), `stage` (`aws_api_gateway_stage`),
    `invoke_url`, `access_log_group`, `execution_log_group`, `alarms` (the stage's errors and
    latency, `AlarmSpec`s)."""

    def __init__(self, scope: Construct, props: RestApiProps) -> None:
        super().__init__(scope, props.name)
        self._props = props
        self.api = aws.api_gateway_rest_api.ApiGatewayRestApi(
            self,
            props.name,
            name=props.api_name,
            description=props.description,
            endpoint_configuration=aws.api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(types=["REGIONAL"]),
            lifecycle={"create_before_destroy": True},
        )
        # Rejects requests missing a required path parameter before they reach a function;
        # bodies are validated by the function, which knows the item contract.
        self._validator = aws.api_gateway_request_validator.ApiGatewayRequestValidator(
            self, f"{props.name}_request_validator", rest_api_id=self.api.id, **REQUEST_VALIDATOR
        )
        resources = self._resources()
        deployed = [*resources.values(), self._validator]
        for route in props.routes:
            deployed += self._route(route, resources[route.path])
        policy, policy_json = self._resource_policy()
        deployed.append(policy)
        deployed += self._gateway_responses()
        deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
            self,
            f"{props.name}_deployment",
            rest_api_id=self.api.id,
            description="Redeployed whenever a route, integration, policy or gateway response changes.",
            triggers={"redeployment": self._redeployment_trigger(policy_json)},
            lifecycle={"create_before_destroy": True},
            depends_on=deployed,
        )
        self._stage(deployment)
        self.alarms = self._alarms()

    def _alarms(self) -> tuple[AlarmSpec, ...]:
        """Any 4XX or 5XX answer of the stage, and its p99 latency over `latency_threshold_ms` for 3 minutes."""
        dimensions = {"ApiName": self.api.name, "Stage": self.stage.stage_name}
        return (
            AlarmSpec(
                "tap_stack_api_4xx_alarm", "API returned a 4XX error", "AWS/ApiGateway", "4XXError", dimensions, 1
            ),
            AlarmSpec(
                "tap_stack_api_5xx_alarm", "API returned a 5XX error", "AWS/ApiGateway", "5XXError", dimensions, 1
            ),
            AlarmSpec(
                "tap_stack_api_latency_alarm",
                "API p99 latency above var.api_latency_threshold_ms for 3 minutes",
                "AWS/ApiGateway",
                "Latency",
                dimensions,
                self._props.latency_threshold_ms,
                statistic="",
                extended_statistic="p99",
                evaluation_periods=3,
            ),
        )

    def _redeployment_trigger(self, policy_document: str) -> str:
        """A hash of what defines the API, never of whole resource objects: attributes that appear
        or change on refresh (`request_parameters = {}`, ids, dates) would redeploy on every plan.
        The synth-time digest covers routes, methods, integrations, validator and gateway
        responses; the plan-time inputs are the ones only Terraform knows: each backend's invoke
        ARN, the CORS origin and the resource policy document (a policy change needs a
        redeployment to take effect)."""
        props = self._props
        used = sorted({route.backend for route in props.routes})
        inputs = {
            "definition": definition_digest(props.routes),
            "backends": [props.backends[name].invoke_arn for name in used],
            "cors_allow_origin": props.cors_allow_origin,
            "policy": policy_document,
        }
        return Fn.sha1(Fn.jsonencode(inputs))

    def _resources(self) -> dict[str, object]:
        """One `aws_api_gateway_resource` per path prefix, parents first."""
        resources: dict[str, object] = {}
        for route in sorted(self._props.routes, key=lambda r: r.path):
            parts = route.path.split("/")
            for depth in range(1, len(parts) + 1):
                path = "/".join(parts[:depth])
                if path in resources:
                    continue
                parent = resources["/".join(parts[: depth - 1])].id if depth > 1 else self.api.root_resource_id
                resources[path] = aws.api_gateway_resource.ApiGatewayResource(
                    self,
                    f"{self._props.name}_{path_slug(path)}",
                    rest_api_id=self.api.id,
                    parent_id=parent,
                    path_part=parts[depth - 1],
                )
        return resources

    def _route(self, route: Route, resource) -> list:
        backend = self._props.backends[route.backend]
        created = []
        for method in route.methods:
            name = f"{self._props.name}_{route.slug}_{method.lower()}"
            settings = route.method_settings(method)
            integration_settings = settings["integration"]
            api_method, integration = self._method(
                name,
                resource,
                settings,
                integration_http_method=integration_settings["integration_http_method"],
                uri=backend.invoke_arn,
            )
            aws.lambda_permission.LambdaPermission(
                self,
                f"{name}_permission",
                statement_id=f"AllowApiGateway{method.title()}{route.slug.title().replace('_', '')}",
                action="lambda:InvokeFunction",
                function_name=backend.function_name,
                qualifier=backend.qualifier,
                principal="apigateway.amazonaws.com",
                source_arn=f"{self.api.execution_arn}/*/{method}/{route.arn_path}",
            )
            created += [api_method, integration]
        return created + self._preflight(route, resource)

    def _method(self, name: str, resource, settings: dict, **integration: object) -> tuple:
        """A method as `settings` describe it (see `Route.method_settings`) and its integration;
        `integration` holds what only this kind of integration sets."""
        method = aws.api_gateway_method.ApiGatewayMethod(
            self,
            name,
            rest_api_id=self.api.id,
            resource_id=resource.id,
            http_method=settings["http_method"],
            authorization=settings["authorization"],
            request_parameters=settings.get("request_parameters") or None,
            request_validator_id=self._validator.id,
        )
        return method, aws.api_gateway_integration.ApiGatewayIntegration(
            self,
            f"{name}_integration",
            rest_api_id=self.api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type=settings["integration"]["type"],
            **integration,
        )

    def _preflight(self, route: Route, resource) -> list:
        """`OPTIONS` on `route`: no authorization, a MOCK integration, 204 with the CORS headers."""
        name = f"{self._props.name}_{route.slug}_{PREFLIGHT_METHOD.lower()}"
        settings = route.preflight_settings(self._props.cors_allow_origin)
        integration_settings = settings["integration"]
        headers = integration_settings["response_parameters"]
        method, integration = self._method(
            name, resource, settings, request_templates=integration_settings["request_templates"]
        )
        response = aws.api_gateway_method_response.ApiGatewayMethodResponse(
            self,
            f"{name}_response",
            rest_api_id=self.api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=integration_settings["status_code"],
            response_parameters=dict.fromkeys(headers, True),
        )
        integration_response = aws.api_gateway_integration_response.ApiGatewayIntegrationResponse(
            self,
            f"{name}_integration_response",
            rest_api_id=self.api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            status_code=response.status_code,
            response_parameters=headers,
            depends_on=[integration],
        )
        return [method, integration, response, integration_response]

    def _resource_policy(self) -> tuple[object, str]:
        """The policy resource and its document's JSON.

        Anonymous callers may reach only the unauthenticated routes and the CORS preflights
        (`OPTIONS`, which browsers send unsigned); IAM-authenticated callers only as principals of
        this account; and nobody outside `allowed_ip_ranges`, except on the methods of routes open
        to any source IP (`/health`, for Route 53 health checkers and canaries)."""
        props = self._props
        every_route = f"{self.api.execution_arn}/*"
        ip_limited = (
            (every_route,)
            if not any(route.any_source_ip for route in props.routes)
            else tuple(
                f"{self.api.execution_arn}/*/{method}/{route.arn_path}"
                for route in props.routes
                for method in (*(() if route.any_source_ip else route.methods), PREFLIGHT_METHOD)
            )
        )
        open_routes = tuple(
            f"{self.api.execution_arn}/*/{method}/{route.arn_path}"
            for route in props.routes
            if route.authorization == "NONE"
            for method in route.methods
        ) + tuple(f"{self.api.execution_arn}/*/{PREFLIGHT_METHOD}/{route.arn_path}" for route in props.routes)
        statements = [
            Statement(
                "AccountPrincipalsInvoke",
                ("execute-api:Invoke",),
                (every_route,),
                principals=(Principal("AWS", (props.account.root_principal,)),),
            ),
            Statement(
                "DenyOutsideAllowedRanges",
                ("execute-api:Invoke",),
                ip_limited,
                effect="Deny",
                principals=(Principal("*", ("*",)),),
                conditions=(Condition("NotIpAddress", "aws:SourceIp", props.allowed_ip_ranges),),
            ),
        ]
        if open_routes:
            statements.insert(
                1,
                Statement(
                    "AnyoneInvokesOpenRoutes",
                    ("execute-api:Invoke",),
                    open_routes,
                    principals=(Principal("*", ("*",)),),
                ),
            )
        document = policy_document(self, f"{props.name}_policy_document", statements)
        policy = aws.api_gateway_rest_api_policy.ApiGatewayRestApiPolicy(
            self, f"{props.name}_policy", rest_api_id=self.api.id, policy=document.json
        )
        return policy, document.json

    def _gateway_responses(self) -> list:
        headers = cors_response_headers(self._props.cors_allow_origin)
        return [
            aws.api_gateway_gateway_response.ApiGatewayGatewayResponse(
                self,
                f"tap_stack_cors_{family}",
                rest_api_id=self.api.id,
                response_type=f"DEFAULT_{family.upper()}",
                response_parameters=headers,
                response_templates={"application/json": GATEWAY_ERROR_TEMPLATE},
            )
            for family in GATEWAY_RESPONSE_FAMILIES
        ]

    def _stage(self, deployment) -> None:
        props = self._props
        settings = props.stage
        self.access_log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_access_logs",
                log_group_name=f"/aws/apigateway/{props.api_name}/access",
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        # API Gateway would create this group itself, unencrypted and kept forever.
        self.execution_log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_execution_logs",
                log_group_name=f"API-Gateway-Execution-Logs_{self.api.id}/{settings.stage_name}",
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        st = aws.api_gateway_stage
        self.stage = st.ApiGatewayStage(
            self,
            "tap_stack_stage",
            rest_api_id=self.api.id,
            deployment_id=deployment.id,
            stage_name=settings.stage_name,
            xray_tracing_enabled=True,
            cache_cluster_enabled=False,
            access_log_settings=st.ApiGatewayStageAccessLogSettings(
                destination_arn=self.access_log_group.arn, format=ACCESS_LOG_FORMAT
            ),
            depends_on=[self.execution_log_group, *props.stage_dependencies],
        )
        self.invoke_url = self.stage.invoke_url
        self._method_settings("tap_stack_method_settings", "*/*", settings)
        # Unauthenticated GETs (health) have settings of their own: a stage-wide change never makes
        # a cached 200 hide an outage from the canary, and anyone's traffic there has its own limit.
        open_route = replace(
            settings,
            throttle_rate_limit=OPEN_ROUTE_THROTTLE_RATE_LIMIT,
            throttle_burst_limit=OPEN_ROUTE_THROTTLE_BURST_LIMIT,
        )
        for route in props.routes:
            if route.authorization == "NONE" and "GET" in route.methods:
                self._method_settings(f"{props.name}_{route.slug}_method_settings", f"{route.path}/GET", open_route)
        for throttle in props.method_throttles:
            self._method_settings(
                f"{props.name}_{path_slug(throttle.path)}_method_settings",
                f"{throttle.path}/{throttle.method}",
                replace(settings, throttle_rate_limit=throttle.rate_limit, throttle_burst_limit=throttle.burst_limit),
            )

    def _method_settings(self, name: str, method_path: str, settings: StageSettings) -> None:
        ms = aws.api_gateway_method_settings
        ms.ApiGatewayMethodSettings(
            self,
            name,
            rest_api_id=self.api.id,
            stage_name=self.stage.stage_name,
            method_path=method_path,
            settings=ms.ApiGatewayMethodSettingsSettings(
                metrics_enabled=True,
                logging_level="INFO",
                data_trace_enabled=False,
                throttling_burst_limit=settings.throttle_burst_limit,
                throttling_rate_limit=settings.throttle_rate_limit,
                caching_enabled=False,
                cache_data_encrypted=True,
                cache_ttl_in_seconds=0,
                require_authorization_for_cache_control=True,
                unauthorized_cache_control_header_strategy="FAIL_WITH_403",
            ),
        )
