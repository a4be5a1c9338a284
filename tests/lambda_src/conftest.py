"""Handlers under moto: real boto3 calls against emulated DynamoDB, EventBridge, SQS and Secrets Manager."""

from __future__ import annotations

import base64
import datetime
import importlib.util
import json
import os
import subprocess
import sys
import types
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.loaders
import botocore.session
import pytest
from moto import mock_aws

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
TABLE = "tap-test-items"
BUS = "tap-test-items-bus"
GRANTS_TABLE = "tap-test-grants"
SECRET_NAME = "tap-test-app-secret"
ACCOUNT = "123456789012"
# The caller of every request unless a test says otherwise (an IAM user, as API Gateway reports it),
# granted the two tenants the route tests use.
CALLER = f"arn:aws:iam::{ACCOUNT}:user/ci"
CALLER_TENANTS = ("tenant-a", "tenant-b")
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "TABLE_NAME": TABLE,
    "EVENT_BUS_NAME": BUS,
    "GRANTS_TABLE_NAME": GRANTS_TABLE,
    "DATA_RETENTION_DAYS": "30",
    "LOG_LEVEL": "WARNING",
    "POWERTOOLS_TRACE_DISABLED": "1",
    "POWERTOOLS_SERVICE_NAME": "tap-test",
    "POWERTOOLS_METRICS_NAMESPACE": "TapTest",
}


def run_from_archive(
    archive: Path, target: Path, arguments: list[str], cwd: Path, environment: dict[str, str]
) -> subprocess.CompletedProcess:
    """Unpack `archive` into `target` and run `python <arguments>` in `cwd` with `environment` less
    PYTHONPATH, so what the code imports comes from the archive (and the runtime), as on Lambda."""
    zipfile.ZipFile(archive).extractall(target)
    env = {key: value for key, value in environment.items() if key != "PYTHONPATH"}
    return subprocess.run([sys.executable, *arguments], cwd=cwd, env=env, capture_output=True, text=True, check=False)


@dataclass
class LambdaContext:
    function_name: str = "tap-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:tap-test"
    aws_request_id: str = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def load_handler(folder: str, module_name: str):
    """Import `lambda_src/<folder>/handler.py` fresh (its clients bind to the active moto mock)."""
    for path in (LAMBDA_SRC / "shared", LAMBDA_SRC / folder):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    for name in [
        n
        for n in sys.modules
        if n.split(".")[0] in ("items_api", "tap_http", "tap_contract", "key_rotation", module_name)
    ]:
        del sys.modules[name]
    spec = importlib.util.spec_from_file_location(module_name, LAMBDA_SRC / folder / "handler.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def identity_of(caller: str | None) -> dict:
    """`requestContext.identity` as API Gateway fills it after `AWS_IAM` (SigV4) authentication of
    `caller` (an IAM user or an STS assumed-role session ARN); None: an unauthenticated request."""
    identity = {
        "cognitoIdentityPoolId": None,
        "cognitoIdentityId": None,
        "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None,
        "principalOrgId": None,
        "sourceIp": "203.0.113.7",
        "userAgent": "aws-sdk-python/1.35 Python/3.13",
        "accountId": None,
        "accessKey": None,
        "caller": None,
        "user": None,
        "userArn": None,
    }
    if caller is None:
        return identity
    account = caller.split(":")[4] if caller.count(":") >= 5 else ACCOUNT
    unique_id = "AROAEXAMPLEROLEID:session" if ":assumed-role/" in caller else "AIDAEXAMPLEUSERID"
    key = "ASIAEXAMPLEKEY" if ":assumed-role/" in caller else "AKIAEXAMPLEKEY"
    identity.update(accountId=account, accessKey=key, caller=unique_id, user=unique_id, userArn=caller)
    return identity


def proxy_event(
    method: str,
    path: str,
    tenant: str | None = "tenant-a",
    body: object = None,
    query: dict | None = None,
    headers: dict | None = None,
    raw_body: str | None = None,
    base64_body: bool = False,
    caller: str | None = CALLER,
) -> dict:
    """An API Gateway REST proxy event as the real service sends it, from `caller`."""
    all_headers = {"Accept": "application/json", "Host": "abc123.execute-api.us-east-1.amazonaws.com"}
    if tenant is not None:
        all_headers["X-Tenant-Id"] = tenant
    all_headers.update(headers or {})
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    if text is not None and base64_body:
        text = base64.b64encode(text.encode()).decode()
    resource = "/items/{id}" if path.startswith("/items/") else path
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"id": path.rsplit("/", 1)[1]} if resource == "/items/{id}" else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "httpMethod": method,
            "path": f"/dev{path}",
            "protocol": "HTTP/1.1",
            "requestId": str(uuid.uuid4()),
            "resourceId": "xyz789",
            "resourcePath": resource,
            "stage": "dev",
            "identity": identity_of(caller),
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }


