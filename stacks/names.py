"""Physical names: every name the stack gives an AWS object is derived here, as a Terraform expression.

The name prefix is `<project_name>-<environment>[-<environment_suffix>]` (at most 38 characters,
a-z 0-9 and -). Regional objects of global services (IAM roles, S3 buckets) carry their region, so
two regions or two environments never collide; a name that could exceed its AWS limit at the
longest allowed inputs is cut and ends with 8 hex digits of the SHA-1 of the whole name, so it
stays deterministic and unique.
"""

from __future__ import annotations

from cdktf import TerraformLocal
from constructs import Construct

from modules import dax_cache
from modules.account_controls import MANAGED_RULES
from tapgen.config import SynthConfig
from tapgen.placement import Region

NAME_PREFIX = '${join("-", compact([var.project_name, var.environment, var.environment_suffix]))}'
# The item table is `<prefix>-items` unless var.dynamodb_table_name names it; a global table has
# the same name in every region.
TABLE_NAME = '${var.dynamodb_table_name != "" ? var.dynamodb_table_name : "${local.name_prefix}-items"}'
IAM_ROLES = (
    "api-lambda",
    "health-lambda",
    "rotation-lambda",
    "apigw-logs",
    "log-firehose",
    "log-subscription",
    "log-replication",
    "canary",
)
# Roles that exist only with an option: in every region the VPC's flow logs (compliance or a cache)
# and the DAX cluster's (cache=dax) and the Config recorder (account_controls); in the primary the
# trail's log delivery (compliance).
FLOW_LOGS_ROLE = "flow-logs"
TRAIL_ROLE = "trail"
CONFIG_ROLE = "config"
REMEDIATION_ROLE = "remediation"
DAX_ROLE = "dax"
IAM_ROLE_NAME_MAX = 64
S3_BUCKET_NAME_MAX = 63
# The longest cache id per `cache` option value. ElastiCache ids (replication group, users, user
# group) allow 40 characters, and the users' and the group's ids add at most 8 (`-default`) to the
# cache's; a DAX cluster name allows 20.
CACHE_ID_MAX = {"elasticache": 40 - len("-default"), "dax": dax_cache.CLUSTER_NAME_MAX}
HASH_CHARS = 8
# Config accepts rule names of 128 characters, but a remediation configuration names its rule and
# the AWS provider (5.100.0) accepts 64 there: the names of rules with a remediation are fitted.
REMEDIATED_RULE_NAME_MAX = 64


# The tags the stack sets, by key and value: the contract's, on every resource through the providers'
# default tags, where they win over a user tag of the same key (variable `tags`); and `Name`, which
# network resources set themselves (modules/private_network.py) and which wins over both.
MANAGED_BY = "terraform"
CONTRACT_TAGS = {
    "Project": "var.project_name",
    "Environment": "var.environment",
    "Owner": "var.owner",
    "ManagedBy": f'"{MANAGED_BY}"',
}
RESOURCE_TAG_KEYS = ("Name",)
STACK_TAG_KEYS = (*CONTRACT_TAGS, *RESOURCE_TAG_KEYS)
DEFAULT_TAGS = (
    "${merge(var.tags, {" + ", ".join(f"{key} = {value}" for key, value in sorted(CONTRACT_TAGS.items())) + "})}"
)


def metrics_namespace(prefix: str) -> str:
    """The CloudWatch namespace of the metrics the API functions publish (Powertools EMF): the
    stack's own, so two stacks in one account and region never share a metric, and so an alarm or
    a dashboard line of one never counts the other's. `prefix` is the name prefix (at most 38
    characters, a-z 0-9 -), which CloudWatch allows in a namespace."""
    return f"TapStack/{prefix}"


def fitted(name: str, limit: int) -> str:
    """An HCL expression for `name` (an HCL expression) cut to `limit` characters when longer:
    its first `limit - 9` characters, `-` and 8 hex digits of its SHA-1."""
    keep = limit - HASH_CHARS - 1
    cut = f'"${{substr({name}, 0, {keep})}}-${{substr(sha1({name}), 0, {HASH_CHARS})}}"'
    return f"length({name}) <= {limit} ? {name} : {cut}"


def cache_id(scope: Construct, region: Region, cache: str) -> str:
    """Declare the local `cache_id[_<slot>]`: the id of `region`'s item cache of kind `cache`,
    `<prefix>-cache` fitted within `CACHE_ID_MAX`, with runs of `-` made one (neither ElastiCache nor
    DAX ids may hold `--`, which a suffix or the cut may bring); return a reference to it."""
    local_name = f"cache_id{region.suffix}"
    expression = fitted('"${local.name_prefix}-cache"', CACHE_ID_MAX[cache])
    local = TerraformLocal(scope, local_name, f'${{replace({expression}, "/-+/", "-")}}')
    local.override_logical_id(local_name)
    return f"${{local.{local_name}}}"


