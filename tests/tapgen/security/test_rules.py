"""Each security rule with a passing and a failing fixture (cdk-nag style)."""

import copy
import json

import pytest

from modules.secure_bucket import TAMPER_ACTIONS
from tapgen.security import rules

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


def changed(doc: dict, change) -> dict:
    broken = copy.deepcopy(doc)
    change(broken)
    return broken


METHOD = "${aws_api_gateway_method.tap_stack_options.http_method}"


def preflight_doc() -> dict:
    """/items with GET (AWS_IAM) and its preflight: OPTIONS, NONE, MOCK, 204 with the headers."""
    headers = {h: "'x'" for h in rules.PREFLIGHT_HEADERS}
    return {
        "resource": {
            "aws_api_gateway_resource": {"tap_stack_items": {"path_part": "items"}},
            "aws_api_gateway_method": {
                "tap_stack_get": {
                    "resource_id": "${aws_api_gateway_resource.tap_stack_items.id}",
                    "http_method": "GET",
                    "authorization": "AWS_IAM",
                },
                "tap_stack_options": {
                    "resource_id": "${aws_api_gateway_resource.tap_stack_items.id}",
                    "http_method": "OPTIONS",
                    "authorization": "NONE",
                },
            },
            "aws_api_gateway_integration": {"tap_stack_options_integration": {"http_method": METHOD, "type": "MOCK"}},
            "aws_api_gateway_method_response": {
                "tap_stack_options_response": {"http_method": METHOD, "status_code": "204"}
            },
            "aws_api_gateway_integration_response": {
                "tap_stack_options_answer": {
                    "http_method": METHOD,
                    "status_code": "${aws_api_gateway_method_response.tap_stack_options_response.status_code}",
                    "response_parameters": headers,
                }
            },
        }
    }


def cache_doc() -> dict:
    """/health (GET, no auth), /items/{id} (GET, AWS_IAM) and stage-wide method settings without
    caching; /health's own settings may cache (it acts for no tenant)."""
    return {
        "resource": {
            "aws_api_gateway_resource": {
                "tap_stack_health": {
                    "path_part": "health",
                    "parent_id": "${aws_api_gateway_rest_api.a.root_resource_id}",
                },
                "tap_stack_items": {
                    "path_part": "items",
                    "parent_id": "${aws_api_gateway_rest_api.a.root_resource_id}",
                },
                "tap_stack_items_id": {
                    "path_part": "{id}",
                    "parent_id": "${aws_api_gateway_resource.tap_stack_items.id}",
                },
            },
            "aws_api_gateway_method": {
                "tap_stack_health_get": {
                    "resource_id": "${aws_api_gateway_resource.tap_stack_health.id}",
                    "http_method": "GET",
                    "authorization": "NONE",
                },
                "tap_stack_items_id_get": {
                    "resource_id": "${aws_api_gateway_resource.tap_stack_items_id.id}",
                    "http_method": "GET",
                    "authorization": "AWS_IAM",
                },
            },
            "aws_api_gateway_method_settings": {
                "tap_stack_method_settings": {"method_path": "*/*", "settings": {"caching_enabled": False}},
                "tap_stack_health_settings": {"method_path": "health/GET", "settings": {"caching_enabled": True}},
            },
        }
    }


def traced_function(variables: dict) -> dict:
    function = {"tracing_config": {"mode": "Active"}, "environment": {"variables": {"LOG_LEVEL": "INFO", **variables}}}
    return {"resource": {"aws_lambda_function": {"tap_stack_f": function}}}


def caching(method_path: str, enabled: object):
    def change(doc: dict) -> None:
        doc["resource"]["aws_api_gateway_method_settings"]["tap_stack_x"] = {
            "method_path": method_path,
            "settings": {"caching_enabled": enabled},
        }

    return change


KEY = "${aws_kms_key.tap_stack_k.arn}"
ROOT = {"AWS": ["arn:aws:iam::1:root"]}


def key_doc(*statements: dict) -> dict:
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    return {"resource": {"aws_kms_key": {"tap_stack_k": {"enable_key_rotation": True, "policy": json.dumps(policy)}}}}


ADMIN = {"Sid": "Admin", "Effect": "Allow", "Principal": ROOT, "Action": ["kms:Describe*", "kms:Put*"], "Resource": "*"}
LOGS = {
    "Sid": "Logs",
    "Effect": "Allow",
    "Principal": {"Service": ["logs.us-east-1.amazonaws.com"]},
    "Action": ["kms:Encrypt*", "kms:Decrypt*"],
    "Resource": "*",
    "Condition": {"ArnEquals": {"kms:EncryptionContext:aws:logs:arn": ["arn:aws:logs:us-east-1:1:log-group:/app"]}},
}
VIA_DYNAMODB = {
    "Sid": "Tables",
    "Effect": "Allow",
    "Principal": ROOT,
    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
    "Resource": "*",
    "Condition": {
        "StringEquals": {
            "kms:ViaService": ["dynamodb.us-east-1.amazonaws.com"],
            "kms:EncryptionContext:aws:dynamodb:tableName": ["t"],
        }
    },
}


def consumer_doc() -> dict:
    doc = key_doc(ADMIN, LOGS, VIA_DYNAMODB)
    doc["resource"]["aws_cloudwatch_log_group"] = {"tap_stack_l": {"name": "/app", "kms_key_id": KEY}}
    doc["resource"]["aws_dynamodb_table"] = {
        "tap_stack_t": {"name": "t", "server_side_encryption": {"kms_key_arn": KEY}}
    }
    return doc


BUCKET = "${aws_s3_bucket.tap_stack_archive.id}"
TAMPER_DENY = {
    "sid": "DenyArchiveTampering",
    "effect": "Deny",
    "actions": list(TAMPER_ACTIONS),
    "resources": ["${aws_s3_bucket.tap_stack_archive.arn}", "${aws_s3_bucket.tap_stack_archive.arn}/*"],
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "condition": [{"test": "StringNotEquals", "variable": "aws:PrincipalArn", "values": ["${var.break_glass}"]}],
}


