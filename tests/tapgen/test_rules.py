"""Each security rule with a passing and a failing fixture (cdk-nag style)."""

import copy

import pytest

from tapgen import rules

REF = "${aws_s3_bucket.tap_stack_b.id}"
TLS_DENY = {
    "effect": "Deny",
    "actions": ["s3:*"],
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
}


def bucket_doc() -> dict:
    return {
        "resource": {
            "aws_s3_bucket": {"tap_stack_b": {"bucket": "b"}},
            "aws_s3_bucket_public_access_block": {
                "tap_stack_b_pab": {
                    "bucket": REF,
                    "block_public_acls": True,
                    "block_public_policy": True,
                    "ignore_public_acls": True,
                    "restrict_public_buckets": True,
                }
            },
            "aws_s3_bucket_server_side_encryption_configuration": {
                "tap_stack_b_sse": {
                    "bucket": REF,
                    "rule": [
                        {
                            "apply_server_side_encryption_by_default": {
                                "sse_algorithm": "aws:kms",
                                "kms_master_key_id": "${aws_kms_key.tap_stack_kms.arn}",
                            },
                            "bucket_key_enabled": True,
                        }
                    ],
                }
            },
            "aws_s3_bucket_versioning": {
                "tap_stack_b_versioning": {"bucket": REF, "versioning_configuration": {"status": "Enabled"}}
            },
            "aws_s3_bucket_lifecycle_configuration": {"tap_stack_b_lifecycle": {"bucket": REF, "rule": [{}]}},
            "aws_s3_bucket_policy": {
                "tap_stack_b_policy": {"bucket": REF, "policy": "${data.aws_iam_policy_document.tap_stack_b_doc.json}"}
            },
        },
        "data": {"aws_iam_policy_document": {"tap_stack_b_doc": {"statement": [TLS_DENY]}}},
    }


def without(doc: dict, rtype: str) -> dict:
    broken = copy.deepcopy(doc)
    del broken["resource"][rtype]
    return broken


CASES = [
    # rule, passing doc, failing doc
    (rules.buckets_block_public_access, bucket_doc(), without(bucket_doc(), "aws_s3_bucket_public_access_block")),
    (
        rules.buckets_encrypt_with_kms_bucket_key,
        bucket_doc(),
        without(bucket_doc(), "aws_s3_bucket_server_side_encryption_configuration"),
    ),
    (rules.buckets_are_versioned, bucket_doc(), without(bucket_doc(), "aws_s3_bucket_versioning")),
    (rules.buckets_have_lifecycle, bucket_doc(), without(bucket_doc(), "aws_s3_bucket_lifecycle_configuration")),
    (rules.buckets_deny_insecure_transport, bucket_doc(), without(bucket_doc(), "aws_s3_bucket_policy")),
    (
        rules.kms_keys_rotate,
        {"resource": {"aws_kms_key": {"tap_stack_k": {"enable_key_rotation": True}}}},
        {"resource": {"aws_kms_key": {"tap_stack_k": {}}}},
    ),
    (
        rules.log_groups_are_encrypted_with_retention,
        {"resource": {"aws_cloudwatch_log_group": {"tap_stack_l": {"kms_key_id": "k", "retention_in_days": 30}}}},
        {"resource": {"aws_cloudwatch_log_group": {"tap_stack_l": {"retention_in_days": 30}}}},
    ),
    (
        rules.identity_policies_limit_wildcard_resources,
        {
            "data": {
                "aws_iam_policy_document": {
                    "tap_stack_p": {"statement": [{"actions": ["xray:PutTraceSegments"], "resources": ["*"]}]}
                }
            }
        },
        {
            "data": {
                "aws_iam_policy_document": {
                    "tap_stack_p": {"statement": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}
                }
            }
        },
    ),
    (
        rules.api_methods_require_iam,
        {
            "resource": {
                "aws_api_gateway_resource": {
                    "tap_stack_r": {"path_part": "health"},
                    "tap_stack_i": {"path_part": "items"},
                },
                "aws_api_gateway_method": {
                    "tap_stack_h": {
                        "resource_id": "${aws_api_gateway_resource.tap_stack_r.id}",
                        "authorization": "NONE",
                    },
                    "tap_stack_m": {
                        "resource_id": "${aws_api_gateway_resource.tap_stack_i.id}",
                        "authorization": "AWS_IAM",
                    },
                },
            }
        },
        {
            "resource": {
                "aws_api_gateway_resource": {"tap_stack_i": {"path_part": "items"}},
                "aws_api_gateway_method": {
                    "tap_stack_m": {
                        "resource_id": "${aws_api_gateway_resource.tap_stack_i.id}",
                        "authorization": "NONE",
                    }
                },
            }
        },
    ),
    (
        rules.lambdas_are_traced_on_current_runtime,
        {
            "resource": {
                "aws_lambda_function": {"tap_stack_f": {"runtime": "python3.13", "tracing_config": {"mode": "Active"}}}
            }
        },
        {
            "resource": {
                "aws_lambda_function": {"tap_stack_f": {"runtime": "python3.9", "tracing_config": {"mode": "Active"}}}
            }
        },
    ),
    (
        rules.secrets_have_no_stored_value,
        {"resource": {"aws_secretsmanager_secret": {"tap_stack_s": {}}}},
        {"resource": {"aws_secretsmanager_secret_version": {"tap_stack_s_v": {"secret_string": "hunter2"}}}},
    ),
    (
        rules.tables_are_encrypted_and_recoverable,
        {
            "resource": {
                "aws_dynamodb_table": {
                    "tap_stack_t": {
                        "server_side_encryption": {"enabled": True, "kms_key_arn": "k"},
                        "point_in_time_recovery": {"enabled": True},
                    }
                }
            }
        },
        {
            "resource": {
                "aws_dynamodb_table": {"tap_stack_t": {"server_side_encryption": {"enabled": True, "kms_key_arn": "k"}}}
            }
        },
    ),
    (
        rules.topics_are_encrypted,
        {"resource": {"aws_sns_topic": {"tap_stack_t": {"kms_master_key_id": "k"}}}},
        {"resource": {"aws_sns_topic": {"tap_stack_t": {}}}},
    ),
]


def test_every_rule_has_a_fixture():
    assert {case[0] for case in CASES} == set(rules.RULES)


@pytest.mark.parametrize(("rule", "passing", "failing"), CASES, ids=[case[0].__name__ for case in CASES])
def test_rule(rule, passing, failing):
    assert rule(passing) == []
    found = rule(failing)
    assert found, f"{rule.__name__} accepted its failing fixture"
    assert all(finding.rule == rule.__name__ for finding in found)


def test_tls_rule_rejects_a_policy_without_the_deny():
    doc = bucket_doc()
    doc["data"]["aws_iam_policy_document"]["tap_stack_b_doc"]["statement"] = [{**TLS_DENY, "effect": "Allow"}]
    assert [str(f) for f in rules.buckets_deny_insecure_transport(doc)] == [
        "buckets_deny_insecure_transport: aws_s3_bucket.tap_stack_b: no policy denying aws:SecureTransport = false"
    ]


def test_resource_policies_may_say_star():
    doc = {
        "data": {
            "aws_iam_policy_document": {
                "tap_stack_p": {
                    "statement": [{"actions": ["kms:*"], "resources": ["*"], "principals": [{"type": "AWS"}]}]
                }
            }
        }
    }
    assert rules.identity_policies_limit_wildcard_resources(doc) == []
