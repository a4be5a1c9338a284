"""The emulator's `RetryLedger`: a retried call whose first attempt moto carried out is answered
again, not carried out twice; a failed first attempt is retried for real. Checked on the running
server with boto3 calls that carry the same SDK invocation id, as the SDK's retries do."""

import io
import json
import uuid
import zipfile

import boto3
import pytest

pytestmark = pytest.mark.rehearsal
REGION = "eu-central-1"


def client(emulator, service: str, invocation: str):
    made = boto3.client(
        service,
        region_name=REGION,
        endpoint_url=emulator.endpoint,
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
        aws_secret_access_key="testing",
    )

    def same_call(request, **_):
        request.headers["amz-sdk-invocation-id"] = invocation
        request.headers["amz-sdk-request"] = "attempt=2; max=2"

    made.meta.events.register("before-send", same_call)
    return made


def function(emulator, name: str) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("h.py", "def h(event, context):\n    return 1\n")
    plain = client(emulator, "iam", str(uuid.uuid4()))
    role = plain.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    client(emulator, "lambda", str(uuid.uuid4())).create_function(
        FunctionName=name, Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": archive.getvalue()}
    )


def test_a_retried_create_is_answered_again_not_carried_out_twice(emulator):
    function(emulator, "ledger-retried")
    invocation = str(uuid.uuid4())
    lam = client(emulator, "lambda", invocation)
    permission = {
        "FunctionName": "ledger-retried",
        "StatementId": "AllowApiGateway",
        "Action": "lambda:InvokeFunction",
        "Principal": "apigateway.amazonaws.com",
    }
    first = lam.add_permission(**permission)
    again = lam.add_permission(**permission)
    assert again["Statement"] == first["Statement"]
    policy = client(emulator, "lambda", str(uuid.uuid4())).get_policy(FunctionName="ledger-retried")
    statements = json.loads(policy["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["AllowApiGateway"]
    assert emulator.ledger().replayed.count("POST /2015-03-31/functions/ledger-retried/policy") == 1


def test_a_failed_first_attempt_is_retried_for_real(emulator):
    lam = client(emulator, "lambda", str(uuid.uuid4()))
    with pytest.raises(lam.exceptions.ResourceNotFoundException):
        lam.get_function(FunctionName="ledger-late")
    function(emulator, "ledger-late")
    assert lam.get_function(FunctionName="ledger-late")["Configuration"]["FunctionName"] == "ledger-late"
