"""`terraform test` files generated per synth combination from the synthesized JSON.

The hand-written files in tftest/ pin the core contract; what depends on the combination (which
regions exist, whether WAF does) is generated here, so each region's assertions are the same
template applied to each region slot, and the name-length assertions cover every physical name
the synthesized configuration has (resource type -> name attribute -> AWS limit).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from modules.web_acl import RATE_RULE, TENANT_RATE_RULE
from tapgen.pipeline.bundle import minimal_tfvars

# Each region slot of the stack: resource suffix, provider alias, region variable.
SLOTS = (
    ("", None, "aws_region"),
    ("_secondary", "secondary", "secondary_region"),
    ("_tertiary", "tertiary", "tertiary_region"),
)

# The shared mocks (tftest/aws.tfmock.hcl) for the default provider and both aliases. Test files
# may declare aliases the configuration lacks, so one header serves every combination.
# `override_during = plan` gives computed attributes their mocked values at plan time, so a plan
# run can compare ARNs and ids (the 1.11 default leaves them unknown until apply).
HEADER = """\
mock_provider "aws" {
  source          = "./tests"
  override_during = plan
}
mock_provider "aws" {
  alias           = "secondary"
  source          = "./tests"
  override_during = plan
}
mock_provider "aws" {
  alias           = "tertiary"
  source          = "./tests"
  override_during = plan
}
"""

# Deploy-time values of the regional run: none of them the variable's default, so each assertion
# shows the variable really reaches its resource.
REGIONS = ("eu-west-1", "ap-southeast-2", "ca-central-1")
ENVIRONMENT = "prod"
API_IDS = ("a1prim0001", "b2seco0002", "c3tert0003")  # REST API ids are 10 characters
DOMAIN = "api.example.com"
ZONE = "Z0123456789ABCDEFGHIJ"


def _hcl(value) -> str:
    return json.dumps(value)


def _override(address: str, values: dict[str, object]) -> str:
    body = "\n".join(f"    {key} = {_hcl(value)}" for key, value in values.items())
    return (
        f"override_resource {{\n  target          = {address}\n  override_during = plan\n"
        f"  values = {{\n{body}\n  }}\n}}\n"
    )


def _assert(condition: str, message: str) -> str:
    return f"  assert {{\n    condition     = {condition}\n    error_message = {_hcl(message)}\n  }}\n"


def _run(name: str, variables: dict[str, object], asserts: list[str]) -> str:
    width = max(len(k) for k in variables)
    body = "\n".join(f"    {k.ljust(width)} = {_hcl(v)}" for k, v in variables.items())
    return f'run "{name}" {{\n  command = plan\n\n  variables {{\n{body}\n  }}\n\n' + "".join(asserts) + "}\n"


def _region_overrides(region_count: int, waf: bool) -> str:
    """Distinct per-region ARNs and ids, so `X == Y` proves X names its own region's Y."""
    out = []
    for index, (sfx, _alias, _var) in enumerate(SLOTS[:region_count]):
        region, api = REGIONS[index], API_IDS[index]
        out.append(
            _override(
                f"aws_api_gateway_rest_api.tap_stack_api{sfx}",
                {
                    "id": api,
                    "execution_arn": f"arn:aws:execute-api:{region}:123456789012:{api}",
                    "root_resource_id": "root",
                },
            )
        )
        out.append(
            _override(
                f"aws_api_gateway_stage.tap_stack_stage{sfx}",
                {
                    "arn": f"arn:aws:apigateway:{region}::/restapis/{api}/stages/{ENVIRONMENT}",
                    "invoke_url": f"https://{api}.execute-api.{region}.amazonaws.com/{ENVIRONMENT}",
                },
            )
        )
        key = f"0000000{index}-1111-2222-3333-444444444444"
        out.append(
            _override(
                f"aws_kms_key.tap_stack_kms{sfx}",
                {"arn": f"arn:aws:kms:{region}:123456789012:key/{key}", "key_id": key},
            )
        )
        if waf:
            out.append(
                _override(
                    f"aws_wafv2_web_acl.tap_stack_waf{sfx}",
                    {"arn": f"arn:aws:wafv2:{region}:123456789012:regional/webacl/tap-{ENVIRONMENT}-api/{key}"},
                )
            )
            out.append(
                _override(
                    f"aws_cloudwatch_log_group.tap_stack_waf_logs{sfx}",
                    {"arn": f"arn:aws:logs:{region}:123456789012:log-group:aws-waf-logs-tap-{ENVIRONMENT}"},
                )
            )
        if region_count > 1:
            out.append(_override(f"aws_s3_bucket.tap_stack_logs{sfx}", {"arn": f"arn:aws:s3:::acme-logs-{region}"}))
            out.append(
                _override(f"aws_route53_health_check.tap_stack_api_domain_health_check{sfx}", {"id": f"hc-{api}"})
            )
            out.append(
                _override(
                    f"aws_api_gateway_domain_name.tap_stack_api_domain{sfx}",
                    {
                        "regional_domain_name": f"d-{api}.execute-api.{region}.amazonaws.com",
                        "regional_zone_id": f"ZZONE{index}",
                    },
                )
            )
    return "\n".join(out)


