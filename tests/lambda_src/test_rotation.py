"""The rotation function (`lambda_src/rotation`, rotation.zip) driven step by step against moto's
Secrets Manager the way the service drives it (see `secrets_manager.py` for what is imitated)."""

from __future__ import annotations

import base64
import io
import json
import sys

import pytest
from botocore.exceptions import ClientError

from tests.lambda_src.conftest import LAMBDA_SRC, LambdaContext, load_handler, load_rotation_handler, new_secret_value
from tests.lambda_src.secrets_manager import STEPS, RotationDriver, patch_moto


def stages(aws, arn=None) -> dict[str, list[str]]:
    return aws["secrets"].describe_secret(SecretId=arn or aws["secret_arn"]).get("VersionIdsToStages", {})


def holder(aws, stage: str, arn=None) -> str | None:
    found = [version for version, labels in stages(aws, arn).items() if stage in labels]
    assert len(found) <= 1, found  # a label is on one version at a time
    return found[0] if found else None


def value_of(aws, version: str, arn=None) -> str:
    return aws["secrets"].get_secret_value(SecretId=arn or aws["secret_arn"], VersionId=version)["SecretString"]


def key_bytes(value: str) -> bytes:
    key = base64.b64decode(json.loads(value)["hmac_key"], validate=True)
    assert len(key) == 32
    return key


class LogLines:
    """The rotation function's structured log lines (Powertools JSON), read from its handler."""

    def __init__(self, driver: RotationDriver) -> None:
        self.stream = io.StringIO()
        driver.function.logger.registered_handler.setStream(self.stream)

    @property
    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    @property
    def text(self) -> str:
        return self.stream.getvalue()


@pytest.fixture
def logs(rotation) -> LogLines:
    return LogLines(rotation)


@pytest.fixture
def fresh(aws, monkeypatch, request):
    """A secret created without a value (as Terraform creates `tap_stack_secret`), rotation enabled."""
    patch_moto(monkeypatch, first_value_becomes_current=getattr(request, "param", False))
    aws["secrets"].create_secret(Name="tap-test-fresh-secret")
    driver = RotationDriver("tap-test-fresh-secret", load_rotation_handler(monkeypatch))
    driver.enable_rotation()
    return driver


# --- full rotations ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fresh", "outcomes"),
    [
        (False, ["pending_value_created", "nothing_to_set", "pending_value_verified", "promoted_first_value"]),
        (True, ["pending_value_created", "already_current", "already_current", "already_current"]),
    ],
    indirect=["fresh"],
    ids=["pending-put", "first-put-current"],
)
def test_the_first_rotation_creates_the_value(aws, fresh, outcomes):
    logs = LogLines(fresh)
    assert stages(aws, fresh.arn) == {}
    token = fresh.rotate()
    assert [line["outcome"] for line in logs.lines] == outcomes
    assert holder(aws, "AWSCURRENT", fresh.arn) == token
    assert holder(aws, "AWSPREVIOUS", fresh.arn) is None
    key_bytes(value_of(aws, token, fresh.arn))
    current = aws["secrets"].get_secret_value(SecretId=fresh.arn, VersionStage="AWSCURRENT")
    assert current["VersionId"] == token


def test_a_later_rotation_moves_current_and_leaves_the_old_key_previous(aws, rotation, logs):
    before = holder(aws, "AWSCURRENT")
    old_value = value_of(aws, before)
    token = rotation.rotate()
    assert holder(aws, "AWSCURRENT") == token
    assert holder(aws, "AWSPREVIOUS") == before
    assert key_bytes(value_of(aws, token)) != key_bytes(old_value)
    assert value_of(aws, before) == old_value
    outcomes = [(line["step"], line["outcome"]) for line in logs.lines if line["message"] == "rotation step"]
    assert outcomes == [
        ("createSecret", "pending_value_created"),
        ("setSecret", "nothing_to_set"),
        ("testSecret", "pending_value_verified"),
        ("finishSecret", "promoted"),
    ]


