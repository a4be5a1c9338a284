"""`stack_lifecycle` in the synthesized configuration (the largest combination: every bucket, key,
secret and table kind): one local decides, every resource reads it, and the log archive's policy is
the protected one unless the stack is ephemeral. What Terraform makes of it is planned in
tests/terraform/tftest/stack.tftest.hcl and applied in the deploy (ephemeral) and upgrade (durable)
rehearsals."""

import pytest

from tapgen.combinations import LARGEST
from tapgen.document import POLICY_CHOICE, as_deployed

EPHEMERAL = "local.stack_is_ephemeral"
TAMPER_DENY = "DenyArchiveTampering"


@pytest.fixture(scope="module")
def largest(synth_of) -> dict:
    return synth_of(**LARGEST).document


def test_one_local_reads_the_variable_which_defaults_to_durable(largest):
    assert largest["locals"]["stack_is_ephemeral"] == '${var.stack_lifecycle == "ephemeral"}'
    variable = largest["variable"]["stack_lifecycle"]
    assert (variable["type"], variable["default"]) == ("string", "durable")


def test_every_bucket_is_emptied_by_destroy_only_when_ephemeral(largest):
    buckets = largest["resource"]["aws_s3_bucket"]
    assert len(buckets) >= 10
    assert {name: b.get("force_destroy") for name, b in buckets.items()} == {
        name: f"${{{EPHEMERAL}}}" for name in buckets
    }


def test_every_secret_key_and_table_follows_the_lifecycle(largest):
    resources = largest["resource"]
    windows = {s["recovery_window_in_days"] for s in resources["aws_secretsmanager_secret"].values()}
    assert windows == {f"${{{EPHEMERAL} ? 0 : 30}}"}
    keys = {k["deletion_window_in_days"] for k in resources["aws_kms_key"].values()}
    assert keys == {f"${{{EPHEMERAL} ? 7 : 30}}"}
    tables = [*resources["aws_dynamodb_table"].values(), *resources["aws_dynamodb_table_replica"].values()]
    assert {t["deletion_protection_enabled"] for t in tables} == {
        f"${{(!{EPHEMERAL} && var.dynamodb_deletion_protection)}}"
    }


def test_the_archives_policy_drops_only_the_tamper_deny_when_ephemeral(largest):
    documents = largest["data"]["aws_iam_policy_document"]
    choices = {
        name: POLICY_CHOICE.match(policy["policy"])
        for name, policy in largest["resource"]["aws_s3_bucket_policy"].items()
        if POLICY_CHOICE.match(policy["policy"])
    }
    assert sorted(choices) == [
        "tap_stack_logs_policy",
        "tap_stack_logs_policy_secondary",
        "tap_stack_logs_policy_tertiary",
    ]
    for name, choice in choices.items():
        assert choice["condition"] == f"!{EPHEMERAL}", name
        protected, unprotected = (documents[choice[branch].split(".")[2]] for branch in ("then", "otherwise"))
        assert TAMPER_DENY in {s["sid"] for s in protected["statement"]}
        assert [s for s in protected["statement"] if s["sid"] != TAMPER_DENY] == unprotected["statement"]
        policy = largest["resource"]["aws_s3_bucket_policy"][name]["policy"]
        assert as_deployed(policy, largest) == "${" + choice["then"] + "}"
