"""The stack's audit trail: one multi-region CloudTrail trail, created once in the primary region,
that records every management event of every region and the object- and item-level calls (data
events) on the buckets and tables it is given.

Log files and digests go to a dedicated `SecureBucket`, encrypted with the primary region's key,
with log file validation, and are also delivered to a KMS-encrypted CloudWatch Logs group, where
alarms can watch them. Every grant to CloudTrail (the bucket policy, the log delivery role's trust,
the key policy derived by `modules/encryption.py`) is conditioned on this trail's ARN, which is
built from account, region and name: a reference to the trail would make each of them depend on
the trail that depends on them.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.encryption import CLOUDTRAIL_PRINCIPAL
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement, service_principal
from modules.log_group import LogGroupProps, encrypted_log_group
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws
from tapgen.placement import placement_of

# The canned ACL CloudTrail sends with every log file, which AWS's documented bucket policy requires
# (with ownership enforced, the bucket owns every object whatever the ACL says).
LOG_FILE_ACL = "bucket-owner-full-control"
LOG_DELIVERY_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


@dataclass(frozen=True, kw_only=True)
class AuditTrailProps:
    """`name` is the trail's Terraform name (`tap_stack_trail`); its bucket (`<name>_logs`), log
    group (`<name>_log_group`) and log delivery role (`<name>_role`) derive from it. `trail_name`,
    `bucket_name`, `log_group_name` and `role_name` are physical-name expressions. `kms_key_arn` is
    the primary region's key: it encrypts log files, the bucket and the log group.
    `data_event_bucket_arns`, `data_event_table_arns` and `data_event_function_arns` (ARN
    expressions) are the buckets whose object-level, the tables whose item-level API calls and the
    functions (any version or alias) whose invocations are recorded. `log_retention_days` is
    the log group's retention, `expiration_days` (over 90) how long log files stay in the bucket."""

    name: str
    trail_name: str
    bucket_name: str
    log_group_name: str
    role_name: str
    kms_key_arn: str
    log_retention_days: float
    expiration_days: float | str
    data_event_bucket_arns: tuple[str, ...]
    data_event_table_arns: tuple[str, ...]
    account: AwsAccount
    data_event_function_arns: tuple[str, ...] = ()
    force_destroy: object = False  # `SecureBucketProps.force_destroy` of its bucket


class AuditTrail(Construct):
    """Outputs: `trail` (`aws_cloudtrail`), `arn`, `bucket` (the trail's `SecureBucket`) and
    `log_group` (`aws_cloudwatch_log_group`)."""

    def __init__(self, scope: Construct, props: AuditTrailProps) -> None:
        super().__init__(scope, props.name)
        # A second copy in another region would record every event of every region twice.
        if placement_of(scope).suffix:
            raise ValueError(f"{props.name}: a multi-region trail is created once, in the primary region")
        trail_arn = props.account.arn("cloudtrail", f"trail/{props.trail_name}")
        self.bucket = SecureBucket(
            self,
            SecureBucketProps(
                force_destroy=props.force_destroy,
                name=f"{props.name}_logs",
                bucket_name=props.bucket_name,
                kms_key_arn=props.kms_key_arn,
                expiration_days=props.expiration_days,
                extra_statements=bucket_statements(props.bucket_name, trail_arn, props.account),
            ),
        )
        self.log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_log_group",
                log_group_name=props.log_group_name,
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_role",
                role_name=props.role_name,
                service=CLOUDTRAIL_PRINCIPAL,
                statements=(
                    Statement("DeliverToTrailLogGroup", LOG_DELIVERY_ACTIONS, (f"{self.log_group.arn}:log-stream:*",)),
                ),
                trust_conditions=(Condition("StringEquals", "aws:SourceArn", (trail_arn,)),),
            ),
        )
        self.trail = aws.cloudtrail.Cloudtrail(
            self,
            props.name,
            name=props.trail_name,
            s3_bucket_name=self.bucket.name,
            kms_key_id=props.kms_key_arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            is_organization_trail=False,
            enable_log_file_validation=True,
            enable_logging=True,
            # CloudTrail requires the log-stream wildcard on the group's ARN.
            cloud_watch_logs_group_arn=f"{self.log_group.arn}:*",
            cloud_watch_logs_role_arn=role.arn,
            advanced_event_selector=event_selectors(
                props.data_event_bucket_arns, props.data_event_table_arns, props.data_event_function_arns
            ),
            # CloudTrail checks at creation that it may write to the bucket and the log group.
            depends_on=[*self.bucket.ready, role.policy],
        )
        self.arn = self.trail.arn


def bucket_statements(bucket_name: str, trail_arn: str, account: AwsAccount) -> tuple[Statement, ...]:
    """What CloudTrail documents it needs on its bucket, for this trail only: to read the bucket's
    ACL, and to write log files (of every region) under `AWSLogs/<account>/`."""
    bucket_arn = f"arn:{account.partition}:s3:::{bucket_name}"
    cloudtrail = (service_principal(CLOUDTRAIL_PRINCIPAL),)
    from_trail = Condition("StringEquals", "aws:SourceArn", (trail_arn,))
    return (
        Statement(
            "CloudTrailChecksBucketAcl",
            ("s3:GetBucketAcl",),
            (bucket_arn,),
            principals=cloudtrail,
            conditions=(from_trail,),
        ),
        Statement(
            "CloudTrailWritesLogFiles",
            ("s3:PutObject",),
            (f"{bucket_arn}/AWSLogs/{account.account_id}/*",),
            principals=cloudtrail,
            conditions=(from_trail, Condition("StringEquals", "s3:x-amz-acl", (LOG_FILE_ACL,))),
        ),
    )


def event_selectors(
    bucket_arns: tuple[str, ...], table_arns: tuple[str, ...], function_arns: tuple[str, ...] = ()
) -> list:
    """Every management event, and data events on the given buckets, tables and functions only.
    With advanced selectors a trail records exactly what they match, so management events need
    their own."""
    ct = aws.cloudtrail

    def selector(name: str, category: str, *fields):
        category_field = ct.CloudtrailAdvancedEventSelectorFieldSelector(field="eventCategory", equal_to=[category])
        return ct.CloudtrailAdvancedEventSelector(name=name, field_selector=[category_field, *fields])

    def field(name: str, **operator):
        return ct.CloudtrailAdvancedEventSelectorFieldSelector(field=name, **operator)

    selectors = [selector("Management events", "Management")]
    data_events = (
        # An object's ARN is its bucket's ARN, `/` and its key.
        (
            "Object-level events on the stack's buckets",
            "AWS::S3::Object",
            "starts_with",
            [f"{a}/" for a in bucket_arns],
        ),
        ("Item-level events on the stack's tables", "AWS::DynamoDB::Table", "equal_to", list(table_arns)),
        # A qualified invocation (the `live` alias) names the function's ARN, `:` and the qualifier.
        ("Invocations of the API functions", "AWS::Lambda::Function", "starts_with", list(function_arns)),
    )
    for name, resource_type, operator, arns in data_events:
        if arns:
            selectors.append(
                selector(
                    name,
                    "Data",
                    field("resources.type", equal_to=[resource_type]),
                    field("resources.ARN", **{operator: arns}),
                )
            )
    return selectors
