"""The item table: tenant/item keys, TTL, PITR, CMK encryption, a stream and capacity autoscaling."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.autoscaling import target_tracking_policy
from modules.iam import Condition, Statement
from tapgen.aws import aws

HASH_KEY = "tenant_id"
RANGE_KEY = "item_id"
TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class CapacityRange:
    """Provisioned capacity bounds (numbers or Terraform number expressions)."""

    minimum: float
    maximum: float


@dataclass(frozen=True)
class ScalingDimension:
    """One autoscaled capacity dimension; `policy_name` is part of the naming contract."""

    key: str
    dimension: str
    metric: str
    policy_name: str


READ = ScalingDimension(
    "read", "dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization", "DynamoDBReadAutoScalingPolicy"
)
WRITE = ScalingDimension(
    "write", "dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization", "DynamoDBWriteAutoScalingPolicy"
)


@dataclass(frozen=True, kw_only=True)
class ItemTableProps:
    name: str
    table_name: str
    kms_key_arn: str
    read_capacity: CapacityRange
    write_capacity: CapacityRange
    target_utilization_percent: float
    # DynamoDB refuses DeleteTable while this is on, so `terraform destroy` stops at the table
    # until it is turned off (and applied). A bool or a Terraform bool expression.
    deletion_protection: object = True
    # True when `modules.table_replica.TableReplica`s make this table a global table: DynamoDB then
    # reports them in the table's `replica` attribute, which Terraform must not try to remove.
    replicated: bool = False


# What the CRUD function does to items (lambda_src/crud/items_api/store.py): reads, queries and
# conditional puts; a delete is a tombstone put, and DynamoDB's TTL removes it.
ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
)


class ItemTableGrants:
    """The grants on the item table, for the table and for its replica in a region (each sets
    `arn` and `name`): statements for the role of whoever needs them."""

    arn: str
    name: str

    def grant_items(self) -> Statement:
        """Read, query and conditionally write items (`ITEM_ACTIONS`)."""
        return Statement("ReadWriteItems", ITEM_ACTIONS, (self.arn,))

    def grant_describe(self) -> Statement:
        """Describe the table: whether it is reachable, nothing of its items."""
        return Statement("DescribeItemTable", ("dynamodb:DescribeTable",), (self.arn,))

    def grant_key_use(self, kms_key_arn: str, account: AwsAccount) -> Statement:
        """Use of `kms_key_arn` through DynamoDB on this table only: DynamoDB names the table in the
        encryption context of every key use on its behalf."""
        return Statement(
            "UseTableKey",
            ("kms:Decrypt", "kms:GenerateDataKey"),
            (kms_key_arn,),
            conditions=(
                Condition("StringEquals", "kms:ViaService", (account.service_host("dynamodb"),)),
                Condition("StringEquals", "kms:EncryptionContext:aws:dynamodb:tableName", (self.name,)),
            ),
        )


class ItemTable(ItemTableGrants, Construct):
    """Outputs: `table` (`aws_dynamodb_table`), `name`, `arn`, `stream_arn`, `scaling_policies`
    (read, write), which a replica must wait for, and `alarms` (`throttle_alarms`); the
    `ItemTableGrants`."""

    def __init__(self, scope: Construct, props: ItemTableProps) -> None:
        super().__init__(scope, props.name)
        ddb = aws.dynamodb_table
        # Autoscaling owns the capacity after creation, and DynamoDB the replicas' own settings.
        ignored = ["read_capacity", "write_capacity", *(["replica"] if props.replicated else [])]
        self.table = ddb.DynamodbTable(
            self,
            props.name,
            name=props.table_name,
            billing_mode="PROVISIONED",
            read_capacity=props.read_capacity.minimum,
            write_capacity=props.write_capacity.minimum,
            hash_key=HASH_KEY,
            range_key=RANGE_KEY,
            attribute=[
                ddb.DynamodbTableAttribute(name=HASH_KEY, type="S"),
                ddb.DynamodbTableAttribute(name=RANGE_KEY, type="S"),
            ],
            ttl=ddb.DynamodbTableTtl(attribute_name=TTL_ATTRIBUTE, enabled=True),
            point_in_time_recovery=ddb.DynamodbTablePointInTimeRecovery(enabled=True),
            server_side_encryption=ddb.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=props.kms_key_arn),
            stream_enabled=True,
            stream_view_type="NEW_AND_OLD_IMAGES",
            deletion_protection_enabled=props.deletion_protection,
            lifecycle={"ignore_changes": ignored},
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.stream_arn = self.table.stream_arn
        self.alarms = throttle_alarms(self.name)
        self.scaling_policies = (
            self._autoscale(props, READ, props.read_capacity),
            self._autoscale(props, WRITE, props.write_capacity),
        )

    def _autoscale(self, props: ItemTableProps, dim: ScalingDimension, capacity: CapacityRange):
        target = aws.appautoscaling_target.AppautoscalingTarget(
            self,
            f"{props.name}_{dim.key}_target",
            service_namespace="dynamodb",
            resource_id=f"table/{self.table.name}",
            scalable_dimension=dim.dimension,
            min_capacity=capacity.minimum,
            max_capacity=capacity.maximum,
        )
        return target_tracking_policy(
            self,
            f"{props.name}_{dim.key}_policy",
            dim.policy_name,
            target,
            props.target_utilization_percent,
            dim.metric,
        )


def throttle_alarms(table_name: str) -> tuple[AlarmSpec, ...]:
    """Any throttled read or write of the item table (or of its replica in a region)."""
    dimensions = {"TableName": table_name}
    return (
        AlarmSpec(
            "tap_stack_data_read_throttles_alarm",
            "Item table throttled reads",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            dimensions,
            1,
        ),
        AlarmSpec(
            "tap_stack_data_write_throttles_alarm",
            "Item table throttled writes",
            "AWS/DynamoDB",
            "WriteThrottleEvents",
            dimensions,
            1,
        ),
    )
