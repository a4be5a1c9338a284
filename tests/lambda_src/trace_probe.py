"""Runs a function's handler from its extracted archive with X-Ray tracing on, as Lambda runs it,
against moto, and writes every trace document the X-Ray SDK emitted.

Lambda tells the SDK where the X-Ray daemon listens (`AWS_XRAY_DAEMON_ADDRESS`) and which trace an
invocation belongs to (`_X_AMZN_TRACE_ID`); the SDK, in Lambda mode (`LAMBDA_TASK_ROOT`), streams
each finished subsegment to the daemon over UDP as `<header>\\n<json>`. Here a UDP socket on
loopback is the daemon. Run in its own process: tracing patches botocore for the whole process.

Usage: python -m tests.lambda_src.trace_probe <archive dir> <crud|health> <marker> <out.json>
(from the checkout's root, with the function's environment already set).
"""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def listen() -> socket.socket:
    daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    daemon.bind(("127.0.0.1", 0))
    daemon.settimeout(0.5)
    os.environ["AWS_XRAY_DAEMON_ADDRESS"] = f"127.0.0.1:{daemon.getsockname()[1]}"
    return daemon


def received(daemon: socket.socket) -> list[dict]:
    documents = []
    while True:
        try:
            datagram = daemon.recv(65535)
        except TimeoutError:
            return documents
        documents.append(json.loads(datagram.decode().split("\n", 1)[1]))


def crud_requests(api, marker: str) -> list[int]:
    """Every route, a bad body and a refused tenant, each carrying `marker` where a client would."""
    created = api("POST", "/items", body={"note": marker, "amount": 12.5})
    path = f"/items/{created.json['item_id']}"
    second = api("POST", "/items", body={"note": marker + "-second"})
    # A page of one, so the next one needs a token signed with the application secret.
    first_page = api("GET", "/items", query={"limit": "1"})
    return [
        created.status,
        second.status,
        api("GET", path).status,
        first_page.status,
        api("GET", "/items", query={"limit": "1", "next_token": first_page.json["next_token"]}).status,
        api("PUT", path, body={"note": marker + "-updated"}, headers={"If-Match": '"1"'}).status,
        api("GET", "/metrics").status,
        api("POST", "/items", raw_body='{"note": "' + marker + '"').status,
        api("GET", path, tenant="tenant-z").status,
        api("DELETE", path).status,
    ]


def main(archive: str, function: str, marker: str, out: str) -> None:
    os.environ.update(LAMBDA_TASK_ROOT=archive, _X_AMZN_TRACE_ID=TRACE_HEADER)
    os.environ.pop("POWERTOOLS_TRACE_DISABLED", None)
    daemon = listen()
    sys.path.insert(0, archive)
    from moto import mock_aws

    from tests.lambda_src.conftest import Api, create_test_resources

    with mock_aws():
        created = create_test_resources()
        os.environ["APP_SECRET_ARN"] = created["secret_arn"]
        secret = created["secrets"].get_secret_value(SecretId=created["secret_arn"])["SecretString"]
        import handler

        api = Api(handler)
        statuses = crud_requests(api, marker) if function == "crud" else [api("GET", "/health", tenant=None).status]
    result = {"statuses": statuses, "secret": secret, "documents": received(daemon)}
    Path(out).write_text(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
