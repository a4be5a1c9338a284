"""The item table as a global table: a primary with autoscaling and a replica in a second region."""

import pytest
from cdktf import TerraformVariable
from constructs import Construct

from modules.account import AwsAccount
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.item_table import CapacityRange, ItemTable, ItemTableProps
from modules.table_replica import TableReplica, TableReplicaProps
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PROTECTION = "${var.dynamodb_deletion_protection}"


def account(region: str) -> AwsAccount:
    return AwsAccount("123456789012", region, "aws", "amazonaws.com")


def item_table(scope: Construct, key_arn: str, protection, replicated: bool) -> ItemTable:
    return ItemTable(
        scope,
        ItemTableProps(
            name="tap_stack_data",
            table_name="tap-prod-items",
            kms_key_arn=key_arn,
            read_capacity=CapacityRange(5, 50),
            write_capacity=CapacityRange(5, 50),
            target_utilization_percent=70,
            deletion_protection=protection,
            replicated=replicated,
        ),
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("table_replica"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", region="us-west-2", alias="secondary")
    protection = TerraformVariable(stack, "dynamodb_deletion_protection", type="bool", default=True).boolean_value
    primary_key = EncryptionKey(
        stack,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap", description="k", account=account("us-east-1")),
    )
    table = item_table(stack, primary_key.arn, protection, replicated=True)
    region = RegionScope(stack, REGIONS[1], secondary)
    key = EncryptionKey(
        region,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap", description="k", account=account("us-west-2")),
    )
    TableReplica(
        region,
        TableReplicaProps(
            name="tap_stack_data",
            global_table_arn=table.arn,
            kms_key_arn=key.arn,
            deletion_protection=protection,
            depends_on=table.scaling_policies,
        ),
    )
    return harness.synthesize(stack)


@pytest.fixture(scope="module")
def replica(document) -> dict:
    return document["resource"]["aws_dynamodb_table_replica"]["tap_stack_data_secondary"]


def test_the_replica_joins_the_primary_table_with_its_regions_key_and_pitr(replica):
    assert replica["provider"] == "aws.secondary"
    assert replica["global_table_arn"] == "${aws_dynamodb_table.tap_stack_data.arn}"
    assert replica["kms_key_arn"] == "${aws_kms_key.tap_stack_kms_secondary.arn}"
    assert replica["point_in_time_recovery"] is True
    assert replica["deletion_protection_enabled"] == PROTECTION


def test_the_replica_waits_for_the_primarys_write_autoscaling(document, replica):
    policies = document["resource"]["aws_appautoscaling_policy"]
    assert policies["tap_stack_data_write_policy"]["name"] == "DynamoDBWriteAutoScalingPolicy"
    assert policies["tap_stack_data_read_policy"]["name"] == "DynamoDBReadAutoScalingPolicy"
    assert replica["depends_on"] == [
        "aws_appautoscaling_policy.tap_stack_data_read_policy",
        "aws_appautoscaling_policy.tap_stack_data_write_policy",
    ]


def test_the_primary_stays_provisioned_streams_both_images_and_leaves_replicas_to_dynamodb(document):
    table = document["resource"]["aws_dynamodb_table"]["tap_stack_data"]
    assert (table["billing_mode"], table["stream_enabled"], table["stream_view_type"]) == (
        "PROVISIONED",
        True,
        "NEW_AND_OLD_IMAGES",
    )
    assert "replica" not in table
    assert table["lifecycle"]["ignore_changes"] == ["read_capacity", "write_capacity", "replica"]


def test_dynamodb_alone_scales_the_replica(document):
    """DynamoDB registers the replica's targets and policies; a Terraform copy would be refused."""
    for rtype in ("aws_appautoscaling_target", "aws_appautoscaling_policy"):
        assert all("provider" not in body for body in document["resource"][rtype].values())


def test_an_unreplicated_table_is_unchanged(tmp_path):
    stack = harness.tiny_stack(tmp_path)
    item_table(stack, "arn:aws:kms:us-east-1:123456789012:key/k", True, replicated=False)
    table = harness.synthesize(stack).resources["aws_dynamodb_table"]["tap_stack_data"]
    assert table["lifecycle"] == {"ignore_changes": ["read_capacity", "write_capacity"]}


def test_a_replica_declares_the_throttle_alarms_of_its_region_on_the_global_tables_name():
    from modules.item_table import throttle_alarms

    reads, writes = throttle_alarms("tap-dev-items")
    assert (reads.metric, writes.metric) == ("ReadThrottleEvents", "WriteThrottleEvents")
    assert reads.dimensions == writes.dimensions == {"TableName": "tap-dev-items"}
