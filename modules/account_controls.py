"""Account controls: AWS Config recording and managed rules for what the stack promises, and the IAM
account password policy.

**Account-wide.** These are not resources of the stack but settings of the AWS account it is
deployed to: AWS Config allows ONE configuration recorder and ONE delivery channel per account and
region, and the password policy is one per account (all regions). Applying this construct takes
them over: whatever recorder, channel or password policy the account had is replaced by these (the
password policy applies to every IAM user of the account), and destroying the stack removes them
for everybody. A second stack in the same account and region, or a landing zone that already
records with Config (Control Tower, an organization conformance setup), would collide with it: turn
`account_controls` on in exactly one stack per account (it takes over the recorder in each of the
stack's regions), and only where the account has no other owner of these settings. Rules and
channel carry the stack's name prefix, but that does not make two recorders possible.

Recording: every supported resource type in every region of the stack; the global types (IAM),
the account-wide rules and the password policy in one region only, the primary (recorded in
several regions, each IAM change would be recorded, and charged, once per region). Delivered to a dedicated
`SecureBucket` (SSE-KMS with the stack key) under `AWSLogs/<account>/Config/`. The recorder's role is
a role of the stack (a service-linked role would be account-wide and could not be deleted), with the
AWS managed `service-role/AWS_ConfigRole` (read access to every resource type Config records, which
AWS maintains as types are added) plus least-privilege statements to write to the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import Fn
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec, matched_events_alarm
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement, service_principal
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws
from tapgen.aws_rules.remediations import ASSUME_ROLE, RESOURCE_ID, RUNBOOKS, Runbook

CONFIG_PRINCIPAL = "config.amazonaws.com"
AUTOMATION_PRINCIPAL = "ssm.amazonaws.com"
CONFIG_MANAGED_POLICY = "service-role/AWS_ConfigRole"
# Config's PutObject names this canned ACL; with owner-enforced buckets it is the only one accepted.
OWNER_FULL_CONTROL = "bucket-owner-full-control"
SNAPSHOT_FREQUENCY = "TwentyFour_Hours"
# How Config runs an unattended remediation: up to 3 runs of the runbook in 15 minutes for one
# resource, then the finding stays for a person; AWS's defaults for how many runs at once (10% of
# the findings) and for the error share that stops them (50%), written out so plans show them.
REMEDIATION_ATTEMPTS = 3
REMEDIATION_ATTEMPT_WINDOW_SECONDS = 900
REMEDIATION_CONCURRENCY_PERCENT = 10
REMEDIATION_ERROR_PERCENT = 50
# An account has exactly one password policy, so its name needs no stem.
PASSWORD_POLICY = "tap_stack_password_policy"


@dataclass(frozen=True, kw_only=True)
class PasswordRules:
    """The account password policy: numbers or Terraform number expressions (the stack's variables,
    whose defaults follow CIS AWS Foundations 1.8-1.9). Every character class is required."""

    minimum_length: float | str
    max_age_days: float | str
    reuse_prevention: float | str


@dataclass(frozen=True)
class RuleUse:
    """How the stack deploys an AWS managed rule: its input `parameters`, whether only the
    `compliance` option gives the stack what the rule checks (`with_compliance`), and whether it is
    scoped to the resources Terraform deploys (`terraform_managed`: by the `ManagedBy` contract tag;
    Config honours a scope only on rules triggered by configuration changes). An `account_wide` rule
    judges the account, not a region's resources, so it is deployed once, where IAM is recorded.
    `remediation` names the AWS-owned runbook (`tapgen.aws_rules.remediations.RUNBOOKS`) that fixes
    what the rule finds; Config runs it on its own where the runbook is safe unattended."""

    parameters: dict[str, str] = field(default_factory=dict)
    with_compliance: bool = False
    terraform_managed: bool = False
    account_wide: bool = False
    remediation: str = ""


PUBLIC_ACCESS_BLOCK = "AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock"
# AWS managed Config rules, each for a property the stack promises, and which the stack passes:
# `tapgen/aws_rules/config_rules.py` evaluates each by its documented logic against every proven
# combination (IAM_PASSWORD_POLICY's parameters are the policy's own values: `password_rule_parameters`).
# - LAMBDA_INSIDE_VPC: Synthetics creates the canary's function outside the VPC (the canary calls
#   the API's public endpoint), so the rule covers the functions Terraform deploys.
# - Not deployed: CLOUDWATCH_LOG_GROUP_ENCRYPTED. It is periodic (no scope), and Lambda creates the
#   canary's log group, unencrypted, on the first run of a function Synthetics names at creation;
#   the stack's own log groups are checked before deploy (`tapgen.security.rules`, checkov).
# - No remediation: for the other rules the AWS-owned runbooks rewrite what Terraform owns (the
#   bucket policy, the password policy) or need resources of their own (a trail, a VPC).
MANAGED_RULES: dict[str, RuleUse] = {
    "S3_BUCKET_PUBLIC_READ_PROHIBITED": RuleUse(remediation=PUBLIC_ACCESS_BLOCK),
    "S3_BUCKET_PUBLIC_WRITE_PROHIBITED": RuleUse(remediation=PUBLIC_ACCESS_BLOCK),
    "S3_BUCKET_SSL_REQUESTS_ONLY": RuleUse(),
    "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED": RuleUse(),
    "DYNAMODB_PITR_ENABLED": RuleUse(remediation="AWSConfigRemediation-EnablePITRForDynamoDbTable"),
    "LAMBDA_INSIDE_VPC": RuleUse(with_compliance=True, terraform_managed=True),
    "CLOUD_TRAIL_ENABLED": RuleUse(with_compliance=True, account_wide=True),
    "CMK_BACKING_KEY_ROTATION_ENABLED": RuleUse(remediation="AWSConfigRemediation-EnableKeyRotation"),
    "IAM_PASSWORD_POLICY": RuleUse(
        {
            "RequireUppercaseCharacters": "true",
            "RequireLowercaseCharacters": "true",
            "RequireSymbols": "true",
            "RequireNumbers": "true",
        },
        account_wide=True,
    ),
    "ROOT_ACCOUNT_MFA_ENABLED": RuleUse(account_wide=True),
}
# Config's event when a rule's verdict on a resource changes (AWS Config Developer Guide,
# "Monitoring AWS Config with Amazon EventBridge").
COMPLIANCE_CHANGE = {
    "source": ["aws.config"],
    "detail-type": ["Config Rules Compliance Change"],
    "detail": {"messageType": ["ComplianceChangeNotification"]},
}


@dataclass(frozen=True, kw_only=True)
class AccountControlsProps:
    """`name` is the Terraform name stem (`tap_stack_config`: `tap_stack_config_recorder`,
    `tap_stack_config_logs`, ...). `name_prefix` (a string expression) names the recorder, the
    channel and the rules; `role_name` and `bucket_name` are physical names derived by the stack.
    `log_expiration_days` (> 90) is how long configuration snapshots and history are kept;
    `with_compliance` whether the stack has the `compliance` option's network and trail;
    `account_wide` whether this region also records the account's global resources (IAM), holds
    the account-wide rules and sets the password policy: exactly one region of the stack, the primary;
    `managed_by_tag` the contract tag every resource Terraform deploys carries (key, value)."""

    name: str
    name_prefix: str
    rule_names: dict[str, str]
    role_name: str
    remediation_role_name: str
    bucket_name: str
    kms_key_arn: str
    log_expiration_days: float | str
    account: AwsAccount
    password: PasswordRules
    account_wide: bool
    with_compliance: bool
    managed_by_tag: tuple[str, str]
    force_destroy: object = False  # `SecureBucketProps.force_destroy` of its bucket


class AccountControls(Construct):
    """Outputs: `recorder` (`aws_config_configuration_recorder`), `channel`
    (`aws_config_delivery_channel`), `rules` (managed rule identifier -> `aws_config_config_rule`),
    `remediations` (identifier -> `aws_config_remediation_configuration`, for rules with a runbook),
    `password_policy` (`aws_iam_account_password_policy`, where `account_wide`), `bucket` (the delivery `SecureBucket`)
    and `alarms` (a resource found non-compliant by one of the rules, for the alerts topic)."""

    def __init__(self, scope: Construct, props: AccountControlsProps) -> None:
        super().__init__(scope, props.name)
        name = props.name
        bucket_arn = f"arn:{props.account.partition}:s3:::{props.bucket_name}"
        self.bucket = SecureBucket(
            self,
            SecureBucketProps(
                force_destroy=props.force_destroy,
                name=f"{name}_logs",
                bucket_name=props.bucket_name,
                kms_key_arn=props.kms_key_arn,
                expiration_days=props.log_expiration_days,
                extra_statements=config_bucket_statements(bucket_arn, props.account),
            ),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{name}_role",
                role_name=props.role_name,
                service=CONFIG_PRINCIPAL,
                statements=config_role_statements(self.bucket.arn, props.kms_key_arn, props.account),
                trust_conditions=(_from_this_account(props.account),),
            ),
        )
        managed = aws.iam_role_policy_attachment.IamRolePolicyAttachment(
            self,
            f"{name}_role_managed_policy",
            role=role.role.name,
            policy_arn=f"arn:{props.account.partition}:iam::aws:policy/{CONFIG_MANAGED_POLICY}",
        )
        recorder = aws.config_configuration_recorder
        self.recorder = recorder.ConfigConfigurationRecorder(
            self,
            f"{name}_recorder",
            name=f"{props.name_prefix}-recorder",
            role_arn=role.arn,
            recording_group=recorder.ConfigConfigurationRecorderRecordingGroup(
                all_supported=True, include_global_resource_types=props.account_wide
            ),
            depends_on=[managed],
        )
        channel = aws.config_delivery_channel
        # Config checks on creation that it can write to the bucket: the bucket and both grants first.
        self.channel = channel.ConfigDeliveryChannel(
            self,
            f"{name}_channel",
            name=f"{props.name_prefix}-channel",
            s3_bucket_name=self.bucket.name,
            snapshot_delivery_properties=channel.ConfigDeliveryChannelSnapshotDeliveryProperties(
                delivery_frequency=SNAPSHOT_FREQUENCY
            ),
            depends_on=[self.recorder, role.policy, *self.bucket.ready],
        )
        aws.config_configuration_recorder_status.ConfigConfigurationRecorderStatus(
            self, f"{name}_recorder_status", name=self.recorder.name, is_enabled=True, depends_on=[self.channel]
        )
        self.rules = {
            identifier: self._managed_rule(props, identifier, use)
            for identifier, use in MANAGED_RULES.items()
            if (props.with_compliance or not use.with_compliance) and (props.account_wide or not use.account_wide)
        }
        self.remediations = self._remediations(props)
        self.password_policy = password_policy(self, props.password) if props.account_wide else None
        self.alarms = (self._watch_compliance(props),)

    def _managed_rule(self, props: AccountControlsProps, identifier: str, use: RuleUse):
        """An AWS managed rule; a rule cannot be created before the account has a recorder."""
        rule = aws.config_config_rule
        parameters = use.parameters
        if identifier == "IAM_PASSWORD_POLICY":
            parameters = {**parameters, **password_rule_parameters(props.password)}
        key, value = props.managed_by_tag
        return rule.ConfigConfigRule(
            self,
            f"{props.name}_rule_{identifier.lower()}",
            name=props.rule_names[identifier],
            source=rule.ConfigConfigRuleSource(owner="AWS", source_identifier=identifier),
            input_parameters=Fn.jsonencode(parameters) if parameters else None,
            scope=rule.ConfigConfigRuleScope(tag_key=key, tag_value=value) if use.terraform_managed else None,
            depends_on=[self.recorder],
        )

    def _remediations(self, props: AccountControlsProps) -> dict:
        """A remediation for each deployed rule with a runbook, run as one role of the region that
        may do what those runbooks' steps do, and nothing else."""
        runbooks = {i: RUNBOOKS[MANAGED_RULES[i].remediation] for i in self.rules if MANAGED_RULES[i].remediation}
        if not runbooks:
            return {}
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_remediation_role",
                role_name=props.remediation_role_name,
                service=AUTOMATION_PRINCIPAL,
                statements=remediation_statements(tuple(runbooks.values()), props.account),
                trust_conditions=(_from_this_account(props.account),),
            ),
        )
        return {
            identifier: self._remediation(props, identifier, runbook, role) for identifier, runbook in runbooks.items()
        }

    def _remediation(self, props: AccountControlsProps, identifier: str, runbook: Runbook, role: ServiceRole):
        remediation = aws.config_remediation_configuration
        parameters = [
            remediation.ConfigRemediationConfigurationParameter(name=ASSUME_ROLE, static_value=role.arn),
            remediation.ConfigRemediationConfigurationParameter(
                name=runbook.resource_parameter, resource_value=RESOURCE_ID
            ),
            *(
                remediation.ConfigRemediationConfigurationParameter(name=name, static_value=value)
                for name, value in runbook.parameters.items()
            ),
        ]
        # The provider reads the parameters back sorted by name: in any other order, every plan
        # would show a change.
        parameters.sort(key=lambda parameter: parameter.name)
        return remediation.ConfigRemediationConfiguration(
            self,
            f"{props.name}_remediation_{identifier.lower()}",
            config_rule_name=self.rules[identifier].name,
            target_type="SSM_DOCUMENT",
            target_id=runbook.name,
            automatic=runbook.safe_unattended,
            maximum_automatic_attempts=REMEDIATION_ATTEMPTS,
            retry_attempt_seconds=REMEDIATION_ATTEMPT_WINDOW_SECONDS,
            execution_controls=remediation.ConfigRemediationConfigurationExecutionControls(
                ssm_controls=remediation.ConfigRemediationConfigurationExecutionControlsSsmControls(
                    concurrent_execution_rate_percentage=REMEDIATION_CONCURRENCY_PERCENT,
                    error_percentage=REMEDIATION_ERROR_PERCENT,
                )
            ),
            parameter=parameters,
            depends_on=[role.policy],
        )

    def _watch_compliance(self, props: AccountControlsProps) -> AlarmSpec:
        """A rule that matches a verdict of NON_COMPLIANT from one of the stack's rules, and the alarm
        on its matches: the stack passes every rule it deploys, so a match is a change to look at."""
        event = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            f"{props.name}_noncompliance",
            name=f"{props.name_prefix}-config-noncompliance",
            description="A resource found NON_COMPLIANT by one of the stack's AWS Config rules",
            event_pattern=Fn.jsonencode(
                {
                    **COMPLIANCE_CHANGE,
                    "detail": {
                        **COMPLIANCE_CHANGE["detail"],
                        "configRuleName": [rule.name for rule in self.rules.values()],
                        "newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]},
                    },
                }
            ),
        )
        return matched_events_alarm(
            f"{props.name}_noncompliance_alarm",
            "An AWS Config rule of the stack found a resource NON_COMPLIANT (see the rule's results in Config)",
            event,
        )


