"""Cross-region replication of the log archive to two regions, with each region's key."""

import json

import pytest

from modules.account import AwsAccount
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.log_replication import (
    REPLICA_ACTIONS,
    SOURCE_OBJECT_ACTIONS,
    LogReplication,
    LogReplicationProps,
    ReplicaBucket,
)
from modules.secure_bucket import TAMPER_ACTIONS, ArchiveProtection, SecureBucket, SecureBucketProps
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

ACCOUNT_ID = "123456789012"
SOURCE_REGION = "us-east-1"
DESTINATION_REGIONS = {"secondary": "us-west-2", "tertiary": "eu-central-1"}


def account(region: str) -> AwsAccount:
    return AwsAccount(ACCOUNT_ID, region, "aws", "amazonaws.com")


def archive(scope, region: str) -> tuple[EncryptionKey, SecureBucket]:
    """A region's key and its log archive, as the stack builds them."""
    key = EncryptionKey(
        scope,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap", description="k", account=account(region)),
    )
    bucket = SecureBucket(
        scope,
        SecureBucketProps(
            name="tap_stack_logs",
            bucket_name=f"tap-logs-{region}",
            kms_key_arn=key.arn,
            expiration_days=365,
            archive=ArchiveProtection("", object_lock=False),
        ),
    )
    return key, bucket


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("log_replication"), SOURCE_REGION)
    source_key, source = archive(stack, SOURCE_REGION)
    destinations = []
    for slot, region in DESTINATION_REGIONS.items():
        provider = aws.provider.AwsProvider(stack, f"aws_{slot}", region=region, alias=slot)
        placed = RegionScope(stack, next(r for r in REGIONS if r.slot == slot), provider)
        key, bucket = archive(placed, region)
        destinations.append(ReplicaBucket(bucket.arn, key.arn, region, bucket.versioning))
    LogReplication(
        stack,
        LogReplicationProps(
            name="tap_stack_log_replication",
            role_name="tap-prod-us-east-1-log-replication",
            source_bucket_id=source.id,
            source_bucket_arn=source.arn,
            source_kms_key_arn=source_key.arn,
            source_versioning=source.versioning,
            destinations=tuple(destinations),
            account=account(SOURCE_REGION),
        ),
    )
    return harness.synthesize(stack)


@pytest.fixture(scope="module")
def configuration(document) -> dict:
    return document["resource"]["aws_s3_bucket_replication_configuration"]["tap_stack_log_replication"]


def statements_of(document: dict, name: str) -> dict[str, dict]:
    return {s["sid"]: s for s in document["data"]["aws_iam_policy_document"][name]["statement"]}


def conditions_of(statement: dict) -> dict[str, tuple[str, list[str]]]:
    return {c["variable"]: (c["test"], c["values"]) for c in statement.get("condition", [])}


def test_one_rule_per_destination_covers_the_whole_bucket_with_delete_markers_and_kms_objects(configuration):
    assert "provider" not in configuration  # on the source bucket's (primary) provider
    assert configuration["bucket"] == "${aws_s3_bucket.tap_stack_logs.id}"
    assert configuration["role"] == "${aws_iam_role.tap_stack_log_replication_role.arn}"
    rules = configuration["rule"]
    assert [rule["priority"] for rule in rules] == [1, 2]
    assert len({rule["id"] for rule in rules}) == 2
    for rule, slot in zip(rules, DESTINATION_REGIONS, strict=True):
        assert rule["status"] == "Enabled"
        assert rule["filter"] == {}
        assert rule["delete_marker_replication"] == {"status": "Enabled"}
        assert rule["source_selection_criteria"] == {"sse_kms_encrypted_objects": {"status": "Enabled"}}
        assert rule["destination"] == {
            "bucket": f"${{aws_s3_bucket.tap_stack_logs_{slot}.arn}}",
            "storage_class": "STANDARD",
            "encryption_configuration": {"replica_kms_key_id": f"${{aws_kms_key.tap_stack_kms_{slot}.arn}}"},
        }


def test_replication_waits_for_versioning_on_every_bucket_and_for_the_roles_policy(configuration):
    assert configuration["depends_on"] == [
        "aws_s3_bucket_versioning.tap_stack_logs_versioning",
        "aws_s3_bucket_versioning.tap_stack_logs_versioning_secondary",
        "aws_s3_bucket_versioning.tap_stack_logs_versioning_tertiary",
        "aws_iam_role_policy.tap_stack_log_replication_role_policy",
    ]


