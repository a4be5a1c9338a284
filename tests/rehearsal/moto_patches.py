"""Where moto 5.2.5 differs from AWS in an API this stack uses: one small, named patch each.

Each patch imitates AWS's documented behaviour (cited in its docstring) and nothing more. They
change moto's backends or response classes in this process only, and must be applied before
moto's server starts (`apply_all()`, called by `tests.rehearsal.emulator.Emulator.start`).
The project's own code and output are never patched: if the stack is wrong, a rehearsal fails.

`PATCHES` lists them by name; `tests/rehearsal/test_emulator.py` checks each one against the
running server through boto3, so a moto upgrade that fixes (or changes) an API shows up as a
failing test instead of a silent difference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    name: str
    imitates: str
    apply: Callable[[], None]


def _once(function: Callable[[], None]) -> Callable[[], None]:
    done = False

    def wrapper() -> None:
        nonlocal done
        if not done:
            function()
            done = True

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_once
def application_autoscaling_tags() -> None:
    """Application Auto Scaling: tags on scalable targets.

    AWS (Application Auto Scaling API Reference, RegisterScalableTarget `Tags`, TagResource,
    UntagResource, ListTagsForResource): a scalable target is taggable; `Tags` given to
    RegisterScalableTarget are stored on the target's ARN, and ListTagsForResource returns them
    as a map `{"Tags": {key: value}}`; an ARN that is no scalable target is a
    ResourceNotFoundException. moto 5.2.5 ignores `Tags` and implements none of the three tag
    actions, so the provider retries ListTagsForResource until it times out.
    """
    from moto.applicationautoscaling import models, responses
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.core.exceptions import JsonRESTError

    class ResourceNotFound(JsonRESTError):
        def __init__(self, arn: str) -> None:
            super().__init__("ResourceNotFoundException", f"No scalable target found for resource ARN {arn}")

    backend_class = models.ApplicationAutoscalingBackend
    response_class = responses.ApplicationAutoScalingResponse

    def tags_of(backend) -> dict[str, dict[str, str]]:
        if not hasattr(backend, "_rehearsal_tags"):
            backend._rehearsal_tags = {}
        return backend._rehearsal_tags

    def known_arns(backend) -> set[str]:
        return {target.arn for targets in backend.targets.values() for target in targets.values()}

    def checked(backend, arn: str) -> dict[str, str]:
        if not arn:
            raise AWSValidationException("ResourceARN is required")
        if arn not in known_arns(backend):
            raise ResourceNotFound(arn)
        return tags_of(backend).setdefault(arn, {})

    original_register = response_class.register_scalable_target

    def register_scalable_target(self) -> str:
        body = original_register(self)
        tags = self._get_param("Tags") or {}
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            tags_of(self.applicationautoscaling_backend).setdefault(arn, {}).update(tags)
        return body

    def list_tags_for_resource(self) -> str:
        tags = checked(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        return json.dumps({"Tags": dict(tags)})

    def tag_resource(self) -> str:
        checked(self.applicationautoscaling_backend, self._get_param("ResourceARN")).update(
            self._get_param("Tags") or {}
        )
        return json.dumps({})

    def untag_resource(self) -> str:
        tags = checked(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return json.dumps({})

    original_deregister = backend_class.deregister_scalable_target

    def deregister_scalable_target(self, namespace: str, r_id: str, dimension: str) -> None:
        target = self.targets.get(dimension, {}).get(r_id)
        original_deregister(self, namespace, r_id, dimension)
        if target is not None:
            tags_of(self).pop(target.arn, None)

    response_class.register_scalable_target = register_scalable_target
    response_class.list_tags_for_resource = list_tags_for_resource
    response_class.tag_resource = tag_resource
    response_class.untag_resource = untag_resource
    backend_class.deregister_scalable_target = deregister_scalable_target


@_once
def rest_api_policy_escaped() -> None:
    """API Gateway: a REST API's `policy` comes back as an escaped string.

    AWS (API Gateway REST API Reference, GetRestApi / RestApi `policy`: "A stringified JSON
    policy document"): GetRestApi returns the policy with every `"` and `/` backslash-escaped,
    e.g. `{\\"Version\\":\\"2012-10-17\\",...}`, as the AWS CLI shows; the provider unquotes it
    (`strconv.Unquote` in aws_api_gateway_rest_api(_policy) read). moto returns the document
    as stored, so the provider fails with "invalid character ... after top-level value".
    """
    from moto.apigateway.models import RestAPI

    original = RestAPI.to_dict

    def to_dict(self) -> dict:
        body = original(self)
        policy = body.get(RestAPI.PROP_POLICY)
        if policy:
            body[RestAPI.PROP_POLICY] = json.dumps(policy)[1:-1].replace("/", "\\/")
        return body

    RestAPI.to_dict = to_dict


@_once
def stage_cache_status_not_available() -> None:
    """API Gateway: a stage without a cache cluster reports `cacheClusterStatus: NOT_AVAILABLE`.

    AWS (API Gateway REST API Reference, Stage `cacheClusterStatus`, one of CREATE_IN_PROGRESS,
    AVAILABLE, DELETE_IN_PROGRESS, NOT_AVAILABLE, FLUSH_IN_PROGRESS): CreateStage/GetStage of a
    stage whose cache cluster is disabled return NOT_AVAILABLE; the provider then skips its
    cache waiter. moto omits the field, so the provider waits for AVAILABLE and fails with
    "unexpected state ''".
    """
    from moto.apigateway.models import Stage

    original = Stage.to_json

    def to_json(self) -> dict:
        body = original(self)
        if not self.cache_cluster_enabled and "cacheClusterStatus" not in body:
            body["cacheClusterStatus"] = "NOT_AVAILABLE"
        return body

    Stage.to_json = to_json


@_once
def integration_cache_key_parameters() -> None:
    """API Gateway: PutIntegration stores `cacheKeyParameters`.

    AWS (API Gateway REST API Reference, PutIntegration request body `cacheKeyParameters`: "A
    list of request parameters whose values API Gateway caches"): GetIntegration returns the
    list that PutIntegration was given. moto ignores the field and always returns `[]`, so every
    plan after apply wants to put the tenant header back into the cache key.
    """
    from moto.apigateway.responses import APIGatewayResponse

    original = APIGatewayResponse.put_integration

    def put_integration(self):
        status, headers, body = original(self)
        parameters = self._get_param("cacheKeyParameters")
        if parameters:
            parts = self.path.split("/")
            integration = self.backend.get_integration(parts[2], parts[4], parts[6])
            integration.cache_key_parameters = list(parameters)
            body = json.dumps(integration.to_json())
        return status, headers, body

    APIGatewayResponse.put_integration = put_integration


@_once
def account_role_reset_without_value() -> None:
    """API Gateway: UpdateAccount `replace /cloudwatchRoleArn` without a value clears the role.

    AWS (API Gateway REST API Reference, UpdateAccount and PatchOperation: `value` is optional;
    a `replace` without one resets the property): the provider's `reset_on_delete` destroys
    aws_api_gateway_account by such an operation, leaving the account without a CloudWatch
    role. moto reads `op["value"]` unconditionally and answers 500 (KeyError).
    """
    from moto.apigateway.models import Account

    original = Account.apply_patch_operations

    def apply_patch_operations(self, patch_operations: list[dict]) -> Account:
        rest = []
        for op in patch_operations:
            if op.get("path") == "/cloudwatchRoleArn" and op.get("op") == "replace" and "value" not in op:
                self.cloudwatch_role_arn = None
            else:
                rest.append(op)
        return original(self, rest)

    Account.apply_patch_operations = apply_patch_operations


PATCHES: tuple[Patch, ...] = (
    Patch(
        "application_autoscaling_tags",
        "RegisterScalableTarget stores Tags; ListTagsForResource/TagResource/UntagResource work on targets",
        application_autoscaling_tags,
    ),
    Patch(
        "rest_api_policy_escaped",
        "GetRestApi returns `policy` with quotes and slashes backslash-escaped",
        rest_api_policy_escaped,
    ),
    Patch(
        "stage_cache_status_not_available",
        "a stage without a cache cluster reports cacheClusterStatus NOT_AVAILABLE",
        stage_cache_status_not_available,
    ),
    Patch(
        "integration_cache_key_parameters",
        "PutIntegration stores cacheKeyParameters and GetIntegration returns them",
        integration_cache_key_parameters,
    ),
    Patch(
        "account_role_reset_without_value",
        "UpdateAccount `replace /cloudwatchRoleArn` without a value clears the role (reset_on_delete)",
        account_role_reset_without_value,
    ),
)


# Resource types of the stack that moto cannot create at all, each with the reason. The deploy
# rehearsal requires every other resource type of the bundle to be in state after apply, and these
# ones to be absent: measured with moto 5.2.5 and the default options, every type is created.
NOT_CREATABLE: dict[str, str] = {}


def apply_all() -> tuple[str, ...]:
    """Apply every patch (idempotent); returns their names."""
    for patch in PATCHES:
        patch.apply()
    return tuple(patch.name for patch in PATCHES)
