"""The managed Config rules, evaluated by their documented logic: the stack passes every rule it
deploys, the rules it leaves out or scopes would fail it for the stated reason, and each evaluator
finds what it must (a failing and a passing fixture per rule)."""

import json
import re

import pytest

from modules.account_controls import MANAGED_RULES
from tapgen.aws_rules.config_rules import RULES, deployed_findings, evaluate
from tapgen.combinations import PROVEN, label

WITH_ACCOUNT_CONTROLS = [c for c in PROVEN if c.get("account_controls") == "on"]
LARGEST = max(PROVEN, key=len)
CANARY_FUNCTION = "service:the function of aws_synthetics_canary.tap_stack_canary"
CANARY_LOG_GROUP = "service:the log group of aws_synthetics_canary.tap_stack_canary"
TERRAFORM_MANAGED = {"tag_key": "ManagedBy", "tag_value": "terraform"}
REGION_SUFFIXES = ("", "_secondary", "_tertiary")


def region_of(name: str) -> str:
    return next((s for s in REGION_SUFFIXES[1:] if name.endswith(s)), "")


def rules_of(document: dict) -> dict[str, dict]:
    return {r["source"]["source_identifier"]: r for r in document["resource"]["aws_config_config_rule"].values()}


@pytest.mark.parametrize("combination", WITH_ACCOUNT_CONTROLS, ids=label)
def test_the_stack_passes_every_managed_rule_it_deploys(synth_of, combination):
    document = synth_of(**combination).document
    assert set(rules_of(document)) <= set(RULES)
    assert deployed_findings(document) == []


@pytest.mark.parametrize("combination", WITH_ACCOUNT_CONTROLS, ids=label)
def test_a_noncompliant_verdict_of_any_deployed_rule_raises_an_alarm(synth_of, combination):
    """In each region: the region's own rules, to the region's alerts topic."""
    resources = synth_of(**combination).document["resource"]
    for suffix in REGION_SUFFIXES[: int(combination["regions"])]:
        pattern = resources["aws_cloudwatch_event_rule"][f"tap_stack_config_noncompliance{suffix}"]["event_pattern"]
        names = re.findall(r"aws_config_config_rule\.(\w+)\.name", pattern)
        assert sorted(names) == sorted(n for n in resources["aws_config_config_rule"] if region_of(n) == suffix)
        assert '"complianceType" = ["NON_COMPLIANT"]' in pattern
        alarm = resources["aws_cloudwatch_metric_alarm"][f"tap_stack_config_noncompliance_alarm{suffix}"]
        assert (alarm["namespace"], alarm["metric_name"]) == ("AWS/Events", "MatchedEvents")
        rule = f"aws_cloudwatch_event_rule.tap_stack_config_noncompliance{suffix}"
        assert alarm["dimensions"] == {"RuleName": f"${{{rule}.name}}"}
        assert alarm["alarm_actions"] == [f"${{aws_sns_topic.tap_stack_alerts{suffix}.arn}}"]


def test_config_records_in_every_region_and_the_account_wide_parts_once(synth_of):
    resources = synth_of(**LARGEST).document["resource"]
    recorders = resources["aws_config_configuration_recorder"]
    assert {name: r["recording_group"]["include_global_resource_types"] for name, r in recorders.items()} == {
        "tap_stack_config_recorder": True,
        "tap_stack_config_recorder_secondary": False,
        "tap_stack_config_recorder_tertiary": False,
    }
    account_wide = {"IAM_PASSWORD_POLICY", "ROOT_ACCOUNT_MFA_ENABLED", "CLOUD_TRAIL_ENABLED"}
    for name, rule in resources["aws_config_config_rule"].items():
        if rule["source"]["source_identifier"] in account_wide:
            assert region_of(name) == "", name
    assert list(resources["aws_iam_account_password_policy"]) == ["tap_stack_password_policy"]


def test_every_rule_the_stack_may_deploy_is_evaluated_by_its_documented_logic():
    assert set(MANAGED_RULES) <= set(RULES)
    for rule in RULES.values():
        assert rule.source.startswith("https://docs.aws.amazon.com/config/latest/developerguide/"), rule
        assert (rule.evaluate is None) == bool(rule.outside), rule


