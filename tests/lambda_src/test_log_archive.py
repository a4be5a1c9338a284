"""The log archive answers the questions operators ask, end to end and offline.

The CRUD handler serves real-shaped requests under moto; its stdout lines are the log events Lambda
hands CloudWatch Logs, and the stage's own access log format (from the synthesized stack) renders
API Gateway's line for each request. CloudWatch Logs batches them for the subscription (gzip'd
JSON, as documented), a model of Firehose applies the stream's configured processors and writes
objects under its configured prefix, and DuckDB, a real SQL engine, reads them through the Glue
table the stack declares (location template, partition projection format, columns and types, the
JSON SerDe's case-insensitive keys and its tolerance of lines that are not JSON), then runs every
named query the stack saves. Two Athena (Trino) functions DuckDB spells differently are defined as
DuckDB macros (`ATHENA_FUNCTIONS`).
"""

from __future__ import annotations

import datetime
import gzip
import json
import re
import uuid
from pathlib import Path

import duckdb
import pytest

from tests.lambda_src.conftest import CALLER, TABLE, Api, load_handler

TODAY = datetime.date(2026, 12, 6)
STALE_DAY = TODAY - datetime.timedelta(days=30)
OTHER_TENANT = "tenant-z"
# Trino's date_format(timestamp, format) and approx_percentile(x, p) (Athena engine 3), in DuckDB.
ATHENA_FUNCTIONS = (
    "CREATE MACRO date_format(value, format) AS strftime(value, format)",
    "CREATE MACRO approx_percentile(value, percentage) AS quantile_disc(value, percentage)",
)
HIVE_TO_DUCKDB = {"string": "VARCHAR", "double": "DOUBLE", "boolean": "BOOLEAN", "int": "INTEGER", "bigint": "BIGINT"}
# Java date pattern letters the archive's partitions use, as strftime directives.
JAVA_DATE = {"yyyy": "%Y", "MM": "%m", "dd": "%d"}


def java_date(pattern: str, day: datetime.date) -> str:
    return day.strftime(re.sub("|".join(JAVA_DATE), lambda m: JAVA_DATE[m.group(0)], pattern))


def render_access_log(log_format: str, context: dict[str, str]) -> str:
    """API Gateway's substitution: each `$context.<name>` by its value, `-` where there is none."""
    return re.sub(r"\$context\.([A-Za-z.]+)", lambda m: context.get(m.group(1), "-"), log_format)


def subscription_batch(log_group: str, messages: list[str], timestamp_ms: int) -> bytes:
    """What a CloudWatch Logs subscription hands Firehose: a gzip'd DATA_MESSAGE of log events."""
    batch = {
        "messageType": "DATA_MESSAGE",
        "owner": "123456789012",
        "logGroup": log_group,
        "logStream": "2026/12/06/[$LATEST]0123456789abcdef",
        "subscriptionFilters": ["audit-archive"],
        "logEvents": [
            {"id": str(index), "timestamp": timestamp_ms, "message": message} for index, message in enumerate(messages)
        ],
    }
    return gzip.compress(json.dumps(batch).encode())


def control_batch() -> bytes:
    """The message CloudWatch Logs sends to check that the destination is reachable."""
    return gzip.compress(json.dumps({"messageType": "CONTROL_MESSAGE", "logEvents": []}).encode())


def firehose_records(processors: list[dict], record: bytes) -> list[bytes]:
    """The records Firehose delivers for one incoming record, by each configured processor's
    documented behaviour (Firehose Developer Guide: decompression, message extraction, delimiter)."""
    records = [record]
    for processor in processors:
        parameters = {p["parameter_name"]: p["parameter_value"] for p in processor.get("parameters", [])}
        kind = processor["type"]
        if kind == "Decompression":
            assert parameters == {"CompressionFormat": "GZIP"}
            records = [gzip.decompress(r) for r in records]
        elif kind == "CloudWatchLogProcessing":
            assert parameters == {"DataMessageExtraction": "true"}
            batches = [json.loads(r) for r in records]
            records = [
                e["message"].encode() for b in batches if b["messageType"] == "DATA_MESSAGE" for e in b["logEvents"]
            ]
        elif kind == "AppendDelimiterToRecord":
            records = [r + b"\n" for r in records]
        else:
            pytest.fail(f"no model of Firehose processor {kind}")
    return records


class Bucket:
    """The log bucket, as a directory: `s3://<name>/<key>` is `<root>/<key>`."""

    def __init__(self, root: Path, name_expression: str) -> None:
        self.root, self.prefix = root, f"s3://{name_expression}/"

    def path(self, location: str) -> str:
        assert location.startswith(self.prefix), location
        return f"{self.root}/{location.removeprefix(self.prefix)}"