def password_rule_parameters(rules: PasswordRules) -> dict[str, str]:
    """IAM_PASSWORD_POLICY's parameters for the policy's own values (Config takes them as strings)."""
    return {
        "MinimumPasswordLength": Fn.tostring(rules.minimum_length),
        "PasswordReusePrevention": Fn.tostring(rules.reuse_prevention),
        "MaxPasswordAge": Fn.tostring(rules.max_age_days),
    }


def password_policy(scope: Construct, rules: PasswordRules):
    """Every character class, a minimum length, a maximum age and no reuse of recent passwords;
    users may change their own password (otherwise expiry would lock them out)."""
    return aws.iam_account_password_policy.IamAccountPasswordPolicy(
        scope,
        PASSWORD_POLICY,
        minimum_password_length=rules.minimum_length,
        require_lowercase_characters=True,
        require_uppercase_characters=True,
        require_numbers=True,
        require_symbols=True,
        max_password_age=rules.max_age_days,
        password_reuse_prevention=rules.reuse_prevention,
        allow_users_to_change_password=True,
    )


def _from_this_account(account: AwsAccount) -> Condition:
    return Condition("StringEquals", "aws:SourceAccount", (account.account_id,))


def _snapshots(bucket_arn: str, account: AwsAccount) -> str:
    """Where Config writes its snapshots and history (no key prefix)."""
    return f"{bucket_arn}/AWSLogs/{account.account_id}/Config/*"