def archive_doc() -> dict:
    """A bucket that Firehose delivers to: tamper deny, versions kept, object lock, error log, alarm."""
    return {
        "resource": {
            "aws_s3_bucket": {"tap_stack_archive": {"bucket": "logs"}},
            "aws_s3_bucket_policy": {
                "tap_stack_archive_policy": {
                    "bucket": BUCKET,
                    "policy": "${data.aws_iam_policy_document.tap_stack_archive_doc.json}",
                }
            },
            "aws_s3_bucket_lifecycle_configuration": {
                "tap_stack_archive_lifecycle": {
                    "bucket": BUCKET,
                    "rule": [
                        {
                            "expiration": [{"days": "${var.retention}"}],
                            "noncurrent_version_expiration": [{"noncurrent_days": "${var.retention}"}],
                        }
                    ],
                }
            },
            "aws_s3_bucket_object_lock_configuration": {
                "tap_stack_archive_lock": {
                    "bucket": BUCKET,
                    "count": "${var.lock ? 1 : 0}",
                    "rule": {"default_retention": {"mode": "GOVERNANCE", "days": 30}},
                }
            },
            "aws_cloudwatch_log_group": {"tap_stack_errors": {"name": "/errors"}},
            "aws_kinesis_firehose_delivery_stream": {
                "tap_stack_stream": {
                    "name": "s",
                    "extended_s3_configuration": {
                        "bucket_arn": "${aws_s3_bucket.tap_stack_archive.arn}",
                        "cloudwatch_logging_options": {
                            "enabled": True,
                            "log_group_name": "${aws_cloudwatch_log_group.tap_stack_errors.name}",
                        },
                    },
                }
            },
            "aws_cloudwatch_metric_alarm": {
                "tap_stack_delivery_alarm": {
                    "namespace": "AWS/Firehose",
                    "metric_name": "DeliveryToS3.Success",
                    "dimensions": {
                        "DeliveryStreamName": "${aws_kinesis_firehose_delivery_stream.tap_stack_stream.name}"
                    },
                    "alarm_actions": ["${aws_sns_topic.tap_stack_alerts.arn}"],
                }
            },
        },
        "data": {"aws_iam_policy_document": {"tap_stack_archive_doc": {"statement": [TLS_DENY, TAMPER_DENY]}}},
    }


def archive_statement(doc: dict) -> dict:
    return doc["data"]["aws_iam_policy_document"]["tap_stack_archive_doc"]["statement"][1]


def lifecycle_rule(doc: dict) -> dict:
    return doc["resource"]["aws_s3_bucket_lifecycle_configuration"]["tap_stack_archive_lifecycle"]["rule"][0]


def trust_doc(*values: str) -> dict:
    condition = [{"test": "ArnLike", "variable": "aws:SourceArn", "values": list(values)}] if values else []
    return {
        "resource": {
            "aws_iam_role": {"tap_stack_r": {"assume_role_policy": "${data.aws_iam_policy_document.tap_stack_t.json}"}}
        },
        "data": {
            "aws_iam_policy_document": {
                "tap_stack_t": {
                    "statement": [
                        {
                            "actions": ["sts:AssumeRole"],
                            "principals": [{"type": "Service", "identifiers": ["logs.us-east-1.amazonaws.com"]}],
                            "condition": condition,
                        }
                    ]
                }
            }
        },
    }


def identity_doc(*conditions: dict) -> dict:
    statement = {"sid": "Decrypt", "actions": ["kms:Decrypt"], "resources": [KEY], "condition": list(conditions)}
    return {"data": {"aws_iam_policy_document": {"tap_stack_p": {"statement": [statement]}}}}


