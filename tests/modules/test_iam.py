import pytest
from cdktf import Token

from modules.iam import Principal, ServiceRole, ServiceRoleProps, Statement
from tests.modules import harness


def test_wildcard_resources_are_refused_for_actions_with_resource_level_permissions():
    with pytest.raises(ValueError) as error:
        Statement("ReadAnything", ("s3:GetObject", "xray:PutTraceSegments"), ("*",))
    assert str(error.value) == (
        "statement 'ReadAnything': actions ['s3:GetObject'] on Resource '*' are not allowed; "
        "grant them on specific ARNs or list them with a reason in tapgen/security/exceptions.py"
    )


def test_listed_actions_may_use_wildcard_resources():
    assert Statement("Trace", ("xray:PutTraceSegments",), ("*",)).resources == ("*",)


def test_resource_policies_and_denies_may_use_wildcards():
    Statement("Key", ("kms:*",), ("*",), principals=(Principal("AWS", ("arn:aws:iam::1:root",)),))
    Statement("Deny", ("s3:*",), ("*",), effect="Deny")


def test_identity_statements_need_resources():
    with pytest.raises(ValueError, match="an identity statement needs resources"):
        Statement("Nothing", ("s3:GetObject",))


def _service_role(tmp_path, count=None):
    stack = harness.tiny_stack(tmp_path)
    role = ServiceRole(
        stack,
        ServiceRoleProps(
            name="tap_stack_x_role",
            role_name='${local.iam_role_names["x"]}',
            service="apigateway.amazonaws.com",
            statements=(Statement("Logs", ("logs:PutLogEvents",), ("arn:aws:logs:us-east-1:1:log-group:x:*",)),),
            count=count,
        ),
    )
    return role, harness.synthesize(stack).resources


def test_a_service_role_takes_its_physical_name_from_the_caller(tmp_path):
    role, resources = _service_role(tmp_path)
    assert resources["aws_iam_role"]["tap_stack_x_role"]["name"] == '${local.iam_role_names["x"]}'
    assert "count" not in resources["aws_iam_role"]["tap_stack_x_role"]
    assert resources["aws_iam_role_policy"]["tap_stack_x_role_policy"]["role"] == "${aws_iam_role.tap_stack_x_role.id}"
    assert role.moved == ()


def test_a_counted_service_role_references_its_instance_and_names_its_moves(tmp_path):
    role, resources = _service_role(tmp_path, count=Token.as_number("${var.flag ? 1 : 0}"))
    assert resources["aws_iam_role"]["tap_stack_x_role"]["count"] == "${var.flag ? 1 : 0}"
    policy = resources["aws_iam_role_policy"]["tap_stack_x_role_policy"]
    assert policy["count"] == "${var.flag ? 1 : 0}"
    assert policy["role"] == "${aws_iam_role.tap_stack_x_role[count.index].id}"
    assert role.arn == "${one(aws_iam_role.tap_stack_x_role[*].arn)}"
    assert role.moved == (
        ("aws_iam_role.tap_stack_x_role", "aws_iam_role.tap_stack_x_role[0]"),
        ("aws_iam_role_policy.tap_stack_x_role_policy", "aws_iam_role_policy.tap_stack_x_role_policy[0]"),
    )
