import pytest

from modules.iam import Principal, Statement


def test_wildcard_resources_are_refused_for_actions_with_resource_level_permissions():
    with pytest.raises(ValueError) as error:
        Statement("ReadAnything", ("s3:GetObject", "xray:PutTraceSegments"), ("*",))
    assert str(error.value) == (
        "statement 'ReadAnything': actions ['s3:GetObject'] on Resource '*' are not allowed; "
        "grant them on specific ARNs or list them with a reason in tapgen/security_exceptions.py"
    )


def test_listed_actions_may_use_wildcard_resources():
    assert Statement("Trace", ("xray:PutTraceSegments",), ("*",)).resources == ("*",)


def test_resource_policies_and_denies_may_use_wildcards():
    Statement("Key", ("kms:*",), ("*",), principals=(Principal("AWS", ("arn:aws:iam::1:root",)),))
    Statement("Deny", ("s3:*",), ("*",), effect="Deny")


def test_identity_statements_need_resources():
    with pytest.raises(ValueError, match="an identity statement needs resources"):
        Statement("Nothing", ("s3:GetObject",))
