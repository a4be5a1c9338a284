"""Security events of the audit trail as CloudWatch metrics, and the alarms that watch them.

Each `SecurityEvent` is a CloudWatch Logs metric filter on the trail's log group (the patterns of
the CIS AWS Foundations Benchmark, section "Monitoring") that counts matching events into the
namespace `TapStack/Security`; `alarm_specs` turns each into an alarm for the stack's alerts
topic, which fires on the first event in a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.alerts import AlarmSpec
from tapgen.aws import aws

NAMESPACE = "TapStack/Security"


@dataclass(frozen=True)
class SecurityEvent:
    name: str  # the metric and the Terraform name part: `unauthorized_api_calls`
    description: str
    pattern: str


SECURITY_EVENTS = (
    SecurityEvent(
        "unauthorized_api_calls",
        "An API call was refused as unauthorized (AccessDenied or UnauthorizedOperation)",
        '{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }',
    ),
    SecurityEvent(
        "root_account_usage",
        "The account's root user made a call",
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
    ),
    SecurityEvent(
        "console_sign_in_without_mfa",
        "An IAM user signed in to the console without MFA",
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && '
        '($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    ),
    SecurityEvent(
        "iam_policy_changes",
        "An IAM policy was created, changed, attached, detached or deleted",
        "{ ($.eventSource = iam.amazonaws.com) && (($.eventName = DeleteGroupPolicy) || "
        "($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy) || "
        "($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || ($.eventName = CreatePolicy) || "
        "($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion) || "
        "($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || ($.eventName = AttachUserPolicy) || "
        "($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) || "
        "($.eventName = PutRolePermissionsBoundary) || ($.eventName = DeleteRolePermissionsBoundary)) }",
    ),
    SecurityEvent(
        "trail_changes",
        "A CloudTrail trail was created, changed, stopped or deleted",
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || "
        "($.eventName = StartLogging) || ($.eventName = StopLogging) }",
    ),
    SecurityEvent(
        "key_disabled_or_scheduled_for_deletion",
        "A KMS key's policy was replaced, or the key was disabled or scheduled for deletion",
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = PutKeyPolicy) || "
        "($.eventName = DisableKey) || ($.eventName = ScheduleKeyDeletion)) }",
    ),
    SecurityEvent(
        "api_function_invoked_directly",
        "An API function was invoked by an IAM principal, not by API Gateway: its event can carry any "
        "caller identity, bypassing SigV4, the IP allow-list, WAF and the tenant grants",
        # The trail records invocations of the API functions only (AuditTrailProps); API Gateway's
        # invocations are an AWS service's (userIdentity.type AWSService), a direct one is not.
        '{ ($.eventSource = "lambda.amazonaws.com") && ($.eventName = "Invoke") && '
        '($.userIdentity.type != "AWSService") }',
    ),
)


@dataclass(frozen=True, kw_only=True)
class TrailMetricsProps:
    """`name` is the Terraform name stem (`tap_stack_trail_metrics`: one filter per event,
    `<name>_<event>`); `log_group_name` the trail's log group; `metric_prefix` prefixes the metric
    names so two stacks in one account keep theirs apart."""

    name: str
    log_group_name: str
    metric_prefix: str
    events: tuple[SecurityEvent, ...] = SECURITY_EVENTS


class TrailMetrics(Construct):
    """Outputs: `filters` (by event name) and `alarm_specs` (one per event, for the region's `Alerts`)."""

    def __init__(self, scope: Construct, props: TrailMetricsProps) -> None:
        super().__init__(scope, props.name)
        filters = aws.cloudwatch_log_metric_filter
        self.filters = {}
        specs = []
        for event in props.events:
            metric = f"{props.metric_prefix}-{event.name.replace('_', '-')}"
            self.filters[event.name] = filters.CloudwatchLogMetricFilter(
                self,
                f"{props.name}_{event.name}",
                name=metric,
                log_group_name=props.log_group_name,
                pattern=event.pattern,
                metric_transformation=filters.CloudwatchLogMetricFilterMetricTransformation(
                    name=metric, namespace=NAMESPACE, value="1", default_value="0"
                ),
            )
            specs.append(
                AlarmSpec(f"tap_stack_security_{event.name}_alarm", event.description, NAMESPACE, metric, {}, 1)
            )
        self.alarm_specs = tuple(specs)
