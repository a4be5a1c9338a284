"""The generated configuration through the real Terraform CLI: init, validate, test, plan."""

import shutil

import pytest

from tests.terraform.conftest import TFTEST_DIR, init, terraform


@pytest.mark.parametrize("which", ["bundle", "cdktf_out"])
def test_each_output_directory_is_a_valid_root_module(synth, tmp_path, which):
    source = synth.bundle if which == "bundle" else synth.stack_dir
    target = tmp_path / "root"
    shutil.copytree(source, target)
    init(target, backend=False)
    result = terraform(target, "validate")
    assert "Success! The configuration is valid." in result.stdout


def test_terraform_test_with_mocked_provider_passes(bundle_copy):
    tests = bundle_copy / "tests"
    shutil.copytree(TFTEST_DIR, tests, dirs_exist_ok=True)
    try:
        result = terraform(bundle_copy, "test")
    finally:
        shutil.rmtree(tests)
    assert "Success! 6 passed, 0 failed." in result.stdout


BAD_VALUE_MESSAGES = [
    'aws_region = "mars-north" is not allowed: expected an AWS region such as us-east-1.',
    'environment_suffix = "-x" is not allowed: expected empty or 1-10 characters: a-z, 0-9 and -.',
    'lambda_log_bucket_name = "Not_A_Bucket" is not allowed: expected an S3 bucket name',
    'allowed_ip_ranges = ["203.0.113.0/33"] is not allowed: expected at least one CIDR such as "203.0.113.0/24".',
    "lambda_timeout = 1000 is not allowed: expected a whole number from 1 to 900 seconds.",
    "log_retention_days = 42 is not allowed: expected one of 1, 3, 5, 7, 14, 30, 60, 90,",
    'alarm_email = "not-an-email" is not allowed: expected empty or an e-mail address.',
]


def test_bad_values_fail_at_plan_naming_variable_value_and_what_is_allowed(bundle_copy):
    tests = bundle_copy / "messages"
    shutil.copytree(TFTEST_DIR.parent / "messages", tests)
    try:
        result = terraform(bundle_copy, "test", "-test-directory=messages", check=False)
    finally:
        shutil.rmtree(tests)
    assert result.returncode != 0
    output = " ".join((result.stdout + result.stderr).split())
    for message in BAD_VALUE_MESSAGES:
        assert message in output
