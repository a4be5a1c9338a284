"""Log analytics: the region's log archive as an Athena table, with the queries operators ask, in a
workgroup whose results are always encrypted with the stack's key in their own secure bucket.

- The archive (`modules/audit_logs.py`) holds one log record per line, under a date partition.
  `log_events` reads it through the JSON SerDe: keys match columns whatever their case (`requestId`
  is `requestid`), and a line that is not JSON (Lambda's START/END/REPORT lines) is a row of nulls,
  not a failed query. Its columns are the API Gateway access log's fields (`modules.rest_api`) and
  the functions' Powertools records; `status` is both, so it is a string (`try_cast` it).
- Partition projection: Athena computes the `day` partitions from the table's properties (no
  crawler, no `MSCK REPAIR`), back as far as the archive keeps objects.
- Named queries, each over the last `QUERY_WINDOW_DAYS` days' partitions only: errors and 5xx by
  route, function errors, requests by caller and tenant, latency percentiles by route.
- The workgroup enforces its configuration, so no client setting can send results elsewhere or
  unencrypted; it publishes query metrics to CloudWatch.

Objects archived before the archive was delivered one record per line (gzip batches directly under
`cloudwatch-logs/YYYY/`) are outside the table's location and stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from lambda_src.shared import tap_contract
from modules.account import AwsAccount
from modules.audit_logs import DAY_FORMAT, EVENTS_PREFIX, PARTITION_KEY
from modules.rest_api import ACCESS_LOG_FIELDS
from modules.secure_bucket import SecureBucket, SecureBucketProps
from tapgen.aws import aws

RESULTS_PREFIX = "results/"
ENCRYPTION = "SSE_KMS"
TABLE = "log_events"
QUERY_WINDOW_DAYS = 7
# Athena User Guide, "JSON SerDe libraries" (OpenX: keys case-insensitive by default,
# `ignore.malformed.json`) and "Partition projection" (`date` type, `NOW-<n>DAYS` ranges).
SERDE = "org.openx.data.jsonserde.JsonSerDe"
INPUT_FORMAT = "org.apache.hadoop.mapred.TextInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"


@dataclass(frozen=True)
class Column:
    """A column of `log_events`: a Glue column name (lowercase), its Hive type and what it holds."""

    name: str
    type: str
    comment: str


# API Gateway writes every access log field as a string ("-" where the request has no value).
ACCESS_LOG_COLUMNS = tuple(
    Column(key.lower(), "string", f"API access log: {value}") for key, value in sorted(ACCESS_LOG_FIELDS.items())
)
# Powertools' standard keys, then the request record's (`lambda_src/shared/tap_http/resolver.py`)
# and the error fields the functions add; `status` is the access log's column.
FUNCTION_LOG_COLUMNS = (
    Column("level", "string", "Function log: INFO, WARNING, ERROR, ..."),
    Column("message", "string", f"Function log: the message ('{tap_contract.REQUEST_LOG_MESSAGE}' for a request)"),
    Column("timestamp", "string", "Function log: when it was written"),
    Column("service", "string", "Function log: the function's service name"),
    Column("location", "string", "Function log: module, function and line"),
    Column("function_name", "string", "Function log: the Lambda function"),
    Column("function_request_id", "string", "Function log: the Lambda invocation"),
    Column("cold_start", "boolean", "Function log: first invocation of this execution environment"),
    Column("xray_trace_id", "string", "Function log: the X-Ray trace"),
    Column("method", "string", "Request record: HTTP method"),
    Column("route", "string", "Request record: the API resource, e.g. /items/{id}"),
    Column("path", "string", "Request record: the request path"),
    Column("latency_ms", "double", "Request record: milliseconds in the function"),
    Column("tenant", "string", "Request record: the X-Tenant-Id asked for, if well-formed"),
    Column("principal", "string", "Request record: the signed caller (IAM ARN)"),
    Column("request_id", "string", "Request record: API Gateway's request id"),
    Column("error", "string", "Function log: the error a warning or error reports"),
    Column("exception", "string", "Function log: the traceback of an unexpected error"),
    Column("exception_name", "string", "Function log: the unexpected error's type"),
)
COLUMNS = ACCESS_LOG_COLUMNS + FUNCTION_LOG_COLUMNS


@dataclass(frozen=True)
class NamedQuery:
    """A saved query of the workgroup; `key` names its Terraform resource."""

    key: str
    name: str
    description: str
    sql: str


_RECENT = f"{PARTITION_KEY} >= date_format(current_date - interval '{QUERY_WINDOW_DAYS}' day, '%Y-%m-%d')"
_STATUS = "try_cast(status AS integer)"
_GATEWAY_LATENCY = "try_cast(responselatency AS double)"
QUERIES = (
    NamedQuery(
        "errors_by_route",
        "Errors and 5xx by route",
        f"API Gateway responses with status 4xx or 5xx by route and method, last {QUERY_WINDOW_DAYS} days",
        f"""SELECT resourcepath AS route, httpmethod AS method, count(*) AS requests,
       count_if({_STATUS} BETWEEN 400 AND 499) AS client_errors,
       count_if({_STATUS} >= 500) AS server_errors
