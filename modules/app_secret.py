"""The application secret: encrypted with the stack's key and created without a value.

No `aws_secretsmanager_secret_version` is ever generated, so no secret material reaches the
Terraform state; operators put the value out of band.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from tapgen.aws import aws

RECOVERY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class AppSecretProps:
    name: str
    secret_name: str
    kms_key_arn: str
    description: str


class AppSecret(Construct):
    """Outputs: `secret` (`aws_secretsmanager_secret`), `arn`."""

    def __init__(self, scope: Construct, props: AppSecretProps) -> None:
        super().__init__(scope, props.name)
        self.secret = aws.secretsmanager_secret.SecretsmanagerSecret(
            self,
            props.name,
            name=props.secret_name,
            description=props.description,
            kms_key_id=props.kms_key_arn,
            recovery_window_in_days=RECOVERY_WINDOW_DAYS,
        )
        self.arn = self.secret.arn