def optional_roles(config: SynthConfig, region: Region) -> tuple[str, ...]:
    """The roles that `config`'s options add in `region`."""
    compliance, primary = config.compliance_enabled, region.is_primary
    return (
        *((FLOW_LOGS_ROLE,) if config.private_network else ()),
        *((DAX_ROLE,) if config.cache == "dax" else ()),
        *((TRAIL_ROLE,) if compliance and primary else ()),
        *((CONFIG_ROLE, REMEDIATION_ROLE) if config.account_controls_enabled else ()),
    )


def config_rule_names(scope: Construct) -> dict[str, str]:
    """Declare the local `config_rule_names`, an object of the managed rules' names
    (`modules.account_controls.MANAGED_RULES`), the same in every region: `<prefix>-<identifier in
    lower case, - for _>`, fitted when the rule has a remediation; return references by identifier."""
    local_name = "config_rule_names"
    entries = []
    for identifier, use in MANAGED_RULES.items():
        name = f'"${{local.name_prefix}}-{identifier.lower().replace("_", "-")}"'
        fitted_name = fitted(name, REMEDIATED_RULE_NAME_MAX) if use.remediation else name
        entries.append(f"{identifier.lower()} = ({fitted_name})")
    local = TerraformLocal(scope, local_name, f"${{{{{', '.join(entries)}}}}}")
    local.override_logical_id(local_name)
    return {identifier: f"${{local.{local_name}.{identifier.lower()}}}" for identifier in MANAGED_RULES}


def own_buckets(config: SynthConfig, region: Region) -> tuple[str, ...]:
    """The purposes of the buckets the stack owns in `region` besides its log bucket."""
    primary = region.is_primary
    return (
        *OWN_BUCKETS,
        *((TRAIL_BUCKET,) if primary and config.compliance_enabled else ()),
        *((CONFIG_BUCKET,) if config.account_controls_enabled else ()),
    )


def iam_role_names(scope: Construct, region: Region, optional: tuple[str, ...] = ()) -> dict[str, str]:
    """Declare the local `iam_role_names[_<slot>]`: the physical name of every role in IAM_ROLES (and
    the `optional` roles of the options that are on) for `region`, `<prefix>-<region>-<role>` fitted
    to IAM's 64 characters; return references by role."""
    local_name = f"iam_role_names{region.suffix}"
    every = (*IAM_ROLES, *optional)
    roles = ", ".join(f'"{role}"' for role in every)
    full = f'{{for role in [{roles}] : role => "${{local.name_prefix}}-${{var.{region.variable}}}-${{role}}"}}'
    local = TerraformLocal(
        scope, local_name, f"${{{{for role, name in {full} : role => {fitted('name', IAM_ROLE_NAME_MAX)}}}}}"
    )
    local.override_logical_id(local_name)
    return {role: f'${{local.{local_name}["{role}"]}}' for role in every}


# The stack's own buckets in every region (besides the log bucket): `<prefix>-<purpose>-<region>-<account>`.
ANALYTICS_BUCKET = "athena"  # the log archive's query results
OWN_BUCKETS = ("canary", ANALYTICS_BUCKET)
TRAIL_BUCKET = "trail"  # compliance, primary
CONFIG_BUCKET = "config"  # account_controls, every region
# IAM policy names are account-wide: the region keeps two deployments of one prefix apart.
BOUNDARY_POLICY = "${local.name_prefix}-${var.aws_region}-boundary"
# Athena database names allow a-z, 0-9 and _ only.
LOG_DATABASE = '${replace("${local.name_prefix}_logs", "-", "_")}'


def bucket_names(scope: Construct, region: Region, purposes: tuple[str, ...] = OWN_BUCKETS) -> dict[str, str]:
    """Declare the local `bucket_names[_<slot>]`, an object of the region's bucket names, each fitted
    to S3's 63 characters; return references by purpose (`logs` for the log bucket).

    The primary region's log bucket is `var.lambda_log_bucket_name` itself; another region's is
    that name, `-` and its region. Object attributes (not map keys) keep the references free of
    quotes, so they read the same inside policies.
    """
    local_name = f"bucket_names{region.suffix}"
    region_name = f"${{var.{region.variable}}}"
    # The account id too: a bucket name anyone could guess could be taken first in another account.
    account = "${data.aws_caller_identity.tap_stack_caller.account_id}"
    full = {purpose: f'"${{local.name_prefix}}-{purpose}-{region_name}-{account}"' for purpose in purposes}
    if not region.is_primary:
        full["logs"] = f'"${{var.lambda_log_bucket_name}}-{region_name}"'
    entries = ", ".join(f"{purpose} = ({fitted(name, S3_BUCKET_NAME_MAX)})" for purpose, name in full.items())
    local = TerraformLocal(scope, local_name, f"${{{{{entries}}}}}")
    local.override_logical_id(local_name)
    references = {purpose: f"${{local.{local_name}.{purpose}}}" for purpose in full}
    references.setdefault("logs", "${var.lambda_log_bucket_name}")
    return references
