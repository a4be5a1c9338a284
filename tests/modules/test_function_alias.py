"""A CRUD function with provisioned concurrency on its `live` alias and a health function without,
behind a REST API, in a tiny two-region stack (plus, in the primary region, a function with only a
reserved concurrency): the API must invoke the alias (every integration and every permission of
that backend), the alias's capacity is autoscaled, and a function without the new props is
synthesized as before. Checked on the JSON, by `terraform validate` and by checkov."""

import json

import pytest
from cdktf import TerraformOutput, TerraformVariable, Token

from lambda_src.shared.tap_contract import CRUD, HEALTH
from modules.account import AwsAccount
from modules.api_function import ApiFunction, ApiFunctionProps, ProvisionedConcurrency
from modules.rest_api import RestApi, RestApiProps, StageSettings, routes_from_contract
from tapgen.aws import aws
from tapgen.pipeline.archives import BuiltArchive, source_code_hash
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNTS = {
    PRIMARY: AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com"),
    SECONDARY: AwsAccount("123456789012", "us-west-2", "aws", "amazonaws.com"),
}
CONTENT = b"not a real archive: only its name and hash are synthesized"
ROUTES = routes_from_contract()
# (variable, default) the stack declares for the scale option; the test stack declares the same.
VARIABLES = {
    "lambda_reserved_concurrency": -1,
    "provisioned_concurrency": 2,
    "provisioned_concurrency_min": 1,
    "provisioned_concurrency_max": 10,
    "provisioned_concurrency_utilization": 0.7,
}
FUNCTION_CHECKS = (
    "CKV_AWS_115",  # reserved concurrency: set on the CRUD function, not on the health function
    "CKV_AWS_50",  # X-Ray tracing
    "CKV_AWS_173",  # environment encrypted with the CMK
    "CKV_AWS_301",  # no permission lets anyone invoke the function
    "CKV_AWS_364",  # permissions to API Gateway are limited by SourceArn
)


def function_props(name: str, component: str, **scale) -> ApiFunctionProps:
    return ApiFunctionProps(
        name=name,
        function_name=f"tap-dev-{component}",
        role_name=f"tap-dev-{component}-lambda",
        description="stand-in",
        archive=BuiltArchive("function.zip", source_code_hash(CONTENT), CONTENT),
        account=ACCOUNTS[PRIMARY],
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        timeout=10,
        memory_size=256,
        log_retention_days=365,
        **scale,
    )


