"""Every exception to a security check, each with its reason. Nothing is exempt anywhere else.

- `WILDCARD_RESOURCE_ACTIONS`: IAM actions that may be granted on `Resource = "*"` in an identity
  policy, because AWS offers no resource-level permission for them.
- `CHECKOV_SKIPS`: checkov findings that the generated configuration deliberately does not
  satisfy. Each skip names its check, the resources it covers (Terraform addresses: a primary one,
  `aws_s3_bucket.tap_stack_logs`, covers its `_secondary`/`_tertiary` copies too; one with a region
  suffix covers only itself) and the option values where it applies (`where`, by shape option of
  `tapgen.config.OPTIONS`; an option not named: every value), so a finding is exempt only where its
  reason is true. The bundles carry them where checkov reads suppressions
  (`tapgen.security.suppressions`). Tests scan every proven combination and require zero findings
  no skip covers, and every skip to cover exactly the resources that fail its check there.
- `CHECKOV_PLAN_SKIPS`: findings only on a plan (`terraform show -json`, where variables have
  values) that a representative deployment deliberately does not satisfy; a test requires each to
  fail on the plan and not on the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tapgen.combinations import OPTION_KEYS
from tapgen.config import OPTION

_SUFFIXES = ("_secondary", "_tertiary")

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
    "ec2:DescribeNetworkInterfaces": (
        "EC2 Describe* actions have no resource-level permissions (Service Authorization Reference), and "
        "Lambda's VPC attachment needs this one on Resource '*' (Lambda Developer Guide, VPC permissions). "
        "It only reads network-interface metadata; creating, deleting and addressing interfaces is limited "
        "to the function's own VPC by ec2:Vpc."
    ),
}


# Roles (by Terraform name) that the permission boundary does not cap.
BOUNDARY_EXEMPT_ROLES: dict[str, str] = {
    "tap_stack_config_role": (
        "The AWS Config recorder (account_controls=on) reads every resource type of the account through the "
        "AWS managed policy service-role/AWS_ConfigRole, whose actions AWS extends as Config supports new types; "
        "capped by the stack's boundary (the services of the stack's own roles) it would silently stop recording "
        "everything else. It may write only to the Config bucket, and is the AWS Config service's role."
    ),
    "tap_stack_config_remediation_role": (
        "AWS Config runs AWS-owned runbooks as this role (account_controls=on) on any resource its rules find "
        "in the region, and those rules judge every key, table and bucket of the account there, not only the "
        "stack's, which the boundary confines its roles to. Its own policy grants only what the runbooks' steps "
        "call (tapgen/aws_rules/remediations.py), and only Systems Manager in this account may assume it."
    ),
}


@dataclass(frozen=True)
class CheckovSkip:
    check_id: str
    reason: str
    resources: tuple[str, ...]  # Terraform addresses (`data.<type>.<name>` for a data source)
    # The option values it applies to, by option name (`tapgen.config.OPTIONS`); an option not named
    # here: every value.
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.resources:
            raise ValueError(f"{self.check_id}: name the resources it covers")
        if "\n" in self.reason:
            raise ValueError(f"{self.check_id}: a reason is one line (an inline checkov comment)")
        for name, values in self.where.items():
            if name not in OPTION_KEYS:
                raise ValueError(f"{self.check_id}: unknown option {name!r} (options: {', '.join(OPTION_KEYS)})")
            unknown = [value for value in values if value not in OPTION[name].values]
            if unknown:
                raise ValueError(
                    f"{self.check_id}: {name}={unknown[0]!r} is not a value of {name} "
                    f"(values: {', '.join(OPTION[name].values)})"
                )

    def applies_to(self, options: Mapping[str, str]) -> bool:
        """`options`: every option's value (`tapgen.combinations.options`)."""
        return all(options[name] in values for name, values in self.where.items())

    def covers(self, resource: str) -> bool:
        """Whether this skip exempts `resource` (an address such as `aws_s3_bucket.x_secondary[0]`)."""
        address = resource.split("[", 1)[0]
        return address in self.resources or primary_address(address) in self.resources


def boundary_exempt(role: str) -> bool:
    """Whether `role` (an `aws_iam_role`'s Terraform name, in any region) is in `BOUNDARY_EXEMPT_ROLES`."""
    return primary_address(role) in BOUNDARY_EXEMPT_ROLES


