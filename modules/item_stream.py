"""The item stream (`item_stream=kinesis`): every change of the item table in a region, written by
Kinesis Data Streams for DynamoDB into a Kinesis data stream in that region.

- DynamoDB streams a table only into a data stream of its own account and region. A global table's
  replica is a table of its region and needs a destination of its own, so the construct is
  region-agnostic: the stack builds one per region, each with that region's table (the primary's
  name, or a replica's) and key.
- The stream is encrypted with the region's customer-managed key (`encryption_type = "KMS"`); the
  key policy names the stream through Kinesis (`modules.encryption`), which is the path DynamoDB's
  service-linked role writes by.
- Capacity mode is an expression (a variable): ON_DEMAND, or PROVISIONED with a shard count that is
  sent only in that mode (`null` otherwise, as an on-demand stream refuses one).
- Records carry microsecond timestamps: Kinesis Data Streams for DynamoDB may deliver an item's
  changes out of order or twice, and a consumer orders them by `ApproximateCreationDateTime`.

The stack has no consumer of the stream, so there is no iterator-age alarm (the issue asks for one
where a consumer exists); whoever adds a consumer adds the alarm on its `GetRecords.IteratorAgeMilliseconds`.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Op, Token
from constructs import Construct

from modules.alerts import AlarmSpec
from tapgen.aws import aws

STREAM_MODES = ("ON_DEMAND", "PROVISIONED")
# Kinesis Data Streams' retention bounds, in hours (one day to one year).
RETENTION_HOURS = (24, 8760)


@dataclass(frozen=True, kw_only=True)
class ItemStreamProps:
    """`name` is the Terraform name of the stream (`tap_stack_item_stream`; the destination is
    `<name>_destination`), `stream_name` its physical name. `table_name` is the item table's name in
    this region: the primary table's `name`, or a replica's `TableReplica.name` (read from the
    replica's ARN, so the destination waits for the replica). `kms_key_arn` is this region's key.
    `stream_mode` is ON_DEMAND or PROVISIONED, `shard_count` the shards when PROVISIONED and
    `retention_hours` how long records stay readable; each a value or a Terraform expression."""

    name: str
    stream_name: str
    table_name: str
    kms_key_arn: str
    stream_mode: str
    shard_count: object
    retention_hours: object

    def __post_init__(self) -> None:
        if not Token.is_unresolved(self.stream_mode) and self.stream_mode not in STREAM_MODES:
            raise ValueError(
                f"{self.name}: stream_mode must be one of {', '.join(STREAM_MODES)}, not {self.stream_mode!r}"
            )
        low, high = RETENTION_HOURS
        if isinstance(self.retention_hours, int) and not low <= self.retention_hours <= high:
            raise ValueError(
                f"{self.name}: retention_hours must be between {low} and {high}, not {self.retention_hours}"
            )


class ItemStream(Construct):
    """Outputs: `stream` (`aws_kinesis_stream`), `arn`, `name` (the stream's), `destination`
    (`aws_dynamodb_kinesis_streaming_destination`) and `alarms` (writes the stream refused)."""

    def __init__(self, scope: Construct, props: ItemStreamProps) -> None:
        super().__init__(scope, props.name)
        provisioned = Op.eq(props.stream_mode, "PROVISIONED")
        self.stream = aws.kinesis_stream.KinesisStream(
            self,
            props.name,
            name=props.stream_name,
            encryption_type="KMS",
            kms_key_id=props.kms_key_arn,
            retention_period=props.retention_hours,
            stream_mode_details=aws.kinesis_stream.KinesisStreamStreamModeDetails(stream_mode=props.stream_mode),
            shard_count=Token.as_number(Fn.conditional(provisioned, props.shard_count, Token.null_value())),
        )
        self.arn = self.stream.arn
        self.name = self.stream.name
        self.destination = aws.dynamodb_kinesis_streaming_destination.DynamodbKinesisStreamingDestination(
            self,
            f"{props.name}_destination",
            table_name=props.table_name,
            stream_arn=self.stream.arn,
            approximate_creation_date_time_precision="MICROSECOND",
        )
        # A change record the stream refuses for lack of capacity waits in DynamoDB and arrives late
        # (a provisioned stream with too few shards, or an on-demand one growing past its doubling).
        self.alarms = (
            AlarmSpec(
                f"{props.name}_throttled_alarm",
                "The item stream refused change records for lack of capacity: they arrive late",
                "AWS/Kinesis",
                "WriteProvisionedThroughputExceeded",
                {"StreamName": self.stream.name},
                1,
            ),
        )