def deliver(bucket: Bucket, archive: dict, batches: list[bytes], day: datetime.date, sequence: int) -> None:
    """Firehose writes one object of the processed records under its prefix for the arrival day."""
    s3 = archive["extended_s3_configuration"]
    processors = s3["processing_configuration"]["processors"]
    assert s3["processing_configuration"]["enabled"] is True
    prefix = re.sub(r"!\{timestamp:([^}]+)\}", lambda m: java_date(m.group(1), day), s3["prefix"])
    body = b"".join(r for batch in batches for r in firehose_records(processors, batch))
    target = Path(bucket.path(f"{bucket.prefix}{prefix}")) / f"tap-dev-log-archive-1-{day}-{sequence:02d}"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


def athena(bucket: Bucket, table: dict) -> duckdb.DuckDBPyConnection:
    """DuckDB with the table `table` declares: its partition read from the location template by the
    projection's format, its columns matched to the JSON keys case-insensitively and typed."""
    parameters = table["parameters"]
    (partition,) = table["partition_keys"]
    key = partition["name"]
    assert parameters["projection.enabled"] == "true" and parameters[f"projection.{key}.type"] == "date"
    template = parameters["storage.location.template"].replace("$${", "${")
    assert template.startswith(table["storage_descriptor"]["location"])
    placeholder = "${" + key + "}"
    glob = bucket.path(template.replace(placeholder, "*")) + "*"
    before, after = bucket.path(template).split(placeholder)
    pattern = "^" + re.escape(before) + "([^/]+)" + re.escape(after)
    serde = table["storage_descriptor"]["ser_de_info"]
    assert serde["serialization_library"] == "org.openx.data.jsonserde.JsonSerDe"
    assert serde["parameters"] == {"ignore.malformed.json": "true"}
    connection = duckdb.connect()
    for statement in ATHENA_FUNCTIONS:
        connection.execute(statement)
    # Each line as a JSON document (null if it is not one); a column takes the text of the key
    # that matches its name in any case, converted to its type (null if it does not convert).
    source = f"read_json_objects('{glob}', format='newline_delimited', ignore_errors=true, filename=true)"
    found = connection.sql(f"SELECT DISTINCT unnest(json_keys(json)) FROM {source} WHERE json IS NOT NULL")
    keys = {name.lower(): name for (name,) in found.fetchall()}
    columns = [
        f'TRY_CAST(json ->> \'$."{keys.get(c["name"], c["name"])}"\' AS {HIVE_TO_DUCKDB[c["type"]]}) AS "{c["name"]}"'
        for c in table["storage_descriptor"]["columns"]
    ]
    day = f"regexp_extract(filename, '{pattern}', 1)"
    connection.execute(f'CREATE VIEW {table["name"]} AS SELECT {", ".join(columns)}, {day} AS "{key}" FROM {source}')
    days = {d for (d,) in connection.sql(f'SELECT DISTINCT "{key}" FROM {table["name"]}').fetchall()}
    expected_format = parameters[f"projection.{key}.format"]
    assert days == {java_date(expected_format, d) for d in (TODAY, STALE_DAY)}, days
    return connection


@pytest.fixture
def requests_logged(aws, monkeypatch, capsys):
    """Serve a morning's requests with the CRUD handler at the stack's INFO level, the last one after
    its table is gone (an unexpected error: 500); return each request's status, function log lines
    and access log context. Request n takes 10·n ms at the gateway."""
    monkeypatch.setenv("LOG_LEVEL", "INFO")
    # Powertools configures a service's logger once per process: a service of its own logs at INFO.
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "tap-log-archive")
    api = Api(load_handler("crud", "crud_handler"))
    capsys.readouterr()
    calls = [
        ("POST", "/items", {"body": {"name": "first"}}),
        ("GET", f"/items/{uuid.uuid4()}", {}),
        ("GET", f"/items/{uuid.uuid4()}", {}),
        ("GET", "/items", {"tenant": OTHER_TENANT}),
        ("GET", "/items", {}),
        ("GET", f"/items/{uuid.uuid4()}", {}),
    ]
    served = []
    for number, (method, path, kwargs) in enumerate(calls, start=1):
        if number == len(calls):
            aws["dynamodb"].delete_table(TableName=TABLE)
        result = api(method, path, **kwargs)
        lines = [line + "\n" for line in capsys.readouterr().out.splitlines()]
        context = {
            "requestId": result.request_id,
            "identity.caller": "AIDAEXAMPLEUSERID",
            "identity.userArn": CALLER,
            "identity.sourceIp": "203.0.113.10",
            "httpMethod": method,
            "resourcePath": "/items/{id}" if path.startswith("/items/") else path,
            "status": str(result.status),
            "protocol": "HTTP/1.1",
            "responseLatency": str(10 * number),
            "integrationLatency": str(10 * number - 2),
        }
        served.append((result.status, lines, context))
    return served


