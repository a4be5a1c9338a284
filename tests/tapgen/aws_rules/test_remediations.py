"""Config's remediations, checked against the runbooks as AWS documents them
(`tapgen.aws_rules.remediations`): the parameters each runbook takes, the actions its steps call,
whether it runs unattended, and what its change does to the rule's verdict on every resource of
the stack the rule judges."""

import copy

import pytest

from modules.account_controls import MANAGED_RULES
from tapgen import document as tf
from tapgen.aws_rules.config_rules import RULES, evaluate
from tapgen.aws_rules.remediations import ASSUME_ROLE, LIMITS, NESTED_AUTOMATION, RESOURCE_ID, RUNBOOKS
from tapgen.combinations import PROVEN, label
from tests.tapgen.aws_rules.test_config_rules import region_of

WITH_ACCOUNT_CONTROLS = [c for c in PROVEN if c.get("account_controls") == "on"]
REMEDIATED = {identifier: use.remediation for identifier, use in MANAGED_RULES.items() if use.remediation}
# How a resource of each Config type stops complying, in its Terraform form.
TERRAFORM_TYPES = {
    "AWS::KMS::Key": ("aws_kms_key",),
    "AWS::DynamoDB::Table": ("aws_dynamodb_table", "aws_dynamodb_table_replica"),
    "AWS::S3::Bucket": ("aws_s3_bucket",),
}


def break_key(doc: dict, name: str) -> None:
    doc["resource"]["aws_kms_key"][name]["enable_key_rotation"] = False


def break_table(doc: dict, rtype: str, name: str) -> None:
    doc["resource"][rtype][name]["point_in_time_recovery"] = {"enabled": False}


def break_bucket(doc: dict, name: str) -> None:
    blocks = doc["resource"]["aws_s3_bucket_public_access_block"]
    (attached,) = [n for n, b in blocks.items() if tf.referenced(b.get("bucket"), "aws_s3_bucket") == name]
    del blocks[attached]


def broken(doc: dict, rtype: str, name: str) -> dict:
    doc = copy.deepcopy(doc)
    if rtype == "aws_kms_key":
        break_key(doc, name)
    elif rtype == "aws_s3_bucket":
        break_bucket(doc, name)
    else:
        break_table(doc, rtype, name)
    return doc


def remediated(doc: dict, rtype: str, name: str, runbook, parameters: dict[str, str]) -> dict:
    """`doc` after the runbook's change to `rtype.name`, as its steps make it."""
    doc = copy.deepcopy(doc)
    body, attached = runbook.change(doc["resource"][rtype][name], parameters)
    doc["resource"][rtype][name] = body
    for attached_type, attached_body in attached.items():
        reference = f"${{{rtype}.{name}.id}}"
        doc["resource"].setdefault(attached_type, {})[f"remediated_{name}"] = {"bucket": reference, **attached_body}
    return doc


def remediations_of(document: dict) -> dict[str, dict]:
    return tf.resources(document, "aws_config_remediation_configuration")


def static_parameters(remediation: dict) -> dict[str, str]:
    return {p["name"]: p["static_value"] for p in remediation["parameter"] if "static_value" in p}


def test_every_runbook_is_documented_and_judged_by_the_rules_it_fixes():
    assert set(REMEDIATED.values()) == set(RUNBOOKS)
    for identifier, name in REMEDIATED.items():
        runbook = RUNBOOKS[name]
        assert runbook.source.startswith("https://docs.aws.amazon.com/systems-manager-automation-runbooks/"), name
        assert RULES[identifier].resource_type == runbook.resource_type, identifier
        assert set(runbook.not_granted) <= set(runbook.permissions), name
        assert set(NESTED_AUTOMATION) <= set(runbook.not_granted), name
        assert runbook.why, name


