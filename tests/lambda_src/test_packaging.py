"""The built archives run on their own: handlers import from the zip, with vendored Powertools."""

import json
import os
import subprocess
import sys
import zipfile

import pytest

PROBE = """
import json, sys
sys.path.insert(0, sys.argv[1])
import handler
import aws_lambda_powertools, tap_http
print(json.dumps({"powertools": aws_lambda_powertools.__file__, "tap_http": tap_http.__file__,
                  "handler": callable(handler.handler)}))
"""


@pytest.mark.parametrize("archive", ["function.zip", "health.zip"])
def test_handler_imports_from_the_archive_alone(synth, tmp_path, archive):
    target = tmp_path / "task"
    zipfile.ZipFile(synth.bundle / archive).extractall(target)
    env = {**os.environ, "TABLE_NAME": "t", "EVENT_BUS_NAME": "b", "AWS_DEFAULT_REGION": "us-east-1"}
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(target)], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["handler"] is True
    assert found["powertools"].startswith(str(target)) and found["tap_http"].startswith(str(target))


def test_archives_hold_no_build_junk_or_tests(synth):
    for archive in ("function.zip", "health.zip", "canary.zip"):
        for name in zipfile.ZipFile(synth.bundle / archive).namelist():
            assert "__pycache__" not in name and not name.endswith(".pyc"), name
            assert not name.split("/")[-1].startswith("test_"), name