def test_the_rules_left_out_or_scoped_would_fail_the_stack_for_the_stated_reason(synth_of):
    largest = synth_of(**LARGEST).document
    assert "CLOUDWATCH_LOG_GROUP_ENCRYPTED" not in MANAGED_RULES
    flagged = {f.resource for f in evaluate(largest, "CLOUDWATCH_LOG_GROUP_ENCRYPTED")}
    assert flagged == {CANARY_LOG_GROUP, f"{CANARY_LOG_GROUP}_secondary", f"{CANARY_LOG_GROUP}_tertiary"}
    unscoped = {f.resource for f in evaluate(largest, "LAMBDA_INSIDE_VPC")}
    assert unscoped == {CANARY_FUNCTION, f"{CANARY_FUNCTION}_secondary", f"{CANARY_FUNCTION}_tertiary"}
    assert rules_of(largest)["LAMBDA_INSIDE_VPC"]["scope"] == TERRAFORM_MANAGED
    without_network = synth_of(account_controls="on").document
    assert {"LAMBDA_INSIDE_VPC", "CLOUD_TRAIL_ENABLED"}.isdisjoint(rules_of(without_network))
    assert "aws_lambda_function.tap_stack_lambda" in {
        f.resource for f in evaluate(without_network, "LAMBDA_INSIDE_VPC")
    }
    assert [f.resource for f in evaluate(without_network, "CLOUD_TRAIL_ENABLED")] == ["account"]


# --- each evaluator: a failing and a passing fixture ---------------------------------------------

DEFAULT_TAGS = [{"tags": '${merge(var.tags, {ManagedBy = "terraform", Project = var.project_name})}'}]
BUCKET = "${aws_s3_bucket.b.id}"
PAB = {
    "block_public_acls": True,
    "ignore_public_acls": True,
    "block_public_policy": True,
    "restrict_public_buckets": True,
}
TLS_ONLY = {
    "effect": "Deny",
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "actions": ["s3:*"],
    "resources": ["${aws_s3_bucket.b.arn}", "${aws_s3_bucket.b.arn}/*"],
    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
}
PUBLIC_READ = {"effect": "Allow", "principals": [{"type": "*", "identifiers": ["*"]}], "actions": ["s3:GetObject"]}


def document(resources: dict, statements: list | None = None) -> dict:
    data = {"aws_iam_policy_document": {"p": {"statement": statements}}} if statements is not None else {}
    return {"provider": {"aws": [{"default_tags": DEFAULT_TAGS}]}, "resource": resources, "data": data}


def bucket(*, block: dict | None = PAB, statements: list | None = None, sse: str | None = "aws:kms") -> dict:
    resources = {"aws_s3_bucket": {"b": {"bucket": "tap-dev-b"}}}
    if block is not None:
        resources["aws_s3_bucket_public_access_block"] = {"b_pab": {"bucket": BUCKET, **block}}
    if statements is not None:
        resources["aws_s3_bucket_policy"] = {
            "b_policy": {"bucket": BUCKET, "policy": "${data.aws_iam_policy_document.p.json}"}
        }
    if sse is not None:
        default = {"apply_server_side_encryption_by_default": {"sse_algorithm": sse}}
        resources["aws_s3_bucket_server_side_encryption_configuration"] = {
            "b_sse": {"bucket": BUCKET, "rule": [default]}
        }
    return document(resources, statements)


def findings(doc: dict, rule: str, scope: dict | None = None) -> list[tuple[str, str]]:
    return [(f.resource, f.reason) for f in evaluate(doc, rule, scope)]


@pytest.mark.parametrize("rule", ["S3_BUCKET_PUBLIC_READ_PROHIBITED", "S3_BUCKET_PUBLIC_WRITE_PROHIBITED"])
def test_public_bucket_rules(rule):
    assert findings(bucket(statements=[PUBLIC_READ]), rule) == []
    assert findings(bucket(block=None, statements=[PUBLIC_READ]), rule) == [
        ("aws_s3_bucket.b", "its policy allows everyone and public access is not blocked")
    ]
    assert findings(bucket(block={**PAB, "restrict_public_buckets": False}), rule) == []


def test_tls_only_rule():
    assert findings(bucket(statements=[TLS_ONLY]), "S3_BUCKET_SSL_REQUESTS_ONLY") == []
    assert findings(bucket(statements=[{**TLS_ONLY, "effect": "Allow"}]), "S3_BUCKET_SSL_REQUESTS_ONLY") == [
        ("aws_s3_bucket.b", "no bucket policy statement denies requests over plain HTTP (aws:SecureTransport false)")
    ]


