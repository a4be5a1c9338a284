"""The stack's customer-managed KMS key: rotation on, an alias, and a key policy in which every grant
says who may use the key, for which of the stack's resources and through which service.

- Who: one AWS service principal acting on its own behalf (CloudWatch Logs, EventBridge, CloudWatch
  alarms, CloudTrail), or the IAM principals of this account (`kms:CallerAccount`), whose IAM policies then name
  the principal: in this stack only the stack's roles, each conditioned the same way.
- Through which service: every grant to IAM principals requires `kms:ViaService`; nobody may call
  Encrypt, Decrypt or GenerateDataKey on the key directly, and grants that services create for
  their resources require `kms:GrantIsForAWSResource`.
- For which resources: an encryption-context condition naming the stack's own resources, for every
  service that sets one: log-group ARNs (`aws:logs:arn`), function ARNs (`aws:lambda:FunctionArn`),
  table names (`aws:dynamodb:tableName`), bucket ARNs (`aws:s3:arn`), secret ARNs (`SecretARN`) and
  event-bus ARNs (`aws:events:event-bus:arn`), data-stream ARNs (`aws:kinesis:arn`), and for trails
  the account's trail ARNs (`aws:cloudtrail:arn`); service principals also by `aws:SourceAccount` or `aws:SourceArn`.
  ElastiCache documents no encryption context: its grant is bound by service and account only, and
  exists only while a replication group names the key.
- Administration (key policy, rotation, aliases, tags, deletion) stays with the account through
  IAM and includes no cryptographic operation.

The resources are read from the synthesized stack itself (a lazy value resolved at synth): every
resource that names this key is listed in the grant of its service, so a log group or function
added later is covered without an edit here. `CONSUMER_TYPES` are the resource types this module
has a service path for; a resource of another type that names the key fails synth
(`tapgen.security.rules.kms_keys_serve_only_known_consumers`) until its path is added here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import jsii
from cdktf import Fn, IResolveContext, IStringProducer, Lazy
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec, matched_events_alarm
from modules.iam import Condition, Principal, Statement, key_policy_json, service_principal
from tapgen.aws import aws
from tapgen.naming import registry
from tapgen.placement import placement_of

# What the services that encrypt on their own behalf may do (CloudWatch Logs' documented set).
KEY_USE = ("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*")
# What a service may do with the key on behalf of an IAM principal of the account.
CRYPTO = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*")
# Key administration through IAM: every key-management action, no cryptographic operation and no
# grant creation (`kms:Create*` would include kms:CreateGrant, so only CreateAlias is named).
ADMINISTRATION = (
    "kms:CreateAlias",
    "kms:DeleteAlias",
    "kms:UpdateAlias",
    "kms:Describe*",
    "kms:Get*",
    "kms:List*",
    "kms:Enable*",
    "kms:Disable*",
    "kms:Put*",
    "kms:Update*",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:RevokeGrant",
    "kms:RetireGrant",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
    "kms:RotateKeyOnDemand",
)
EVENTS_PRINCIPAL = "events.amazonaws.com"
ALARMS_PRINCIPAL = "cloudwatch.amazonaws.com"
CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
# The resource types that may be encrypted with the key, and the path to the attribute naming it:
# this module grants each of them a service path, and the security rules find any other type
# (`tapgen.security.rules.kms_keys_serve_only_known_consumers`).
CONSUMER_TYPES: dict[str, tuple[str, ...]] = {
    "aws_cloudwatch_log_group": ("kms_key_id",),
    "aws_lambda_function": ("kms_key_arn",),
    "aws_dynamodb_table": ("server_side_encryption", "kms_key_arn"),
    "aws_dynamodb_table_replica": ("kms_key_arn",),
    "aws_synthetics_canary": ("artifact_config", "s3_encryption", "kms_key_arn"),
    # Athena encrypts query results through S3 (SSE_KMS) with the caller's credentials: the results
    # bucket's S3 grant.
    "aws_athena_workgroup": ("configuration", "result_configuration", "encryption_configuration", "kms_key_arn"),
    "aws_athena_database": ("encryption_configuration", "kms_key"),
    "aws_s3_bucket_server_side_encryption_configuration": (
        "rule",
        "apply_server_side_encryption_by_default",
        "kms_master_key_id",
    ),
    "aws_secretsmanager_secret": ("kms_key_id",),
    "aws_cloudwatch_event_bus": ("kms_key_identifier",),
    "aws_kinesis_firehose_delivery_stream": ("server_side_encryption", "key_arn"),
    "aws_sns_topic": ("kms_master_key_id",),
    "aws_cloudtrail": ("kms_key_id",),
    "aws_kinesis_stream": ("kms_key_id",),
    "aws_elasticache_replication_group": ("kms_key_id",),
}
# Calls that can take the key's data out of the stack's hands: a new key policy, or a key that can
# no longer be used. EventBridge receives them as CloudTrail management events ("AWS API Call via
# CloudTrail"), which needs a trail recording management events in the account.
ADMINISTRATION_EVENTS = ("PutKeyPolicy", "DisableKey", "ScheduleKeyDeletion")
# Days a scheduled key deletion waits (KMS ScheduleKeyDeletion `PendingWindowInDays`: 7 to 30).
DELETION_WINDOW_DAYS = 30
MIN_DELETION_WINDOW_DAYS = 7


@dataclass(frozen=True, kw_only=True)
class EncryptionKeyProps:
    """With `watch_administration`, an EventBridge rule of the key's region matches every call that
    could end the key's protection (`ADMINISTRATION_EVENTS`) and `administration_alarm` watches it.
    `deletion_window_days` is a number or a Terraform number expression."""

    name: str
    alias_name: str
    description: str
    account: AwsAccount
    deletion_window_days: object = DELETION_WINDOW_DAYS
    watch_administration: bool = False


@dataclass(frozen=True)
class KeyConsumers:
    """The stack's resources encrypted with the key, by physical name (Terraform expressions)."""

    log_groups: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    event_buses: tuple[str, ...] = ()
    delivery_streams: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    trails: tuple[str, ...] = ()
    streams: tuple[str, ...] = ()
    caches: tuple[str, ...] = ()


