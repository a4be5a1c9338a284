"""Deploy-time inputs: every Terraform variable of the stack, as data.

This table is the single source of truth for variable names, types, defaults, descriptions and
validations; the stack declares the variables from it and the hand-off README renders its inputs
table from it. Validation messages name the variable, the bad value and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from lambda_src.shared import tap_contract
from modules import dax_cache, item_cache
from modules.app_secret import RECOVERY_WINDOW_DAYS
from modules.encryption import DELETION_WINDOW_DAYS
from modules.secure_bucket import OBJECT_LOCK_MODES
from stacks.lifecycle import LIFECYCLES
from stacks.names import CONTRACT_TAGS, STACK_TAG_KEYS
from tapgen.aws_rules import s3_names, s3_storage, tags
from tapgen.config import SynthConfig
from tapgen.placement import REGIONS

REQUIRED = object()
REGION_PATTERN = "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$"

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


def _whole_number_from(name: str, low: int, unit: str) -> Validation:
    """For a figure AWS bounds only by an adjustable quota (`tapgen/aws_rules/quotas.py`): refusing
    values above the default quota would refuse accounts that have raised it."""
    return Validation(
        f"var.{name} >= {low} && floor(var.{name}) == var.{name}",
        f"{name} = ${{var.{name}}} is not allowed: expected a whole number of at least {low} {unit}.",
    )


def _one_of(name: str, values: tuple, quoted: bool) -> Validation:
    rendered = ", ".join(f'"{v}"' if quoted else str(v) for v in values)
    shown = f'"${{var.{name}}}"' if quoted else f"${{var.{name}}}"
    return Validation(
        f"contains([{rendered}], var.{name})",
        f"{name} = {shown} is not allowed: expected one of {rendered}.",
    )


S3_RESERVED_PREFIXES = s3_names.RESERVED_PREFIXES
S3_RESERVED_SUFFIXES = s3_names.RESERVED_SUFFIXES
MIN_IPV4_PREFIX = 8
MIN_IPV6_PREFIX = 32

# Regular expressions as written inside an HCL string literal (a regex backslash is `\\`).
S3_NAME_PATTERN = s3_names.NAME_PATTERN.replace("\\", "\\\\")
IP_FORM_PATTERN = s3_names.IP_FORM_PATTERN.replace("\\", "\\\\")
# An e-mail address: dot-separated RFC 5322 atoms, @, DNS labels and a top-level domain.
_ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = rf"^{_ATOM}(\\.{_ATOM})*@({_LABEL}\\.)+([A-Za-z]{{2,63}}|xn--[A-Za-z0-9-]{{1,59}})$"
EMAIL_MAX_LENGTH = 254
# A browser origin exactly as browsers send it in `Origin`: https, a lowercase host, an optional
# port (never :443, which browsers leave out), nothing after it.
_HOST_LABEL = "[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
ORIGIN_PATTERN = rf"^https://{_HOST_LABEL}(\\.{_HOST_LABEL})*(:[1-9][0-9]{{0,4}})?$"


# After a cache write that failed (the outage guard skips it), other containers may serve the item's
# previous version, a deleted one included, until its cache entry expires: that window stays short.
CACHE_TTL_MAX_SECONDS = 300
# Kept under its contract name so that configurations which still turn it on fail at plan, saying why.
API_CACHE_REFUSED = Validation(
    "!var.api_cache_enabled",
    "api_cache_enabled = true is not allowed: expected false (API Gateway's stage cache answers before the "
    "function checks the caller's tenant grant, and an AWS_IAM identity cannot be part of its cache key, so a "
    "caller could read another tenant's cached items; synthesize with cache=elasticache or cache=dax for a "
    "read cache behind the grant check).",
)


def _listed(elements: str, item: str = "jsonencode(x)") -> str:
    """A template part that lists `elements` (an HCL list expression over `x`) as `"a", "b"`."""
    return f'${{join(", ", [for x in {elements} : {item}])}}'


def _bucket_name(name: str) -> tuple[Validation, ...]:
    """Every S3 naming rule for general purpose buckets, one message per rule. The rules after the
    first judge only names of the right shape, so a name breaks at most one of them."""
    shape = f'can(regex("{S3_NAME_PATTERN}", var.{name}))'
    value = f'{name} = "${{var.{name}}}" is not allowed: expected an S3 bucket name'
    prefixes = " && ".join(f'!startswith(var.{name}, "{p}")' for p in S3_RESERVED_PREFIXES)
    suffixes = " && ".join(f'!endswith(var.{name}, "{s}")' for s in S3_RESERVED_SUFFIXES)
    return (
        Validation(shape, f"{value}: 3-63 characters, a-z, 0-9, . and -, starting and ending with a letter or digit."),
        Validation(f'!{shape} || !strcontains(var.{name}, "..")', f"{value} without two adjacent periods."),
        Validation(
            f'!{shape} || !can(regex("{IP_FORM_PATTERN}", var.{name}))',
            f"{value} that is not formatted as an IP address.",
        ),
        Validation(
            f"!{shape} || ({prefixes})",
            f"{value} that does not start with a prefix S3 reserves ({', '.join(S3_RESERVED_PREFIXES)}).",
        ),
        Validation(
            f"!{shape} || ({suffixes})",
            f"{value} that does not end with a suffix S3 reserves ({', '.join(S3_RESERVED_SUFFIXES)}).",
        ),
    )


def _ip_ranges(name: str, opt_in: str) -> tuple[Validation, ...]:
    """A non-empty list of CIDR blocks in canonical form, each once, none wider than /8 (IPv4) or
    /32 (IPv6) unless the bool variable `opt_in` is true. Each message names the bad elements."""
    ranges = f"var.{name}"
    value = f"{name} = ${{jsonencode({ranges})}} is not allowed: expected"
    canonical = "cidrsubnet(x, 0, 0)"  # the network in canonical form; an error for a non-CIDR
    not_cidr = f"[for x in {ranges} : x if !can(cidrhost(x, 0))]"
    non_canonical = f"[for x in {ranges} : x if try({canonical} != x, false)]"
    wide = (
        f'[for x in {ranges} : x if try(tonumber(split("/", {canonical})[1]) < '
        f'(strcontains({canonical}, ":") ? {MIN_IPV6_PREFIX} : {MIN_IPV4_PREFIX}), false)]'
    )
    # Compared in canonical form, so "2001:DB8::/32" repeats "2001:db8::/32".
    repeated = (
        f"distinct([for i, x in {ranges} : x if contains("
        f"[for y in slice({ranges}, 0, i) : try(cidrsubnet(y, 0, 0), y)], try({canonical}, x))])"
    )
    return (
        Validation(f"length({ranges}) > 0", f'{value} at least one CIDR such as "203.0.113.0/24".'),
        Validation(
            f"length({not_cidr}) == 0",
            f'{value} CIDR blocks such as "203.0.113.0/24" or "2001:db8::/32"; not a CIDR block: {_listed(not_cidr)}.',
        ),
        Validation(
            f"length({non_canonical}) == 0",
            f"{value} network addresses in canonical form, with no host bits set; "
            + _listed(non_canonical, f'"${{jsonencode(x)}} should be ${{jsonencode({canonical})}}"')
            + ".",
        ),
        Validation(
            f"var.{opt_in} || length({wide}) == 0",
            f"{value} IPv4 prefixes of /{MIN_IPV4_PREFIX} or longer and IPv6 prefixes of /{MIN_IPV6_PREFIX} or "
            f"longer unless {opt_in} = true; too wide: {_listed(wide)}.",
        ),
        Validation(f"length({repeated}) == 0", f"{value} each CIDR block once; repeated: {_listed(repeated)}."),
    )


# A tenant id as the CRUD function accepts it in X-Tenant-Id (tests pin it to the runtime's regex).
TENANT_ID_PATTERN = f"^{tap_contract.TENANT_PATTERN}$"
# A principal as grants name it: an IAM role or user ARN without a path (an assumed-role session
# carries no path, so the function looks roles up as `role/<name>`).
PRINCIPAL_PATTERN = "^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_-]{1,64}$"


def _tenant_grants(name: str) -> tuple[Validation, ...]:
    """Principal ARNs as keys; each a non-empty list of tenant ids, or exactly ["*"] (all tenants)."""
    value = f"{name} = ${{jsonencode(var.{name})}} is not allowed: expected"
    bad_keys = f'[for p in keys(var.{name}) : p if !can(regex("{PRINCIPAL_PATTERN}", p))]'
    bad_lists = (
        f'[for p, tenants in var.{name} : p if length(tenants) == 0 || (join(",", tenants) != "*" && '
        f'!alltrue([for t in tenants : can(regex("{TENANT_ID_PATTERN}", t))]))]'
    )
    return (
        Validation(
            f"length({bad_keys}) == 0",
            f"{value} IAM role or user ARNs without a path (arn:aws:iam::123456789012:role/name) as keys; "
            f"not one: {_listed(bad_keys)}.",
        ),
        Validation(
            f"length({bad_lists}) == 0",
            f"{value} for each principal a non-empty list of tenant ids (1-64 characters: A-Z, a-z, 0-9, _ and -) "
            f'or ["*"] for all tenants; bad list for: {_listed(bad_lists)}.',
        ),
    )


def _user_tags(name: str) -> tuple[Validation, ...]:
    """Tags the user adds to every resource, within AWS's tag rules and its 50 tags per resource less
    the ones the stack sets itself (`STACK_TAG_KEYS`)."""
    value = f"{name} = ${{jsonencode(var.{name})}} is not allowed: expected"
    reserved = tags.RESERVED_KEY_PREFIX
    refused = f'!can(regex("{tags.KEY_PATTERN}", k)) || startswith(lower(k), "{reserved}")'
    bad_keys = f"[for k in keys(var.{name}) : k if {refused}]"
    bad_values = f'[for k, v in var.{name} : k if !can(regex("{tags.VALUE_PATTERN}", v))]'
    room = tags.MAX_TAGS_PER_RESOURCE - len(STACK_TAG_KEYS)
    return (
        Validation(
            f"length({bad_keys}) == 0",
            f"{value} keys of 1-128 characters ({tags.CHARACTERS}) not starting with {reserved}; "
            f"bad keys: {_listed(bad_keys)}.",
        ),
        Validation(
            f"length({bad_values}) == 0",
            f"{value} values of at most 256 characters ({tags.CHARACTERS}); bad values for: {_listed(bad_values)}.",
        ),
        Validation(
            f"length(var.{name}) <= {room}",
            f"{value} at most {room} tags (AWS allows {tags.MAX_TAGS_PER_RESOURCE} per resource, and the stack "
            f"sets {len(STACK_TAG_KEYS)}: {', '.join(STACK_TAG_KEYS)}).",
        ),
    )


def _at_least(name: str, minimum: str) -> Validation:
    """A cross-variable rule (Terraform 1.9+): `name` must not be below the variable `minimum`."""
    return Validation(
        f"var.{name} >= var.{minimum}",
        f"{name} = ${{var.{name}}} is not allowed: expected at least {minimum} = ${{var.{minimum}}}.",
    )


VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "aws_region",
        "string",
        "AWS region of the stack; the default (un-aliased) aws provider deploys here.",
        "us-east-1",
        (_regex("aws_region", REGION_PATTERN, "an AWS region such as us-east-1"),),
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
        "tags",
        "map(string)",
        "Tags added to every resource (the providers' default tags), such as a cost centre. The stack's own "
        f"tags win over a user tag of the same key: {', '.join(CONTRACT_TAGS)} everywhere, Name on "
        "network resources.",
        {},
        _user_tags("tags"),
    ),
    VariableSpec(
        "dynamodb_table_name",
        "string",
        "Name of the DynamoDB item table. Empty (the default) derives `<project_name>-<environment>"
        "[-<environment_suffix>]-items`, so parallel deployments get their own table; set it to keep an "
        "existing table (earlier releases defaulted to `tap-stack-data`). The output dynamodb_table_name "
        "returns the real name.",
        "",
        (
            _regex(
                "dynamodb_table_name",
                "^$|^[A-Za-z0-9_.-]{3,255}$",
                "empty (derive the name) or 3-255 characters: A-Z, a-z, 0-9, _ . -",
            ),
        ),
    ),
    VariableSpec(
        "lambda_log_bucket_name",
        "string",
        "Globally unique name of the S3 bucket that receives the archived Lambda and API logs.",
        validations=_bucket_name("lambda_log_bucket_name"),
    ),
    VariableSpec(
        "allowed_ip_ranges",
        "list(string)",
        "CIDR ranges allowed to call the API (API Gateway resource policy on aws:SourceIp); everyone else is denied. "
        "Each entry is a network address in canonical form (10.0.0.0/24, not 10.0.0.1/24), listed once, "
        "no wider than /8 (IPv4) or /32 (IPv6) unless allow_wide_ip_ranges is true.",
        validations=_ip_ranges("allowed_ip_ranges", "allow_wide_ip_ranges"),
    ),
    VariableSpec(
        "allow_wide_ip_ranges",
        "bool",
        "Allow allowed_ip_ranges entries wider than /8 (IPv4) or /32 (IPv6), such as 0.0.0.0/0 or ::/0. "
        "Off by default: ranges that wide open the API to a large part of the internet (AWS_IAM still "
        "guards every route except /health).",
        False,
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
        "lambda_reserved_concurrency",
        "number",
        "Concurrent executions reserved for the CRUD function, which is also its ceiling, so the API cannot "
        "take the account's whole pool from other functions. -1 (the default) reserves none; 0 stops the API.",
        -1,
        (
            Validation(
                "var.lambda_reserved_concurrency == -1 || (var.lambda_reserved_concurrency >= 0 && "
                "floor(var.lambda_reserved_concurrency) == var.lambda_reserved_concurrency)",
                "lambda_reserved_concurrency = ${var.lambda_reserved_concurrency} is not allowed: expected -1 "
                "(no reservation) or a whole number of at least 0 executions.",
            ),
        ),
    ),
    VariableSpec(
        "lambda_account_concurrency",
        "number",
        "The account's Lambda concurrency quota in the stack's regions (Service Quotas: Concurrent "
        "executions, 1,000 by default): the ceiling of the CRUD function when lambda_reserved_concurrency "
        "reserves none, of which 80% fires its concurrency alarm.",
        1000,
        (_whole_number_from("lambda_account_concurrency", 1, "executions"),),
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
        (_whole_number_from("api_throttle_burst_limit", 1, "requests"),),
    ),
    VariableSpec(
        "api_throttle_rate_limit",
        "number",
        "API Gateway stage throttling steady-state rate limit (requests per second).",
        50,
        (_whole_number_from("api_throttle_rate_limit", 1, "requests per second"),),
    ),
    VariableSpec(
        "metrics_throttle_burst_limit",
        "number",
        "Throttling burst limit of GET /metrics (requests), apart from the stage's: each call counts the "
        "tenant's whole partition with strongly consistent reads.",
        10,
        (_whole_number_from("metrics_throttle_burst_limit", 1, "requests"),),
    ),
    VariableSpec(
        "metrics_throttle_rate_limit",
        "number",
        "Throttling steady-state rate limit of GET /metrics (requests per second), apart from the stage's: "
        "each call reads the tenant's whole partition, so this bounds what counting costs the item table.",
        5,
        (_whole_number_from("metrics_throttle_rate_limit", 1, "requests per second"),),
    ),
    VariableSpec(
        "api_cache_enabled",
        "bool",
        "Must stay false: API Gateway's stage cache would answer before the function checks the caller's "
        "tenant grant, and an AWS_IAM identity cannot be part of its cache key. For a read cache behind the "
        "grant check, synthesize with cache=elasticache or cache=dax.",
        False,
        (API_CACHE_REFUSED,),
    ),
    VariableSpec(
        "cors_allow_origin",
        "string",
        "Value of Access-Control-Allow-Origin on API responses: * or one https origin exactly as browsers send "
        "it (https://app.example.com, https://app.example.com:8443; lowercase, no path, no :443). http origins are "
        "refused: a page served over http can be altered in transit, so trusting it would let anyone on the "
        "network path run script that reads the API's responses. * stays allowed because it grants no ambient "
        "authority here: every route but /health requires a SigV4 signature (AWS_IAM), which browsers never add "
        "on their own, and the API never sends Access-Control-Allow-Credentials. Set one origin to limit which "
        "web apps may read responses.",
        "*",
        (
            Validation(
                f'var.cors_allow_origin == "*" || (can(regex("{ORIGIN_PATTERN}", var.cors_allow_origin)) && '
                'try(tonumber(regex(":([0-9]+)$", var.cors_allow_origin)[0]) <= 65535 && '
                'tonumber(regex(":([0-9]+)$", var.cors_allow_origin)[0]) != 443, true))',
                'cors_allow_origin = "${var.cors_allow_origin}" is not allowed: expected * or one https origin '
                "(https://, a lowercase host name, optionally a port from 1 to 65535 other than 443, nothing after it) "
                "such as https://app.example.com.",
            ),
        ),
    ),
    VariableSpec(
        "manage_api_gateway_account",
        "bool",
        "Whether this stack manages the API Gateway account setting (aws_api_gateway_account) and its "
        "CloudWatch Logs role. That setting is account-wide: one per AWS account and region, shared by every "
        "REST API there, so the last stack to apply it wins and destroying it resets it (reset_on_delete) for "
        "all of them. Keep true in exactly one stack per account and region; set false in every other one "
        "(parallel environments, PR stacks), which then rely on that existing setting: stage logging fails "
        "at apply if the region has no CloudWatch Logs role set.",
        True,
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
        (
            Validation(
                f'var.alarm_email == "" || (length(var.alarm_email) <= {EMAIL_MAX_LENGTH} && '
                f'can(regex("{EMAIL_PATTERN}", var.alarm_email)))',
                'alarm_email = "${var.alarm_email}" is not allowed: expected empty or one e-mail address such as '
                f"oncall@example.com (at most {EMAIL_MAX_LENGTH} characters).",
            ),
        ),
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
        (_whole_number_from("dynamodb_read_capacity_min", 1, "units"),),
    ),
    VariableSpec(
        "dynamodb_read_capacity_max",
        "number",
        "Upper bound of the item table's autoscaled read capacity units (at least the minimum).",
        100,
        (
            _whole_number_from("dynamodb_read_capacity_max", 1, "units"),
            _at_least("dynamodb_read_capacity_max", "dynamodb_read_capacity_min"),
        ),
    ),
    VariableSpec(
        "dynamodb_write_capacity_min",
        "number",
        "Lower bound of the item table's autoscaled write capacity units.",
        5,
        (_whole_number_from("dynamodb_write_capacity_min", 1, "units"),),
    ),
    VariableSpec(
        "dynamodb_write_capacity_max",
        "number",
        "Upper bound of the item table's autoscaled write capacity units (at least the minimum).",
        100,
        (
            _whole_number_from("dynamodb_write_capacity_max", 1, "units"),
            _at_least("dynamodb_write_capacity_max", "dynamodb_write_capacity_min"),
        ),
    ),
    VariableSpec(
        "dynamodb_target_utilization",
        "number",
        "Target capacity utilisation (percent) that DynamoDB autoscaling tracks.",
        70,
        (_number_range("dynamodb_target_utilization", 20, 90, "percent"),),
    ),
    VariableSpec(
        "stack_lifecycle",
        "string",
        "How hard the stack is to take down. durable (the default, for stacks that hold real data): the tables' "
        f"deletion protection (dynamodb_deletion_protection), a {RECOVERY_WINDOW_DAYS}-day recovery window for a "
        f"deleted secret (its name stays reserved as long), {DELETION_WINDOW_DAYS} days before a key is deleted, "
        "buckets deleted only when empty, and the "
        "log archive's tamper deny. ephemeral (pull-request and test stacks): none of these, so terraform destroy "
        "removes everything in one go, emptying every bucket, and an apply right after re-creates the stack "
        "under the same names. Changing it updates resources in place.",
        LIFECYCLES[0],
        (_one_of("stack_lifecycle", LIFECYCLES, quoted=True),),
    ),
    VariableSpec(
        "dynamodb_deletion_protection",
        "bool",
        "Whether DynamoDB deletion protection is on for the item and tenant grants tables. On by default: "
        "DeleteTable is refused, so `terraform destroy` stops at the tables. To destroy the stack on purpose, "
        "apply once with dynamodb_deletion_protection = false, then destroy. Always off when "
        'stack_lifecycle = "ephemeral".',
        True,
    ),
    VariableSpec(
        "tenant_grants",
        "map(list(string))",
        'Who may act for which tenant: IAM role or user ARN (no path) -> tenant ids, or ["*"] for a '
        "trusted service that serves every tenant. Reviewed as code in tfvars and stored in the grants "
        "table, so it is not limited by Lambda's 4 KB environment. A caller with no grant is refused "
        "(403 tenant_forbidden); a change takes effect within GRANTS_CACHE_SECONDS (60 s) per warm container.",
        {},
        _tenant_grants("tenant_grants"),
    ),
    VariableSpec(
        "secret_rotation_days",
        "number",
        "Days between rotations of the application secret (the HMAC key that signs next_token). The "
        "first rotation runs when the rotation is created and creates the value, so no secret value is "
        "ever in Terraform state; tokens signed with the previous key stay valid through one rotation.",
        30,
        (_number_range("secret_rotation_days", 1, 90, "days"),),
    ),
    VariableSpec(
        "log_archive_break_glass_principal_arn",
        "string",
        "ARN of the one IAM role or user exempt from the log archive's tamper protection. The log bucket's "
        "policy denies to every other principal, including the role that deploys this stack: deleting archived "
        "objects or object versions, bypassing Object Lock governance retention, and changing the bucket's "
        "lifecycle, versioning, Object Lock configuration or policy, or deleting the bucket. Empty (the default): "
        "nobody is exempt, so Terraform can create the bucket but no later apply can change those settings and "
        "`terraform destroy` stops at the bucket policy. To change them, or to retire the archive at end of life: "
        "the account's root user (whom S3 always lets delete a bucket policy) deletes the bucket policy, an "
        "operator applies with this variable set to the ARN of the principal that will do the work (for the "
        "retirement, the deploy role), and that principal empties the bucket (every object version; with Object "
        "Lock, BypassGovernanceRetention) and runs `terraform destroy`.",
        "",
        (
            Validation(
                'var.log_archive_break_glass_principal_arn == "" || can(regex('
                '"^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]{1,512}$", '
                "var.log_archive_break_glass_principal_arn))",
                'log_archive_break_glass_principal_arn = "${var.log_archive_break_glass_principal_arn}" is not '
                "allowed: expected empty (nobody) or the ARN of one IAM role or user such as "
                "arn:aws:iam::123456789012:role/log-archive-break-glass.",
            ),
        ),
    ),
    VariableSpec(
        "log_archive_object_lock",
        "bool",
        "Whether the log bucket locks every new object version with S3 Object Lock in GOVERNANCE mode for "
        "log_archive_retention_days (then only the break-glass principal, with s3:BypassGovernanceRetention, can "
        "delete a locked version early). Off by default. Turning it on does not replace the bucket: S3 enables "
        "Object Lock on the existing versioned bucket, and objects written before stay unlocked; it can never be "
        "turned off again on that bucket (false afterwards only removes the default retention), and with an "
        "existing archive the change is itself a protected one, applied by the break-glass principal. Not "
        'allowed with stack_lifecycle = "ephemeral", whose destroy deletes every object version.',
        False,
        (
            Validation(
                f'!(var.log_archive_object_lock && var.stack_lifecycle == "{LIFECYCLES[1]}")',
                "log_archive_object_lock = ${var.log_archive_object_lock} is not allowed: expected false when "
                f'stack_lifecycle = "{LIFECYCLES[1]}" (its destroy deletes every object version, which a lock '
                "forbids).",
            ),
        ),
    ),
    VariableSpec(
        "log_archive_object_lock_mode",
        "string",
        "The Object Lock mode of log_archive_object_lock. GOVERNANCE (the default): the break-glass principal, "
        "with s3:BypassGovernanceRetention, can still delete a locked version early. COMPLIANCE: nobody can, the "
        "account's root user included, and no retention can be shortened, until log_archive_retention_days have "
        "passed since each version was written; the bucket then cannot be emptied or destroyed before that, so "
        "choose it only for an archive that must outlive any mistake or compromise of the account.",
        "GOVERNANCE",
        (_one_of("log_archive_object_lock_mode", OBJECT_LOCK_MODES, quoted=True),),
    ),
)

CANARY_SCHEDULE_PATTERN = r"^(rate\\((1 minute|([2-9]|[1-5][0-9]|60) minutes|1 hour)\\)|cron\\([^()]+\\))$"
CANARY_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "canary_schedule_expression",
        "string",
        "How often each region's health canary calls /health: rate(1 minute) to rate(1 hour), or a cron(...) "
        "expression (UTC). With two or more regions, Route 53 fails a region over on its canary's verdict, "
        "within one such period plus a minute.",
        "rate(5 minutes)",
        (
            _regex(
                "canary_schedule_expression",
                CANARY_SCHEDULE_PATTERN,
                "rate(1 minute), rate(N minutes) with N from 2 to 60, rate(1 hour) or cron(...)",
            ),
        ),
    ),
    VariableSpec(
        "canary_artifact_retention_days",
        "number",
        "Days the canaries' run artifacts stay in their buckets (in S3 Standard: they are short-lived).",
        91,
        (_number_range("canary_artifact_retention_days", 1, 3650, "days"),),
    ),
)

WAF_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "waf_rate_limit",
        "number",
        "Most requests one client IP may send to the API in any 5-minute window before the web ACL blocks it "
        "(WAF rate-based rule, counted per region).",
        2000,
        (_number_range("waf_rate_limit", 10, 2000000000, "requests per 5 minutes"),),
    ),
    VariableSpec(
        "waf_tenant_rate_limit",
        "number",
        "Most requests naming one tenant (X-Tenant-Id) that the API accepts in any 5-minute window, from any "
        "number of client IPs, before the web ACL blocks that tenant's requests (WAF rate-based rule on the "
        "header, counted per region), so one tenant cannot starve the others.",
        10000,
        (_number_range("waf_tenant_rate_limit", 10, 2000000000, "requests per 5 minutes"),),
    ),
)


SCALE_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "provisioned_concurrency",
        "number",
        "Provisioned concurrent executions of the CRUD function's `live` alias when the stack is applied "
        "(scale=on); Application Auto Scaling then keeps it between the bounds below.",
        2,
        (_whole_number_from("provisioned_concurrency", 1, "executions"),),
    ),
    VariableSpec(
        "provisioned_concurrency_min",
        "number",
        "Least provisioned concurrency Application Auto Scaling keeps on the `live` alias (scale=on).",
        1,
        (_whole_number_from("provisioned_concurrency_min", 1, "executions"),),
    ),
    VariableSpec(
        "provisioned_concurrency_max",
        "number",
        "Most provisioned concurrency Application Auto Scaling may set on the `live` alias (scale=on); at least "
        "provisioned_concurrency_min.",
        10,
        (
            _whole_number_from("provisioned_concurrency_max", 1, "executions"),
            Validation(
                "var.provisioned_concurrency_max >= var.provisioned_concurrency_min",
                "provisioned_concurrency_max = ${var.provisioned_concurrency_max} is not allowed: expected at least "
                "provisioned_concurrency_min (${var.provisioned_concurrency_min}).",
            ),
            # Lambda refuses provisioned concurrency above the function's reserved concurrency, and
            # autoscaling would only find out under load.
            Validation(
                "var.lambda_reserved_concurrency == -1 || "
                "var.provisioned_concurrency_max <= var.lambda_reserved_concurrency",
                "provisioned_concurrency_max = ${var.provisioned_concurrency_max} is not allowed: expected at most "
                "lambda_reserved_concurrency (${var.lambda_reserved_concurrency}) when that is set.",
            ),
        ),
    ),
    VariableSpec(
        "provisioned_concurrency_utilization",
        "number",
        "Target utilization of the provisioned concurrency (0.1 to 0.9) that Application Auto Scaling tracks "
        "(scale=on): below it, capacity is released; above it, added.",
        0.7,
        (
            Validation(
                "var.provisioned_concurrency_utilization >= 0.1 && var.provisioned_concurrency_utilization <= 0.9",
                "provisioned_concurrency_utilization = ${var.provisioned_concurrency_utilization} is not allowed: "
                "expected a fraction from 0.1 to 0.9.",
            ),
        ),
    ),
)
ITEM_STREAM_MODES = ("ON_DEMAND", "PROVISIONED")
ITEM_STREAM_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "item_stream_mode",
        "string",
        "Capacity mode of the item stream (item_stream=kinesis): ON_DEMAND, or PROVISIONED with "
        "item_stream_shard_count shards.",
        "ON_DEMAND",
        (_one_of("item_stream_mode", ITEM_STREAM_MODES, quoted=True),),
    ),
    VariableSpec(
        "item_stream_shard_count",
        "number",
        "Shards of the item stream when item_stream_mode is PROVISIONED (each takes 1 MB/s or 1000 records/s).",
        1,
        (_whole_number_from("item_stream_shard_count", 1, "shards"),),
    ),
    VariableSpec(
        "item_stream_retention_hours",
        "number",
        "How long the item stream keeps records, in hours (24 to 8760).",
        24,
        (_number_range("item_stream_retention_hours", 24, 8760, "hours"),),
    ),
)
_VPC_PREFIX = 'tonumber(split("/", var.vpc_cidr)[1])'
NETWORK_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "vpc_cidr",
        "string",
        "IPv4 CIDR block of each region's private VPC (compliance=on, or a cache); two private subnets take its first "
        "two quarters. The regions' VPCs are not connected, so every region may use the same block.",
        "10.40.0.0/16",
        (
            Validation(
                'can(cidrhost(var.vpc_cidr, 0)) && !strcontains(var.vpc_cidr, ":") && '
                "try(cidrsubnet(var.vpc_cidr, 0, 0) == var.vpc_cidr, false) && "
                f"try({_VPC_PREFIX} >= 16 && {_VPC_PREFIX} <= 24, false)",
                'vpc_cidr = "${var.vpc_cidr}" is not allowed: expected an IPv4 network address in canonical form '
                "with a prefix from /16 to /24, such as 10.40.0.0/16.",
            ),
        ),
    ),
    VariableSpec(
        "admin_cidr",
        "string",
        "IPv4 CIDR block from which SSH (port 22) may reach the functions' security group; empty (the default) "
        "opens no port 22 at all. Never 0.0.0.0/0.",
        "",
        (
            Validation(
                'var.admin_cidr == "" || (can(cidrhost(var.admin_cidr, 0)) && !strcontains(var.admin_cidr, ":") && '
                'try(tonumber(split("/", var.admin_cidr)[1]) >= 8, false))',
                'admin_cidr = "${var.admin_cidr}" is not allowed: expected empty or an IPv4 CIDR block of /8 or '
                "longer, such as 203.0.113.0/24.",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class CacheEngine:
    """What the cache variables say and allow for one `cache` option value."""

    service: str
    node_type: str
    node_type_pattern: str
    node_type_rule: str
    max_nodes: int
    replicas: str
    nodes: str


CACHE_ENGINES = {
    "elasticache": CacheEngine(
        "ElastiCache",
        "cache.t4g.small",
        "^cache\\\\.[a-z0-9]+\\\\.[a-z0-9]+$",
        "an ElastiCache node type such as cache.t4g.small",
        item_cache.MAX_NODES,
        "a primary and its replicas",
        "from 2 on the replicas sit in another availability zone and take over automatically when the primary fails.",
    ),
    "dax": CacheEngine(
        "DAX",
        "dax.t3.small",
        "^dax\\\\.[a-z0-9]+\\\\.[a-z0-9]+$",
        "a DAX node type such as dax.t3.small",
        dax_cache.MAX_NODES,
        "the cluster's replication factor",
        "from 2 on the nodes spread over the private subnets' availability zones and a replica takes over when "
        "the primary fails.",
    ),
}


def cache_variables(cache: str) -> tuple[VariableSpec, ...]:
    """The item cache's variables for the `cache` option value `cache`."""
    engine = CACHE_ENGINES[cache]
    return (
        VariableSpec(
            "cache_node_type",
            "string",
            f"{engine.service} node type of the item cache (cache={cache}), such as {engine.node_type}; "
            "scripts/capacity derives the memory it needs from the working set.",
            engine.node_type,
            (_regex("cache_node_type", engine.node_type_pattern, engine.node_type_rule),),
        ),
        VariableSpec(
            "cache_node_count",
            "number",
            f"Nodes of the item cache (cache={cache}): {engine.replicas}, 1 to {engine.max_nodes}; {engine.nodes}",
            2,
            (_number_range("cache_node_count", 1, engine.max_nodes, "nodes"),),
        ),
        VariableSpec(
            "cache_ttl_seconds",
            "number",
            f"Longest time the CRUD function serves an item from the cache without reading DynamoDB (cache={cache}); "
            "writes replace the cached item at once, so this bounds only what another region's writes or a failed "
            f"cache update can leave stale (a deleted item served by other containers), hence at most "
            f"{CACHE_TTL_MAX_SECONDS} seconds.",
            60,
            (_number_range("cache_ttl_seconds", 1, CACHE_TTL_MAX_SECONDS, "seconds"),),
        ),
    )


