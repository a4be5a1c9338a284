"""The stack's customer-managed KMS key: rotation on, an alias, and a key policy per consumer."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, Principal, Statement, key_policy_json, service_principal
from tapgen.aws import aws

KEY_USE = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")


@dataclass(frozen=True)
class EncryptionKeyProps:
    name: str
    alias_name: str
    description: str
    account: AwsAccount
    deletion_window_days: int = 30


def key_policy_statements(account: AwsAccount) -> list[Statement]:
    """Account administration through IAM, plus exactly the services that encrypt with the key
    on their own behalf (CloudWatch Logs for log groups, CloudWatch alarms publishing to the
    encrypted SNS topic). S3, DynamoDB, Secrets Manager, SNS, Firehose and Lambda use the key on
    behalf of an IAM principal, which the account statement lets IAM policies grant."""
    return [
        Statement(
            "AccountAdministersKeyThroughIam",
            ("kms:*",),
            ("*",),
            principals=(Principal("AWS", (account.root_principal,)),),
        ),
        Statement(
            "CloudWatchLogsEncryptsLogGroups",
            KEY_USE,
            ("*",),
            principals=(service_principal(account.service_host("logs")),),
            conditions=(
                Condition("ArnLike", "kms:EncryptionContext:aws:logs:arn", (account.arn("logs", "log-group:*"),)),
            ),
        ),
        Statement(
            "CloudWatchAlarmsPublishToEncryptedTopic",
            ("kms:Decrypt", "kms:GenerateDataKey*"),
            ("*",),
            principals=(service_principal("cloudwatch.amazonaws.com"),),
            conditions=(Condition("StringEquals", "aws:SourceAccount", (account.account_id,)),),
        ),
    ]


class EncryptionKey(Construct):
    """Outputs: `key` (`aws_kms_key`), `alias` (`aws_kms_alias`), `arn`."""

    def __init__(self, scope: Construct, props: EncryptionKeyProps) -> None:
        super().__init__(scope, props.name)
        self.key = aws.kms_key.KmsKey(
            self,
            props.name,
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=key_policy_json(key_policy_statements(props.account)),
        )
        self.alias = aws.kms_alias.KmsAlias(
            self, f"{props.name}_alias", name=props.alias_name, target_key_id=self.key.key_id
        )
        self.arn = self.key.arn