def describe_doc(resources: list[str]) -> dict:
    """The API Gateway logging role's statement, with `resources`, and a JSON key policy that also grants it."""
    key_policy = {"Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}]}
    statement = {"sid": "FindLogGroups", "actions": ["logs:DescribeLogGroups"], "resources": resources}
    return {
        "resource": {"aws_kms_key": {"tap_stack_k": {"policy": json.dumps(key_policy)}}},
        "data": {"aws_iam_policy_document": {"tap_stack_p": {"statement": [statement]}}},
    }


def via(service: str, *conditions: dict, actions=("kms:Decrypt",)) -> dict:
    """An identity statement using a key via `service` (`kms:ViaService`), with more conditions."""
    service_condition = {
        "test": "StringEquals",
        "variable": "kms:ViaService",
        "values": [f"{service}.${{var.aws_region}}.amazonaws.com"],
    }
    return {
        "sid": f"Use{service}",
        "actions": list(actions),
        "resources": [KEY],
        "condition": [service_condition, *conditions],
    }


def context(variable: str, value: str = "${aws_dynamodb_table.tap_stack_t.name}", test: str = "StringEquals") -> dict:
    return {"test": test, "variable": variable, "values": [value]}


def kms_context_doc(*statements: dict) -> dict:
    return {"data": {"aws_iam_policy_document": {"tap_stack_p": {"statement": list(statements)}}}}


TABLE_CONTEXT = context("kms:EncryptionContext:aws:dynamodb:tableName")
SECRET_CONTEXT = context("kms:EncryptionContext:SecretARN", "${aws_secretsmanager_secret.tap_stack_s.arn}")
FUNCTION_CONTEXT = context(
    "kms:EncryptionContext:aws:lambda:FunctionArn", "arn:aws:lambda:us-east-1:1:function:tap-dev-api", "ArnLike"
)


def encryption_context_doc() -> dict:
    return kms_context_doc(
        via("dynamodb", TABLE_CONTEXT, actions=("kms:Decrypt", "kms:GenerateDataKey*")),
        via("secretsmanager", SECRET_CONTEXT),
        via("lambda", FUNCTION_CONTEXT),
    )


def api_method(path: str, http_method: str, authorization: str) -> dict:
    return {
        "resource_id": f"${{aws_api_gateway_resource.tap_stack_{path}.id}}",
        "http_method": http_method,
        "authorization": authorization,
    }


def integration(method: str, uri: str) -> dict:
    return {"http_method": f"${{aws_api_gateway_method.{method}.http_method}}", "type": "AWS_PROXY", "uri": uri}


GRANTS_ARN = "${aws_dynamodb_table.tap_stack_grants.arn}"


def tenant_doc() -> dict:
    """/health (NONE) invokes the health function (TABLE_NAME, no grants); GET /items (AWS_IAM) invokes
    the CRUD function through its alias, told the grants table, whose role may GetItem there."""
    table = "${aws_dynamodb_table.tap_stack_data.name}"
    return {
        "resource": {
            "aws_api_gateway_resource": {"tap_stack_health": {"path_part": "health"}, "tap_stack_items": {}},
            "aws_api_gateway_method": {
                "tap_stack_health_get": api_method("health", "GET", "NONE"),
                "tap_stack_items_get": api_method("items", "GET", "AWS_IAM"),
                "tap_stack_items_options": api_method("items", "OPTIONS", "NONE"),
            },
            "aws_api_gateway_integration": {
                "tap_stack_health_get_integration": integration(
                    "tap_stack_health_get", "${aws_lambda_function.tap_stack_health.invoke_arn}"
                ),
                "tap_stack_items_get_integration": integration(
                    "tap_stack_items_get", "${aws_lambda_alias.tap_stack_live.invoke_arn}"
                ),
                "tap_stack_items_options_integration": {
                    "http_method": "${aws_api_gateway_method.tap_stack_items_options.http_method}",
                    "type": "MOCK",
                },
            },
            "aws_lambda_alias": {
                "tap_stack_live": {"function_name": "${aws_lambda_function.tap_stack_api.function_name}"}
            },
            "aws_lambda_function": {
                "tap_stack_health": {
                    "role": "${aws_iam_role.tap_stack_health_role.arn}",
                    "environment": {"variables": {"TABLE_NAME": table}},
                },
                "tap_stack_api": {
                    "role": "${aws_iam_role.tap_stack_api_role.arn}",
                    "environment": {
                        "variables": {
                            "TABLE_NAME": table,
                            "GRANTS_TABLE_NAME": "${aws_dynamodb_table.tap_stack_grants.name}",
                        }
                    },
                },
            },
            "aws_dynamodb_table": {"tap_stack_data": {"name": "d"}, "tap_stack_grants": {"name": "g"}},
            "aws_iam_role": {"tap_stack_health_role": {}, "tap_stack_api_role": {}},
            "aws_iam_role_policy": {
                "tap_stack_api_role_policy": {
                    "role": "${aws_iam_role.tap_stack_api_role.id}",
                    "policy": "${data.aws_iam_policy_document.tap_stack_api_permissions.json}",
                }
            },
        },
        "data": {
            "aws_iam_policy_document": {
                "tap_stack_api_permissions": {
                    "statement": [
                        {
                            "sid": "ReadWriteItems",
                            "actions": ["dynamodb:GetItem", "dynamodb:PutItem"],
                            "resources": ["${aws_dynamodb_table.tap_stack_data.arn}"],
                        },
                        {"sid": "ReadTenantGrants", "actions": ["dynamodb:GetItem"], "resources": [GRANTS_ARN]},
                    ]
                }
            }
        },
    }


def api_variables(doc: dict) -> dict:
    return doc["resource"]["aws_lambda_function"]["tap_stack_api"]["environment"]["variables"]


def api_grants_statement(doc: dict) -> dict:
    return doc["data"]["aws_iam_policy_document"]["tap_stack_api_permissions"]["statement"][1]


BOUNDARY = "${aws_iam_policy.tap_stack_permission_boundary.arn}"


def boundary_doc() -> dict:
    """The stack's boundary policy and two roles, each capped by it."""
    return {
        "resource": {
            "aws_iam_policy": {"tap_stack_permission_boundary": {"name": "tap-dev-boundary"}},
            "aws_iam_role": {
                "tap_stack_a_role": {"permissions_boundary": BOUNDARY},
                "tap_stack_b_role": {"permissions_boundary": BOUNDARY},
            },
        }
    }


def failover_doc() -> dict:
    return {
        "resource": {
            "aws_cloudwatch_metric_alarm": {
                "tap_stack_canary_alarm": {
                    "namespace": "CloudWatchSynthetics",
                    "metric_name": "SuccessPercent",
                    "statistic": "Minimum",
                    "period": 60,
                    "threshold": 100,
                    "comparison_operator": "LessThanThreshold",
                }
            },
            "aws_route53_health_check": {
                "tap_stack_check": {
                    "type": "CLOUDWATCH_METRIC",
                    "cloudwatch_alarm_name": "${aws_cloudwatch_metric_alarm.tap_stack_canary_alarm.alarm_name}",
                    "cloudwatch_alarm_region": "us-east-1",
                    "insufficient_data_health_status": "LastKnownStatus",
                }
            },
        }
    }


# The counted alarms' dimension: member n of the stack's replication group.
MEMBER_CLUSTER = (
    '${format("%s-%03d", aws_elasticache_replication_group.tap_stack_cache.replication_group_id, (count.index + 1))}'
)


def member_alarm(metric: str, member_cluster: str = MEMBER_CLUSTER, dimension: str = "CacheClusterId") -> dict:
    """An alarm per member cluster of the item cache (`count` of them), on `metric`."""
    return {
        "count": "${var.cache_node_count}",
        "namespace": "AWS/ElastiCache",
        "metric_name": metric,
        "dimensions": {dimension: member_cluster},
    }


def metrics_doc() -> dict:
    """An alarm on the stack's own custom metric, one on a resource's AWS metric, one per member of
    a resource (counted), a metric filter into a prefixed metric, and a function that publishes into
    the stack's namespace."""
    own = "TapStack/${local.name_prefix}"
    function_name = "${aws_lambda_function.tap_stack_lambda.function_name}"
    return {
        "resource": {
            "aws_cloudwatch_metric_alarm": {
                "tap_stack_cache_evictions": member_alarm("Evictions"),
                "tap_stack_cache_errors": {
                    "namespace": own,
                    "metric_name": "CacheErrors",
                    "dimensions": {"service": "api"},
                },
                "tap_stack_errors": {
                    "namespace": "AWS/Lambda",
                    "metric_name": "Errors",
                    "dimensions": {"FunctionName": function_name},
                },
                "tap_stack_root": {"namespace": "TapStack/Security", "metric_name": "${local.name_prefix}-root"},
            },
            "aws_cloudwatch_log_metric_filter": {
                "tap_stack_root": {
                    "metric_transformation": {"namespace": "TapStack/Security", "name": "${local.name_prefix}-root"}
                }
            },
            "aws_lambda_function": {
                "tap_stack_lambda": {"environment": {"variables": {"POWERTOOLS_METRICS_NAMESPACE": own}}}
            },
        }
    }


def published_doc() -> dict:
    """Alarms on an AWS metric with its documented dimensions (one alarm, and one per member cluster),
    on the functions' cache errors and on the canary's verdict, each as the stack publishes it."""
    own = "TapStack/${local.name_prefix}"
    verdict = {"VERDICT_NAMESPACE": "CloudWatchSynthetics", "VERDICT_METRIC": "RegionHealthy"}
    return {
        "resource": {
            "aws_cloudwatch_metric_alarm": {
                "tap_stack_cache_memory": member_alarm("DatabaseMemoryUsagePercentage"),
                "tap_stack_errors": {
                    "namespace": "AWS/Lambda",
                    "metric_name": "Errors",
                    "dimensions": {"FunctionName": "f"},
                },
                "tap_stack_cache": {"namespace": own, "metric_name": "CacheErrors", "dimensions": {"service": "api"}},
                "tap_stack_verdict": {
                    "namespace": "CloudWatchSynthetics",
                    "metric_name": "RegionHealthy",
                    "dimensions": {"CanaryName": "c"},
                },
            },
            "aws_lambda_function": {
                "tap_stack_lambda": {"environment": {"variables": {"POWERTOOLS_METRICS_NAMESPACE": own}}}
            },
            "aws_synthetics_canary": {"tap_stack_canary": {"run_config": {"environment_variables": verdict}}},
        }
    }


def setting(rtype: str, name: str, **attributes):
    return lambda doc: doc["resource"][rtype][name].update(attributes)


def health_check(**settings):
    def change(doc: dict) -> None:
        body = doc["resource"]["aws_route53_health_check"]["tap_stack_check"]
        body.update(settings)
        for key in [key for key, value in settings.items() if value is None]:
            del body[key]

    return change


def failover_alarm(**settings):
    def change(doc: dict) -> None:
        doc["resource"]["aws_cloudwatch_metric_alarm"]["tap_stack_canary_alarm"].update(settings)

    return change


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
        rules.describe_log_groups_is_granted_on_star,
        describe_doc(["*"]),
        describe_doc(["arn:aws:logs:us-east-1:1:log-group:*"]),
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
                        "http_method": "GET",
                        "authorization": "NONE",
                    },
                    "tap_stack_m": {
                        "resource_id": "${aws_api_gateway_resource.tap_stack_i.id}",
                        "http_method": "GET",
                        "authorization": "AWS_IAM",
                    },
                    "tap_stack_o": {
                        "resource_id": "${aws_api_gateway_resource.tap_stack_i.id}",
                        "http_method": "OPTIONS",
                        "authorization": "NONE",
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
                        "http_method": "GET",
                        "authorization": "NONE",
                    }
                },
            }
        },
    ),
    (
        rules.api_functions_check_tenant_grants,
        tenant_doc(),
        changed(tenant_doc(), lambda d: api_variables(d).pop("GRANTS_TABLE_NAME")),
    ),
    (
        rules.api_preflights_are_open_mocks,
        preflight_doc(),
        changed(
            preflight_doc(),
            lambda d: d["resource"]["aws_api_gateway_integration"]["tap_stack_options_integration"].update(
                type="AWS_PROXY"
            ),
        ),
    ),
    (
        rules.api_stage_never_caches_tenant_methods,
        cache_doc(),
        changed(cache_doc(), caching("*/*", True)),
    ),
    (
        rules.failover_follows_alarms_not_open_routes,
        failover_doc(),
        changed(
            failover_doc(),
            health_check(type="HTTPS", fqdn="api.example.com", resource_path="/dev/health", cloudwatch_alarm_name=None),
        ),
    ),
    (
        rules.metrics_are_the_stacks_own,
        metrics_doc(),
        changed(metrics_doc(), setting("aws_cloudwatch_metric_alarm", "tap_stack_cache_errors", namespace="TapStack")),
    ),
    (
        rules.alarms_watch_published_metrics,
        published_doc(),
        changed(published_doc(), setting("aws_cloudwatch_metric_alarm", "tap_stack_errors", metric_name="Error")),
    ),
    (
        rules.kms_key_policies_condition_every_use,
        key_doc(ADMIN, LOGS, VIA_DYNAMODB),
        key_doc({**ADMIN, "Action": ["kms:*"]}, LOGS),
    ),
    (
        rules.identity_policies_condition_kms_use,
        identity_doc(
            {"test": "StringEquals", "variable": "kms:ViaService", "values": ["lambda.us-east-1.amazonaws.com"]}
        ),
        identity_doc(),
    ),
    (
        rules.kms_use_names_the_encryption_context,
        encryption_context_doc(),
        kms_context_doc(via("dynamodb")),
    ),
    (
        rules.kms_keys_serve_only_known_consumers,
        consumer_doc(),
        changed(
            consumer_doc(),
            lambda d: d["resource"].update(aws_ssm_parameter={"tap_stack_p": {"key_id": KEY, "type": "SecureString"}}),
        ),
    ),
    (
        rules.kms_key_policies_name_every_consumer,
        consumer_doc(),
        changed(
            consumer_doc(), lambda d: d["resource"]["aws_cloudwatch_log_group"]["tap_stack_l"].update(name="/other")
        ),
    ),
    (
        rules.event_buses_use_a_cmk,
        {"resource": {"aws_cloudwatch_event_bus": {"tap_stack_e": {"name": "e", "kms_key_identifier": KEY}}}},
        {"resource": {"aws_cloudwatch_event_bus": {"tap_stack_e": {"name": "e"}}}},
    ),
    (
        rules.archive_buckets_deny_tampering,
        archive_doc(),
        changed(archive_doc(), lambda d: archive_statement(d)["actions"].remove("s3:DeleteObjectVersion")),
    ),
    (
        rules.archive_buckets_keep_noncurrent_versions,
        archive_doc(),
        changed(
            archive_doc(), lambda d: lifecycle_rule(d).update(noncurrent_version_expiration=[{"noncurrent_days": 30}])
        ),
    ),
    (
        rules.archive_buckets_offer_object_lock,
        archive_doc(),
        without(archive_doc(), "aws_s3_bucket_object_lock_configuration"),
    ),
    (
        rules.firehose_streams_log_delivery_errors,
        archive_doc(),
        changed(
            archive_doc(),
            lambda d: d["resource"]["aws_kinesis_firehose_delivery_stream"]["tap_stack_stream"][
                "extended_s3_configuration"
            ].pop("cloudwatch_logging_options"),
        ),
    ),
    (
        rules.firehose_streams_alarm_on_failed_delivery,
        archive_doc(),
        without(archive_doc(), "aws_cloudwatch_metric_alarm"),
    ),
    (
        rules.log_subscription_roles_trust_named_log_groups,
        trust_doc("${aws_cloudwatch_log_group.tap_stack_l.arn}", "${aws_cloudwatch_log_group.tap_stack_l.arn}:*"),
        trust_doc("arn:aws:logs:us-east-1:1:log-group:*"),
    ),
    (
        rules.roles_have_the_permission_boundary,
        boundary_doc(),
        changed(
            boundary_doc(), lambda d: d["resource"]["aws_iam_role"]["tap_stack_b_role"].pop("permissions_boundary")
        ),
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
        rules.lambdas_never_trace_payloads,
        traced_function({"POWERTOOLS_TRACER_CAPTURE_ERROR": "false", "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false"}),
        traced_function({"POWERTOOLS_TRACER_CAPTURE_ERROR": "false"}),
    ),
    (
        rules.secrets_have_no_stored_value,
        {"resource": {"aws_secretsmanager_secret": {"tap_stack_s": {}}}},
        {"resource": {"aws_secretsmanager_secret_version": {"tap_stack_s_v": {"secret_string": "hunter2"}}}},
    ),
    (
        rules.secrets_are_rotated,
        {
            "resource": {
                "aws_secretsmanager_secret": {"tap_stack_s": {}},
                "aws_secretsmanager_secret_rotation": {
                    "tap_stack_s_rotation": {"secret_id": "${aws_secretsmanager_secret.tap_stack_s.arn}"}
                },
            }
        },
        {"resource": {"aws_secretsmanager_secret": {"tap_stack_s": {}}}},
    ),
    (
        rules.secret_reads_skip_pending_versions,
        {
            "data": {
                "aws_iam_policy_document": {
                    "tap_stack_p": {
                        "statement": [
                            {
                                "sid": "Read",
                                "actions": ["secretsmanager:GetSecretValue"],
                                "resources": ["s"],
                                "condition": [
                                    {
                                        "test": "StringEquals",
                                        "variable": "secretsmanager:VersionStage",
                                        "values": ["AWSCURRENT", "AWSPREVIOUS"],
                                    }
                                ],
                            },
                            {
                                "sid": "Rotate",
                                "actions": ["secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue"],
                                "resources": ["s"],
                            },
                        ]
                    }
                }
            }
        },
        {
            "data": {
                "aws_iam_policy_document": {
                    "tap_stack_p": {
                        "statement": [{"sid": "Read", "actions": ["secretsmanager:GetSecretValue"], "resources": ["s"]}]
                    }
                }
            }
        },
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


def test_open_paths_are_open_for_get_only():
    doc = {
        "resource": {
            "aws_api_gateway_resource": {"tap_stack_r": {"path_part": "health"}},
            "aws_api_gateway_method": {
                "tap_stack_p": {
                    "resource_id": "${aws_api_gateway_resource.tap_stack_r.id}",
                    "http_method": "POST",
                    "authorization": "NONE",
                }
            },
        }
    }
    assert [f.address for f in rules.api_methods_require_iam(doc)] == ["aws_api_gateway_method.tap_stack_p"]


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: d["resource"]["aws_api_gateway_method"].pop("tap_stack_options"),
        lambda d: d["resource"]["aws_api_gateway_method"]["tap_stack_options"].update(authorization="AWS_IAM"),
        lambda d: d["resource"]["aws_api_gateway_method_response"]["tap_stack_options_response"].update(
            status_code="200"
        ),
        lambda d: d["resource"]["aws_api_gateway_integration_response"]["tap_stack_options_answer"][
            "response_parameters"
        ].clear(),
    ],
    ids=["missing", "signed", "status", "headers"],
)
def test_every_broken_preflight_is_found(breaks):
    assert rules.api_preflights_are_open_mocks(changed(preflight_doc(), breaks))


