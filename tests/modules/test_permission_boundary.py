"""The permission boundary, synthesized in a tiny two-region stack whose roles are made by other
constructs (nested, counted, in a secondary region, created before and after the boundary); checked
on the JSON, by the security rules, by `terraform validate` and by checkov."""

import copy
import json

import pytest
from cdktf import TerraformOutput
from constructs import Construct

from modules.account import AwsAccount
from modules.iam import ServiceRole, ServiceRoleProps, Statement
from modules.permission_boundary import PermissionBoundary, PermissionBoundaryProps, boundary_statements
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tapgen.security import rules
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
BOUNDARY_ARN = "${aws_iam_policy.tap_stack_permission_boundary.arn}"
ALLOWED = (
    "logs:*",
    "xray:*",
    "dynamodb:*",
    "s3:*",
    "apigateway:*",
    "cloudwatch:PutMetricData",
    "ec2:*NetworkInterface*",
)
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/tap-dev-items"
API_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:tap-dev-api"
ROLES = (
    "tap_stack_early_role",
    "tap_stack_fn_role",
    "tap_stack_fn_role_secondary",
    "tap_stack_optional_role",
    "tap_stack_optional_role_secondary",
)
# What checkov checks on the boundary's document and policy. The policy's own-document checks
# (CKV_AWS_286-290, CKV_AWS_355) do not apply: its `policy` is a reference to the document.
BOUNDARY_CHECKS = (
    "CKV_AWS_1",  # no "*:*" administrative privileges
    "CKV_AWS_49",  # no "*" actions
    "CKV_AWS_107",  # no credentials exposure
    "CKV_AWS_108",  # no data exfiltration
    "CKV_AWS_109",  # no permissions management without constraints
    "CKV_AWS_110",  # no privilege escalation
    "CKV_AWS_111",  # no write access without constraints
    "CKV_AWS_356",  # no "*" resource for actions that can be restricted
    "CKV2_AWS_40",  # no full IAM privileges
    "CKV_AWS_62",  # the policy: no "*:*"
    "CKV_AWS_63",  # the policy: no "*" actions
)
BOUNDARY_RESOURCES = (
    "data.tap_stack_permission_boundary_document",
    "aws_iam_policy_document.tap_stack_permission_boundary_document",
    "resource.tap_stack_permission_boundary",
)


