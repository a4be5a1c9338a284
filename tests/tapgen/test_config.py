import json
import subprocess
import sys
from dataclasses import fields

import pytest

from tapgen.combinations import options
from tapgen.config import (
    OPTIONS,
    SHAPE_OPTIONS,
    ConfigError,
    SynthConfig,
    build_config,
    load_context,
    options_table,
)

SHAPE = "of 3-63 characters, a-z, 0-9, . and -, starting and ending with a letter or digit"
ALLOWED = (
    "backend, state_bucket, state_key, state_region, state_lock_table, regions, waf, compliance, account_controls, "
    "scale, item_stream, cache"
)
S3 = ["backend=s3", "state_bucket=acme-tf-state", "state_region=eu-west-1", "state_lock_table=tf-locks"]
CDKTF_SETTINGS = (
    "app, codeMakerOutput, context, language, output, projectId, sendCrashReports, terraformModules, terraformProviders"
)


def test_defaults_are_a_local_backend():
    assert build_config({}) == SynthConfig()
    assert build_config({}).backend == "local"


def test_command_line_overrides_win_over_context():
    config = build_config({"backend": "local"}, [*S3, "state_key=tap/prod.tfstate"])
    assert (config.backend, config.state_bucket, config.state_key) == ("s3", "acme-tf-state", "tap/prod.tfstate")
    assert (config.state_region, config.state_lock_table) == ("eu-west-1", "tf-locks")


def test_cdktf_own_context_keys_are_ignored():
    assert build_config({"excludeStackIdFromLogicalIds": True, "backend": "local"}) == SynthConfig()


@pytest.mark.parametrize(
    ("context", "overrides", "message"),
    [
        ({"backend": "gcs"}, [], "backend: 'gcs' is not allowed; expected one of: local, s3"),
        (
            {},
            ["colour=blue"],
            "colour: unknown option; allowed options are: " + ALLOWED,
        ),
        (
            {},
            ["backend"],
            "-c 'backend': expected key=value with key one of: " + ALLOWED,
        ),
        ({"backend": 3}, [], "backend: 3 is not allowed; expected a string"),
        (
            {},
            ["backend=s3", "state_region=eu-west-1"],
            "state_region: 'eu-west-1' is only allowed with state_bucket; a partial S3 backend (no state_bucket) "
            "takes the bucket, key and region from terraform init -backend-config",
        ),
        (
            {},
            ["backend=s3", "state_key=tap/dev.tfstate"],
            "state_key: 'tap/dev.tfstate' is only allowed with state_bucket; a partial S3 backend (no state_bucket) "
            "takes the bucket, key and region from terraform init -backend-config",
        ),
        (
            {},
            [*S3[:1], "state_bucket=Bad_Bucket", *S3[2:]],
            "state_bucket: 'Bad_Bucket' is not allowed; expected an S3 bucket name " + SHAPE,
        ),
        (
            {},
            [*S3[:1], "state_bucket=a..b", *S3[2:]],
            "state_bucket: 'a..b' is not allowed; expected an S3 bucket name without two adjacent periods",
        ),
        (
            {},
            [*S3[:1], "state_bucket=192.168.1.1", *S3[2:]],
            "state_bucket: '192.168.1.1' is not allowed; expected an S3 bucket name that is not formatted as an IP "
            "address",
        ),
        (
            {},
            [*S3[:1], "state_bucket=xn--state", *S3[2:]],
            "state_bucket: 'xn--state' is not allowed; expected an S3 bucket name that does not start with a prefix "
            "S3 reserves (xn--, sthree-, amzn-s3-demo-)",
        ),
        (
            {},
            [*S3[:1], "state_bucket=state-s3alias", *S3[2:]],
            "state_bucket: 'state-s3alias' is not allowed; expected an S3 bucket name that does not end with a "
            "suffix S3 reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)",
        ),
        (
            {},
            [*S3[:1], "state_bucket=acme-tf-state\n", *S3[2:]],
            "state_bucket: 'acme-tf-state\\n' is not allowed; expected an S3 bucket name " + SHAPE,
        ),
        (
            {},
            [*S3[:2], "state_region=mars-1", *S3[3:]],
            "state_region: 'mars-1' is not allowed; expected an AWS region such as us-east-1",
        ),
        (
            {},
            [*S3[:3], "state_lock_table=x"],
            "state_lock_table: 'x' is not allowed; expected empty (S3-native locking) or a DynamoDB table name "
            "(3-255 chars: A-Z a-z 0-9 _ . -)",
        ),
        (
            {},
            [*S3, "state_key="],
            "state_key: '' is not allowed; expected an S3 object key (1-1024 safe characters)",
        ),
        (
            {"state_bucket": "acme-tf-state"},
            [],
            "state_bucket: 'acme-tf-state' is only allowed with backend 's3' (backend is 'local')",
        ),
        (
            {},
            [*S3[:2], "state_region=us-east-1\n", *S3[3:]],
            "state_region: 'us-east-1\\n' is not allowed; expected an AWS region such as us-east-1",
        ),
        ({"Backend": "s3"}, [], "Backend: unknown option; allowed options are: " + ALLOWED),
        ({}, ["regions=4"], "regions: '4' is not allowed; expected one of: 1, 2, 3"),
        ({"regions": 2}, [], "regions: 2 is not allowed; expected a string"),
        ({"waf": "yes"}, [], "waf: 'yes' is not allowed; expected one of: on, off"),
        ({}, ["compliance=true"], "compliance: 'true' is not allowed; expected one of: off, on"),
        ({"account_controls": "ON"}, [], "account_controls: 'ON' is not allowed; expected one of: off, on"),
        ({}, ["scale=yes"], "scale: 'yes' is not allowed; expected one of: off, on"),
        ({}, ["item_stream=dynamodb"], "item_stream: 'dynamodb' is not allowed; expected one of: none, kinesis"),
    ],
)
def test_bad_options_name_the_option_the_value_and_what_is_allowed(context, overrides, message):
    with pytest.raises(ConfigError) as error:
        build_config(context, overrides)
    assert str(error.value) == message


