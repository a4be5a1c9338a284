"""The built archives run on their own: handlers import from the zip, with vendored Powertools."""

import hashlib
import json
import os
import zipfile

import pytest

from tests.lambda_src.conftest import run_from_archive

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import handler
import aws_lambda_powertools
found = {"powertools": aws_lambda_powertools.__file__, "handler": callable(handler.handler)}
for module in ("tap_http", "tap_contract", "key_rotation"):
    if module in sys.modules:
        found[module] = sys.modules[module].__file__
print(json.dumps(found))
"""
ENVIRONMENT = {
    "TABLE_NAME": "t",
    "EVENT_BUS_NAME": "b",
    "GRANTS_TABLE_NAME": "g",
    "APP_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-AbCdEf",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# The canary's archive is content-addressed: `canary-<16 hex of its SHA-256>.zip`.
ARCHIVES = ("function.zip", "health.zip", "canary-*.zip", "rotation.zip")


@pytest.mark.parametrize(
    ("archive", "own_package"),
    [("function.zip", "tap_http"), ("health.zip", "tap_http"), ("rotation.zip", "key_rotation")],
)
def test_handler_imports_from_the_archive_alone(synth, tmp_path, archive, own_package):
    target = tmp_path / "task"
    result = run_from_archive(
        synth.bundle / archive, target, ["-c", PROBE, str(target)], tmp_path, {**os.environ, **ENVIRONMENT}
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["handler"] is True
    assert found["powertools"].startswith(str(target)) and found[own_package].startswith(str(target))
    if own_package == "tap_http":  # the API contract ships beside the HTTP plumbing, at the archive root
        assert found["tap_contract"] == str(target / "tap_contract.py")


def test_archives_hold_no_build_junk_or_tests(synth):
    for pattern in ARCHIVES:
        (archive,) = synth.bundle.glob(pattern)
        for name in zipfile.ZipFile(archive).namelist():
            assert "__pycache__" not in name and not name.endswith(".pyc"), name
            assert not name.split("/")[-1].startswith("test_"), name


def test_the_rotation_archive_vendors_only_what_it_needs(synth):
    """Powertools for its Logger (and typing_extensions, which Powertools needs); no HTTP plumbing,
    no X-Ray, no item code."""
    names = zipfile.ZipFile(synth.bundle / "rotation.zip").namelist()
    top = {name.split("/")[0] for name in names}
    assert {"handler.py", "key_rotation", "aws_lambda_powertools", "typing_extensions.py"} <= top
    assert not top & {"tap_http", "items_api", "aws_xray_sdk", "wrapt", "requirements.txt"}


def test_the_canary_archive_is_named_after_its_content(synth):
    (archive,) = synth.bundle.glob("canary-*.zip")
    assert archive.name == f"canary-{hashlib.sha256(archive.read_bytes()).hexdigest()[:16]}.zip"
    assert (synth.stack_dir / archive.name).read_bytes() == archive.read_bytes()
    assert all(name.startswith("python/") for name in zipfile.ZipFile(archive).namelist())


DAX_PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import amazondax, antlr4, botocore, six
print(json.dumps({module.__name__: module.__file__ for module in (amazondax, antlr4, botocore, six)}))
"""


def test_the_crud_archive_ships_the_dax_client_which_imports_beside_the_runtime_botocore(synth, tmp_path):
    """The DAX client (built from its sdist) and its dependencies come from the archive; botocore,
    as on Lambda, from the runtime (here the project's environment, which has boto3)."""
    names = zipfile.ZipFile(synth.bundle / "function.zip").namelist()
    top = {name.split("/")[0] for name in names}
    assert {"amazondax", "antlr4", "six.py"} <= top
    assert not top & {"boto3", "botocore"}
    target = tmp_path / "task"
    result = run_from_archive(
        synth.bundle / "function.zip", target, ["-c", DAX_PROBE, str(target)], tmp_path, dict(os.environ)
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert all(found[module].startswith(str(target)) for module in ("amazondax", "antlr4", "six"))
    assert not found["botocore"].startswith(str(target))
