"""What the `compliance` and `account_controls` options add once per stack, composed over the
regions: the audit trail and the permission boundary (`compliance`), the account controls
(`account_controls`). The regional part of `compliance`, the private network, is in `TapRegion`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from modules import dax_cache
from modules.account_controls import AccountControls, AccountControlsProps, PasswordRules
from modules.audit_trail import AuditTrail, AuditTrailProps
from modules.permission_boundary import PermissionBoundary, PermissionBoundaryProps
from modules.trail_metrics import TrailMetrics, TrailMetricsProps
from stacks import names

if TYPE_CHECKING:
    from stacks.tap_stack import TapStack

# Everything any role of the stack may ever do, by service (the boundary). Each role's own policy
# is narrower; tests/stacks/test_compliance.py checks that every action a role is granted fits.
BOUNDARY_ACTIONS = (
    "cloudwatch:PutMetricData",
    *dax_cache.FUNCTION_ACTIONS,
    "dynamodb:*",
    "ec2:*NetworkInterface*",
    "ec2:*PrivateIpAddresses",
    "elasticache:Connect",
    "events:PutEvents",
    "firehose:*",
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "logs:*",
    "s3:*",
    "secretsmanager:*",
    "xray:*",
)


def audit_trail(stack: TapStack) -> AuditTrail:
    """One multi-region trail in the primary region, with data events on every region's log bucket
    and item table."""
    primary, v = stack.primary, stack.var
    prefix = primary.inputs.prefix
    return AuditTrail(
        primary,
        AuditTrailProps(
            name="tap_stack_trail",
            trail_name=f"{prefix}-trail",
            bucket_name=primary.bucket_names[names.TRAIL_BUCKET],
            log_group_name=f"/aws/cloudtrail/{prefix}",
            role_name=primary.iam_role_names[names.TRAIL_ROLE],
            kms_key_arn=primary.kms.arn,
            log_retention_days=v["log_retention_days"].number_value,
            expiration_days=v["log_archive_retention_days"].number_value,
            data_event_bucket_arns=tuple(region.logs.arn for region in stack.regions),
            data_event_table_arns=table_arns(stack),
            account=primary.account,
            data_event_function_arns=api_function_arns(stack),
            force_destroy=stack.lifecycle.force_destroy,
        ),
    )


def table_arns(stack: TapStack) -> tuple[str, ...]:
    """The stack's tables in every region: its items (table or replica) and its tenant grants."""
    return tuple(table.arn for region in stack.regions for table in (region.data, region.grants))


def api_function_arns(stack: TapStack) -> tuple[str, ...]:
    """The functions behind the API in every region: only API Gateway may invoke them, since their
    event (its caller identity included) is trusted as API Gateway wrote it."""
    return tuple(function.arn_by_name for region in stack.regions for function in (region.crud, region.health))


def security_events(stack: TapStack, trail: AuditTrail) -> TrailMetrics:
    """The trail's security events (unauthorized calls, root use, policy changes, ...) as metrics,
    whose alarms (`alarm_specs`) report to the primary region's alerts topic."""
    primary = stack.primary
    return TrailMetrics(
        primary,
        TrailMetricsProps(
            name="tap_stack_trail_metrics", log_group_name=trail.log_group.name, metric_prefix=primary.inputs.prefix
        ),
    )


def permission_boundary(stack: TapStack) -> PermissionBoundary:
    """The boundary on every role of the stack, in every region (built on the stack itself): the
    stack's own tables (their indexes and streams) and secrets only, the other services in this
    account only, and no role may invoke an API function."""
    tables = tuple(arn for table in table_arns(stack) for arn in (table, f"{table}/*"))
    return PermissionBoundary(
        stack,
        PermissionBoundaryProps(
            name="tap_stack_permission_boundary",
            policy_name=names.BOUNDARY_POLICY,
            allowed_actions=BOUNDARY_ACTIONS,
            account=stack.primary.account,
            resources={"dynamodb": tables, "secretsmanager": tuple(region.secret.arn for region in stack.regions)},
            uninvokable_functions=api_function_arns(stack),
        ),
    )


def account_controls(stack: TapStack) -> tuple[AccountControls, ...]:
    """Config recording and rules in every region of the stack; the account's global resources,
    the account-wide rules and the password policy once, in the primary."""
    password = PasswordRules(
        minimum_length=stack.var["password_minimum_length"].number_value,
        max_age_days=stack.var["password_max_age_days"].number_value,
        reuse_prevention=stack.var["password_reuse_prevention"].number_value,
    )
    rule_names = names.config_rule_names(stack)
    return tuple(
        AccountControls(
            region,
            AccountControlsProps(
                name="tap_stack_config",
                name_prefix=region.inputs.prefix,
                rule_names=rule_names,
                role_name=region.iam_role_names[names.CONFIG_ROLE],
                remediation_role_name=region.iam_role_names[names.REMEDIATION_ROLE],
                bucket_name=region.bucket_names[names.CONFIG_BUCKET],
                kms_key_arn=region.kms.arn,
                log_expiration_days=stack.var["log_archive_retention_days"].number_value,
                account=region.account,
                password=password,
                account_wide=region is stack.primary,
                with_compliance=stack.config.compliance_enabled,
                managed_by_tag=("ManagedBy", names.MANAGED_BY),
                force_destroy=stack.lifecycle.force_destroy,
            ),
        )
        for region in stack.regions
    )