def test_three_rotations_keep_exactly_one_current_and_one_previous(aws, rotation):
    tokens = [rotation.rotate() for _ in range(3)]
    assert holder(aws, "AWSCURRENT") == tokens[2]
    assert holder(aws, "AWSPREVIOUS") == tokens[1]
    assert len({key_bytes(value_of(aws, t)) for t in tokens}) == 3


def test_logs_one_line_per_step_and_never_a_secret_value(aws, rotation, logs):
    token = rotation.rotate()
    lines = logs.lines
    assert len(lines) == len(STEPS)
    for line, step in zip(lines, STEPS, strict=True):
        assert line["level"] == "INFO" and line["step"] == step
        assert line["version_id"] == token and line["secret_id"] == rotation.arn
    for version in stages(aws):
        secret = json.loads(value_of(aws, version))["hmac_key"]
        assert secret not in logs.text


# --- retries -----------------------------------------------------------------------------------


@pytest.mark.parametrize("retried", STEPS)
def test_every_step_is_idempotent_under_retry(aws, rotation, logs, retried):
    before = holder(aws, "AWSCURRENT")
    token = rotation.start()
    created = None
    for step in STEPS:
        rotation.step(step, token)
        if step == "createSecret":
            created = value_of(aws, token)
        if step == retried:
            rotation.step(step, token)  # Secrets Manager retries a step whose answer it did not get
    assert value_of(aws, token) == created
    assert holder(aws, "AWSCURRENT") == token
    assert holder(aws, "AWSPREVIOUS") == before
    outcomes = [line["outcome"] for line in logs.lines]
    if retried == "createSecret":
        assert outcomes[:2] == ["pending_value_created", "pending_value_kept"]
    if retried == "finishSecret":
        assert outcomes[-2:] == ["promoted", "already_current"]


def test_every_step_after_the_rotation_finished_changes_nothing(aws, rotation, logs):
    token = rotation.rotate()
    before = stages(aws)
    for step in STEPS:
        rotation.step(step, token)
    assert stages(aws) == before
    assert [line["outcome"] for line in logs.lines[-4:]] == ["already_current"] * 4


def test_a_concurrent_create_keeps_the_value_stored_first(aws, rotation, monkeypatch):
    """Two attempts of createSecret race: the loser's PutSecretValue fails with ResourceExists
    (a version's value never changes) and it keeps the winner's value."""
    token = rotation.start()
    client = rotation.function.secrets
    original = client.put_secret_value
    winner = new_secret_value()

    def racing_put(**arguments):
        original(**{**arguments, "SecretString": winner})
        raise ClientError({"Error": {"Code": "ResourceExistsException", "Message": "in use"}}, "PutSecretValue")

    monkeypatch.setattr(client, "put_secret_value", racing_put)
    rotation.step("createSecret", token)
    monkeypatch.undo()
    for step in STEPS[1:]:
        rotation.step(step, token)
    assert value_of(aws, token) == winner
    assert holder(aws, "AWSCURRENT") == token


# --- failures ----------------------------------------------------------------------------------

SHORT_KEY = '{"hmac_key": "c2hvcnQ="}'  # valid JSON and base64, but 5 bytes: not a key


def put_pending(aws, token: str, value: str, arn=None) -> None:
    """A pending value that is not a key, as if createSecret had been faulty."""
    aws["secrets"].put_secret_value(
        SecretId=arn or aws["secret_arn"], ClientRequestToken=token, SecretString=value, VersionStages=["AWSPENDING"]
    )


def failed_test(arn: str, token: str, reason: str = "hmac_key must be the canonical base64 of 32 bytes") -> str:
    return (
        f"secret version {token} of {arn} failed its test ({reason}); AWSPENDING was removed from it, "
        "AWSCURRENT is unchanged"
    )


