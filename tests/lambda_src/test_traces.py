"""Traces and logs carry no item body and no secret (`tap_contract.TRACE_PRIVACY_ENVIRONMENT`), on every
function that the API invokes: each handler runs from its built archive, with the environment the stack gives it and
X-Ray tracing on (`tests/lambda_src/trace_probe.py`), and what it emitted is searched."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest

from tests.lambda_src.conftest import ENVIRONMENT, run_from_archive

ROOT = Path(__file__).resolve().parents[2]
CRUD_STATUSES = [201, 201, 200, 200, 200, 200, 200, 400, 403, 204]


# What Lambda itself gives every function (the region, the role's credentials), not the stack.
LAMBDA_RUNTIME = ("AWS_DEFAULT_REGION", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


def stack_environment(document: dict, function: str) -> dict[str, str]:
    """The function's environment exactly as the stack sets it: a value only Terraform knows (a
    table's name) is the tests' stand-in for it, and nothing the stack does not set is added, so a
    setting the stack forgets fails here as it would on Lambda."""
    variables = document["resource"]["aws_lambda_function"][function]["environment"]["variables"]
    return {
        name: ENVIRONMENT[name] if "${" in value else value
        for name, value in variables.items()
        if name in ENVIRONMENT or "${" not in value
    }


def function_environment(document: dict, function: str) -> dict[str, str]:
    """What the probe process runs with: the host's environment less every setting a function may
    read (the tests' defaults among them), then Lambda's own, then the stack's."""
    host = {name: value for name, value in os.environ.items() if name not in ENVIRONMENT}
    return {**host, **{name: ENVIRONMENT[name] for name in LAMBDA_RUNTIME}, **stack_environment(document, function)}


def probe(synth, tmp_path: Path, archive: str, function: str, terraform_name: str) -> tuple[dict, str, str]:
    target = tmp_path / "task"
    marker = f"tenant-payload-{uuid.uuid4().hex}"
    out = tmp_path / "emitted.json"
    result = run_from_archive(
        synth.bundle / archive,
        target,
        ["-m", "tests.lambda_src.trace_probe", str(target), function, marker, str(out)],
        ROOT,
        function_environment(synth.document, terraform_name),
    )
    assert result.returncode == 0, result.stderr
    return json.loads(out.read_text()), marker, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("archive", "function", "terraform_name", "statuses"),
    [
        ("function.zip", "crud", "tap_stack_lambda", CRUD_STATUSES),
        ("health.zip", "health", "tap_stack_health_lambda", [200]),
    ],
    ids=["crud", "health"],
)
def test_traces_and_logs_carry_no_body_and_no_secret(synth, tmp_path, archive, function, terraform_name, statuses):
    emitted, marker, logs = probe(synth, tmp_path, archive, function, terraform_name)
    assert emitted["statuses"] == statuses
    names = {document["name"] for document in emitted["documents"]}
    # The probe saw real traces: the handler's subsegment and its calls to AWS.
    assert {"## handler", "dynamodb"} <= names, names
    hmac_key = json.loads(emitted["secret"])["hmac_key"]
    traces = json.dumps(emitted["documents"])
    for sensitive in (marker, hmac_key):
        assert sensitive not in traces
        assert sensitive not in logs
