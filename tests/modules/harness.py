"""The plumbing every module test shares: a tiny stack, synthesized and read back, then judged by
`terraform validate` and by checkov. What a test builds in its stack and asserts stays in the test.

A test module provides a module-scoped `synthesized` fixture (a `Synthesized`); `conftest.py`
turns it into the `document` and `resources` fixtures, and adds the closing checks below to the
module's own tests: the names keep the contract, the security rules find nothing, and
`terraform validate` accepts the directory (so the directory must be complete: the variables it
references and the archives its preconditions read sit in it)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import pytest
from cdktf import App, LocalBackend, TerraformStack

from stacks.tap_stack import LOCAL_STATE_PATH
from tapgen.aws import aws
from tapgen.naming import check_document
from tapgen.security import rules
from tests.terraform.conftest import init, terraform
from tests.terraform.test_checkov import CHECKOV

Built = TypeVar("Built")


@dataclass(frozen=True)
class Synthesized(Generic[Built]):
    """A synthesized tiny stack: its directory (the one Terraform and checkov run in), its JSON
    document, and what the test built in it (the constructs whose attributes it checks)."""

    directory: Path
    document: dict
    built: Built

    @property
    def resources(self) -> dict:
        """The document's resources, `{type: {name: body}}`."""
        return self.document["resource"]


def tiny_stack(outdir: Path, region: str = "us-east-1") -> TerraformStack:
    """A `tap_stack` with the default provider in the primary region, as the real stack starts; it
    is synthesized under `outdir`."""
    stack = TerraformStack(App(outdir=str(outdir)), "tap_stack")
    # cdktf's default backend names the state by an absolute path in the working directory, so a
    # test's terraform would write it into the checkout; the stack's own relative path keeps it in
    # the synthesized directory.
    LocalBackend(stack, path=LOCAL_STATE_PATH)
    aws.provider.AwsProvider(stack, "aws", region=region)
    return stack


def synthesize(stack: TerraformStack, built: Built = None, beside: Mapping[str, bytes] = {}) -> Synthesized[Built]:
    """Synthesize the app that holds `stack` and read the stack's document back, as Terraform will;
    `beside`: files (archives) written next to the configuration, by name."""
    app = App.of(stack)
    app.synth()
    directory = Path(app.outdir) / "stacks" / stack.node.id
    for name, content in beside.items():
        (directory / name).write_bytes(content)
    return Synthesized(directory, json.loads((directory / "cdk.tf.json").read_text()), built)


def validate(directory: Path) -> dict:
    """`terraform validate -json` on a directory, initialised offline without a backend; the parsed
    result (an invalid configuration already fails the test, through `terraform`)."""
    init(directory, backend=False)
    return json.loads(terraform(directory, "validate", "-json").stdout)


def terraform_test(directory: Path, header: str, run: str, variables: Mapping[str, object], asserts: str) -> str:
    """`terraform test` of one plan-only `run` with `variables` and `asserts` (HCL `assert` blocks),
    in a test file of the synthesized directory behind `header` (its `mock_provider` blocks); the
    command's output. The test fails unless the configuration validates and the run passes."""
    values = "".join(f"    {name} = {json.dumps(value)}\n" for name, value in variables.items())
    (directory / f"{run}.tftest.hcl").write_text(
        f'{header}\nrun "{run}" {{\n  command = plan\n\n  variables {{\n{values}  }}\n\n{asserts}}}\n'
    )
    validate(directory)
    result = terraform(directory, "test", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def checkov(directory: Path, checks: tuple[str, ...]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Only `checks`, offline, on the directory's `cdk.tf.json`: the (check id, resource) pairs that
    failed and those that passed. The caller asserts both, so a check that no longer applies to any
    resource (neither failed nor passed) is noticed too."""
    if not CHECKOV.exists():
        pytest.fail(f"checkov not found at {CHECKOV}; `scripts/test` installs it (tools/checkov/Pipfile.lock)")
    command = [str(CHECKOV), "--file", str(directory / "cdk.tf.json"), "--framework", "terraform_json"]
    command += ["--check", ",".join(checks), "--output", "json", "--skip-download"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.stdout, result.stderr
    results = json.loads(result.stdout)["results"]
    return (
        [(c["check_id"], c["resource"]) for c in results["failed_checks"]],
        [(c["check_id"], c["resource"]) for c in results["passed_checks"]],
    )


def names_keep_the_contract(synthesized: Synthesized) -> None:
    check_document(synthesized.document)


def security_rules_find_nothing(synthesized: Synthesized, not_under_test: tuple[str, ...] = ()) -> None:
    """`not_under_test`: prefixes of rules that judge a stand-in (an API with no methods), not the module."""
    findings = [str(f) for f in rules.findings(synthesized.document) if not f.rule.startswith(not_under_test)]
    assert findings == [], findings


def terraform_validates(synthesized: Synthesized) -> None:
    result = validate(synthesized.directory)
    assert result["valid"] is True, result["diagnostics"]