@dataclass
class Result:
    status: int
    headers: dict
    raw: str
    request_id: str

    @property
    def json(self):
        return json.loads(self.raw)


class Api:
    """Calls a handler with real-shaped events."""

    def __init__(self, module) -> None:
        self.module = module

    def __call__(self, method: str, path: str, **kwargs) -> Result:
        event = proxy_event(method, path, **kwargs)
        response = self.module.handler(event, LambdaContext())
        return Result(
            response["statusCode"],
            response.get("headers") or {},
            response.get("body") or "",
            event["requestContext"]["requestId"],
        )


def new_secret_value() -> str:
    """A valid application secret value: `{"hmac_key": "<base64 of 32 random bytes>"}`."""
    return json.dumps({"hmac_key": base64.b64encode(os.urandom(32)).decode()})


def grant(dynamodb, principal: str, tenants, as_set: bool = False) -> None:
    """Write a grant item as an operator would: `tenants` a list (L) or a string set (SS)."""
    value = {"SS": sorted(tenants)} if as_set else {"L": [{"S": t} for t in tenants]}
    dynamodb.put_item(TableName=GRANTS_TABLE, Item={"principal": {"S": principal}, "tenants": value})


def revoke(dynamodb, principal: str) -> None:
    dynamodb.delete_item(TableName=GRANTS_TABLE, Key={"principal": {"S": principal}})


# moto starts every test without a default boto3 session, and a new session parses botocore's
# service models again (about 60 ms a client, four clients a test and the handler's). The models
# are read-only, so every test's session shares one loader, which keeps them parsed.
SHARED_LOADER = botocore.loaders.create_loader()


def default_session_with_shared_models() -> None:
    session = botocore.session.get_session()
    session.register_component("data_loader", SHARED_LOADER)
    boto3.setup_default_session(botocore_session=session)