def config_bucket_statements(bucket_arn: str, account: AwsAccount) -> tuple[Statement, ...]:
    """The bucket policy AWS Config documents for delivery, limited to this account's Config.

    `bucket_arn` is built from the bucket name, since the bucket's policy cannot name its own
    resource through the bucket construct before the bucket exists."""
    config = (service_principal(CONFIG_PRINCIPAL),)
    this_account = _from_this_account(account)
    return (
        Statement(
            "ConfigChecksBucketAcl", ("s3:GetBucketAcl",), (bucket_arn,), principals=config, conditions=(this_account,)
        ),
        Statement(
            "ConfigChecksBucketExists", ("s3:ListBucket",), (bucket_arn,), principals=config, conditions=(this_account,)
        ),
        Statement(
            "ConfigDeliversSnapshots",
            ("s3:PutObject",),
            (_snapshots(bucket_arn, account),),
            principals=config,
            conditions=(this_account, Condition("StringEquals", "s3:x-amz-acl", (OWNER_FULL_CONTROL,))),
        ),
    )


def remediation_statements(runbooks: tuple[Runbook, ...], account: AwsAccount) -> tuple[Statement, ...]:
    """What the runbooks' steps call, on the resources of their type in this account and region
    (any of which a rule may find; S3 bucket ARNs name neither)."""
    where = {
        "AWS::KMS::Key": account.arn("kms", "key/*"),
        "AWS::DynamoDB::Table": account.arn("dynamodb", "table/*"),
        "AWS::S3::Bucket": f"arn:{account.partition}:s3:::*",
    }
    by_type: dict[str, list[str]] = {}
    for runbook in runbooks:
        actions = by_type.setdefault(runbook.resource_type, [])
        actions += [action for action in runbook.granted if action not in actions]
    return tuple(
        Statement(f"Remediate{resource_type.split('::')[1]}", tuple(actions), (where[resource_type],))
        for resource_type, actions in by_type.items()
    )


def config_role_statements(bucket_arn: str, kms_key_arn: str, account: AwsAccount) -> tuple[Statement, ...]:
    """What the recorder's role needs beyond the managed policy: write its snapshots to the bucket,
    encrypted with the stack key through S3 for this bucket only."""
    return (
        Statement(
            "WriteConfigSnapshots",
            ("s3:PutObject", "s3:PutObjectAcl"),
            (_snapshots(bucket_arn, account),),
            conditions=(Condition("StringEquals", "s3:x-amz-acl", (OWNER_FULL_CONTROL,)),),
        ),
        Statement("CheckDeliveryBucketAcl", ("s3:GetBucketAcl",), (bucket_arn,)),
        Statement(
            "EncryptConfigSnapshots",
            ("kms:GenerateDataKey",),
            (kms_key_arn,),
            conditions=(
                Condition("StringEquals", "kms:ViaService", (account.service_host("s3"),)),
                # With an S3 Bucket Key the context is the bucket, without one the object.
                Condition("ArnLike", "kms:EncryptionContext:aws:s3:arn", (bucket_arn, f"{bucket_arn}/*")),
            ),
        ),
    )