def _region_asserts(region_count: int, waf: bool) -> list[str]:
    asserts = []
    for index, (sfx, _alias, var) in enumerate(SLOTS[:region_count]):
        region, api = REGIONS[index], API_IDS[index]
        where = f"{var} = {region}"
        canary = f"aws_synthetics_canary.tap_stack_canary{sfx}"
        stage = f"aws_api_gateway_stage.tap_stack_stage{sfx}"
        kms = f"aws_kms_key.tap_stack_kms{sfx}"
        asserts += [
            _assert(
                f'{canary}.run_config[0].environment_variables["API_URL"] == {stage}.invoke_url && '
                f'startswith({stage}.invoke_url, "https://{api}.execute-api.{region}.")',
                f"{where}: the canary must call its own region's stage.",
            ),
            _assert(
                f'startswith({canary}.runtime_version, "syn-python-selenium-") && '
                f'tonumber(split(".", split("-", {canary}.runtime_version)[3])[0]) >= 6 && {canary}.start_canary && '
                f'{canary}.schedule[0].expression == "rate(10 minutes)" && startswith({canary}.zip_file, "canary-")',
                f"{where}: a started syn-python-selenium >= 6.0 canary on the variable's schedule, "
                "content-addressed zip.",
            ),
            _assert(
                f"{canary}.artifact_s3_location == "
                f'"s3://${{aws_s3_bucket.tap_stack_canary_artifacts{sfx}.bucket}}/canary" && '
                f'strcontains(aws_s3_bucket.tap_stack_canary_artifacts{sfx}.bucket, "-{region}-") && '
                f"{canary}.artifact_config[0].s3_encryption[0].kms_key_arn == {kms}.arn && "
                f"{canary}.execution_role_arn == aws_iam_role.tap_stack_canary_role{sfx}.arn",
                f"{where}: canary artifacts go to this region's bucket under this region's key, run by its own role.",
            ),
        ]
        if waf:
            acl = f"aws_wafv2_web_acl.tap_stack_waf{sfx}"
            logging = f"aws_wafv2_web_acl_logging_configuration.tap_stack_waf_logging{sfx}"
            managed = (
                f"toset([for r in {acl}.rule : r.statement[0].managed_rule_group_statement[0].name "
                f"if length(r.statement[0].managed_rule_group_statement) > 0])"
            )

            limits = {
                rule: f'[for r in {acl}.rule : r.statement[0].rate_based_statement[0].limit if r.name == "{rule}"]'
                for rule in (RATE_RULE, TENANT_RATE_RULE)
            }
            asserts += [
                _assert(
                    f"aws_wafv2_web_acl_association.tap_stack_waf_association{sfx}.resource_arn == {stage}.arn && "
                    f"aws_wafv2_web_acl_association.tap_stack_waf_association{sfx}.web_acl_arn == {acl}.arn && "
                    f'strcontains({stage}.arn, ":{region}::/restapis/{api}/stages/")',
                    f"{where}: the region's web ACL must be associated with the region's stage ARN.",
                ),
                _assert(
                    f'{acl}.scope == "REGIONAL" && {limits[RATE_RULE]} == [1500] && '
                    f"{limits[TENANT_RATE_RULE]} == [4000] && "
                    f'length(setintersection({managed}, ["AWSManagedRulesCommonRuleSet", '
                    f'"AWSManagedRulesKnownBadInputsRuleSet"])) == 2',
                    f"{where}: a REGIONAL web ACL with the common and known-bad-inputs sets and the rate rules from "
                    "waf_rate_limit and waf_tenant_rate_limit.",
                ),
                _assert(
                    f"{logging}.resource_arn == {acl}.arn && "
                    f"one({logging}.log_destination_configs) == aws_cloudwatch_log_group.tap_stack_waf_logs{sfx}.arn",
                    f"{where}: the web ACL logs to its own region's log group.",
                ),
            ]
        if region_count < 2:
            continue
        check = f"aws_route53_health_check.tap_stack_api_domain_health_check{sfx}"
        record = f"aws_route53_record.tap_stack_api_domain_record{sfx}"
        domain = f"aws_api_gateway_domain_name.tap_stack_api_domain{sfx}"
        asserts += [
            _assert(
                f'{check}.type == "CLOUDWATCH_METRIC" && '
                f"{check}.cloudwatch_alarm_name == aws_cloudwatch_metric_alarm.tap_stack_canary_verdict_alarm{sfx}"
                f'.alarm_name && {check}.cloudwatch_alarm_region == "{region}" && '
                f'{check}.insufficient_data_health_status == "LastKnownStatus"',
                f"{where}: the health check must follow this region's own canary verdict alarm.",
            ),
            _assert(
                f'{record}.name == "{DOMAIN}" && {record}.zone_id == "{ZONE}" && '
                f'{record}.latency_routing_policy[0].region == "{region}" && {record}.set_identifier == "{region}" && '
                f"{record}.health_check_id == {check}.id && {record}.alias[0].name == {domain}.regional_domain_name && "
                f"{record}.alias[0].zone_id == {domain}.regional_zone_id && {record}.alias[0].evaluate_target_health",
                f"{where}: a latency record for this region, guarded by this region's health check, aliasing its "
                "regional domain.",
            ),
            _assert(
                f'{domain}.domain_name == "{DOMAIN}" && '
                f'aws_acm_certificate.tap_stack_api_certificate{sfx}.domain_name == "{DOMAIN}" && '
                f'{domain}.endpoint_configuration[0].types == tolist(["REGIONAL"])',
                f"{where}: a regional custom domain with its own certificate for domain_name.",
            ),
        ]
        if sfx:
            replica = f"aws_dynamodb_table_replica.tap_stack_data{sfx}"
            rule = (
                "one([for r in aws_s3_bucket_replication_configuration.tap_stack_log_replication.rule : "
                f"r if r.destination[0].bucket == aws_s3_bucket.tap_stack_logs{sfx}.arn])"
            )
            asserts += [
                _assert(
                    f"{replica}.kms_key_arn == {kms}.arn && {replica}.point_in_time_recovery && "
                    f"{replica}.global_table_arn == aws_dynamodb_table.tap_stack_data.arn",
                    f"{where}: the table's replica uses this region's key, with point-in-time recovery.",
                ),
                _assert(
                    f"{rule}.destination[0].encryption_configuration[0].replica_kms_key_id == {kms}.arn && "
                    f'{rule}.status == "Enabled" && '
                    f'{rule}.delete_marker_replication[0].status == "Enabled" && length({rule}.filter) == 1 && '
                    f'{rule}.source_selection_criteria[0].sse_kms_encrypted_objects[0].status == "Enabled"',
                    f"{where}: the log bucket replicates here with this region's key (filter, delete markers, "
                    "SSE-KMS objects).",
                ),
            ]
        else:
            asserts.append(
                _assert(
                    "aws_dynamodb_table.tap_stack_data.server_side_encryption[0].kms_key_arn == "
                    "aws_kms_key.tap_stack_kms.arn && "
                    "aws_dynamodb_table.tap_stack_data.point_in_time_recovery[0].enabled",
                    f"{where}: the global table's primary copy uses the primary key, with point-in-time recovery.",
                )
            )
    if region_count > 1:
        rules = "aws_s3_bucket_replication_configuration.tap_stack_log_replication.rule"
        asserts.append(
            _assert(
                f"length({rules}) == {region_count - 1} && "
                f"length(distinct([for r in {rules} : r.priority])) == {region_count - 1}",
                "The log bucket replicates to every other region, each rule with its own priority.",
            )
        )
    return asserts


