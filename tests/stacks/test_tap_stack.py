"""Synth-level tests of the TAP stack: the naming contract and every security property, on the JSON
that `main.py` really writes."""

import fnmatch
import json
import re
import zipfile
from pathlib import Path

import pytest

from tapgen.config import SynthConfig
from tapgen.document import addresses
from tapgen.naming import RESOURCE_NAME
from tapgen.provenance import VERSION, source_revision
from tests.project import ROOT, checkout, run_main

# The complete address list of every option combination is pinned in tests/stacks/golden/.

# Named by the contract (tapgen/naming.py), asserted independently of the pinned lists.
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


def test_contract_names_are_present(document):
    assert set(addresses(document)) >= CONTRACT_ADDRESSES
    assert set(document["variable"]) >= CONTRACT_VARIABLES
    assert set(document["output"]) >= CONTRACT_OUTPUTS


def test_every_name_follows_the_rule_without_hash_suffixes(document):
    for address in addresses(document):
        assert RESOURCE_NAME.match(address.split(".")[-1]), address
    assert not re.search(r"_[0-9A-F]{8}\b", json.dumps(document))


def test_a_construct_that_drops_a_hardening_stops_synth_with_one_line_and_writes_nothing(tmp_path):
    # The gate itself: main.py runs every rule on what it synthesized (tapgen/pipeline/cli.py), so a stack
    # that loses a protection is never written. Here one bucket construct stops blocking public ACLs.
    project = checkout(tmp_path / "project")
    bucket = project / "modules" / "secure_bucket.py"
    source = bucket.read_text()
    assert source.count("block_public_acls=True") == 1
    bucket.write_text(source.replace("block_public_acls=True", "block_public_acls=False"))
    out, bundle = tmp_path / "out", tmp_path / "dist" / "tap_stack"
    result = run_main(project, out, bundle)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()
    log = project / ".tap" / "synth-error.log"
    found = re.fullmatch(
        r"error: security rules failed: (\d+) findings, the first: buckets_block_public_access: "
        rf"aws_s3_bucket\.tap_stack_.+ \(all (\d+) listed in {re.escape(str(log))}\)",
        line,
    )
    assert found and found[1] == found[2], line
    listed = log.read_text().splitlines()
    assert len(listed) == int(found[1]) > 1
    assert all(finding.startswith("buckets_block_public_access: aws_s3_bucket.tap_stack_") for finding in listed)
    # Only the synth lock is there, as after any run: no configuration, bundle or archive.
    for root in (out, bundle, bundle.with_name("tap_stack_hcl")):
        assert [path.name for path in root.rglob("*")] == [".tapgen.lock"], root


