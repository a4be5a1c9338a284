"""The jsii Node process loads the AWS provider's submodules on first use (tapgen/node/lazy_provider_index.js)."""

import json
import os
import shutil
import subprocess

import pytest

import tapgen

INDEX = """\
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
exports.s3Bucket = exports.kmsKey = void 0;
exports.kmsKey = require("./kms-key");
exports.s3Bucket = require("./s3-bucket");
"""


def package(root, relative_index: str):
    index = root / relative_index
    (index.parent / "kms-key").mkdir(parents=True)
    (index.parent / "s3-bucket").mkdir()
    index.write_text(INDEX)
    for name, value in (("kms-key", "KmsKey"), ("s3-bucket", "S3Bucket")):
        (index.parent / name / "index.js").write_text(
            f'globalThis.loaded = [...(globalThis.loaded || []), "{name}"]; exports.{value} = "{value}";\n'
        )
    return index


def node(index, script: str) -> dict:
    binary = shutil.which("node")
    if binary is None:
        pytest.fail("node is not on PATH (the jsii runtime needs Node 20+)")
    env = {**os.environ, "NODE_OPTIONS": f"--require {json.dumps(str(tapgen.LAZY_PROVIDER_INDEX))}"}
    program = f"const p = require({json.dumps(str(index))}); {script}"
    result = subprocess.run([binary, "-e", program], capture_output=True, text=True, env=env, check=True)
    return json.loads(result.stdout)


REPORT = (
    "const before = [...(globalThis.loaded || [])]; const keys = Object.keys(p); const bucket = p.s3Bucket.S3Bucket;"
    "console.log(JSON.stringify({before, keys, bucket, after: globalThis.loaded}));"
)


def test_the_provider_index_loads_each_submodule_on_first_use(tmp_path):
    index = package(tmp_path, "cache/@cdktf/provider-aws/20.1.0/0abc/lib/index.js")
    assert node(index, REPORT) == {
        "before": [],
        "keys": ["kmsKey", "s3Bucket"],
        "bucket": "S3Bucket",
        "after": ["s3-bucket"],
    }


def test_any_other_package_is_loaded_unchanged(tmp_path):
    index = package(tmp_path, "node_modules/other-provider/lib/index.js")
    assert node(index, REPORT)["before"] == ["kms-key", "s3-bucket"]


def test_the_preload_is_added_to_node_options_once_keeping_the_callers(monkeypatch):
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=2048")
    tapgen._preload_lazy_provider_index()
    tapgen._preload_lazy_provider_index()
    assert os.environ["NODE_OPTIONS"] == (
        f"--max-old-space-size=2048 --require {json.dumps(str(tapgen.LAZY_PROVIDER_INDEX))}"
    )
