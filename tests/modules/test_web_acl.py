"""The web firewall, synthesized in a tiny two-region stack (each region: key, REST API stage and
firewall); checked on the JSON, by `terraform validate` and by checkov."""

import json

import pytest
from cdktf import App, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token
from constructs import Construct

from modules.account import AwsAccount
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.web_acl import WebFirewall, WebFirewallProps
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNTS = {
    PRIMARY: AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com"),
    SECONDARY: AwsAccount("123456789012", "us-west-2", "aws", "amazonaws.com"),
}
PREFIX = "${local.name_prefix}"  # the stack's local: `<project>-<environment>[-<suffix>]`
WAF_TYPES = (
    "aws_wafv2_web_acl",
    "aws_wafv2_web_acl_association",
    "aws_wafv2_web_acl_logging_configuration",
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_resource_policy",
)
# What the construct must satisfy in checkov (the stand-in API around it is not under test).
WAF_CHECKS = (
    "CKV2_AWS_29",  # the API Gateway stage has a web ACL
    "CKV2_AWS_77",  # ... with the Log4j and anonymous-IP managed rule groups
    "CKV_AWS_192",  # Log4j lookups blocked (known bad inputs, not overridden)
    "CKV2_AWS_31",  # web ACL logging configured
    "CKV_AWS_175",  # the web ACL has rules
    "CKV_AWS_342",  # every rule has an action
    "CKV_AWS_158",  # the log group is KMS-encrypted
    "CKV_AWS_338",  # ... and keeps logs for a year
    "CKV_AWS_66",  # ... with a retention
)


def regional_api(scope: Construct):
    """A stand-in for the stack's REST API: just enough to deploy a stage."""
    api = aws.api_gateway_rest_api.ApiGatewayRestApi(
        scope,
        "tap_stack_api",
        name="tap-dev-api",
        endpoint_configuration=aws.api_gateway_rest_api.ApiGatewayRestApiEndpointConfiguration(types=["REGIONAL"]),
    )
    method = aws.api_gateway_method.ApiGatewayMethod(
        scope,
        "tap_stack_method",
        rest_api_id=api.id,
        resource_id=api.root_resource_id,
        http_method="GET",
        authorization="AWS_IAM",
    )
    integration = aws.api_gateway_integration.ApiGatewayIntegration(
        scope,
        "tap_stack_integration",
        rest_api_id=api.id,
        resource_id=api.root_resource_id,
        http_method=method.http_method,
        type="MOCK",
    )
    deployment = aws.api_gateway_deployment.ApiGatewayDeployment(
        scope, "tap_stack_deployment", rest_api_id=api.id, depends_on=[integration]
    )
    return aws.api_gateway_stage.ApiGatewayStage(
        scope, "tap_stack_stage", rest_api_id=api.id, deployment_id=deployment.id, stage_name="dev"
    )


