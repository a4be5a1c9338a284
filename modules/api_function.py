"""A Lambda function behind the API: archive, role, encrypted log group, X-Ray that never records a
payload (`tap_contract.TRACE_PRIVACY_ENVIRONMENT`), explicit ordering;
optionally reserved concurrency, and a published `live` alias with provisioned concurrency that
Application Auto Scaling keeps near a target utilization (what the API then invokes)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cdktf import Fn, Op, Precondition, TerraformLocal, TerraformResourceLifecycle, Token
from constructs import Construct

from lambda_src.shared import tap_contract
from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.autoscaling import target_tracking_policy
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement
from modules.log_group import LogGroupProps, encrypted_log_group
from modules.private_network import FunctionNetwork
from modules.rest_api import Backend
from tapgen.aws import aws
from tapgen.pipeline.archives import RUNTIME_PYTHON, BuiltArchive
from tapgen.placement import placement_of

RUNTIME = f"python{RUNTIME_PYTHON}"
# The share of a function's concurrency ceiling above which its concurrency alarm fires.
CONCURRENCY_ALARM_SHARE = 0.8
HANDLER = "handler.handler"
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
# What Lambda does with the function's role to attach it to its subnets (AWSLambdaENIManagementAccess),
# less DescribeNetworkInterfaces, which exists only on Resource "*".
ENI_ACTIONS = (
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
)
ENI_RESOURCES = ("network-interface/*", "subnet/*", "security-group/*")
ALIAS_NAME = "live"
PROVISIONED_DIMENSION = "lambda:function:ProvisionedConcurrency"
PROVISIONED_METRIC = "LambdaProvisionedConcurrencyUtilization"


@dataclass(frozen=True)
class ProvisionedConcurrency:
    """Provisioned concurrency of the `live` alias: `initial` executions when it is created, then
    Application Auto Scaling keeps it between `minimum` and `maximum` so that the alias's
    provisioned-concurrency utilization stays near `target_utilization` (a fraction, e.g. 0.7).
    All four are number expressions (the stack passes variables)."""

    initial: object
    minimum: object
    maximum: object
    target_utilization: object


@dataclass(frozen=True, kw_only=True)
class ApiFunctionProps:
    """`name` is the Terraform name of the function; its role, policy and log group derive from it.
    With `network` the function runs in those private subnets (`modules/private_network.py`).
    `reserved_concurrency` (a number expression; -1 means unreserved) caps the function's share of
    the account's concurrency, so one API cannot exhaust the pool. `concurrency_ceiling` (a number
    expression: its reservation, else the account's pool) is the most it can run at once; with it,
    an alarm fires above `CONCURRENCY_ALARM_SHARE` of it, before invocations are throttled. With
    `provisioned` the function is published and served through its `live` alias (see
    `ProvisionedConcurrency`)."""

    name: str
    function_name: str
    role_name: str
    description: str
    archive: BuiltArchive
    account: AwsAccount
    kms_key_arn: str
    timeout: float
    memory_size: float
    log_retention_days: float
    environment: dict[str, str] = field(default_factory=dict)
    statements: tuple[Statement, ...] = ()
    network: FunctionNetwork | None = None
    reserved_concurrency: object = None
    concurrency_ceiling: object = None
    provisioned: ProvisionedConcurrency | None = None


class ApiFunction(Construct):
    """Outputs: `function` (`aws_lambda_function`), `function_name`, `arn`, `invoke_arn` (all the
    unqualified function's), `arn_by_name` (the same ARN, without a reference to the function),
    `log_group`, and `api_target`: the `Backend` an API must invoke, the `live` alias (its invoke
    ARN, qualifier `live`) when provisioned, else the function itself (no qualifier). `alias` is
    the `aws_lambda_alias`, or None without `provisioned`. `alarms`: its errors and throttles, and
    with `provisioned` the invocations the provisioned concurrency did not cover
    (`AlarmSpec`s, for the region's alerts)."""

    def __init__(self, scope: Construct, props: ApiFunctionProps) -> None:
        super().__init__(scope, props.name)
        self.log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_logs",
                log_group_name=f"/aws/lambda/{props.function_name}",
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_role",
                role_name=props.role_name,
                service="lambda.amazonaws.com",
                statements=base_statements(self.log_group.arn, props.kms_key_arn, props.account, props.function_name)
                + network_statements(props.network, props.account)
                + props.statements,
            ),
        )
        self.function = aws.lambda_function.LambdaFunction(
            self,
            props.name,
            function_name=props.function_name,
            description=props.description,
            filename=props.archive.filename,
            source_code_hash=props.archive.source_code_hash,
            handler=HANDLER,
            runtime=RUNTIME,
            role=role.role.arn,
            timeout=props.timeout,
            memory_size=props.memory_size,
            kms_key_arn=props.kms_key_arn,
            environment=aws.lambda_function.LambdaFunctionEnvironment(
                variables={**props.environment, **tap_contract.TRACE_PRIVACY_ENVIRONMENT}
            ),
            tracing_config=aws.lambda_function.LambdaFunctionTracingConfig(mode="Active"),
            vpc_config=vpc_config(props.network),
            reserved_concurrent_executions=props.reserved_concurrency,
            publish=True if props.provisioned else None,
            lifecycle=TerraformResourceLifecycle(precondition=[archive_precondition(self, props.name, props.archive)]),
            # Without these the first invocations can run before the role may write logs,
            # and Lambda would create an unencrypted log group with infinite retention.
            depends_on=[role.policy, self.log_group],
        )
        self.function_name = self.function.function_name
        self.arn = self.function.arn
        # Built from the name, not read from the function: a policy that the function's own role
        # depends on (the permission boundary) may name it without a dependency cycle.
        self.arn_by_name = props.account.arn("lambda", f"function:{props.function_name}")
        self.invoke_arn = self.function.invoke_arn
        self.alias = self._provisioned_alias(props) if props.provisioned else None
        self.alarms = (
            function_alarms(props.name, self.function_name)
            + self._spillover_alarms(props.name)
            + self._concurrency_alarms(props)
        )
        self.api_target = (
            Backend(self.function_name, self.alias.invoke_arn, self.alias.name)
            if self.alias
            else Backend(self.function_name, self.invoke_arn)
        )

    def _concurrency_alarms(self, props: ApiFunctionProps) -> tuple[AlarmSpec, ...]:
        """With a ceiling: its concurrency close to it (Maximum over a minute, all versions)."""
        if props.concurrency_ceiling is None:
            return ()
        return (
            AlarmSpec(
                f"{props.name}_concurrency_alarm",
                f"{props.name} ran above {CONCURRENCY_ALARM_SHARE:.0%} of the concurrency it may use (its "
                "reservation, else the account's pool): more load will be throttled",
                "AWS/Lambda",
                "ConcurrentExecutions",
                {"FunctionName": self.function_name},
                # Through tonumber(): cdktf writes a conditional ceiling without parentheses, and the
                # product would bind to its last branch only.
                Token.as_number(Op.mul(Fn.tonumber(props.concurrency_ceiling), CONCURRENCY_ALARM_SHARE)),
                statistic="Maximum",
                comparison="GreaterThanThreshold",
            ),
        )

    def _spillover_alarms(self, name: str) -> tuple[AlarmSpec, ...]:
        """With provisioned concurrency: invocations it did not cover."""
        return (_no_spillover(name, self.function_name, self.alias.name),) if self.alias else ()

    def _provisioned_alias(self, props: ApiFunctionProps):
        """The `live` alias on the latest published version, its provisioned concurrency and the
        autoscaling that owns it after creation."""
        provisioned = props.provisioned
        alias = aws.lambda_alias.LambdaAlias(
            self,
            f"{props.name}_live",
            name=ALIAS_NAME,
            description="What the API invokes: the latest published version, with provisioned concurrency.",
            function_name=self.function.function_name,
            function_version=self.function.version,
        )
        config = aws.lambda_provisioned_concurrency_config.LambdaProvisionedConcurrencyConfig(
            self,
            f"{props.name}_provisioned",
            function_name=alias.function_name,
            qualifier=alias.name,
            provisioned_concurrent_executions=provisioned.initial,
            # Application Auto Scaling changes the value from then on; applying `initial` again on
            # every deployment would drop capacity that was scaled out under load.
            lifecycle=TerraformResourceLifecycle(ignore_changes=["provisioned_concurrent_executions"]),
        )
        target = aws.appautoscaling_target.AppautoscalingTarget(
            self,
            f"{props.name}_provisioned_target",
            service_namespace="lambda",
            resource_id=f"function:{alias.function_name}:{alias.name}",
            scalable_dimension=PROVISIONED_DIMENSION,
            min_capacity=provisioned.minimum,
            max_capacity=provisioned.maximum,
            # Registering the alias first would let autoscaling create the provisioned concurrency
            # itself, and creating the config afterwards would then fail or fight over the value.
            depends_on=[config],
        )
        target_tracking_policy(
            self,
            f"{props.name}_provisioned_policy",
            f"{props.function_name}-provisioned-utilization",
            target,
            provisioned.target_utilization,
            PROVISIONED_METRIC,
        )
        return alias


