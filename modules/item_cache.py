"""The item cache (`cache=elasticache`): an ElastiCache for Valkey replication group in the private
network, which the CRUD function reads through on `GET /items/{id}` and writes through on every write.

- Reachable only from the stack's functions: the cache's security group admits 6379 from the
  functions' group and has no egress rule; the functions' group gains one egress rule, 6379 to the
  cache's group (the private network otherwise allows 443 only).
- Encrypted in transit (TLS required: a plaintext connection is refused) and at rest with the
  region's customer-managed key; the key policy grants ElastiCache its use through the key's
  consumers (`modules.encryption`, from `kms_key_id`).
- Authentication without a secret anywhere: ElastiCache RBAC with IAM authentication. The function
  connects as the user `<cache_id>-crud` with a token it signs itself with its role's credentials
  (SigV4, valid 15 minutes), which `elasticache:Connect` on the group and the user authorises
  (`ItemCache.connect_statement`). An auth token (password) from Secrets Manager would pass through
  Terraform's state: provider 5.100 has no write-only `auth_token`. The mandatory `default` user is
  switched off.
- The user may run only the commands the function sends, on its own keys: `CACHE_ACL_RULES` of
  `lambda_src/shared/tap_contract.py` (HMGET to read an entry; EVAL of the compare-and-set script,
  which itself calls HMGET, DEL, HSET and EXPIRE; keys `tap:item:*`). The tests' Redis server
  enforces the same rules, so a command the function needs but may not run fails there.
- More than one node puts replicas in other availability zones with automatic failover (multi-AZ);
  one node has neither, which ElastiCache requires.
- Slow-log and engine-log are delivered as JSON into two encrypted log groups.
- Alarms on every member cluster (`item_cache_alarms`): ElastiCache publishes its host and engine
  metrics per member cluster (`CacheClusterId`), and the group names its members only as an
  unordered set, unknown at plan time. Members are named by the group's id and their number
  (`<id>-001`, `<id>-002`, ...), so the alarms are counted by the node count and each watches
  `<id>-<nnn>`. That holds for a group created with its nodes, and after more are added (the new
  replicas take the next numbers, as the AWS CLI's `increase-replica-count` example shows); after the
  count is lowered, ElastiCache chooses which replicas to remove (the provider names none), so the
  remaining members may no longer be `-001` to `-<count>`: an alarm then watches a removed member
  (its data missing, it stays OK) while a kept one goes unwatched, until the group is recreated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktf import Fn, Op, Token
from constructs import Construct

from lambda_src.shared import tap_contract
from modules.alerts import AlarmSpec, MemberDimensions
from modules.iam import Statement
from modules.log_group import LogGroupProps, encrypted_log_group
from modules.private_network import FunctionOnlyAccess, function_only_group
from tapgen.aws import aws
from tapgen.aws_rules.quotas import ELASTICACHE_MAX_CLIENTS

ENGINE = "valkey"
ENGINE_VERSION = "8.0"
# The users' and their group's engine. A user group needs a user named `default` (here: off, no
# password), and a VALKEY group may hold only users that authenticate (password or IAM); a REDIS
# group and its users serve a Valkey cluster alike (ElastiCache User Guide, RBAC).
USER_ENGINE = "redis"
PORT = 6379
# The cache holds only copies of DynamoDB items; a day of snapshots is enough to restore a warm cache.
SNAPSHOT_RETENTION_DAYS = 1
# The CRUD function's keys and commands only (`lambda_src/shared/tap_contract.py`).
ACCESS_STRING = f"on {tap_contract.CACHE_ACL_RULES}"
DEFAULT_USER_ACCESS_STRING = "off -@all"
LOG_TYPES = ("slow-log", "engine-log")
MAX_NODES = 6
# A replication group id: a letter, then letters, digits and single hyphens, at most 40 characters.
CACHE_ID = re.compile(r"^(?=.{1,40}$)[a-z](?:-?[a-z0-9])*$")
# Member n (1, 2, ...) of a cluster-mode-disabled replication group: ElastiCache names the nodes by
# appending -001 (the primary it creates), -002, ... to the group's id (ElastiCache User Guide,
# "Creating a Valkey or Redis OSS (Cluster Mode Disabled) replication group from scratch":
# https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Replication.CreatingReplGroup.NoExistingCluster.Classic.html).
MEMBER_ID = "%s-%03d"


@dataclass(frozen=True, kw_only=True)
class ItemCacheProps:
    """`name` is the Terraform name of the replication group (`tap_stack_cache`); every other
    resource derives its name from it. `cache_id` is the replication group id (a string
    expression, lowercase, at most 40 characters), also the prefix of the users' ids, of the subnet
    group's and security group's names and of the log groups' names. `vpc_id`, `subnet_ids` and
    `function_security_group_id` come from the `PrivateNetwork`; `kms_key_arn` is this region's
    key. `node_type` and `node_count` (primary plus replicas, 1 to 6) are values or expressions."""

    name: str
    cache_id: str
    vpc_id: str
    subnet_ids: tuple[str, ...]
    function_security_group_id: str
    kms_key_arn: str
    node_type: str
    node_count: object
    log_retention_days: float

    def __post_init__(self) -> None:
        expression = Token.is_unresolved(self.cache_id) or "${" in self.cache_id
        if not expression and not CACHE_ID.match(self.cache_id):
            raise ValueError(
                f"{self.name}: cache_id must be at most 40 lowercase letters, digits and single hyphens, "
                f"starting with a letter, not {self.cache_id!r}"
            )
        if isinstance(self.node_count, int) and not 1 <= self.node_count <= MAX_NODES:
            raise ValueError(f"{self.name}: node_count must be between 1 and {MAX_NODES}, not {self.node_count}")


class ItemCache(Construct):
    """Outputs: `replication_group` (`aws_elasticache_replication_group`), `arn`, `endpoint` (the
    primary endpoint's address), `port` (6379), `cache_id`, `user_id` (the function's RBAC user,
    equal to its user name), `user_arn`, `security_group_id` (the cache's), `log_groups` (the
    slow-log and engine-log `aws_cloudwatch_log_group`s), `connect_statement` (the `Statement`
    that lets the function's role connect as its user) and `alarms` (each member cluster's load,
    memory, evictions and connections, `AlarmSpec`s for the region's alerts; the function's view of
    the cache is the stack's cache errors alarm)."""

    def __init__(self, scope: Construct, props: ItemCacheProps) -> None:
        super().__init__(scope, props.name)
        self.security_group_id = self._network_access(props)
        user, user_group = self._users(props)
        subnets = aws.elasticache_subnet_group.ElasticacheSubnetGroup(
            self,
            f"{props.name}_subnets",
            name=props.cache_id,
            description="TAP stack item cache: the private subnets",
            subnet_ids=list(props.subnet_ids),
        )
        self.log_groups = tuple(
            encrypted_log_group(
                self,
                LogGroupProps(
                    name=f"{props.name}_{log_type.replace('-', '_')}",
                    log_group_name=f"/aws/elasticache/{props.cache_id}/{log_type}",
                    kms_key_arn=props.kms_key_arn,
                    retention_days=props.log_retention_days,
                ),
            )
            for log_type in LOG_TYPES
        )
        replicated = Op.gt(props.node_count, 1)
        self.replication_group = aws.elasticache_replication_group.ElasticacheReplicationGroup(
            self,
            props.name,
            replication_group_id=props.cache_id,
            description="TAP stack item cache: read-through copies of DynamoDB items",
            engine=ENGINE,
            engine_version=ENGINE_VERSION,
            node_type=props.node_type,
            num_cache_clusters=props.node_count,
            port=PORT,
            automatic_failover_enabled=replicated,
            multi_az_enabled=replicated,
            subnet_group_name=subnets.name,
            security_group_ids=[self.security_group_id],
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            # The provider types these two as strings (the API accepts only "true"/"false").
            at_rest_encryption_enabled="true",
            kms_key_id=props.kms_key_arn,
            user_group_ids=[user_group.user_group_id],
            auto_minor_version_upgrade="true",
            snapshot_retention_limit=SNAPSHOT_RETENTION_DAYS,
            apply_immediately=False,
            log_delivery_configuration=[
                aws.elasticache_replication_group.ElasticacheReplicationGroupLogDeliveryConfiguration(
                    destination=log_group.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type, log_group in zip(LOG_TYPES, self.log_groups, strict=True)
            ],
        )
        self.arn = self.replication_group.arn
        self.endpoint = self.replication_group.primary_endpoint_address
        self.port = PORT
        self.cache_id = self.replication_group.replication_group_id
        self.user_id = user.user_id
        self.user_arn = user.arn
        self.connect_statement = Statement("ConnectToItemCache", ("elasticache:Connect",), (self.arn, self.user_arn))
        self.alarms = item_cache_alarms(props.name, self.cache_id, props.node_count)

    def _network_access(self, props: ItemCacheProps) -> str:
        return function_only_group(
            self,
            FunctionOnlyAccess(
                name=props.name,
                group_name=props.cache_id,
                description="TAP stack item cache: Valkey (6379) from the stack's functions only",
                traffic="Valkey over TLS",
                port=PORT,
                vpc_id=props.vpc_id,
                function_security_group_id=props.function_security_group_id,
            ),
        )

    def _users(self, props: ItemCacheProps):
        """The function's IAM-authenticated user, the switched-off `default` user every user group
        must hold, and the group of both. Returns the function's user and the group."""
        user = aws.elasticache_user.ElasticacheUser(
            self,
            f"{props.name}_user",
            # IAM authentication requires the user id and the user name to be equal.
            user_id=f"{props.cache_id}-crud",
            user_name=f"{props.cache_id}-crud",
            engine=USER_ENGINE,
            access_string=ACCESS_STRING,
            authentication_mode=aws.elasticache_user.ElasticacheUserAuthenticationMode(type="iam"),
        )
        default = aws.elasticache_user.ElasticacheUser(
            self,
            f"{props.name}_default_user",
            user_id=f"{props.cache_id}-default",
            user_name="default",
            engine=USER_ENGINE,
            access_string=DEFAULT_USER_ACCESS_STRING,
            # Not `authentication_mode { type = "no-password-required" }`: AWS reports that type back
            # as `no-password`, and the provider would then plan a change on every apply.
            no_password_required=True,
        )
        group = aws.elasticache_user_group.ElasticacheUserGroup(
            self,
            f"{props.name}_users",
            user_group_id=f"{props.cache_id}-users",
            engine=USER_ENGINE,
            user_ids=[default.user_id, user.user_id],
        )
        return user, group


# AWS's recommended alarm on the engine thread (CloudWatch User Guide, "Recommended alarms",
# ElastiCache: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html#ElastiCache):
# about 90% for five one-minute periods. The engine thread's share of its core, not the host's
# CPUUtilization, which averages in the idle cores.
ENGINE_CPU_ALARM_PERCENT = 90
# Memory in use for data: AWS leaves this threshold to the application. The cache evicts entries at
# 100% (`maxmemory`); 80% leaves time to scale the nodes up before the hit ratio falls.
MEMORY_ALARM_PERCENT = 80
# Clients connected to one node, as a share of the most it accepts: the function keeps one connection
# per warm container, so this is reached by concurrency, or by connections that leak.
CONNECTIONS_ALARM_PERCENT = 80
SUSTAINED_PERIODS = 5


def member_cluster_id(cache_id: str, member: object) -> str:
    """The id of member `member` (1, 2, ...; a number or a Terraform number expression) of the
    replication group `cache_id`: `<cache_id>-001`, ..."""
    return Fn.format(MEMBER_ID, [cache_id, member])


def item_cache_alarms(name: str, cache_id: str, node_count: object) -> tuple[AlarmSpec, ...]:
    """Each member cluster's engine CPU, memory, evictions and connections, on its `CacheClusterId`
    (one alarm per member and metric, as many as `node_count`). Any eviction means the nodes are too
    small for the working set: every entry expires within `cache_ttl_seconds` on its own."""
    members = MemberDimensions(
        node_count, MAX_NODES, lambda member: {"CacheClusterId": member_cluster_id(cache_id, member)}
    )
    connections = ELASTICACHE_MAX_CLIENTS * CONNECTIONS_ALARM_PERCENT // 100
    return (
        AlarmSpec(
            f"{name}_engine_cpu_alarm",
            f"An item cache node's engine thread stayed above {ENGINE_CPU_ALARM_PERCENT}% CPU: the nodes are too "
            "small for the load",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            members,
            ENGINE_CPU_ALARM_PERCENT,
            statistic="Average",
            evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            f"{name}_memory_alarm",
            f"An item cache node's data stayed above {MEMORY_ALARM_PERCENT}% of its memory: evictions come next",
            "AWS/ElastiCache",
            "DatabaseMemoryUsagePercentage",
            members,
            MEMORY_ALARM_PERCENT,
            statistic="Average",
            evaluation_periods=SUSTAINED_PERIODS,
        ),
        AlarmSpec(
            f"{name}_evictions_alarm",
            "An item cache node evicted entries for lack of memory: the nodes are too small for the working set",
            "AWS/ElastiCache",
            "Evictions",
            members,
            1,
        ),
        AlarmSpec(
            f"{name}_connections_alarm",
            f"An item cache node's client connections reached {CONNECTIONS_ALARM_PERCENT}% of the "
            f"{ELASTICACHE_MAX_CLIENTS:,} it accepts: past them, new connections are refused",
            "AWS/ElastiCache",
            "CurrConnections",
            members,
            connections,
            statistic="Maximum",
        ),
    )