def primary_address(resource: str) -> str:
    """`aws_s3_bucket.tap_stack_logs_secondary[0]` -> `aws_s3_bucket.tap_stack_logs` (a bare Terraform
    name likewise: `tap_stack_config_role_tertiary` -> `tap_stack_config_role`)."""
    address = resource.split("[", 1)[0]
    for suffix in _SUFFIXES:
        if address.endswith(suffix):
            return address[: -len(suffix)]
    return address


def checkov_skips_for(
    options: Mapping[str, str], skips: tuple[CheckovSkip, ...] | None = None
) -> tuple[CheckovSkip, ...]:
    """The skips that apply to one synth combination (`CHECKOV_SKIPS` unless `skips` is given)."""
    return tuple(s for s in (CHECKOV_SKIPS if skips is None else skips) if s.applies_to(options))


LOG_BUCKETS = ("aws_s3_bucket.tap_stack_logs",)
CANARY_BUCKETS = ("aws_s3_bucket.tap_stack_canary_artifacts",)
ATHENA_BUCKETS = ("aws_s3_bucket.tap_stack_log_analytics_results",)
TRAIL_BUCKETS = ("aws_s3_bucket.tap_stack_trail_logs",)
CONFIG_BUCKETS = ("aws_s3_bucket.tap_stack_config_logs",)
# The trail's bucket (compliance=on) and the AWS Config bucket (account_controls=on).
AUDIT_BUCKET_REASONS = {
    "CKV_AWS_18": (
        "S3 access logging on the trail's and the AWS Config buckets: they are audit destinations written only "
        "by CloudTrail and Config; the trail's data events already record object-level access to the stack's "
        "log buckets, and server access logs cannot be delivered to an SSE-KMS bucket, which every bucket of "
        "the stack is."
    ),
    "CKV2_AWS_62": (
        "S3 event notifications on the trail's and the AWS Config buckets: nothing consumes their object "
        "events; the trail also delivers to CloudWatch Logs, where alarms can watch it."
    ),
    "CKV_AWS_144": (
        "S3 cross-region replication of the trail's and the AWS Config buckets: the trail's bucket exists once, "
        "in the primary region, and each region's Config delivers to that region's own bucket; the trail is "
        "multi-region, its log files are integrity-checked by digest files and also delivered to CloudWatch "
        "Logs, and Config re-delivers a configuration snapshot every day."
    ),
}

