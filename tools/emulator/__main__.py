"""`python -m tools.emulator`: see the package docstring."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading

from moto.core.config import default_user_config
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from tools.emulator import patches
from tools.emulator.retries import RetryLedger

STATUS_PATH = "/_emulator/status"


def status_or(ledger: RetryLedger, applied: tuple[str, ...]):
    """The WSGI application: the status page, else moto behind the ledger."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") != STATUS_PATH:
            return ledger(environ, start_response)
        body = json.dumps({"patches": applied, "retried": ledger.retried, "replayed": ledger.replayed}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return application


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args(argv)
    applied = patches.apply_all()
    # AWS managed policies exist in every account (the Config recorder's role attaches
    # service-role/AWS_ConfigRole); moto loads its copy of them only when asked.
    default_user_config["iam"]["load_aws_managed_policies"] = True
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    ledger = RetryLedger(DomainDispatcherApplication(create_backend_app))
    server = make_server(args.host, args.port, status_or(ledger, applied), True, request_handler=MotoRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"endpoint": f"http://{args.host}:{server.server_port}", "patches": applied}), flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nobody reads on after that line
    sys.stdin.read()  # until the parent closes it, or dies
    server.shutdown()


if __name__ == "__main__":
    main()
