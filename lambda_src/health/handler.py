"""GET /health: reports whether the item table is reachable. Unauthenticated by design."""

from __future__ import annotations

import os

import boto3
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import Response
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import tap_contract
from tap_http import HttpApi, json_response, routes_for

logger = Logger()
metrics = Metrics()
tracer = Tracer()
# Short timeouts and no retries: a health check must answer quickly, even when the answer is no.
dynamodb = boto3.client("dynamodb", config=Config(connect_timeout=2, read_timeout=2, retries={"max_attempts": 1}))


def health() -> Response:
    region = os.environ.get("AWS_REGION", "")
    try:
        dynamodb.describe_table(TableName=os.environ["TABLE_NAME"])
    except (BotoCoreError, ClientError) as error:
        logger.warning("health check failed", extra={"error": repr(error)})
        return json_response(503, {"status": "unhealthy", "region": region, "checks": {"dynamodb": "unreachable"}})
    return json_response(200, {"status": "healthy", "region": region, "checks": {"dynamodb": "ok"}})


api = HttpApi(routes_for(tap_contract.HEALTH, {("GET", "health"): health}), logger, metrics)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict, context: object) -> dict:
    return api.handle(event, context)