@pytest.mark.parametrize(
    ("method_path", "enabled"),
    [("*/*", "${var.api_cache_enabled}"), ("items/{id}/GET", True), ("items/*", True)],
    ids=["stage-wide-variable", "one-method", "wildcard"],
)
def test_caching_of_a_signed_method_is_refused_with_what_it_skips(method_path, enabled):
    found = rules.api_stage_never_caches_tenant_methods(changed(cache_doc(), caching(method_path, enabled)))
    assert [str(f) for f in found] == [
        "api_stage_never_caches_tenant_methods: aws_api_gateway_method_settings.tap_stack_x: caching_enabled "
        "must be false: a cached response of items/{id}/GET would skip the tenant grant check"
    ]


@pytest.mark.parametrize(
    "variables",
    [{}, {"POWERTOOLS_TRACER_CAPTURE_RESPONSE": "true", "POWERTOOLS_TRACER_CAPTURE_ERROR": "false"}],
    ids=["unset", "capturing"],
)
def test_a_traced_function_that_would_record_payloads_is_refused(variables):
    assert [str(f) for f in rules.lambdas_never_trace_payloads(traced_function(variables))] == [
        "lambdas_never_trace_payloads: aws_lambda_function.tap_stack_f: a traced function needs "
        "POWERTOOLS_TRACER_CAPTURE_ERROR=false, POWERTOOLS_TRACER_CAPTURE_RESPONSE=false"
    ]


