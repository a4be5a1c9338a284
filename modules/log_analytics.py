"""Log analytics: an Athena workgroup whose query results are always encrypted with the stack's key in
their own secure bucket, and an Athena database for the archived logs.

The workgroup enforces its configuration, so no client setting can send results elsewhere or
unencrypted; it publishes query metrics to CloudWatch. The database holds no table yet: the archive
is not in a form Athena can read (modules/audit_logs.py delivers the gzip-compressed CloudWatch Logs
batches as they come, concatenated, under an object name without `.gz`, and Athena picks the
decompression by file extension; each batch is also one JSON document of many log events, not one
event per line). A table belongs here once the archive is delivered decompressed and one record per
line (Firehose's decompression and delimiter processors), without guessing at today's objects.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.audit_logs import OBJECT_PREFIX
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws

RESULTS_PREFIX = "results/"
ENCRYPTION = "SSE_KMS"


@dataclass(frozen=True, kw_only=True)
class LogAnalyticsProps:
    """Expressions: `workgroup_name` (1-128 of `A-Za-z0-9._-`), `database_name` (lowercase letters,
    digits and `_` only, as Athena requires), `results_bucket_name`, `log_bucket_name` (the archive's
    bucket) and `results_expiration_days` (at least 1: the bucket is short-lived, see `SecureBucketProps`)."""

    name: str
    workgroup_name: str
    database_name: str
    results_bucket_name: str
    results_expiration_days: float | str
    log_bucket_name: str
    kms_key_arn: str
    account: AwsAccount


class LogAnalytics(Construct):
    """Outputs: `workgroup` (`aws_athena_workgroup`), `workgroup_name`, `database`
    (`aws_athena_database`), `database_name`, `results_bucket` (a `SecureBucket`)."""

    def __init__(self, scope: Construct, props: LogAnalyticsProps) -> None:
        super().__init__(scope, props.name)
        self.results_bucket = SecureBucket(
            self,
            SecureBucketProps(
                name=f"{props.name}_results",
                bucket_name=props.results_bucket_name,
                kms_key_arn=props.kms_key_arn,
                expiration_days=props.results_expiration_days,
                short_lived=True,
            ),
        )
        self.workgroup = self._workgroup(props)
        self.workgroup_name = self.workgroup.name
        self.database = aws.athena_database.AthenaDatabase(
            self,
            f"{props.name}_database",
            name=props.database_name,
            comment=f"Archived Lambda and API Gateway logs: s3://{props.log_bucket_name}/{OBJECT_PREFIX}",
            # Creating and dropping the database are Athena queries; their results land here,
            # encrypted like every other query's.
            bucket=self.results_bucket.name,
            encryption_configuration=aws.athena_database.AthenaDatabaseEncryptionConfiguration(
                encryption_option=ENCRYPTION, kms_key=props.kms_key_arn
            ),
            expected_bucket_owner=props.account.account_id,
            depends_on=self.results_bucket.ready,
        )
        self.database_name = self.database.name

    def _workgroup(self, props: LogAnalyticsProps):
        wg = aws.athena_workgroup
        return wg.AthenaWorkgroup(
            self,
            props.name,
            name=props.workgroup_name,
            description="TAP stack log analytics: results encrypted with the stack key",
            configuration=wg.AthenaWorkgroupConfiguration(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                result_configuration=wg.AthenaWorkgroupConfigurationResultConfiguration(
                    output_location=f"s3://{self.results_bucket.name}/{RESULTS_PREFIX}",
                    encryption_configuration=wg.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option=ENCRYPTION, kms_key_arn=props.kms_key_arn
                    ),
                    # Results are never written to a bucket of the same name in another account.
                    expected_bucket_owner=props.account.account_id,
                ),
            ),
        )
