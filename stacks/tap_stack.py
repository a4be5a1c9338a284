"""TapStack: composes the modules, and owns the variables, outputs, provider and naming contract."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import (
    LocalBackend,
    S3Backend,
    TerraformLocal,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Token,
)
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec, Alerts, AlertsProps
from modules.api_account import ApiAccount, ApiAccountProps
from modules.api_function import ApiFunction, ApiFunctionProps
from modules.app_secret import AppSecret, AppSecretProps, SecretRotation, SecretRotationProps
from modules.audit_logs import AuditLogs, AuditLogsProps
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.iam import Condition, Statement
from modules.item_events import ItemEvents, ItemEventsProps
from modules.item_table import CapacityRange, ItemTable, ItemTableProps
from modules.rest_api import Backend, RestApi, RestApiProps, Route, StageSettings
from modules.secure_bucket import ArchiveProtection, SecureBucket, SecureBucketProps
from modules.tenant_grants import TenantGrants, TenantGrantsProps
from stacks.outputs import OUTPUTS
from stacks.variables import VARIABLES
from tapgen.archives import BuiltArchive
from tapgen.aws import aws
from tapgen.config import SynthConfig
from tapgen.naming import check_unique

STACK_NAME = "tap_stack"
LOCAL_STATE_PATH = "terraform.tfstate"
MANAGED_BY = "terraform"
LOG_LEVEL = "INFO"
METRICS_NAMESPACE = "TapStack"
# Cross-variable validations (allowed_ip_ranges, capacity bounds) need Terraform 1.9.
REQUIRED_TERRAFORM = ">= 1.9.0"

# Physical names. The name prefix is `<project_name>-<environment>[-<environment_suffix>]`.
NAME_PREFIX = '${join("-", compact([var.project_name, var.environment, var.environment_suffix]))}'
# The item table is `<prefix>-items` unless var.dynamodb_table_name names it.
TABLE_NAME = '${var.dynamodb_table_name != "" ? var.dynamodb_table_name : "${local.name_prefix}-items"}'
# IAM is global: every IAM role name is `<prefix>-<region>-<role>`, so two regions or two
# environments never collide. All of them are derived here, in the local `iam_role_names`.
IAM_ROLES = ("api-lambda", "health-lambda", "rotation-lambda", "apigw-logs", "log-firehose", "log-subscription")
IAM_ROLE_NAME_MAX = 64
IAM_ROLE_NAME_HASH = 8

CRUD = "crud"
HEALTH = "health"
ROTATION = "rotation"
ROUTES = (
    Route("health", ("GET",), HEALTH, authorization="NONE", tenant_scoped=False),
    Route("items", ("GET", "POST"), CRUD, query=("limit", "next_token")),
    Route("items/{id}", ("GET", "PUT", "DELETE"), CRUD),
    Route("metrics", ("GET",), CRUD),
)
SIGNING_STAGES = ("AWSCURRENT", "AWSPREVIOUS")
ROTATION_ACTIONS = (
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetSecretValue",
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecretVersionStage",
)
ITEM_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
)


@dataclass(frozen=True)
class StackInputs:
    """Everything the stack needs besides deploy-time variables."""

    config: SynthConfig
    archives: dict[str, BuiltArchive]


class TapStack(TerraformStack):
    """The single-region TAP stack. Attributes: `var` (variables by name) and the module objects."""

    def __init__(self, scope: Construct, inputs: StackInputs) -> None:
        super().__init__(scope, STACK_NAME)
        self.var = {spec.name: _declare(self, spec) for spec in VARIABLES}
        self._backend(inputs.config)
        self._provider()
        account = self._account()
        prefix = TerraformLocal(self, "name_prefix", NAME_PREFIX).as_string
        self.table_name = TerraformLocal(self, "table_name", TABLE_NAME).as_string
        self.iam_role_names = iam_role_names(self, "iam_role_names", "aws_region")
        self._compose(account, prefix, inputs.archives)
        self._moved(self.api_account.moved)
        self._outputs()
        check_unique(self)

    def _backend(self, config: SynthConfig) -> None:
        if config.backend == "s3":
            backend = S3Backend(
                self,
                bucket=config.state_bucket,
                key=config.state_key,
                region=config.state_region,
                dynamodb_table=config.state_lock_table or None,
                encrypt=True,
            )
            if config.state_lockfile:
                # S3-native locking (Terraform 1.10+); the binding predates the setting.
                backend.add_override("use_lockfile", True)
            return
        # A relative path: cdktf's default local backend writes an absolute one into the JSON.
        LocalBackend(self, path=LOCAL_STATE_PATH)

    def _provider(self) -> None:
        v = self.var
        tags = {
            "Project": v["project_name"].string_value,
            "Environment": v["environment"].string_value,
            "Owner": v["owner"].string_value,
            "ManagedBy": MANAGED_BY,
        }
        aws.provider.AwsProvider(
            self,
            "aws",
            region=v["aws_region"].string_value,
            default_tags=[aws.provider.AwsProviderDefaultTags(tags=tags)],
        )
        # The prebuilt binding says `source = "aws"`; pipelines and mirrors expect the full address.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)

    def _account(self) -> AwsAccount:
        caller = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "tap_stack_caller")
        partition = aws.data_aws_partition.DataAwsPartition(self, "tap_stack_partition")
        return AwsAccount(
            account_id=caller.account_id,
            region=self.var["aws_region"].string_value,
            partition=partition.partition,
            dns_suffix=partition.dns_suffix,
        )

    def _compose(self, account: AwsAccount, prefix: str, archives: dict[str, BuiltArchive]) -> None:
        v = self.var
        self.kms = EncryptionKey(
            self,
            EncryptionKeyProps("tap_stack_kms", f"alias/{prefix}", f"TAP stack data key ({prefix})", account),
        )
        key = self.kms.arn
        self.logs = SecureBucket(
            self,
            SecureBucketProps(
                "tap_stack_logs",
                v["lambda_log_bucket_name"].string_value,
                key,
                v["log_archive_retention_days"].number_value,
                archive=ArchiveProtection(
                    v["log_archive_break_glass_principal_arn"].string_value,
                    v["log_archive_object_lock"].boolean_value,
                ),
            ),
        )
        self.audit = AuditLogs(
            self,
            AuditLogsProps(
                "tap_stack_log_archive",
                f"{prefix}-log-archive",
                self.iam_role_names["log-firehose"],
                self.iam_role_names["log-subscription"],
                self.logs.arn,
                key,
                account,
                v["log_retention_days"].number_value,
                tuple(self.logs.ready),
            ),
        )
        self.data = ItemTable(
            self,
            ItemTableProps(
                "tap_stack_data",
                self.table_name,
                key,
                CapacityRange(
                    v["dynamodb_read_capacity_min"].number_value, v["dynamodb_read_capacity_max"].number_value
                ),
                CapacityRange(
                    v["dynamodb_write_capacity_min"].number_value, v["dynamodb_write_capacity_max"].number_value
                ),
                v["dynamodb_target_utilization"].number_value,
                deletion_protection=v["dynamodb_deletion_protection"].boolean_value,
            ),
        )
        self.events = ItemEvents(self, ItemEventsProps("tap_stack_events", f"{prefix}-items", key))
        self.secret = AppSecret(
            self,
            AppSecretProps(
                "tap_stack_secret", f"{prefix}/app", key, "TAP application secret; its value is set out of band."
            ),
        )
        self.grants = TenantGrants(
            self, TenantGrantsProps("tap_stack_grants", f"{prefix}-grants", key, v["tenant_grants"].value)
        )
        self.crud = self._function(account, prefix, archives[CRUD], crud_settings(self, account))
        self.health = self._function(account, prefix, archives[HEALTH], health_settings(self))
        self.rotation = self._function(account, prefix, archives[ROTATION], rotation_settings(self, account))
        SecretRotation(
            self,
            SecretRotationProps(
                "tap_stack_secret_rotation",
                self.secret.arn,
                self.rotation.function_name,
                self.rotation.arn,
                v["secret_rotation_days"].number_value,
                account.account_id,
            ),
        )
        self.api_account = ApiAccount(
            self,
            ApiAccountProps(
                "tap_stack_api_account",
                self.iam_role_names["apigw-logs"],
                account,
                v["manage_api_gateway_account"].boolean_value,
            ),
        )
        self.api = RestApi(self, self._api_props(account, prefix))
        for function in self.functions:
            self.audit.archive(f"{function.node.id}_log_archive", function.log_group)
        self.audit.archive("tap_stack_api_access_log_archive", self.api.access_log_group)
        self.alerts = Alerts(
            self,
            AlertsProps(
                "tap_stack_alerts",
                f"{prefix}-alerts",
                prefix,
                key,
                v["alarm_email"].string_value,
                account,
                alarm_specs(self),
            ),
        )

    @property
    def functions(self) -> tuple[ApiFunction, ...]:
        return (self.crud, self.health, self.rotation)

    def _function(self, account: AwsAccount, prefix: str, archive: BuiltArchive, settings: FunctionSettings):
        v = self.var
        return ApiFunction(
            self,
            ApiFunctionProps(
                name=settings.name,
                function_name=f"{prefix}-{settings.component}",
                role_name=self.iam_role_names[f"{settings.component}-lambda"],
                description=settings.description,
                archive=archive,
                account=account,
                kms_key_arn=self.kms.arn,
                timeout=v["lambda_timeout"].number_value,
                memory_size=v["lambda_memory_size"].number_value,
                log_retention_days=v["log_retention_days"].number_value,
                environment=settings.environment,
                statements=settings.statements,
            ),
        )

    def _api_props(self, account: AwsAccount, prefix: str) -> RestApiProps:
        v = self.var
        return RestApiProps(
            name="tap_stack_api",
            api_name=f"{prefix}-api",
            description="TAP items API",
            routes=ROUTES,
            backends={
                CRUD: Backend(self.crud.function_name, self.crud.invoke_arn),
                HEALTH: Backend(self.health.function_name, self.health.invoke_arn),
            },
            stage=StageSettings(
                stage_name=v["environment"].string_value,
                throttle_burst_limit=v["api_throttle_burst_limit"].number_value,
                throttle_rate_limit=v["api_throttle_rate_limit"].number_value,
                cache_enabled=v["api_cache_enabled"].boolean_value,
                cache_size=v["api_cache_size"].string_value,
                cache_ttl_seconds=v["api_cache_ttl_seconds"].number_value,
            ),
            allowed_ip_ranges=v["allowed_ip_ranges"].list_value,
            cors_allow_origin=v["cors_allow_origin"].string_value,
            account=account,
            kms_key_arn=self.kms.arn,
            log_retention_days=v["log_retention_days"].number_value,
            stage_dependencies=(self.api_account.setting,),
        )

    def _moved(self, moves: tuple[tuple[str, str], ...]) -> None:
        """`moved` blocks for addresses that changed (e.g. became counted), so state follows them."""
        if moves:
            self.add_override("moved", [{"from": old, "to": new} for old, new in moves])

    def _outputs(self) -> None:
        # Outputs share names with variables (dynamodb_table_name), and construct ids must be
        # unique per scope: they live in their own scope and take their contract names back.
        scope = Construct(self, "outputs")
        for spec in OUTPUTS:
            output = TerraformOutput(scope, spec.name, value=spec.value(self), description=spec.description)
            output.override_logical_id(spec.name)


@dataclass(frozen=True)
class FunctionSettings:
    name: str
    component: str
    description: str
    environment: dict[str, str]
    statements: tuple[Statement, ...]


def common_environment(stack: TapStack, service: str) -> dict[str, str]:
    """What both API functions read: their table, log level, CORS origin and service name."""
    return {
        "TABLE_NAME": stack.data.name,
        "LOG_LEVEL": LOG_LEVEL,
        "CORS_ALLOW_ORIGIN": stack.var["cors_allow_origin"].string_value,
        "POWERTOOLS_SERVICE_NAME": service,
    }


def crud_settings(stack: TapStack, account: AwsAccount) -> FunctionSettings:
    via_dynamodb = Condition("StringEquals", "kms:ViaService", (account.service_host("dynamodb"),))
    return FunctionSettings(
        name="tap_stack_lambda",
        component="api",
        description="TAP items API: CRUD, list and metrics per tenant",
        environment={
            **common_environment(stack, "tap-api"),
            "EVENT_BUS_NAME": stack.events.name,
            "GRANTS_TABLE_NAME": stack.grants.name,
            "APP_SECRET_ARN": stack.secret.arn,
            "DATA_RETENTION_DAYS": Token.as_string(stack.var["data_retention_days"].number_value),
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        },
        statements=(
            Statement("ReadWriteItems", ITEM_ACTIONS, (stack.data.arn,)),
            Statement(
                "UseTableKey", ("kms:Decrypt", "kms:GenerateDataKey"), (stack.kms.arn,), conditions=(via_dynamodb,)
            ),
            Statement("PublishItemEvents", ("events:PutEvents",), (stack.events.arn,)),
            Statement("ReadTenantGrants", ("dynamodb:GetItem",), (stack.grants.arn,)),
            Statement(
                "ReadAppSecret",
                ("secretsmanager:GetSecretValue",),
                (stack.secret.arn,),
                # The function signs with AWSCURRENT and verifies with AWSPREVIOUS; a half-made
                # AWSPENDING value is never used.
                conditions=(Condition("StringEquals", "secretsmanager:VersionStage", SIGNING_STAGES),),
            ),
            secret_key_statement(stack, account, ("kms:Decrypt",)),
        ),
    )


def secret_key_statement(stack: TapStack, account: AwsAccount, actions: tuple[str, ...]) -> Statement:
    """The stack key, for the application secret only: through Secrets Manager, for this secret."""
    return Statement(
        "UseSecretKey",
        actions,
        (stack.kms.arn,),
        conditions=(
            Condition("StringEquals", "kms:ViaService", (account.service_host("secretsmanager"),)),
            Condition("StringEquals", "kms:EncryptionContext:SecretARN", (stack.secret.arn,)),
        ),
    )


def rotation_settings(stack: TapStack, account: AwsAccount) -> FunctionSettings:
    return FunctionSettings(
        name="tap_stack_rotation_lambda",
        component="rotation",
        description="Rotates the TAP application secret (createSecret, setSecret, testSecret, finishSecret)",
        environment={"LOG_LEVEL": LOG_LEVEL, "POWERTOOLS_SERVICE_NAME": "tap-rotation"},
        statements=(
            Statement("RotateAppSecret", ROTATION_ACTIONS, (stack.secret.arn,)),
            secret_key_statement(stack, account, ("kms:Decrypt", "kms:GenerateDataKey")),
        ),
    )


def health_settings(stack: TapStack) -> FunctionSettings:
    return FunctionSettings(
        name="tap_stack_health_lambda",
        component="health",
        description="TAP health check: reports whether the item table is reachable",
        environment=common_environment(stack, "tap-health"),
        statements=(Statement("DescribeItemTable", ("dynamodb:DescribeTable",), (stack.data.arn,)),),
    )


def alarm_specs(stack: TapStack) -> tuple[AlarmSpec, ...]:
    api = {"ApiName": stack.api.api.name, "Stage": stack.api.stage.stage_name}
    table = {"TableName": stack.data.name}
    specs = [
        AlarmSpec("tap_stack_api_4xx_alarm", "API returned a 4XX error", "AWS/ApiGateway", "4XXError", api, 1),
        AlarmSpec("tap_stack_api_5xx_alarm", "API returned a 5XX error", "AWS/ApiGateway", "5XXError", api, 1),
        AlarmSpec(
            "tap_stack_api_latency_alarm",
            "API p99 latency above var.api_latency_threshold_ms for 3 minutes",
            "AWS/ApiGateway",
            "Latency",
            api,
            stack.var["api_latency_threshold_ms"].number_value,
            statistic="",
            extended_statistic="p99",
            evaluation_periods=3,
        ),
        AlarmSpec(
            "tap_stack_data_read_throttles_alarm",
            "Item table throttled reads",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            table,
            1,
        ),
        AlarmSpec(
            "tap_stack_data_write_throttles_alarm",
            "Item table throttled writes",
            "AWS/DynamoDB",
            "WriteThrottleEvents",
            table,
            1,
        ),
    ]
    for function in stack.functions:
        dims = {"FunctionName": function.function_name}
        prefix = function.node.id
        specs.append(AlarmSpec(f"{prefix}_errors_alarm", f"{prefix} raised errors", "AWS/Lambda", "Errors", dims, 1))
        specs.append(
            AlarmSpec(f"{prefix}_throttles_alarm", f"{prefix} was throttled", "AWS/Lambda", "Throttles", dims, 1)
        )
    return tuple(specs) + stack.audit.alarm_specs()


def iam_role_names(stack: TerraformStack, local_name: str, region_variable: str) -> dict[str, str]:
    """Declare the local `local_name`: the physical name of every role in IAM_ROLES, for the region
    in `var.<region_variable>`, and return references to it by role.

    A name is `<prefix>-<region>-<role>`; one longer than IAM's 64-character limit keeps its first
    55 characters and ends with `-` and 8 hex digits of its SHA-1: deterministic, still unique.
    """
    keep = IAM_ROLE_NAME_MAX - IAM_ROLE_NAME_HASH - 1
    roles = ", ".join(f'"{role}"' for role in IAM_ROLES)
    full = f'{{for role in [{roles}] : role => "${{local.name_prefix}}-${{var.{region_variable}}}-${{role}}"}}'
    TerraformLocal(
        stack,
        local_name,
        f"${{{{for role, name in {full} : role => length(name) <= {IAM_ROLE_NAME_MAX} ? name : "
        f'"${{substr(name, 0, {keep})}}-${{substr(sha1(name), 0, {IAM_ROLE_NAME_HASH})}}"}}}}',
    )
    return {role: f'${{local.{local_name}["{role}"]}}' for role in IAM_ROLES}


def _declare(stack: TerraformStack, spec) -> TerraformVariable:
    optional = {} if spec.required else {"default": spec.default}
    return TerraformVariable(
        stack,
        spec.name,
        type=spec.type,
        description=spec.description,
        nullable=False,
        sensitive=spec.sensitive or None,
        validation=[
            TerraformVariableValidationConfig(condition=f"${{{v.condition}}}", error_message=v.error_message)
            for v in spec.validations
        ]
        or None,
        **optional,
    )
