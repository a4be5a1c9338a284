"""The health canary, synthesized alone in a tiny stack; `canary_name` evaluated by Terraform."""

import hashlib
import json
import re
from pathlib import Path

import pytest
from cdktf import App, LocalBackend, TerraformOutput, TerraformStack, TerraformVariable

from modules import canary as canary_module
from modules.account import AwsAccount
from modules.canary import HealthCanary, HealthCanaryProps, canary_name
from stacks.tap_stack import LOCAL_STATE_PATH
from tapgen.aws import aws
from tapgen.pipeline.archives import ArchiveSpec, BuiltArchive, archive_bytes, archive_filename, source_code_hash
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS
from tests.modules import harness
from tests.terraform.conftest import init, terraform

LAMBDA_SRC = Path(__file__).resolve().parents[2] / "lambda_src"
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
KEY = "${aws_kms_key.tap_stack_kms.arn}"
BUCKET_ARN = "${aws_s3_bucket.tap_stack_canary_artifacts.arn}"
# Until tapgen/security/exceptions.py lists it (see the report): PutMetricData has no resource-level
# permissions, so the canary's metrics can only be granted on "*", limited by namespace.
PUT_METRIC_DATA_REASON = "CloudWatch PutMetricData has no resource-level permissions."


def canary_archive() -> BuiltArchive:
    spec = ArchiveSpec("canary.zip", "canary", prefix="python/", content_addressed=True)
    content = archive_bytes(LAMBDA_SRC / spec.source, spec.prefix)
    return BuiltArchive(archive_filename(spec, content), source_code_hash(content), content)


