"""The metrics AWS services publish, as their documentation lists them: for each namespace the stack
alarms in, the metric names and the sets of dimensions each metric is published with. CloudWatch
accepts an alarm on any name and dimensions, published or not, and such an alarm never leaves
INSUFFICIENT_DATA (or, treating missing data as good, never fires): the emulator cannot tell.

Sources (each service's "metrics and dimensions" page):
- API Gateway: https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html
- DynamoDB: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html
- Lambda: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
- EventBridge: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-monitoring.html
- Data Firehose: https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-metrics.html
- Kinesis Data Streams: https://docs.aws.amazon.com/streams/latest/dev/monitoring-with-cloudwatch.html
- DAX: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/dax-metrics-dimensions-dax.html
- ElastiCache: https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.HostLevel.html and
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html (each node's
  metrics); the dimensions: a member cluster (`CacheClusterId`, as AWS's recommended alarms use it:
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#ElastiCache)
  or one of its nodes (`CacheClusterId` and `CacheNodeId`:
  https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CloudWatchMetrics.html).
- Synthetics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Canaries_metrics.html
"""

from __future__ import annotations

from collections.abc import Iterable


def _published(metrics: Iterable[str], *dimension_sets: tuple[str, ...]) -> dict[str, frozenset[frozenset[str]]]:
    return {metric: frozenset(frozenset(dimensions) for dimensions in dimension_sets) for metric in metrics}


API_GATEWAY_STAGE = (("ApiName",), ("ApiName", "Stage"), ("ApiName", "Method", "Resource", "Stage"))
DYNAMODB_TABLE = (("TableName",), ("TableName", "GlobalSecondaryIndexName"))
LAMBDA_FUNCTION = ((), ("FunctionName",), ("FunctionName", "Resource"), ("FunctionName", "Resource", "ExecutedVersion"))

PUBLISHED: dict[str, dict[str, frozenset[frozenset[str]]]] = {
    "AWS/ApiGateway": _published(
        ("4XXError", "5XXError", "CacheHitCount", "CacheMissCount", "Count", "IntegrationLatency", "Latency"),
        *API_GATEWAY_STAGE,
    ),
    "AWS/DynamoDB": {
        **_published(
            (
                "ConsumedReadCapacityUnits",
                "ConsumedWriteCapacityUnits",
                "ProvisionedReadCapacityUnits",
                "ProvisionedWriteCapacityUnits",
                "ReadThrottleEvents",
                "WriteThrottleEvents",
            ),
            *DYNAMODB_TABLE,
        ),
        **_published(("SystemErrors", "ThrottledRequests", "UserErrors"), ("TableName", "Operation"), ()),
        **_published(("ReplicationLatency",), ("TableName", "ReceivingRegion")),
    },
    "AWS/Lambda": {
        **_published(
            ("ConcurrentExecutions", "Duration", "Errors", "Invocations", "Throttles"),
            *LAMBDA_FUNCTION,
        ),
        **_published(
            (
                "ProvisionedConcurrencyInvocations",
                "ProvisionedConcurrencySpilloverInvocations",
                "ProvisionedConcurrencyUtilization",
                "ProvisionedConcurrentExecutions",
            ),
            ("FunctionName", "Resource"),
        ),
        **_published(("ClaimedAccountConcurrency", "UnreservedConcurrentExecutions"), ()),
    },
    "AWS/Events": _published(
        ("FailedInvocations", "Invocations", "MatchedEvents", "TriggeredRules"),
        ("RuleName",),
        ("EventBusName", "RuleName"),
    ),
    "AWS/Firehose": _published(
        ("DeliveryToS3.DataFreshness", "DeliveryToS3.Records", "DeliveryToS3.Success", "IncomingRecords"),
        ("DeliveryStreamName",),
    ),
    "AWS/DAX": _published(
        (
            "CacheMemoryUtilization",
            "CPUUtilization",
            "ErrorRequestCount",
            "EvictedSize",
            "FailedRequestCount",
            "FaultRequestCount",
            "TotalRequestCount",
        ),
        ("ClusterId",),
        ("ClusterId", "NodeId"),
    ),
    "AWS/ElastiCache": _published(
        (
            "CPUUtilization",
            "CacheHits",
            "CacheMisses",
            "CurrConnections",
            "DatabaseMemoryUsagePercentage",
            "EngineCPUUtilization",
            "Evictions",
            "FreeableMemory",
            "NewConnections",
            "ReplicationLag",
        ),
        ("CacheClusterId",),
        ("CacheClusterId", "CacheNodeId"),
    ),
    "AWS/Kinesis": _published(
        (
            "GetRecords.IteratorAgeMilliseconds",
            "IncomingRecords",
            "PutRecords.ThrottledRecords",
            "ReadProvisionedThroughputExceeded",
            "WriteProvisionedThroughputExceeded",
        ),
        ("StreamName",),
    ),
    "CloudWatchSynthetics": _published(("Duration", "Failed", "SuccessPercent"), ("CanaryName",)),
}
