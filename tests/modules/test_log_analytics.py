"""LogAnalytics, synthesized in a tiny stack with the stack's key: an enforced, encrypted Athena
workgroup, an encrypted database, the archive's table with partition projection, the named queries,
and a secure results bucket the key policy covers. The stack's JSON also passes `terraform validate`.
The queries themselves run over delivered records in `tests/lambda_src/test_log_archive.py`."""

import json

import pytest

from modules.account import AwsAccount
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.log_analytics import LogAnalytics, LogAnalyticsProps
from tapgen.aws import aws
from tests.modules import harness

KEY = "${aws_kms_key.tap_stack_kms.arn}"
ACCOUNT_ID = "${data.aws_caller_identity.tap_stack_caller.account_id}"
RESULTS_BUCKET = "${aws_s3_bucket.tap_stack_log_analytics_results.bucket}"


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("log_analytics"))
    caller = aws.data_aws_caller_identity.DataAwsCallerIdentity(stack, "tap_stack_caller")
    partition = aws.data_aws_partition.DataAwsPartition(stack, "tap_stack_partition")
    account = AwsAccount(caller.account_id, "us-east-1", partition.partition, partition.dns_suffix)
    key = EncryptionKey(
        stack,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap-dev", description="test key", account=account),
    )
    LogAnalytics(
        stack,
        LogAnalyticsProps(
            name="tap_stack_log_analytics",
            workgroup_name="tap-dev-logs",
            database_name="tap_dev_logs",
            results_bucket_name="tap-dev-query-results",
            results_expiration_days=91,
            log_bucket_name="tap-dev-logs-archive",
            archive_retention_days="400",
            kms_key_arn=key.arn,
            account=account,
        ),
    )
    return harness.synthesize(stack)


def test_the_workgroup_enforces_encrypted_results_in_its_own_bucket_and_publishes_metrics(resources):
    workgroup = resources["aws_athena_workgroup"]["tap_stack_log_analytics"]
    assert workgroup["name"] == "tap-dev-logs"
    assert workgroup["configuration"] == {
        "enforce_workgroup_configuration": True,
        "publish_cloudwatch_metrics_enabled": True,
        "result_configuration": {
            "output_location": f"s3://{RESULTS_BUCKET}/results/",
            "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key_arn": KEY},
            "expected_bucket_owner": ACCOUNT_ID,
        },
    }


def test_the_database_is_created_with_encrypted_results_once_the_bucket_is_secured(resources):
    database = resources["aws_athena_database"]["tap_stack_log_analytics_database"]
    assert {k: v for k, v in database.items() if k not in ("//", "depends_on")} == {
        "name": "tap_dev_logs",
        "comment": "Archived Lambda and API Gateway logs: s3://tap-dev-logs-archive/cloudwatch-logs/events/",
        "bucket": RESULTS_BUCKET,
        "encryption_configuration": {"encryption_option": "SSE_KMS", "kms_key": KEY},
        "expected_bucket_owner": ACCOUNT_ID,
    }
    assert database["depends_on"] == [
        "aws_s3_bucket_server_side_encryption_configuration.tap_stack_log_analytics_results_encryption",
        "aws_s3_bucket_public_access_block.tap_stack_log_analytics_results_public_access_block",
        "aws_s3_bucket_policy.tap_stack_log_analytics_results_policy",
    ]


def test_the_results_bucket_is_a_secure_bucket_with_the_stack_key(resources):
    assert resources["aws_s3_bucket"]["tap_stack_log_analytics_results"]["bucket"] == "tap-dev-query-results"
    encryption = resources["aws_s3_bucket_server_side_encryption_configuration"][
        "tap_stack_log_analytics_results_encryption"
    ]
    (rule,) = encryption["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {"sse_algorithm": "aws:kms", "kms_master_key_id": KEY}
    assert rule["bucket_key_enabled"] is True
    for rtype in ("aws_s3_bucket_public_access_block", "aws_s3_bucket_versioning", "aws_s3_bucket_policy"):
        assert any(name.startswith("tap_stack_log_analytics_results") for name in resources[rtype])


def test_the_key_policy_lets_s3_encrypt_query_results_for_the_results_bucket_only(resources):
    """Athena writes results through S3 with the caller's credentials, so the S3 grant is the path."""
    policy = json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    (grant,) = [s for s in policy["Statement"] if s["Sid"] == "S3EncryptsStackBuckets"]
    bucket = "arn:${data.aws_partition.tap_stack_partition.partition}:s3:::tap-dev-query-results"
    assert grant["Condition"]["ArnLike"]["kms:EncryptionContext:aws:s3:arn"] == [bucket, f"{bucket}/*"]
    assert grant["Condition"]["StringEquals"]["kms:ViaService"] == [
        "s3.us-east-1.${data.aws_partition.tap_stack_partition.dns_suffix}"
    ]


def test_the_table_reads_the_archive_by_projected_day_partitions(resources):
    table = resources["aws_glue_catalog_table"]["tap_stack_log_analytics_events"]
    assert table["name"] == "log_events"
    assert table["database_name"] == "${aws_athena_database.tap_stack_log_analytics_database.name}"
    assert table["table_type"] == "EXTERNAL_TABLE"
    assert table["partition_keys"] == [
        {"name": "day", "type": "string", "comment": "UTC day the archive received the record (yyyy-MM-dd)"}
    ]
    assert table["parameters"] == {
        "classification": "json",
        "projection.enabled": "true",
        "projection.day.type": "date",
        "projection.day.format": "yyyy-MM-dd",
        "projection.day.range": "NOW-400DAYS,NOW",
        "projection.day.interval": "1",
        "projection.day.interval.unit": "DAYS",
        "storage.location.template": "s3://tap-dev-logs-archive/cloudwatch-logs/events/day=$${day}/",
    }
    storage = table["storage_descriptor"]
    assert storage["location"] == "s3://tap-dev-logs-archive/cloudwatch-logs/events/"
    assert storage["ser_de_info"] == {
        "serialization_library": "org.openx.data.jsonserde.JsonSerDe",
        "parameters": {"ignore.malformed.json": "true"},
    }
    names = [c["name"] for c in storage["columns"]]
    assert len(names) == len(set(names)) and all(name == name.lower() for name in names)
    assert {"resourcepath", "httpmethod", "status", "responselatency", "tenant", "principal"} <= set(names)


def test_every_named_query_is_saved_in_the_workgroup_over_the_table_and_a_recent_window(resources):
    queries = resources["aws_athena_named_query"]
    assert sorted(queries) == [
        "tap_stack_log_analytics_errors_by_route",
        "tap_stack_log_analytics_function_errors",
        "tap_stack_log_analytics_latency_by_route",
        "tap_stack_log_analytics_requests_by_caller_and_tenant",
    ]
    for query in queries.values():
        assert query["workgroup"] == "${aws_athena_workgroup.tap_stack_log_analytics.name}"
        assert query["database"] == "${aws_glue_catalog_table.tap_stack_log_analytics_events.database_name}"
        assert (
            "FROM log_events\nWHERE day >= date_format(current_date - interval '7' day, '%Y-%m-%d')" in query["query"]
        )
