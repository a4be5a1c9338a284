"""Audit archive: CloudWatch log groups stream through Kinesis Data Firehose into the log bucket.

Each archived log group gets a subscription filter. CloudWatch Logs hands Firehose gzip-compressed
batches of log events; Firehose's own processors decompress them, keep each event's message and
end it with a newline, so the archive holds one log record (one JSON document, for the stack's
functions and access logs) per line, which Athena reads as it is (`modules/log_analytics.py`). The
objects land under `cloudwatch-logs/events/day=<arrival day, UTC>/`, encrypted with the stack's key.

Failures are visible: Firehose logs every delivery error to its own encrypted log group (with a
retention), and two alarms fire on the alerts topic, one when an S3 delivery fails
(`DeliveryToS3.Success` below 1) and one when records wait longer than three buffer intervals
(`DeliveryToS3.DataFreshness`), which is what retried failures look like.

The log-subscription role trusts CloudWatch Logs only for the log groups this archive subscribes
(`aws:SourceArn`): the list is completed when the stack is resolved, after every `archive()` call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jsii
from cdktf import IListProducer, IResolveContext, Lazy
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement
from modules.log_group import LogGroupProps, encrypted_log_group
from tapgen.aws import aws

OBJECT_PREFIX = "cloudwatch-logs/"
# The one partition of the archive: the UTC day Firehose received the record. The date pattern is
# Java's, which both Firehose's `!{timestamp:...}` prefixes and Athena's date projection read.
EVENTS_PREFIX = f"{OBJECT_PREFIX}events/"
PARTITION_KEY = "day"
DAY_FORMAT = "yyyy-MM-dd"
# Firehose Developer Guide, "Decompress CloudWatch Logs" and "Extract message after decompression
# of CloudWatch Logs": the Decompression processor, then CloudWatchLogProcessing with
# DataMessageExtraction keeps only each log event's message; AppendDelimiterToRecord ends each
# record with a newline.
PROCESSORS: tuple[tuple[str, dict[str, str]], ...] = (
    ("Decompression", {"CompressionFormat": "GZIP"}),
    ("CloudWatchLogProcessing", {"DataMessageExtraction": "true"}),
    ("AppendDelimiterToRecord", {}),
)
ERROR_PREFIX = "cloudwatch-logs-errors/!{firehose:error-output-type}/"
BUFFER_MB = 5
BUFFER_SECONDS = 300
# The log stream Firehose writes S3 delivery errors to (the name the console uses).
ERROR_LOG_STREAM = "DestinationDelivery"
# Records older than this many seconds mean deliveries keep failing and are being retried.
FRESHNESS_ALARM_SECONDS = 3 * BUFFER_SECONDS


@dataclass(frozen=True, kw_only=True)
class AuditLogsProps:
    name: str
    stream_name: str
    firehose_role_name: str
    subscription_role_name: str
    bucket_arn: str
    kms_key_arn: str
    account: AwsAccount
    log_retention_days: float
    bucket_ready: tuple[object, ...] = ()


@jsii.implements(IListProducer)
class _Sources:
    """The ARNs of the archived log groups, read when the stack is resolved."""

    def __init__(self, arns: Callable[[], list[str]]) -> None:
        self._arns = arns

    def produce(self, context: IResolveContext) -> list[str]:
        return self._arns()


class AuditLogs(Construct):
    """Outputs: `stream` (`aws_kinesis_firehose_delivery_stream`), `error_log_group`; `archive()`
    subscribes a log group; `alarm_specs()` are the delivery alarms for the alerts topic."""

    def __init__(self, scope: Construct, props: AuditLogsProps) -> None:
        super().__init__(scope, props.name)
        self._props = props
        self._sources: list[str] = []
        self.error_log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_errors",
                log_group_name=f"/aws/kinesisfirehose/{props.stream_name}",
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        error_stream = aws.cloudwatch_log_stream.CloudwatchLogStream(
            self, f"{props.name}_errors_delivery", name=ERROR_LOG_STREAM, log_group_name=self.error_log_group.name
        )
        firehose_role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_firehose_role",
                role_name=props.firehose_role_name,
                service="firehose.amazonaws.com",
                statements=firehose_statements(props, f"{self.error_log_group.arn}:log-stream:{ERROR_LOG_STREAM}"),
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
                prefix=f"{EVENTS_PREFIX}{PARTITION_KEY}=!{{timestamp:{DAY_FORMAT}}}/",
                error_output_prefix=ERROR_PREFIX,
                buffering_size=BUFFER_MB,
                buffering_interval=BUFFER_SECONDS,
                compression_format="UNCOMPRESSED",
                kms_key_arn=props.kms_key_arn,
                processing_configuration=_processing(),
                cloudwatch_logging_options=fh.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptions(
                    enabled=True, log_group_name=self.error_log_group.name, log_stream_name=error_stream.name
                ),
            ),
            depends_on=[firehose_role.policy, *props.bucket_ready],
        )
        self._subscription_role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_subscription_role",
                role_name=props.subscription_role_name,
                service=props.account.service_host("logs"),
                statements=(
                    Statement(
                        "DeliverToArchive", ("firehose:PutRecord", "firehose:PutRecordBatch"), (self.stream.arn,)
                    ),
                ),
                trust_conditions=(
                    Condition("ArnLike", "aws:SourceArn", tuple(Lazy.list_value(_Sources(lambda: self._sources)))),
                ),
            ),
        )

    def archive(self, name: str, log_group) -> None:
        """Subscribe `log_group` to the archive with a filter named `name` (a Terraform name); the
        subscription role then trusts CloudWatch Logs for this log group (with or without `:*`)."""
        self._sources += [log_group.arn, f"{log_group.arn}:*"]
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

    def alarm_specs(self) -> tuple[AlarmSpec, ...]:
        """A failed S3 delivery, and records that wait too long (failures being retried)."""
        name = self._props.name
        dimensions = {"DeliveryStreamName": self.stream.name}
        return (
            AlarmSpec(
                f"{name}_delivery_alarm",
                "Log archive: Firehose failed to deliver a batch to the log bucket",
                "AWS/Firehose",
                "DeliveryToS3.Success",
                dimensions,
                1,
                statistic="Minimum",
                comparison="LessThanThreshold",
            ),
            AlarmSpec(
                f"{name}_freshness_alarm",
                f"Log archive: records waited more than {FRESHNESS_ALARM_SECONDS} s for delivery to the log bucket",
                "AWS/Firehose",
                "DeliveryToS3.DataFreshness",
                dimensions,
                FRESHNESS_ALARM_SECONDS,
                statistic="Maximum",
            ),
        )


def _processing():
    fh = aws.kinesis_firehose_delivery_stream
    return fh.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfiguration(
        enabled=True,
        processors=[
            fh.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessors(
                type=kind,
                parameters=[
                    fh.KinesisFirehoseDeliveryStreamExtendedS3ConfigurationProcessingConfigurationProcessorsParameters(
                        parameter_name=name, parameter_value=value
                    )
                    for name, value in parameters.items()
                ]
                or None,
            )
            for kind, parameters in PROCESSORS
        ],
    )


def firehose_statements(props: AuditLogsProps, error_log_stream_arn: str) -> tuple[Statement, ...]:
    via_s3 = Condition("StringEquals", "kms:ViaService", (props.account.service_host("s3"),))
    # With a bucket key S3 names the bucket in the encryption context; without, the object.
    archive_context = Condition(
        "ArnLike", "kms:EncryptionContext:aws:s3:arn", (props.bucket_arn, f"{props.bucket_arn}/*")
    )
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
            "EncryptArchiveObjects",
            ("kms:GenerateDataKey", "kms:Decrypt"),
            (props.kms_key_arn,),
            conditions=(via_s3, archive_context),
        ),
        Statement("LogDeliveryErrors", ("logs:PutLogEvents",), (error_log_stream_arn,)),
    )