def regions_tftest(region_count: int, waf: bool) -> str:
    variables: dict[str, object] = {
        "lambda_log_bucket_name": "acme-tap-test-logs",
        "allowed_ip_ranges": ["203.0.113.0/24"],
        "environment": ENVIRONMENT,
        "aws_region": REGIONS[0],
        "canary_schedule_expression": "rate(10 minutes)",
    }
    if waf:
        variables.update(waf_rate_limit=1500, waf_tenant_rate_limit=4000)
    if region_count > 1:
        variables.update(domain_name=DOMAIN, hosted_zone_id=ZONE, secondary_region=REGIONS[1])
    if region_count > 2:
        variables["tertiary_region"] = REGIONS[2]
    return (
        "# Generated by tests/terraform/generated_tftest.py for "
        f"regions={region_count}, waf={'on' if waf else 'off'}.\n\n"
        + HEADER
        + "\n"
        + _region_overrides(region_count, waf)
        + "\n"
        + _run("each_region_is_wired_to_itself", variables, _region_asserts(region_count, waf))
    )


# --- The item cache's alarms on its member clusters -------------------------------------------------

# The node count of the cache run, and the ids ElastiCache gives its member clusters (the replication
# group's id, `<prefix>-cache`, and the member's number).
CACHE_NODES = 2
CACHE_MEMBERS = [f"tap-{ENVIRONMENT}-cache-{n:03d}" for n in range(1, CACHE_NODES + 1)]