# The API rules judge the stand-in API (no methods, no CORS preflights), which is not under test here.
RULES_NOT_UNDER_TEST = ("api_",)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[dict]:
    """The tiny stack, synthesized, with the firewall of each region."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("web_acl"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    rate_limit = TerraformVariable(stack, "waf_rate_limit", type="number", default=2000)
    tenant_limit = TerraformVariable(stack, "waf_tenant_rate_limit", type="number", default=10000)
    prefix = TerraformLocal(stack, "name_prefix", "tap-dev").as_string
    firewalls = {}
    for region, provider in ((PRIMARY, None), (SECONDARY, secondary)):
        scope = RegionScope(stack, region, provider)
        account = ACCOUNTS[region]
        key = EncryptionKey(
            scope,
            EncryptionKeyProps(
                name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=account
            ),
        )
        firewalls[region] = WebFirewall(
            scope,
            WebFirewallProps(
                name="tap_stack_waf",
                name_prefix=prefix,
                stage_arn=regional_api(scope).arn,
                rate_limit=Token.as_number(rate_limit.number_value),
                log_group_name=f"aws-waf-logs-{prefix}",
                kms_key_arn=key.arn,
                log_retention_days=365,
                account=account,
                tenant_rate_limit=Token.as_number(tenant_limit.number_value),
            ),
        )
    # How the outputs resolve once the stack hands them on.
    TerraformOutput(stack, "waf_arn", value=firewalls[PRIMARY].arn)
    TerraformOutput(stack, "waf_log_group_arn", value=firewalls[PRIMARY].log_group.arn)
    return harness.synthesize(stack, firewalls)


@pytest.fixture(scope="module")
def acl(resources):
    return resources["aws_wafv2_web_acl"]["tap_stack_waf"]


def test_the_web_acl_is_regional_allows_by_default_and_records_metrics(acl):
    assert acl["name"] == f"{PREFIX}-api"
    assert acl["scope"] == "REGIONAL"
    assert acl["default_action"] == {"allow": {}}
    assert acl["visibility_config"] == {
        "cloudwatch_metrics_enabled": True,
        "metric_name": f"{PREFIX}-api",
        "sampled_requests_enabled": True,
    }
    for rule in acl["rule"]:
        assert rule["visibility_config"] == {
            "cloudwatch_metrics_enabled": True,
            "metric_name": f"{PREFIX}-api-{rule['name'].removeprefix('aws-')}",
            "sampled_requests_enabled": True,
        }


def test_rules_run_in_a_fixed_order(acl):
    order = [
        (rule["priority"], rule["name"], rule["statement"].get("managed_rule_group_statement", {}).get("name"))
        for rule in acl["rule"]
    ]
    assert order == [
        (10, "aws-ip-reputation", "AWSManagedRulesAmazonIpReputationList"),
        (20, "aws-anonymous-ip", "AWSManagedRulesAnonymousIpList"),
        (30, "rate-limit-per-ip", None),
        (35, "rate-limit-per-tenant", None),
        (40, "aws-known-bad-inputs", "AWSManagedRulesKnownBadInputsRuleSet"),
        (50, "aws-common", "AWSManagedRulesCommonRuleSet"),
    ]


def test_managed_groups_keep_their_actions_except_the_counted_rules(acl):
    managed = {rule["name"]: rule for rule in acl["rule"] if "managed_rule_group_statement" in rule["statement"]}
    for rule in managed.values():
        assert rule["override_action"] == {"none": {}}
        assert "action" not in rule
        assert rule["statement"]["managed_rule_group_statement"]["vendor_name"] == "AWS"
    counted = {
        name: [
            (o["name"], o["action_to_use"])
            for o in rule["statement"]["managed_rule_group_statement"].get("rule_action_override", [])
        ]
        for name, rule in managed.items()
    }
    assert counted == {
        "aws-ip-reputation": [],
        "aws-anonymous-ip": [("HostingProviderIPList", {"count": {}})],
        "aws-known-bad-inputs": [],
        "aws-common": [("SizeRestrictions_BODY", {"count": {}})],
    }


def test_the_rate_rule_blocks_each_ip_over_the_limit_from_props(acl):
    (rule,) = [rule for rule in acl["rule"] if rule["name"] == "rate-limit-per-ip"]
    assert rule["action"] == {"block": {}}
    assert rule["statement"]["rate_based_statement"] == {
        "limit": "${var.waf_rate_limit}",
        "aggregate_key_type": "IP",
        "evaluation_window_sec": 300,
    }


def test_the_tenant_rate_rule_blocks_a_tenant_over_its_limit_from_any_number_of_ips(acl):
    # Aggregated on the tenant header, not the address: a tenant's callers spread over many IPs,
    # each under the per-IP limit, still count as one (requests without the header are not counted).
    (rule,) = [rule for rule in acl["rule"] if rule["name"] == "rate-limit-per-tenant"]
    assert rule["action"] == {"block": {}}
    assert rule["statement"]["rate_based_statement"] == {
        "limit": "${var.waf_tenant_rate_limit}",
        "aggregate_key_type": "CUSTOM_KEYS",
        "evaluation_window_sec": 300,
        "custom_key": [{"header": {"name": "x-tenant-id", "text_transformation": [{"priority": 0, "type": "NONE"}]}}],
    }


def test_the_web_acl_protects_the_stage(resources):
    association = resources["aws_wafv2_web_acl_association"]["tap_stack_waf_association"]
    assert association["resource_arn"] == "${aws_api_gateway_stage.tap_stack_stage.arn}"
    assert association["web_acl_arn"] == "${aws_wafv2_web_acl.tap_stack_waf.arn}"


def test_logs_go_to_the_encrypted_log_group_without_credentials(resources):
    logging = resources["aws_wafv2_web_acl_logging_configuration"]["tap_stack_waf_logging"]
    assert logging["resource_arn"] == "${aws_wafv2_web_acl.tap_stack_waf.arn}"
    assert logging["log_destination_configs"] == ["${aws_cloudwatch_log_group.tap_stack_waf_logs.arn}"]
    # No credential of a signed request or a presigned URL (its query string) reaches the log.
    assert logging["redacted_fields"] == [
        {"single_header": {"name": "authorization"}},
        {"single_header": {"name": "cookie"}},
        {"single_header": {"name": "x-amz-security-token"}},
        {"query_string": {}},
    ]
    assert "logging_filter" not in logging  # every request is logged, allowed ones included
    assert logging["depends_on"] == ["aws_cloudwatch_log_resource_policy.tap_stack_waf_log_policy"]
    assert resources["aws_cloudwatch_log_group"]["tap_stack_waf_logs"] == {
        **resources["aws_cloudwatch_log_group"]["tap_stack_waf_logs"],
        "name": f"aws-waf-logs-{PREFIX}",
        "kms_key_id": "${aws_kms_key.tap_stack_kms.arn}",
        "retention_in_days": 365,
    }


def test_log_delivery_may_write_only_to_this_log_group(document, resources):
    policy = resources["aws_cloudwatch_log_resource_policy"]["tap_stack_waf_log_policy"]
    assert policy["policy_name"] == f"{PREFIX}-waf-logs"
    assert policy["policy_document"] == "${data.aws_iam_policy_document.tap_stack_waf_log_policy_document.json}"
    (statement,) = document["data"]["aws_iam_policy_document"]["tap_stack_waf_log_policy_document"]["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["delivery.logs.amazonaws.com"]}]
    assert statement["actions"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert statement["resources"] == ["${aws_cloudwatch_log_group.tap_stack_waf_logs.arn}:log-stream:*"]
    assert statement["condition"] == [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
        {"test": "ArnLike", "variable": "aws:SourceArn", "values": ["arn:aws:logs:us-east-1:123456789012:*"]},
    ]


@pytest.mark.parametrize(("key", "region"), [("tap_stack_kms", "us-east-1"), ("tap_stack_kms_secondary", "us-west-2")])
def test_each_regions_key_lets_cloudwatch_logs_encrypt_its_waf_log_group(resources, key, region):
    policy = json.loads(resources["aws_kms_key"][key]["policy"])
    grant = next(s for s in policy["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsStackLogGroups")
    assert grant["Principal"] == {"Service": [f"logs.{region}.amazonaws.com"]}
    assert grant["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"] == [
        f"arn:aws:logs:{region}:123456789012:log-group:aws-waf-logs-{PREFIX}"
    ]


def test_the_secondary_firewall_is_placed_by_its_region_scope(document, synthesized):
    for rtype in WAF_TYPES:
        named = document["resource"][rtype]
        secondary = {name: body.get("provider") for name, body in named.items() if name.endswith("_secondary")}
        assert secondary and set(secondary.values()) == {"aws.secondary"}, rtype
    association = document["resource"]["aws_wafv2_web_acl_association"]["tap_stack_waf_association_secondary"]
    assert association["resource_arn"] == "${aws_api_gateway_stage.tap_stack_stage_secondary.arn}"
    assert association["web_acl_arn"] == "${aws_wafv2_web_acl.tap_stack_waf_secondary.arn}"
    firewalls = synthesized.built
    assert firewalls[SECONDARY].arn != firewalls[PRIMARY].arn


def test_outputs(synthesized, document):
    firewall = synthesized.built[PRIMARY]
    assert firewall.web_acl.terraform_resource_type == "aws_wafv2_web_acl"
    assert document["output"]["waf_arn"]["value"] == "${aws_wafv2_web_acl.tap_stack_waf.arn}"
    assert document["output"]["waf_log_group_arn"]["value"] == "${aws_cloudwatch_log_group.tap_stack_waf_logs.arn}"


def test_a_log_group_without_the_waf_prefix_is_refused():
    stack = TerraformStack(App(), "tap_stack")
    with pytest.raises(ValueError, match="tap_stack_waf: log_group_name must start with 'aws-waf-logs-'"):
        WebFirewall(
            stack,
            WebFirewallProps(
                name="tap_stack_waf",
                name_prefix="tap-dev",
                stage_arn="arn",
                rate_limit=2000,
                log_group_name="/aws/waf/tap-dev",
                kms_key_arn="key",
                log_retention_days=365,
                account=ACCOUNTS[PRIMARY],
            ),
        )


def test_checkov_passes_the_firewall_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, WAF_CHECKS)
    assert failed == []
    assert {check for check, _ in passed} == set(WAF_CHECKS)