def key_policy_statements(account: AwsAccount, consumers: KeyConsumers) -> list[Statement]:
    """Administration through IAM, then one grant per service that uses the key for `consumers`."""
    account_principals = (Principal("AWS", (account.root_principal,)),)
    in_account = Condition("StringEquals", "kms:CallerAccount", (account.account_id,))

    def via(service: str) -> Condition:
        return Condition("StringEquals", "kms:ViaService", (account.service_host(service),))

    def through(sid: str, service: str, actions: tuple[str, ...], context: Condition) -> Statement:
        conditions = (via(service), in_account, context)
        return Statement(sid, actions, ("*",), principals=account_principals, conditions=conditions)

    statements = [Statement("KeyAdministrationThroughIam", ADMINISTRATION, ("*",), principals=account_principals)]
    if consumers.log_groups:
        statements.append(
            Statement(
                "CloudWatchLogsEncryptsStackLogGroups",
                KEY_USE,
                ("*",),
                principals=(service_principal(account.service_host("logs")),),
                conditions=(
                    Condition(
                        "ArnEquals",
                        "kms:EncryptionContext:aws:logs:arn",
                        tuple(account.arn("logs", f"log-group:{name}") for name in consumers.log_groups),
                    ),
                ),
            )
        )
    if consumers.functions:
        functions = [account.arn("lambda", f"function:{name}") for name in consumers.functions]
        statements.append(
            through(
                "LambdaEncryptsStackFunctionEnvironments",
                "lambda",
                ("kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*"),
                Condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:lambda:FunctionArn",
                    tuple(arn for function in functions for arn in (function, f"{function}:*")),
                ),
            )
        )
    if consumers.tables:
        statements.append(
            through(
                "DynamoDbEncryptsStackTables",
                "dynamodb",
                CRYPTO,
                Condition("StringEquals", "kms:EncryptionContext:aws:dynamodb:tableName", consumers.tables),
            )
        )
    if consumers.buckets:
        buckets = [f"arn:{account.partition}:s3:::{name}" for name in consumers.buckets]
        statements.append(
            through(
                "S3EncryptsStackBuckets",
                "s3",
                CRYPTO,
                Condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:s3:arn",
                    tuple(arn for bucket in buckets for arn in (bucket, f"{bucket}/*")),
                ),
            )
        )
    if consumers.secrets:
        statements.append(
            through(
                "SecretsManagerEncryptsStackSecrets",
                "secretsmanager",
                CRYPTO,
                Condition(
                    "StringLike",
                    "kms:EncryptionContext:SecretARN",
                    # Secrets Manager appends `-` and six random characters to a secret's name.
                    tuple(account.arn("secretsmanager", f"secret:{name}-??????") for name in consumers.secrets),
                ),
            )
        )
    if consumers.event_buses:
        buses = tuple(account.arn("events", f"event-bus/{name}") for name in consumers.event_buses)
        bus_context = Condition("ArnEquals", "kms:EncryptionContext:aws:events:event-bus:arn", buses)
        events = (service_principal(EVENTS_PRINCIPAL),)
        statements += [
            # Creating or updating an encrypted bus uses the key on the caller's behalf.
            through("EventBridgeEncryptsStackBusesForTheDeployer", "events", CRYPTO, bus_context),
            Statement(
                "EventBridgeEncryptsStackBuses",
                ("kms:GenerateDataKey", "kms:Decrypt"),
                ("*",),
                principals=events,
                conditions=(Condition("ArnEquals", "aws:SourceArn", buses), bus_context),
            ),
            # DescribeKey carries no encryption context: this account's buses only.
            Statement(
                "EventBridgeValidatesTheKey",
                ("kms:DescribeKey",),
                ("*",),
                principals=events,
                conditions=(Condition("StringEquals", "aws:SourceAccount", (account.account_id,)),),
            ),
        ]
    if consumers.streams:
        # Kinesis Data Streams uses the key with its caller's credentials: writers need
        # GenerateDataKey, readers Decrypt. DynamoDB writes an item stream as its service-linked role
        # (AWSServiceRoleForDynamoDBKinesisDataStreamsReplication), an IAM principal of this account.
        statements.append(
            through(
                "KinesisEncryptsStackStreams",
                "kinesis",
                ("kms:GenerateDataKey", "kms:Decrypt"),
                Condition(
                    "ArnEquals",
                    "kms:EncryptionContext:aws:kinesis:arn",
                    tuple(account.arn("kinesis", f"stream/{name}") for name in consumers.streams),
                ),
            )
        )
    if consumers.caches:
        # ElastiCache encrypts a replication group's disks and snapshots with the credentials of the
        # principal that creates or changes it, and keeps a grant for the nodes (created below).
        statements.append(
            Statement(
                "ElastiCacheEncryptsStackCaches",
                ("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
                ("*",),
                principals=account_principals,
                conditions=(via("elasticache"), in_account),
            )
        )
    granting = [
        service
        for service, used in (
            ("dynamodb", consumers.tables),
            ("elasticache", consumers.caches),
            ("firehose", consumers.delivery_streams),
            ("lambda", consumers.functions),
        )
        if used
    ]
    if granting:
        statements.append(
            Statement(
                "ServicesCreateGrantsForStackResources",
                ("kms:CreateGrant",),
                ("*",),
                principals=account_principals,
                conditions=(
                    Condition("StringEquals", "kms:ViaService", tuple(account.service_host(s) for s in granting)),
                    in_account,
                    Condition("Bool", "kms:GrantIsForAWSResource", ("true",)),
                ),
            )
        )
    if consumers.topics:
        statements.append(
            Statement(
                "CloudWatchAlarmsPublishToEncryptedTopic",
                ("kms:Decrypt", "kms:GenerateDataKey*"),
                ("*",),
                principals=(service_principal(ALARMS_PRINCIPAL),),
                conditions=(Condition("StringEquals", "aws:SourceAccount", (account.account_id,)),),
            )
        )
    if consumers.trails:
        statements += trail_statements(account, consumers.trails)
    return statements


def trail_statements(account: AwsAccount, trails: tuple[str, ...]) -> list[Statement]:
    """AWS's documented key policy for CloudTrail ("Configure AWS KMS key policies for CloudTrail"),
    for the stack's trails: encrypting their log files, and checking the key when a trail is set up."""
    cloudtrail = (service_principal(CLOUDTRAIL_PRINCIPAL),)
    from_trails = Condition(
        "StringEquals", "aws:SourceArn", tuple(account.arn("cloudtrail", f"trail/{name}") for name in trails)
    )
    return [
        Statement(
            "CloudTrailEncryptsStackTrailLogs",
            ("kms:GenerateDataKey*",),
            ("*",),
            principals=cloudtrail,
            conditions=(
                from_trails,
                # A multi-region trail encrypts the log files of every region with its home region's key.
                Condition(
                    "StringLike",
                    "kms:EncryptionContext:aws:cloudtrail:arn",
                    (account.arn("cloudtrail", "trail/*", region="*"),),
                ),
            ),
        ),
        # DescribeKey carries no encryption context: the stack's trails only.
        Statement(
            "CloudTrailValidatesTheKey", ("kms:DescribeKey",), ("*",), principals=cloudtrail, conditions=(from_trails,)
        ),
    ]


def _at(body: object, path: tuple[str, ...]) -> list[object]:
    """The values at `path` in a resolved resource body (blocks may be objects or lists of them)."""
    if not path:
        return [body]
    items = body if isinstance(body, list) else [body]
    return [v for item in items if isinstance(item, dict) and path[0] in item for v in _at(item[path[0]], path[1:])]


def consumers_of(key_references: Iterable[str], bodies: dict[tuple[str, str], dict]) -> KeyConsumers:
    """The resources among `bodies` ({(type, name): resolved body}) whose key attribute is one of
    `key_references` (`${aws_kms_key.<name>.arn}`, ...), by physical name."""
    references = set(key_references)

    def named(rtype: str, attribute: str) -> tuple[str, ...]:
        return tuple(
            sorted(
                body[attribute]
                for (t, _), body in bodies.items()
                if t == rtype and references & set(_at(body, CONSUMER_TYPES[rtype])) and attribute in body
            )
        )

    # A bucket's SSE configuration names the bucket by reference: map each reference to its name.
    bucket_names = {
        f"${{aws_s3_bucket.{name}.{attribute}}}": body.get("bucket")
        for (rtype, name), body in bodies.items()
        if rtype == "aws_s3_bucket"
        for attribute in ("id", "bucket")
    }
    buckets = sorted(
        {
            bucket_names[body["bucket"]]
            for (t, _), body in bodies.items()
            if t == "aws_s3_bucket_server_side_encryption_configuration"
            and references & set(_at(body, CONSUMER_TYPES[t]))
            and bucket_names.get(body.get("bucket"))
        }
    )
    # A replica of a global table has the primary's name, which only its `global_table_arn` names.
    table_names = {
        f"${{aws_dynamodb_table.{name}.arn}}": body.get("name")
        for (rtype, name), body in bodies.items()
        if rtype == "aws_dynamodb_table"
    }
    replicas = {
        table_names[body["global_table_arn"]]
        for (t, _), body in bodies.items()
        if t == "aws_dynamodb_table_replica"
        and references & set(_at(body, CONSUMER_TYPES[t]))
        and body.get("global_table_arn") in table_names
    }
    return KeyConsumers(
        log_groups=named("aws_cloudwatch_log_group", "name"),
        functions=named("aws_lambda_function", "function_name"),
        tables=tuple(sorted({*named("aws_dynamodb_table", "name"), *replicas})),
        buckets=tuple(buckets),
        secrets=named("aws_secretsmanager_secret", "name"),
        event_buses=named("aws_cloudwatch_event_bus", "name"),
        delivery_streams=named("aws_kinesis_firehose_delivery_stream", "name"),
        topics=named("aws_sns_topic", "name"),
        trails=named("aws_cloudtrail", "name"),
        streams=named("aws_kinesis_stream", "name"),
        caches=named("aws_elasticache_replication_group", "replication_group_id"),
    )


@jsii.implements(IStringProducer)
class _Produced:
    """A value computed when the stack is resolved, i.e. after every construct exists."""

    def __init__(self, produce: Callable[[IResolveContext], str]) -> None:
        self._produce = produce

    def produce(self, context: IResolveContext) -> str:
        return self._produce(context)


class EncryptionKey(Construct):
    """Outputs: `key` (`aws_kms_key`), `alias` (`aws_kms_alias`), `arn`, and with
    `watch_administration` `administration_alarm` (an `AlarmSpec` for the region's alerts)."""

    def __init__(self, scope: Construct, props: EncryptionKeyProps) -> None:
        super().__init__(scope, props.name)
        self._props = props
        self._resolved_policy: str | None = None
        self.key = aws.kms_key.KmsKey(
            self,
            props.name,
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=Lazy.string_value(_Produced(self._policy)),
        )
        self.alias = aws.kms_alias.KmsAlias(
            self, f"{props.name}_alias", name=props.alias_name, target_key_id=self.key.key_id
        )
        self.arn = self.key.arn
        self.administration_alarm = self._watch(props) if props.watch_administration else None

    def _watch(self, props: EncryptionKeyProps) -> AlarmSpec:
        """A rule that matches the key's `ADMINISTRATION_EVENTS` (they name the key by ID or ARN, never
        by alias), and the alarm on its matches: in every stack, with or without the stack's trail."""
        rule = aws.cloudwatch_event_rule.CloudwatchEventRule(
            self,
            f"{props.name}_administration",
            name=f"{props.alias_name.removeprefix('alias/')}-key-administration",
            description="Calls that replace the policy of, disable or schedule the deletion of the stack's key",
            event_pattern=Fn.jsonencode(
                {
                    "source": ["aws.kms"],
                    "detail-type": ["AWS API Call via CloudTrail"],
                    "detail": {
                        "eventSource": ["kms.amazonaws.com"],
                        "eventName": list(ADMINISTRATION_EVENTS),
                        "requestParameters": {"keyId": [self.key.key_id, self.key.arn]},
                    },
                }
            ),
        )
        return matched_events_alarm(
            f"{props.name}_administration_alarm",
            "The region's KMS key had its policy replaced, or was disabled or scheduled for deletion",
            rule,
        )

    def _policy(self, context: IResolveContext) -> str:
        # Resolved once: the construct tree is complete by the time anything resolves.
        if self._resolved_policy is None:
            self._resolved_policy = self._derive_policy(context)
        return self._resolved_policy

    def _derive_policy(self, context: IResolveContext) -> str:
        """The policy for the consumers in this key's region: a resource names its own region's key."""
        placement = placement_of(self)
        bodies: dict[tuple[str, str], dict] = {}
        for entry in registry(placement.stack).values():
            # Tables of every region: a replica's name is its global table's (see consumers_of).
            here = entry.suffix == placement.suffix or entry.type == "aws_dynamodb_table"
            if not here or entry.element is self.key or entry.kind != "resource":
                continue
            if entry.type in CONSUMER_TYPES or entry.type == "aws_s3_bucket":
                resolved = context.resolve(entry.element.to_terraform()).get("resource", {}).get(entry.type, {})
                bodies.update(((entry.type, name), body) for name, body in resolved.items())
        references = (context.resolve(self.key.arn), context.resolve(self.key.key_id), context.resolve(self.key.id))
        return key_policy_json(key_policy_statements(self._props.account, consumers_of(references, bodies)))
