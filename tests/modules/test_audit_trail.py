"""The audit trail, synthesized in a tiny one-region stack (key, a log bucket and an item table
standing in for the stack's, and the trail); checked on the JSON, by `terraform validate` and by
checkov."""

import json

import pytest
from cdktf import App, TerraformLocal, TerraformOutput, TerraformStack

from modules.account import AwsAccount
from modules.audit_trail import AuditTrail, AuditTrailProps
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
PREFIX = "${local.name_prefix}"  # the stack's local: `<project>-<environment>[-<suffix>]`
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{PREFIX}-trail"
TRAIL_BUCKET = "tap-dev-trail-us-east-1-123456789012"
CLOUDTRAIL = [{"type": "Service", "identifiers": ["cloudtrail.amazonaws.com"]}]
FROM_TRAIL = {"test": "StringEquals", "variable": "aws:SourceArn", "values": [TRAIL_ARN]}
# What the trail must satisfy in checkov. Not applicable: CKV_AWS_252 (an SNS notification for
# every log file delivered): the trail alerts through alarms on its CloudWatch Logs group, and a
# message per log file says nothing about what the file contains.
TRAIL_CHECKS = (
    "CKV_AWS_35",  # log files encrypted with a KMS key
    "CKV_AWS_36",  # log file validation
    "CKV_AWS_67",  # every region
    "CKV2_AWS_10",  # delivered to CloudWatch Logs
    "CKV_AWS_158",  # the log group is KMS-encrypted
    "CKV_AWS_338",  # ... and keeps logs for a year
    "CKV_AWS_66",  # ... with a retention
)


def trail_props(**changes) -> AuditTrailProps:
    props = {
        "name": "tap_stack_trail",
        "trail_name": f"{PREFIX}-trail",
        "bucket_name": TRAIL_BUCKET,
        "log_group_name": f"/aws/cloudtrail/{PREFIX}",
        "role_name": f"{PREFIX}-us-east-1-cloudtrail",
        "kms_key_arn": "${aws_kms_key.tap_stack_kms.arn}",
        "log_retention_days": 365,
        "expiration_days": 400,
        "data_event_bucket_arns": ("${aws_s3_bucket.tap_stack_logs.arn}",),
        "data_event_table_arns": ("${aws_dynamodb_table.tap_stack_data.arn}",),
        "account": ACCOUNT,
    }
    return AuditTrailProps(**{**props, **changes})