def lock_mode(mode: str, variable_default: object = None):
    def change(doc: dict) -> None:
        lock = doc["resource"]["aws_s3_bucket_object_lock_configuration"]["tap_stack_archive_lock"]
        lock["rule"]["default_retention"]["mode"] = mode
        if variable_default is not None:
            doc["variable"] = {"lock_mode": {"default": variable_default}}

    return change


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lock_mode("COMPLIANCE"), False),
        (lock_mode("${var.lock_mode}", "COMPLIANCE"), False),
        (lock_mode("${var.lock_mode}", "NONE"), True),
        (lock_mode("LEGAL_HOLD"), True),
    ],
    ids=["compliance", "variable", "variable-of-another-value", "no-such-mode"],
)
def test_an_archive_may_be_locked_in_either_retention_mode(change, found):
    assert bool(rules.archive_buckets_offer_object_lock(changed(archive_doc(), change))) is found


def test_caching_an_unsigned_method_is_not_a_finding():
    assert rules.api_stage_never_caches_tenant_methods(changed(cache_doc(), caching("health/GET", True))) == []


@pytest.mark.parametrize(
    "statement",
    [
        {**LOGS, "Condition": {}},
        {**VIA_DYNAMODB, "Action": ["kms:CreateGrant"], "Condition": {"StringEquals": {"kms:CallerAccount": ["1"]}}},
        {**VIA_DYNAMODB, "Action": "kms:GenerateDataKey*", "Condition": {}},
    ],
    ids=["service-without-condition", "grant-without-service", "use-without-service"],
)
def test_every_unconditioned_key_grant_is_found(statement):
    assert rules.kms_key_policies_condition_every_use(key_doc(ADMIN, statement))