def test_every_named_query_runs_over_the_archive_as_delivered(document, resources, requests_logged, tmp_path):
    bucket = Bucket(tmp_path, "${aws_s3_bucket.tap_stack_logs.bucket}")
    archive = resources["aws_kinesis_firehose_delivery_stream"]["tap_stack_log_archive"]
    log_format = resources["aws_api_gateway_stage"]["tap_stack_stage"]["access_log_settings"]["format"]
    assert [status for status, *_ in requests_logged] == [201, 404, 404, 403, 200, 500]
    function_lines = [line for _, lines, _ in requests_logged for line in lines]
    lambda_lines = ["START RequestId: 1 Version: $LATEST\n", *function_lines, "END RequestId: 1\n"]
    access_lines = [render_access_log(log_format, context) for *_, context in requests_logged]
    now_ms = int(datetime.datetime(2026, 12, 6, 9, tzinfo=datetime.UTC).timestamp() * 1000)
    deliver(
        bucket,
        archive,
        [
            control_batch(),
            subscription_batch("/aws/lambda/tap-dev-lambda", lambda_lines, now_ms),
            subscription_batch("/aws/apigateway/tap-dev-access", access_lines, now_ms),
        ],
        TODAY,
        1,
    )
    stale = render_access_log(log_format, {"httpMethod": "GET", "resourcePath": "/items", "status": "502"})
    deliver(bucket, archive, [subscription_batch("/aws/apigateway/tap-dev-access", [stale], now_ms)], STALE_DAY, 2)

    connection = athena(bucket, resources["aws_glue_catalog_table"]["tap_stack_log_analytics_events"])
    queries = {
        name.removeprefix("tap_stack_log_analytics_"): body
        for name, body in resources["aws_athena_named_query"].items()
        if not name.endswith(("_secondary", "_tertiary"))
    }
    assert {q["database"] for q in queries.values()} == {
        "${aws_glue_catalog_table.tap_stack_log_analytics_events.database_name}"
    }
    results = {}
    for key, query in queries.items():
        cursor = connection.execute(query["query"])
        names = [d[0] for d in cursor.description]
        results[key] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    assert sorted(results) == [
        "errors_by_route",
        "function_errors",
        "latency_by_route",
        "requests_by_caller_and_tenant",
    ]
    # The 502 thirty days ago is outside every query's window; this morning's 4xx and 500 are in.
    assert results["errors_by_route"] == [
        {"route": "/items/{id}", "method": "GET", "requests": 3, "client_errors": 2, "server_errors": 1},
        {"route": "/items", "method": "GET", "requests": 2, "client_errors": 1, "server_errors": 0},
    ]
    assert results["requests_by_caller_and_tenant"] == [
        {"principal": CALLER, "tenant": "tenant-a", "requests": 5, "forbidden": 0, "server_errors": 1},
        {"principal": CALLER, "tenant": OTHER_TENANT, "requests": 1, "forbidden": 1, "server_errors": 0},
    ]
    latency = [
        (r["route"], r["method"], r["requests"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"])
        for r in results["latency_by_route"]
    ]
    assert latency == [
        ("/items/{id}", "GET", 3, 30.0, 60.0, 60.0, 60.0),
        ("/items", "GET", 2, 40.0, 50.0, 50.0, 50.0),
        ("/items", "POST", 1, 10.0, 10.0, 10.0, 10.0),
    ]
    (error,) = results["function_errors"]
    assert {k: error[k] for k in ("level", "message", "records")} == {
        "level": "ERROR",
        "message": "unhandled error",
        "records": 1,
    }
    assert datetime.datetime.strptime(error["last_seen"], "%Y-%m-%d %H:%M:%S,%f%z")


def test_the_table_declares_every_field_of_the_functions_log_records(resources, requests_logged):
    """Powertools records (those with a `level`; the metric lines beside them are CloudWatch's)."""
    table = resources["aws_glue_catalog_table"]["tap_stack_log_analytics_events"]
    declared = {c["name"] for c in table["storage_descriptor"]["columns"]}
    records = [json.loads(line) for _, lines, _ in requests_logged for line in lines]
    logged = {key.lower() for record in records if "level" in record for key in record}
    assert logged <= declared, logged - declared
