"""TapRegion: every regional component of the TAP stack, composed for one region.

The stack creates one per region inside that region's `RegionScope`, so each resource here gets
its region's provider and suffix without naming either (`tapgen.placement`). The primary region
owns the item table; another region holds a replica of it (a DynamoDB global table).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Op, TerraformVariable, Token
from constructs import Construct

from lambda_src.shared.tap_contract import CACHE_ERRORS, CACHE_HITS, CACHE_MISSES
from modules.account import AwsAccount
from modules.alerts import AlarmSpec, Alerts, AlertsProps
from modules.api_account import ApiAccount, ApiAccountProps
from modules.api_function import ALIAS_NAME, XRAY_ACTIONS, ApiFunction, ApiFunctionProps, ProvisionedConcurrency
from modules.app_secret import AppSecret, AppSecretProps, SecretRotation, SecretRotationProps
from modules.audit_logs import AuditLogs, AuditLogsProps
from modules.canary import HealthCanary, HealthCanaryProps, canary_name
from modules.dashboard import (
    RegionDashboard,
    RegionDashboardProps,
    api_metrics,
    cache_metrics,
    function_metrics,
    table_metrics,
)
from modules.dax_cache import DaxCache, DaxCacheProps
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.iam import Statement
from modules.item_cache import ItemCache, ItemCacheProps
from modules.item_events import ItemEvents, ItemEventsProps
from modules.item_stream import ItemStream, ItemStreamProps
from modules.item_table import CapacityRange, ItemTable, ItemTableProps
from modules.log_analytics import LogAnalytics, LogAnalyticsProps
from modules.log_replication import LogReplication, LogReplicationProps, ReplicaBucket
from modules.private_network import PrivateNetwork, PrivateNetworkProps
from modules.regional_domain import (
    RegionalCertificate,
    RegionalCertificateProps,
    RegionalDomain,
    RegionalDomainProps,
    ValidationRecord,
)
from modules.rest_api import MethodThrottle, RestApi, RestApiProps, StageSettings, routes_from_contract
from modules.secure_bucket import ArchiveProtection, SecureBucket, SecureBucketProps
from modules.table_replica import TableReplica, TableReplicaProps
from modules.tenant_grants import TenantGrants, TenantGrantsProps
from modules.web_acl import WebFirewall, WebFirewallProps
from stacks import names
from stacks.lifecycle import StackLifecycle
from tapgen.config import SynthConfig
from tapgen.pipeline.archives import BuiltArchive
from tapgen.placement import Region, RegionScope

LOG_LEVEL = "INFO"
# The CRUD function's Powertools service name: also the `service` dimension of its EMF metrics.
CRUD_SERVICE = "tap-api"
CRUD = "crud"
HEALTH = "health"
ROTATION = "rotation"
CANARY = "canary"
ROUTES = routes_from_contract()
# The AWS APIs the functions call besides DynamoDB (a gateway endpoint): Secrets Manager and
# EventBridge from the code; KMS, CloudWatch Logs and X-Ray for the SDKs and Powertools. Not STS:
# Lambda hands each function its role's credentials, so nothing in the VPC calls it.
ENDPOINT_SERVICES = ("secretsmanager", "kms", "logs", "events", "xray")
# What the functions may do through the endpoints of services whose policy would otherwise allow
# every action of the service (the others are limited to the stack's resources).
LOG_WRITE_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")


@dataclass(frozen=True)
class RegionInputs:
    """What a region needs from the stack: its slot, the account expressions for that region, the
    stack-wide names, the variables, what the stack's lifecycle decides, the archives and the
    synth-time options."""

    region: Region
    account: AwsAccount
    prefix: str
    table_name: str
    var: dict[str, TerraformVariable]
    lifecycle: StackLifecycle
    archives: dict[str, BuiltArchive]
    config: SynthConfig
    # The regions built before this one, the primary first: a replica joins the primary's table
    # after the replica before it.
    earlier: tuple[TapRegion, ...] = ()


class TapRegion(RegionScope):
    """A region scope holding the region's components. Outputs: the module objects (`kms`, `logs`,
    `audit`, `data`, `events`, `secret`, `grants`, `crud`, `health`, `rotation`, `api_account`,
    `api`, `alerts`) and `functions`. `provider` is the region's aliased provider (None: default)."""

    def __init__(self, scope: Construct, inputs: RegionInputs, provider) -> None:
        super().__init__(scope, inputs.region, provider)
        self.inputs = inputs
        self.region = inputs.region
        self.account = inputs.account
        self.var = inputs.var
        self.metrics_namespace = names.metrics_namespace(inputs.prefix)
        config = inputs.config
        self.iam_role_names = names.iam_role_names(self, inputs.region, names.optional_roles(config, inputs.region))
        self.bucket_names = names.bucket_names(self, inputs.region, names.own_buckets(config, inputs.region))
        self._data_plane()
        self.network = self._network() if config.private_network else None
        self.cache = self._cache() if config.cache_enabled else None
        self._compute()
        self._edge()
        self._observability()

    def _data_plane(self) -> None:
        v, prefix, account, lifecycle = self.var, self.inputs.prefix, self.account, self.inputs.lifecycle
        self.kms = EncryptionKey(
            self,
            EncryptionKeyProps(
                name="tap_stack_kms",
                alias_name=f"alias/{prefix}",
                description=f"TAP stack data key ({prefix})",
                account=account,
                deletion_window_days=lifecycle.key_deletion_window_days,
                watch_administration=True,
            ),
        )
        key = self.kms.arn
        self.logs = SecureBucket(
            self,
            SecureBucketProps(
                name="tap_stack_logs",
                bucket_name=self.bucket_names["logs"],
                kms_key_arn=key,
                expiration_days=v["log_archive_retention_days"].number_value,
                archive=ArchiveProtection(
                    v["log_archive_break_glass_principal_arn"].string_value,
                    v["log_archive_object_lock"].boolean_value,
                    v["log_archive_object_lock_mode"].string_value,
                    tamper_protection=lifecycle.archive_tamper_protection,
                ),
                force_destroy=lifecycle.force_destroy,
            ),
        )
        self.audit = AuditLogs(
            self,
            AuditLogsProps(
                name="tap_stack_log_archive",
                stream_name=f"{prefix}-log-archive",
                firehose_role_name=self.iam_role_names["log-firehose"],
                subscription_role_name=self.iam_role_names["log-subscription"],
                bucket_arn=self.logs.arn,
                kms_key_arn=key,
                account=account,
                log_retention_days=v["log_retention_days"].number_value,
                bucket_ready=tuple(self.logs.ready),
            ),
        )
        self.data = self._table()
        self.stream = self._item_stream() if self.inputs.config.item_stream_enabled else None
        self.events = ItemEvents(
            self, ItemEventsProps(name="tap_stack_events", bus_name=f"{prefix}-items", kms_key_arn=key)
        )
        self.secret = AppSecret(
            self,
            AppSecretProps(
                name="tap_stack_secret",
                secret_name=f"{prefix}/app",
                kms_key_arn=key,
                description=(
                    "TAP application secret: the HMAC keys that sign list tokens, created and rotated by the "
                    "rotation function."
                ),
                recovery_window_days=lifecycle.secret_recovery_window_days,
            ),
        )
        self.grants = TenantGrants(
            self,
            TenantGrantsProps(
                name="tap_stack_grants",
                table_name=f"{prefix}-grants",
                kms_key_arn=key,
                grants=v["tenant_grants"].value,
                deletion_protection=lifecycle.table_deletion_protection,
            ),
        )

    def _item_stream(self) -> ItemStream:
        """Item changes of this region's table (or replica) into a stream in the same region."""
        v = self.var
        return ItemStream(
            self,
            ItemStreamProps(
                name="tap_stack_item_stream",
                stream_name=f"{self.inputs.prefix}-item-changes",
                table_name=self.data.name,
                kms_key_arn=self.kms.arn,
                stream_mode=v["item_stream_mode"].string_value,
                shard_count=v["item_stream_shard_count"].number_value,
                retention_hours=v["item_stream_retention_hours"].number_value,
            ),
        )

    def _network(self) -> PrivateNetwork:
        """The private network the functions run in: endpoints for the AWS APIs they call, each
        admitting only this region's resources of the stack."""
        prefix = self.inputs.prefix
        return PrivateNetwork(
            self,
            PrivateNetworkProps(
                name="tap_stack_network",
                vpc_name=f"{prefix}-network",
                cidr_block=self.var["vpc_cidr"].string_value,
                account=self.account,
                kms_key_arn=self.kms.arn,
                log_retention_days=self.var["log_retention_days"].number_value,
                flow_log_group_name=f"/aws/vpc/{prefix}-flow-logs",
                flow_log_role_name=self.iam_role_names[names.FLOW_LOGS_ROLE],
                admin_cidr=self.var["admin_cidr"].string_value,
                interface_services=ENDPOINT_SERVICES,
                allowed_resources={
                    "dynamodb": (
                        self.data.arn,
                        f"{self.data.arn}/index/*",
                        self.grants.arn,
                    ),
                    "s3": (self.logs.arn, f"{self.logs.arn}/*"),
                    "secretsmanager": (self.secret.arn,),
                    "kms": (self.kms.arn,),
                    "events": (self.events.arn,),
                    "logs": (
                        self.account.arn("logs", f"log-group:/aws/lambda/{prefix}-*"),
                        self.account.arn("logs", f"log-group:/aws/lambda/{prefix}-*:*"),
                    ),
                },
                allowed_actions={"logs": LOG_WRITE_ACTIONS, "xray": XRAY_ACTIONS},
            ),
        )

    def _cache(self) -> ItemCache | DaxCache:
        """The CRUD function's read-through item cache, in the private network's subnets."""
        network, v, cache = self.network, self.var, self.inputs.config.cache
        cache_id = names.cache_id(self, self.region, cache)
        if cache == "dax":
            return DaxCache(
                self,
                DaxCacheProps(
                    name="tap_stack_dax",
                    cluster_name=cache_id,
                    role_name=self.iam_role_names[names.DAX_ROLE],
                    table_arn=self.data.arn,
                    table_key_statement=self.data.grant_key_use(self.kms.arn, self.account),
                    vpc_id=network.vpc_id,
                    subnet_ids=network.function_network.subnet_ids,
                    function_security_group_id=network.function_security_group_id,
                    node_type=v["cache_node_type"].string_value,
                    node_count=v["cache_node_count"].number_value,
                    ttl_seconds=v["cache_ttl_seconds"].number_value,
                ),
            )
        return ItemCache(
            self,
            ItemCacheProps(
                name="tap_stack_cache",
                cache_id=cache_id,
                vpc_id=network.vpc_id,
                subnet_ids=network.function_network.subnet_ids,
                function_security_group_id=network.function_security_group_id,
                kms_key_arn=self.kms.arn,
                node_type=v["cache_node_type"].string_value,
                node_count=v["cache_node_count"].number_value,
                log_retention_days=v["log_retention_days"].number_value,
            ),
        )

    def _table(self) -> ItemTable | TableReplica:
        """The primary region owns the item table; every other region holds a replica of it."""
        v, earlier = self.var, self.inputs.earlier
        protection = self.inputs.lifecycle.table_deletion_protection
        if not earlier:
            return ItemTable(
                self,
                ItemTableProps(
                    name="tap_stack_data",
                    table_name=self.inputs.table_name,
                    kms_key_arn=self.kms.arn,
                    read_capacity=CapacityRange(
                        v["dynamodb_read_capacity_min"].number_value, v["dynamodb_read_capacity_max"].number_value
                    ),
                    write_capacity=CapacityRange(
                        v["dynamodb_write_capacity_min"].number_value, v["dynamodb_write_capacity_max"].number_value
                    ),
                    target_utilization_percent=v["dynamodb_target_utilization"].number_value,
                    deletion_protection=protection,
                    replicated=self.inputs.config.region_count > 1,
                ),
            )
        primary, previous = earlier[0].data, earlier[-1].data
        waits_for = (*primary.scaling_policies, *((previous.replica,) if previous is not primary else ()))
        return TableReplica(
            self,
            TableReplicaProps(
                name="tap_stack_data",
                global_table_arn=primary.arn,
                kms_key_arn=self.kms.arn,
                deletion_protection=protection,
                depends_on=waits_for,
            ),
        )

    def replicate_logs_to(self, others: tuple[TapRegion, ...]) -> LogReplication:
        """Replicate this region's log archive into each of `others`' log buckets."""
        return LogReplication(
            self,
            LogReplicationProps(
                name="tap_stack_log_replication",
                role_name=self.iam_role_names["log-replication"],
                source_bucket_id=self.logs.id,
                source_bucket_arn=self.logs.arn,
                source_kms_key_arn=self.kms.arn,
                source_versioning=self.logs.versioning,
                destinations=tuple(
                    ReplicaBucket(other.logs.arn, other.kms.arn, other.account.region, other.logs.versioning)
                    for other in others
                ),
                account=self.account,
                storage_class=self.var["log_replica_storage_class"].string_value,
            ),
        )

    def certificate(self) -> RegionalCertificate:
        """This region's certificate for the routed name (`domain_name`)."""
        return RegionalCertificate(
            self,
            RegionalCertificateProps(
                name="tap_stack_api_certificate", domain_name=self.var["domain_name"].string_value
            ),
        )

    def route(self, certificate: RegionalCertificate, validation: ValidationRecord) -> RegionalDomain:
        """The routed name in this region: custom domain, latency record, and the health check that
        fails the region over while its canary alarm fires."""
        return RegionalDomain(
            self,
            RegionalDomainProps(
                name="tap_stack_api_domain",
                domain_name=self.var["domain_name"].string_value,
                hosted_zone_id=self.var["hosted_zone_id"].string_value,
                certificate=certificate,
                validation_record=validation,
                rest_api_id=self.api.api.id,
                stage_name=self.api.stage.stage_name,
                account=self.account,
                health_alarm=self.alerts.alarms[self.canary.verdict_alarm.name],
            ),
        )

    def _analyse_logs(self) -> LogAnalytics:
        """This region's log archive as an Athena table, with its workgroup and named queries."""
        prefix = self.inputs.prefix
        return LogAnalytics(
            self,
            LogAnalyticsProps(
                name="tap_stack_log_analytics",
                workgroup_name=f"{prefix}-logs",
                database_name=names.LOG_DATABASE,
                results_bucket_name=self.bucket_names[names.ANALYTICS_BUCKET],
                results_expiration_days=self.var["athena_results_retention_days"].number_value,
                log_bucket_name=self.logs.name,
                archive_retention_days=self.var["log_archive_retention_days"].string_value,
                kms_key_arn=self.kms.arn,
                account=self.account,
                force_destroy=self.inputs.lifecycle.force_destroy,
            ),
        )

    def _compute(self) -> None:
        archives = self.inputs.archives
        self.crud = self._function(archives[CRUD], crud_settings(self))
        self.health = self._function(archives[HEALTH], health_settings(self))
        self.rotation = self._function(archives[ROTATION], rotation_settings(self))
        SecretRotation(
            self,
            SecretRotationProps(
                name="tap_stack_secret_rotation",
                secret_arn=self.secret.arn,
                function_name=self.rotation.function_name,
                function_arn=self.rotation.arn,
                days=self.var["secret_rotation_days"].number_value,
                account_id=self.account.account_id,
            ),
        )

    def _edge(self) -> None:
        self.api_account = ApiAccount(
            self,
            ApiAccountProps(
                name="tap_stack_api_account",
                role_name=self.iam_role_names["apigw-logs"],
                account=self.account,
                managed=self.var["manage_api_gateway_account"].boolean_value,
            ),
        )
        self.api = RestApi(self, self._api_props())
        self.firewall = self._firewall() if self.inputs.config.waf_enabled else None

    def _firewall(self) -> WebFirewall:
        prefix, v = self.inputs.prefix, self.var
        return WebFirewall(
            self,
            WebFirewallProps(
                name="tap_stack_waf",
                name_prefix=prefix,
                stage_arn=self.api.stage.arn,
                rate_limit=v["waf_rate_limit"].number_value,
                log_group_name=f"aws-waf-logs-{prefix}",
                kms_key_arn=self.kms.arn,
                log_retention_days=v["log_retention_days"].number_value,
                account=self.account,
                tenant_rate_limit=v["waf_tenant_rate_limit"].number_value,
            ),
        )

    def _observability(self) -> None:
        for function in self.functions:
            self.audit.archive(f"{function.node.id}_log_archive", function.log_group)
        self.audit.archive("tap_stack_api_access_log_archive", self.api.access_log_group)
        if self.firewall is not None:
            self.audit.archive("tap_stack_waf_log_archive", self.firewall.log_group)
        self.analytics = self._analyse_logs()
        prefix = self.inputs.prefix
        self.canary = HealthCanary(
            self,
            HealthCanaryProps(
                name="tap_stack_canary",
                canary_name=canary_name(prefix),
                role_name=self.iam_role_names["canary"],
                bucket_name=self.bucket_names["canary"],
                archive=self.inputs.archives[CANARY],
                account=self.account,
                kms_key_arn=self.kms.arn,
                api_url=self.api.invoke_url,
                schedule_expression=self.var["canary_schedule_expression"].string_value,
                artifact_expiration_days=self.var["canary_artifact_retention_days"].number_value,
                force_destroy=self.inputs.lifecycle.force_destroy,
            ),
        )

    def alert(self, stack_alarms: tuple[AlarmSpec, ...] = ()) -> Alerts:
        """The region's alerts topic and alarms, built once every component exists: what the region's
        components declare (`alarm_specs`) and `stack_alarms`, those of stack-wide components that
        report here (the trail's security events, in the primary region)."""
        prefix = self.inputs.prefix
        self.alerts = Alerts(
            self,
            AlertsProps(
                name="tap_stack_alerts",
                topic_name=f"{prefix}-alerts",
                alarm_name_prefix=prefix,
                kms_key_arn=self.kms.arn,
                alarm_email=self.var["alarm_email"].string_value,
                account=self.account,
                alarms=(*alarm_specs(self), *stack_alarms),
            ),
        )
        return self.alerts

    def dashboard(self) -> RegionDashboard:
        """The region's dashboard: every alarm of the region (`alerts.specs`) and the metrics that
        have none."""
        crud_alias = ALIAS_NAME if self.inputs.config.scale_enabled else ""
        extras = (
            *api_metrics(self.api.api.name, self.api.stage.stage_name),
            *(
                metric
                for function in self.functions
                for metric in function_metrics(
                    function.node.id, function.function_name, crud_alias if function is self.crud else ""
                )
            ),
            *table_metrics(self.data.name),
            *(cache_metrics(self.metrics_namespace, crud_dimensions(), CACHE_HITS, CACHE_MISSES) if self.cache else ()),
        )
        return RegionDashboard(
            self,
            RegionDashboardProps(
                name="tap_stack_dashboard",
                dashboard_name=f"{self.inputs.prefix}-overview",
                region=self.account.region,
                alarms=tuple(self.alerts.specs),
                extra_metrics=extras,
            ),
        )

    @property
    def functions(self) -> tuple[ApiFunction, ...]:
        return (self.crud, self.health, self.rotation)

    def _function(self, archive: BuiltArchive, settings: FunctionSettings) -> ApiFunction:
        v = self.var
        return ApiFunction(
            self,
            ApiFunctionProps(
                name=settings.name,
                function_name=f"{self.inputs.prefix}-{settings.component}",
                role_name=self.iam_role_names[f"{settings.component}-lambda"],
                description=settings.description,
                archive=archive,
                account=self.account,
                kms_key_arn=self.kms.arn,
                timeout=v["lambda_timeout"].number_value,
                memory_size=v["lambda_memory_size"].number_value,
                log_retention_days=v["log_retention_days"].number_value,
                environment=settings.environment,
                statements=settings.statements,
                network=self.network.function_network if self.network else None,
                reserved_concurrency=settings.reserved_concurrency,
                concurrency_ceiling=settings.concurrency_ceiling,
                provisioned=settings.provisioned,
            ),
        )

    def _api_props(self) -> RestApiProps:
        v = self.var
        return RestApiProps(
            name="tap_stack_api",
            api_name=f"{self.inputs.prefix}-api",
            description="TAP items API",
            routes=ROUTES,
            backends={CRUD: self.crud.api_target, HEALTH: self.health.api_target},
            stage=StageSettings(
                stage_name=v["environment"].string_value,
                throttle_burst_limit=v["api_throttle_burst_limit"].number_value,
                throttle_rate_limit=v["api_throttle_rate_limit"].number_value,
            ),
            allowed_ip_ranges=v["allowed_ip_ranges"].list_value,
            cors_allow_origin=v["cors_allow_origin"].string_value,
            account=self.account,
            kms_key_arn=self.kms.arn,
            log_retention_days=v["log_retention_days"].number_value,
            latency_threshold_ms=v["api_latency_threshold_ms"].number_value,
            stage_dependencies=(self.api_account.setting,),
            # A count reads the tenant's whole partition (consistently, as item_count is exact): its
            # cost grows with the tenant, so its rate is bounded apart from the other routes.
            method_throttles=(
                MethodThrottle(
                    "metrics",
                    "GET",
                    v["metrics_throttle_rate_limit"].number_value,
                    v["metrics_throttle_burst_limit"].number_value,
                ),
            ),
        )


