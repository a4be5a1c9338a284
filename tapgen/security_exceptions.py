"""Every exception to a security check, each with its reason. Nothing is exempt anywhere else.

- `WILDCARD_RESOURCE_ACTIONS`: IAM actions that may be granted on `Resource = "*"` in an identity
  policy, because AWS offers no resource-level permission for them.
- `CHECKOV_SKIPS`: checkov checks that the generated configuration deliberately does not satisfy.
  A test runs checkov without them and requires each one to still be needed.
- `CHECKOV_PLAN_SKIPS`: checks that fire only on a plan (`terraform show -json`, where variables
  have values) and that a representative deployment deliberately does not satisfy. The plan scan
  skips both lists; a test requires each plan skip to fail on the plan and not on the configuration.
"""

WILDCARD_RESOURCE_ACTIONS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray trace ingestion has no resource-level permissions (Service Authorization Ref.).",
    "xray:PutTelemetryRecords": "X-Ray telemetry ingestion has no resource-level permissions.",
    "cloudwatch:PutMetricData": (
        "CloudWatch PutMetricData has no resource-level permissions (Service Authorization Reference); "
        "the health canary's role is limited by the condition cloudwatch:namespace = CloudWatchSynthetics."
    ),
    "logs:DescribeLogGroups": (
        "CloudWatch Logs lists log groups only on Resource '*' (no resource-level permission; on "
        "log-group ARNs it is never allowed). The API Gateway logging role needs it to find the "
        "groups it writes to; it reveals names and settings, never log events."
    ),
}

CHECKOV_SKIPS: dict[str, str] = {
    "CKV_AWS_18": (
        "S3 access logging on the log bucket: it is itself the audit destination; logging it into "
        "itself would loop, and a second bucket would only move the question."
    ),
    "CKV2_AWS_62": "S3 event notifications: nothing consumes events of the log bucket; it only receives audit logs.",
    "CKV_AWS_144": (
        "S3 cross-region replication: the core stack is single-region; replication arrives with the "
        "multi-region feature, which has a second region to replicate to."
    ),
    "CKV_AWS_59": (
        "Open API method: GET /health is unauthenticated by contract (Route 53 health checks and "
        "canaries cannot sign requests). tapgen.rules.api_methods_require_iam keeps every other "
        "method on AWS_IAM except the CORS preflights (OPTIONS, which browsers send unsigned and "
        "checkov itself exempts), which tapgen.rules.api_preflights_are_open_mocks keeps on MOCK "
        "integrations that reach no backend; the resource policy still limits every caller, "
        "preflights included, to allowed_ip_ranges."
    ),
    "CKV_AWS_225": (
        "Method caching: the /health method settings disable caching on purpose, so a cached 200 "
        "never hides an outage; the stage-wide cache is var.api_cache_enabled."
    ),
    "CKV2_AWS_51": (
        "API Gateway client certificate: the backend is Lambda through AWS_PROXY, not an HTTP "
        "endpoint that could verify a client certificate."
    ),
    "CKV2_AWS_29": (
        "WAF on the REST API stage: the core contract restricts callers by IAM auth and a source-IP "
        "resource policy; the WAF web ACL on the stage is the multi-region feature."
    ),
    "CKV_AWS_116": (
        "Lambda dead-letter queue: both functions are invoked synchronously by API Gateway, which "
        "returns the error to the caller; a DLQ applies only to asynchronous invocations."
    ),
    "CKV_AWS_117": (
        "Lambda in a VPC: the functions reach only DynamoDB, EventBridge and X-Ray AWS endpoints; "
        "the VPC with endpoints is the compliance feature, not part of the core stack."
    ),
    "CKV_AWS_115": (
        "Lambda reserved concurrency: load is capped upstream by the stage throttling "
        "(api_throttle_rate_limit / api_throttle_burst_limit); a reservation carves capacity out "
        "of the account pool and fails to apply on accounts with fewer than 100 unreserved."
    ),
    "CKV_AWS_272": (
        "Lambda code signing is not used: no AWS Signer profile or code-signing configuration, so "
        "Lambda does not verify who built an archive. What is protected: each function's plan "
        "fails (lifecycle precondition, naming the file) when its archive on disk is not "
        "byte-identical to the one synthesized with the configuration, so an archive swapped or "
        "edited in the bundle is refused. What is not: a compromised build or synth machine "
        "produces archive and hash together, and whoever can edit the bundle can change both "
        "the archive and its hash in tap_stack.tf.json; the precondition accepts either."
    ),
    "CKV_AWS_304": (
        "Secrets Manager rotation within 90 days: the period is var.secret_rotation_days, which the "
        "configuration alone cannot show; its validation allows 1-90 days only, and the plan scan, "
        "where the variable has a value, passes this check."
    ),
}

CHECKOV_PLAN_SKIPS: dict[str, str] = {
    "CKV_AWS_120": (
        "API Gateway stage caching: a deploy-time choice, var.api_cache_enabled, off by default "
        "(a cache cluster is billed per hour and cached reads may be stale for up to "
        "api_cache_ttl_seconds after a write). The configuration scan cannot see the variable's "
        "value; the plan with default values can, and reports the cache as off."
    ),
}
