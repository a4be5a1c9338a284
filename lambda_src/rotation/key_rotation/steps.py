"""The four steps of a Secrets Manager rotation, with the semantics of AWS's rotation template
(`SecretsManagerRotationTemplate`), for a secret whose only consumer is this stack.

Secrets Manager starts a rotation by creating a version with the id `ClientRequestToken` and the
label `AWSPENDING` (no value yet), then invokes the function once per step, in order, with
`{"Step", "SecretId", "ClientRequestToken"}`, retrying a step that fails. Before any step:

- rotation must be enabled on the secret;
- the token must be a version of the secret; if it is already `AWSCURRENT` there is nothing to do
  (a retry after `finishSecret` succeeded); otherwise it must be `AWSPENDING`.

Steps, each idempotent under retry:

- `createSecret`: if the pending version has no value, put a new key (32 bytes from `os.urandom`,
  self-tested first) as its value (`AWSPENDING`);
  a value already there (an earlier attempt) is kept, since a version's value never changes. Unlike
  the template, a missing `AWSCURRENT` is not an error: the first rotation creates the first value,
  so no value ever appears in Terraform.
- `setSecret`: the key is used only by this stack's functions, which read it from Secrets Manager:
  there is no external system (database, API) to update, so this step does nothing, every time.
- `testSecret`: the pending value must parse as a key that signs and verifies. A value that fails
  is never going to pass (versions are immutable), so before failing the step removes `AWSPENDING`
  from that version: `AWSCURRENT` has not moved (the consumers keep the current key), and the next
  rotation can start; a retry then finds the version no longer pending and fails again, changing
  nothing. A failure to read the value (throttling, an outage) leaves the label, so a retry can
  still finish the rotation.
- `finishSecret`: move `AWSCURRENT` to the token's version, removing it from the version that held it
  (Secrets Manager then labels that one `AWSPREVIOUS`). `AWSPENDING` stays on the new current
  version, where it blocks nothing: a new rotation moves it to its own version.

A stale `AWSPENDING` (on a version that is not `AWSCURRENT`) is what a rotation leaves when it
stopped between steps (a timeout, an outage). Secrets Manager then refuses to start a new rotation
("A previous rotation isn't complete. That rotation will be reattempted.") and invokes the function
again with the stale version's token, so that rotation ends one of two ways: its value was made by
`createSecret` (or is created now) and passes `testSecret`, and `finishSecret` promotes it; or its
value fails `testSecret`, which removes the label. Either way the next scheduled rotation starts.
`createSecret` for a new token never meets a stale `AWSPENDING` elsewhere: a staging label is on one
version at a time, and Secrets Manager gives it to the new version only once no other version holds
it apart from the current one. So this function never moves labels of versions other than its token's.

The consumers read `AWSCURRENT` and `AWSPREVIOUS` only, never `AWSPENDING`.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from botocore.exceptions import ClientError

from key_rotation import keys

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"


class RotationError(ValueError):
    """The event or the secret's state does not allow this step (Secrets Manager will retry)."""


def _code(error: ClientError) -> str:
    return error.response.get("Error", {}).get("Code", "")


class SecretRotation:
    def __init__(self, client, logger: Logger) -> None:
        self._client = client
        self._logger = logger
        self._steps = {
            "createSecret": self.create_secret,
            "setSecret": self.set_secret,
            "testSecret": self.test_secret,
            "finishSecret": self.finish_secret,
        }

    def run(self, event: dict) -> None:
        """Run the step `event` names; one structured log line per invocation, never a value."""
        step, arn, token = event.get("Step"), event.get("SecretId"), event.get("ClientRequestToken")
        fields = {"step": step, "secret_id": arn, "version_id": token}
        try:
            outcome = self._run(step, arn, token)
        except Exception as error:
            self._logger.error("rotation step failed", extra={**fields, "error": _describe(error)})
            raise
        self._logger.info("rotation step", extra={**fields, "outcome": outcome})

    def _run(self, step: object, arn: object, token: object) -> str:
        if step not in self._steps:
            raise RotationError(f"invalid step parameter {step!r}")
        if not isinstance(arn, str) or not isinstance(token, str):
            raise RotationError("SecretId and ClientRequestToken must be strings")
        metadata = self._client.describe_secret(SecretId=arn)
        if not metadata.get("RotationEnabled"):
            raise RotationError(f"secret {arn} is not enabled for rotation")
        versions = metadata.get("VersionIdsToStages") or {}
        if token not in versions:
            raise RotationError(f"secret version {token} has no stage for rotation of secret {arn}")
        if CURRENT in versions[token]:
            return "already_current"
        if PENDING not in versions[token]:
            raise RotationError(f"secret version {token} is not AWSPENDING for rotation of secret {arn}")
        return self._steps[step](arn, token)

    def create_secret(self, arn: str, token: str) -> str:
        if self._pending_value(arn, token) is not None:
            return "pending_value_kept"
        value = keys.new_secret_string()
        # Tested before it is stored too: should Secrets Manager label the first value of a secret
        # AWSCURRENT as soon as it is put, the later steps find nothing to do.
        keys.self_test(value)
        try:
            self._client.put_secret_value(
                SecretId=arn, ClientRequestToken=token, SecretString=value, VersionStages=[PENDING]
            )
        except ClientError as error:
            # A concurrent attempt stored its value first; versions are immutable, so that one stands.
            if _code(error) == "ResourceExistsException" and self._pending_value(arn, token) is not None:
                return "pending_value_kept"
            raise
        return "pending_value_created"

    def set_secret(self, arn: str, token: str) -> str:
        # No external system holds this key: nothing to set, on every attempt.
        return "nothing_to_set"

    def test_secret(self, arn: str, token: str) -> str:
        value = self._pending_value(arn, token)
        if value is None:
            raise RotationError(f"secret version {token} of {arn} has no value to test")
        try:
            keys.self_test(value)
        except keys.MalformedKey as error:
            # Immutable, so it can never pass: unlabel it, or every later rotation is refused.
            self._client.update_secret_version_stage(SecretId=arn, VersionStage=PENDING, RemoveFromVersionId=token)
            raise RotationError(
                f"secret version {token} of {arn} failed its test ({error}); AWSPENDING was removed from it, "
                "AWSCURRENT is unchanged"
            ) from None
        return "pending_value_verified"

    def finish_secret(self, arn: str, token: str) -> str:
        metadata = self._client.describe_secret(SecretId=arn)
        current = None
        for version, stages in (metadata.get("VersionIdsToStages") or {}).items():
            if CURRENT in stages:
                if version == token:
                    return "already_current"
                current = version
                break
        arguments = {"SecretId": arn, "VersionStage": CURRENT, "MoveToVersionId": token}
        if current is not None:
            arguments["RemoveFromVersionId"] = current
        self._client.update_secret_version_stage(**arguments)
        return "promoted" if current is not None else "promoted_first_value"

    def _pending_value(self, arn: str, token: str) -> str | None:
        try:
            response = self._client.get_secret_value(SecretId=arn, VersionId=token, VersionStage=PENDING)
        except ClientError as error:
            if _code(error) == "ResourceNotFoundException":
                return None
            raise
        return response.get("SecretString")


def _describe(error: Exception) -> str:
    """What went wrong, without anything a value could leak into (`MalformedKey` never quotes one)."""
    if isinstance(error, ClientError):
        return f"{_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
    return f"{type(error).__name__}: {error}"
