"""A REGIONAL WAFv2 web ACL in front of one REST API stage: AWS managed rule groups, a rate limit
per client IP and one per tenant, and full request logs in a KMS-encrypted log group with
credentials redacted.

Blocking rules use WAF's plain block, which API Gateway answers with its `WAF_FILTERED` gateway
response (403); the stack's `DEFAULT_4XX` response gives that the CORS headers and the contract's
error shape (`waf_filtered`, with the request id). A WAF custom response (a 429, say) would be
sent in its place, without either.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from lambda_src.shared import tap_contract
from modules.account import AwsAccount
from modules.iam import Condition, Statement, policy_document, service_principal
from modules.log_group import LogGroupProps, encrypted_log_group
from tapgen.aws import aws

# WAF logs only to destinations whose name starts with this.
LOG_GROUP_PREFIX = "aws-waf-logs-"
# The service that writes WAF logs into CloudWatch Logs (vended logs).
LOG_DELIVERY_PRINCIPAL = "delivery.logs.amazonaws.com"
# What can carry a caller's credentials, never written to logs (AWS General Reference, "Signature
# Version 4": a signed request carries them in Authorization and X-Amz-Security-Token; a presigned
# URL in the query string as X-Amz-Credential, X-Amz-Signature and X-Amz-Security-Token). WAF redacts
# a header by name and the query string only whole.
REDACTED_HEADERS = ("authorization", "cookie", "x-amz-security-token")
RATE_WINDOW_SECONDS = 300
RATE_RULE = "rate-limit-per-ip"
RATE_PRIORITY = 30
TENANT_RATE_RULE = "rate-limit-per-tenant"
TENANT_RATE_PRIORITY = 35


@dataclass(frozen=True)
class ManagedGroup:
    """An AWS managed rule group, evaluated at a fixed `priority`; the rules in `counted` only
    count matches instead of blocking."""

    name: str
    priority: int
    metric: str
    counted: tuple[str, ...] = ()


# Fixed priorities, lowest first, with gaps for later rules: known-bad and anonymising addresses
# are dropped before they count toward the rate limit, and the cheap checks run before the broad
# common set. Together 977 WCU, with the two rate rules (2 WCU, plus 30 for the tenant rule's
# custom key) 1,011, within the 1,500 that the base price includes.
MANAGED_GROUPS = (
    ManagedGroup("AWSManagedRulesAmazonIpReputationList", 10, "ip-reputation"),
    # HostingProviderIPList blocks callers hosted by web hosting and cloud providers: Route 53
    # health checkers, the canary and server-side clients of the API all run in one. Which
    # networks may call is already decided by the API's source-IP allow-list, so it only counts.
    ManagedGroup("AWSManagedRulesAnonymousIpList", 20, "anonymous-ip", counted=("HostingProviderIPList",)),
    ManagedGroup("AWSManagedRulesKnownBadInputsRuleSet", 40, "known-bad-inputs"),
    # SizeRestrictions_BODY blocks bodies over 8 KB, but POST/PUT /items accept JSON bodies up to
    # 256 KiB (`MAX_BODY_BYTES` in lambda_src/crud/items_api/requests.py, which answers 413 above
    # it). Counting keeps large bodies visible in the metrics without refusing valid requests. The other body rules
    # of the set still inspect the first 16 KB (API Gateway's default inspection size).
    ManagedGroup("AWSManagedRulesCommonRuleSet", 50, "common", counted=("SizeRestrictions_BODY",)),
)


@dataclass(frozen=True, kw_only=True)
class WebFirewallProps:
    """`name` is the Terraform name of the web ACL (`tap_stack_waf`); its other resources derive
    from it. `name_prefix` (a Terraform string expression) names the ACL, its metrics and the log
    resource policy; `log_group_name` must start with `aws-waf-logs-`. `rate_limit` is the most
    requests one IP may send in five minutes before it is blocked, `tenant_rate_limit` the most
    requests naming one tenant (10 to 2,000,000,000 each)."""

    name: str
    name_prefix: str
    stage_arn: str
    rate_limit: float
    log_group_name: str
    kms_key_arn: str
    log_retention_days: float
    account: AwsAccount
    tenant_rate_limit: float = 10000


class WebFirewall(Construct):
    """Outputs: `web_acl` (`aws_wafv2_web_acl`), `arn`, `log_group` (`aws_cloudwatch_log_group`)."""

    def __init__(self, scope: Construct, props: WebFirewallProps) -> None:
        super().__init__(scope, props.name)
        if not props.log_group_name.startswith(LOG_GROUP_PREFIX):
            raise ValueError(f"{props.name}: log_group_name must start with {LOG_GROUP_PREFIX!r}")
        acl_name = f"{props.name_prefix}-api"
        waf = aws.wafv2_web_acl
        self.web_acl = waf.Wafv2WebAcl(
            self,
            props.name,
            name=acl_name,
            description="Managed rule groups and a per-IP rate limit in front of the TAP REST API stage",
            scope="REGIONAL",
            default_action=waf.Wafv2WebAclDefaultAction(allow=waf.Wafv2WebAclDefaultActionAllow()),
            rule=rules(acl_name, props.rate_limit, props.tenant_rate_limit),
            visibility_config=visibility(acl_name),
        )
        self.arn = self.web_acl.arn
        aws.wafv2_web_acl_association.Wafv2WebAclAssociation(
            self, f"{props.name}_association", resource_arn=props.stage_arn, web_acl_arn=self.arn
        )
        self.log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_logs",
                log_group_name=props.log_group_name,
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        log_policy = self._log_delivery_policy(props)
        logs = aws.wafv2_web_acl_logging_configuration
        logs.Wafv2WebAclLoggingConfiguration(
            self,
            f"{props.name}_logging",
            resource_arn=self.arn,
            log_destination_configs=[self.log_group.arn],
            redacted_fields=[
                *(
                    logs.Wafv2WebAclLoggingConfigurationRedactedFields(
                        single_header=logs.Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                    )
                    for header in REDACTED_HEADERS
                ),
                logs.Wafv2WebAclLoggingConfigurationRedactedFields(
                    query_string=logs.Wafv2WebAclLoggingConfigurationRedactedFieldsQueryString()
                ),
            ],
            # With our policy in place first, WAF finds delivery allowed and does not add its own.
            depends_on=[log_policy],
        )

    def _log_delivery_policy(self, props: WebFirewallProps):
        """Lets log delivery write to this log group only. Without it, WAF itself creates or
        extends a shared policy (`AWSWAF-LOGS`) when the deployer may: not tracked by Terraform,
        left behind on destroy, and growing with every web ACL of the account and region until it
        exceeds the policy size limit (provider docs), and it fails when the deployer may not."""
        account = props.account
        document = policy_document(
            self,
            f"{props.name}_log_policy_document",
            [
                Statement(
                    "WafLogDeliveryWritesOwnLogGroup",
                    ("logs:CreateLogStream", "logs:PutLogEvents"),
                    (f"{self.log_group.arn}:log-stream:*",),
                    principals=(service_principal(LOG_DELIVERY_PRINCIPAL),),
                    conditions=(
                        Condition("StringEquals", "aws:SourceAccount", (account.account_id,)),
                        Condition("ArnLike", "aws:SourceArn", (account.arn("logs", "*"),)),
                    ),
                )
            ],
        )
        # A log resource policy is account-wide per region: its name carries the prefix so that
        # environments sharing an account and region never overwrite each other's.
        return aws.cloudwatch_log_resource_policy.CloudwatchLogResourcePolicy(
            self,
            f"{props.name}_log_policy",
            policy_name=f"{props.name_prefix}-waf-logs",
            policy_document=document.json,
        )


def visibility(metric_name: str):
    return aws.wafv2_web_acl.Wafv2WebAclVisibilityConfig(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def rule_visibility(metric_name: str):
    return aws.wafv2_web_acl.Wafv2WebAclRuleVisibilityConfig(
        cloudwatch_metrics_enabled=True, metric_name=metric_name, sampled_requests_enabled=True
    )


def rules(acl_name: str, rate_limit: float, tenant_rate_limit: float) -> list:
    """Every rule of the ACL, in priority order."""
    managed = [managed_rule(acl_name, group) for group in MANAGED_GROUPS]
    limits = [rate_rule(acl_name, rate_limit), tenant_rate_rule(acl_name, tenant_rate_limit)]
    return sorted([*limits, *managed], key=lambda rule: rule.priority)


def rate_rule(acl_name: str, limit: float):
    """Blocks an IP while it exceeds `limit` requests in the last five minutes (any route)."""
    return _blocking_rate_rule(acl_name, RATE_RULE, RATE_PRIORITY, limit, "IP")


def tenant_rate_rule(acl_name: str, limit: float):
    """Blocks the requests that name a tenant (`X-Tenant-Id`) while that tenant exceeds `limit`
    requests in the last five minutes, from any number of addresses: one tenant's traffic cannot
    starve the others'. WAF does not count a request without the header (CUSTOM_KEYS)."""
    tenant_header = {
        "name": tap_contract.TENANT_HEADER.lower(),
        "text_transformation": [{"priority": 0, "type": "NONE"}],
    }
    return _blocking_rate_rule(
        acl_name, TENANT_RATE_RULE, TENANT_RATE_PRIORITY, limit, "CUSTOM_KEYS", [{"header": tenant_header}]
    )