FROM {TABLE}
WHERE {_RECENT} AND httpmethod IS NOT NULL
GROUP BY resourcepath, httpmethod
HAVING count_if({_STATUS} >= 400) > 0
ORDER BY server_errors DESC, client_errors DESC, route, method""",
    ),
    NamedQuery(
        "function_errors",
        "Function errors",
        f"The functions' ERROR and CRITICAL records by function and message, last {QUERY_WINDOW_DAYS} days",
        f"""SELECT function_name, level, message, count(*) AS records, max("timestamp") AS last_seen
FROM {TABLE}
WHERE {_RECENT} AND level IN ('ERROR', 'CRITICAL')
GROUP BY function_name, level, message
ORDER BY records DESC, function_name, message""",
    ),
    NamedQuery(
        "requests_by_caller_and_tenant",
        "Requests by caller and tenant",
        f"Requests the functions answered by signed caller and tenant, with refusals, last {QUERY_WINDOW_DAYS} days",
        f"""SELECT principal, tenant, count(*) AS requests,
       count_if({_STATUS} = 403) AS forbidden,
       count_if({_STATUS} >= 500) AS server_errors
FROM {TABLE}
WHERE {_RECENT} AND message = '{tap_contract.REQUEST_LOG_MESSAGE}'
GROUP BY principal, tenant
ORDER BY requests DESC, principal, tenant""",
    ),
    NamedQuery(
        "latency_by_route",
        "Latency percentiles by route",
        f"API Gateway response latency (ms) p50, p90, p99 and max by route and method, last {QUERY_WINDOW_DAYS} days",
        f"""SELECT resourcepath AS route, httpmethod AS method, count(*) AS requests,
       approx_percentile({_GATEWAY_LATENCY}, 0.5) AS p50_ms,
       approx_percentile({_GATEWAY_LATENCY}, 0.9) AS p90_ms,
       approx_percentile({_GATEWAY_LATENCY}, 0.99) AS p99_ms,
       max({_GATEWAY_LATENCY}) AS max_ms
