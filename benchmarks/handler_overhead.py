"""Handler cold import time and warm per-request overhead, with baselines from the same run.

    .venv/bin/python benchmarks/handler_overhead.py [--runs 5] [--requests 2000]

Cold: a fresh interpreter importing each handler, against one importing boto3 alone (which every
Python Lambda pays), the cases taking turns run by run; in the environment Lambda gives
(`LAMBDA_TASK_ROOT` set: outside Lambda the X-Ray SDK builds a sampling client at import, which
Lambda never does). The CRUD handler builds its AWS clients on first use, except under provisioned
concurrency, where init builds them: both are shown. Warm: the handler's own code per request, AWS
calls excluded (the store and the event publisher are replaced by in-memory versions), against a
bare Powertools resolver with one trivial route. Figures are medians / percentiles of this run on
this machine.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "lambda_src"
sys.path[:0] = [str(ROOT)]
ENV = {"TABLE_NAME": "bench", "EVENT_BUS_NAME": "bench", "DATA_RETENTION_DAYS": "30", "AWS_DEFAULT_REGION": "us-east-1"}
ENV |= {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "POWERTOOLS_TRACE_DISABLED": "1", "LOG_LEVEL": "ERROR"}
ENV |= {"POWERTOOLS_METRICS_NAMESPACE": "Bench", "POWERTOOLS_SERVICE_NAME": "bench"}
ENV |= {"GRANTS_TABLE_NAME": "bench-grants", "APP_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:b"}
ENV |= {"LAMBDA_TASK_ROOT": str(SRC)}
PROVISIONED = {"AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"}
COLD_CASES = (
    ("boto3 alone (baseline)", None, None),
    ("crud handler", "crud", None),
    ("crud handler, provisioned (clients built)", "crud", PROVISIONED),
    ("health handler", "health", None),
)


def cold_import(folder: str | None, extra_env: dict[str, str] | None = None) -> float:
    """Seconds a fresh interpreter takes to import `folder`'s handler (None: boto3 alone)."""
    paths = [str(SRC / str(folder)), str(SRC / "shared")]
    statement = "import boto3" if folder is None else f"import sys; sys.path[:0] = {paths!r}; import handler"
    timer = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    env = {**os.environ, **ENV, **(extra_env or {})}
    result = subprocess.run([sys.executable, "-c", timer], env=env, capture_output=True, text=True, check=True)
    return float(result.stdout.split()[-1])


def cold(runs: int) -> dict[str, tuple[float, float]]:
    """Per case: the median milliseconds, and the median of its ratio to the baseline of the same
    run. The cases take turns within each run, so a change in the machine's load weighs on a
    handler and on the baseline it is divided by alike."""
    samples: dict[str, list[float]] = {name: [] for name, _, _ in COLD_CASES}
    ratios: dict[str, list[float]] = {name: [] for name, _, _ in COLD_CASES}
    for _ in range(runs):
        seconds = {name: cold_import(folder, extra_env) for name, folder, extra_env in COLD_CASES}
        baseline = seconds[COLD_CASES[0][0]]
        for name, value in seconds.items():
            samples[name].append(value)
            ratios[name].append(value / baseline)
    return {name: (statistics.median(samples[name]) * 1000, statistics.median(ratios[name])) for name in samples}


class MemoryStore:
    """ItemStore's interface over a dict: the handler's work without DynamoDB round trips."""

    def __init__(self, real) -> None:
        self._real = real
        self._items: dict = {}

    def create(self, tenant, data):
        record = self._real._record(tenant, str(uuid.uuid4()), 1, data)
        self._items[(tenant, record["item_id"])] = record
        return record

    def get(self, tenant, item_id):
        return self._items.get((tenant, item_id))

    def page(self, tenant, limit, after):
        return [r for (t, _), r in sorted(self._items.items()) if t == tenant][:limit], None


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.99)] * 1000


def time_calls(call, requests: int) -> list[float]:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return samples


class AllTenantsGrantTable:
    """The grants table's GetItem, answered from memory: every caller may act for every tenant."""

    def get_item(self, **kwargs) -> dict:
        return {"Item": {"tenants": ["*"]}}


def warm(requests: int) -> dict[str, tuple[float, float]]:
    os.environ.update(ENV)
    sys.path[:0] = [str(SRC / "crud"), str(SRC / "shared")]
    import handler
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    from tests.lambda_src.conftest import LambdaContext, proxy_event

    handler.routes._store = MemoryStore(handler.store)
    # The grant lookup runs (and its cache with it); only the table read is in memory.
    handler.grants._table = AllTenantsGrantTable()
    handler.routes._events.publish = lambda *args: None
    context = LambdaContext()
    item = handler.routes._store.create("tenant-a", {"name": "bench", "price": 1})
    bare = APIGatewayRestResolver()
    bare.get("/items")(lambda: {"ok": True})
    cases = {
        "bare Powertools resolver (baseline)": lambda: bare.resolve(proxy_event("GET", "/items"), context),
        "GET /items/{id}": lambda: handler.handler(proxy_event("GET", f"/items/{item['item_id']}"), context),
        "GET /items": lambda: handler.handler(proxy_event("GET", "/items", query={"limit": "25"}), context),
        "POST /items": lambda: handler.handler(proxy_event("POST", "/items", body={"name": "x", "n": 1.5}), context),
    }
    results = {}
    with contextlib.redirect_stdout(io.StringIO()):  # EMF lines; printing them is still timed
        for name, call in cases.items():
            time_calls(call, 50)  # warm-up
            results[name] = percentiles(time_calls(call, requests))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'cold import':42} {'ms':>8} {'x boto3':>8}")
    for name, (ms, ratio) in cold(args.runs).items():
        print(f"{name:42} {ms:8.1f} {ratio:8.2f}")
    results = warm(args.requests)
    base_p50 = results["bare Powertools resolver (baseline)"][0]
    print(f"\n{'warm request (AWS calls excluded)':40} {'p50 ms':>8} {'p99 ms':>8} {'p50 x bare':>10}")
    for name, (p50, p99) in results.items():
        print(f"{name:40} {p50:8.3f} {p99:8.3f} {p50 / base_p50:10.2f}")
    print(f"\nruns: {args.runs} cold imports per case (medians; x boto3: of the ratios to the same run's baseline),")
    print(f"{args.requests} warm requests per case")


if __name__ == "__main__":
    main()
