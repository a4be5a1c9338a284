"""Audit archive: CloudWatch log groups stream through Kinesis Data Firehose into the log bucket.

Each archived log group gets a subscription filter; Firehose writes the (already gzip-compressed)
CloudWatch Logs batches under `cloudwatch-logs/`, encrypted with the stack's key.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement
from tapgen.aws import aws

OBJECT_PREFIX = "cloudwatch-logs/"
ERROR_PREFIX = "cloudwatch-logs-errors/!{firehose:error-output-type}/"
BUFFER_MB = 5
BUFFER_SECONDS = 300


@dataclass(frozen=True)
class AuditLogsProps:
    name: str
    stream_name: str
    firehose_role_name: str
    subscription_role_name: str
    bucket_arn: str
    kms_key_arn: str
    account: AwsAccount
    bucket_ready: tuple[object, ...] = ()


class AuditLogs(Construct):
    """Outputs: `stream` (`aws_kinesis_firehose_delivery_stream`); `archive()` subscribes a log group."""

    def __init__(self, scope: Construct, props: AuditLogsProps) -> None:
        super().__init__(scope, props.name)
        firehose_role = ServiceRole(
            self,
            ServiceRoleProps(
                f"{props.name}_firehose_role",
                props.firehose_role_name,
                "firehose.amazonaws.com",
                firehose_statements(props),
                trust_conditions=(Condition("StringEquals", "sts:ExternalId", (props.account.account_id,)),),
            ),
        )
        fh = aws.kinesis_firehose_delivery_stream
        self.stream = fh.KinesisFirehoseDeliveryStream(
            self,
            props.name,
            name=props.stream_name,
            destination="extended_s3",
            server_side_encryption=fh.KinesisFirehoseDeliveryStreamServerSideEncryption(
                enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=props.kms_key_arn
            ),
            extended_s3_configuration=fh.KinesisFirehoseDeliveryStreamExtendedS3Configuration(
                role_arn=firehose_role.role.arn,
                bucket_arn=props.bucket_arn,
                prefix=OBJECT_PREFIX,
                error_output_prefix=ERROR_PREFIX,
                buffering_size=BUFFER_MB,
                buffering_interval=BUFFER_SECONDS,
                compression_format="UNCOMPRESSED",
                kms_key_arn=props.kms_key_arn,
            ),
            depends_on=[firehose_role.policy, *props.bucket_ready],
        )
        self._subscription_role = ServiceRole(
            self,
            ServiceRoleProps(
                f"{props.name}_subscription_role",
                props.subscription_role_name,
                props.account.service_host("logs"),
                (Statement("DeliverToArchive", ("firehose:PutRecord", "firehose:PutRecordBatch"), (self.stream.arn,)),),
                trust_conditions=(Condition("ArnLike", "aws:SourceArn", (props.account.arn("logs", "log-group:*"),)),),
            ),
        )

    def archive(self, name: str, log_group) -> None:
        """Subscribe `log_group` to the archive with a filter named `name` (a Terraform name)."""
        aws.cloudwatch_log_subscription_filter.CloudwatchLogSubscriptionFilter(
            self,
            name,
            name="audit-archive",
            log_group_name=log_group.name,
            filter_pattern="",
            destination_arn=self.stream.arn,
            role_arn=self._subscription_role.role.arn,
            depends_on=[self._subscription_role.policy],
        )


def firehose_statements(props: AuditLogsProps) -> tuple[Statement, ...]:
    via_s3 = Condition("StringEquals", "kms:ViaService", (props.account.service_host("s3"),))
    return (
        Statement(
            "WriteArchiveObjects",
            (
                "s3:AbortMultipartUpload",
                "s3:GetBucketLocation",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:ListBucketMultipartUploads",
                "s3:PutObject",
            ),
            (props.bucket_arn, f"{props.bucket_arn}/*"),
        ),
        Statement(
            "EncryptArchiveObjects", ("kms:GenerateDataKey", "kms:Decrypt"), (props.kms_key_arn,), conditions=(via_s3,)
        ),
    )