def test_load_context_reads_cdktf_json(tmp_path):
    path = tmp_path / "cdktf.json"
    path.write_text(json.dumps({"app": "x", "context": {"backend": "s3"}}))
    assert load_context(path) == {"backend": "s3"}


def test_load_context_errors_name_the_file(tmp_path):
    path = tmp_path / "cdktf.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match=r"^cdktf.json: is not valid JSON \(Expecting property name"):
        load_context(path)
    path.write_text(json.dumps({"context": []}))
    with pytest.raises(ConfigError) as error:
        load_context(path)
    assert str(error.value) == "cdktf.json: 'context' must be a JSON object, got array"
    with pytest.raises(ConfigError) as error:
        load_context(tmp_path / "missing.json")
    assert str(error.value) == "missing.json: cannot be read (No such file or directory)"


def test_the_projects_own_cdktf_json_is_accepted():
    from tests.project import ROOT

    assert build_config(load_context(ROOT / "cdktf.json")) == SynthConfig()


def test_unknown_cdktf_settings_are_refused(tmp_path):
    path = tmp_path / "cdktf.json"
    path.write_text(json.dumps({"app": "x", "Context": {}}))
    with pytest.raises(ConfigError) as error:
        load_context(path)
    assert str(error.value) == f"cdktf.json: unknown setting 'Context'; cdktf settings are: {CDKTF_SETTINGS}"


def test_the_readme_options_table_is_the_declared_options():
    from tests.project import ROOT

    assert options_table() in (ROOT / "README.md").read_text()


def test_help_lists_every_option_with_its_values_default_first():
    from tests.project import ROOT

    result = subprocess.run([sys.executable, "main.py", "--help"], cwd=ROOT, capture_output=True, text=True, check=True)
    for option in OPTIONS:
        assert f"  {option.name} = {' | '.join(option.values)}\n" in result.stdout


def test_a_checkov_skip_is_scoped_by_shape_options_and_their_values_only():
    from tapgen.security.exceptions import CheckovSkip

    keys = ", ".join(option.name for option in SHAPE_OPTIONS)
    with pytest.raises(ValueError) as unknown_option:
        CheckovSkip("CKV_X", "reason", ("aws_x.y",), where={"state_bucket": ("b",)})
    assert str(unknown_option.value) == f"CKV_X: unknown option 'state_bucket' (options: {keys})"
    with pytest.raises(ValueError) as unknown_value:
        CheckovSkip("CKV_X", "reason", ("aws_x.y",), where={"cache": ("none", "memcached")})
    assert str(unknown_value.value) == (
        "CKV_X: cache='memcached' is not a value of cache (values: none, elasticache, dax)"
    )
    skip = CheckovSkip("CKV_X", "reason", ("aws_x.y",), where={"regions": ("2", "3")})
    assert skip.applies_to(options({"regions": "2"})) and not skip.applies_to(options({"regions": "1"}))


def test_a_checkov_skip_names_its_resources_and_a_one_line_reason():
    from tapgen.security.exceptions import CheckovSkip

    with pytest.raises(ValueError) as no_resources:
        CheckovSkip("CKV_X", "reason", ())
    assert str(no_resources.value) == "CKV_X: name the resources it covers"
    with pytest.raises(ValueError) as two_lines:
        CheckovSkip("CKV_X", "one\ntwo", ("aws_x.y",))
    assert str(two_lines.value) == "CKV_X: a reason is one line (an inline checkov comment)"
    skip = CheckovSkip("CKV_X", "reason", ("aws_x.y", "aws_x.z_secondary"))
    assert [skip.covers(a) for a in ("aws_x.y_tertiary[0]", "aws_x.z", "aws_x.z_secondary", "data.aws_x.y")] == [
        True,
        False,
        True,
        False,
    ]


def test_every_option_is_a_field_of_the_config():
    assert {option.name for option in OPTIONS} <= {f.name for f in fields(SynthConfig)}
    assert SynthConfig() == SynthConfig(**{option.name: option.default for option in OPTIONS})
