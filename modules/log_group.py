"""CloudWatch log groups: always KMS-encrypted and always with a retention."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from tapgen.aws import aws


@dataclass(frozen=True, kw_only=True)
class LogGroupProps:
    name: str
    log_group_name: str
    kms_key_arn: str
    retention_days: float


def encrypted_log_group(scope: Construct, props: LogGroupProps):
    """The `aws_cloudwatch_log_group` named `props.name`."""
    return aws.cloudwatch_log_group.CloudwatchLogGroup(
        scope,
        props.name,
        name=props.log_group_name,
        retention_in_days=props.retention_days,
        kms_key_id=props.kms_key_arn,
    )