def member_alarms(document: dict) -> list[str]:
    """The alarms counted per member cluster of an ElastiCache replication group."""
    alarms = document["resource"].get("aws_cloudwatch_metric_alarm", {})
    return sorted(
        f"aws_cloudwatch_metric_alarm.{name}"
        for name, body in alarms.items()
        if "count" in body and "CacheClusterId" in body.get("dimensions", {})
    )


def cache_tftest(document: dict) -> str:
    """Every region's item cache alarms, planned for `CACHE_NODES` nodes: one alarm per member
    cluster, on that member's id as ElastiCache names it; and the region's dashboard (if any) draws
    the same members, a line each in every such alarm's widget."""
    alarms = member_alarms(document)
    asserts = [
        _assert(
            f'[for a in {address} : a.dimensions["CacheClusterId"]] == {_hcl(CACHE_MEMBERS)}',
            f"{address}: one alarm per member cluster of the replication group, on its id.",
        )
        for address in alarms
    ]
    for name in sorted(document["resource"].get("aws_cloudwatch_dashboard", {})):
        suffix = name.removeprefix("tap_stack_dashboard")
        in_region = [address for address in alarms if address.endswith(f"_alarm{suffix}")]
        widgets = f"jsondecode(aws_cloudwatch_dashboard.{name}.dashboard_body).widgets"
        lines = f'flatten([for w in {widgets} : [for l in w.properties.metrics : l[3] if l[0] == "AWS/ElastiCache"]])'
        asserts.append(
            _assert(
                f"{lines} == {_hcl(CACHE_MEMBERS * len(in_region))}",
                f"aws_cloudwatch_dashboard.{name}: each member alarm's widget draws every member cluster.",
            )
        )
    variables: dict[str, object] = {
        "lambda_log_bucket_name": "acme-tap-test-logs",
        "allowed_ip_ranges": ["203.0.113.0/24"],
        "environment": ENVIRONMENT,
        "domain_name": DOMAIN,
        "hosted_zone_id": ZONE,
        "cache_node_count": CACHE_NODES,
    }
    return (
        "# Generated by tests/terraform/generated_tftest.py from the synthesized JSON: the item cache's\n"
        "# alarms watch each member cluster of its replication group, and the dashboards draw them.\n\n"
        + HEADER
        + "\n"
        + _run("cache_alarms_watch_each_member_cluster", variables, asserts)
    )