def test_only_s3_assumes_the_role_and_only_for_the_source_bucket(document):
    (trust,) = statements_of(document, "tap_stack_log_replication_role_trust").values()
    assert trust["principals"] == [{"type": "Service", "identifiers": ["s3.amazonaws.com"]}]
    assert trust["condition"] == [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
        {"test": "ArnLike", "variable": "aws:SourceArn", "values": ["${aws_s3_bucket.tap_stack_logs.arn}"]},
    ]


def test_the_role_reads_only_the_source_and_writes_only_replicas(document):
    statements = statements_of(document, "tap_stack_log_replication_role_permissions")
    assert statements["ReadReplicationConfiguration"]["resources"] == ["${aws_s3_bucket.tap_stack_logs.arn}"]
    assert statements["ReadSourceVersions"]["actions"] == list(SOURCE_OBJECT_ACTIONS)
    assert statements["ReadSourceVersions"]["resources"] == ["${aws_s3_bucket.tap_stack_logs.arn}/*"]
    assert statements["WriteReplicas"]["actions"] == list(REPLICA_ACTIONS)
    assert statements["WriteReplicas"]["resources"] == [
        f"${{aws_s3_bucket.tap_stack_logs_{slot}.arn}}/*" for slot in DESTINATION_REGIONS
    ]
    assert all("*" not in s["resources"] for s in statements.values())


def test_each_key_is_used_only_through_s3_in_its_region_for_its_bucket(document):
    statements = statements_of(document, "tap_stack_log_replication_role_permissions")
    expected = {
        "DecryptSourceObjects": ("kms:Decrypt", "", SOURCE_REGION),
        "EncryptReplicas1": ("kms:Encrypt", "_secondary", "us-west-2"),
        "EncryptReplicas2": ("kms:Encrypt", "_tertiary", "eu-central-1"),
    }
    for sid, (action, suffix, region) in expected.items():
        statement = statements[sid]
        bucket = f"${{aws_s3_bucket.tap_stack_logs{suffix}.arn}}"
        assert statement["actions"] == [action]
        assert statement["resources"] == [f"${{aws_kms_key.tap_stack_kms{suffix}.arn}}"]
        assert conditions_of(statement) == {
            "kms:ViaService": ("StringEquals", [f"s3.{region}.amazonaws.com"]),
            "kms:EncryptionContext:aws:s3:arn": ("ArnLike", [bucket, f"{bucket}/*"]),
        }


def test_the_archives_tamper_protection_does_not_block_replication():
    """S3 authorises replication by these actions; a replicated delete marker is ReplicateDelete."""
    assert not set(TAMPER_ACTIONS) & {*SOURCE_OBJECT_ACTIONS, *REPLICA_ACTIONS}


@pytest.mark.parametrize(
    ("suffix", "region", "bucket"),
    [("", SOURCE_REGION, "tap-logs-us-east-1"), ("_secondary", "us-west-2", "tap-logs-us-west-2")],
)
def test_each_regions_key_policy_lets_the_role_use_it_through_s3_for_its_bucket(document, suffix, region, bucket):
    """The role's key use is also allowed by the key policy derived from the bucket encrypted with it."""
    policy = json.loads(document["resource"]["aws_kms_key"][f"tap_stack_kms{suffix}"]["policy"])
    (grant,) = [s for s in policy["Statement"] if s["Sid"] == "S3EncryptsStackBuckets"]
    assert {"kms:Encrypt", "kms:Decrypt"} <= set(grant["Action"])
    assert grant["Principal"] == {"AWS": [f"arn:aws:iam::{ACCOUNT_ID}:root"]}
    assert grant["Condition"]["StringEquals"]["kms:ViaService"] == [f"s3.{region}.amazonaws.com"]
    assert grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:s3:arn"] == [
        f"arn:aws:s3:::{bucket}",
        f"arn:aws:s3:::{bucket}/*",
    ]


def test_replication_needs_a_destination():
    with pytest.raises(ValueError, match="at least one destination"):
        LogReplicationProps(
            name="tap_stack_log_replication",
            role_name="r",
            source_bucket_id="b",
            source_bucket_arn="arn",
            source_kms_key_arn="k",
            source_versioning=None,
            destinations=(),
            account=account(SOURCE_REGION),
        )
