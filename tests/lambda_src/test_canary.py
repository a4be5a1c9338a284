"""The Synthetics canary against a real local HTTP server, with `aws_synthetics` replaced by a double."""

from __future__ import annotations

import importlib.util
import json
import sys
import threading
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.lambda_src.conftest import LAMBDA_SRC


class SyntheticsDouble:
    """Stands in for `aws_synthetics`: records steps and log lines, runs steps like the runtime."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.lines: list[str] = []

    def execute_step(self, name, function):
        self.steps.append(name)
        return function()

    def info(self, message):
        self.lines.append(message)


@pytest.fixture
def canary(monkeypatch):
    double = SyntheticsDouble()
    package = types.ModuleType("aws_synthetics")
    common = types.ModuleType("aws_synthetics.common")
    selenium = types.ModuleType("aws_synthetics.selenium")
    common.synthetics_logger = double
    selenium.synthetics_webdriver = double
    for name, module in {
        "aws_synthetics": package,
        "aws_synthetics.common": common,
        "aws_synthetics.selenium": selenium,
    }.items():
        monkeypatch.setitem(sys.modules, name, module)
    spec = importlib.util.spec_from_file_location("tap_canary", LAMBDA_SRC / "canary" / "canary.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.double = double
    return module


@pytest.fixture
def server():
    """A local stand-in for the API: answers /health with whatever the test sets."""
    state = {"status": 200, "body": json.dumps({"status": "healthy"}).encode(), "paths": []}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state["paths"].append(self.path)
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
    monkeypatch.setattr(canary, "health_url", lambda: url.rstrip("/") + "/health")
    return canary.handler({}, None)


def test_healthy_api_passes(canary, server, monkeypatch):
    assert run(canary, monkeypatch, server["url"]) == {"status": "healthy"}
    assert server["paths"] == ["/dev/health"]
    assert canary.double.steps == ["GET /health"]


@pytest.mark.parametrize(
    ("status", "body"),
    [(503, {"status": "unhealthy"}), (200, {"status": "unhealthy"}), (200, "not json"), (404, {"error": {}})],
)
def test_unhealthy_answers_fail_the_run(canary, server, monkeypatch, status, body):
    server["status"] = status
    server["body"] = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    with pytest.raises(canary.HealthCheckFailed):
        run(canary, monkeypatch, server["url"])


def test_unreachable_api_fails_the_run(canary, monkeypatch):
    with pytest.raises(canary.HealthCheckFailed, match="failed"):
        run(canary, monkeypatch, "http://127.0.0.1:9/dev")


@pytest.mark.parametrize("url", ["", "http://plain.example.com", "ftp://x"])
def test_api_url_must_be_https(canary, monkeypatch, url):
    monkeypatch.setenv("API_URL", url)
    with pytest.raises(canary.HealthCheckFailed, match="https://"):
        canary.health_url()


def test_health_url_joins_without_double_slashes(canary, monkeypatch):
    monkeypatch.setenv("API_URL", "https://abc.execute-api.us-east-1.amazonaws.com/prod/")
    assert canary.health_url() == "https://abc.execute-api.us-east-1.amazonaws.com/prod/health"
