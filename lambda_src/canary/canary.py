"""CloudWatch Synthetics canary (Python runtime): GET {API_URL}/health must answer 200 healthy.

Packaged under `python/` in canary.zip, handler `canary.handler`. `aws_synthetics` exists only
inside the Synthetics runtime; tests replace it with a double.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request

from aws_synthetics.common import synthetics_logger as logger
from aws_synthetics.selenium import synthetics_webdriver as syn_webdriver

TIMEOUT_SECONDS = 10


class HealthCheckFailed(Exception):
    """Raising fails the canary run, which is what alarms watch."""


def health_url() -> str:
    base = os.environ.get("API_URL", "").rstrip("/")
    if not base.startswith("https://"):
        raise HealthCheckFailed(f"API_URL must be an https:// URL, got {base!r}")
    return f"{base}/health"


def check_health() -> dict:
    url = health_url()
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "tap-canary"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except (urllib.error.URLError, TimeoutError) as error:
        raise HealthCheckFailed(f"GET {url} failed: {error}") from error
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


def handler(event: dict, context: object) -> dict:
    return syn_webdriver.execute_step("GET /health", check_health)