def _region_variable(index: int) -> VariableSpec:
    """The deploy-time region of `REGIONS[index]`, which must differ from every earlier region."""
    region = REGIONS[index]
    earlier = [r.variable for r in REGIONS[:index]]
    others = ", ".join(f"var.{name}" for name in earlier)
    return VariableSpec(
        region.variable,
        "string",
        f"AWS region of the {region.slot} copy of the stack (provider aws.{region.alias}); it must differ from "
        f"{' and '.join(earlier)}.",
        region.default_region,
        (
            _regex(region.variable, REGION_PATTERN, f"an AWS region such as {region.default_region}"),
            Validation(
                f"!contains([{others}], var.{region.variable})",
                f'{region.variable} = "${{var.{region.variable}}}" is not allowed: expected a region other than '
                f"{' and '.join(f'{name} = ${{var.{name}}}' for name in earlier)}.",
            ),
        ),
    )


ROUTING_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "domain_name",
        "string",
        "DNS name that routes clients to the healthy region nearest to them (latency records with health checks, "
        "one regional custom domain and ACM certificate per region), such as api.example.com. Required with "
        "more than one region.",
        validations=(
            _regex(
                "domain_name",
                "^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\\\.)+[a-z]{2,63}$",
                "a lowercase DNS name such as api.example.com",
            ),
            Validation(
                "length(var.domain_name) <= 253",
                'domain_name = "${var.domain_name}" is not allowed: expected at most 253 characters.',
            ),
        ),
    ),
    VariableSpec(
        "hosted_zone_id",
        "string",
        "ID of the public Route 53 hosted zone that holds domain_name (its certificate validation and routing "
        "records are written there). Required with more than one region.",
        validations=(
            _regex("hosted_zone_id", "^Z[A-Z0-9]{1,31}$", "a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ"),
        ),
    ),
)

