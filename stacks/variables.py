"""Deploy-time inputs: every Terraform variable of the stack, as data.

This table is the single source of truth for variable names, types, defaults, descriptions and
validations; the stack declares the variables from it and the hand-off README renders its inputs
table from it. Validation messages name the variable, the bad value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED = object()

LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
API_CACHE_SIZES = ("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237")


@dataclass(frozen=True)
class Validation:
    condition: str
    error_message: str


@dataclass(frozen=True)
class VariableSpec:
    name: str
    type: str
    description: str
    default: object = REQUIRED
    validations: tuple[Validation, ...] = ()
    sensitive: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def _regex(name: str, pattern: str, allowed: str) -> Validation:
    return Validation(
        f'can(regex("{pattern}", var.{name}))',
        f'{name} = "${{var.{name}}}" is not allowed: expected {allowed}.',
    )


def _number_range(name: str, low: float, high: float, unit: str = "") -> Validation:
    suffix = f" {unit}" if unit else ""
    return Validation(
        f"var.{name} >= {low} && var.{name} <= {high} && floor(var.{name}) == var.{name}",
        f"{name} = ${{var.{name}}} is not allowed: expected a whole number from {low} to {high}{suffix}.",
    )


def _one_of(name: str, values: tuple, quoted: bool) -> Validation:
    rendered = ", ".join(f'"{v}"' if quoted else str(v) for v in values)
    shown = f'"${{var.{name}}}"' if quoted else f"${{var.{name}}}"
    return Validation(
        f"contains([{rendered}], var.{name})",
        f"{name} = {shown} is not allowed: expected one of {rendered}.",
    )


VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "aws_region",
        "string",
        "AWS region of the stack; the default (un-aliased) aws provider deploys here.",
        "us-east-1",
        (_regex("aws_region", "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$", "an AWS region such as us-east-1"),),
    ),
    VariableSpec(
        "project_name",
        "string",
        "Project name: the Project tag and the first part of every physical name.",
        "tap",
        (_regex("project_name", "^[a-z][a-z0-9-]{1,15}$", "2-16 characters: a-z, 0-9 and -, starting with a letter"),),
    ),
    VariableSpec(
        "environment",
        "string",
        "Environment name (dev, staging, prod, ...): the Environment tag, the API stage name "
        "and part of physical names.",
        "dev",
        (_regex("environment", "^[a-z][a-z0-9]{1,9}$", "2-10 characters: a-z and 0-9, starting with a letter"),),
    ),
    VariableSpec(
        "environment_suffix",
        "string",
        "Suffix that keeps physical names of parallel deployments apart (for example a PR number); empty for none.",
        "",
        (_regex("environment_suffix", "^([a-z0-9][a-z0-9-]{0,9})?$", "empty or 1-10 characters: a-z, 0-9 and -"),),
    ),
    VariableSpec(
        "owner",
        "string",
        "Team that owns the stack: the Owner tag.",
        "platform-team",
        (_regex("owner", "^[A-Za-z0-9 _.:/=+@-]{1,128}$", "1-128 characters allowed in AWS tag values"),),
    ),
    VariableSpec(
        "dynamodb_table_name",
        "string",
        "Name of the DynamoDB item table.",
        "tap-stack-data",
        (_regex("dynamodb_table_name", "^[A-Za-z0-9_.-]{3,255}$", "3-255 characters: A-Z, a-z, 0-9, _ . -"),),
    ),
    VariableSpec(
        "lambda_log_bucket_name",
        "string",
        "Globally unique name of the S3 bucket that receives the archived Lambda and API logs.",
        validations=(
            _regex(
                "lambda_log_bucket_name",
                "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$",
                "an S3 bucket name: 3-63 characters, a-z, 0-9, . and -, starting and ending with a letter or digit",
            ),
        ),
    ),
    VariableSpec(
        "allowed_ip_ranges",
        "list(string)",
        "CIDR ranges allowed to call the API (API Gateway resource policy on aws:SourceIp); everyone else is denied.",
        validations=(
            Validation(
                "length(var.allowed_ip_ranges) > 0 && "
                "alltrue([for cidr in var.allowed_ip_ranges : can(cidrhost(cidr, 0))])",
                "allowed_ip_ranges = ${jsonencode(var.allowed_ip_ranges)} is not allowed: "
                'expected at least one CIDR such as "203.0.113.0/24".',
            ),
        ),
    ),
    VariableSpec(
        "lambda_timeout",
        "number",
        "Timeout of the API functions in seconds. API Gateway stops waiting after 29 seconds by default.",
        29,
        (_number_range("lambda_timeout", 1, 900, "seconds"),),
    ),
    VariableSpec(
        "lambda_memory_size",
        "number",
        "Memory of the API functions in MB.",
        256,
        (_number_range("lambda_memory_size", 128, 10240, "MB"),),
    ),
    VariableSpec(
        "log_retention_days",
        "number",
        "Retention of the CloudWatch log groups in days (a value CloudWatch Logs accepts).",
        365,
        (_one_of("log_retention_days", LOG_RETENTION_DAYS, quoted=False),),
    ),
    VariableSpec(
        "log_archive_retention_days",
        "number",
        "Days the archived logs stay in the log bucket (objects move to Standard-IA at 30 days and Glacier at 90).",
        730,
        (_number_range("log_archive_retention_days", 91, 3650, "days"),),
    ),
    VariableSpec(
        "api_throttle_burst_limit",
        "number",
        "API Gateway stage throttling burst limit (requests).",
        100,
        (_number_range("api_throttle_burst_limit", 1, 5000, "requests"),),
    ),
    VariableSpec(
        "api_throttle_rate_limit",
        "number",
        "API Gateway stage throttling steady-state rate limit (requests per second).",
        50,
        (_number_range("api_throttle_rate_limit", 1, 10000, "requests per second"),),
    ),
    VariableSpec(
        "api_cache_enabled",
        "bool",
        "Whether the stage runs an encrypted response cache for GET methods (keyed by tenant, path and query). "
        "Off by default: cached reads may be up to api_cache_ttl_seconds stale after a write.",
        False,
    ),
    VariableSpec(
        "api_cache_size",
        "string",
        "Size of the stage cache cluster in GB, when api_cache_enabled.",
        "0.5",
        (_one_of("api_cache_size", API_CACHE_SIZES, quoted=True),),
    ),
    VariableSpec(
        "api_cache_ttl_seconds",
        "number",
        "Time to live of cached GET responses in seconds, when api_cache_enabled.",
        60,
        (_number_range("api_cache_ttl_seconds", 0, 3600, "seconds"),),
    ),
    VariableSpec(
        "cors_allow_origin",
        "string",
        "Value of Access-Control-Allow-Origin on API responses: * or one origin such as https://app.example.com.",
        "*",
        (
            _regex(
                "cors_allow_origin",
                "^(\\\\*|https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?)$",
                "* or an origin such as https://app.example.com",
            ),
        ),
    ),
    VariableSpec(
        "api_latency_threshold_ms",
        "number",
        "p99 API latency in milliseconds above which the latency alarm fires.",
        1000,
        (_number_range("api_latency_threshold_ms", 50, 29000, "ms"),),
    ),
    VariableSpec(
        "alarm_email",
        "string",
        "E-mail address subscribed to the alerts topic; empty for no subscription.",
        "",
        (_regex("alarm_email", "^$|^[^@\\\\s]+@[^@\\\\s]+\\\\.[^@\\\\s]+$", "empty or an e-mail address"),),
    ),
    VariableSpec(
        "data_retention_days",
        "number",
        "Days an item lives after its last write (DynamoDB TTL on expires_at); 0 keeps items forever.",
        365,
        (_number_range("data_retention_days", 0, 3650, "days"),),
    ),
    VariableSpec(
        "dynamodb_read_capacity_min",
        "number",
        "Lower bound of the item table's autoscaled read capacity units.",
        5,
        (_number_range("dynamodb_read_capacity_min", 1, 40000, "units"),),
    ),
    VariableSpec(
        "dynamodb_read_capacity_max",
        "number",
        "Upper bound of the item table's autoscaled read capacity units (at least the minimum).",
        100,
        (_number_range("dynamodb_read_capacity_max", 1, 40000, "units"),),
    ),
    VariableSpec(
        "dynamodb_write_capacity_min",
        "number",
        "Lower bound of the item table's autoscaled write capacity units.",
        5,
        (_number_range("dynamodb_write_capacity_min", 1, 40000, "units"),),
    ),
    VariableSpec(
        "dynamodb_write_capacity_max",
        "number",
        "Upper bound of the item table's autoscaled write capacity units (at least the minimum).",
        100,
        (_number_range("dynamodb_write_capacity_max", 1, 40000, "units"),),
    ),
    VariableSpec(
        "dynamodb_target_utilization",
        "number",
        "Target capacity utilisation (percent) that DynamoDB autoscaling tracks.",
        70,
        (_number_range("dynamodb_target_utilization", 20, 90, "percent"),),
    ),
)