def create_test_resources() -> dict:
    """Inside a moto mock: the grants table (CALLER granted CALLER_TENANTS), the application secret
    with a first value, the item table, the event bus and a queue that receives its item events."""
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(
        TableName=GRANTS_TABLE,
        AttributeDefinitions=[{"AttributeName": "principal", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "principal", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    grant(dynamodb, CALLER, CALLER_TENANTS)
    secrets = boto3.client("secretsmanager")
    # As Terraform creates it: a secret without a value. Here a first value is put directly;
    # tests/lambda_src/test_rotation.py shows the first rotation creating it.
    secret_arn = secrets.create_secret(Name=SECRET_NAME)["ARN"]
    secrets.put_secret_value(SecretId=secret_arn, SecretString=new_secret_value())
    dynamodb.create_table(
        TableName=TABLE,
        AttributeDefinitions=[
            {"AttributeName": "tenant_id", "AttributeType": "S"},
            {"AttributeName": "item_id", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "tenant_id", "KeyType": "HASH"},
            {"AttributeName": "item_id", "KeyType": "RANGE"},
        ],
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    events = boto3.client("events")
    events.create_event_bus(Name=BUS)
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="tap-test-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="all-items", EventBusName=BUS, EventPattern=json.dumps({"source": ["tap.items"]}))
    events.put_targets(Rule="all-items", EventBusName=BUS, Targets=[{"Id": "q", "Arn": queue_arn}])
    return {
        "dynamodb": dynamodb,
        "sqs": sqs,
        "queue_url": queue_url,
        "secrets": secrets,
        "secret_arn": secret_arn,
    }


@pytest.fixture
def aws(monkeypatch):
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        default_session_with_shared_models()
        created = create_test_resources()
        monkeypatch.setenv("APP_SECRET_ARN", created["secret_arn"])
        yield created


@pytest.fixture
def api(aws) -> Api:
    return Api(load_handler("crud", "crud_handler"))


class FakeClock:
    """The monotonic clock of a CRUD handler's caches (grants, application keys), moved by hand."""

    def __init__(self, module) -> None:
        self.now = 1_000.0
        module.grants._cache._clock = self
        module.keys._clock = self

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(api) -> FakeClock:
    return FakeClock(api.module)


def load_rotation_handler(monkeypatch):
    """The rotation handler, logging at INFO under its own service name (its one line per step)."""
    with monkeypatch.context() as scoped:
        scoped.setenv("LOG_LEVEL", "INFO")
        scoped.setenv("POWERTOOLS_SERVICE_NAME", "tap-test-rotation")
        return load_handler("rotation", "rotation_handler")


@pytest.fixture
def rotation(aws, monkeypatch):
    """Secrets Manager rotating the application secret with the rotation function (see
    `tests/lambda_src/secrets_manager.py` for what the driver imitates)."""
    from tests.lambda_src.secrets_manager import RotationDriver, patch_moto

    patch_moto(monkeypatch)
    driver = RotationDriver(SECRET_NAME, load_rotation_handler(monkeypatch))
    driver.enable_rotation()
    return driver


@pytest.fixture
def health_api(aws) -> Api:
    return Api(load_handler("health", "health_handler"))


def published(aws) -> list[dict]:
    """Item events delivered so far (through an EventBridge rule into SQS)."""
    messages = aws["sqs"].receive_message(QueueUrl=aws["queue_url"], MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


@pytest.fixture(scope="session")
def cache_server(tmp_path_factory):
    """Debian's redis-server on loopback, TLS only, with the function's cache user (see
    `tests/lambda_src/cache_server.py`); missing, it is a failure, never a skip."""
    from tests.lambda_src.cache_server import CacheServer

    try:
        server = CacheServer(tmp_path_factory.mktemp("cache-server"))
    except FileNotFoundError as missing:
        pytest.fail(str(missing))
    server.start()
    yield server
    server.stop()


def cache_environment(monkeypatch, server, endpoint: str | None = None) -> None:
    """The CRUD function's cache configuration, as the stack sets it, for `server` (or `endpoint`)."""
    from tests.lambda_src.cache_server import CACHE_NAME, CACHE_USER

    monkeypatch.setenv("CACHE_ENDPOINT", endpoint or server.endpoint)
    monkeypatch.setenv("CACHE_USER", CACHE_USER)
    monkeypatch.setenv("CACHE_NAME", CACHE_NAME)
    monkeypatch.setenv("CACHE_TTL_SECONDS", "60")
    monkeypatch.setenv("SSL_CERT_FILE", str(server.tls.ca))


@pytest.fixture
def cache_admin(cache_server):
    """A client of the test server, emptied before the test."""
    from tests.lambda_src.cache_server import import_redis

    import_redis()
    admin = cache_server.client()
    admin.flushall()
    yield admin
    admin.close()


@pytest.fixture
def cached_api(aws, cache_server, cache_admin, monkeypatch) -> Api:
    """The CRUD handler with its cache on the test server."""
    cache_environment(monkeypatch, cache_server)
    return Api(load_handler("crud", "crud_handler"))


@pytest.fixture
def dax_cluster(aws, monkeypatch):
    """A stand-in DAX cluster in front of the item table (`tests/lambda_src/dax_standin.py`): the
    function's own `AmazonDaxClient.resource(...)` call builds it, with `DAX_ENDPOINT` set as the
    stack sets it."""
    from tests.lambda_src.dax_standin import DAX_ENDPOINT, DaxCluster, import_amazondax

    amazondax = import_amazondax(monkeypatch)
    cluster = DaxCluster(TABLE, nodes=2)
    monkeypatch.setattr(amazondax.AmazonDaxClient, "resource", cluster.resource)
    monkeypatch.setenv("DAX_ENDPOINT", DAX_ENDPOINT)
    return cluster


@pytest.fixture
def dax_api(dax_cluster) -> Api:
    """The CRUD handler with DAX in front of its table."""
    return Api(load_handler("crud", "crud_handler"))


def lose_every_replace(monkeypatch, module) -> None:
    """Every conditional replace of the handler `module`'s store loses a race: another writer puts
    `{"by": "other"}` over the same version first."""
    store = module.store
    original = store.replace

    def racing_replace(current, data):
        original(current, {"by": "other"})
        return original(current, data)

    monkeypatch.setattr(store, "replace", racing_replace)


class SyntheticsDouble:
    """Stands in for `aws_synthetics`: records steps and log lines, runs steps like the runtime."""

    def __init__(self) -> None:
        self.steps: list[str] = []
        self.lines: list[str] = []
        self.sleeps: list[float] = []

    def execute_step(self, name, function):
        self.steps.append(name)
        return function()

    def info(self, message):
        self.lines.append(message)


CANARY_ENVIRONMENT = {
    "CANARY_NAME": "tap-test-health",
    "VERDICT_NAMESPACE": "CloudWatchSynthetics",
    "VERDICT_METRIC": "RegionHealthy",
}


@pytest.fixture
def canary(aws, monkeypatch):
    """`lambda_src/canary/canary.py` with `aws_synthetics` replaced by a `SyntheticsDouble` (`.double`),
    publishing its verdicts to moto's CloudWatch (`verdicts`)."""
    for key, value in CANARY_ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
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


def verdicts() -> list[float]:
    """The lowest verdict the canary published in each minute so far (moto's CloudWatch)."""
    now = datetime.datetime.now(datetime.UTC)
    data = boto3.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": "verdicts",
                "MetricStat": {
                    "Metric": {
                        "Namespace": CANARY_ENVIRONMENT["VERDICT_NAMESPACE"],
                        "MetricName": CANARY_ENVIRONMENT["VERDICT_METRIC"],
                        "Dimensions": [{"Name": "CanaryName", "Value": CANARY_ENVIRONMENT["CANARY_NAME"]}],
                    },
                    "Period": 60,
                    "Stat": "Minimum",
                },
            }
        ],
        StartTime=now - datetime.timedelta(hours=1),
        EndTime=now + datetime.timedelta(hours=1),
    )
    return data["MetricDataResults"][0]["Values"]
