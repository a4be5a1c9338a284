"""Synth-level tests of the TAP stack: the naming contract and every security property, on the JSON
that `main.py` really writes."""

import json
import re

import pytest

from tapgen.naming import RESOURCE_NAME
from tapgen.rules import findings

# The complete public API of the stack. A change here is a breaking change for existing state,
# tfvars and scripts: it needs a `moved` block and a release note.
ADDRESSES = (
    "aws_api_gateway_account.tap_stack_api_account",
    "aws_api_gateway_deployment.tap_stack_api_deployment",
    "aws_api_gateway_gateway_response.tap_stack_cors_4xx",
    "aws_api_gateway_gateway_response.tap_stack_cors_5xx",
    "aws_api_gateway_integration.tap_stack_api_health_get_integration",
    "aws_api_gateway_integration.tap_stack_api_items_get_integration",
    "aws_api_gateway_integration.tap_stack_api_items_id_delete_integration",
    "aws_api_gateway_integration.tap_stack_api_items_id_get_integration",
    "aws_api_gateway_integration.tap_stack_api_items_id_put_integration",
    "aws_api_gateway_integration.tap_stack_api_items_post_integration",
    "aws_api_gateway_integration.tap_stack_api_metrics_get_integration",
    "aws_api_gateway_method.tap_stack_api_health_get",
    "aws_api_gateway_method.tap_stack_api_items_get",
    "aws_api_gateway_method.tap_stack_api_items_id_delete",
    "aws_api_gateway_method.tap_stack_api_items_id_get",
    "aws_api_gateway_method.tap_stack_api_items_id_put",
    "aws_api_gateway_method.tap_stack_api_items_post",
    "aws_api_gateway_method.tap_stack_api_metrics_get",
    "aws_api_gateway_method_settings.tap_stack_api_health_method_settings",
    "aws_api_gateway_method_settings.tap_stack_method_settings",
    "aws_api_gateway_request_validator.tap_stack_api_request_validator",
    "aws_api_gateway_resource.tap_stack_api_health",
    "aws_api_gateway_resource.tap_stack_api_items",
    "aws_api_gateway_resource.tap_stack_api_items_id",
    "aws_api_gateway_resource.tap_stack_api_metrics",
    "aws_api_gateway_rest_api.tap_stack_api",
    "aws_api_gateway_rest_api_policy.tap_stack_api_policy",
    "aws_api_gateway_stage.tap_stack_stage",
    "aws_appautoscaling_policy.tap_stack_data_read_policy",
    "aws_appautoscaling_policy.tap_stack_data_write_policy",
    "aws_appautoscaling_target.tap_stack_data_read_target",
    "aws_appautoscaling_target.tap_stack_data_write_target",
    "aws_cloudwatch_event_bus.tap_stack_events",
    "aws_cloudwatch_log_group.tap_stack_api_access_logs",
    "aws_cloudwatch_log_group.tap_stack_api_execution_logs",
    "aws_cloudwatch_log_group.tap_stack_health_lambda_logs",
    "aws_cloudwatch_log_group.tap_stack_lambda_logs",
    "aws_cloudwatch_log_subscription_filter.tap_stack_api_access_log_archive",
    "aws_cloudwatch_log_subscription_filter.tap_stack_health_lambda_log_archive",
    "aws_cloudwatch_log_subscription_filter.tap_stack_lambda_log_archive",
    "aws_cloudwatch_metric_alarm.tap_stack_api_4xx_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_api_5xx_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_api_latency_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_data_read_throttles_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_data_write_throttles_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_health_lambda_errors_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_health_lambda_throttles_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_lambda_errors_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_lambda_throttles_alarm",
    "aws_dynamodb_table.tap_stack_data",
    "aws_iam_role.tap_stack_api_account_cloudwatch_role",
    "aws_iam_role.tap_stack_health_lambda_role",
    "aws_iam_role.tap_stack_lambda_role",
    "aws_iam_role.tap_stack_log_archive_firehose_role",
    "aws_iam_role.tap_stack_log_archive_subscription_role",
    "aws_iam_role_policy.tap_stack_api_account_cloudwatch_role_policy",
    "aws_iam_role_policy.tap_stack_health_lambda_role_policy",
    "aws_iam_role_policy.tap_stack_lambda_role_policy",
    "aws_iam_role_policy.tap_stack_log_archive_firehose_role_policy",
    "aws_iam_role_policy.tap_stack_log_archive_subscription_role_policy",
    "aws_kinesis_firehose_delivery_stream.tap_stack_log_archive",
    "aws_kms_alias.tap_stack_kms_alias",
    "aws_kms_key.tap_stack_kms",
    "aws_lambda_function.tap_stack_health_lambda",
    "aws_lambda_function.tap_stack_lambda",
    "aws_lambda_permission.tap_stack_api_health_get_permission",
    "aws_lambda_permission.tap_stack_api_items_get_permission",
    "aws_lambda_permission.tap_stack_api_items_id_delete_permission",
    "aws_lambda_permission.tap_stack_api_items_id_get_permission",
    "aws_lambda_permission.tap_stack_api_items_id_put_permission",
    "aws_lambda_permission.tap_stack_api_items_post_permission",
    "aws_lambda_permission.tap_stack_api_metrics_get_permission",
    "aws_s3_bucket.tap_stack_logs",
    "aws_s3_bucket_lifecycle_configuration.tap_stack_logs_lifecycle",
    "aws_s3_bucket_ownership_controls.tap_stack_logs_ownership",
    "aws_s3_bucket_policy.tap_stack_logs_policy",
    "aws_s3_bucket_public_access_block.tap_stack_logs_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration.tap_stack_logs_encryption",
    "aws_s3_bucket_versioning.tap_stack_logs_versioning",
    "aws_secretsmanager_secret.tap_stack_secret",
    "aws_sns_topic.tap_stack_alerts",
    "aws_sns_topic_policy.tap_stack_alerts_policy",
    "aws_sns_topic_subscription.tap_stack_alerts_email",
    "data.aws_caller_identity.tap_stack_caller",
    "data.aws_iam_policy_document.tap_stack_alerts_policy_document",
    "data.aws_iam_policy_document.tap_stack_api_account_cloudwatch_role_permissions",
    "data.aws_iam_policy_document.tap_stack_api_account_cloudwatch_role_trust",
    "data.aws_iam_policy_document.tap_stack_api_policy_document",
    "data.aws_iam_policy_document.tap_stack_health_lambda_role_permissions",
    "data.aws_iam_policy_document.tap_stack_health_lambda_role_trust",
    "data.aws_iam_policy_document.tap_stack_lambda_role_permissions",
    "data.aws_iam_policy_document.tap_stack_lambda_role_trust",
    "data.aws_iam_policy_document.tap_stack_log_archive_firehose_role_permissions",
    "data.aws_iam_policy_document.tap_stack_log_archive_firehose_role_trust",
    "data.aws_iam_policy_document.tap_stack_log_archive_subscription_role_permissions",
    "data.aws_iam_policy_document.tap_stack_log_archive_subscription_role_trust",
    "data.aws_iam_policy_document.tap_stack_logs_policy_document",
    "data.aws_partition.tap_stack_partition",
)
VARIABLES = (
    "alarm_email",
    "allow_wide_ip_ranges",
    "allowed_ip_ranges",
    "api_cache_enabled",
    "api_cache_size",
    "api_cache_ttl_seconds",
    "api_latency_threshold_ms",
    "api_throttle_burst_limit",
    "api_throttle_rate_limit",
    "aws_region",
    "cors_allow_origin",
    "data_retention_days",
    "dynamodb_deletion_protection",
    "dynamodb_read_capacity_max",
    "dynamodb_read_capacity_min",
    "dynamodb_table_name",
    "dynamodb_target_utilization",
    "dynamodb_write_capacity_max",
    "dynamodb_write_capacity_min",
    "environment",
    "environment_suffix",
    "lambda_log_bucket_name",
    "lambda_memory_size",
    "lambda_timeout",
    "log_archive_retention_days",
    "log_retention_days",
    "manage_api_gateway_account",
    "owner",
    "project_name",
)
OUTPUTS = (
    "alerts_topic_arn",
    "api_url",
    "dynamodb_table_name",
    "event_bus_name",
    "health_lambda_function_name",
    "health_url",
    "kms_alias_name",
    "kms_key_arn",
    "lambda_function_name",
    "log_bucket_name",
    "rest_api_id",
    "secret_arn",
)

