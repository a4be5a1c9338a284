"""A test driver that rotates a secret in moto the way Secrets Manager rotates it with a Lambda.

Why not `rotate_secret`: moto's RotateSecret invokes the rotation function through its Lambda
emulation, which needs Docker, and without a function ARN it instead labels an empty version
AWSCURRENT at once. So the driver does Secrets Manager's own part itself, on moto's state, and then
calls the real rotation handler exactly as the service would:

1. RotateSecret (what the service does before the first invocation): the secret must have rotation
   enabled (`aws_secretsmanager_secret_rotation`: rotation on, a function, a schedule); a new
   version id is chosen (a UUID, the `ClientRequestToken`) and the service records that version
   with the staging label `AWSPENDING` and **no value yet**. A staging label is attached to one
   version at a time, so `AWSPENDING` leaves the version that still had it, which may only be the
   `AWSCURRENT` one (where a finished rotation leaves it). While `AWSPENDING` is on any other version
   (a rotation that stopped between steps, or whose testSecret failed without removing it), the
   service "assumes that a previous rotation request is still in progress and returns an error"
   (RotateSecret's documentation): `InvalidRequestException`, "A previous rotation isn't complete.
   That rotation will be reattempted.", and nothing changes. `reattempt()` is that reattempt: the
   steps again, with the stale version's token.
2. The service invokes the function with `{"Step", "SecretId" (the ARN), "ClientRequestToken",
   "RotationToken"}` for `createSecret`, `setSecret`, `testSecret`, `finishSecret`, in that order.
   A step that raises fails the rotation there; the service later retries that step with the same
   token, which `step()` lets a test do explicitly.

Everything the function itself does (reading, putting values, moving labels) goes through the
ordinary boto3 API against moto. Two gaps of moto 5.2.5 are filled, as a fixture applies them:

- UpdateSecretVersionStage moving `AWSCURRENT` when no version holds it (the first rotation of a
  secret created without a value): AWS only requires `RemoveFromVersionId` when another version has
  the label; moto raises IndexError.
- Whether PutSecretValue on a secret whose only version is the value-less pending one also labels it
  `AWSCURRENT` (AWS: "if this operation creates the first version for the secret") is not something
  the tests can learn from moto; `first_value_becomes_current` makes it do so, and the first-rotation
  tests run both ways.

One difference is left as it is: moto's DescribeSecret still lists a version whose last label was
removed, which AWS omits as deprecated. The function refuses such a token either way ("not
AWSPENDING" here, "has no stage" on AWS), and the tests look at labels, not at that listing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from botocore.exceptions import ClientError
from moto.secretsmanager.models import SecretsManagerBackend, secretsmanager_backends

from tests.lambda_src.conftest import ACCOUNT, LambdaContext

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
REGION = "us-east-1"
PREVIOUS_ROTATION = "A previous rotation isn't complete. That rotation will be reattempted."


def _moto_secret(name: str):
    return secretsmanager_backends[ACCOUNT][REGION].secrets[name]


def patch_moto(monkeypatch, first_value_becomes_current: bool = False) -> None:
    """Fill the moto gaps described in the module docstring, for the duration of a test."""
    original_update = SecretsManagerBackend.update_secret_version_stage
    original_put = SecretsManagerBackend.put_secret_value

    def update_secret_version_stage(self, secret_id, version_stage, remove_from_version_id, move_to_version_id):
        secret = self.secrets[secret_id]
        nobody_has_it = not any(version_stage in v["version_stages"] for v in secret.versions.values())
        if version_stage == "AWSCURRENT" and not remove_from_version_id and nobody_has_it and move_to_version_id:
            secret.versions[move_to_version_id]["version_stages"].append("AWSCURRENT")
            secret.set_default_version_id(move_to_version_id)
            return secret.arn, secret.name
        return original_update(self, secret_id, version_stage, remove_from_version_id, move_to_version_id)

    def put_secret_value(self, secret_id, secret_string, secret_binary, client_request_token, version_stages):
        secret = self.secrets[secret_id]
        valueless = not any("secret_string" in v or "secret_binary" in v for v in secret.versions.values())
        if first_value_becomes_current and valueless and "AWSCURRENT" not in version_stages:
            version_stages = [*version_stages, "AWSCURRENT"]
        return original_put(self, secret_id, secret_string, secret_binary, client_request_token, version_stages)

    monkeypatch.setattr(SecretsManagerBackend, "update_secret_version_stage", update_secret_version_stage)
    monkeypatch.setattr(SecretsManagerBackend, "put_secret_value", put_secret_value)


@dataclass
class RotationDriver:
    """Secrets Manager's side of rotating `secret_name` with `function` (a loaded rotation handler)."""

    secret_name: str
    function: object
    events: list[dict] = field(default_factory=list)

    @property
    def arn(self) -> str:
        return _moto_secret(self.secret_name).arn

    def enable_rotation(self, days: int = 30) -> None:
        """What `aws_secretsmanager_secret_rotation` configures (the function ARN is not invoked by moto)."""
        secret = _moto_secret(self.secret_name)
        secret.rotation_requested = True
        secret.rotation_enabled = True
        secret.rotation_lambda_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:tap-test-rotation"
        secret.auto_rotate_after_days = days

    def in_progress(self) -> str | None:
        """The version a rotation is still working on: AWSPENDING on a version that is not AWSCURRENT."""
        for version, body in _moto_secret(self.secret_name).versions.items():
            if "AWSPENDING" in body["version_stages"] and "AWSCURRENT" not in body["version_stages"]:
                return version
        return None

    def start(self, token: str | None = None) -> str:
        """RotateSecret's own work: refused while another rotation is in progress; otherwise a
        value-less version `token`, labelled AWSPENDING (the label leaves the current version)."""
        if self.in_progress() is not None:
            raise ClientError(
                {"Error": {"Code": "InvalidRequestException", "Message": PREVIOUS_ROTATION}}, "RotateSecret"
            )
        token = token or str(uuid.uuid4())
        secret = _moto_secret(self.secret_name)
        secret.remove_version_stages_from_old_versions(["AWSPENDING"])
        secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": ["AWSPENDING"]}
        return token

    def step(self, step: str, token: str) -> None:
        """One invocation of the rotation function, with the event Secrets Manager sends."""
        event = {
            "Step": step,
            "SecretId": self.arn,
            "ClientRequestToken": token,
            "RotationToken": str(uuid.uuid4()),
        }
        self.events.append(event)
        self.function.handler(event, LambdaContext(function_name="tap-test-rotation"))

    def reattempt(self) -> str:
        """The service's reattempt of the rotation in progress: every step again with its token (each
        step is idempotent, so resuming at the step that failed would end the same way)."""
        token = self.in_progress()
        assert token is not None
        for step in STEPS:
            self.step(step, token)
        return token

    def rotate(self, token: str | None = None, steps: tuple[str, ...] = STEPS) -> str:
        """A rotation: start it, then each step in order (an exception stops it, as in AWS)."""
        token = self.start(token)
        for step in steps:
            self.step(step, token)
        return token