def _no_spillover(name: str, function_name: str, alias_name: str) -> AlarmSpec:
    return AlarmSpec(
        f"{name}_provisioned_spillover_alarm",
        "Invocations of the live alias ran on on-demand environments (cold starts): the provisioned "
        "concurrency fell short of the load",
        "AWS/Lambda",
        "ProvisionedConcurrencySpilloverInvocations",
        {"FunctionName": function_name, "Resource": f"{function_name}:{alias_name}"},
        1,
    )


def function_alarms(name: str, function_name: str) -> tuple[AlarmSpec, ...]:
    """Any error or throttle of the function `function_name` (Terraform name `name`)."""
    dimensions = {"FunctionName": function_name}
    return (
        AlarmSpec(f"{name}_errors_alarm", f"{name} raised errors", "AWS/Lambda", "Errors", dimensions, 1),
        AlarmSpec(f"{name}_throttles_alarm", f"{name} was throttled", "AWS/Lambda", "Throttles", dimensions, 1),
    )


def archive_precondition(scope: Construct, name: str, archive: BuiltArchive) -> Precondition:
    """`terraform plan` fails, naming the file, when the archive beside the configuration is not
    the one synthesized with it (edited, rebuilt elsewhere or swapped in the bundle). Any resource
    that deploys an archive by `filename` (functions, canaries) carries one; the expected hash is
    the local `<name>_archive_sha256` (a condition must refer to some object of the configuration)."""
    local_name = f"{name}_archive_sha256{placement_of(scope).suffix}"
    expected = TerraformLocal(scope, "archive_sha256", archive.source_code_hash)
    expected.override_logical_id(local_name)
    return Precondition(
        condition=f'${{filebase64sha256("{archive.filename}") == local.{local_name}}}',
        error_message=(
            f"{archive.filename} is not the archive this configuration was synthesized with "
            f"(expected filebase64sha256 {archive.source_code_hash}): synthesize again, or restore "
            f"{archive.filename} from the same bundle."
        ),
    )