def test_a_failing_test_step_leaves_current_unchanged_and_frees_the_label(aws, rotation, logs):
    before = holder(aws, "AWSCURRENT")
    token = rotation.start()
    put_pending(aws, token, SHORT_KEY)
    rotation.step("setSecret", token)
    with pytest.raises(ValueError) as failure:
        rotation.step("testSecret", token)
    assert str(failure.value) == failed_test(rotation.arn, token)
    assert holder(aws, "AWSCURRENT") == before
    assert holder(aws, "AWSPENDING") is None
    assert stages(aws).get(token, []) == []
    line = logs.lines[-1]
    assert line["level"] == "ERROR" and line["step"] == "testSecret"
    assert line["error"] == f"RotationError: {failed_test(rotation.arn, token)}"
    assert "c2hvcnQ" not in logs.text


def test_a_retry_of_a_failed_test_step_fails_again_and_changes_nothing(aws, rotation):
    token = rotation.start()
    put_pending(aws, token, "not json")
    with pytest.raises(ValueError) as failure:
        rotation.step("testSecret", token)
    assert str(failure.value) == failed_test(
        rotation.arn, token, "the secret value is not a JSON object with a base64 hmac_key"
    )
    before = stages(aws)
    with pytest.raises(ValueError) as retry:
        rotation.step("testSecret", token)
    assert str(retry.value) == f"secret version {token} is not AWSPENDING for rotation of secret {rotation.arn}"
    assert stages(aws) == before


def test_after_a_failed_test_step_the_next_scheduled_rotation_succeeds(aws, rotation):
    before = holder(aws, "AWSCURRENT")
    failed = rotation.start()
    put_pending(aws, failed, SHORT_KEY)
    rotation.step("createSecret", failed)  # keeps the (bad) value already there
    rotation.step("setSecret", failed)
    with pytest.raises(ValueError):
        rotation.step("testSecret", failed)
    token = rotation.rotate()  # the driver refuses while a rotation is in progress: none is
    assert holder(aws, "AWSCURRENT") == token
    assert holder(aws, "AWSPREVIOUS") == before
    assert value_of(aws, failed) == SHORT_KEY  # kept, unlabelled: never used, deletable by the service
    assert stages(aws).get(failed, []) == []


def test_the_first_rotation_after_a_failed_first_test_creates_the_value(aws, fresh):
    failed = fresh.start()
    put_pending(aws, failed, SHORT_KEY, arn=fresh.arn)
    with pytest.raises(ValueError) as failure:
        fresh.step("testSecret", failed)
    assert str(failure.value) == failed_test(fresh.arn, failed)
    assert holder(aws, "AWSCURRENT", fresh.arn) is None
    token = fresh.rotate()
    assert holder(aws, "AWSCURRENT", fresh.arn) == token
    key_bytes(value_of(aws, token, fresh.arn))


def test_a_transient_test_failure_then_a_retry_completes_the_rotation(aws, rotation, monkeypatch):
    before = holder(aws, "AWSCURRENT")
    token = rotation.start()
    rotation.step("createSecret", token)
    rotation.step("setSecret", token)
    client = rotation.function.secrets

    def throttled(**_):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "GetSecretValue")

    monkeypatch.setattr(client, "get_secret_value", throttled)
    with pytest.raises(ClientError):
        rotation.step("testSecret", token)
    assert holder(aws, "AWSCURRENT") == before
    assert holder(aws, "AWSPENDING") == token  # a transient failure keeps the rotation resumable
    monkeypatch.undo()
    rotation.step("testSecret", token)
    rotation.step("finishSecret", token)
    assert holder(aws, "AWSCURRENT") == token and holder(aws, "AWSPREVIOUS") == before


# --- a rotation that stopped between steps, as Secrets Manager handles it -------------------------


@pytest.mark.parametrize("done", range(len(STEPS)), ids=[f"after-{n}-steps" for n in range(len(STEPS))])
def test_the_driver_refuses_to_start_while_a_rotation_is_in_progress(aws, rotation, done):
    """What RotateSecret answers while AWSPENDING is on a version that is not AWSCURRENT."""
    stale = rotation.rotate(steps=STEPS[:done])
    before = stages(aws)
    with pytest.raises(ClientError) as refused:
        rotation.start()
    assert refused.value.operation_name == "RotateSecret"
    assert refused.value.response["Error"] == {
        "Code": "InvalidRequestException",
        "Message": "A previous rotation isn't complete. That rotation will be reattempted.",
    }
    assert stages(aws) == before
    assert rotation.in_progress() == stale