def test_a_key_without_a_readable_policy_is_found():
    doc = {"resource": {"aws_kms_key": {"tap_stack_k": {"policy": "${jsonencode({})}"}}}}
    assert rules.kms_key_policies_condition_every_use(doc)


@pytest.mark.parametrize(
    "breaks",
    [
        lambda d: archive_statement(d).update(effect="Allow"),
        lambda d: archive_statement(d).update(principals=[{"type": "AWS", "identifiers": ["arn:aws:iam::1:root"]}]),
        lambda d: archive_statement(d).update(
            condition=[{"test": "StringNotLike", "variable": "aws:PrincipalArn", "values": ["*"]}]
        ),
        lambda d: archive_statement(d).update(resources=["${aws_s3_bucket.tap_stack_archive.arn}"]),
        lambda d: d["resource"].pop("aws_s3_bucket_policy"),
    ],
    ids=["allow", "some-principals", "wildcard-exemption", "bucket-only", "no-policy"],
)
def test_every_weakened_archive_deny_is_found(breaks):
    assert rules.archive_buckets_deny_tampering(changed(archive_doc(), breaks))


def test_noncurrent_versions_may_be_kept_longer_or_forever():
    longer = changed(
        archive_doc(),
        lambda d: lifecycle_rule(d).update(
            expiration=[{"days": 90}], noncurrent_version_expiration=[{"noncurrent_days": 365}]
        ),
    )
    forever = changed(archive_doc(), lambda d: lifecycle_rule(d).pop("noncurrent_version_expiration"))
    assert rules.archive_buckets_keep_noncurrent_versions(longer) == []
    assert rules.archive_buckets_keep_noncurrent_versions(forever) == []


def test_a_subscription_trust_without_source_is_found():
    assert rules.log_subscription_roles_trust_named_log_groups(trust_doc())


def test_a_role_capped_by_another_policy_is_found():
    other = "${aws_iam_policy.tap_stack_other.arn}"
    doc = changed(
        boundary_doc(), lambda d: d["resource"]["aws_iam_role"]["tap_stack_a_role"].update(permissions_boundary=other)
    )
    assert [str(f) for f in rules.roles_have_the_permission_boundary(doc)] == [
        "roles_have_the_permission_boundary: aws_iam_role.tap_stack_a_role: permissions_boundary must be "
        "${aws_iam_policy.tap_stack_permission_boundary.arn}"
    ]


def test_roles_need_no_boundary_when_the_stack_has_none():
    doc = changed(boundary_doc(), lambda d: d["resource"].pop("aws_iam_policy"))
    for role in doc["resource"]["aws_iam_role"].values():
        role.pop("permissions_boundary")
    assert rules.roles_have_the_permission_boundary(doc) == []


def test_describe_log_groups_on_arns_is_found_in_documents_and_json_policies():
    doc = describe_doc(["${aws_cloudwatch_log_group.tap_stack_l.arn}"])
    role_policy = {"Statement": {"Effect": "Allow", "Action": ["logs:describeloggroups"], "Resource": ["arn:x"]}}
    doc["resource"]["aws_iam_role_policy"] = {"tap_stack_r_policy": {"policy": json.dumps(role_policy)}}
    assert [str(f) for f in rules.describe_log_groups_is_granted_on_star(doc)] == [
        "describe_log_groups_is_granted_on_star: data.aws_iam_policy_document.tap_stack_p: "
        "statement FindLogGroups: logs:DescribeLogGroups works only on Resource '*'",
        "describe_log_groups_is_granted_on_star: aws_iam_role_policy.tap_stack_r_policy: "
        "statement ?: logs:DescribeLogGroups works only on Resource '*'",
    ]


def test_a_boundary_that_caps_describe_log_groups_to_arns_is_found():
    doc = changed(boundary_doc(), lambda d: d.update(data=describe_doc(["arn:x"])["data"]))
    doc["resource"]["aws_iam_policy"]["tap_stack_permission_boundary"]["policy"] = (
        "${data.aws_iam_policy_document.tap_stack_p.json}"
    )
    assert [f.address for f in rules.describe_log_groups_is_granted_on_star(doc)] == [
        "data.aws_iam_policy_document.tap_stack_p"
    ]