@dataclass(frozen=True)
class FunctionSettings:
    name: str
    component: str
    description: str
    environment: dict[str, str]
    statements: tuple[Statement, ...]
    reserved_concurrency: object = None
    concurrency_ceiling: object = None
    provisioned: ProvisionedConcurrency | None = None


def common_environment(region: TapRegion, service: str) -> dict[str, str]:
    """What both API functions read: their table, log level, CORS origin, service name and the
    namespace of the request metrics both publish (Powertools refuses to flush metrics without one)."""
    return {
        "TABLE_NAME": region.data.name,
        "LOG_LEVEL": LOG_LEVEL,
        "CORS_ALLOW_ORIGIN": region.var["cors_allow_origin"].string_value,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": region.metrics_namespace,
    }


def crud_settings(region: TapRegion) -> FunctionSettings:
    v = region.var
    return FunctionSettings(
        reserved_concurrency=v["lambda_reserved_concurrency"].number_value,
        concurrency_ceiling=concurrency_ceiling(region),
        provisioned=provisioned_concurrency(region) if region.inputs.config.scale_enabled else None,
        name="tap_stack_lambda",
        component="api",
        description="TAP items API: CRUD, list and metrics per tenant",
        environment={
            **common_environment(region, CRUD_SERVICE),
            "EVENT_BUS_NAME": region.events.name,
            "GRANTS_TABLE_NAME": region.grants.name,
            "APP_SECRET_ARN": region.secret.arn,
            "DATA_RETENTION_DAYS": Token.as_string(region.var["data_retention_days"].number_value),
            **cache_environment(region),
        },
        statements=(
            *((region.cache.connect_statement,) if region.cache else ()),
            region.data.grant_items(),
            region.data.grant_key_use(region.kms.arn, region.account),
            region.events.grant_publish(),
            region.grants.grant_read(),
            region.secret.grant_signing_versions(),
            region.secret.grant_key_use(("kms:Decrypt",), region.account),
        ),
    )