ZONES_REASON = (
    "Availability zones from an allow-list of zone names: the private subnets take the first two "
    "zones the region offers without opt-in (a data source, never hard-coded names, so the stack works "
    "in every region); Local and Wavelength Zones are excluded by the opt-in filter."
)
NETWORK_ZONES = ("data.aws_availability_zones.tap_stack_network_zones",)
FUNCTIONS = tuple(f"aws_lambda_function.{name}" for name in ("tap_stack_lambda", "tap_stack_health_lambda"))
ROTATION_FUNCTION = ("aws_lambda_function.tap_stack_rotation_lambda",)
STAGES = ("aws_api_gateway_stage.tap_stack_stage",)
METHOD_SETTINGS = tuple(
    f"aws_api_gateway_method_settings.{name}"
    for name in (
        "tap_stack_method_settings",
        "tap_stack_api_health_method_settings",
        "tap_stack_api_metrics_method_settings",
    )
)
CHECKOV_SKIPS: tuple[CheckovSkip, ...] = (
    *(
        CheckovSkip(check, reason, buckets, where=where)
        for buckets, where in (
            (TRAIL_BUCKETS, {"compliance": ("on",)}),
            (CONFIG_BUCKETS, {"account_controls": ("on",)}),
        )
        for check, reason in AUDIT_BUCKET_REASONS.items()
    ),
    CheckovSkip(
        "CKV_AWS_252",
        "An SNS topic on the trail (a message per delivered log file): nothing consumes such messages, which "
        "say nothing of what the files contain; the trail's events go to CloudWatch Logs, where alarms watch them.",
        ("aws_cloudtrail.tap_stack_trail",),
        where={"compliance": ("on",)},
    ),
    # The private network exists with compliance=on, and for a cache with compliance=off.
    CheckovSkip("CKV_AWS_394", ZONES_REASON, NETWORK_ZONES, where={"compliance": ("on",)}),
    CheckovSkip(
        "CKV_AWS_394", ZONES_REASON, NETWORK_ZONES, where={"compliance": ("off",), "cache": ("elasticache", "dax")}
    ),
    CheckovSkip(
        "CKV_AWS_18",
        "S3 access logging on the log bucket (and its replicas in the other regions): it is itself the "
        "audit destination; logging it into itself would loop, and a second bucket would only move the question.",
        LOG_BUCKETS,
    ),
    CheckovSkip(
        "CKV_AWS_18",
        "S3 access logging on the canary artifact buckets: only the region's canary execution role writes "
        "there, and each run's outcome is already in CloudWatch (SuccessPercent and the canary alarm). Access "
        "logs need a target bucket in the same region, and the stack has none per region that is not itself "
        "an audit archive (the log bucket receives Firehose deliveries only), so logging would add an "
        "unlogged bucket per region to record reads of disposable screenshots.",
        CANARY_BUCKETS,
    ),
    CheckovSkip(
        "CKV_AWS_18",
        "S3 access logging on the Athena results bucket: only Athena writes there, under the enforced "
        "workgroup configuration; who ran which query (and so read which result) is recorded by CloudTrail "
        "as Athena StartQueryExecution/GetQueryResults, a better audit record than object access logs.",
        ATHENA_BUCKETS,
    ),
    CheckovSkip(
        "CKV2_AWS_62",
        "S3 event notifications on the log bucket and its replicas: nothing consumes events of them; they "
        "only receive audit logs (and replicated copies).",
        LOG_BUCKETS,
    ),
    CheckovSkip(
        "CKV2_AWS_62",
        "S3 event notifications on the canary artifact buckets: nothing consumes the screenshots and logs a "
        "run writes; a failed run is signalled by the canary alarm on SuccessPercent, not by an object event.",
        CANARY_BUCKETS,
    ),
    CheckovSkip(
        "CKV2_AWS_62",
        "S3 event notifications on the Athena results bucket: the querying client reads results through "
        "GetQueryResults; nothing consumes object events of the result files.",
        ATHENA_BUCKETS,
    ),
    CheckovSkip(
        "CKV_AWS_144",
        "S3 cross-region replication with regions=1: the stack has one region, so there is no second "
        "region to replicate the log bucket (or the canary artifacts) to; with regions >= 2 the log bucket "
        "replicates to every other region with that region's key and this skip does not apply to it.",
        LOG_BUCKETS + CANARY_BUCKETS,
        where={"regions": ("1",)},
    ),
    CheckovSkip(
        "CKV_AWS_144",
        "S3 cross-region replication of the canary artifact buckets: every region has its own canary and "
        "bucket; the artifacts are disposable per-run output (expired by lifecycle), and a region's outage "
        "loses only that region's recent screenshots, which its canary regenerates on the next run.",
        CANARY_BUCKETS,
        where={"regions": ("2", "3")},
    ),
    CheckovSkip(
        "CKV_AWS_144",
        "S3 cross-region replication of the Athena results bucket: query results are derived data, "
        "re-created by re-running the query over the region's log archive (replicated into the other regions "
        "when the stack has several).",
        ATHENA_BUCKETS,
    ),
    CheckovSkip(
        "CKV2_AWS_29",
        "WAF on the REST API stage with waf=off: the synth-time option leaves the web ACL out on purpose "
        "(for example where an AWS Firewall Manager policy attaches the organisation's own); callers are "
        "still limited by AWS_IAM and the source-IP resource policy. With waf=on (the default) every "
        "region's stage is associated with its region's web ACL and this skip does not apply.",
        STAGES,
        where={"waf": ("off",)},
    ),
    CheckovSkip(
        "CKV_AWS_59",
        (
            "Open API method: GET /health is unauthenticated by contract (Route 53 health checks and "
            "canaries cannot sign requests). tapgen.security.rules.api_methods_require_iam keeps every other "
            "method on AWS_IAM except the CORS preflights (OPTIONS, which browsers send unsigned and "
            "checkov itself exempts), which tapgen.security.rules.api_preflights_are_open_mocks keeps on MOCK "
            "integrations that reach no backend; the resource policy still limits every caller, "
            "preflights included, to allowed_ip_ranges."
        ),
        ("aws_api_gateway_method.tap_stack_api_health_get",),
    ),
    CheckovSkip(
        "CKV_AWS_225",
        (
            "Method caching: API Gateway answers a cache hit before the function checks the caller's "
            "tenant grant, and an AWS_IAM identity cannot be part of a REST API cache key, so no method "
            "is cached (tapgen.security.rules.api_stage_never_caches_tenant_methods); /health is never cached either, "
            "so a cached 200 never hides an outage. Item caches behind the grant check: cache=elasticache|dax."
        ),
        METHOD_SETTINGS,
    ),
    CheckovSkip(
        "CKV_AWS_120",
        (
            "API Gateway stage caching: off, for the reason of CKV_AWS_225 (a cached response of a tenant-"
            "scoped method would skip the grant check); var.api_cache_enabled = true is refused at plan."
        ),
        STAGES,
    ),
    CheckovSkip(
        "CKV2_AWS_51",
        (
            "API Gateway client certificate: the backend is Lambda through AWS_PROXY, not an HTTP "
            "endpoint that could verify a client certificate."
        ),
        STAGES,
    ),
    CheckovSkip(
        "CKV_AWS_116",
        (
            "Lambda dead-letter queue: the API and health functions are invoked synchronously by API Gateway, "
            "which returns the error to the caller, and the rotation function by Secrets Manager, which records a "
            "failed rotation on the secret and retries it (its errors alarm fires); a DLQ applies only to "
            "asynchronous invocations."
        ),
        FUNCTIONS + ROTATION_FUNCTION,
    ),
    CheckovSkip(
        "CKV_AWS_117",
        (
            "Lambda in a VPC: the functions reach only AWS endpoints (DynamoDB, EventBridge, Secrets Manager, X-Ray); "
            "the VPC with endpoints is the compliance feature (compliance=on puts every function in it, as does a "
            "cache, which lives in it), not part of the core stack."
        ),
        FUNCTIONS + ROTATION_FUNCTION,
        where={"compliance": ("off",), "cache": ("none",)},
    ),
    CheckovSkip(
        "CKV_AWS_115",
        (
            "Lambda reserved concurrency on the health and rotation functions (the CRUD function's is "
            "var.lambda_reserved_concurrency, which checkov cannot judge): they serve a canary, health "
            "checks and a monthly rotation, and load on the API is capped upstream by the stage throttling "
            "(api_throttle_rate_limit / api_throttle_burst_limit); a reservation carves capacity out of the "
            "account pool and fails to apply on accounts with fewer than 100 unreserved."
        ),
        ("aws_lambda_function.tap_stack_health_lambda", *ROTATION_FUNCTION),
    ),
    CheckovSkip(
        "CKV_AWS_272",
        (
            "Lambda code signing is not used: no AWS Signer profile or code-signing configuration, so "
            "Lambda does not verify who built an archive. What is protected: each function's plan "
            "fails (lifecycle precondition, naming the file) when its archive on disk is not "
            "byte-identical to the one synthesized with the configuration, so an archive swapped or "
            "edited in the bundle is refused. What is not: a compromised build or synth machine "
            "produces archive and hash together, and whoever can edit the bundle can change both "
            "the archive and its hash in tap_stack.tf.json; the precondition accepts either."
        ),
        FUNCTIONS + ROTATION_FUNCTION,
    ),
    CheckovSkip(
        "CKV_AWS_304",
        (
            "Secrets Manager rotation within 90 days: the period is var.secret_rotation_days, which the "
            "configuration alone cannot show; its validation allows 1-90 days only, and the plan scan, "
            "where the variable has a value, passes this check."
        ),
        ("aws_secretsmanager_secret_rotation.tap_stack_secret_rotation",),
    ),
    CheckovSkip(
        "CKV2_AWS_50",
        (
            "ElastiCache automatic failover and multi-AZ are `var.cache_node_count > 1`: the default of 2 "
            "nodes turns both on, but the configuration scan cannot see the variable's value, and a "
            "single-node cache (allowed for small deployments) has no replica to fail over to, which "
            "ElastiCache refuses."
        ),
        ("aws_elasticache_replication_group.tap_stack_cache",),
        where={"cache": ("elasticache",)},
    ),
    CheckovSkip(
        "CKV2_AWS_48",
        (
            "Global resource types (IAM) recorded by AWS Config in the primary region only: the other regions' "
            'recorders record every supported regional type. AWS Config Developer Guide, "Selecting which '
            'resources AWS Config records": record global resources in one region, or every IAM change is '
            "recorded, and charged, once per region."
        ),
        tuple(f"aws_config_configuration_recorder.tap_stack_config_recorder{suffix}" for suffix in _SUFFIXES),
        where={"account_controls": ("on",), "regions": ("2", "3")},
    ),
)

# The plan scan runs on the default combination (regions=1, waf=on) only.
CHECKOV_PLAN_SKIPS: tuple[CheckovSkip, ...] = ()