@pytest.mark.parametrize(
    ("statement", "service", "variable"),
    [
        (via("dynamodb"), "dynamodb", "kms:EncryptionContext:aws:dynamodb:tableName"),
        (via("secretsmanager", TABLE_CONTEXT), "secretsmanager", "kms:EncryptionContext:SecretARN"),
        (via("lambda", SECRET_CONTEXT, actions=["kms:*"]), "lambda", "kms:EncryptionContext:aws:lambda:FunctionArn"),
        (
            via("dynamodb", {**TABLE_CONTEXT, "test": "StringEqualsIfExists"}, actions=["kms:ReEncrypt*"]),
            "dynamodb",
            "kms:EncryptionContext:aws:dynamodb:tableName",
        ),
        (
            via("dynamodb", {**TABLE_CONTEXT, "values": ["*"]}, actions=["kms:Encrypt"]),
            "dynamodb",
            "kms:EncryptionContext:aws:dynamodb:tableName",
        ),
    ],
    ids=["table", "secret", "function", "if-exists", "any-value"],
)
def test_key_use_via_a_service_without_its_context_is_found(statement, service, variable):
    assert [str(f) for f in rules.kms_use_names_the_encryption_context(kms_context_doc(statement))] == [
        "kms_use_names_the_encryption_context: data.aws_iam_policy_document.tap_stack_p: "
        f"statement {statement['sid']}: key use via {service} must be conditioned on {variable}"
    ]


def test_only_data_key_use_via_the_named_services_needs_a_context():
    doc = kms_context_doc(
        via("dynamodb", actions=["kms:DescribeKey"]),
        via("s3"),
        {**via("dynamodb"), "principals": [{"type": "Service", "identifiers": ["dynamodb.amazonaws.com"]}]},
        {**via("dynamodb"), "effect": "Deny"},
    )
    assert rules.kms_use_names_the_encryption_context(doc) == []


@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (
            lambda d: api_variables(d).update(GRANTS_TABLE_NAME="tap-dev-grants"),
            "GRANTS_TABLE_NAME must name a DynamoDB table of the stack",
        ),
        (
            lambda d: api_variables(d).update(GRANTS_TABLE_NAME="${aws_dynamodb_table.tap_stack_gone.name}"),
            "GRANTS_TABLE_NAME must name a DynamoDB table of the stack",
        ),
        (
            lambda d: api_grants_statement(d).update(actions=["dynamodb:Query"]),
            f"its role may not dynamodb:GetItem on {GRANTS_ARN}",
        ),
        (
            lambda d: api_grants_statement(d).update(resources=["${aws_dynamodb_table.tap_stack_data.arn}"]),
            f"its role may not dynamodb:GetItem on {GRANTS_ARN}",
        ),
        (
            lambda d: d["resource"]["aws_iam_role_policy"]["tap_stack_api_role_policy"].update(
                role="${aws_iam_role.tap_stack_health_role.id}"
            ),
            f"its role may not dynamodb:GetItem on {GRANTS_ARN}",
        ),
    ],
    ids=["literal-name", "unknown-table", "no-get-item", "other-table", "other-role"],
)
def test_every_missing_grants_check_is_found(breaks, message):
    assert [str(f) for f in rules.api_functions_check_tenant_grants(changed(tenant_doc(), breaks))] == [
        f"api_functions_check_tenant_grants: aws_lambda_function.tap_stack_api: {message}"
    ]


def test_grants_may_be_read_through_an_attached_policy_and_found_by_a_literal_method():
    def attach(d):
        d["resource"]["aws_iam_role_policy"]["tap_stack_api_role_policy"]["role"] = "${aws_iam_role.other.id}"
        d["resource"]["aws_iam_policy"] = {
            "tap_stack_grants_read": {"policy": "${data.aws_iam_policy_document.tap_stack_api_permissions.json}"}
        }
        d["resource"]["aws_iam_role_policy_attachment"] = {
            "tap_stack_api_grants": {
                "role": "${aws_iam_role.tap_stack_api_role.name}",
                "policy_arn": "${aws_iam_policy.tap_stack_grants_read.arn}",
            }
        }
        d["resource"]["aws_api_gateway_integration"]["tap_stack_items_get_integration"].update(
            http_method="GET", resource_id="${aws_api_gateway_resource.tap_stack_items.id}"
        )

    doc = changed(tenant_doc(), attach)
    assert rules.api_functions_check_tenant_grants(doc) == []
    api_variables(doc).pop("GRANTS_TABLE_NAME")
    assert [f.address for f in rules.api_functions_check_tenant_grants(doc)] == ["aws_lambda_function.tap_stack_api"]


def test_the_open_health_route_needs_no_grants_but_a_signed_one_does():
    signed = changed(
        tenant_doc(),
        lambda d: d["resource"]["aws_api_gateway_method"]["tap_stack_health_get"].update(authorization="AWS_IAM"),
    )
    assert rules.api_functions_check_tenant_grants(tenant_doc()) == []
    assert [str(f) for f in rules.api_functions_check_tenant_grants(signed)] == [
        "api_functions_check_tenant_grants: aws_lambda_function.tap_stack_health: "
        "GRANTS_TABLE_NAME must name a DynamoDB table of the stack"
    ]


UNFOLLOWABLE_ALARM = (
    "Route 53 follows only alarms with a statistic of Average, Minimum, Maximum, Sum, SampleCount, no metric math "
    "and a period of at least 60 s"
)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            health_check(type="HTTPS", resource_path="/dev/health", cloudwatch_alarm_name=None),
            "an endpoint check fails whenever anyone floods the endpoint (429s): follow an alarm of the stack "
            "(type CLOUDWATCH_METRIC)",
        ),
        (
            health_check(cloudwatch_alarm_name="tap-canary"),
            "cloudwatch_alarm_name must name an alarm of the stack",
        ),
        (
            health_check(insufficient_data_health_status="Healthy"),
            "insufficient_data_health_status must be LastKnownStatus: a canary's alarm has no data between runs",
        ),
        (failover_alarm(statistic=None, extended_statistic="p99"), UNFOLLOWABLE_ALARM),
        (failover_alarm(period=10), UNFOLLOWABLE_ALARM),
        (failover_alarm(metric_query=[{"id": "m1"}]), UNFOLLOWABLE_ALARM),
    ],
    ids=["endpoint-check", "foreign-alarm", "healthy-without-data", "percentile", "high-resolution", "metric-math"],
)
def test_failover_on_anything_but_a_followable_alarm_is_refused(change, problem):
    assert [str(f) for f in rules.failover_follows_alarms_not_open_routes(changed(failover_doc(), change))] == [
        f"failover_follows_alarms_not_open_routes: aws_route53_health_check.tap_stack_check: {problem}"
    ]


