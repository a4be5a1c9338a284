"""Secrets Manager rotation function of the application secret (`rotation.zip`, handler `handler.handler`).

Invoked by Secrets Manager only, once per step (`createSecret`, `setSecret`, `testSecret`,
`finishSecret`); the steps and their guarantees are in `key_rotation.steps`, the value format in
`key_rotation.keys`. A failed step raises, so Secrets Manager records the failure and retries.

Environment: `SECRETS_MANAGER_ENDPOINT` (optional; an endpoint URL, e.g. a VPC interface endpoint
without private DNS; default: the regional endpoint), `LOG_LEVEL`, `POWERTOOLS_SERVICE_NAME`.
"""

from __future__ import annotations

import os

import boto3
from aws_lambda_powertools import Logger
from key_rotation.steps import SecretRotation

logger = Logger()
secrets = boto3.client("secretsmanager", endpoint_url=os.environ.get("SECRETS_MANAGER_ENDPOINT") or None)
rotation = SecretRotation(secrets, logger)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> None:
    rotation.run(event)