def base_statements(
    log_group_arn: str, kms_key_arn: str, account: AwsAccount, function_name: str
) -> tuple[Statement, ...]:
    """What every API function needs: its own log streams, traces, and its environment key, which
    it may use only through Lambda and only for its own environment (Lambda decrypts it with the
    function's role, with the function's ARN as encryption context)."""
    function_arn = account.arn("lambda", f"function:{function_name}")
    return (
        Statement("WriteOwnLogs", ("logs:CreateLogStream", "logs:PutLogEvents"), (f"{log_group_arn}:*",)),
        Statement("SendTraces", XRAY_ACTIONS, ("*",)),
        Statement(
            "DecryptEnvironment",
            ("kms:Decrypt",),
            (kms_key_arn,),
            conditions=(
                Condition("StringEquals", "kms:ViaService", (account.service_host("lambda"),)),
                Condition(
                    "ArnLike", "kms:EncryptionContext:aws:lambda:FunctionArn", (function_arn, f"{function_arn}:*")
                ),
            ),
        ),
    )


def vpc_config(network: FunctionNetwork | None):
    """The function's subnets and security groups; none (outside any VPC) without a network."""
    if network is None:
        return None
    return aws.lambda_function.LambdaFunctionVpcConfig(
        subnet_ids=list(network.subnet_ids), security_group_ids=list(network.security_group_ids)
    )


def network_statements(network: FunctionNetwork | None, account: AwsAccount) -> tuple[Statement, ...]:
    """The network interfaces Lambda creates, deletes and addresses with the function's role, only
    in the function's VPC (`ec2:Vpc` holds for interfaces, subnets and security groups alike)."""
    if network is None:
        return ()
    return (
        Statement(
            "ManageNetworkInterfacesInOwnVpc",
            ENI_ACTIONS,
            tuple(account.arn("ec2", resource) for resource in ENI_RESOURCES),
            conditions=(Condition("ArnEquals", "ec2:Vpc", (network.vpc_arn,)),),
        ),
        Statement("DescribeNetworkInterfaces", ("ec2:DescribeNetworkInterfaces",), ("*",)),
    )
