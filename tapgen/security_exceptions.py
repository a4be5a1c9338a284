"""Every exception to a security check, each with its reason. Nothing is exempt anywhere else.

- `WILDCARD_RESOURCE_ACTIONS`: IAM actions that may be granted on `Resource = "*"` in an identity
  policy, because AWS offers no resource-level permission for them.
- `CHECKOV_SKIPS`: checkov checks that the generated configuration deliberately does not satisfy.
"""

WILDCARD_RESOURCE_ACTIONS: dict[str, str] = {
    "xray:PutTraceSegments": "X-Ray trace ingestion has no resource-level permissions (Service Authorization Reference).",
    "xray:PutTelemetryRecords": "X-Ray telemetry ingestion has no resource-level permissions.",
    "xray:GetSamplingRules": "X-Ray sampling rules are read account-wide by the SDK; no resource-level permissions.",
    "xray:GetSamplingTargets": "X-Ray sampling targets have no resource-level permissions.",
    "cloudwatch:PutMetricData": (
        "CloudWatch metric publishing has no resource-level permissions; grants are narrowed by the "
        "cloudwatch:namespace condition instead."
    ),
}

CHECKOV_SKIPS: dict[str, str] = {
    "CKV_AWS_18": (
        "S3 access logging: the log bucket is itself the audit destination; logging it into itself "
        "would loop. Its object-level activity is covered by CloudTrail data events in the account."
    ),
    "CKV_AWS_144": (
        "S3 cross-region replication: the core stack is single-region; replication arrives with the "
        "multi-region feature, where a second region exists to replicate to."
    ),
    "CKV2_AWS_62": "S3 event notifications: nothing consumes events of the log bucket; it only receives audit logs.",
    "CKV_AWS_116": (
        "Lambda dead-letter queue: both functions are invoked synchronously by API Gateway, which "
        "returns the error to the caller; a DLQ only applies to asynchronous invocations."
    ),
    "CKV_AWS_117": (
        "Lambda in a VPC: the functions reach only DynamoDB, EventBridge and X-Ray over AWS endpoints; "
        "the VPC with endpoints is the compliance feature, not part of the core stack."
    ),
    "CKV_AWS_272": (
        "Lambda code signing: the archives are built reproducibly by this project and pinned by "
        "source_code_hash; AWS Signer profiles are not available offline and belong to the pipeline."
    ),
    "CKV2_AWS_57": (
        "Secrets Manager rotation: the secret is created without a value (no secret version), so "
        "there is nothing to rotate yet; the rotation Lambda is the compliance feature."
    ),
    "CKV2_AWS_29": (
        "WAF on the REST API: the core contract restricts callers by IAM auth and a source-IP resource "
        "policy; a WAF web ACL on the stage is the multi-region feature."
    ),
    "CKV_AWS_120": (
        "API Gateway caching is a deploy-time choice (var.api_cache_enabled, default on); checkov reads "
        "the variable reference as unknown."
    ),
    "CKV2_AWS_51": (
        "API Gateway client certificate: the backend is Lambda through AWS_PROXY, not an HTTP endpoint "
        "that could verify a client certificate."
    ),
    "CKV2_AWS_77": "Log4j WAF rule: Python functions, and no WAF in the core stack (see CKV2_AWS_29).",
}