FROM {TABLE}
WHERE {_RECENT} AND httpmethod IS NOT NULL
GROUP BY resourcepath, httpmethod
ORDER BY p99_ms DESC, route, method""",
    ),
)


@dataclass(frozen=True, kw_only=True)
class LogAnalyticsProps:
    """Expressions: `workgroup_name` (1-128 of `A-Za-z0-9._-`), `database_name` (lowercase letters,
    digits and `_` only, as Athena requires), `results_bucket_name`, `log_bucket_name` (the archive's
    bucket), `archive_retention_days` (how far back partitions can exist) and
    `results_expiration_days` (at least 1: the bucket is short-lived, see `SecureBucketProps`)."""

    name: str
    workgroup_name: str
    database_name: str
    results_bucket_name: str
    results_expiration_days: float | str
    log_bucket_name: str
    archive_retention_days: str
    kms_key_arn: str
    account: AwsAccount
    force_destroy: object = False  # `SecureBucketProps.force_destroy` of its bucket


class LogAnalytics(Construct):
    """Outputs: `workgroup` (`aws_athena_workgroup`), `workgroup_name`, `database`
    (`aws_athena_database`), `database_name`, `table` (`aws_glue_catalog_table`), `queries`
    (`aws_athena_named_query` by key), `results_bucket` (a `SecureBucket`)."""

    def __init__(self, scope: Construct, props: LogAnalyticsProps) -> None:
        super().__init__(scope, props.name)
        self.results_bucket = SecureBucket(
            self,
            SecureBucketProps(
                force_destroy=props.force_destroy,
                name=f"{props.name}_results",
                bucket_name=props.results_bucket_name,
                kms_key_arn=props.kms_key_arn,
                expiration_days=props.results_expiration_days,
                short_lived=True,
            ),
        )
        self.workgroup = self._workgroup(props)
        self.workgroup_name = self.workgroup.name
        self.database = aws.athena_database.AthenaDatabase(
            self,
            f"{props.name}_database",
            name=props.database_name,
            comment=f"Archived Lambda and API Gateway logs: s3://{props.log_bucket_name}/{EVENTS_PREFIX}",
            # Creating and dropping the database are Athena queries; their results land here,
            # encrypted like every other query's.
            bucket=self.results_bucket.name,
            encryption_configuration=aws.athena_database.AthenaDatabaseEncryptionConfiguration(
                encryption_option=ENCRYPTION, kms_key=props.kms_key_arn
            ),
            expected_bucket_owner=props.account.account_id,
            depends_on=self.results_bucket.ready,
        )
        self.database_name = self.database.name
        self.table = self._table(props)
        self.queries = {
            query.key: aws.athena_named_query.AthenaNamedQuery(
                self,
                f"{props.name}_{query.key}",
                name=query.name,
                description=query.description,
                workgroup=self.workgroup.name,
                database=self.table.database_name,
                query=query.sql,
            )
            for query in QUERIES
        }

    def _table(self, props: LogAnalyticsProps):
        t = aws.glue_catalog_table
        location = f"s3://{props.log_bucket_name}/{EVENTS_PREFIX}"
        projection = f"projection.{PARTITION_KEY}"
        return t.GlueCatalogTable(
            self,
            f"{props.name}_events",
            name=TABLE,
            database_name=self.database.name,
            description="The archived log records, one JSON document per line, by the UTC day they arrived",
            table_type="EXTERNAL_TABLE",
            parameters={
                "classification": "json",
                "projection.enabled": "true",
                f"{projection}.type": "date",
                f"{projection}.format": DAY_FORMAT,
                f"{projection}.range": f"NOW-{props.archive_retention_days}DAYS,NOW",
                f"{projection}.interval": "1",
                f"{projection}.interval.unit": "DAYS",
                # `$${` is Terraform's escape for a literal `${`, which Athena substitutes.
                "storage.location.template": f"{location}{PARTITION_KEY}=$${{{PARTITION_KEY}}}/",
            },
            partition_keys=[
                t.GlueCatalogTablePartitionKeys(
                    name=PARTITION_KEY, type="string", comment=f"UTC day the archive received the record ({DAY_FORMAT})"
                )
            ],
            storage_descriptor=t.GlueCatalogTableStorageDescriptor(
                location=location,
                input_format=INPUT_FORMAT,
                output_format=OUTPUT_FORMAT,
                ser_de_info=t.GlueCatalogTableStorageDescriptorSerDeInfo(
                    serialization_library=SERDE, parameters={"ignore.malformed.json": "true"}
                ),
                columns=[
                    t.GlueCatalogTableStorageDescriptorColumns(name=c.name, type=c.type, comment=c.comment)
                    for c in COLUMNS
                ],
            ),
        )

    def _workgroup(self, props: LogAnalyticsProps):
        wg = aws.athena_workgroup
        return wg.AthenaWorkgroup(
            self,
            props.name,
            name=props.workgroup_name,
            description="TAP stack log analytics: results encrypted with the stack key",
            configuration=wg.AthenaWorkgroupConfiguration(
                enforce_workgroup_configuration=True,
                publish_cloudwatch_metrics_enabled=True,
                result_configuration=wg.AthenaWorkgroupConfigurationResultConfiguration(
                    output_location=f"s3://{self.results_bucket.name}/{RESULTS_PREFIX}",
                    encryption_configuration=wg.AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option=ENCRYPTION, kms_key_arn=props.kms_key_arn
                    ),
                    # Results are never written to a bucket of the same name in another account.
                    expected_bucket_owner=props.account.account_id,
                ),
            ),
        )
