"""CloudWatch Synthetics canary (Python runtime): GET {API_URL}/health must answer 200 healthy.

Packaged under `python/` in canary.zip, handler `canary.handler`. `aws_synthetics` exists only
inside the Synthetics runtime; tests replace it with a double.

Route 53 fails the region over on what this canary sees, so what it publishes must mean "this
region cannot serve", never "someone is flooding /health". `/health` is open to anyone, and API
Gateway answers a request over the route's throttle with 429 before any function runs; no function
of this API ever answers 429. So the canary asks again when throttled and judges on the first
answer that is not a 429: it publishes that verdict (1 or 0, as the metric `VERDICT_METRIC` in
`VERDICT_NAMESPACE` with the dimension `CanaryName` = `CANARY_NAME`, all set by the stack) for the
alarm Route 53 follows, and fails the run on a bad one. A run throttled on every attempt publishes
no verdict (the alarm keeps the last one) and passes, with a warning: a flood can neither fail a
region over nor bring a failed one back.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request

import boto3
from aws_synthetics.common import synthetics_logger as logger
from aws_synthetics.selenium import synthetics_webdriver as syn_webdriver

TIMEOUT_SECONDS = 10
THROTTLED = 429
# Three attempts 5 s apart fit the canary's 60 s timeout even when each one times out (3 x 10 + 2 x 5).
ATTEMPTS = 3
RETRY_DELAY_SECONDS = 5


class HealthCheckFailed(Exception):
    """Raising fails the canary run, which is what alarms watch."""


def health_url() -> str:
    base = os.environ.get("API_URL", "").rstrip("/")
    if not base.startswith("https://"):
        raise HealthCheckFailed(f"API_URL must be an https:// URL, got {base!r}")
    return f"{base}/health"


def fetch(url: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "tap-canary"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, TimeoutError) as error:
        raise HealthCheckFailed(f"GET {url} failed: {error}") from error


def judge(url: str, status: int, raw: bytes) -> dict:
    if status != 200:
        raise HealthCheckFailed(f"GET {url} returned {status}")
    try:
        body = json.loads(raw)
    except ValueError as error:
        raise HealthCheckFailed(f"GET {url} returned a body that is not JSON") from error
    if not isinstance(body, dict) or body.get("status") != "healthy":
        raise HealthCheckFailed(f"GET {url} reported {body!r}")
    logger.info(f"GET {url}: healthy")
    return body


def first_answer(url: str) -> tuple[int, bytes] | None:
    """The first answer that is not a 429, or None when every attempt was throttled."""
    for attempt in range(1, ATTEMPTS + 1):
        status, raw = fetch(url)
        if status != THROTTLED:
            return status, raw
        if attempt < ATTEMPTS:
            time.sleep(RETRY_DELAY_SECONDS)
    return None


def publish_verdict(healthy: bool) -> None:
    boto3.client("cloudwatch").put_metric_data(
        Namespace=os.environ["VERDICT_NAMESPACE"],
        MetricData=[
            {
                "MetricName": os.environ["VERDICT_METRIC"],
                "Dimensions": [{"Name": "CanaryName", "Value": os.environ["CANARY_NAME"]}],
                "Value": 1.0 if healthy else 0.0,
                "Unit": "Count",
            }
        ],
    )


def check_health() -> dict:
    url = health_url()
    try:
        answer = first_answer(url)
        if answer is None:
            logger.info(f"GET {url}: throttled on all {ATTEMPTS} attempts; no verdict on the region, run passed")
            return {"status": "throttled"}
        body = judge(url, *answer)
    except HealthCheckFailed:
        publish_verdict(False)
        raise
    publish_verdict(True)
    return body


def handler(event: dict, context: object) -> dict:
    return syn_webdriver.execute_step("GET /health", check_health)
