"""The application secret: encrypted with the stack's key, created without a value, rotated.

No `aws_secretsmanager_secret_version` is ever generated, so no secret material reaches the
Terraform state: the rotation function (`lambda_src/rotation`) creates the value on the first
rotation, which Secrets Manager starts as soon as the rotation is configured, and replaces it on
schedule. The CRUD function signs `next_token` with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, Statement
from tapgen.aws import aws

RECOVERY_WINDOW_DAYS = 30


@dataclass(frozen=True, kw_only=True)
class AppSecretProps:
    """`recovery_window_days`: how long a deleted secret can be restored (and its name stays
    reserved), 7 to 30, or 0 to delete it at once; a number or a Terraform number expression."""

    name: str
    secret_name: str
    kms_key_arn: str
    description: str
    recovery_window_days: object = RECOVERY_WINDOW_DAYS


@dataclass(frozen=True, kw_only=True)
class SecretRotationProps:
    """`function_name`/`function_arn`: the rotation Lambda; `days`: the schedule (a number expression)."""

    name: str
    secret_arn: str
    function_name: str
    function_arn: str
    days: float
    account_id: str


class SecretRotation(Construct):
    """Secrets Manager may invoke the rotation function for this secret only; the rotation is
    configured after that permission exists, since configuring it starts the first rotation."""

    def __init__(self, scope: Construct, props: SecretRotationProps) -> None:
        super().__init__(scope, props.name)
        permission = aws.lambda_permission.LambdaPermission(
            self,
            f"{props.name}_permission",
            statement_id="AllowSecretsManagerRotation",
            action="lambda:InvokeFunction",
            function_name=props.function_name,
            principal="secretsmanager.amazonaws.com",
            source_arn=props.secret_arn,
            source_account=props.account_id,
        )
        self.rotation = aws.secretsmanager_secret_rotation.SecretsmanagerSecretRotation(
            self,
            props.name,
            secret_id=props.secret_arn,
            rotation_lambda_arn=props.function_arn,
            rotation_rules=aws.secretsmanager_secret_rotation.SecretsmanagerSecretRotationRotationRules(
                automatically_after_days=props.days
            ),
            depends_on=[permission],
        )


# The versions the API function reads: it signs with AWSCURRENT and verifies with AWSPREVIOUS; a
# half-made AWSPENDING value is never used.
SIGNING_STAGES = ("AWSCURRENT", "AWSPREVIOUS")
# What the rotation function does to the secret (the four steps of AWS's rotation template).
ROTATION_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)


class AppSecret(Construct):
    """Outputs: `secret` (`aws_secretsmanager_secret`), `arn`; the grants on it
    (`grant_signing_versions`, `grant_rotation`, `grant_key_use`)."""

    def __init__(self, scope: Construct, props: AppSecretProps) -> None:
        super().__init__(scope, props.name)
        self.secret = aws.secretsmanager_secret.SecretsmanagerSecret(
            self,
            props.name,
            name=props.secret_name,
            description=props.description,
            kms_key_id=props.kms_key_arn,
            recovery_window_in_days=props.recovery_window_days,
        )
        self.arn = self.secret.arn
        self._kms_key_arn = props.kms_key_arn

    def grant_signing_versions(self) -> Statement:
        """Read the current and the previous value (`SIGNING_STAGES`), never a pending one."""
        return Statement(
            "ReadAppSecret",
            ("secretsmanager:GetSecretValue",),
            (self.arn,),
            conditions=(Condition("StringEquals", "secretsmanager:VersionStage", SIGNING_STAGES),),
        )

    def grant_rotation(self) -> Statement:
        """Rotate the secret (`ROTATION_ACTIONS`)."""
        return Statement("RotateAppSecret", ROTATION_ACTIONS, (self.arn,))

    def grant_key_use(self, actions: tuple[str, ...], account: AwsAccount) -> Statement:
        """`actions` on the secret's key, for this secret only: through Secrets Manager, which names
        the secret in the encryption context."""
        return Statement(
            "UseSecretKey",
            actions,
            (self._kms_key_arn,),
            conditions=(
                Condition("StringEquals", "kms:ViaService", (account.service_host("secretsmanager"),)),
                Condition("StringEquals", "kms:EncryptionContext:SecretARN", (self.arn,)),
            ),
        )