def concurrency_ceiling(region: TapRegion) -> object:
    """What the API's function may run at once: its reservation, else the account's whole pool."""
    reserved = region.var["lambda_reserved_concurrency"].number_value
    unreserved = Op.eq(reserved, -1)
    return Token.as_number(Fn.conditional(unreserved, region.var["lambda_account_concurrency"].number_value, reserved))


def cache_environment(region: TapRegion) -> dict[str, str]:
    """Where the CRUD function finds its cache and how it signs in (`items_api/settings.py`); nothing
    without a cache, so the function never imports a cache client."""
    cache = region.cache
    if cache is None:
        return {}
    if isinstance(cache, DaxCache):
        return {"DAX_ENDPOINT": cache.endpoint_url}
    return {
        "CACHE_ENDPOINT": f"{cache.endpoint}:{cache.port}",
        "CACHE_NAME": cache.cache_id,
        "CACHE_USER": cache.user_id,
        "CACHE_TTL_SECONDS": Token.as_string(region.var["cache_ttl_seconds"].number_value),
    }


def provisioned_concurrency(region: TapRegion) -> ProvisionedConcurrency:
    """scale=on: the API's function serves from a `live` alias with autoscaled provisioned concurrency."""
    v = region.var
    return ProvisionedConcurrency(
        v["provisioned_concurrency"].number_value,
        v["provisioned_concurrency_min"].number_value,
        v["provisioned_concurrency_max"].number_value,
        v["provisioned_concurrency_utilization"].number_value,
    )


