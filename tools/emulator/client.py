"""Start the emulator (`python -m tools.emulator`) and wire Terraform root modules to it: used by
the suite's rehearsals and by `scripts/rehearse`.

- `Emulator.start()` starts the emulator (`python -m tools.emulator`: moto's server with the named
  patches of `tools.emulator.patches`, behind a `tools.emulator.retries.RetryLedger`) in a process
  of its own on 127.0.0.1 and a free port, and returns it; `stop()` ends that process.
  `with Emulator.running() as emulator:` does both. `emulator.patches` names the patches applied,
  `emulator.ledger()` the calls the SDK retried and those answered again from their first attempt.
- `emulator.endpoint`: `http://127.0.0.1:<port>`.
- `emulator.env(account=None)`: the environment to run `terraform` (or `npx cdktf deploy`) against
  it: this process's environment without any `AWS_*`/`TF_*` setting of the caller; fake
  credentials (`testing`: moto's default account 123456789012; with `account="111111111111"`,
  those of a role assumed in that emulated account, so rehearsals that run at once share no
  account-wide setting such as API Gateway's CloudWatch role); `AWS_ENDPOINT_URL=<endpoint>` (the
  AWS provider 5.100.0 sends every service there; measured: every resource of the stack is
  created in moto); no shared config or credentials file; `AWS_EC2_METADATA_DISABLED`,
  `TF_CLI_CONFIG_FILE=/dev/null`, `CHECKPOINT_DISABLE=1`, `TF_IN_AUTOMATION=1`.
- `emulator.client_factory(account=None)`: `aws(service, region="us-east-1")`, boto3 clients of
  the emulator with the same credentials as `env(account=...)` (to prepare what a stack expects
  to exist, such as a public hosted zone, and to check what an apply created).
- `emulator.write_override(directory, state=None)`: writes `emulator_override.tf.json` into a root
  module: what the environment cannot say (`s3_use_path_style`, because `<bucket>.127.0.0.1` does
  not resolve; no instance-metadata lookup; `max_retries = 2`, so an API moto lacks fails in
  seconds instead of a 15-minute back-off). Terraform merges `*_override.tf.json` into the provider
  block; synth never writes or removes that file, so it survives a synth in `cdktf.out/stacks/tap_stack`.
  With `state=(bucket, key)` it also replaces the configuration's backend by the S3 backend in the
  emulator (an override's backend replaces the original's), as a team's state would live.

moto keeps its state in the emulator process: a `moto.mock_aws` in the caller's process (the
handler tests') neither sees nor resets it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OVERRIDE_FILE = "emulator_override.tf.json"
STOP_TIMEOUT_SECONDS = 30
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
STATE_KEY = "tap_stack/terraform.tfstate"
PROVIDER_OVERRIDE = {
    "s3_use_path_style": True,
    "skip_metadata_api_check": True,
    "max_retries": 2,
}


PROVIDER_MIRROR_ENV = "TAP_PROVIDER_MIRROR"
# The local mirror of hashicorp/aws that every offline `terraform init -plugin-dir` reads.
PROVIDER_MIRROR = Path(os.environ.get(PROVIDER_MIRROR_ENV, "/opt/tf-plugins"))


class EmulatorError(RuntimeError):
    """The emulator did not start."""


@dataclass(frozen=True)
class Step:
    """One Terraform command run against the emulator: what, how long, how it ended."""

    command: str
    seconds: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return f"{self.stdout}\n{self.stderr}"


def run_terraform(binary: str, directory: Path, env: Mapping[str, str], *args: str, timeout: float) -> Step:
    """`terraform <args>` in `directory`, timed; `-no-color` right after the subcommand (flags after
    a plan file are positional; `state` takes none). Raises subprocess.TimeoutExpired."""
    command = [binary, *args] if args[0] == "state" else [binary, args[0], "-no-color", *args[1:]]
    started = time.monotonic()
    result = subprocess.run(
        command, cwd=directory, env=dict(env), capture_output=True, text=True, timeout=timeout, check=False
    )
    return Step(" ".join(args), time.monotonic() - started, result.returncode, result.stdout, result.stderr)


def without_aws_settings() -> dict[str, str]:
    """This process's environment without the caller's AWS settings (a profile, keys, a region, an
    endpoint) and without their config files: moto reads them when it starts, and a missing profile
    stops it."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return {
        **inherited,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass(frozen=True)
class Ledger:
    retried: list[str]
    replayed: list[str]