def test_primary_provider_is_unaliased_with_region_and_default_tags(document):
    (provider,) = document["provider"]["aws"]
    assert "alias" not in provider
    assert provider["region"] == "${var.aws_region}"
    # The user's tags first, so that the contract's four win over a user tag of the same key.
    assert provider["default_tags"] == [
        {
            "tags": '${merge(var.tags, {Environment = var.environment, ManagedBy = "terraform", '
            "Owner = var.owner, Project = var.project_name})}"
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
        if method["http_method"] == "OPTIONS":
            continue  # CORS preflights: test_every_route_answers_the_cors_preflight_without_auth
        expected = "NONE" if name == "tap_stack_api_health_get" else "AWS_IAM"
        assert method["authorization"] == expected, name
    for name, integration in resources["aws_api_gateway_integration"].items():
        if not name.endswith("_options_integration"):
            assert (integration["type"], integration["integration_http_method"]) == ("AWS_PROXY", "POST")


PREFLIGHT_METHODS = {
    "health": "GET,OPTIONS",
    "items": "GET,POST,OPTIONS",
    "items_id": "DELETE,GET,PUT,OPTIONS",
    "metrics": "GET,OPTIONS",
}


def test_every_route_answers_the_cors_preflight_without_auth(resources):
    """Browsers send OPTIONS unsigned: API Gateway answers it itself (MOCK, no backend), 204."""
    preflights = {n for n, m in resources["aws_api_gateway_method"].items() if m["http_method"] == "OPTIONS"}
    assert preflights == {f"tap_stack_api_{route}_options" for route in PREFLIGHT_METHODS}
    for route, methods in PREFLIGHT_METHODS.items():
        name = f"tap_stack_api_{route}_options"
        method = resources["aws_api_gateway_method"][name]
        assert method["authorization"] == "NONE" and "request_parameters" not in method
        assert (
            method["request_validator_id"] == "${aws_api_gateway_request_validator.tap_stack_api_request_validator.id}"
        )
        assert method["resource_id"] == f"${{aws_api_gateway_resource.tap_stack_api_{route}.id}}"
        integration = resources["aws_api_gateway_integration"][f"{name}_integration"]
        assert integration["type"] == "MOCK" and "uri" not in integration
        assert integration["request_templates"] == {"application/json": '{"statusCode": 204}'}
        response = resources["aws_api_gateway_method_response"][f"{name}_response"]
        assert response["status_code"] == "204"
        answer = resources["aws_api_gateway_integration_response"][f"{name}_integration_response"]
        assert answer["status_code"] == f"${{aws_api_gateway_method_response.{name}_response.status_code}}"
        assert answer["response_parameters"] == {
            "method.response.header.Access-Control-Allow-Origin": "'${var.cors_allow_origin}'",
            "method.response.header.Access-Control-Allow-Methods": f"'{methods}'",
            "method.response.header.Access-Control-Allow-Headers": (
                "'Content-Type,Authorization,X-Amz-Date,X-Amz-Security-Token,X-Amz-Content-Sha256,X-Tenant-Id,If-Match'"
            ),
            "method.response.header.Access-Control-Max-Age": "'600'",
        }
        assert set(response["response_parameters"]) == set(answer["response_parameters"])
        assert all(response["response_parameters"].values())
    # A preflight never reaches a function: no Lambda permission names OPTIONS.
    assert not [p for p in resources["aws_lambda_permission"].values() if "/OPTIONS/" in p.get("source_arn", "")]


def test_lambda_permissions_are_scoped_to_the_api_route(resources):
    permissions = {
        name: p
        for name, p in resources["aws_lambda_permission"].items()
        if p["principal"] == "apigateway.amazonaws.com"
    }
    assert len(permissions) == 7
    assert permissions["tap_stack_api_items_id_put_permission"]["source_arn"] == (
        "${aws_api_gateway_rest_api.tap_stack_api.execution_arn}/*/PUT/items/*"
    )
    for permission in permissions.values():
        assert permission["principal"] == "apigateway.amazonaws.com"


def test_no_method_is_cached(resources):
    # tests/lambda_src/test_stage_cache.py shows why, with the handler behind a model of the cache.
    assert all("cache_key_parameters" not in i for i in resources["aws_api_gateway_integration"].values())
    settings = resources["aws_api_gateway_method_settings"]
    assert {s["method_path"]: s["settings"]["caching_enabled"] for s in settings.values()} == {
        "*/*": False,
        "health/GET": False,
        "metrics/GET": False,
    }


def test_stage_and_method_settings(resources):
    stage = resources["aws_api_gateway_stage"]["tap_stack_stage"]
    assert stage["xray_tracing_enabled"] is True
    assert stage["cache_cluster_enabled"] is False
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
        "caching_enabled": False,
        "cache_ttl_in_seconds": 0,
    }.items():
        assert settings["settings"][key] == value, key


def test_counting_has_a_throttle_of_its_own(resources):
    (counting,) = [
        s for s in resources["aws_api_gateway_method_settings"].values() if s["method_path"] == "metrics/GET"
    ]
    assert (counting["settings"]["throttling_rate_limit"], counting["settings"]["throttling_burst_limit"]) == (
        "${var.metrics_throttle_rate_limit}",
        "${var.metrics_throttle_burst_limit}",
    )
    assert counting["settings"]["caching_enabled"] is False


def test_the_open_health_route_has_a_small_throttle_of_its_own(resources):
    # tests/lambda_src/test_failover.py shows why: a flood of /health must be answered 429.
    (health,) = [s for s in resources["aws_api_gateway_method_settings"].values() if s["method_path"] == "health/GET"]
    assert (health["settings"]["throttling_rate_limit"], health["settings"]["throttling_burst_limit"]) == (10, 20)


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
    api = "${aws_api_gateway_rest_api.tap_stack_api.execution_arn}"
    # Anonymous callers: /health and the CORS preflights; the IP deny above still applies to them.
    assert open_routes["resources"] == [
        f"{api}/*/GET/health",
        f"{api}/*/OPTIONS/health",
        f"{api}/*/OPTIONS/items",
        f"{api}/*/OPTIONS/items/*",
        f"{api}/*/OPTIONS/metrics",
    ]
    # /health answers Route 53 health checkers and canaries from anywhere; everything else,
    # preflights included, only the allowed ranges.
    assert deny["resources"] == [
        f"{api}/*/OPTIONS/health",
        f"{api}/*/GET/items",
        f"{api}/*/POST/items",
        f"{api}/*/OPTIONS/items",
        f"{api}/*/GET/items/*",
        f"{api}/*/PUT/items/*",
        f"{api}/*/DELETE/items/*",
        f"{api}/*/OPTIONS/items/*",
        f"{api}/*/GET/metrics",
        f"{api}/*/OPTIONS/metrics",
    ]
    assert deny["principals"] == [{"type": "*", "identifiers": ["*"]}]


def test_log_bucket_is_hardened(resources):
    assert resources["aws_s3_bucket"]["tap_stack_logs"]["bucket"] == "${var.lambda_log_bucket_name}"
    assert resources["aws_s3_bucket_ownership_controls"]["tap_stack_logs_ownership"]["rule"] == {
        "object_ownership": "BucketOwnerEnforced"
    }
    rule = resources["aws_s3_bucket_lifecycle_configuration"]["tap_stack_logs_lifecycle"]["rule"][0]
    assert rule["expiration"] == [{"days": "${var.log_archive_retention_days}"}]
    # Non-current versions are kept as long as current ones.
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": "${var.log_archive_retention_days}"}]


def test_the_log_archive_cannot_be_quietly_erased(document, resources):
    statements = document["data"]["aws_iam_policy_document"]["tap_stack_logs_policy_document"]["statement"]
    (deny,) = [s for s in statements if s["sid"] == "DenyArchiveTampering"]
    assert deny["effect"] == "Deny" and deny["principals"] == [{"type": "*", "identifiers": ["*"]}]
    assert deny["resources"] == ["${aws_s3_bucket.tap_stack_logs.arn}", "${aws_s3_bucket.tap_stack_logs.arn}/*"]
    assert set(deny["actions"]) >= {
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:BypassGovernanceRetention",
        "s3:PutLifecycleConfiguration",
        "s3:PutBucketVersioning",
        "s3:PutBucketObjectLockConfiguration",
        "s3:PutBucketPolicy",
        "s3:DeleteBucketPolicy",
        "s3:DeleteBucket",
    }
    # Exempt: only the named break-glass principal; with none, a value no principal ARN ever has.
    assert deny["condition"] == [
        {
            "test": "StringNotEquals",
            "variable": "aws:PrincipalArn",
            "values": ['${coalesce(var.log_archive_break_glass_principal_arn, "(no break-glass principal)")}'],
        }
    ]
    assert document["variable"]["log_archive_break_glass_principal_arn"]["default"] == ""
    # The policy is applied last: it forbids changing the lifecycle, versioning and object lock.
    assert set(resources["aws_s3_bucket_policy"]["tap_stack_logs_policy"]["depends_on"]) >= {
        "aws_s3_bucket_versioning.tap_stack_logs_versioning",
        "aws_s3_bucket_lifecycle_configuration.tap_stack_logs_lifecycle",
        "aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock",
    }


def test_object_lock_is_available_in_either_mode_and_off_by_default(document, resources):
    lock = resources["aws_s3_bucket_object_lock_configuration"]["tap_stack_logs_object_lock"]
    assert lock["count"] == "${var.log_archive_object_lock ? 1 : 0}"
    assert lock["bucket"] == "${aws_s3_bucket.tap_stack_logs.id}" and lock["object_lock_enabled"] == "Enabled"
    assert lock["rule"] == {
        "default_retention": {
            "mode": "${var.log_archive_object_lock_mode}",
            "days": "${var.log_archive_retention_days}",
        }
    }
    assert document["variable"]["log_archive_object_lock"]["default"] is False
    mode = document["variable"]["log_archive_object_lock_mode"]
    assert mode["default"] == "GOVERNANCE"
    assert (
        mode["validation"][0]["condition"]
        == '${contains(["GOVERNANCE", "COMPLIANCE"], var.log_archive_object_lock_mode)}'
    )
    # The bucket itself is never replaced for it: Object Lock is enabled by the configuration.
    assert "object_lock_enabled" not in resources["aws_s3_bucket"]["tap_stack_logs"]


def test_firehose_logs_delivery_errors_and_alarms_on_failed_deliveries(document, resources):
    options = resources["aws_kinesis_firehose_delivery_stream"]["tap_stack_log_archive"]["extended_s3_configuration"][
        "cloudwatch_logging_options"
    ]
    assert options == {
        "enabled": True,
        "log_group_name": "${aws_cloudwatch_log_group.tap_stack_log_archive_errors.name}",
        "log_stream_name": "${aws_cloudwatch_log_stream.tap_stack_log_archive_errors_delivery.name}",
    }
    errors = resources["aws_cloudwatch_log_group"]["tap_stack_log_archive_errors"]
    assert errors["name"] == "/aws/kinesisfirehose/${local.name_prefix}-log-archive"
    assert errors["kms_key_id"] == "${aws_kms_key.tap_stack_kms.arn}"
    assert errors["retention_in_days"] == "${var.log_retention_days}"
    firehose = document["data"]["aws_iam_policy_document"]["tap_stack_log_archive_firehose_role_permissions"]
    (write_errors,) = [s for s in firehose["statement"] if s["sid"] == "LogDeliveryErrors"]
    assert write_errors["actions"] == ["logs:PutLogEvents"]
    assert write_errors["resources"] == [
        "${aws_cloudwatch_log_group.tap_stack_log_archive_errors.arn}:log-stream:DestinationDelivery"
    ]
    alarms = resources["aws_cloudwatch_metric_alarm"]
    stream = {"DeliveryStreamName": "${aws_kinesis_firehose_delivery_stream.tap_stack_log_archive.name}"}
    delivery, freshness = (
        alarms["tap_stack_log_archive_delivery_alarm"],
        alarms["tap_stack_log_archive_freshness_alarm"],
    )
    assert (delivery["namespace"], delivery["metric_name"], delivery["dimensions"]) == (
        "AWS/Firehose",
        "DeliveryToS3.Success",
        stream,
    )
    assert (delivery["statistic"], delivery["comparison_operator"], delivery["threshold"]) == (
        "Minimum",
        "LessThanThreshold",
        1,
    )
    assert (freshness["metric_name"], freshness["statistic"], freshness["threshold"]) == (
        "DeliveryToS3.DataFreshness",
        "Maximum",
        900,
    )
    for alarm in (delivery, freshness):
        assert alarm["alarm_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"]


def test_the_subscription_role_trusts_logs_only_for_the_archived_log_groups(document, resources):
    trust = document["data"]["aws_iam_policy_document"]["tap_stack_log_archive_subscription_role_trust"]
    (statement,) = trust["statement"]
    (condition,) = statement["condition"]
    archived = sorted(
        f["log_group_name"].removesuffix(".name}") for f in resources["aws_cloudwatch_log_subscription_filter"].values()
    )
    assert (condition["test"], condition["variable"]) == ("ArnLike", "aws:SourceArn")
    assert sorted(condition["values"]) == sorted(
        arn for group in archived for arn in (f"{group}.arn}}", f"{group}.arn}}:*")
    )


def test_describe_log_groups_is_granted_on_star_alone_with_its_listed_reason(document):
    from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS

    assert "logs:DescribeLogGroups" in WILDCARD_RESOURCE_ACTIONS
    documents = document["data"]["aws_iam_policy_document"]
    for name, policy in documents.items():
        for statement in policy["statement"]:
            if "logs:DescribeLogGroups" in statement.get("actions", []):
                assert statement["actions"] == ["logs:DescribeLogGroups"] and statement["resources"] == ["*"], name
    statements = documents["tap_stack_api_account_cloudwatch_role_permissions"]["statement"]
    assert {"sid": "FindLogGroups", "effect": "Allow", "actions": ["logs:DescribeLogGroups"], "resources": ["*"]} in [
        {k: s[k] for k in ("sid", "effect", "actions", "resources")} for s in statements
    ]


def test_logs_are_archived_to_the_log_bucket(resources):
    stream = resources["aws_kinesis_firehose_delivery_stream"]["tap_stack_log_archive"]
    assert stream["extended_s3_configuration"]["bucket_arn"] == "${aws_s3_bucket.tap_stack_logs.arn}"
    assert stream["server_side_encryption"]["key_type"] == "CUSTOMER_MANAGED_CMK"
    archived = {f["log_group_name"] for f in resources["aws_cloudwatch_log_subscription_filter"].values()}
    assert archived == {
        "${aws_cloudwatch_log_group.tap_stack_lambda_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_health_lambda_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_rotation_lambda_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_api_access_logs.name}",
        "${aws_cloudwatch_log_group.tap_stack_waf_logs.name}",
    }


def test_kms_key_rotates_and_its_policy_names_each_service(resources):
    key = resources["aws_kms_key"]["tap_stack_kms"]
    assert key["enable_key_rotation"] is True
    policy = key["policy"]
    assert "logs.${var.aws_region}.${data.aws_partition.tap_stack_partition.dns_suffix}" in policy
    assert "cloudwatch.amazonaws.com" in policy
    assert resources["aws_kms_alias"]["tap_stack_kms_alias"]["name"] == "alias/${local.name_prefix}"


P = "${data.aws_partition.tap_stack_partition.partition}"
R = "${var.aws_region}"
A = "${data.aws_caller_identity.tap_stack_caller.account_id}"
HOST = "${var.aws_region}.${data.aws_partition.tap_stack_partition.dns_suffix}"


def key_statements(resources) -> dict[str, dict]:
    policy = json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    return {s["Sid"]: s for s in policy["Statement"]}


def test_key_administration_through_iam_includes_no_use_of_the_key(resources):
    admin = key_statements(resources)["KeyAdministrationThroughIam"]
    assert admin["Principal"] == {"AWS": [f"arn:{P}:iam::{A}:root"]}
    assert "Condition" not in admin
    for action in admin["Action"]:
        for use in ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:GenerateDataKey", "kms:CreateGrant"):
            assert not fnmatch.fnmatchcase(use, action), (action, use)


def test_every_key_grant_names_its_service_and_the_stack_resources(resources):
    statements = key_statements(resources)
    account_principals = {"AWS": [f"arn:{P}:iam::{A}:root"]}

    def through(sid, service):
        statement = statements[sid]
        assert statement["Principal"] == account_principals, sid
        assert statement["Condition"]["StringEquals"]["kms:ViaService"] == [f"{service}.{HOST}"], sid
        assert statement["Condition"]["StringEquals"]["kms:CallerAccount"] == [A], sid
        return statement["Condition"]

    logs = statements["CloudWatchLogsEncryptsStackLogGroups"]
    assert logs["Principal"] == {"Service": [f"logs.{HOST}"]}
    groups = logs["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    assert sorted(groups) == sorted(
        f"arn:{P}:logs:{R}:{A}:log-group:{group['name']}" for group in resources["aws_cloudwatch_log_group"].values()
    )
    assert not [g for g in groups if g.endswith("*")]
    functions = through("LambdaEncryptsStackFunctionEnvironments", "lambda")["ArnLike"][
        "kms:EncryptionContext:aws:lambda:FunctionArn"
    ]
    names = [f"arn:{P}:lambda:{R}:{A}:function:{f['function_name']}" for f in resources["aws_lambda_function"].values()]
    assert sorted(functions) == sorted([*names, *(f"{arn}:*" for arn in names)])
    tables = through("DynamoDbEncryptsStackTables", "dynamodb")["StringEquals"]
    assert sorted(tables["kms:EncryptionContext:aws:dynamodb:tableName"]) == sorted(
        t["name"] for t in resources["aws_dynamodb_table"].values()
    )
    assert through("S3EncryptsStackBuckets", "s3")["ArnLike"]["kms:EncryptionContext:aws:s3:arn"] == [
        f"arn:{P}:s3:::${{local.bucket_names.athena}}",
        f"arn:{P}:s3:::${{local.bucket_names.athena}}/*",
        f"arn:{P}:s3:::${{local.bucket_names.canary}}",
        f"arn:{P}:s3:::${{local.bucket_names.canary}}/*",
        f"arn:{P}:s3:::${{var.lambda_log_bucket_name}}",
        f"arn:{P}:s3:::${{var.lambda_log_bucket_name}}/*",
    ]
    secrets = through("SecretsManagerEncryptsStackSecrets", "secretsmanager")["StringLike"]
    assert secrets["kms:EncryptionContext:SecretARN"] == [
        f"arn:{P}:secretsmanager:{R}:{A}:secret:{resources['aws_secretsmanager_secret']['tap_stack_secret']['name']}-??????"
    ]
    bus = [f"arn:{P}:events:{R}:{A}:event-bus/${{local.name_prefix}}-items"]
    assert through("EventBridgeEncryptsStackBusesForTheDeployer", "events")["ArnEquals"] == {
        "kms:EncryptionContext:aws:events:event-bus:arn": bus
    }
    events = statements["EventBridgeEncryptsStackBuses"]
    assert events["Principal"] == {"Service": ["events.amazonaws.com"]}
    assert events["Condition"] == {
        "ArnEquals": {"aws:SourceArn": bus, "kms:EncryptionContext:aws:events:event-bus:arn": bus}
    }
    assert statements["EventBridgeValidatesTheKey"]["Action"] == ["kms:DescribeKey"]
    grants = statements["ServicesCreateGrantsForStackResources"]
    assert grants["Action"] == ["kms:CreateGrant"]
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": ["true"]}
    assert grants["Condition"]["StringEquals"]["kms:ViaService"] == [
        f"{s}.{HOST}" for s in ("dynamodb", "firehose", "lambda")
    ]


def test_function_roles_decrypt_their_environment_only_through_lambda(document, resources):
    for name, function in resources["aws_lambda_function"].items():
        statements = document["data"]["aws_iam_policy_document"][f"{name}_role_permissions"]["statement"]
        (decrypt,) = [s for s in statements if s["sid"] == "DecryptEnvironment"]
        arn = f"arn:{P}:lambda:{R}:{A}:function:{function['function_name']}"
        assert decrypt["condition"] == [
            {"test": "StringEquals", "variable": "kms:ViaService", "values": [f"lambda.{HOST}"]},
            {
                "test": "ArnLike",
                "variable": "kms:EncryptionContext:aws:lambda:FunctionArn",
                "values": [arn, f"{arn}:*"],
            },
        ], name


def test_the_event_bus_is_encrypted_with_the_stack_key(resources):
    bus = resources["aws_cloudwatch_event_bus"]["tap_stack_events"]
    assert bus["kms_key_identifier"] == "${aws_kms_key.tap_stack_kms.arn}"


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


def test_archives_carry_no_path_of_the_machine_that_built_them(synth):
    """Beyond the byte-identical outputs of two checkouts: no archive member holds the checkout's
    path, the synth's output path or the build caches' (vendored sources may mention paths of their
    own, such as redis-py's comment on a "/tmp/redis sock/redis.sock" socket: those are the same
    bytes everywhere)."""
    needles = [str(p).encode() for p in (ROOT, synth.bundle.parents[1], Path.home() / ".cache")]
    for archive in sorted([*synth.bundle.glob("*.zip"), *synth.stack_dir.glob("*.zip")]):
        with zipfile.ZipFile(archive) as bundled:
            for member in bundled.namelist():
                content = bundled.read(member)
                assert not [n for n in needles if n in content], f"{archive}: {member}"


def test_table_name_derives_from_the_prefix_unless_set(document):
    assert document["variable"]["dynamodb_table_name"]["default"] == ""
    assert document["locals"]["table_name"] == (
        '${var.dynamodb_table_name != "" ? var.dynamodb_table_name : "${local.name_prefix}-items"}'
    )
    assert document["output"]["dynamodb_table_name"]["value"] == "${aws_dynamodb_table.tap_stack_data.name}"


def test_every_iam_role_name_comes_from_one_local_that_carries_the_region(document, resources):
    assert document["locals"]["iam_role_names"] == (
        '${{for role, name in {for role in ["api-lambda", "health-lambda", "rotation-lambda", "apigw-logs", '
        '"log-firehose", "log-subscription", "log-replication", "canary"] : role => '
        '"${local.name_prefix}-${var.aws_region}-${role}"} : '
        'role => length(name) <= 64 ? name : "${substr(name, 0, 55)}-${substr(sha1(name), 0, 8)}"}}'
    )
    names = {name: role["name"] for name, role in resources["aws_iam_role"].items()}
    assert names == {
        "tap_stack_lambda_role": '${local.iam_role_names["api-lambda"]}',
        "tap_stack_health_lambda_role": '${local.iam_role_names["health-lambda"]}',
        "tap_stack_rotation_lambda_role": '${local.iam_role_names["rotation-lambda"]}',
        "tap_stack_api_account_cloudwatch_role": '${local.iam_role_names["apigw-logs"]}',
        "tap_stack_log_archive_firehose_role": '${local.iam_role_names["log-firehose"]}',
        "tap_stack_log_archive_subscription_role": '${local.iam_role_names["log-subscription"]}',
        "tap_stack_canary_role": '${local.iam_role_names["canary"]}',
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
    # subscription and the log archive's object lock were counted from the start).
    assert counted - {m["from"] for m in document["moved"]} == {
        "aws_sns_topic_subscription.tap_stack_alerts_email",
        "aws_s3_bucket_object_lock_configuration.tap_stack_logs_object_lock",
    }


def test_terraform_version_allows_cross_variable_validations(document):
    assert document["terraform"]["required_version"] == ">= 1.9.0"


def statements_of(document: dict, role_document: str) -> dict[str, dict]:
    policy = document["data"]["aws_iam_policy_document"][role_document]
    return {statement["sid"]: statement for statement in policy["statement"]}


def test_tenant_grants_are_a_table_filled_from_the_variable(document, resources):
    table = resources["aws_dynamodb_table"]["tap_stack_grants"]
    assert (table["hash_key"], table["billing_mode"]) == ("principal", "PAY_PER_REQUEST")
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": "${aws_kms_key.tap_stack_kms.arn}"}
    assert table["point_in_time_recovery"] == {"enabled": True}
    item = resources["aws_dynamodb_table_item"]["tap_stack_grants_item"]
    assert item["for_each"] == "${var.tenant_grants}"
    assert item["item"] == '${jsonencode({"principal" = {"S" = each.key}, "tenants" = {"SS" = each.value}})}'
    assert document["variable"]["tenant_grants"]["default"] == {}  # no grant, no access


def test_every_call_that_could_end_the_keys_protection_raises_an_alarm_in_every_stack(resources):
    # Without the stack's trail too (compliance=off): EventBridge receives CloudTrail's management
    # events, and the rule names the key by ID and ARN (the only forms these calls accept).
    rule = resources["aws_cloudwatch_event_rule"]["tap_stack_kms_administration"]
    assert "event_bus_name" not in rule  # the default bus, where AWS services' events arrive
    pattern = rule["event_pattern"]
    for part in (
        '"source" = ["aws.kms"]',
        '"detail-type" = ["AWS API Call via CloudTrail"]',
        '"eventName" = ["PutKeyPolicy", "DisableKey", "ScheduleKeyDeletion"]',
        '"keyId" = [aws_kms_key.tap_stack_kms.key_id, aws_kms_key.tap_stack_kms.arn]',
    ):
        assert part in pattern, part
    alarm = resources["aws_cloudwatch_metric_alarm"]["tap_stack_kms_administration_alarm"]
    assert (alarm["namespace"], alarm["metric_name"], alarm["threshold"]) == ("AWS/Events", "MatchedEvents", 1)
    assert alarm["dimensions"] == {"RuleName": "${aws_cloudwatch_event_rule.tap_stack_kms_administration.name}"}
    assert alarm["alarm_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"]


def test_the_grants_table_is_protected_like_the_item_table_and_every_write_alarms(resources):
    # It is the API's authorization database: losing or rewriting it changes who sees what.
    table = resources["aws_dynamodb_table"]["tap_stack_grants"]
    assert (
        table["deletion_protection_enabled"]
        == resources["aws_dynamodb_table"]["tap_stack_data"]["deletion_protection_enabled"]
    )
    alarm = resources["aws_cloudwatch_metric_alarm"]["tap_stack_grants_writes_alarm"]
    assert (alarm["namespace"], alarm["metric_name"], alarm["threshold"]) == (
        "AWS/DynamoDB",
        "ConsumedWriteCapacityUnits",
        1,
    )
    assert alarm["dimensions"] == {"TableName": "${aws_dynamodb_table.tap_stack_grants.name}"}
    assert alarm["alarm_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"]


def test_the_api_function_reads_grants_and_only_settled_versions_of_the_secret(document, resources):
    variables = resources["aws_lambda_function"]["tap_stack_lambda"]["environment"]["variables"]
    assert variables["GRANTS_TABLE_NAME"] == "${aws_dynamodb_table.tap_stack_grants.name}"
    assert variables["APP_SECRET_ARN"] == "${aws_secretsmanager_secret.tap_stack_secret.arn}"
    statements = statements_of(document, "tap_stack_lambda_role_permissions")
    assert statements["ReadTenantGrants"]["actions"] == ["dynamodb:GetItem"]
    assert statements["ReadTenantGrants"]["resources"] == ["${aws_dynamodb_table.tap_stack_grants.arn}"]
    secret = statements["ReadAppSecret"]
    assert (secret["actions"], secret["resources"]) == (
        ["secretsmanager:GetSecretValue"],
        ["${aws_secretsmanager_secret.tap_stack_secret.arn}"],
    )
    assert secret["condition"] == [
        {"test": "StringEquals", "values": ["AWSCURRENT", "AWSPREVIOUS"], "variable": "secretsmanager:VersionStage"}
    ]
    key = statements["UseSecretKey"]
    assert key["actions"] == ["kms:Decrypt"]
    assert {c["variable"]: c["values"] for c in key["condition"]} == {
        "kms:ViaService": ["secretsmanager.${var.aws_region}.${data.aws_partition.tap_stack_partition.dns_suffix}"],
        "kms:EncryptionContext:SecretARN": ["${aws_secretsmanager_secret.tap_stack_secret.arn}"],
    }


def test_the_secret_is_rotated_by_its_function_after_the_invoke_permission(document, resources):
    rotation = resources["aws_secretsmanager_secret_rotation"]["tap_stack_secret_rotation"]
    assert rotation["secret_id"] == "${aws_secretsmanager_secret.tap_stack_secret.arn}"
    assert rotation["rotation_lambda_arn"] == "${aws_lambda_function.tap_stack_rotation_lambda.arn}"
    assert rotation["rotation_rules"] == {"automatically_after_days": "${var.secret_rotation_days}"}
    assert rotation["depends_on"] == ["aws_lambda_permission.tap_stack_secret_rotation_permission"]
    permission = resources["aws_lambda_permission"]["tap_stack_secret_rotation_permission"]
    assert (permission["principal"], permission["source_arn"]) == (
        "secretsmanager.amazonaws.com",
        "${aws_secretsmanager_secret.tap_stack_secret.arn}",
    )
    function = resources["aws_lambda_function"]["tap_stack_rotation_lambda"]
    assert function["filename"] == "rotation.zip"
    statements = statements_of(document, "tap_stack_rotation_lambda_role_permissions")
    assert statements["RotateAppSecret"]["resources"] == ["${aws_secretsmanager_secret.tap_stack_secret.arn}"]
    assert "secretsmanager:GetRandomPassword" not in statements["RotateAppSecret"]["actions"]
    assert statements["UseSecretKey"]["actions"] == ["kms:Decrypt", "kms:GenerateDataKey"]


def test_grant_validation_uses_the_functions_tenant_pattern():
    import sys

    from stacks.variables import TENANT_ID_PATTERN

    sys.path.insert(0, str(ROOT / "lambda_src" / "shared"))
    try:
        from tap_http import TENANT
    finally:
        sys.path.remove(str(ROOT / "lambda_src" / "shared"))
    assert f"^{TENANT.pattern}$" == TENANT_ID_PATTERN


def test_every_region_alarms_before_the_crud_function_runs_out_of_concurrency(synth_of):
    """The threshold is evaluated by Terraform in tests/terraform/tftest/stack.tftest.hcl."""
    document = synth_of(regions="3", waf="on").document
    alarms = document["resource"]["aws_cloudwatch_metric_alarm"]
    for suffix in ("", "_secondary", "_tertiary"):
        alarm = alarms[f"tap_stack_lambda_concurrency_alarm{suffix}"]
        assert (alarm["namespace"], alarm["metric_name"], alarm["statistic"]) == (
            "AWS/Lambda",
            "ConcurrentExecutions",
            "Maximum",
        )
        function = f"${{aws_lambda_function.tap_stack_lambda{suffix}.function_name}}"
        assert alarm["dimensions"] == {"FunctionName": function}
        assert alarm["alarm_actions"] == [f"${{aws_sns_topic.tap_stack_alerts{suffix}.arn}}"]
    assert "tap_stack_health_lambda_concurrency_alarm" not in alarms


def test_the_configuration_says_what_wrote_it(document):
    """The output `generator` (tapgen/provenance.py): the manifest and the bundle READMEs say the same."""
    assert document["output"]["generator"]["value"] == {
        "version": VERSION,
        "revision": source_revision(ROOT),
        "options": SynthConfig().options,
    }
