"""An API function with and without a private network, synthesized side by side in a tiny stack."""

import pytest

from modules.account import AwsAccount
from modules.api_function import ApiFunction, ApiFunctionProps
from modules.private_network import FunctionNetwork
from tapgen.pipeline.archives import BuiltArchive, source_code_hash
from tapgen.security import rules
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS
from tests.modules import harness

ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
CONTENT = b"not a real archive: only its name and hash are synthesized"
NETWORK = FunctionNetwork(("subnet-a", "subnet-b"), ("sg-functions",), "arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1")
BASE_SIDS = ["WriteOwnLogs", "SendTraces", "DecryptEnvironment"]


def props(name: str, network: FunctionNetwork | None) -> ApiFunctionProps:
    return ApiFunctionProps(
        name=name,
        function_name=f"tap-dev-{name.removeprefix('tap_stack_')}",
        role_name=f"tap-dev-{name.removeprefix('tap_stack_')}-lambda",
        description="stand-in",
        archive=BuiltArchive("function.zip", source_code_hash(CONTENT), CONTENT),
        account=ACCOUNT,
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/k",
        timeout=10,
        memory_size=256,
        log_retention_days=365,
        network=network,
    )


@pytest.fixture(scope="module")
def document(tmp_path_factory):
    stack = harness.tiny_stack(tmp_path_factory.mktemp("api_function"))
    ApiFunction(stack, props("tap_stack_lambda", None))
    ApiFunction(stack, props("tap_stack_private", NETWORK))
    return harness.synthesize(stack).document


def statements(document: dict, function: str) -> dict[str, dict]:
    body = document["data"]["aws_iam_policy_document"][f"{function}_role_permissions"]
    return {s["sid"]: s for s in body["statement"]}


def test_without_a_network_the_function_is_outside_any_vpc_and_its_role_has_no_ec2_grant(document):
    assert "vpc_config" not in document["resource"]["aws_lambda_function"]["tap_stack_lambda"]
    assert list(statements(document, "tap_stack_lambda")) == BASE_SIDS


def test_with_a_network_the_function_runs_in_its_subnets_and_groups(document):
    assert document["resource"]["aws_lambda_function"]["tap_stack_private"]["vpc_config"] == {
        "subnet_ids": ["subnet-a", "subnet-b"],
        "security_group_ids": ["sg-functions"],
    }


def test_with_a_network_the_role_manages_interfaces_only_in_that_vpc(document):
    granted = statements(document, "tap_stack_private")
    assert list(granted) == [*BASE_SIDS, "ManageNetworkInterfacesInOwnVpc", "DescribeNetworkInterfaces"]
    assert granted["ManageNetworkInterfacesInOwnVpc"]["condition"] == [
        {"test": "ArnEquals", "variable": "ec2:Vpc", "values": [NETWORK.vpc_arn]}
    ]
    assert "*" not in granted["ManageNetworkInterfacesInOwnVpc"]["resources"]
    assert granted["DescribeNetworkInterfaces"] == {
        "sid": "DescribeNetworkInterfaces",
        "effect": "Allow",
        "actions": ["ec2:DescribeNetworkInterfaces"],
        "resources": ["*"],
    }
    assert "ec2:DescribeNetworkInterfaces" in WILDCARD_RESOURCE_ACTIONS


def test_the_security_rules_find_nothing(document):
    assert list(rules.findings(document)) == []


def test_the_function_declares_its_error_and_throttle_alarms():
    from modules.api_function import function_alarms

    errors, throttles = function_alarms("tap_stack_lambda", "tap-dev-api")
    assert (errors.name, errors.namespace, errors.metric) == ("tap_stack_lambda_errors_alarm", "AWS/Lambda", "Errors")
    assert (throttles.name, throttles.metric) == ("tap_stack_lambda_throttles_alarm", "Throttles")
    assert errors.dimensions == throttles.dimensions == {"FunctionName": "tap-dev-api"}
