"""A CloudWatch Synthetics canary that checks the API's `/health` in its region: the archive, an
encrypted artifact bucket, a least-privilege execution role, and the alarm spec on its success rate.

Synthetics creates the canary's Lambda function (`cwsyn-<canary name>-<canary id>`) and that
function's log group itself; the role may write only to log groups of that name.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Op, TerraformResourceLifecycle, Token
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.api_function import XRAY_ACTIONS, archive_precondition
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws
from tapgen.pipeline.archives import BuiltArchive

# The newest Python runtime on AWS's list (Python 3.12). Synthetics refuses to create canaries on
# deprecated runtimes, so this moves forward with AWS's deprecation schedule.
RUNTIME_VERSION = "syn-python-selenium-12.0"
# `canary.py` (under `python/` in the archive) and its function `handler`.
HANDLER = "canary.handler"
ARTIFACT_PREFIX = "canary"
NAMESPACE = "CloudWatchSynthetics"
# What the canary publishes about its region (1: /health answered 200 healthy, 0: it did not; nothing
# when every attempt was throttled), for the alarm Route 53 fails the region over on. In Synthetics'
# namespace, which the role may write to, per canary name (unique per stack and region).
VERDICT_METRIC = "RegionHealthy"
# Synthetics' limit: its function `cwsyn-<name>-<36-character id>` must fit Lambda's 64.
NAME_MAX = 21
NAME_HASH = 6
NAME_SUFFIX = "health"


def canary_name(prefix_expression: str) -> str:
    """The canary name for a name prefix (a Terraform string expression of `[0-9a-z-]`):
    `<prefix>-health`, or, when that exceeds Synthetics' 21 characters, its first 14 characters,
    `-` and 6 hex digits of its SHA-1: deterministic, and still unique per prefix."""
    full = Token.as_string(Fn.format(f"%s-{NAME_SUFFIX}", [prefix_expression]))
    keep = NAME_MAX - NAME_HASH - 1
    shortened = Fn.join("-", [Fn.substr(full, 0, keep), Fn.substr(Fn.sha1(full), 0, NAME_HASH)])
    return Token.as_string(Fn.conditional(Op.lte(Fn.length_of(full), NAME_MAX), full, shortened))


@dataclass(frozen=True, kw_only=True)
class HealthCanaryProps:
    """`name` is the canary's Terraform name; its bucket, role and alarm derive from it.
    `canary_name`, `role_name` and `bucket_name` are physical-name expressions (see `canary_name`);
    `api_url` is the stage invoke URL the canary appends `/health` to; `schedule_expression` a
    Synthetics `rate(...)` or `cron(...)`; `artifact_expiration_days` (at least 1) how long run
    artifacts stay in the bucket, and the retention days how long Synthetics keeps run records."""

    name: str
    canary_name: str
    role_name: str
    bucket_name: str
    archive: BuiltArchive
    account: AwsAccount
    kms_key_arn: str
    api_url: str
    schedule_expression: str
    artifact_expiration_days: float | str
    timeout_seconds: int = 60
    success_retention_days: int = 31
    failure_retention_days: int = 31
    force_destroy: object = False  # `SecureBucketProps.force_destroy` of its bucket


class HealthCanary(Construct):
    """Outputs: `canary` (`aws_synthetics_canary`), `canary_name`, `arn`, `artifacts` (the
    `SecureBucket`), `role` (the `ServiceRole`), `alarm` (an `AlarmSpec` on SuccessPercent) and
    `verdict_alarm` (an `AlarmSpec` on the canary's verdict about its region)."""

    def __init__(self, scope: Construct, props: HealthCanaryProps) -> None:
        super().__init__(scope, props.name)
        self.artifacts = SecureBucket(
            self,
            SecureBucketProps(
                force_destroy=props.force_destroy,
                name=f"{props.name}_artifacts",
                bucket_name=props.bucket_name,
                kms_key_arn=props.kms_key_arn,
                expiration_days=props.artifact_expiration_days,
                short_lived=True,
            ),
        )
        self.role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_role",
                role_name=props.role_name,
                service="lambda.amazonaws.com",
                statements=canary_statements(self.artifacts.arn, props.kms_key_arn, props.account, props.canary_name),
            ),
        )
        sc = aws.synthetics_canary
        self.canary = sc.SyntheticsCanary(
            self,
            props.name,
            name=props.canary_name,
            artifact_s3_location=f"s3://{self.artifacts.name}/{ARTIFACT_PREFIX}",
            artifact_config=sc.SyntheticsCanaryArtifactConfig(
                s3_encryption=sc.SyntheticsCanaryArtifactConfigS3Encryption(
                    encryption_mode="SSE_KMS", kms_key_arn=props.kms_key_arn
                )
            ),
            execution_role_arn=self.role.role.arn,
            runtime_version=RUNTIME_VERSION,
            handler=HANDLER,
            zip_file=props.archive.filename,
            schedule=sc.SyntheticsCanarySchedule(expression=props.schedule_expression),
            run_config=sc.SyntheticsCanaryRunConfig(
                timeout_in_seconds=props.timeout_seconds,
                active_tracing=True,
                environment_variables={
                    "API_URL": props.api_url,
                    "CANARY_NAME": props.canary_name,
                    "VERDICT_NAMESPACE": NAMESPACE,
                    "VERDICT_METRIC": VERDICT_METRIC,
                },
            ),
            success_retention_period=props.success_retention_days,
            failure_retention_period=props.failure_retention_days,
            start_canary=True,
            # Otherwise deleting the canary leaves its function and layers behind.
            delete_lambda=True,
            lifecycle=TerraformResourceLifecycle(precondition=[archive_precondition(self, props.name, props.archive)]),
            # A first run before the role's policy or the bucket's encryption and policy exist
            # would fail, or write an artifact the bucket's settings never applied to.
            depends_on=[self.role.policy, *self.artifacts.ready],
        )
        self.canary_name = self.canary.name
        self.arn = self.canary.arn
        self.alarm = AlarmSpec(
            f"{props.name}_alarm",
            "Health canary run failed: the API's /health did not answer 200 healthy",
            NAMESPACE,
            "SuccessPercent",
            {"CanaryName": self.canary.name},
            100,
            statistic="Minimum",
            comparison="LessThanThreshold",
            # Runs are minutes apart (the schedule), so most periods have no data: the alarm keeps the
            # last run's verdict instead of turning OK between a failed run and the next one.
            treat_missing_data="ignore",
        )
        self.verdict_alarm = AlarmSpec(
            f"{props.name}_verdict_alarm",
            "Region cannot serve: the canary's last answered GET /health was not 200 healthy. With more than "
            "one region, Route 53 routes around this region while the alarm fires.",
            NAMESPACE,
            VERDICT_METRIC,
            {"CanaryName": self.canary.name},
            1,
            statistic="Minimum",
            comparison="LessThanThreshold",
            # No verdict (a run throttled on every attempt, or no run yet) keeps the last one.
            treat_missing_data="ignore",
        )