def test_the_driver_starts_while_pending_is_on_the_current_version(aws, rotation):
    """Where a finished rotation leaves AWSPENDING: the next one takes the label."""
    finished = rotation.rotate()
    assert sorted(stages(aws)[finished]) == ["AWSCURRENT", "AWSPENDING"]
    assert rotation.in_progress() is None
    token = rotation.start()
    assert stages(aws)[finished] == ["AWSCURRENT"]
    assert stages(aws)[token] == ["AWSPENDING"]


@pytest.mark.parametrize("done", range(len(STEPS)), ids=[f"after-{n}-steps" for n in range(len(STEPS))])
def test_a_rotation_that_stopped_is_reattempted_then_the_next_one_runs(aws, rotation, logs, done):
    """E.g. the function timed out after createSecret: the next RotateSecret is refused, the service
    reattempts the stopped rotation, which promotes the value it had made, and then rotations go on."""
    before = holder(aws, "AWSCURRENT")
    stale = rotation.rotate(steps=STEPS[:done])
    made = value_of(aws, stale) if done else None
    with pytest.raises(ClientError):
        rotation.start()
    assert rotation.reattempt() == stale
    assert holder(aws, "AWSCURRENT") == stale and holder(aws, "AWSPREVIOUS") == before
    if made is not None:
        assert value_of(aws, stale) == made
    assert [line["outcome"] for line in logs.lines[-len(STEPS) :]] == [
        "pending_value_kept" if done else "pending_value_created",
        "nothing_to_set",
        "pending_value_verified",
        "promoted",
    ]
    token = rotation.rotate()
    assert holder(aws, "AWSCURRENT") == token and holder(aws, "AWSPREVIOUS") == stale


def test_a_reattempted_rotation_with_a_bad_value_frees_the_next_one(aws, rotation):
    """A rotation that stopped before testing a bad value: its reattempt fails in testSecret, which
    removes the label, so the next scheduled rotation starts and finishes."""
    before = holder(aws, "AWSCURRENT")
    stale = rotation.start()
    put_pending(aws, stale, SHORT_KEY)
    with pytest.raises(ClientError):
        rotation.start()
    with pytest.raises(ValueError) as failure:
        rotation.reattempt()
    assert str(failure.value) == failed_test(rotation.arn, stale)
    assert rotation.in_progress() is None
    token = rotation.rotate()
    assert holder(aws, "AWSCURRENT") == token and holder(aws, "AWSPREVIOUS") == before


def test_finish_only_moves_current_even_if_another_version_kept_pending(aws, rotation):
    """Had an older version kept AWSPENDING (it cannot in AWS: a label is on one version), the next
    rotation would still finish: createSecret and finishSecret look only at the token's version."""
    before = holder(aws, "AWSCURRENT")
    token = rotation.start()
    from moto.secretsmanager.models import secretsmanager_backends

    secret = secretsmanager_backends["123456789012"]["us-east-1"].secrets["tap-test-app-secret"]
    secret.versions[before]["version_stages"].append("AWSPENDING")  # an odd state, made by hand
    for step in STEPS:
        rotation.step(step, token)
    assert holder(aws, "AWSCURRENT") == token and "AWSPREVIOUS" in stages(aws)[before]


# --- what the function refuses ------------------------------------------------------------------


def test_refuses_when_rotation_is_not_enabled(aws, rotation):
    from moto.secretsmanager.models import secretsmanager_backends

    token = rotation.start()
    secretsmanager_backends["123456789012"]["us-east-1"].secrets["tap-test-app-secret"].rotation_enabled = False
    with pytest.raises(ValueError, match="not enabled for rotation"):
        rotation.step("createSecret", token)
    assert stages(aws)[token] == ["AWSPENDING"]