SHARED = "names neither the stack's prefix nor its resources"


@pytest.mark.parametrize(
    ("change", "address", "identity"),
    [
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_cache_errors", namespace="TapStack"),
            "aws_cloudwatch_metric_alarm.tap_stack_cache_errors",
            '["TapStack", "CacheErrors", {"service": "api"}]',
        ),
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_errors", dimensions={"FunctionName": "api"}),
            "aws_cloudwatch_metric_alarm.tap_stack_errors",
            '["AWS/Lambda", "Errors", {"FunctionName": "api"}]',
        ),
        (
            setting(
                "aws_cloudwatch_log_metric_filter",
                "tap_stack_root",
                metric_transformation={"namespace": "N", "name": "root"},
            ),
            "aws_cloudwatch_log_metric_filter.tap_stack_root",
            '["N", "root"]',
        ),
        (
            setting(
                "aws_lambda_function",
                "tap_stack_lambda",
                environment={"variables": {"POWERTOOLS_METRICS_NAMESPACE": "T"}},
            ),
            "aws_lambda_function.tap_stack_lambda",
            '["T"]',
        ),
        (
            setting(
                "aws_cloudwatch_metric_alarm",
                "tap_stack_cache_evictions",
                dimensions={"CacheClusterId": '${format("%s-%03d", "tap-cache", (count.index + 1))}'},
            ),
            "aws_cloudwatch_metric_alarm.tap_stack_cache_evictions",
            '["AWS/ElastiCache", "Evictions", {"CacheClusterId": "${format(\\"%s-%03d\\", \\"tap-cache\\", '
            '(count.index + 1))}"}]',
        ),
    ],
    ids=[
        "custom-namespace",
        "aws-metric-of-no-resource",
        "metric-filter",
        "function-namespace",
        "member-of-no-resource",
    ],
)
def test_a_metric_another_stack_could_share_is_refused(change, address, identity):
    assert [str(f) for f in rules.metrics_are_the_stacks_own(changed(metrics_doc(), change))] == [
        f"metrics_are_the_stacks_own: {address}: {identity} {SHARED}"
    ]


FUNCTION_DIMENSIONS = "(); (ExecutedVersion, FunctionName, Resource); (FunctionName); (FunctionName, Resource)"


@pytest.mark.parametrize(
    ("change", "address", "problem"),
    [
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_errors", metric_name="Error"),
            "tap_stack_errors",
            "AWS/Lambda Error is published neither by AWS nor by the stack",
        ),
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_errors", dimensions={"Functionname": "f"}),
            "tap_stack_errors",
            f"AWS/Lambda Errors is published with {FUNCTION_DIMENSIONS}, not (Functionname)",
        ),
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_cache", namespace="TapStack"),
            "tap_stack_cache",
            "TapStack CacheErrors is published neither by AWS nor by the stack",
        ),
        (
            setting("aws_cloudwatch_metric_alarm", "tap_stack_cache", dimensions={}),
            "tap_stack_cache",
            "TapStack/${local.name_prefix} CacheErrors is published with (service), not ()",
        ),
        (
            setting("aws_synthetics_canary", "tap_stack_canary", run_config={"environment_variables": {}}),
            "tap_stack_verdict",
            "CloudWatchSynthetics RegionHealthy is published neither by AWS nor by the stack",
        ),
        (
            setting(
                "aws_cloudwatch_metric_alarm",
                "tap_stack_cache_memory",
                dimensions={"ReplicationGroupId": MEMBER_CLUSTER},
            ),
            "tap_stack_cache_memory",
            "AWS/ElastiCache DatabaseMemoryUsagePercentage is published with (CacheClusterId); "
            "(CacheClusterId, CacheNodeId), not (ReplicationGroupId)",
        ),
    ],
    ids=[
        "unknown-metric",
        "misspelt-dimension",
        "another-namespace",
        "missing-dimension",
        "unpublished-verdict",
        "member-by-group-id",
    ],
)
def test_an_alarm_on_a_metric_nobody_publishes_is_refused(change, address, problem):
    assert [str(f) for f in rules.alarms_watch_published_metrics(changed(published_doc(), change))] == [
        f"alarms_watch_published_metrics: aws_cloudwatch_metric_alarm.{address}: {problem}"
    ]


def lifecycle_choice(doc: dict, default: str) -> dict:
    """`archive_doc` with the archive's policy chosen by the stack's lifecycle, as the stack writes it:
    the tamper deny in the durable document only; `default` is the variable's default."""
    protected = doc["data"]["aws_iam_policy_document"]["tap_stack_archive_doc"]
    unprotected = {"statement": [s for s in protected["statement"] if s.get("sid") != "DenyArchiveTampering"]}
    doc["data"]["aws_iam_policy_document"]["tap_stack_archive_doc_unprotected"] = unprotected
    doc["variable"] = {"stack_lifecycle": {"type": "string", "default": default}}
    doc["locals"] = {"stack_is_ephemeral": '${var.stack_lifecycle == "ephemeral"}'}
    doc["resource"]["aws_s3_bucket_policy"]["tap_stack_archive_policy"]["policy"] = (
        "${!local.stack_is_ephemeral ? data.aws_iam_policy_document.tap_stack_archive_doc.json : "
        "data.aws_iam_policy_document.tap_stack_archive_doc_unprotected.json}"
    )
    return doc


def test_a_policy_chosen_by_the_lifecycle_is_judged_as_the_defaults_deploy_it():
    assert rules.archive_buckets_deny_tampering(lifecycle_choice(archive_doc(), "durable")) == []
    assert rules.archive_buckets_deny_tampering(lifecycle_choice(archive_doc(), "ephemeral"))


def test_a_choice_on_a_condition_the_rules_cannot_read_renders_no_policy():
    doc = lifecycle_choice(archive_doc(), "durable")
    doc["locals"]["stack_is_ephemeral"] = "${timestamp() == var.stack_lifecycle}"
    assert rules.archive_buckets_deny_tampering(doc)