# Named by the contract (SPEC §4), asserted independently of the pinned list above.
CONTRACT_ADDRESSES = {
    "aws_lambda_function.tap_stack_lambda",
    "aws_dynamodb_table.tap_stack_data",
    "aws_api_gateway_rest_api.tap_stack_api",
    "aws_appautoscaling_policy.tap_stack_data_read_policy",
    "aws_appautoscaling_policy.tap_stack_data_write_policy",
    "aws_s3_bucket.tap_stack_logs",
    "aws_lambda_function.tap_stack_health_lambda",
    "aws_api_gateway_stage.tap_stack_stage",
    "aws_api_gateway_method_settings.tap_stack_method_settings",
    "aws_api_gateway_gateway_response.tap_stack_cors_4xx",
    "aws_api_gateway_gateway_response.tap_stack_cors_5xx",
    "aws_api_gateway_rest_api_policy.tap_stack_api_policy",
    "aws_secretsmanager_secret.tap_stack_secret",
    "aws_kms_key.tap_stack_kms",
    "aws_cloudwatch_metric_alarm.tap_stack_api_4xx_alarm",
    "aws_cloudwatch_metric_alarm.tap_stack_api_5xx_alarm",
    "aws_cloudwatch_event_bus.tap_stack_events",
    "aws_sns_topic.tap_stack_alerts",
}
CONTRACT_VARIABLES = {
    "aws_region", "dynamodb_table_name", "lambda_log_bucket_name", "project_name", "environment",
    "environment_suffix", "owner", "allowed_ip_ranges", "lambda_timeout", "lambda_memory_size",
    "log_retention_days", "api_throttle_burst_limit", "api_throttle_rate_limit", "api_cache_enabled",
    "alarm_email", "data_retention_days",
}  # fmt: skip
CONTRACT_OUTPUTS = {
    "api_url", "health_url", "lambda_function_name", "dynamodb_table_name", "log_bucket_name",
    "kms_key_arn", "secret_arn", "alerts_topic_arn",
}  # fmt: skip