# --- Names at the longest allowed inputs -----------------------------------------------------------


@dataclass(frozen=True)
class Limit:
    """`expression` (HCL over `v`, one instance of the resource) gives a list of names."""

    expression: str
    most: int
    pattern: str = ""
    least: int = 1
    label: str = ""

    @property
    def what(self) -> str:
        return self.label or self.expression


def _attr(name: str, most: int, pattern: str = "", least: int = 1) -> Limit:
    return Limit(f"[v.{name}]", most, pattern, least, name)


# AWS limits (and character sets where AWS enforces one) of every physical name the stack sets.
NAME_LIMITS: dict[str, list[Limit]] = {
    "aws_s3_bucket": [_attr("bucket", 63, "^[a-z0-9][a-z0-9.-]*[a-z0-9]$", 3)],
    "aws_iam_role": [_attr("name", 64, "^[A-Za-z0-9+=,.@_-]+$")],
    "aws_iam_role_policy": [_attr("name", 128, "^[A-Za-z0-9+=,.@_-]+$")],
    "aws_lambda_function": [_attr("function_name", 64, "^[A-Za-z0-9_-]+$")],
    "aws_synthetics_canary": [_attr("name", 21, "^[0-9a-z_-]+$")],
    "aws_athena_workgroup": [_attr("name", 128, "^[A-Za-z0-9._-]+$")],
    "aws_athena_database": [_attr("name", 255, "^[a-z0-9_]+$")],
    # Athena CreateNamedQuery: Name 1-128 characters, any.
    "aws_athena_named_query": [_attr("name", 128)],
    # Athena reads table and database names of lowercase letters, digits and _ (Glue allows 255).
    "aws_glue_catalog_table": [_attr("name", 255, "^[a-z0-9_]+$"), _attr("database_name", 255, "^[a-z0-9_]+$")],
    "aws_kinesis_firehose_delivery_stream": [_attr("name", 64, "^[A-Za-z0-9_.-]+$")],
    "aws_sns_topic": [_attr("name", 256, "^[A-Za-z0-9_-]+$")],
    "aws_secretsmanager_secret": [_attr("name", 512, "^[A-Za-z0-9/_+=.@-]+$")],
    "aws_kms_alias": [_attr("name", 256, "^alias/[A-Za-z0-9/_-]+$")],
    "aws_cloudwatch_event_bus": [_attr("name", 256, "^[A-Za-z0-9._-]+$")],
    "aws_cloudwatch_event_rule": [_attr("name", 64, "^[A-Za-z0-9._-]+$")],
    "aws_cloudwatch_log_group": [_attr("name", 512, "^[A-Za-z0-9._/#-]+$")],
    "aws_cloudwatch_log_stream": [_attr("name", 512)],
    "aws_cloudwatch_log_subscription_filter": [_attr("name", 512)],
    "aws_cloudwatch_log_resource_policy": [_attr("policy_name", 255)],
    # CloudWatch PutMetricAlarm: AlarmName 1-255, AlarmDescription 0-1024 characters.
    "aws_cloudwatch_metric_alarm": [_attr("alarm_name", 255), _attr("alarm_description", 1024)],
    "aws_wafv2_web_acl": [
        _attr("name", 128, "^[A-Za-z0-9_-]+$"),
        Limit(
            "concat([v.visibility_config[0].metric_name], [for r in v.rule : r.visibility_config[0].metric_name])",
            128,
            "^[A-Za-z0-9_-]+$",
        ),
        Limit("[for r in v.rule : r.name]", 128, "^[A-Za-z0-9_-]+$"),
    ],
    "aws_dynamodb_table": [_attr("name", 255, "^[A-Za-z0-9_.-]+$", 3)],
    "aws_api_gateway_rest_api": [_attr("name", 1024)],
    "aws_api_gateway_stage": [_attr("stage_name", 128, "^[A-Za-z0-9_-]+$")],
    "aws_api_gateway_request_validator": [_attr("name", 1024)],
    "aws_appautoscaling_policy": [_attr("name", 256)],
    "aws_acm_certificate": [_attr("domain_name", 253)],
    "aws_api_gateway_domain_name": [_attr("domain_name", 253)],
    "aws_route53_record": [_attr("name", 253)],
    "aws_route53_health_check": [_attr("cloudwatch_alarm_name", 256)],
    "aws_s3_bucket_replication_configuration": [Limit("[for r in v.rule : r.id]", 255)],
    # compliance=on and account_controls=on
    "aws_cloudtrail": [_attr("name", 128, "^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$", 3)],
    "aws_iam_policy": [_attr("name", 128, "^[A-Za-z0-9+=,.@_-]+$")],
    "aws_cloudwatch_log_metric_filter": [_attr("name", 512, "^[^:*]+$")],
    # scale=on and item_stream=kinesis
    "aws_cloudwatch_dashboard": [_attr("dashboard_name", 255, "^[A-Za-z0-9_-]+$")],
    "aws_kinesis_stream": [_attr("name", 128, "^[A-Za-z0-9_.-]+$")],
    "aws_lambda_alias": [_attr("name", 128, "^[A-Za-z0-9_-]+$")],
    "aws_security_group": [_attr("name", 255)],
    "aws_config_config_rule": [_attr("name", 128)],
    # The API accepts the rule's 128 characters; the AWS provider 5.100.0 validates 1-64 here.
    "aws_config_remediation_configuration": [_attr("config_rule_name", 64)],
    "aws_config_configuration_recorder": [_attr("name", 256)],
    "aws_config_delivery_channel": [_attr("name", 256)],
    # cache=elasticache: ids of a letter, then letters, digits and single hyphens
    "aws_elasticache_replication_group": [_attr("replication_group_id", 40, "^[a-z](-?[a-z0-9])*$")],
    "aws_elasticache_subnet_group": [_attr("name", 255, "^[a-z](-?[a-z0-9])*$")],
    "aws_elasticache_user": [
        _attr("user_id", 40, "^[a-z](-?[a-z0-9])*$"),
        _attr("user_name", 40, "^[a-z](-?[a-z0-9])*$"),
    ],
    "aws_elasticache_user_group": [_attr("user_group_id", 40, "^[a-z](-?[a-z0-9])*$")],
    # cache=dax: names of a letter, then letters, digits and single hyphens
    "aws_dax_cluster": [_attr("cluster_name", 20, "^[a-z](-?[a-z0-9])*$")],
    "aws_dax_subnet_group": [_attr("name", 255, "^[a-z](-?[a-z0-9])*$")],
    "aws_dax_parameter_group": [_attr("name", 255, "^[a-z](-?[a-z0-9])*$")],
}
# Name-like attributes that repeat a name checked above (a bucket's sub-resources name the bucket,
# a permission names its function, ...) or are AWS constants, not names the stack makes up.
NOT_NAMES: dict[str, tuple[str, ...]] = {
    "*": ("bucket", "function_name", "log_group_name", "table_name", "stage_name", "domain_name", "filename"),
    "aws_cloudwatch_metric_alarm": ("metric_name", "namespace"),
    "aws_appautoscaling_policy": ("service_namespace",),
    "aws_appautoscaling_target": ("service_namespace",),
    "aws_cloudtrail": ("s3_bucket_name",),
    "aws_config_delivery_channel": ("s3_bucket_name",),
    "aws_config_configuration_recorder_status": ("name",),  # the recorder's name
    "aws_vpc_endpoint": ("service_name",),  # com.amazonaws.<region>.<service>, AWS's
}