def role(scope: Construct, name: str, count: object = None) -> ServiceRole:
    """A role as the stack's modules make them: no boundary of its own."""
    logs = Statement("Logs", ("logs:PutLogEvents",), ("arn:aws:logs:us-east-1:123456789012:log-group:x:*",))
    return ServiceRole(
        scope,
        ServiceRoleProps(
            name=name, role_name=f"tap-dev-{name}", service="lambda.amazonaws.com", statements=(logs,), count=count
        ),
    )


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[PermissionBoundary]:
    """The tiny stack, synthesized, with the boundary."""
    stack = harness.tiny_stack(tmp_path_factory.mktemp("permission_boundary"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    role(stack, "tap_stack_early_role")
    boundary = PermissionBoundary(
        stack,
        PermissionBoundaryProps(
            name="tap_stack_permission_boundary",
            policy_name="tap-dev-boundary",
            allowed_actions=ALLOWED,
            account=ACCOUNT,
            resources={"dynamodb": (TABLE, f"{TABLE}/*")},
            uninvokable_functions=(API_FUNCTION,),
        ),
    )
    for region, provider in ((PRIMARY, None), (SECONDARY, secondary)):
        nested = Construct(Construct(RegionScope(stack, region, provider), "component"), "part")
        role(nested, "tap_stack_fn_role")
        role(nested, "tap_stack_optional_role", count=1)
    TerraformOutput(stack, "boundary_arn", value=boundary.arn)
    return harness.synthesize(stack, boundary)


@pytest.fixture(scope="module")
def statements(document):
    policy = document["data"]["aws_iam_policy_document"]["tap_stack_permission_boundary_document"]
    return {s["sid"]: s for s in policy["statement"]}


def test_one_policy_named_from_props_renders_its_document(document):
    (name,) = document["resource"]["aws_iam_policy"]
    policy = document["resource"]["aws_iam_policy"][name]
    assert name == "tap_stack_permission_boundary"
    assert "provider" not in policy  # IAM is global: one policy on the default provider
    assert policy["name"] == "tap-dev-boundary"
    assert policy["policy"] == "${data.aws_iam_policy_document.tap_stack_permission_boundary_document.json}"


def test_every_role_is_capped_in_every_region_and_nesting(document):
    roles = document["resource"]["aws_iam_role"]
    assert sorted(roles) == list(ROLES)
    assert {name: body["permissions_boundary"] for name, body in roles.items()} == dict.fromkeys(ROLES, BOUNDARY_ARN)
    assert roles["tap_stack_fn_role_secondary"]["provider"] == "aws.secondary"


def test_each_service_is_allowed_on_its_named_resources_or_only_in_this_account(statements):
    allowed = {
        sid: (s["actions"], s["resources"], s.get("condition"))
        for sid, s in statements.items()
        if s["effect"] == "Allow" and s["resources"] != ["*"]
    }
    this_account = [{"test": "StringEquals", "variable": "aws:ResourceAccount", "values": ["123456789012"]}]
    assert allowed == {
        "AllowLogs": (["logs:*"], ["arn:aws:logs:*:123456789012:*"], None),
        "AllowXray": (["xray:*"], ["arn:aws:xray:*:123456789012:*"], None),
        "AllowDynamodb": (["dynamodb:*"], [TABLE, f"{TABLE}/*"], None),
        "AllowS3": (["s3:*"], ["arn:aws:s3:::*"], this_account),
        "AllowApigateway": (["apigateway:*"], ["arn:aws:apigateway:*::*"], this_account),
        "AllowEc2": (["ec2:*NetworkInterface*"], ["arn:aws:ec2:*:123456789012:*"], None),
    }


def test_only_listed_wildcard_actions_of_allowed_services_are_allowed_on_star(statements):
    unscoped = statements["AllowActionsWithoutResourceLevelPermissions"]
    assert (unscoped["effect"], unscoped["resources"]) == ("Allow", ["*"])
    assert set(unscoped["actions"]) <= set(WILDCARD_RESOURCE_ACTIONS)
    assert {"cloudwatch:PutMetricData", "logs:DescribeLogGroups", "xray:PutTraceSegments"} <= set(unscoped["actions"])
    assert {action.split(":")[0] for action in unscoped["actions"]} <= {"cloudwatch", "logs", "xray", "ec2"}


def test_wildcard_actions_of_services_not_allowed_stay_denied():
    props = PermissionBoundaryProps(
        name="tap_stack_permission_boundary",
        policy_name="tap-dev-boundary",
        allowed_actions=("dynamodb:*",),
        account=ACCOUNT,
    )
    assert [s.sid for s in boundary_statements(props)] == [
        "AllowDynamodb",
        "DenyChangingPermissionBoundaries",
        "DenyChangingThisBoundary",
    ]


def test_nobody_may_lift_a_boundary_or_change_this_one(statements):
    boundaries = statements["DenyChangingPermissionBoundaries"]
    assert (boundaries["effect"], boundaries["resources"]) == ("Deny", ["*"])
    assert boundaries["actions"] == ["iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary"]
    own = statements["DenyChangingThisBoundary"]
    assert (own["effect"], own["resources"]) == ("Deny", ["arn:aws:iam::123456789012:policy/tap-dev-boundary"])
    assert own["actions"] == [
        "iam:CreatePolicyVersion",
        "iam:DeletePolicy",
        "iam:DeletePolicyVersion",
        "iam:SetDefaultPolicyVersion",
    ]


def test_no_role_may_invoke_the_named_functions_in_any_version_or_alias(statements):
    deny = statements["DenyInvokingApiFunctions"]
    assert deny["effect"] == "Deny"
    assert deny["actions"] == ["lambda:InvokeFunction", "lambda:InvokeAsync", "lambda:InvokeFunctionUrl"]
    assert deny["resources"] == [API_FUNCTION, f"{API_FUNCTION}:*"]


def test_the_policy_never_refers_to_itself(document):
    policy = document["data"]["aws_iam_policy_document"]["tap_stack_permission_boundary_document"]
    assert "aws_iam_policy.tap_stack_permission_boundary" not in json.dumps(policy)


def test_outputs(synthesized, document):
    boundary = synthesized.built
    assert boundary.policy.terraform_resource_type == "aws_iam_policy"
    assert document["output"]["boundary_arn"]["value"] == BOUNDARY_ARN


def test_the_rule_finds_a_role_without_the_boundary(document):
    broken = copy.deepcopy(document)
    del broken["resource"]["aws_iam_role"]["tap_stack_fn_role_secondary"]["permissions_boundary"]
    assert [str(f) for f in rules.findings(broken)] == [
        "roles_have_the_permission_boundary: aws_iam_role.tap_stack_fn_role_secondary: "
        "permissions_boundary must be ${aws_iam_policy.tap_stack_permission_boundary.arn}"
    ]


@pytest.mark.parametrize(
    ("allowed", "message"),
    [
        ((), "tap_stack_permission_boundary: allowed_actions must be service:Action patterns, got ()"),
        (
            ("logs:*", "*", "s3"),
            "tap_stack_permission_boundary: allowed_actions must be service:Action patterns, got ['*', 's3']",
        ),
        (("*:Get*",), "tap_stack_permission_boundary: allowed_actions must be service:Action patterns, got ['*:Get*']"),
    ],
    ids=["none", "not-patterns", "any-service"],
)
def test_allowed_actions_must_name_a_service(allowed, message):
    with pytest.raises(ValueError) as raised:
        PermissionBoundaryProps(
            name="tap_stack_permission_boundary",
            policy_name="tap-dev-boundary",
            allowed_actions=allowed,
            account=ACCOUNT,
        )
    assert str(raised.value) == message


def test_checkov_passes_the_boundary_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, BOUNDARY_CHECKS)
    assert failed == []
    assert {check for check, resource in passed if resource in BOUNDARY_RESOURCES} == set(BOUNDARY_CHECKS)