def addresses(document: dict) -> list[str]:
    found = [f"{t}.{n}" for t, named in document["resource"].items() for n in named]
    found += [f"data.{t}.{n}" for t, named in document["data"].items() for n in named]
    return sorted(found)


def test_addresses_variables_and_outputs_are_exactly_the_pinned_ones(document):
    assert tuple(addresses(document)) == ADDRESSES
    assert tuple(sorted(document["variable"])) == VARIABLES
    assert tuple(sorted(document["output"])) == OUTPUTS


def test_contract_names_are_present(document):
    assert set(addresses(document)) >= CONTRACT_ADDRESSES
    assert set(document["variable"]) >= CONTRACT_VARIABLES
    assert set(document["output"]) >= CONTRACT_OUTPUTS


def test_every_name_follows_the_rule_without_hash_suffixes(document):
    for address in addresses(document):
        assert RESOURCE_NAME.match(address.split(".")[-1]), address
    assert not re.search(r"_[0-9A-F]{8}\b", json.dumps(document))


def test_security_rules_find_nothing(document):
    assert [str(f) for f in findings(document)] == []


def test_primary_provider_is_unaliased_with_region_and_default_tags(document):
    (provider,) = document["provider"]["aws"]
    assert "alias" not in provider
    assert provider["region"] == "${var.aws_region}"
    assert provider["default_tags"] == [
        {
            "tags": {
                "Environment": "${var.environment}",
                "ManagedBy": "terraform",
                "Owner": "${var.owner}",
                "Project": "${var.project_name}",
            }
        }
    ]