class Emulator:
    """The emulator's process, on 127.0.0.1 (see the module docstring)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, runtime: Mapping[str, str] | None = None) -> None:
        self._host = host
        self._runtime = dict(runtime or {})  # extra environment for Terraform (e.g. GOGC)
        self._port = port  # 0: a free port, chosen by the OS when the server binds
        self._process: subprocess.Popen | None = None
        self._endpoint = ""
        self._accounts: dict[str, dict[str, str]] = {}
        self.patches: tuple[str, ...] = ()

    @classmethod
    @contextlib.contextmanager
    def running(cls) -> Iterator[Emulator]:
        emulator = cls().start()
        try:
            yield emulator
        finally:
            emulator.stop()

    def start(self) -> Emulator:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tools.emulator", "--host", self._host, "--port", str(self._port)],
            cwd=ROOT,
            env=without_aws_settings(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready = self._process.stdout.readline()
        if not ready:
            exit_status = self._process.wait()
            self._process = None
            raise EmulatorError(f"the emulator exited with {exit_status} before it listened")
        started = json.loads(ready)
        self._endpoint = started["endpoint"]
        self.patches = tuple(started["patches"])
        return self

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.stdin.close()  # the emulator serves until its standard input closes
        try:
            self._process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def ledger(self) -> Ledger:
        with urllib.request.urlopen(f"{self.endpoint}/_emulator/status", timeout=30) as answer:
            status = json.load(answer)
        return Ledger(status["retried"], status["replayed"])

    @property
    def endpoint(self) -> str:
        return self._endpoint

    def env(self, region: str = "us-east-1", account: str | None = None) -> dict[str, str]:
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
        return {
            **inherited,
            **(self.credentials(account) if account else FAKE_CREDENTIALS),
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "TF_CLI_CONFIG_FILE": os.devnull,
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            **self._runtime,
        }

    def credentials(self, account: str) -> dict[str, str]:
        """Credentials that moto attributes to `account` (an assumed role there; moto issues them
        once per account and does not expire them)."""
        if account not in self._accounts:
            import boto3

            sts = boto3.client(
                "sts",
                endpoint_url=self.endpoint,
                region_name="us-east-1",
                aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
            issued = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/rehearsal", RoleSessionName="rehearsal", DurationSeconds=43200
            )["Credentials"]
            self._accounts[account] = {
                "AWS_ACCESS_KEY_ID": issued["AccessKeyId"],
                "AWS_SECRET_ACCESS_KEY": issued["SecretAccessKey"],
                "AWS_SESSION_TOKEN": issued["SessionToken"],
            }
        return self._accounts[account]

    def client_factory(self, account: str | None = None):
        """`aws(service, region="us-east-1")`: a boto3 client of the emulator, as `account`."""
        import boto3

        credentials = self.credentials(account) if account else FAKE_CREDENTIALS

        def aws(service: str, region: str = "us-east-1"):
            return boto3.client(
                service,
                endpoint_url=self.endpoint,
                region_name=region,
                aws_access_key_id=credentials["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=credentials["AWS_SECRET_ACCESS_KEY"],
                aws_session_token=credentials["AWS_SESSION_TOKEN"],
            )

        return aws

    def write_override(self, directory: Path, state: tuple[str, str] | None = None) -> Path:
        """The override for every `aws` provider configuration of the root module (one per region:
        Terraform merges an override into the configuration with the same alias, and refuses one
        without a base), and with `state` (bucket, key) the S3 backend in the emulator."""
        path = Path(directory) / OVERRIDE_FILE
        overrides = [
            {**({"alias": alias} if alias else {}), **PROVIDER_OVERRIDE} for alias in provider_aliases(directory)
        ]
        override: dict = {"provider": {"aws": overrides}}
        if state:
            override["terraform"] = {"backend": {"s3": self.state_backend(*state)}}
        path.write_text(json.dumps(override, indent=2) + "\n")
        return path

    def state_backend(self, bucket: str, key: str) -> dict:
        """The S3 backend's settings for state in the emulator (credentials from `env()`)."""
        return {
            "bucket": bucket,
            "key": key,
            "region": "us-east-1",
            "use_path_style": True,
            "endpoints": {"s3": self.endpoint},
            "skip_credentials_validation": True,
            "skip_requesting_account_id": True,
            "skip_metadata_api_check": True,
        }

    def write_backend_config(self, directory: Path) -> Path:
        """A `-backend-config` file with what only the emulator needs besides an environment's own
        bucket, key and region (its S3 endpoint: Terraform merges such files, the later winning)."""
        settings = {k: v for k, v in self.state_backend("", "").items() if k not in ("bucket", "key", "region")}
        path = Path(directory) / "emulator.s3.tfbackend"
        path.write_text("".join(f"{name} = {_hcl_value(value)}\n" for name, value in settings.items()))
        return path

    def state_bucket(self, account: str | None) -> str:
        """A bucket for Terraform state in `account` (moto's default account when None), created once."""
        name = f"rehearsal-state-{account or 'default'}"
        s3 = self.client_factory(account)("s3")
        if name not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=name)
        return name


def _hcl_value(value: object) -> str:
    """A value of a .tfbackend file: a string, a bool or a map of strings."""
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in value.items()) + " }"
    return json.dumps(value)


def provider_aliases(directory: Path) -> list[str]:
    """The aliases of the `aws` provider configurations in a JSON root module ("" for the default)."""
    aliases = []
    for config in sorted(Path(directory).glob("*.tf.json")):
        if config.name.endswith("override.tf.json"):
            continue
        providers = json.loads(config.read_text()).get("provider", {}).get("aws", [])
        aliases += [p.get("alias", "") for p in (providers if isinstance(providers, list) else [providers])]
    return aliases or [""]
