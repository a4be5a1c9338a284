"""The item stream, synthesized in a tiny two-region stack (primary: key and item table; secondary:
key and the table's replica; each region its stream); checked on the JSON, by `terraform validate`
and by checkov."""

import json

import pytest
from cdktf import TerraformLocal, TerraformOutput, TerraformVariable
from constructs import Construct

from modules.account import AwsAccount
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.item_stream import ItemStream, ItemStreamProps
from modules.item_table import CapacityRange, ItemTable, ItemTableProps
from modules.table_replica import TableReplica, TableReplicaProps
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tapgen.security import rules
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNTS = {
    PRIMARY: AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com"),
    SECONDARY: AwsAccount("123456789012", "us-west-2", "aws", "amazonaws.com"),
}
PREFIX = "${local.name_prefix}"
STREAM_NAME = f"{PREFIX}-items"
SHARDS_WHEN_PROVISIONED = '${(var.item_stream_mode == "PROVISIONED") ? var.item_stream_shards : null}'
# What the construct must satisfy in checkov (the table and replica are not under test here).
STREAM_CHECKS = (
    "CKV_AWS_43",  # the stream is encrypted
    "CKV_AWS_185",  # ... with a customer-managed key
)


def stream_in(scope: Construct, table_name: str, key_arn: str, variables: dict) -> ItemStream:
    return ItemStream(
        scope,
        ItemStreamProps(
            name="tap_stack_item_stream",
            stream_name=STREAM_NAME,
            table_name=table_name,
            kms_key_arn=key_arn,
            stream_mode=variables["item_stream_mode"].string_value,
            shard_count=variables["item_stream_shards"].number_value,
            retention_hours=variables["item_stream_retention_hours"].number_value,
        ),
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[dict]:
    """The tiny stack, synthesized, with the item stream of each region."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("item_stream"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    TerraformLocal(stack, "name_prefix", "tap-dev")
    variables = {
        "item_stream_mode": TerraformVariable(stack, "item_stream_mode", type="string", default="ON_DEMAND"),
        "item_stream_shards": TerraformVariable(stack, "item_stream_shards", type="number", default=1),
        "item_stream_retention_hours": TerraformVariable(
            stack, "item_stream_retention_hours", type="number", default=24
        ),
    }
    scopes = {PRIMARY: RegionScope(stack, PRIMARY, None), SECONDARY: RegionScope(stack, SECONDARY, secondary)}
    keys = {
        region: EncryptionKey(
            scope,
            EncryptionKeyProps(
                name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNTS[region]
            ),
        ).arn
        for region, scope in scopes.items()
    }
    table = ItemTable(
        scopes[PRIMARY],
        ItemTableProps(
            name="tap_stack_data",
            table_name="tap-dev-items",
            kms_key_arn=keys[PRIMARY],
            read_capacity=CapacityRange(5, 50),
            write_capacity=CapacityRange(5, 50),
            target_utilization_percent=70,
            replicated=True,
        ),
    )
    replica = TableReplica(
        scopes[SECONDARY],
        TableReplicaProps(
            name="tap_stack_data",
            global_table_arn=table.arn,
            kms_key_arn=keys[SECONDARY],
            depends_on=table.scaling_policies,
        ),
    )
    streams = {
        PRIMARY: stream_in(scopes[PRIMARY], table.name, keys[PRIMARY], variables),
        SECONDARY: stream_in(scopes[SECONDARY], replica.name, keys[SECONDARY], variables),
    }
    # How the outputs resolve once the stack hands them on.
    TerraformOutput(stack, "item_stream_arn", value=streams[PRIMARY].arn)
    TerraformOutput(stack, "item_stream_name", value=streams[PRIMARY].name)
    return harness.synthesize(stack, streams)


@pytest.mark.parametrize(
    ("stream", "key"),
    [
        ("tap_stack_item_stream", "tap_stack_kms"),
        ("tap_stack_item_stream_secondary", "tap_stack_kms_secondary"),
    ],
)
def test_each_regions_stream_is_encrypted_with_its_regions_key(resources, stream, key):
    body = resources["aws_kinesis_stream"][stream]
    assert body["name"] == STREAM_NAME
    assert (body["encryption_type"], body["kms_key_id"]) == ("KMS", f"${{aws_kms_key.{key}.arn}}")


def test_the_capacity_mode_and_retention_come_from_the_variables(resources):
    for body in resources["aws_kinesis_stream"].values():
        assert body["stream_mode_details"] == {"stream_mode": "${var.item_stream_mode}"}
        assert body["shard_count"] == SHARDS_WHEN_PROVISIONED
        assert body["retention_period"] == "${var.item_stream_retention_hours}"


def test_the_primary_table_streams_into_the_primary_stream(resources):
    destination = resources["aws_dynamodb_kinesis_streaming_destination"]["tap_stack_item_stream_destination"]
    assert destination == {
        **destination,
        "table_name": "${aws_dynamodb_table.tap_stack_data.name}",
        "stream_arn": "${aws_kinesis_stream.tap_stack_item_stream.arn}",
        "approximate_creation_date_time_precision": "MICROSECOND",
    }
    assert "provider" not in destination


def test_the_replica_streams_into_its_own_regions_stream(resources):
    destination = resources["aws_dynamodb_kinesis_streaming_destination"]["tap_stack_item_stream_destination_secondary"]
    assert destination["provider"] == "aws.secondary"
    # The global table's name, read from the replica's ARN: the destination waits for the replica.
    assert (
        destination["table_name"]
        == '${element(split("/", aws_dynamodb_table_replica.tap_stack_data_secondary.arn), 1)}'
    )
    assert destination["stream_arn"] == "${aws_kinesis_stream.tap_stack_item_stream_secondary.arn}"
    assert resources["aws_kinesis_stream"]["tap_stack_item_stream_secondary"]["provider"] == "aws.secondary"


@pytest.mark.parametrize(("key", "region"), [("tap_stack_kms", "us-east-1"), ("tap_stack_kms_secondary", "us-west-2")])
def test_each_regions_key_lets_kinesis_use_it_for_that_regions_stream_only(resources, key, region):
    policy = json.loads(resources["aws_kms_key"][key]["policy"])
    (grant,) = [s for s in policy["Statement"] if s["Sid"] == "KinesisEncryptsStackStreams"]
    assert grant == {
        "Sid": "KinesisEncryptsStackStreams",
        "Effect": "Allow",
        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
        "Resource": ["*"],
        "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]},
        "Condition": {
            "StringEquals": {
                "kms:ViaService": [f"kinesis.{region}.amazonaws.com"],
                "kms:CallerAccount": ["123456789012"],
            },
            "ArnEquals": {
                "kms:EncryptionContext:aws:kinesis:arn": [f"arn:aws:kinesis:{region}:123456789012:stream/{STREAM_NAME}"]
            },
        },
    }


def test_a_key_without_a_stream_has_no_kinesis_grant(tmp_path):
    stack = harness.tiny_stack(tmp_path)
    EncryptionKey(
        stack,
        EncryptionKeyProps(
            name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNTS[PRIMARY]
        ),
    )
    policy = json.loads(harness.synthesize(stack).resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    assert "KinesisEncryptsStackStreams" not in {s["Sid"] for s in policy["Statement"]}


def test_outputs(synthesized, document):
    stream = synthesized.built[PRIMARY]
    assert stream.stream.terraform_resource_type == "aws_kinesis_stream"
    assert stream.destination.terraform_resource_type == "aws_dynamodb_kinesis_streaming_destination"
    assert document["output"]["item_stream_arn"]["value"] == "${aws_kinesis_stream.tap_stack_item_stream.arn}"
    assert document["output"]["item_stream_name"]["value"] == "${aws_kinesis_stream.tap_stack_item_stream.name}"


def test_a_stream_the_key_policy_does_not_name_is_found(document):
    key = document["resource"]["aws_kms_key"]["tap_stack_kms"]
    policy = json.loads(key["policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "KinesisEncryptsStackStreams"]
    unnamed = {
        **document,
        "resource": {
            **document["resource"],
            "aws_kms_key": {
                **document["resource"]["aws_kms_key"],
                "tap_stack_kms": {**key, "policy": json.dumps(policy)},
            },
        },
    }
    assert [(f.rule, f.address, f.message) for f in rules.kms_key_policies_name_every_consumer(unnamed)] == [
        (
            "kms_key_policies_name_every_consumer",
            "aws_kinesis_stream.tap_stack_item_stream",
            "encrypted with aws_kms_key.tap_stack_kms, whose policy does not name it",
        )
    ]


@pytest.mark.parametrize(
    ("mode", "retention", "message"),
    [
        ("SHARDED", 24, "tap_stack_item_stream: stream_mode must be one of ON_DEMAND, PROVISIONED, not 'SHARDED'"),
        ("ON_DEMAND", 23, "tap_stack_item_stream: retention_hours must be between 24 and 8760, not 23"),
        ("PROVISIONED", 8761, "tap_stack_item_stream: retention_hours must be between 24 and 8760, not 8761"),
    ],
)
def test_a_literal_mode_or_retention_out_of_range_is_refused(mode, retention, message):
    with pytest.raises(ValueError) as refused:
        ItemStreamProps(
            name="tap_stack_item_stream",
            stream_name="tap-dev-items",
            table_name="tap-dev-items",
            kms_key_arn="key",
            stream_mode=mode,
            shard_count=1,
            retention_hours=retention,
        )
    assert str(refused.value) == message


def test_literal_values_within_range_are_accepted(tmp_path):
    stack = harness.tiny_stack(tmp_path)
    ItemStream(
        stack,
        ItemStreamProps(
            name="tap_stack_item_stream",
            stream_name="tap-dev-items",
            table_name="tap-dev-items",
            kms_key_arn="key",
            stream_mode="PROVISIONED",
            shard_count=2,
            retention_hours=8760,
        ),
    )
    stream = harness.synthesize(stack).resources["aws_kinesis_stream"]["tap_stack_item_stream"]
    assert (stream["stream_mode_details"], stream["retention_period"]) == ({"stream_mode": "PROVISIONED"}, 8760)
    assert stream["shard_count"] == '${("PROVISIONED" == "PROVISIONED") ? 2 : null}'


def test_checkov_passes_the_stream_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, STREAM_CHECKS)
    assert failed == []
    # checkov names a resource of a JSON configuration `resource.<name>`.
    assert {(check, resource.rsplit(".", 1)[-1]) for check, resource in passed} == {
        (check, name)
        for check in STREAM_CHECKS
        for name in ("tap_stack_item_stream", "tap_stack_item_stream_secondary")
    }