def test_required_provider_is_the_offline_aws_release(document):
    assert document["terraform"]["required_providers"] == {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}
    assert document["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}


def test_every_variable_is_typed_described_and_validated_where_it_has_a_format(document):
    for name, variable in document["variable"].items():
        assert variable["type"] and variable["description"], name
        assert variable.get("nullable") is False, name
        if variable["type"] != "bool":  # a bool has no range or format
            assert variable["validation"], name
            for validation in variable["validation"]:
                assert validation["error_message"].startswith(f"{name} = "), name
                assert f"var.{name}" in validation["error_message"], name


def test_lambda_functions(resources):
    crud = resources["aws_lambda_function"]["tap_stack_lambda"]
    health = resources["aws_lambda_function"]["tap_stack_health_lambda"]
    assert crud["filename"] == "function.zip"
    assert health["filename"] == "health.zip"
    for function in (crud, health):
        assert function["runtime"] == "python3.13"
        assert function["timeout"] == "${var.lambda_timeout}"
        assert function["memory_size"] == "${var.lambda_memory_size}"
        assert function["tracing_config"] == {"mode": "Active"}
        assert function["kms_key_arn"] == "${aws_kms_key.tap_stack_kms.arn}"
    assert set(crud["environment"]["variables"]) >= {"TABLE_NAME", "EVENT_BUS_NAME", "DATA_RETENTION_DAYS", "LOG_LEVEL"}
    assert crud["depends_on"] == [
        "aws_iam_role_policy.tap_stack_lambda_role_policy",
        "aws_cloudwatch_log_group.tap_stack_lambda_logs",
    ]


def test_source_code_hash_is_the_hash_of_the_archive_beside_it(synth, resources):
    import base64
    import hashlib

    for function in resources["aws_lambda_function"].values():
        content = (synth.bundle / function["filename"]).read_bytes()
        assert function["source_code_hash"] == base64.b64encode(hashlib.sha256(content).digest()).decode()
        assert (synth.stack_dir / function["filename"]).read_bytes() == content


def test_item_table(resources):
    table = resources["aws_dynamodb_table"]["tap_stack_data"]
    assert table["name"] == "${local.table_name}"
    assert (table["hash_key"], table["range_key"]) == ("tenant_id", "item_id")
    assert table["ttl"] == {"attribute_name": "expires_at", "enabled": True}
    assert table["point_in_time_recovery"] == {"enabled": True}
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": "${aws_kms_key.tap_stack_kms.arn}"}
    assert table["stream_enabled"] is True
    assert table["lifecycle"] == {"ignore_changes": ["read_capacity", "write_capacity"]}
    policies = resources["aws_appautoscaling_policy"]
    assert policies["tap_stack_data_read_policy"]["name"] == "DynamoDBReadAutoScalingPolicy"
    assert policies["tap_stack_data_write_policy"]["name"] == "DynamoDBWriteAutoScalingPolicy"


def test_every_method_but_health_requires_iam_and_uses_lambda_proxy(resources):
    for name, method in resources["aws_api_gateway_method"].items():
        expected = "NONE" if name == "tap_stack_api_health_get" else "AWS_IAM"
        assert method["authorization"] == expected, name
    for integration in resources["aws_api_gateway_integration"].values():
        assert (integration["type"], integration["integration_http_method"]) == ("AWS_PROXY", "POST")


def test_lambda_permissions_are_scoped_to_the_api_route(resources):
    permissions = resources["aws_lambda_permission"]
    assert len(permissions) == 7
    assert permissions["tap_stack_api_items_id_put_permission"]["source_arn"] == (
        "${aws_api_gateway_rest_api.tap_stack_api.execution_arn}/*/PUT/items/*"
    )
    for permission in permissions.values():
        assert permission["principal"] == "apigateway.amazonaws.com"


def test_cached_gets_are_keyed_by_tenant(resources):
    integration = resources["aws_api_gateway_integration"]["tap_stack_api_items_get_integration"]
    assert integration["cache_key_parameters"] == [
        "method.request.header.X-Tenant-Id",
        "method.request.querystring.limit",
        "method.request.querystring.next_token",
    ]
    health = resources["aws_api_gateway_method_settings"]["tap_stack_api_health_method_settings"]
    assert health["method_path"] == "health/GET"
    assert health["settings"]["caching_enabled"] is False


def test_stage_and_method_settings(resources):
    stage = resources["aws_api_gateway_stage"]["tap_stack_stage"]
    assert stage["xray_tracing_enabled"] is True
    assert stage["cache_cluster_enabled"] == "${var.api_cache_enabled}"
    assert json.loads(stage["access_log_settings"]["format"])["requestId"] == "$context.requestId"
    assert "aws_api_gateway_account.tap_stack_api_account" in stage["depends_on"]
    settings = resources["aws_api_gateway_method_settings"]["tap_stack_method_settings"]
    assert settings["method_path"] == "*/*"
    for key, value in {
        "metrics_enabled": True,
        "logging_level": "INFO",
        "cache_data_encrypted": True,
        "throttling_burst_limit": "${var.api_throttle_burst_limit}",
        "throttling_rate_limit": "${var.api_throttle_rate_limit}",
        "caching_enabled": "${var.api_cache_enabled}",
    }.items():
        assert settings["settings"][key] == value, key


def test_deployment_redeploys_when_the_api_changes(resources):
    deployment = resources["aws_api_gateway_deployment"]["tap_stack_api_deployment"]
    trigger = deployment["triggers"]["redeployment"]
    # What defines the API (a synth-time digest plus the plan-time inputs), never whole
    # resource objects, whose refreshed attributes would redeploy on every plan.
    assert trigger.startswith('${sha1(jsonencode({"definition" = "')
    for reference in (
        "aws_lambda_function.tap_stack_lambda.invoke_arn",
        "aws_lambda_function.tap_stack_health_lambda.invoke_arn",
        "var.cors_allow_origin",
        "data.aws_iam_policy_document.tap_stack_api_policy_document.json",
    ):
        assert reference in trigger
    assert "aws_api_gateway_method." not in trigger and "aws_api_gateway_integration." not in trigger
    assert deployment["lifecycle"] == {"create_before_destroy": True}


def test_cors_gateway_responses_carry_the_error_shape(resources):
    for family in ("4xx", "5xx"):
        response = resources["aws_api_gateway_gateway_response"][f"tap_stack_cors_{family}"]
        assert response["response_type"] == f"DEFAULT_{family.upper()}"
        assert response["response_parameters"]["gatewayresponse.header.Access-Control-Allow-Origin"] == (
            "'${var.cors_allow_origin}'"
        )
        assert '"request_id":"$context.requestId"' in response["response_templates"]["application/json"]


def test_resource_policy_allows_only_the_ip_ranges(document):
    statements = document["data"]["aws_iam_policy_document"]["tap_stack_api_policy_document"]["statement"]
    deny = next(s for s in statements if s["effect"] == "Deny")
    assert deny["condition"] == [
        {"test": "NotIpAddress", "variable": "aws:SourceIp", "values": "${var.allowed_ip_ranges}"}
    ]
    open_routes = next(s for s in statements if s["sid"] == "AnyoneInvokesOpenRoutes")
    assert open_routes["resources"] == ["${aws_api_gateway_rest_api.tap_stack_api.execution_arn}/*/GET/health"]


def test_log_bucket_is_hardened(resources):
    assert resources["aws_s3_bucket"]["tap_stack_logs"]["bucket"] == "${var.lambda_log_bucket_name}"
    assert resources["aws_s3_bucket_ownership_controls"]["tap_stack_logs_ownership"]["rule"] == {
        "object_ownership": "BucketOwnerEnforced"
    }
    rule = resources["aws_s3_bucket_lifecycle_configuration"]["tap_stack_logs_lifecycle"]["rule"][0]
    assert rule["expiration"] == [{"days": "${var.log_archive_retention_days}"}]


def test_logs_are_archived_to_the_log_bucket(resources):
    stream = resources["aws_kinesis_firehose_delivery_stream"]["tap_stack_log_archive"]
    assert stream["extended_s3_configuration"]["bucket_arn"] == "${aws_s3_bucket.tap_stack_logs.arn}"
    assert stream["server_side_encryption"]["key_type"] == "CUSTOMER_MANAGED_CMK"
    archived = {f["log_group_name"] for f in resources["aws_cloudwatch_log_subscription_filter"].values()}
    assert archived == {
        "${aws_cloudwatch_log_group.tap_stack_lambda_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_health_lambda_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_api_access_logs.name}",
    }


def test_kms_key_rotates_and_its_policy_names_each_service(resources):
    key = resources["aws_kms_key"]["tap_stack_kms"]
    assert key["enable_key_rotation"] is True
    policy = key["policy"]
    assert "logs.${var.aws_region}.${data.aws_partition.tap_stack_partition.dns_suffix}" in policy
    assert "cloudwatch.amazonaws.com" in policy
    assert resources["aws_kms_alias"]["tap_stack_kms_alias"]["name"] == "alias/${local.name_prefix}"


def test_secret_is_encrypted_and_has_no_version(resources):
    assert (
        resources["aws_secretsmanager_secret"]["tap_stack_secret"]["kms_key_id"] == "${aws_kms_key.tap_stack_kms.arn}"
    )
    assert "aws_secretsmanager_secret_version" not in resources


def test_alarms_notify_the_topic_and_the_api_ones_fire_at_one(resources):
    alarms = resources["aws_cloudwatch_metric_alarm"]
    assert alarms["tap_stack_api_4xx_alarm"]["threshold"] == 1
    assert alarms["tap_stack_api_5xx_alarm"]["threshold"] == 1
    for alarm in alarms.values():
        assert alarm["alarm_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"]
    subscription = resources["aws_sns_topic_subscription"]["tap_stack_alerts_email"]
    assert subscription["count"] == "${signum(length(var.alarm_email))}"
    assert subscription["endpoint"] == "${var.alarm_email}"


@pytest.mark.parametrize("pattern", [r'"/(tmp|root|home|work|Users)/', r"\b20[0-9]{2}-[01][0-9]-[0-3][0-9]T"])
def test_no_absolute_paths_or_timestamps(synth, pattern):
    for path in [*synth.bundle.iterdir(), *synth.cdktf_out.rglob("*.json")]:
        if path.suffix in (".json", ".md"):
            assert not re.search(pattern, path.read_text()), path


def test_table_name_derives_from_the_prefix_unless_set(document):
    assert document["variable"]["dynamodb_table_name"]["default"] == ""
    assert document["locals"]["table_name"] == (
        '${var.dynamodb_table_name != "" ? var.dynamodb_table_name : "${local.name_prefix}-items"}'
    )
    assert document["output"]["dynamodb_table_name"]["value"] == "${aws_dynamodb_table.tap_stack_data.name}"


def test_every_iam_role_name_comes_from_one_local_that_carries_the_region(document, resources):
    assert document["locals"]["iam_role_names"] == (
        '${{for role, name in {for role in ["api-lambda", "health-lambda", "apigw-logs", "log-firehose", '
        '"log-subscription"] : role => "${local.name_prefix}-${var.aws_region}-${role}"} : '
        'role => length(name) <= 64 ? name : "${substr(name, 0, 55)}-${substr(sha1(name), 0, 8)}"}}'
    )
    names = {name: role["name"] for name, role in resources["aws_iam_role"].items()}
    assert names == {
        "tap_stack_lambda_role": '${local.iam_role_names["api-lambda"]}',
        "tap_stack_health_lambda_role": '${local.iam_role_names["health-lambda"]}',
        "tap_stack_api_account_cloudwatch_role": '${local.iam_role_names["apigw-logs"]}',
        "tap_stack_log_archive_firehose_role": '${local.iam_role_names["log-firehose"]}',
        "tap_stack_log_archive_subscription_role": '${local.iam_role_names["log-subscription"]}',
    }
    assert not [r for r in resources["aws_iam_role"].values() if "name_prefix" in r]
    # Inline policy names are scoped to their role, so one fixed name cannot collide.
    assert {p["name"] for p in resources["aws_iam_role_policy"].values()} == {"least-privilege"}


def test_api_gateway_account_is_optional_reset_on_delete_and_keeps_its_address(document, resources):
    count = "${var.manage_api_gateway_account ? 1 : 0}"
    account = resources["aws_api_gateway_account"]["tap_stack_api_account"]
    assert account["count"] == count
    assert account["reset_on_delete"] is True
    assert account["cloudwatch_role_arn"] == "${one(aws_iam_role.tap_stack_api_account_cloudwatch_role[*].arn)}"
    role = "tap_stack_api_account_cloudwatch_role"
    assert resources["aws_iam_role"][role]["count"] == count
    assert resources["aws_iam_role_policy"][f"{role}_policy"]["count"] == count
    assert resources["aws_iam_role_policy"][f"{role}_policy"]["role"] == f"${{aws_iam_role.{role}[count.index].id}}"
    assert document["variable"]["manage_api_gateway_account"]["default"] is True


def test_moved_blocks_carry_state_to_the_counted_addresses(document):
    assert document["moved"] == [
        {
            "from": "aws_iam_role.tap_stack_api_account_cloudwatch_role",
            "to": "aws_iam_role.tap_stack_api_account_cloudwatch_role[0]",
        },
        {
            "from": "aws_iam_role_policy.tap_stack_api_account_cloudwatch_role_policy",
            "to": "aws_iam_role_policy.tap_stack_api_account_cloudwatch_role_policy[0]",
        },
        {
            "from": "aws_api_gateway_account.tap_stack_api_account",
            "to": "aws_api_gateway_account.tap_stack_api_account[0]",
        },
    ]
    counted = {f"{t}.{n}" for t, named in document["resource"].items() for n, r in named.items() if "count" in r}
    # Every counted resource that existed uncounted before has its moved block (the e-mail
    # subscription was counted from the start).
    assert counted - {m["from"] for m in document["moved"]} == {"aws_sns_topic_subscription.tap_stack_alerts_email"}


def test_terraform_version_allows_cross_variable_validations(document):
    assert document["terraform"]["required_version"] == ">= 1.9.0"