# The key rules judge the stand-in key (no policy), which is not under test here.
RULES_NOT_UNDER_TEST = ("kms_",)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[tuple[HealthCanary, BuiltArchive]]:
    """The tiny stack, synthesized, with the construct and its archive."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("canary"))
    aws.kms_key.KmsKey(stack, "tap_stack_kms", enable_key_rotation=True)
    TerraformVariable(stack, "canary_schedule_expression", type="string")
    archive = canary_archive()
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(WILDCARD_RESOURCE_ACTIONS, "cloudwatch:PutMetricData", PUT_METRIC_DATA_REASON)
        construct = HealthCanary(
            stack,
            HealthCanaryProps(
                name="tap_stack_canary",
                canary_name="tap-dev-health",
                role_name="tap-dev-us-east-1-canary",
                bucket_name="tap-dev-us-east-1-canary-artifacts",
                archive=archive,
                account=ACCOUNT,
                kms_key_arn=KEY,
                api_url="https://abc.execute-api.us-east-1.amazonaws.com/dev",
                schedule_expression="${var.canary_schedule_expression}",
                artifact_expiration_days=365,
            ),
        )
    # How the alarm's dimensions resolve once the stack hands the spec to its alerts.
    TerraformOutput(stack, "alarm_dimensions", value=construct.alarm.dimensions)
    TerraformOutput(stack, "verdict_dimensions", value=construct.verdict_alarm.dimensions)
    return harness.synthesize(stack, (construct, archive), beside={archive.filename: archive.content})


@pytest.fixture(scope="module")
def canary(resources):
    return resources["aws_synthetics_canary"]["tap_stack_canary"]


def statements(document: dict, name: str) -> dict[str, dict]:
    body = document["data"]["aws_iam_policy_document"][name]
    return {s["sid"]: s for s in body["statement"]}


def test_the_runtime_is_a_python_selenium_runtime_from_6_0():
    match = re.fullmatch(r"syn-python-selenium-(\d+)\.(\d+)", canary_module.RUNTIME_VERSION)
    assert match and (int(match[1]), int(match[2])) >= (6, 0)


def test_the_canary_runs_the_content_addressed_archive_against_health(canary, synthesized):
    _, archive = synthesized.built
    assert re.fullmatch(r"canary-[0-9a-f]{16}\.zip", archive.filename)
    assert canary["zip_file"] == archive.filename
    assert canary["handler"] == "canary.handler"
    assert canary["runtime_version"] == canary_module.RUNTIME_VERSION
    assert canary["name"] == "tap-dev-health"
    assert canary["run_config"] == {
        "active_tracing": True,
        "environment_variables": {
            "API_URL": "https://abc.execute-api.us-east-1.amazonaws.com/dev",
            "CANARY_NAME": "tap-dev-health",
            "VERDICT_NAMESPACE": "CloudWatchSynthetics",
            "VERDICT_METRIC": "RegionHealthy",
        },
        "timeout_in_seconds": 60,
    }
    assert canary["schedule"] == {"expression": "${var.canary_schedule_expression}"}
    assert canary["start_canary"] is True and canary["delete_lambda"] is True
    assert (canary["success_retention_period"], canary["failure_retention_period"]) == (31, 31)
    assert "provider" not in canary  # placement decides it, never the module


def test_the_canary_refuses_an_archive_that_is_not_the_synthesized_one(canary, synthesized):
    document, (_, archive) = synthesized.document, synthesized.built
    (precondition,) = canary["lifecycle"]["precondition"]
    assert precondition["condition"] == (
        f'${{filebase64sha256("{archive.filename}") == local.tap_stack_canary_archive_sha256}}'
    )
    assert document["locals"]["tap_stack_canary_archive_sha256"] == archive.source_code_hash


def test_artifacts_are_encrypted_with_the_key_in_a_secure_bucket(canary, resources):
    assert canary["artifact_s3_location"] == "s3://${aws_s3_bucket.tap_stack_canary_artifacts.bucket}/canary"
    assert canary["artifact_config"] == {"s3_encryption": {"encryption_mode": "SSE_KMS", "kms_key_arn": KEY}}
    assert resources["aws_s3_bucket"]["tap_stack_canary_artifacts"]["bucket"] == "tap-dev-us-east-1-canary-artifacts"
    lifecycle = resources["aws_s3_bucket_lifecycle_configuration"]["tap_stack_canary_artifacts_lifecycle"]
    assert lifecycle["rule"][0]["expiration"] == [{"days": 365}]
    assert "aws_s3_bucket_public_access_block" in json.dumps(canary["depends_on"])


def test_the_canary_starts_only_after_its_permissions_and_bucket_settings(canary):
    assert set(canary["depends_on"]) == {
        "aws_iam_role_policy.tap_stack_canary_role_policy",
        "aws_s3_bucket_server_side_encryption_configuration.tap_stack_canary_artifacts_encryption",
        "aws_s3_bucket_public_access_block.tap_stack_canary_artifacts_public_access_block",
        "aws_s3_bucket_policy.tap_stack_canary_artifacts_policy",
    }


def test_the_role_is_lambdas_and_named_by_the_caller(canary, resources, synthesized):
    role = resources["aws_iam_role"]["tap_stack_canary_role"]
    assert role["name"] == "tap-dev-us-east-1-canary"
    assert canary["execution_role_arn"] == "${aws_iam_role.tap_stack_canary_role.arn}"
    trust = statements(synthesized.document, "tap_stack_canary_role_trust")["ServiceAssumesRole"]
    assert trust["principals"] == [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]


def test_the_role_may_do_only_what_synthetics_documents(synthesized):
    granted = statements(synthesized.document, "tap_stack_canary_role_permissions")
    assert {sid: (s["actions"], s["resources"]) for sid, s in granted.items()} == {
        "WriteArtifacts": (["s3:PutObject"], [f"{BUCKET_ARN}/canary/*"]),
        "LocateArtifactBucket": (["s3:GetBucketLocation"], [BUCKET_ARN]),
        "EncryptArtifacts": (["kms:GenerateDataKey"], [KEY]),
        "WriteOwnLogs": (
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/cwsyn-tap-dev-health-*"],
        ),
        "PublishCanaryMetrics": (["cloudwatch:PutMetricData"], ["*"]),
        "SendTraces": (["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]),
    }
    assert granted["PublishCanaryMetrics"]["condition"] == [
        {"test": "StringEquals", "variable": "cloudwatch:namespace", "values": ["CloudWatchSynthetics"]}
    ]
    assert granted["EncryptArtifacts"]["condition"] == [
        {"test": "StringEquals", "variable": "kms:ViaService", "values": ["s3.us-east-1.amazonaws.com"]},
        {"test": "ArnLike", "variable": "kms:EncryptionContext:aws:s3:arn", "values": [BUCKET_ARN, f"{BUCKET_ARN}/*"]},
    ]


def test_the_alarm_fires_on_any_failed_run(synthesized):
    construct, _ = synthesized.built
    alarm = construct.alarm
    assert (alarm.name, alarm.namespace, alarm.metric) == (
        "tap_stack_canary_alarm",
        "CloudWatchSynthetics",
        "SuccessPercent",
    )
    assert (alarm.statistic, alarm.comparison, alarm.threshold) == ("Minimum", "LessThanThreshold", 100)
    assert alarm.treat_missing_data == "ignore"
    dimensions = synthesized.document["output"]["alarm_dimensions"]["value"]
    assert dimensions == {"CanaryName": "${aws_synthetics_canary.tap_stack_canary.name}"}


def test_the_verdict_alarm_fires_on_the_last_answered_run_and_keeps_it_between_runs(synthesized, canary):
    construct, _ = synthesized.built
    alarm = construct.verdict_alarm
    environment = canary["run_config"]["environment_variables"]
    assert (alarm.name, alarm.namespace, alarm.metric) == (
        "tap_stack_canary_verdict_alarm",
        environment["VERDICT_NAMESPACE"],
        environment["VERDICT_METRIC"],
    )
    assert (alarm.statistic, alarm.comparison, alarm.threshold) == ("Minimum", "LessThanThreshold", 1)
    assert alarm.treat_missing_data == "ignore"
    # The verdict's dimension is the canary's own name, which the canary is told.
    assert synthesized.document["output"]["verdict_dimensions"]["value"] == {
        "CanaryName": "${aws_synthetics_canary.tap_stack_canary.name}"
    }
    assert environment["CANARY_NAME"] == canary["name"]


def expected_name(prefix: str) -> str:
    full = f"{prefix}-health"
    return full if len(full) <= 21 else f"{full[:14]}-{hashlib.sha1(full.encode()).hexdigest()[:6]}"


PREFIXES = (
    "tap-dev",
    "tap-prod-pr42",  # 20 characters with the suffix: unchanged
    "tap-prod-pr421",  # 21: unchanged
    "tap-prod-pr4210",  # 22: shortened
    "tap-prod-pr4211",  # shares its first 14 characters with the previous one
    "abcdefghijklmnop-production-pr-1234567",  # the longest name prefix the variables allow (38)
    "x" * 60,
)


def test_canary_names_fit_synthetics_at_every_prefix_length(tmp_path):
    """Evaluated by Terraform itself (a configuration of variables and outputs only, no provider)."""
    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "names")
    LocalBackend(stack, path=LOCAL_STATE_PATH)
    for number, prefix in enumerate(PREFIXES):
        variable = TerraformVariable(stack, f"prefix_{number}", type="string", default=prefix)
        TerraformOutput(stack, f"name_{number}", value=canary_name(variable.string_value))
    app.synth()
    workdir = tmp_path / "out" / "stacks" / "names"
    init(workdir)
    terraform(workdir, "apply", "-auto-approve", "-input=false", "-lock=false")
    outputs = json.loads(terraform(workdir, "output", "-json").stdout)
    names = [outputs[f"name_{number}"]["value"] for number in range(len(PREFIXES))]
    assert names == [expected_name(prefix) for prefix in PREFIXES]
    assert all(len(name) <= 21 and re.fullmatch(r"[0-9a-z_-]+", name) for name in names)
    assert len(set(names)) == len(names)