# The longest inputs the variables' validations allow (stacks/variables.py), and regions with the
# longest names AWS has (14 characters: ap-southeast-4/5, ap-northeast-3).
LONGEST = {
    "project_name": "project-name-abc",  # 16: ^[a-z][a-z0-9-]{1,15}$
    "environment": "environmen",  # 10: ^[a-z][a-z0-9]{1,9}$
    "environment_suffix": "suffix-123",  # 10: ^([a-z0-9][a-z0-9-]{0,9})?$
    "lambda_log_bucket_name": "acme-tap-audit-log-archive-" + "0123456789" * 3 + "abcdef",  # 63
    "dynamodb_table_name": "Tap_Items." + "x" * 245,  # 255: ^[A-Za-z0-9_.-]{3,255}$
    "aws_region": "ap-southeast-4",
    "secondary_region": "ap-northeast-3",
    "tertiary_region": "ap-southeast-5",
    "domain_name": ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 57, "com"]),  # 253
}
GLOBAL_NAMES = {"aws_s3_bucket": "bucket", "aws_iam_role": "name"}  # one namespace per account or partition


def _instances(document: dict, kind: str) -> list[str]:
    return sorted(f"{kind}.{name}" for name in document["resource"].get(kind, {}))


def unchecked_names(document: dict) -> list[str]:
    """Name-like attributes of the synthesized resources that NAME_LIMITS does not cover."""
    missing = []
    for kind, resources in document["resource"].items():
        ignored = NOT_NAMES["*"] + NOT_NAMES.get(kind, ())
        for body in resources.values():
            for key in body:
                name_like = key in ("name", "bucket", "name_prefix") or key.endswith("_name")
                if name_like and key not in ignored and kind not in NAME_LIMITS:
                    missing.append(f"{kind}.{key}")
    return sorted(set(missing))