def item_table(scope, kms_key_arn: str):
    """A stand-in for the stack's item table: encrypted with the key, recoverable."""
    table = aws.dynamodb_table
    return table.DynamodbTable(
        scope,
        "tap_stack_data",
        name=f"{PREFIX}-items",
        billing_mode="PAY_PER_REQUEST",
        hash_key="id",
        attribute=[table.DynamodbTableAttribute(name="id", type="S")],
        server_side_encryption=table.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=kms_key_arn),
        point_in_time_recovery=table.DynamodbTablePointInTimeRecovery(enabled=True),
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[AuditTrail]:
    """The tiny stack, synthesized, with the trail."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("audit_trail"))
    TerraformLocal(stack, "name_prefix", "tap-dev")
    scope = RegionScope(stack, PRIMARY, None)
    key = EncryptionKey(
        scope,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNT),
    )
    logs = SecureBucket(
        scope,
        SecureBucketProps(
            name="tap_stack_logs", bucket_name="tap-dev-logs-us-east-1", kms_key_arn=key.arn, expiration_days=365
        ),
    )
    table = item_table(scope, key.arn)
    trail = AuditTrail(
        scope,
        trail_props(kms_key_arn=key.arn, data_event_bucket_arns=(logs.arn,), data_event_table_arns=(table.arn,)),
    )
    # How the outputs resolve once the stack hands them on.
    TerraformOutput(stack, "trail_arn", value=trail.arn)
    TerraformOutput(stack, "trail_bucket", value=trail.bucket.name)
    TerraformOutput(stack, "trail_log_group_arn", value=trail.log_group.arn)
    return harness.synthesize(stack, trail)


@pytest.fixture(scope="module")
def trail(resources):
    return resources["aws_cloudtrail"]["tap_stack_trail"]


def statements_of(document: dict, name: str) -> dict[str, dict]:
    return {s["sid"]: s for s in document["data"]["aws_iam_policy_document"][name]["statement"]}


def test_one_encrypted_validated_trail_records_every_region(trail):
    assert {k: v for k, v in trail.items() if k not in ("//", "advanced_event_selector", "depends_on")} == {
        "name": f"{PREFIX}-trail",
        "s3_bucket_name": "${aws_s3_bucket.tap_stack_trail_logs.bucket}",
        "kms_key_id": "${aws_kms_key.tap_stack_kms.arn}",
        "is_multi_region_trail": True,
        "include_global_service_events": True,
        "is_organization_trail": False,
        "enable_log_file_validation": True,
        "enable_logging": True,
        "cloud_watch_logs_group_arn": "${aws_cloudwatch_log_group.tap_stack_trail_log_group.arn}:*",
        "cloud_watch_logs_role_arn": "${aws_iam_role.tap_stack_trail_role.arn}",
    }


def test_management_events_and_data_events_on_exactly_the_given_bucket_and_table(trail):
    selectors = {s["name"]: s["field_selector"] for s in trail["advanced_event_selector"]}
    assert selectors == {
        "Management events": [{"field": "eventCategory", "equals": ["Management"]}],
        "Object-level events on the stack's buckets": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            {"field": "resources.ARN", "starts_with": ["${aws_s3_bucket.tap_stack_logs.arn}/"]},
        ],
        "Item-level events on the stack's tables": [
            {"field": "eventCategory", "equals": ["Data"]},
            {"field": "resources.type", "equals": ["AWS::DynamoDB::Table"]},
            {"field": "resources.ARN", "equals": ["${aws_dynamodb_table.tap_stack_data.arn}"]},
        ],
    }


def test_the_trail_waits_for_its_bucket_policy_and_its_roles_policy(trail):
    assert trail["depends_on"] == [
        "aws_s3_bucket_server_side_encryption_configuration.tap_stack_trail_logs_encryption",
        "aws_s3_bucket_public_access_block.tap_stack_trail_logs_public_access_block",
        "aws_s3_bucket_policy.tap_stack_trail_logs_policy",
        "aws_iam_role_policy.tap_stack_trail_role_policy",
    ]


def test_the_bucket_lets_only_this_trail_check_its_acl_and_write_log_files(document, resources):
    assert resources["aws_s3_bucket"]["tap_stack_trail_logs"]["bucket"] == TRAIL_BUCKET
    statements = statements_of(document, "tap_stack_trail_logs_policy_document")
    assert statements["CloudTrailChecksBucketAcl"] == {
        "sid": "CloudTrailChecksBucketAcl",
        "effect": "Allow",
        "actions": ["s3:GetBucketAcl"],
        "resources": [f"arn:aws:s3:::{TRAIL_BUCKET}"],
        "principals": CLOUDTRAIL,
        "condition": [FROM_TRAIL],
    }
    assert statements["CloudTrailWritesLogFiles"] == {
        "sid": "CloudTrailWritesLogFiles",
        "effect": "Allow",
        "actions": ["s3:PutObject"],
        "resources": [f"arn:aws:s3:::{TRAIL_BUCKET}/AWSLogs/123456789012/*"],
        "principals": CLOUDTRAIL,
        "condition": [
            FROM_TRAIL,
            {"test": "StringEquals", "variable": "s3:x-amz-acl", "values": ["bucket-owner-full-control"]},
        ],
    }
    # The SecureBucket's own statements stay.
    assert {"DenyInsecureTransport", "DenyOutdatedTls"} <= set(statements)


def test_the_bucket_and_the_log_group_are_encrypted_with_the_key(resources):
    encryption = resources["aws_s3_bucket_server_side_encryption_configuration"]["tap_stack_trail_logs_encryption"]
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"]["kms_master_key_id"] == "${aws_kms_key.tap_stack_kms.arn}"
    log_group = resources["aws_cloudwatch_log_group"]["tap_stack_trail_log_group"]
    assert log_group == {
        **log_group,
        "name": f"/aws/cloudtrail/{PREFIX}",
        "kms_key_id": "${aws_kms_key.tap_stack_kms.arn}",
        "retention_in_days": 365,
    }


def test_only_this_trail_assumes_the_log_delivery_role(document, resources):
    assert resources["aws_iam_role"]["tap_stack_trail_role"]["name"] == f"{PREFIX}-us-east-1-cloudtrail"
    (trust,) = statements_of(document, "tap_stack_trail_role_trust").values()
    assert trust["principals"] == CLOUDTRAIL
    assert trust["actions"] == ["sts:AssumeRole"]
    assert trust["condition"] == [FROM_TRAIL]


def test_the_role_writes_only_to_the_trails_log_streams(document):
    assert statements_of(document, "tap_stack_trail_role_permissions") == {
        "DeliverToTrailLogGroup": {
            "sid": "DeliverToTrailLogGroup",
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "resources": ["${aws_cloudwatch_log_group.tap_stack_trail_log_group.arn}:log-stream:*"],
        }
    }


def test_the_key_policy_lets_only_this_trail_encrypt_and_describe(resources):
    policy = json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    statements = {s["Sid"]: s for s in policy["Statement"]}
    assert statements["CloudTrailEncryptsStackTrailLogs"] == {
        "Sid": "CloudTrailEncryptsStackTrailLogs",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey*"],
        "Resource": ["*"],
        "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
        "Condition": {
            "StringEquals": {"aws:SourceArn": [TRAIL_ARN]},
            "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": ["arn:aws:cloudtrail:*:123456789012:trail/*"]},
        },
    }
    assert statements["CloudTrailValidatesTheKey"] == {
        "Sid": "CloudTrailValidatesTheKey",
        "Effect": "Allow",
        "Action": ["kms:DescribeKey"],
        "Resource": ["*"],
        "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
        "Condition": {"StringEquals": {"aws:SourceArn": [TRAIL_ARN]}},
    }
    # The trail's bucket and log group are named in their services' grants, like every consumer.
    s3 = statements["S3EncryptsStackBuckets"]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:s3:arn"]
    assert f"arn:aws:s3:::{TRAIL_BUCKET}/*" in s3
    logs = statements["CloudWatchLogsEncryptsStackLogGroups"]["Condition"]["ArnEquals"]
    assert (
        f"arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/{PREFIX}"
        in (logs["kms:EncryptionContext:aws:logs:arn"])
    )


def test_without_data_event_resources_only_management_events_are_recorded(tmp_path):
    stack = harness.tiny_stack(tmp_path)
    AuditTrail(stack, trail_props(data_event_bucket_arns=(), data_event_table_arns=()))
    document = harness.synthesize(stack).document
    (selector,) = document["resource"]["aws_cloudtrail"]["tap_stack_trail"]["advanced_event_selector"]
    assert selector["name"] == "Management events"


def test_a_trail_outside_the_primary_region_is_refused():
    stack = TerraformStack(App(), "tap_stack")
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    with pytest.raises(ValueError) as raised:
        AuditTrail(RegionScope(stack, SECONDARY, secondary), trail_props())
    assert str(raised.value) == "tap_stack_trail: a multi-region trail is created once, in the primary region"


def test_outputs(synthesized, document):
    trail = synthesized.built
    assert trail.trail.terraform_resource_type == "aws_cloudtrail"
    assert trail.bucket.bucket.terraform_resource_type == "aws_s3_bucket"
    assert document["output"]["trail_arn"]["value"] == "${aws_cloudtrail.tap_stack_trail.arn}"
    assert document["output"]["trail_bucket"]["value"] == "${aws_s3_bucket.tap_stack_trail_logs.bucket}"
    assert document["output"]["trail_log_group_arn"]["value"] == (
        "${aws_cloudwatch_log_group.tap_stack_trail_log_group.arn}"
    )


def test_the_key_policy_names_the_trail(resources):
    policy = json.dumps(json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"]))
    assert f':trail/{PREFIX}-trail"' in policy


def test_checkov_passes_the_trail_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, TRAIL_CHECKS)
    assert failed == []
    assert {check for check, _ in passed} == set(TRAIL_CHECKS)