def canary_statements(
    bucket_arn: str, kms_key_arn: str, account: AwsAccount, canary_name_expression: str
) -> tuple[Statement, ...]:
    """What Synthetics documents a canary's role needs, each narrowed to this canary: artifacts
    under its prefix (encrypted through S3 for this bucket only), its own function's logs, its
    metrics namespace and traces."""
    log_groups = account.arn("logs", f"log-group:/aws/lambda/cwsyn-{canary_name_expression}-*")
    return (
        Statement("WriteArtifacts", ("s3:PutObject",), (f"{bucket_arn}/{ARTIFACT_PREFIX}/*",)),
        Statement("LocateArtifactBucket", ("s3:GetBucketLocation",), (bucket_arn,)),
        Statement(
            "EncryptArtifacts",
            ("kms:GenerateDataKey",),
            (kms_key_arn,),
            conditions=(
                Condition("StringEquals", "kms:ViaService", (account.service_host("s3"),)),
                # With an S3 Bucket Key the context is the bucket, without one the object.
                Condition("ArnLike", "kms:EncryptionContext:aws:s3:arn", (bucket_arn, f"{bucket_arn}/*")),
            ),
        ),
        Statement("WriteOwnLogs", ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), (log_groups,)),
        Statement(
            "PublishCanaryMetrics",
            ("cloudwatch:PutMetricData",),
            ("*",),
            conditions=(Condition("StringEquals", "cloudwatch:namespace", (NAMESPACE,)),),
        ),
        Statement("SendTraces", XRAY_ACTIONS, ("*",)),
    )