def rotation_settings(region: TapRegion) -> FunctionSettings:
    return FunctionSettings(
        name="tap_stack_rotation_lambda",
        component="rotation",
        description="Rotates the TAP application secret (createSecret, setSecret, testSecret, finishSecret)",
        environment={"LOG_LEVEL": LOG_LEVEL, "POWERTOOLS_SERVICE_NAME": "tap-rotation"},
        statements=(
            region.secret.grant_rotation(),
            region.secret.grant_key_use(("kms:Decrypt", "kms:GenerateDataKey"), region.account),
        ),
    )


def health_settings(region: TapRegion) -> FunctionSettings:
    return FunctionSettings(
        name="tap_stack_health_lambda",
        component="health",
        description="TAP health check: reports whether the item table is reachable",
        environment=common_environment(region, "tap-health"),
        statements=(region.data.grant_describe(),),
    )


def alarm_specs(region: TapRegion) -> tuple[AlarmSpec, ...]:
    """Every alarm of the region, as its components declare them (the dashboard shows them in this order)."""
    specs = [*region.api.alarms, *region.data.alarms, *(region.stream.alarms if region.stream else ())]
    for function in region.functions:
        specs += function.alarms
    if region.cache:
        specs += region.cache.alarms
        specs.append(
            AlarmSpec(
                "tap_stack_cache_errors_alarm",
                "The CRUD function could not use the item cache and read DynamoDB instead",
                region.metrics_namespace,
                CACHE_ERRORS,
                crud_dimensions(),
                1,
            )
        )
    return (
        *specs,
        region.grants.write_alarm,
        region.kms.administration_alarm,
        *region.audit.alarm_specs(),
        region.canary.alarm,
        region.canary.verdict_alarm,
    )


def crud_dimensions() -> dict[str, str]:
    """The dimensions of the CRUD function's own metrics (Powertools adds `service`)."""
    return {"service": CRUD_SERVICE}
