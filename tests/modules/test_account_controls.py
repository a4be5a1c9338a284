"""The account controls (AWS Config and the password policy), synthesized in a tiny stack with the
primary region's key; checked on the JSON, by the security rules, by `terraform validate` and by
checkov."""

import json

import pytest
from cdktf import App, Fn, LocalBackend, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable

from modules.account import AwsAccount
from modules.account_controls import (
    MANAGED_RULES,
    AccountControls,
    AccountControlsProps,
    PasswordRules,
    password_rule_parameters,
)
from modules.encryption import EncryptionKey, EncryptionKeyProps
from stacks import names
from stacks.tap_stack import LOCAL_STATE_PATH
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness
from tests.terraform.conftest import init, terraform

PRIMARY = REGIONS[0]
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
PREFIX = "${local.name_prefix}"
BUCKET = "tap-dev-config-123456789012"
BUCKET_ARN = f"arn:aws:s3:::{BUCKET}"
SNAPSHOTS = f"{BUCKET_ARN}/AWSLogs/123456789012/Config/*"
RECORDER = "aws_config_configuration_recorder.tap_stack_config_recorder"
SOURCE_ACCOUNT = {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]}
OWNER_ACL = {"test": "StringEquals", "variable": "s3:x-amz-acl", "values": ["bucket-owner-full-control"]}
CHECKS = (
    "CKV_AWS_9",  # passwords expire within 90 days
    "CKV_AWS_10",  # at least 14 characters
    "CKV_AWS_11",  # a lowercase letter
    "CKV_AWS_12",  # a number
    "CKV_AWS_13",  # no reuse of the last 24
    "CKV_AWS_14",  # an uppercase letter
    "CKV_AWS_15",  # a symbol
    "CKV2_AWS_45",  # the recorder is enabled and records every supported resource
    "CKV2_AWS_48",  # ... global resource types included
)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[AccountControls]:
    """The tiny stack, synthesized, with the controls."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("account_controls"))
    prefix = TerraformLocal(stack, "name_prefix", "tap-dev").as_string
    scope = RegionScope(stack, PRIMARY, None)
    key = EncryptionKey(
        scope,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNT),
    )
    controls = AccountControls(
        scope,
        AccountControlsProps(
            name="tap_stack_config",
            name_prefix=prefix,
            rule_names=names.config_rule_names(stack),
            role_name="tap-dev-us-east-1-config",
            remediation_role_name="tap-dev-us-east-1-remediation",
            bucket_name=BUCKET,
            kms_key_arn=key.arn,
            log_expiration_days=365,
            account=ACCOUNT,
            password=PasswordRules(minimum_length=14, max_age_days=90, reuse_prevention=24),
            account_wide=True,
            with_compliance=True,
            managed_by_tag=("ManagedBy", "terraform"),
        ),
    )
    TerraformOutput(stack, "config_recorder", value=controls.recorder.name)
    TerraformOutput(stack, "config_channel", value=controls.channel.name)
    TerraformOutput(stack, "config_bucket", value=controls.bucket.name)
    return harness.synthesize(stack, controls)


def statements_of(document: dict, name: str) -> dict[str, dict]:
    return {s["sid"]: s for s in document["data"]["aws_iam_policy_document"][name]["statement"]}


def test_the_shape(resources):
    shape = {
        rtype: sorted(named) for rtype, named in resources.items() if rtype.startswith(("aws_config_", "aws_iam_"))
    }
    assert shape == {
        "aws_config_config_rule": sorted(f"tap_stack_config_rule_{rule.lower()}" for rule in MANAGED_RULES),
        "aws_config_configuration_recorder": ["tap_stack_config_recorder"],
        "aws_config_configuration_recorder_status": ["tap_stack_config_recorder_status"],
        "aws_config_delivery_channel": ["tap_stack_config_channel"],
        "aws_config_remediation_configuration": [
            "tap_stack_config_remediation_cmk_backing_key_rotation_enabled",
            "tap_stack_config_remediation_dynamodb_pitr_enabled",
            "tap_stack_config_remediation_s3_bucket_public_read_prohibited",
            "tap_stack_config_remediation_s3_bucket_public_write_prohibited",
        ],
        "aws_iam_account_password_policy": ["tap_stack_password_policy"],
        "aws_iam_role": ["tap_stack_config_remediation_role", "tap_stack_config_role"],
        "aws_iam_role_policy": ["tap_stack_config_remediation_role_policy", "tap_stack_config_role_policy"],
        "aws_iam_role_policy_attachment": ["tap_stack_config_role_managed_policy"],
    }
    assert resources["aws_s3_bucket"] == {
        "tap_stack_config_logs": {**resources["aws_s3_bucket"]["tap_stack_config_logs"], "bucket": BUCKET}
    }
    assert not any("provider" in body for named in resources.values() for body in named.values())


def test_the_password_policy_values(resources):
    policy = dict(resources["aws_iam_account_password_policy"]["tap_stack_password_policy"])
    policy.pop("//")
    assert policy == {
        "minimum_password_length": 14,
        "require_lowercase_characters": True,
        "require_uppercase_characters": True,
        "require_numbers": True,
        "require_symbols": True,
        "max_password_age": 90,
        "password_reuse_prevention": 24,
        "allow_users_to_change_password": True,
    }


def test_the_recorder_records_everything_with_the_stacks_role(resources):
    recorder = resources["aws_config_configuration_recorder"]["tap_stack_config_recorder"]
    assert recorder["name"] == f"{PREFIX}-recorder"
    assert recorder["role_arn"] == "${aws_iam_role.tap_stack_config_role.arn}"
    assert recorder["recording_group"] == {"all_supported": True, "include_global_resource_types": True}
    assert recorder["depends_on"] == ["aws_iam_role_policy_attachment.tap_stack_config_role_managed_policy"]
    attachment = resources["aws_iam_role_policy_attachment"]["tap_stack_config_role_managed_policy"]
    assert attachment["role"] == "${aws_iam_role.tap_stack_config_role.name}"
    assert attachment["policy_arn"] == "arn:aws:iam::aws:policy/service-role/AWS_ConfigRole"


def test_the_channel_delivers_to_the_bucket_once_it_may(resources):
    channel = resources["aws_config_delivery_channel"]["tap_stack_config_channel"]
    assert channel["name"] == f"{PREFIX}-channel"
    assert channel["s3_bucket_name"] == "${aws_s3_bucket.tap_stack_config_logs.bucket}"
    assert channel["snapshot_delivery_properties"] == {"delivery_frequency": "TwentyFour_Hours"}
    assert channel["depends_on"] == [
        RECORDER,
        "aws_iam_role_policy.tap_stack_config_role_policy",
        "aws_s3_bucket_server_side_encryption_configuration.tap_stack_config_logs_encryption",
        "aws_s3_bucket_public_access_block.tap_stack_config_logs_public_access_block",
        "aws_s3_bucket_policy.tap_stack_config_logs_policy",
    ]


def test_recording_starts_after_the_channel(resources):
    status = resources["aws_config_configuration_recorder_status"]["tap_stack_config_recorder_status"]
    assert status["name"] == f"${{{RECORDER}.name}}"
    assert status["is_enabled"] is True
    assert status["depends_on"] == ["aws_config_delivery_channel.tap_stack_config_channel"]


def test_every_managed_rule_is_named_from_the_prefix_and_waits_for_the_recorder(resources):
    configured = {
        body["source"]["source_identifier"]: (name, body["name"], body["source"]["owner"], body["depends_on"])
        for name, body in resources["aws_config_config_rule"].items()
    }
    assert set(configured) == {
        "S3_BUCKET_PUBLIC_READ_PROHIBITED",
        "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
        "DYNAMODB_PITR_ENABLED",
        "LAMBDA_INSIDE_VPC",
        "CLOUD_TRAIL_ENABLED",
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "IAM_PASSWORD_POLICY",
        "ROOT_ACCOUNT_MFA_ENABLED",
    }
    assert configured["DYNAMODB_PITR_ENABLED"] == (
        "tap_stack_config_rule_dynamodb_pitr_enabled",
        "${local.config_rule_names.dynamodb_pitr_enabled}",
        "AWS",
        [RECORDER],
    )
    assert {(owner, tuple(after)) for _, _, owner, after in configured.values()} == {("AWS", (RECORDER,))}
    scoped = {
        body["source"]["source_identifier"]: body["scope"]
        for body in resources["aws_config_config_rule"].values()
        if "scope" in body
    }
    assert scoped == {"LAMBDA_INSIDE_VPC": {"tag_key": "ManagedBy", "tag_value": "terraform"}}


def test_a_noncompliant_verdict_of_the_stacks_rules_is_an_alarm(synthesized, resources):
    rule = resources["aws_cloudwatch_event_rule"]["tap_stack_config_noncompliance"]
    assert rule["name"] == f"{PREFIX}-config-noncompliance"
    names = ", ".join(f"aws_config_config_rule.tap_stack_config_rule_{rule.lower()}.name" for rule in MANAGED_RULES)
    assert rule["event_pattern"] == (
        '${jsonencode({"source" = ["aws.config"], "detail-type" = ["Config Rules Compliance Change"], '
        f'"detail" = {{"messageType" = ["ComplianceChangeNotification"], "configRuleName" = [{names}], '
        '"newEvaluationResult" = {"complianceType" = ["NON_COMPLIANT"]}}})}'
    )
    (alarm,) = synthesized.built.alarms
    assert (alarm.namespace, alarm.metric, set(alarm.dimensions), alarm.threshold) == (
        "AWS/Events",
        "MatchedEvents",
        {"RuleName"},
        1,
    )


def test_the_password_rule_checks_the_policy_the_stack_sets(resources):
    rule = resources["aws_config_config_rule"]["tap_stack_config_rule_iam_password_policy"]
    policy = resources["aws_iam_account_password_policy"]["tap_stack_password_policy"]
    assert (policy["minimum_password_length"], policy["max_password_age"], policy["password_reuse_prevention"]) == (
        14,
        90,
        24,
    )
    for value in ("tostring(14)", "tostring(90)", "tostring(24)"):
        assert value in rule["input_parameters"]
    others = [
        b for n, b in resources["aws_config_config_rule"].items() if n != "tap_stack_config_rule_iam_password_policy"
    ]
    assert [b for b in others if "input_parameters" in b] == []


def test_the_password_rule_parameters_are_the_policy_values_as_config_reads_them(tmp_path):
    """Evaluated by Terraform itself (variables and an output, no provider): the values a user sets."""
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "password")
    LocalBackend(stack, path=LOCAL_STATE_PATH)
    chosen = {"minimum_length": 17, "max_age_days": 30, "reuse_prevention": 5}
    rules = PasswordRules(
        **{
            name: TerraformVariable(stack, name, type="number", default=value).number_value
            for name, value in chosen.items()
        }
    )
    parameters = {**MANAGED_RULES["IAM_PASSWORD_POLICY"].parameters, **password_rule_parameters(rules)}
    TerraformOutput(stack, "parameters", value=Fn.jsonencode(parameters))
    app.synth()
    workdir = tmp_path / "out" / "stacks" / "password"
    init(workdir)
    terraform(workdir, "apply", "-auto-approve", "-input=false", "-lock=false")
    output = json.loads(terraform(workdir, "output", "-json").stdout)["parameters"]["value"]
    assert json.loads(output) == {
        "MaxPasswordAge": "30",
        "MinimumPasswordLength": "17",
        "PasswordReusePrevention": "5",
        "RequireLowercaseCharacters": "true",
        "RequireNumbers": "true",
        "RequireSymbols": "true",
        "RequireUppercaseCharacters": "true",
    }


@pytest.mark.parametrize("prefix", ["tap-dev", "project-name-abc-environmen-suffix-123"])
def test_rule_names_come_from_the_prefix_and_those_a_remediation_names_fit_64_characters(tmp_path, prefix):
    """Evaluated by Terraform itself, at the shortest and the longest prefix the variables allow."""
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "rule_names")
    LocalBackend(stack, path=LOCAL_STATE_PATH)
    TerraformLocal(stack, "name_prefix", prefix)
    names.config_rule_names(stack)
    TerraformOutput(stack, "rule_names", value="${local.config_rule_names}")
    app.synth()
    workdir = tmp_path / "out" / "stacks" / "rule_names"
    init(workdir)
    terraform(workdir, "apply", "-auto-approve", "-input=false", "-lock=false")
    output = json.loads(terraform(workdir, "output", "-json").stdout)["rule_names"]["value"]
    evaluated = {identifier: output[identifier.lower()] for identifier in MANAGED_RULES}
    for identifier, use in MANAGED_RULES.items():
        full = f"{prefix}-{identifier.lower().replace('_', '-')}"
        if not use.remediation or len(full) <= names.REMEDIATED_RULE_NAME_MAX:
            assert evaluated[identifier] == full
            continue
        assert len(evaluated[identifier]) == names.REMEDIATED_RULE_NAME_MAX, identifier
        assert evaluated[identifier].startswith(full[: names.REMEDIATED_RULE_NAME_MAX - names.HASH_CHARS - 1])
    assert len(set(evaluated.values())) == len(MANAGED_RULES)


def test_only_this_accounts_config_may_deliver_to_the_bucket(document):
    statements = statements_of(document, "tap_stack_config_logs_policy_document")
    config = [{"type": "Service", "identifiers": ["config.amazonaws.com"]}]
    delivery = {
        sid: statements[sid] for sid in ("ConfigChecksBucketAcl", "ConfigChecksBucketExists", "ConfigDeliversSnapshots")
    }
    assert {sid: (s["actions"], s["resources"]) for sid, s in delivery.items()} == {
        "ConfigChecksBucketAcl": (["s3:GetBucketAcl"], [BUCKET_ARN]),
        "ConfigChecksBucketExists": (["s3:ListBucket"], [BUCKET_ARN]),
        "ConfigDeliversSnapshots": (["s3:PutObject"], [SNAPSHOTS]),
    }
    for s in delivery.values():
        assert s["effect"] == "Allow"
        assert s["principals"] == config
        assert s["condition"][0] == SOURCE_ACCOUNT
    assert delivery["ConfigDeliversSnapshots"]["condition"] == [SOURCE_ACCOUNT, OWNER_ACL]


def test_the_role_writes_only_snapshots_encrypted_through_s3(document):
    (trust,) = statements_of(document, "tap_stack_config_role_trust").values()
    assert trust["principals"] == [{"type": "Service", "identifiers": ["config.amazonaws.com"]}]
    assert trust["condition"] == [SOURCE_ACCOUNT]
    statements = statements_of(document, "tap_stack_config_role_permissions")
    assert {sid: (s["actions"], s["resources"], s.get("condition")) for sid, s in statements.items()} == {
        "WriteConfigSnapshots": (
            ["s3:PutObject", "s3:PutObjectAcl"],
            ["${aws_s3_bucket.tap_stack_config_logs.arn}/AWSLogs/123456789012/Config/*"],
            [OWNER_ACL],
        ),
        "CheckDeliveryBucketAcl": (["s3:GetBucketAcl"], ["${aws_s3_bucket.tap_stack_config_logs.arn}"], None),
        "EncryptConfigSnapshots": (
            ["kms:GenerateDataKey"],
            ["${aws_kms_key.tap_stack_kms.arn}"],
            [
                {"test": "StringEquals", "variable": "kms:ViaService", "values": ["s3.us-east-1.amazonaws.com"]},
                {
                    "test": "ArnLike",
                    "variable": "kms:EncryptionContext:aws:s3:arn",
                    "values": [
                        "${aws_s3_bucket.tap_stack_config_logs.arn}",
                        "${aws_s3_bucket.tap_stack_config_logs.arn}/*",
                    ],
                },
            ],
        ),
    }


def test_outputs(synthesized, document):
    controls = synthesized.built
    assert controls.password_policy.terraform_resource_type == "aws_iam_account_password_policy"
    assert set(controls.rules) == set(MANAGED_RULES)  # with the compliance option's network and trail
    assert controls.rules["LAMBDA_INSIDE_VPC"].terraform_resource_type == "aws_config_config_rule"
    assert document["output"]["config_recorder"]["value"] == f"${{{RECORDER}.name}}"
    assert (
        document["output"]["config_channel"]["value"] == "${aws_config_delivery_channel.tap_stack_config_channel.name}"
    )
    assert document["output"]["config_bucket"]["value"] == "${aws_s3_bucket.tap_stack_config_logs.bucket}"


def test_checkov_passes_the_account_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, CHECKS)
    assert failed == []
    assert {check for check, _ in passed} == set(CHECKS)
