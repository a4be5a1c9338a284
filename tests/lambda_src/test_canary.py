"""The Synthetics canary against a real local HTTP server, with `aws_synthetics` replaced by a double."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.lambda_src.conftest import verdicts


@pytest.fixture
def server():
    """A local stand-in for the API: answers /health with whatever the test sets."""
    state = {"status": 200, "body": json.dumps({"status": "healthy"}).encode(), "paths": [], "throttled": 0}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["paths"].append(self.path)
            if state["throttled"]:
                state["throttled"] -= 1
                self.send_response(429)
                self.end_headers()
                self.wfile.write(b'{"message":"Too Many Requests"}')
                return
            self.send_response(state["status"])
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(state["body"])

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}/dev"
    yield state
    httpd.shutdown()


def run(canary, monkeypatch, url):
    monkeypatch.setenv("API_URL", url)
    monkeypatch.setattr(canary.time, "sleep", canary.double.sleeps.append)
    monkeypatch.setattr(canary, "health_url", lambda: url.rstrip("/") + "/health")
    return canary.handler({}, None)


def test_healthy_api_passes(canary, server, monkeypatch):
    assert run(canary, monkeypatch, server["url"]) == {"status": "healthy"}
    assert server["paths"] == ["/dev/health"]
    assert canary.double.steps == ["GET /health"]
    assert verdicts() == [1.0]


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, {"status": "unhealthy"}), (200, {"status": "unhealthy"}), (200, "not json"), (404, {"error": {}})],
)
def test_unhealthy_answers_fail_the_run(canary, server, monkeypatch, status, body):
    server["status"] = status
    server["body"] = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    with pytest.raises(canary.HealthCheckFailed):
        run(canary, monkeypatch, server["url"])
    assert verdicts() == [0.0]


def test_unreachable_api_fails_the_run(canary, monkeypatch):
    with pytest.raises(canary.HealthCheckFailed, match="failed"):
        run(canary, monkeypatch, "http://127.0.0.1:9/dev")
    assert verdicts() == [0.0]


@pytest.mark.parametrize("url", ["", "http://plain.example.com", "ftp://x"])
def test_api_url_must_be_https(canary, monkeypatch, url):
    monkeypatch.setenv("API_URL", url)
    with pytest.raises(canary.HealthCheckFailed, match="https://"):
        canary.handler({}, None)
    assert verdicts() == []  # a misconfigured canary says nothing about the region


def test_health_url_joins_without_double_slashes(canary, monkeypatch):
    monkeypatch.setenv("API_URL", "https://abc.execute-api.us-east-1.amazonaws.com/prod/")
    assert canary.health_url() == "https://abc.execute-api.us-east-1.amazonaws.com/prod/health"


@pytest.mark.parametrize("throttled", [1, 2])
def test_a_throttled_attempt_is_asked_again_and_the_next_answer_judged(canary, server, monkeypatch, throttled):
    server["throttled"] = throttled
    assert run(canary, monkeypatch, server["url"]) == {"status": "healthy"}
    assert server["paths"] == ["/dev/health"] * (throttled + 1)
    assert canary.double.sleeps == [canary.RETRY_DELAY_SECONDS] * throttled


def test_an_outage_behind_a_throttled_attempt_still_fails_the_run(canary, server, monkeypatch):
    server["throttled"], server["status"] = 1, 503
    server["body"] = json.dumps({"status": "unhealthy"}).encode()
    with pytest.raises(canary.HealthCheckFailed, match="returned 503"):
        run(canary, monkeypatch, server["url"])
    assert verdicts() == [0.0]


def test_a_run_throttled_on_every_attempt_passes_without_a_verdict(canary, server, monkeypatch):
    # 429 comes only from the gateway's throttle (anyone can flood /health): no evidence of an outage.
    server["throttled"] = canary.ATTEMPTS
    assert run(canary, monkeypatch, server["url"]) == {"status": "throttled"}
    assert len(server["paths"]) == canary.ATTEMPTS
    assert canary.double.sleeps == [canary.RETRY_DELAY_SECONDS] * (canary.ATTEMPTS - 1)
    assert "throttled on all 3 attempts" in canary.double.lines[-1]
    assert verdicts() == []


def test_the_attempts_fit_the_canary_timeout(canary):
    from modules.canary import HealthCanaryProps

    worst = canary.ATTEMPTS * canary.TIMEOUT_SECONDS + (canary.ATTEMPTS - 1) * canary.RETRY_DELAY_SECONDS
    assert worst < HealthCanaryProps.__dataclass_fields__["timeout_seconds"].default