@pytest.mark.parametrize("combination", WITH_ACCOUNT_CONTROLS, ids=label)
def test_each_rule_with_a_runbook_is_remediated_in_every_region_as_the_runbook_documents(synth_of, combination):
    document = synth_of(**combination).document
    rules = tf.resources(document, "aws_config_config_rule")
    remediations = remediations_of(document)
    regions = int(combination["regions"])
    assert len(remediations) == len(REMEDIATED) * regions
    for name, remediation in remediations.items():
        rule = tf.referenced(remediation["config_rule_name"], "aws_config_config_rule")
        identifier = rules[rule]["source"]["source_identifier"]
        runbook = RUNBOOKS[REMEDIATED[identifier]]
        assert (remediation["target_type"], remediation["target_id"]) == ("SSM_DOCUMENT", runbook.name), name
        assert remediation["automatic"] is runbook.safe_unattended, name
        parameters = {p["name"]: p for p in remediation["parameter"]}
        assert list(parameters) == sorted(parameters), f"{name}: the provider reads them back sorted by name"
        assert set(parameters) == {ASSUME_ROLE, runbook.resource_parameter, *runbook.parameters}, name
        resource = {"name": runbook.resource_parameter, "resource_value": RESOURCE_ID}
        assert parameters[runbook.resource_parameter] == resource, name
        role = tf.referenced(parameters[ASSUME_ROLE]["static_value"], "aws_iam_role")
        assert role == f"tap_stack_config_remediation_role{region_of(name)}", name
        assert region_of(rule) == region_of(name), name
        for parameter, value in runbook.parameters.items():
            assert parameters[parameter]["static_value"] == value, (name, parameter)
        controls = remediation["execution_controls"]["ssm_controls"]
        bounded = {
            "MaximumAutomaticAttempts": remediation["maximum_automatic_attempts"],
            "RetryAttemptSeconds": remediation["retry_attempt_seconds"],
            "ConcurrentExecutionRatePercentage": controls["concurrent_execution_rate_percentage"],
            "ErrorPercentage": controls["error_percentage"],
            "Parameters": len(parameters),
        }
        for key, value in bounded.items():
            least, most = LIMITS[key]
            assert least <= value <= most, (name, key, value)


@pytest.mark.parametrize("combination", WITH_ACCOUNT_CONTROLS, ids=label)
def test_the_runbooks_role_may_do_what_their_steps_call_and_nothing_else(synth_of, combination):
    document = synth_of(**combination).document
    policies = document["data"]["aws_iam_policy_document"]
    roles = {n: r for n, r in tf.resources(document, "aws_iam_role").items() if "remediation" in n}
    assert len(roles) == int(combination["regions"])
    granted = sorted({action for runbook in RUNBOOKS.values() for action in runbook.granted})
    for name, role in roles.items():
        (trust,) = tf.policy_statements(role["assume_role_policy"], policies)
        assert trust["principals"] == [{"type": "Service", "identifiers": ["ssm.amazonaws.com"]}], name
        assert [c["variable"] for c in trust["condition"]] == ["aws:SourceAccount"], name
        inline = tf.resources(document, "aws_iam_role_policy").values()
        (policy,) = [p for p in inline if p["role"] == f"${{aws_iam_role.{name}.id}}"]
        statements = tf.policy_statements(policy["policy"], policies)
        assert sorted(a for s in statements for a in s["actions"]) == granted, name
        assert all(s["effect"] == "Allow" and "*" not in s["resources"] for s in statements), name


@pytest.mark.parametrize("identifier", sorted(REMEDIATED))
def test_the_runbooks_change_makes_each_stack_resource_the_rule_judges_compliant_again(synth_of, identifier):
    largest = max(WITH_ACCOUNT_CONTROLS, key=len)
    document = synth_of(**largest).document
    runbook = RUNBOOKS[REMEDIATED[identifier]]
    (remediation,) = [r for n, r in remediations_of(document).items() if n.endswith(identifier.lower())]
    parameters = static_parameters(remediation)
    judged = [(t, n) for t in TERRAFORM_TYPES[runbook.resource_type] for n in tf.resources(document, t)]
    assert judged, identifier
    assert evaluate(document, identifier) == []
    for rtype, name in judged:
        noncompliant = broken(document, rtype, name)
        assert [f.resource for f in evaluate(noncompliant, identifier)] == [f"{rtype}.{name}"], name
        assert evaluate(remediated(noncompliant, rtype, name, runbook, parameters), identifier) == [], name
