"""Who may act for which tenant: the grants table, filled from `var.tenant_grants`.

The CRUD function looks up the caller's IAM principal here (GetItem on `principal`) before any
item access; a missing item is no access. Grants are reviewed as code (tfvars) and written as one
table item per principal, so they are not limited by Lambda's 4 KB environment.

The table is the API's authorization database, so it is protected like the item table: the
stack's key, point-in-time recovery, deletion protection (the same variable), and an alarm on every
write (`write_alarm`: a grant added, changed or revoked, by Terraform or by anyone else). With
`compliance=on` the trail records its data events too.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, TerraformIterator, Token
from constructs import Construct

from modules.alerts import AlarmSpec
from modules.iam import Statement
from tapgen.aws import aws

HASH_KEY = "principal"
TENANTS = "tenants"


@dataclass(frozen=True, kw_only=True)
class TenantGrantsProps:
    """`grants` is the `map(list(string))` expression of principal ARN -> tenant ids (or ["*"]);
    `deletion_protection` a bool or a Terraform bool expression."""

    name: str
    table_name: str
    kms_key_arn: str
    grants: object
    deletion_protection: object = True


class TenantGrants(Construct):
    """Outputs: `table` (`aws_dynamodb_table`), `name`, `arn`, `write_alarm` (an `AlarmSpec`);
    `grant_read()`."""

    def __init__(self, scope: Construct, props: TenantGrantsProps) -> None:
        super().__init__(scope, props.name)
        ddb = aws.dynamodb_table
        self.table = ddb.DynamodbTable(
            self,
            props.name,
            name=props.table_name,
            billing_mode="PAY_PER_REQUEST",
            hash_key=HASH_KEY,
            attribute=[ddb.DynamodbTableAttribute(name=HASH_KEY, type="S")],
            point_in_time_recovery=ddb.DynamodbTablePointInTimeRecovery(enabled=True),
            deletion_protection_enabled=props.deletion_protection,
            server_side_encryption=ddb.DynamodbTableServerSideEncryption(enabled=True, kms_key_arn=props.kms_key_arn),
        )
        grants = TerraformIterator.from_map(Token.as_any_map(props.grants))
        aws.dynamodb_table_item.DynamodbTableItem(
            self,
            f"{props.name}_item",
            for_each=grants,
            table_name=self.table.name,
            hash_key=self.table.hash_key,
            item=Fn.jsonencode({HASH_KEY: {"S": grants.key}, TENANTS: {"SS": grants.value}}),
        )
        self.name = self.table.name
        self.arn = self.table.arn
        self.write_alarm = AlarmSpec(
            f"{props.name}_writes_alarm",
            "The tenant grants table was written: a grant was added, changed or revoked",
            "AWS/DynamoDB",
            "ConsumedWriteCapacityUnits",
            {"TableName": self.name},
            1,
        )

    def grant_read(self) -> Statement:
        """Look a principal's grants up (what the API function does before any data access)."""
        return Statement("ReadTenantGrants", ("dynamodb:GetItem",), (self.arn,))