def test_bucket_encryption_rule():
    assert findings(bucket(sse="AES256"), "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED") == []
    assert findings(bucket(sse=None), "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED") == [
        ("aws_s3_bucket.b", "no default server-side encryption configured")
    ]


def test_pitr_rule():
    doc = document(
        {
            "aws_dynamodb_table": {"on": {"point_in_time_recovery": {"enabled": True}}, "off": {}},
            "aws_dynamodb_table_replica": {"r": {"point_in_time_recovery": True}},
        }
    )
    assert findings(doc, "DYNAMODB_PITR_ENABLED") == [("aws_dynamodb_table.off", "point-in-time recovery is off")]


def test_lambda_in_vpc_rule_and_its_scope():
    vpc = {"vpc_config": {"subnet_ids": ["${aws_subnet.a.id}"], "security_group_ids": []}}
    doc = document(
        {
            "aws_lambda_function": {"in": vpc, "out": {}},
            "aws_synthetics_canary": {"c": {"name": "tap-dev-health", "vpc_config": None}},
        }
    )
    assert findings(doc, "LAMBDA_INSIDE_VPC") == [
        ("aws_lambda_function.out", "not attached to a VPC"),
        ("service:the function of aws_synthetics_canary.c", "not attached to a VPC"),
    ]
    assert findings(doc, "LAMBDA_INSIDE_VPC", TERRAFORM_MANAGED) == [
        ("aws_lambda_function.out", "not attached to a VPC")
    ]
    assert findings(doc, "LAMBDA_INSIDE_VPC", {"tag_key": "ManagedBy", "tag_value": "hand"}) == []


def test_periodic_rules_ignore_a_scope():
    doc = document({"aws_cloudwatch_log_group": {"g": {"kms_key_id": "${aws_kms_key.k.arn}"}, "plain": {}}})
    expected = [("aws_cloudwatch_log_group.plain", "not encrypted with a KMS key")]
    assert findings(doc, "CLOUDWATCH_LOG_GROUP_ENCRYPTED") == expected
    assert findings(doc, "CLOUDWATCH_LOG_GROUP_ENCRYPTED", TERRAFORM_MANAGED | {"tag_value": "x"}) == expected


def test_key_rotation_and_trail_rules():
    keys = document({"aws_kms_key": {"on": {"enable_key_rotation": True}, "off": {"enable_key_rotation": False}}})
    assert findings(keys, "CMK_BACKING_KEY_ROTATION_ENABLED") == [("aws_kms_key.off", "automatic key rotation is off")]
    assert findings(keys, "CLOUD_TRAIL_ENABLED") == [("account", "the stack has no CloudTrail trail")]
    assert findings(document({"aws_cloudtrail": {"t": {}}}), "CLOUD_TRAIL_ENABLED") == []
    assert findings(keys, "ROOT_ACCOUNT_MFA_ENABLED") == []


def password_document(minimum: str, symbols: bool) -> dict:
    parameters = {
        "RequireSymbols": "true",
        "MinimumPasswordLength": "__MIN__",
        "PasswordReusePrevention": "__REUSE__",
        "MaxPasswordAge": "__AGE__",
    }
    text = json.dumps(parameters).replace('"__MIN__"', f"tostring({minimum})")
    text = text.replace('"__REUSE__"', "tostring(var.reuse)").replace('"__AGE__"', "tostring(var.age)")
    rule = {
        "source": {"owner": "AWS", "source_identifier": "IAM_PASSWORD_POLICY"},
        "input_parameters": "${jsonencode(" + text.replace(": ", " = ") + ")}",
    }
    policy = {
        "minimum_password_length": "${var.minimum}",
        "password_reuse_prevention": "${var.reuse}",
        "max_password_age": "${var.age}",
        "require_symbols": symbols,
    }
    return document({"aws_config_config_rule": {"r": rule}, "aws_iam_account_password_policy": {"p": policy}})


def test_password_policy_rule():
    assert findings(password_document("var.minimum", True), "IAM_PASSWORD_POLICY") == []
    assert findings(password_document("var.other", False), "IAM_PASSWORD_POLICY") == [
        ("aws_iam_account_password_policy.p", "MinimumPasswordLength is not the policy's minimum_password_length"),
        ("aws_iam_account_password_policy.p", "require_symbols is not set, the rule requires it"),
    ]
