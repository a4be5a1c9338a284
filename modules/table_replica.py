"""A replica of the item table in another region: one member of a DynamoDB global table (version
2019.11.21), created from the primary table's region by `aws_dynamodb_table_replica`.

Billing and autoscaling, so that the table and its replicas come up in one apply:

- The primary table (`modules.item_table.ItemTable` with `replicated=True`) stays PROVISIONED with its
  Application Auto Scaling targets and the policies DynamoDBReadAutoScalingPolicy and
  DynamoDBWriteAutoScalingPolicy, unchanged. DynamoDB refuses to add a replica to a provisioned table
  whose write capacity is not auto scaled ("Table write capacity should either be Pay-Per-Request or
  AutoScaled"), so each replica waits for the primary's scaling policies (`depends_on`). It also waits
  for the previous replica: a table takes one replica change at a time.
- A replica has no autoscaling resources of its own in Terraform. For a provisioned global table,
  minimum, maximum and target utilisation are set once for the table and DynamoDB passes them to every
  replica: adding a replica registers that region's scalable targets and target-tracking policies, read
  and write. A second target-tracking policy for the same metric is refused ("Only one
  TargetTrackingScaling policy for a given metric specification is allowed",
  hashicorp/terraform-provider-aws#41179), and a Terraform copy would fight DynamoDB's synchronisation.
  The cost of this: those targets and policies are not in Terraform state, so they are neither planned
  nor removed with the replica (AWS leaves a removed replica's scalable targets, policies and alarms in
  place), and later changes of the primary's bounds are not pushed to existing replicas (the API for
  that, UpdateTableReplicaAutoScaling, has no Terraform resource).

Each replica is encrypted with its own region's customer-managed key (changing it replaces the
replica), keeps point-in-time recovery on, and carries deletion protection like the primary: DynamoDB
refuses to remove a protected replica, so `terraform destroy` stops there until protection is turned
off and applied. `aws_dynamodb_table_replica` has no `propagate_tags` (that belongs to the primary's
inline `replica` block, which this design does not use); the provider's default tags of the replica's
region tag it instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Token
from constructs import Construct

from modules.item_table import ItemTableGrants, throttle_alarms
from tapgen.aws import aws


@dataclass(frozen=True, kw_only=True)
class TableReplicaProps:
    """`name` is the Terraform name of the replica (the primary table's, e.g. `tap_stack_data`; the
    region placement adds the suffix). `global_table_arn` is the primary table's ARN, `kms_key_arn`
    the replica region's key. `deletion_protection` is a bool or a Terraform bool expression.
    `depends_on`: the primary's scaling policies, and the replica created before this one."""

    name: str
    global_table_arn: str
    kms_key_arn: str
    deletion_protection: object = True
    depends_on: tuple = ()


class TableReplica(ItemTableGrants, Construct):
    """Outputs: `replica` (`aws_dynamodb_table_replica`), `arn` (the replica table's ARN) and `name`
    (the global table's name, read from that ARN so that a user of it waits for the replica), and
    `alarms` (the replica's throttles, `modules.item_table.throttle_alarms`)."""

    def __init__(self, scope: Construct, props: TableReplicaProps) -> None:
        super().__init__(scope, props.name)
        self.replica = aws.dynamodb_table_replica.DynamodbTableReplicaA(
            self,
            props.name,
            global_table_arn=props.global_table_arn,
            kms_key_arn=props.kms_key_arn,
            point_in_time_recovery=True,
            deletion_protection_enabled=props.deletion_protection,
            depends_on=list(props.depends_on) or None,
        )
        self.arn = self.replica.arn
        self.name = Token.as_string(Fn.element(Fn.split("/", self.arn), 1))
        self.alarms = throttle_alarms(self.name)
