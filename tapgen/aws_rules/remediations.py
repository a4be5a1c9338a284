"""AWS-owned Systems Manager Automation runbooks that AWS Config runs to fix a finding, as AWS
documents them (AWS Systems Manager Automation runbook reference).

The emulator runs no runbook, so each one the stack configures is kept here with its page, its
parameters, the IAM actions its page says the assume role needs (and which of them the stack
leaves out, with the reason), and what its steps change, as a function over a planned resource:
`tests/tapgen/aws_rules/test_remediations.py` makes each stack resource non-compliant, applies the
runbook's change, and evaluates the Config rule again (`tapgen.aws_rules.config_rules`).

`safe_unattended` says whether the change can run without a person deciding: the stack's rules
judge every resource of their type in the region, not only the stack's, so a runbook runs
automatically only when its change cannot break anyone's use of the resource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

DOCS = "https://docs.aws.amazon.com/systems-manager-automation-runbooks/latest/userguide"
# The parameter every runbook takes for the role its steps run as; Config's automatic remediation
# accepts no other (Config API Reference, PutRemediationConfigurations).
ASSUME_ROLE = "AutomationAssumeRole"
# Config passes the non-compliant resource's ID (for these types: the key ID, the table or the
# bucket name) to the runbook's resource parameter (Config API Reference, ResourceValue).
RESOURCE_ID = "RESOURCE_ID"
# Listed by every runbook page for runbooks that start other automations; these runbooks' steps
# (aws:executeAwsApi, aws:assertAwsResourceProperty, aws:executeScript) call only the resource's
# service, and Config starts the automation with its own service-linked role.
NESTED_AUTOMATION = ("ssm:StartAutomationExecution", "ssm:GetAutomationExecution")
_NOT_NESTED = dict.fromkeys(
    NESTED_AUTOMATION, "starts no other automation: its steps call only the resource's own service"
)
# What PutRemediationConfigurations accepts, as (least, most) (AWS Config API Reference,
# RemediationConfiguration and SsmControls); `Parameters` counts a configuration's parameters.
LIMITS = {
    "MaximumAutomaticAttempts": (1, 25),
    "RetryAttemptSeconds": (1, 2678000),
    "ConcurrentExecutionRatePercentage": (1, 100),
    "ErrorPercentage": (1, 100),
    "Parameters": (0, 25),
}


@dataclass(frozen=True)
class Runbook:
    """An AWS-owned runbook: `name` (the SSM document), `page` under `DOCS`, `resource_type` (the
    Config type whose ID `resource_parameter` takes), `parameters` besides the assume role and the
    resource (name -> the value the stack passes: its page's default, written out so a change of
    default at AWS changes nothing), `permissions` as its page lists them,
    `not_granted` (action -> reason), `safe_unattended` with its reason, and `change`: what its
    steps do to a planned resource, given the parameters (`planned_change(body, parameters)`,
    returning the changed body and the bodies it attaches to the resource by type)."""

    name: str
    page: str
    resource_type: str
    resource_parameter: str
    permissions: tuple[str, ...]
    safe_unattended: bool
    why: str
    change: Callable[[dict, dict[str, str]], tuple[dict, dict[str, dict]]]
    parameters: dict[str, str] = field(default_factory=dict)
    not_granted: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> str:
        return f"{DOCS}/{self.page}.html"

    @property
    def granted(self) -> tuple[str, ...]:
        return tuple(action for action in self.permissions if action not in self.not_granted)


def _rotation_on(key: dict, parameters: dict[str, str]) -> tuple[dict, dict[str, dict]]:
    return {**key, "enable_key_rotation": True}, {}


def _pitr_on(table: dict, parameters: dict[str, str]) -> tuple[dict, dict[str, dict]]:
    return {**table, "point_in_time_recovery": {"enabled": True}}, {}


PUBLIC_ACCESS_SETTINGS = {
    "BlockPublicAcls": "block_public_acls",
    "IgnorePublicAcls": "ignore_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def _public_access_blocked(bucket: dict, parameters: dict[str, str]) -> tuple[dict, dict[str, dict]]:
    block = {attribute: parameters[name] == "true" for name, attribute in PUBLIC_ACCESS_SETTINGS.items()}
    return bucket, {"aws_s3_bucket_public_access_block": block}


_KEY_ROTATION = (
    *NESTED_AUTOMATION,
    "kms:EnableKeyRotation",
    "kms:GetKeyRotationStatus",
)
_PITR = (
    *NESTED_AUTOMATION,
    "dynamodb:DescribeContinuousBackups",
    "dynamodb:UpdateContinuousBackups",
)
_PUBLIC_ACCESS_BLOCK = (
    *NESTED_AUTOMATION,
    "s3:GetAccountPublicAccessBlock",
    "s3:PutAccountPublicAccessBlock",
    "s3:GetBucketPublicAccessBlock",
    "s3:PutBucketPublicAccessBlock",
)

RUNBOOKS = {
    runbook.name: runbook
    for runbook in (
        Runbook(
            "AWSConfigRemediation-EnableKeyRotation",
            "automation-aws-enable-key-rotation",
            "AWS::KMS::Key",
            "KeyId",
            _KEY_ROTATION,
            safe_unattended=True,
            why="rotation keeps the key's ID, ARN, policy and every use of it working "
            "(AWS KMS Developer Guide, 'Enable automatic key rotation')",
            change=_rotation_on,
            not_granted=_NOT_NESTED,
        ),
        Runbook(
            "AWSConfigRemediation-EnablePITRForDynamoDbTable",
            "automation-aws-enable-pitr-ddb",
            "AWS::DynamoDB::Table",
            "TableName",
            _PITR,
            safe_unattended=True,
            why="continuous backups change nothing for the table's readers and writers (they are billed by size)",
            change=_pitr_on,
            not_granted=_NOT_NESTED,
        ),
        Runbook(
            "AWSConfigRemediation-ConfigureS3BucketPublicAccessBlock",
            "automation-aws-block-public-s3-bucket",
            "AWS::S3::Bucket",
            "BucketName",
            _PUBLIC_ACCESS_BLOCK,
            safe_unattended=False,
            why="a bucket of another team that is public on purpose (a website) would stop being served; "
            "an operator starts it from the rule's results in the Config console",
            change=_public_access_blocked,
            parameters=dict.fromkeys(PUBLIC_ACCESS_SETTINGS, "true"),
            not_granted={
                **_NOT_NESTED,
                "s3:GetAccountPublicAccessBlock": "its steps read the bucket's block only",
                "s3:PutAccountPublicAccessBlock": "its steps set the bucket's block only; the account's would "
                "change every bucket of the account at once",
            },
        ),
    )
}