def test_refuses_a_token_that_is_not_a_version(aws, rotation):
    with pytest.raises(ValueError, match="has no stage"):
        rotation.step("createSecret", "8c7f4a4e-0000-4000-8000-000000000000")


def test_refuses_a_version_that_is_not_pending(aws, rotation):
    first = holder(aws, "AWSCURRENT")
    rotation.rotate()
    assert holder(aws, "AWSPREVIOUS") == first
    before = stages(aws)
    for step in STEPS:
        with pytest.raises(ValueError, match="not AWSPENDING"):
            rotation.step(step, first)
    assert stages(aws) == before


@pytest.mark.parametrize("event", [{"Step": "deleteSecret"}, {"Step": None}, {}])
def test_refuses_an_unknown_step(aws, rotation, event):
    token = rotation.start()
    with pytest.raises(ValueError, match="invalid step"):
        rotation.function.handler({"SecretId": rotation.arn, "ClientRequestToken": token, **event}, LambdaContext())
    assert stages(aws)[token] == ["AWSPENDING"]


def test_test_secret_refuses_a_pending_version_without_a_value(aws, rotation):
    token = rotation.start()
    with pytest.raises(ValueError, match="no value"):
        rotation.step("testSecret", token)


# --- the value format, as both functions read it -----------------------------------------------


FORMAT_EXAMPLES = [
    (json.dumps({"hmac_key": base64.b64encode(b"k" * 32).decode()}), True),
    (json.dumps({"hmac_key": base64.b64encode(b"k" * 32).decode(), "note": "extra fields are ignored"}), True),
    (json.dumps({"hmac_key": base64.b64encode(b"k" * 31).decode()}), False),
    (json.dumps({"hmac_key": base64.b64encode(b"k" * 33).decode()}), False),
    (json.dumps({"hmac_key": base64.b64encode(b"k" * 32).decode().rstrip("=")}), False),
    (json.dumps({"hmac_key": base64.urlsafe_b64encode(b"\xff" * 32).decode()}), False),
    (json.dumps({"hmac_key": " " + base64.b64encode(b"k" * 32).decode()}), False),
    (json.dumps({"hmac_key": 12}), False),
    (json.dumps({"key": base64.b64encode(b"k" * 32).decode()}), False),
    (json.dumps([base64.b64encode(b"k" * 32).decode()]), False),
    ("not json", False),
    ("", False),
]


@pytest.mark.parametrize(("value", "valid"), FORMAT_EXAMPLES)
def test_both_functions_read_the_value_format_alike(value, valid):
    parsers = []
    for folder, module in (("crud", "items_api.tokens"), ("rotation", "key_rotation.keys")):
        sys.path[:0] = [str(LAMBDA_SRC / "shared"), str(LAMBDA_SRC / folder)]
        try:
            parsers.append(__import__(module, fromlist=["parse_key"]).parse_key)
        finally:
            del sys.path[:2]
    results = []
    for parse in parsers:
        try:
            results.append(parse(value))
        except ValueError:
            results.append(None)
    assert (results[0] is not None) is valid
    assert results[0] == results[1]


def test_new_values_are_valid_and_distinct(rotation):
    keys = sys.modules["key_rotation.keys"]
    values = {keys.new_secret_string() for _ in range(20)}
    assert len({keys.parse_key(v) for v in values}) == 20
    for value in values:
        keys.self_test(value)


def test_the_rotation_client_honours_an_endpoint_override(aws, monkeypatch):
    monkeypatch.setenv("SECRETS_MANAGER_ENDPOINT", "https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com")
    module = load_handler("rotation", "rotation_handler")
    assert module.secrets.meta.endpoint_url == "https://vpce-0abc.secretsmanager.us-east-1.vpce.amazonaws.com"
    monkeypatch.delenv("SECRETS_MANAGER_ENDPOINT")
    assert load_handler("rotation", "rotation_handler").secrets.meta.endpoint_url.startswith("https://secretsmanager.")