def _blocking_rate_rule(
    acl_name: str, name: str, priority: int, limit: float, aggregate_key_type: str, custom_keys: list | None = None
):
    waf = aws.wafv2_web_acl
    statement: dict = {
        "limit": limit,
        "aggregate_key_type": aggregate_key_type,
        "evaluation_window_sec": RATE_WINDOW_SECONDS,
    }
    if custom_keys:
        statement["custom_key"] = custom_keys
    return waf.Wafv2WebAclRule(
        name=name,
        priority=priority,
        action=waf.Wafv2WebAclRuleAction(block=waf.Wafv2WebAclRuleActionBlock()),
        # The bindings leave `statement` untyped (too deeply nested): Terraform JSON as data.
        statement={"rate_based_statement": statement},
        visibility_config=rule_visibility(f"{acl_name}-{name}"),
    )


def managed_rule(acl_name: str, group: ManagedGroup):
    """The group's own actions (`override_action none`), except its `counted` rules."""
    waf = aws.wafv2_web_acl
    statement: dict = {"name": group.name, "vendor_name": "AWS"}
    if group.counted:
        statement["rule_action_override"] = [{"name": rule, "action_to_use": {"count": {}}} for rule in group.counted]
    return waf.Wafv2WebAclRule(
        name=f"aws-{group.metric}",
        priority=group.priority,
        override_action=waf.Wafv2WebAclRuleOverrideAction(none=waf.Wafv2WebAclRuleOverrideActionNone()),
        statement={"managed_rule_group_statement": statement},
        visibility_config=rule_visibility(f"{acl_name}-{group.metric}"),
    )
