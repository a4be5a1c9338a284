"""Outputs of the stack, as data: the contract's fixed outputs first, then `<resource>_<attr>` ones.

The stack declares them from this table and the hand-off README renders its outputs table from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OutputSpec:
    name: str
    description: str
    value: Callable[[object], str]


OUTPUTS: tuple[OutputSpec, ...] = (
    OutputSpec("api_url", "Invoke URL of the API stage.", lambda s: s.api.invoke_url),
    OutputSpec("health_url", "URL of the unauthenticated health check.", lambda s: f"{s.api.invoke_url}/health"),
    OutputSpec("lambda_function_name", "Name of the CRUD API Lambda function.", lambda s: s.crud.function_name),
    OutputSpec("dynamodb_table_name", "Name of the DynamoDB item table.", lambda s: s.data.name),
    OutputSpec("log_bucket_name", "Name of the S3 bucket holding the archived logs.", lambda s: s.logs.name),
    OutputSpec("kms_key_arn", "ARN of the stack's customer-managed KMS key.", lambda s: s.kms.arn),
    OutputSpec("secret_arn", "ARN of the application secret (created without a value).", lambda s: s.secret.arn),
    OutputSpec(
        "alerts_topic_arn", "ARN of the SNS topic that receives alarm notifications.", lambda s: s.alerts.topic_arn
    ),
    OutputSpec(
        "health_lambda_function_name", "Name of the health-check Lambda function.", lambda s: s.health.function_name
    ),
    OutputSpec("event_bus_name", "Name of the EventBridge bus that receives item events.", lambda s: s.events.name),
    OutputSpec("rest_api_id", "ID of the API Gateway REST API.", lambda s: s.api.api.id),
    OutputSpec("kms_alias_name", "Alias of the stack's KMS key.", lambda s: s.kms.alias.name),
    OutputSpec(
        "grants_table_name",
        "Name of the DynamoDB table of tenant grants (from tenant_grants).",
        lambda s: s.grants.name,
    ),
)
