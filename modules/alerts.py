"""Alerting: an encrypted SNS topic, an optional e-mail subscription, and CloudWatch alarms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cdktf import Fn, Op, TerraformCount, Token
from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, Principal, Statement, policy_document, service_principal
from tapgen.aws import aws

PERIOD_SECONDS = 60
# Each alarm's runbook: a section of this file named after the alarm (its primary name, which
# every region's copy shares), so its description sends whoever it wakes straight there.
RUNBOOKS = "docs/operations.md"


@dataclass(frozen=True)
class MemberDimensions:
    """The dimensions of an alarm on each member of a group whose size is known only at deploy time
    (the member clusters of an ElastiCache replication group): `count` members (a number or a
    Terraform number expression, at most `most`), member `n` (1, 2, ...) published on `of(n)`, where
    `n` is a number or a Terraform number expression."""

    count: object
    most: int
    of: Callable[[object], dict[str, str]]


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm, or with `MemberDimensions` one alarm per member (`<name>-<n>`, each on its
    member's dimensions). Either `statistic` (Sum, Average, ...) or `extended_statistic` (p99) is
    set; it fires when the metric compares to `threshold` by `comparison` (by default: reaches it). A
    period without data counts as `treat_missing_data` (CloudWatch's values: `notBreaching`,
    `breaching`, `ignore` keeps the current state, `missing`)."""

    name: str
    description: str
    namespace: str
    metric: str
    dimensions: dict[str, str] | MemberDimensions
    threshold: float
    statistic: str = "Sum"
    extended_statistic: str = ""
    evaluation_periods: int = 1
    comparison: str = "GreaterThanOrEqualToThreshold"
    treat_missing_data: str = "notBreaching"


@dataclass(frozen=True, kw_only=True)
class AlertsProps:
    name: str
    topic_name: str
    alarm_name_prefix: str
    kms_key_arn: str
    alarm_email: str
    account: AwsAccount
    alarms: tuple[AlarmSpec, ...]


class Alerts(Construct):
    """Outputs: `topic` (`aws_sns_topic`), `topic_arn`, `alarms` (by Terraform name) and `specs`
    (every alarm's `AlarmSpec`, in order: what a dashboard shows)."""

    def __init__(self, scope: Construct, props: AlertsProps) -> None:
        super().__init__(scope, props.name)
        self.topic = aws.sns_topic.SnsTopic(
            self, props.name, name=props.topic_name, kms_master_key_id=props.kms_key_arn
        )
        self.topic_arn = self.topic.arn
        document = policy_document(
            self, f"{props.name}_policy_document", topic_statements(self.topic.arn, props.account)
        )
        aws.sns_topic_policy.SnsTopicPolicy(self, f"{props.name}_policy", arn=self.topic.arn, policy=document.json)
        aws.sns_topic_subscription.SnsTopicSubscription(
            self,
            f"{props.name}_email",
            count=Token.as_number(Fn.signum(Fn.length_of(props.alarm_email))),  # 0 or 1
            topic_arn=self.topic.arn,
            protocol="email",
            endpoint=props.alarm_email,
        )
        self.specs = props.alarms
        self.alarms = {spec.name: self._alarm(spec, props) for spec in props.alarms}

    def _alarm(self, spec: AlarmSpec, props: AlertsProps):
        alarm_name = f"{props.alarm_name_prefix}-{spec.name.removeprefix('tap_stack_').replace('_', '-')}"
        count, dimensions = None, spec.dimensions
        if isinstance(dimensions, MemberDimensions):
            count = TerraformCount.of(dimensions.count)
            member = Op.add(count.index, 1)
            alarm_name, dimensions = f"{alarm_name}-{Token.as_string(member)}", dimensions.of(member)
        return aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            self,
            spec.name,
            count=count,
            alarm_name=alarm_name,
            alarm_description=described(spec),
            namespace=spec.namespace,
            metric_name=spec.metric,
            dimensions=dimensions or None,
            statistic=spec.statistic or None,
            extended_statistic=spec.extended_statistic or None,
            period=PERIOD_SECONDS,
            evaluation_periods=spec.evaluation_periods,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            treat_missing_data=spec.treat_missing_data,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
        )


def described(spec: AlarmSpec) -> str:
    """The alarm's description: what it means, then where its runbook is."""
    return f"{spec.description.rstrip('.')}. Runbook: {RUNBOOKS}#{spec.name}"


def topic_statements(topic_arn: str, account: AwsAccount) -> list[Statement]:
    return [
        Statement(
            "CloudWatchAlarmsPublish",
            ("sns:Publish",),
            (topic_arn,),
            principals=(service_principal("cloudwatch.amazonaws.com"),),
            conditions=(Condition("StringEquals", "aws:SourceAccount", (account.account_id,)),),
        ),
        Statement(
            "DenyInsecureTransport",
            ("sns:Publish", "sns:Subscribe"),
            (topic_arn,),
            effect="Deny",
            principals=(Principal("*", ("*",)),),
            conditions=(Condition("Bool", "aws:SecureTransport", ("false",)),),
        ),
    ]


def matched_events_alarm(name: str, description: str, rule) -> AlarmSpec:
    """An alarm on any event that `rule` (an `aws_cloudwatch_event_rule`) matches."""
    return AlarmSpec(name, description, "AWS/Events", "MatchedEvents", {"RuleName": rule.name}, 1)