ANALYTICS_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "athena_results_retention_days",
        "number",
        "Days Athena query results stay in their bucket (in S3 Standard: they are short-lived).",
        91,
        (_number_range("athena_results_retention_days", 1, 3650, "days"),),
    ),
)

# account_controls=on: the account password policy, which the IAM_PASSWORD_POLICY rule checks with
# the same values. The ranges are IAM's (UpdateAccountPasswordPolicy); the defaults CIS AWS
# Foundations' (1.8: at least 14 characters; 1.9: no reuse of the last 24).
ACCOUNT_CONTROLS_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "password_minimum_length",
        "number",
        "Shortest password the account's IAM users may set (account_controls=on).",
        14,
        (_number_range("password_minimum_length", 6, 128, "characters"),),
    ),
    VariableSpec(
        "password_max_age_days",
        "number",
        "Days after which an IAM user's password expires (account_controls=on).",
        90,
        (_number_range("password_max_age_days", 1, 1095, "days"),),
    ),
    VariableSpec(
        "password_reuse_prevention",
        "number",
        "How many of a user's previous passwords may not be set again (account_controls=on).",
        24,
        (_number_range("password_reuse_prevention", 1, 24, "passwords"),),
    ),
)

REPLICATION_VARIABLES: tuple[VariableSpec, ...] = (
    VariableSpec(
        "log_replica_storage_class",
        "string",
        "S3 storage class of the log archive's replicas in the other regions (replication writes them "
        "there directly; the replica buckets' lifecycle then moves them on as their own objects).",
        "STANDARD_IA",
        (_one_of("log_replica_storage_class", s3_storage.REPLICA_STORAGE_CLASSES, quoted=True),),
    ),
)


def variables_for(config: SynthConfig) -> tuple[VariableSpec, ...]:
    """The variables of the stack that `config` shapes: the core ones, then each option's."""
    regional = tuple(_region_variable(index) for index in range(1, config.region_count))
    routing = ROUTING_VARIABLES + REPLICATION_VARIABLES if config.region_count > 1 else ()
    waf = WAF_VARIABLES if config.waf_enabled else ()
    network = NETWORK_VARIABLES if config.private_network else ()
    scale = SCALE_VARIABLES if config.scale_enabled else ()
    stream = ITEM_STREAM_VARIABLES if config.item_stream_enabled else ()
    cache = cache_variables(config.cache) if config.cache_enabled else ()
    account = ACCOUNT_CONTROLS_VARIABLES if config.account_controls_enabled else ()
    return (
        VARIABLES
        + CANARY_VARIABLES
        + ANALYTICS_VARIABLES
        + waf
        + regional
        + routing
        + network
        + scale
        + stream
        + cache
        + account
    )