def api_props(crud: ApiFunction, health: ApiFunction, account: AwsAccount) -> RestApiProps:
    return RestApiProps(
        name="tap_stack_api",
        api_name="tap-dev-api",
        description="stand-in",
        routes=ROUTES,
        backends={CRUD: crud.api_target, HEALTH: health.api_target},
        stage=StageSettings("dev", 100, 50),
        allowed_ip_ranges=["203.0.113.0/24"],
        cors_allow_origin="https://example.com",
        account=account,
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        log_retention_days=365,
        latency_threshold_ms=1000,
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[dict]:
    """The tiny stack, synthesized, with each region's (CRUD, health) functions."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("function_alias"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    var = {
        name: Token.as_number(TerraformVariable(stack, name, type="number", default=default).number_value)
        for name, default in VARIABLES.items()
    }
    provisioned = ProvisionedConcurrency(
        initial=var["provisioned_concurrency"],
        minimum=var["provisioned_concurrency_min"],
        maximum=var["provisioned_concurrency_max"],
        target_utilization=var["provisioned_concurrency_utilization"],
    )
    built, scopes = {}, {}
    for region, provider in ((PRIMARY, None), (SECONDARY, secondary)):
        scope = scopes[region] = RegionScope(stack, region, provider)
        crud = ApiFunction(
            scope,
            function_props(
                "tap_stack_crud",
                "crud",
                reserved_concurrency=var["lambda_reserved_concurrency"],
                provisioned=provisioned,
            ),
        )
        health = ApiFunction(scope, function_props("tap_stack_health", "health"))
        RestApi(scope, api_props(crud, health, ACCOUNTS[region]))
        built[region] = (crud, health)
    # Reserved concurrency without provisioned concurrency, as a literal that checkov can judge.
    ApiFunction(scopes[PRIMARY], function_props("tap_stack_rotation", "rotation", reserved_concurrency=1))
    # How the outputs resolve once the stack hands them on.
    crud, health = built[PRIMARY]
    for name, value in (
        ("crud_invoke_arn", crud.invoke_arn),
        ("crud_target_invoke_arn", crud.api_target.invoke_arn),
        ("crud_target_qualifier", crud.api_target.qualifier),
        ("crud_target_function_name", crud.api_target.function_name),
        ("health_target_invoke_arn", health.api_target.invoke_arn),
    ):
        TerraformOutput(stack, name, value=value)
    return harness.synthesize(stack, built, beside={"function.zip": CONTENT})  # the archive the precondition hashes


def crud_methods() -> set[str]:
    """`tap_stack_api_<route>_<method>` of every method the contract routes to the CRUD function."""
    return {
        f"tap_stack_api_{route.slug}_{method.lower()}"
        for route in ROUTES
        if route.backend == CRUD
        for method in route.methods
    }


def test_the_function_is_published_and_its_live_alias_points_at_the_published_version(resources):
    assert resources["aws_lambda_function"]["tap_stack_crud"]["publish"] is True
    assert resources["aws_lambda_alias"]["tap_stack_crud_live"] == {
        **resources["aws_lambda_alias"]["tap_stack_crud_live"],
        "name": "live",
        "function_name": "${aws_lambda_function.tap_stack_crud.function_name}",
        "function_version": "${aws_lambda_function.tap_stack_crud.version}",
    }


def test_reserved_concurrency_comes_from_props_with_or_without_provisioned_concurrency(resources):
    functions = resources["aws_lambda_function"]
    assert functions["tap_stack_crud"]["reserved_concurrent_executions"] == "${var.lambda_reserved_concurrency}"
    assert functions["tap_stack_rotation"]["reserved_concurrent_executions"] == 1
    assert "publish" not in functions["tap_stack_rotation"]
    assert list(resources["aws_lambda_alias"]) == ["tap_stack_crud_live", "tap_stack_crud_live_secondary"]


def test_the_provisioned_concurrency_is_on_the_alias_and_left_to_autoscaling(resources):
    config = resources["aws_lambda_provisioned_concurrency_config"]["tap_stack_crud_provisioned"]
    assert config["function_name"] == "${aws_lambda_alias.tap_stack_crud_live.function_name}"
    assert config["qualifier"] == "${aws_lambda_alias.tap_stack_crud_live.name}"
    assert config["provisioned_concurrent_executions"] == "${var.provisioned_concurrency}"
    assert config["lifecycle"] == {"ignore_changes": ["provisioned_concurrent_executions"]}


def test_autoscaling_registers_the_alias_after_its_provisioned_concurrency_exists(resources):
    target = resources["aws_appautoscaling_target"]["tap_stack_crud_provisioned_target"]
    assert target == {
        **target,
        "service_namespace": "lambda",
        "resource_id": (
            "function:${aws_lambda_alias.tap_stack_crud_live.function_name}:"
            "${aws_lambda_alias.tap_stack_crud_live.name}"
        ),
        "scalable_dimension": "lambda:function:ProvisionedConcurrency",
        "min_capacity": "${var.provisioned_concurrency_min}",
        "max_capacity": "${var.provisioned_concurrency_max}",
        "depends_on": ["aws_lambda_provisioned_concurrency_config.tap_stack_crud_provisioned"],
    }


def test_autoscaling_tracks_the_provisioned_utilization_target(resources):
    policy = resources["aws_appautoscaling_policy"]["tap_stack_crud_provisioned_policy"]
    target = "aws_appautoscaling_target.tap_stack_crud_provisioned_target"
    assert policy == {
        **policy,
        "name": "tap-dev-crud-provisioned-utilization",
        "policy_type": "TargetTrackingScaling",
        "service_namespace": f"${{{target}.service_namespace}}",
        "resource_id": f"${{{target}.resource_id}}",
        "scalable_dimension": f"${{{target}.scalable_dimension}}",
        "target_tracking_scaling_policy_configuration": {
            "target_value": "${var.provisioned_concurrency_utilization}",
            "predefined_metric_specification": {"predefined_metric_type": "LambdaProvisionedConcurrencyUtilization"},
        },
    }


def test_every_crud_integration_invokes_the_alias(resources):
    integrations = resources["aws_api_gateway_integration"]
    alias_arn = "${aws_lambda_alias.tap_stack_crud_live.invoke_arn}"
    invoking_alias = {
        name.removesuffix("_integration") for name, body in integrations.items() if body.get("uri") == alias_arn
    }
    assert invoking_alias == crud_methods()
    # No resource reaches the unqualified CRUD function through its invoke ARN.
    assert "aws_lambda_function.tap_stack_crud.invoke_arn" not in json.dumps(resources)


def test_every_crud_permission_names_the_alias(resources):
    permissions = resources["aws_lambda_permission"]
    crud = {name: body for name, body in permissions.items() if "tap_stack_crud." in body["function_name"]}
    assert set(crud) == {f"{method}_permission" for method in crud_methods()}
    for body in crud.values():
        assert body["function_name"] == "${aws_lambda_function.tap_stack_crud.function_name}"
        assert body["qualifier"] == "${aws_lambda_alias.tap_stack_crud_live.name}"


def test_a_redeployment_follows_the_alias_not_the_function(resources):
    trigger = resources["aws_api_gateway_deployment"]["tap_stack_api_deployment"]["triggers"]["redeployment"]
    assert "aws_lambda_alias.tap_stack_crud_live.invoke_arn" in trigger


def test_without_the_new_props_the_function_and_its_permissions_are_unchanged(resources):
    health = resources["aws_lambda_function"]["tap_stack_health"]
    assert "publish" not in health
    assert "reserved_concurrent_executions" not in health
    integration = resources["aws_api_gateway_integration"]["tap_stack_api_health_get_integration"]
    assert integration["uri"] == "${aws_lambda_function.tap_stack_health.invoke_arn}"
    permission = resources["aws_lambda_permission"]["tap_stack_api_health_get_permission"]
    assert permission["function_name"] == "${aws_lambda_function.tap_stack_health.function_name}"
    assert "qualifier" not in permission
    for rtype in ("aws_lambda_alias", "aws_lambda_provisioned_concurrency_config", "aws_appautoscaling_target"):
        assert not [name for name in resources[rtype] if "health" in name], rtype


def test_the_outputs_name_what_the_api_invokes(synthesized, document):
    outputs = {name: body["value"] for name, body in document["output"].items()}
    assert outputs == {
        "crud_invoke_arn": "${aws_lambda_function.tap_stack_crud.invoke_arn}",
        "crud_target_invoke_arn": "${aws_lambda_alias.tap_stack_crud_live.invoke_arn}",
        "crud_target_qualifier": "${aws_lambda_alias.tap_stack_crud_live.name}",
        "crud_target_function_name": "${aws_lambda_function.tap_stack_crud.function_name}",
        "health_target_invoke_arn": "${aws_lambda_function.tap_stack_health.invoke_arn}",
    }
    crud, health = synthesized.built[PRIMARY]
    assert crud.alias.terraform_resource_type == "aws_lambda_alias"
    assert (health.alias, health.api_target.qualifier) == (None, None)


def test_the_secondary_alias_and_its_scaling_are_placed_by_the_region_scope(resources):
    for rtype, name in (
        ("aws_lambda_alias", "tap_stack_crud_live"),
        ("aws_lambda_provisioned_concurrency_config", "tap_stack_crud_provisioned"),
        ("aws_appautoscaling_target", "tap_stack_crud_provisioned_target"),
        ("aws_appautoscaling_policy", "tap_stack_crud_provisioned_policy"),
    ):
        assert resources[rtype][f"{name}_secondary"]["provider"] == "aws.secondary", rtype
    integration = resources["aws_api_gateway_integration"]["tap_stack_api_items_get_integration_secondary"]
    assert integration["uri"] == "${aws_lambda_alias.tap_stack_crud_live_secondary.invoke_arn}"
    permission = resources["aws_lambda_permission"]["tap_stack_api_items_get_permission_secondary"]
    assert permission["qualifier"] == "${aws_lambda_alias.tap_stack_crud_live_secondary.name}"


def test_checkov_passes_the_function_checks_and_flags_only_the_unreserved_functions(synthesized):
    failed, passed = harness.checkov(synthesized.directory, FUNCTION_CHECKS)
    # checkov names a resource of a JSON configuration `resource.<name>`.
    assert sorted(failed) == [
        ("CKV_AWS_115", "resource.tap_stack_health"),
        ("CKV_AWS_115", "resource.tap_stack_health_secondary"),
    ]
    assert {check for check, _ in passed} == set(FUNCTION_CHECKS)
    # A literal reservation passes; the CRUD function's depends on a variable whose default (-1)
    # reserves nothing, so checkov judges it neither way.
    assert {resource for check, resource in passed if check == "CKV_AWS_115"} == {"resource.tap_stack_rotation"}