def names_tftest(document: dict) -> str:
    asserts = []
    for kind, limits in sorted(NAME_LIMITS.items()):
        for address in _instances(document, kind):
            for limit in limits:
                names = f"flatten([for v in {address}[*] : {limit.expression}])"
                condition = f"alltrue([for n in {names} : length(n) >= {limit.least} && length(n) <= {limit.most}])"
                rule = f"{limit.least}-{limit.most} characters"
                if limit.pattern:
                    condition += f' && alltrue([for n in {names} : can(regex("{limit.pattern}", n))])'
                    rule += f" matching {limit.pattern}"
                asserts.append(_assert(condition, f"{address}: {limit.what} must be {rule}."))
    for kind, attribute in GLOBAL_NAMES.items():
        everything = " , ".join(f"{address}[*].{attribute}" for address in _instances(document, kind))
        asserts.append(
            _assert(
                f"length(distinct(concat({everything}))) == length(concat({everything}))",
                f"No two {kind} share a name: the namespace is global, so regions must not collide.",
            )
        )
    overrides = "\n".join(
        _override(
            f"aws_api_gateway_rest_api.tap_stack_api{sfx}",
            {"id": API_IDS[i], "execution_arn": f"arn:aws:execute-api:{LONGEST[var]}:123456789012:{API_IDS[i]}"},
        )
        for i, (sfx, _a, var) in enumerate(SLOTS)
        if f"tap_stack_api{sfx}" in document["resource"]["aws_api_gateway_rest_api"]
    )
    variables = {"allowed_ip_ranges": ["203.0.113.0/24"], "hosted_zone_id": ZONE, **LONGEST}
    return (
        "# Generated by tests/terraform/generated_tftest.py from the synthesized JSON: every physical name\n"
        "# at the longest inputs the validations allow fits its AWS limit, and global names never collide.\n\n"
        + HEADER
        + "\n"
        + overrides
        + "\n"
        + _run("longest_inputs_fit_every_aws_name_limit", variables, asserts)
        + "\n# The bundle README's minimal tfvars plans: every validation accepts it.\n"
        + _run("bundle_readme_minimal_tfvars_plans", minimal_tfvars(document), [])
    )
