"""Where moto 5.2.5 differs from AWS in an API this stack uses: one small, named patch each.

Each patch imitates AWS's documented behaviour (cited in its docstring) and nothing more. They
change moto's backends or response classes in the emulator's process only, and must be applied before
moto's server starts (`apply_all()`, called by `python -m tools.emulator`).
The project's own code and output are never patched: if the stack is wrong, a rehearsal fails.

`PATCHES` lists them by name; `tests/tools/emulator/test_emulator.py` checks each one against the
running server through boto3, so a moto upgrade that fixes (or changes) an API shows up as a
failing test instead of a silent difference.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Patch:
    """`deterministic` is False for a race: its probe shows the fixed behaviour on the patched
    server, but cannot make an unpatched one fail on demand."""

    name: str
    imitates: str
    apply: Callable[[], None]
    deterministic: bool = True


def _once(function: Callable[[], None]) -> Callable[[], None]:
    done = False

    def wrapper() -> None:
        nonlocal done
        if not done:
            function()
            done = True

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


@_once
def application_autoscaling_tags() -> None:
    """Application Auto Scaling: tags on scalable targets.

    AWS (Application Auto Scaling API Reference, RegisterScalableTarget `Tags`, TagResource,
    UntagResource, ListTagsForResource): a scalable target is taggable; `Tags` given to
    RegisterScalableTarget are stored on the target's ARN, and ListTagsForResource returns them
    as a map `{"Tags": {key: value}}`; an ARN that is no scalable target is a
    ResourceNotFoundException. moto 5.2.5 ignores `Tags` and implements none of the three tag
    actions, so the provider retries ListTagsForResource until it times out.
    """
    from moto.applicationautoscaling import models, responses
    from moto.applicationautoscaling.exceptions import AWSValidationException
    from moto.core.exceptions import JsonRESTError

    class ResourceNotFound(JsonRESTError):
        def __init__(self, arn: str) -> None:
            super().__init__("ResourceNotFoundException", f"No scalable target found for resource ARN {arn}")

    backend_class = models.ApplicationAutoscalingBackend
    response_class = responses.ApplicationAutoScalingResponse

    def tags_of(backend) -> dict[str, dict[str, str]]:
        if not hasattr(backend, "_rehearsal_tags"):
            backend._rehearsal_tags = {}
        return backend._rehearsal_tags

    def known_arns(backend) -> set[str]:
        return {target.arn for targets in backend.targets.values() for target in targets.values()}

    def checked(backend, arn: str) -> dict[str, str]:
        if not arn:
            raise AWSValidationException("ResourceARN is required")
        if arn not in known_arns(backend):
            raise ResourceNotFound(arn)
        return tags_of(backend).setdefault(arn, {})

    original_register = response_class.register_scalable_target

    def register_scalable_target(self) -> str:
        body = original_register(self)
        tags = self._get_param("Tags") or {}
        if tags:
            arn = json.loads(body)["ScalableTargetARN"]
            tags_of(self.applicationautoscaling_backend).setdefault(arn, {}).update(tags)
        return body

    def list_tags_for_resource(self) -> str:
        tags = checked(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        return json.dumps({"Tags": dict(tags)})

    def tag_resource(self) -> str:
        checked(self.applicationautoscaling_backend, self._get_param("ResourceARN")).update(
            self._get_param("Tags") or {}
        )
        return json.dumps({})

    def untag_resource(self) -> str:
        tags = checked(self.applicationautoscaling_backend, self._get_param("ResourceARN"))
        for key in self._get_param("TagKeys") or []:
            tags.pop(key, None)
        return json.dumps({})

    original_deregister = backend_class.deregister_scalable_target

    def deregister_scalable_target(self, namespace: str, r_id: str, dimension: str) -> None:
        target = self.targets.get(dimension, {}).get(r_id)
        original_deregister(self, namespace, r_id, dimension)
        if target is not None:
            tags_of(self).pop(target.arn, None)

    response_class.register_scalable_target = register_scalable_target
    response_class.list_tags_for_resource = list_tags_for_resource
    response_class.tag_resource = tag_resource
    response_class.untag_resource = untag_resource
    backend_class.deregister_scalable_target = deregister_scalable_target


@_once
def rest_api_policy_escaped() -> None:
    """API Gateway: a REST API's `policy` comes back as an escaped string.

    AWS (API Gateway REST API Reference, GetRestApi / RestApi `policy`: "A stringified JSON
    policy document"): GetRestApi returns the policy with every `"` and `/` backslash-escaped,
    e.g. `{\\"Version\\":\\"2012-10-17\\",...}`, as the AWS CLI shows; the provider unquotes it
    (`strconv.Unquote` in aws_api_gateway_rest_api(_policy) read). moto returns the document
    as stored, so the provider fails with "invalid character ... after top-level value".
    """
    from moto.apigateway.models import RestAPI

    original = RestAPI.to_dict

    def to_dict(self) -> dict:
        body = original(self)
        policy = body.get(RestAPI.PROP_POLICY)
        if policy:
            body[RestAPI.PROP_POLICY] = json.dumps(policy)[1:-1].replace("/", "\\/")
        return body

    RestAPI.to_dict = to_dict


@_once
def stage_cache_status_not_available() -> None:
    """API Gateway: a stage without a cache cluster reports `cacheClusterStatus: NOT_AVAILABLE`.

    AWS (API Gateway REST API Reference, Stage `cacheClusterStatus`, one of CREATE_IN_PROGRESS,
    AVAILABLE, DELETE_IN_PROGRESS, NOT_AVAILABLE, FLUSH_IN_PROGRESS): CreateStage/GetStage of a
    stage whose cache cluster is disabled return NOT_AVAILABLE; the provider then skips its
    cache waiter. moto omits the field, so the provider waits for AVAILABLE and fails with
    "unexpected state ''".
    """
    from moto.apigateway.models import Stage

    original = Stage.to_json

    def to_json(self) -> dict:
        body = original(self)
        if not self.cache_cluster_enabled and "cacheClusterStatus" not in body:
            body["cacheClusterStatus"] = "NOT_AVAILABLE"
        return body

    Stage.to_json = to_json


@_once
def integration_cache_key_parameters() -> None:
    """API Gateway: PutIntegration stores `cacheKeyParameters`; UpdateIntegration adds and removes them.

    AWS (API Gateway REST API Reference, PutIntegration request body `cacheKeyParameters`: "A
    list of request parameters whose values API Gateway caches"): GetIntegration returns the
    list that PutIntegration was given, and UpdateIntegration's patch operations `add` and
    `remove` on `/cacheKeyParameters/<parameter>` change it (the provider's update when the list
    changes; an upgrade from release 0.1.0 removes them all). moto ignores the field on put and
    always returns `[]`, and has no UpdateIntegration (500).
    """
    from moto.apigateway.responses import APIGatewayResponse

    original = APIGatewayResponse.put_integration
    prefix = "/cacheKeyParameters/"

    def update_integration(self):
        parts = self.path.split("/")
        integration = self.backend.get_integration(parts[2], parts[4], parts[6])
        keys = list(integration.cache_key_parameters or [])
        for operation in self._get_param("patchOperations") or []:
            path, op = operation.get("path", ""), operation.get("op")
            if not path.startswith(prefix) or op not in ("add", "remove"):
                return 400, {}, json.dumps({"message": f"patch {op} {path} is not modelled by this patch"})
            name = path.removeprefix(prefix)
            keys = [k for k in keys if k != name] + ([name] if op == "add" else [])
        integration.cache_key_parameters = keys
        return 200, {}, json.dumps(integration.to_json())

    APIGatewayResponse.update_integration = update_integration

    def put_integration(self):
        status, headers, body = original(self)
        parameters = self._get_param("cacheKeyParameters")
        if parameters:
            parts = self.path.split("/")
            integration = self.backend.get_integration(parts[2], parts[4], parts[6])
            integration.cache_key_parameters = list(parameters)
            body = json.dumps(integration.to_json())
        return status, headers, body

    APIGatewayResponse.put_integration = put_integration


@_once
def account_role_reset_without_value() -> None:
    """API Gateway: UpdateAccount `replace /cloudwatchRoleArn` without a value clears the role.

    AWS (API Gateway REST API Reference, UpdateAccount and PatchOperation: `value` is optional;
    a `replace` without one resets the property): the provider's `reset_on_delete` destroys
    aws_api_gateway_account by such an operation, leaving the account without a CloudWatch
    role. moto reads `op["value"]` unconditionally and answers 500 (KeyError).
    """
    from moto.apigateway.models import Account

    original = Account.apply_patch_operations

    def apply_patch_operations(self, patch_operations: list[dict]) -> Account:
        rest = []
        for op in patch_operations:
            if op.get("path") == "/cloudwatchRoleArn" and op.get("op") == "replace" and "value" not in op:
                self.cloudwatch_role_arn = None
            else:
                rest.append(op)
        return original(self, rest)

    Account.apply_patch_operations = apply_patch_operations


@_once
def event_bus_update() -> None:
    """EventBridge: UpdateEventBus changes an existing bus's key, description and dead-letter queue.

    AWS (Amazon EventBridge API Reference, UpdateEventBus: request `Name` (default `default`),
    `KmsKeyIdentifier`, `Description`, `DeadLetterConfig`; response `Arn`, `Name`,
    `KmsKeyIdentifier`, `Description`, `DeadLetterConfig`; "If you do not specify a customer managed
    key identifier, EventBridge uses an AWS owned key"; an unknown bus is ResourceNotFoundException):
    the provider updates `kms_key_identifier` in place with it, e.g. when a bus created without a
    customer managed key gets one. moto 5.2.5 implements no UpdateEventBus and answers 500.
    """
    from moto.core.utils import unix_time
    from moto.events.responses import EventsHandler

    def update_event_bus(self):
        bus = self.events_backend.describe_event_bus(self._get_param("Name") or "default")
        bus.kms_key_identifier = self._get_param("KmsKeyIdentifier") or None
        bus.description = self._get_param("Description") or None
        bus.dead_letter_config = self._get_param("DeadLetterConfig") or None
        bus.last_modified_time = unix_time()
        body = {"Arn": bus.arn, "Name": bus.name}
        for key, value in (
            ("KmsKeyIdentifier", bus.kms_key_identifier),
            ("Description", bus.description),
            ("DeadLetterConfig", bus.dead_letter_config),
        ):
            if value:
                body[key] = value
        return json.dumps(body), self.response_headers

    EventsHandler.update_event_bus = update_event_bus


@_once
def secret_rotation_started_without_value() -> None:
    """Secrets Manager: RotateSecret on a secret without a value starts its first rotation.

    AWS (Secrets Manager User Guide, "How rotation works"; API Reference, RotateSecret): Secrets
    Manager creates a version with the ClientRequestToken as its id and the label AWSPENDING, and
    invokes the rotation function asynchronously (createSecret, setSecret, testSecret,
    finishSecret); RotateSecret returns at once and AWSCURRENT moves only when the function's
    finishSecret moves it. A secret created without a value gets its first value this way, which
    is how the stack keeps secret values out of Terraform. moto 5.2.5 creates the pending version
    only when the secret already has one, runs the steps synchronously through its Lambda backend
    (which needs Docker to run code) and then moves AWSCURRENT: RotateSecret answers 500. The patch
    creates the pending version as AWS does and defers the invocation (the function has not run
    yet, so no label moves); the rotation configuration is recorded by moto as before. The
    function's steps are tested against moto in tests/lambda_src/test_rotation.py.
    """
    import time
    import uuid

    import moto.awslambda.utils as lambda_utils
    from moto.secretsmanager.models import SecretsManagerBackend

    original_rotate = SecretsManagerBackend.rotate_secret
    original_get_backend = lambda_utils.get_backend

    class Deferred:
        def __init__(self, backend) -> None:
            self._backend = backend

        def __getattr__(self, name: str):
            return getattr(self._backend, name)

        def invoke(self, *args, **kwargs) -> None:
            return None

    def rotate_secret(self, secret_id, client_request_token=None, *args, **kwargs):
        token = client_request_token or str(uuid.uuid4())
        secret = self.secrets[secret_id] if self._is_valid_identifier(secret_id) else None
        if secret is not None and not secret.versions:
            # What moto does for a secret with a value; it then replaces this entry with its own.
            secret.versions[token] = {"createdate": int(time.time()), "version_id": token, "version_stages": []}
        kwargs["rotate_immediately"] = False  # no synchronous steps, no label moves
        lambda_utils.get_backend = lambda account, region: Deferred(original_get_backend(account, region))
        try:
            return original_rotate(self, secret_id, token, *args, **kwargs)
        finally:
            lambda_utils.get_backend = original_get_backend

    SecretsManagerBackend.rotate_secret = rotate_secret


@_once
def lambda_policy_updates_are_atomic() -> None:
    """Lambda: AddPermission and RemovePermission update a function's policy atomically.

    AWS (AWS Lambda API Reference, AddPermission and RemovePermission: each call adds or removes
    one statement of the function's resource-based policy, and `RevisionId` exists so that callers
    can detect concurrent changes; no call loses another's statement): Terraform removes a
    function's permissions in parallel on destroy. moto 5.2.5 edits the statement list without a
    lock while its server answers requests in threads: a removal that iterates the list while
    another removes an earlier statement skips its own, answers ResourceNotFound, and the statement
    stays, so the provider waits five minutes for it to go and fails. The patch serialises the
    policy's edits and reads with one lock.
    """
    import threading

    from moto.awslambda.policy import Policy

    lock = threading.RLock()
    for name in ("add_statement", "del_statement", "get_policy"):
        original = getattr(Policy, name)

        def locked(self, *args, _original=original, **kwargs):
            with lock:
                return _original(self, *args, **kwargs)

        setattr(Policy, name, locked)


@_once
def dynamodb_replica_updates() -> None:
    """DynamoDB: UpdateTable `ReplicaUpdates` adds, updates and removes global table replicas (2019.11.21).

    AWS (DynamoDB API Reference, UpdateTable `ReplicaUpdates` / ReplicationGroupUpdate,
    TableDescription `Replicas` / ReplicaDescription): Create makes a table of the same name, key
    schema, attributes, capacity and stream in the replica's region, encrypted with
    `KMSMasterKeyId` when given; Delete removes that table (refused while its deletion protection
    is on); each replica is listed in DescribeTable's `Replicas` as {RegionName, ReplicaStatus,
    KMSMasterKeyId}; Update or Delete of a region that has no replica is a ValidationException
    "Replica specified in the Replica Update or Replica Delete action of the request was not
    found" (the provider's table delete sends Delete for every replica it last read, and treats
    that error as done). The provider's aws_dynamodb_table_replica creates and deletes through the
    main region and waits for ReplicaStatus ACTIVE there, then reads PITR, deletion protection and
    tags from the replica's region. moto 5.2.5 ignores ReplicaUpdates, so the provider waits 30
    minutes and fails.
    """
    from moto.dynamodb.exceptions import DeletionProtectedException, MockValidationException
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    def replicas_of(table: Table) -> dict[str, dict]:
        if not hasattr(table, "_rehearsal_replicas"):
            table._rehearsal_replicas = {}
        return table._rehearsal_replicas

    original_describe = Table.describe

    def describe(self, base_key: str = "TableDescription") -> dict:
        body = original_describe(self, base_key)
        replicas = replicas_of(self)
        if replicas:
            body[base_key]["GlobalTableVersion"] = "2019.11.21"
            body[base_key]["Replicas"] = [dict(r) for r in replicas.values()]
        return body

    def create(backend, table: Table, create: dict) -> None:
        region, key = create["RegionName"], create.get("KMSMasterKeyId")
        dynamodb_backends[backend.account_id][region].create_table(
            table.name,
            schema=table.schema,
            throughput=dict(table.throughput),
            attr=table.attr,
            global_indexes=None,
            indexes=None,
            streams=table.stream_specification,
            billing_mode=table.billing_mode,
            sse_specification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key} if key else None,
            tags=[],
            deletion_protection_enabled=False,
            warm_throughput=None,
        )
        replicas_of(table)[region] = {"RegionName": region, "ReplicaStatus": "ACTIVE"} | (
            {"KMSMasterKeyId": key} if key else {}
        )

    def replica(table: Table, change: dict) -> dict:
        if change["RegionName"] not in replicas_of(table):
            raise MockValidationException(
                "Replica specified in the Replica Update or Replica Delete action of the request was not found."
            )
        return replicas_of(table)[change["RegionName"]]

    def apply(backend, name: str, updates: list[dict]) -> None:
        table = backend.get_table(name)
        for update in updates:
            if "Create" in update:
                create(backend, table, update["Create"])
            elif "Update" in update:
                if update["Update"].get("KMSMasterKeyId"):
                    replica(table, update["Update"])["KMSMasterKeyId"] = update["Update"]["KMSMasterKeyId"]
            elif "Delete" in update:
                region = replica(table, update["Delete"])["RegionName"]
                regional = dynamodb_backends[backend.account_id][region]
                if regional.get_table(name).deletion_protection_enabled:
                    raise DeletionProtectedException(name)
                regional.tables.pop(name)
                replicas_of(table).pop(region, None)

    original_update = DynamoHandler.update_table

    def update_table(self):
        updates = self.body.get("ReplicaUpdates")
        if updates:
            apply(self.dynamodb_backend, self.body["TableName"], updates)
        return original_update(self)

    Table.describe = describe
    DynamoHandler.update_table = update_table


@_once
def bucket_replication_round_trip() -> None:
    """S3: GetBucketReplication returns each rule as PutBucketReplication stored it.

    AWS (Amazon S3 API Reference, GetBucketReplication / ReplicationRule): a rule comes back with
    its `Filter`, `DeleteMarkerReplication`, `SourceSelectionCriteria` (SseKmsEncryptedObjects) and
    `Destination` as configured. moto 5.2.5 answers every rule with DeleteMarkerReplication
    Disabled and Filter {Prefix: ""} and drops SourceSelectionCriteria, so every plan after apply
    wants to change the log bucket's replication configuration.
    """
    from moto.core.responses import ActionResult
    from moto.s3.exceptions import ReplicationConfigurationNotFoundError
    from moto.s3.responses import S3Response

    kept = (
        "ID",
        "Priority",
        "Status",
        "Filter",
        "Prefix",
        "DeleteMarkerReplication",
        "SourceSelectionCriteria",
        "ExistingObjectReplication",
        "Destination",
    )

    def get_bucket_replication(self):
        self.data["Action"] = "GetBucketReplication"
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
        rules = [{key: rule[key] for key in kept if key in rule} for rule in replication["Rule"]]
        for rule in rules:
            rule["Priority"] = int(rule["Priority"])
            if "Filter" in rule and not rule["Filter"]:
                rule["Filter"] = {}  # xmltodict reads an empty <Filter/> as None
        result = {"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}}
        return self.serialized(ActionResult(result))

    S3Response.get_bucket_replication = get_bucket_replication


@_once
def synthetics_canary_lifecycle() -> None:
    """Synthetics: the canary lifecycle the provider drives.

    AWS (CloudWatch Synthetics API Reference: StartCanary, StopCanary, UpdateCanary, DeleteCanary,
    GetCanary, TagResource, UntagResource, ListTagsForResource): StartCanary moves a READY or
    STOPPED canary to RUNNING; StopCanary moves a RUNNING one to STOPPED (else ConflictException);
    UpdateCanary changes the given settings; DeleteCanary of a RUNNING canary is a
    ConflictException; an unknown name or canary ARN is a ResourceNotFoundException (404). Tags
    are addressed by `arn:<partition>:synthetics:<region>:<account>:canary:<name>`. moto 5.2.5
    implements only CreateCanary, GetCanary (a KeyError, 500, when missing), DescribeCanaries and
    ListTagsForResource (which looks the ARN up as a name, so always returns no tags). Synthetics
    is a restJson1 API: `Timeline` timestamps are epoch seconds (JSON numbers); moto writes ISO
    strings, which boto3 accepts but the provider's Go SDK refuses ("expected Timestamp to be a
    JSON Number"), so CreateCanary fails in Terraform.
    """
    from urllib.parse import unquote

    from moto.core.exceptions import JsonRESTError
    from moto.core.utils import utcnow
    from moto.synthetics import models, responses, urls

    class NotFound(JsonRESTError):
        code = 404

        def __init__(self, name: str) -> None:
            super().__init__("ResourceNotFoundException", f"Canary {name} not found")

    class Conflict(JsonRESTError):
        code = 409

        def __init__(self, message: str) -> None:
            super().__init__("ConflictException", message)

    response_class = responses.SyntheticsResponse
    fields = {
        "Code": "code",
        "ExecutionRoleArn": "execution_role_arn",
        "RuntimeVersion": "runtime_version",
        "Schedule": "schedule",
        "RunConfig": "run_config",
        "SuccessRetentionPeriodInDays": "success_retention_period_in_days",
        "FailureRetentionPeriodInDays": "failure_retention_period_in_days",
        "VpcConfig": "vpc_config",
        "ArtifactS3Location": "artifact_s3_location",
        "ArtifactConfig": "artifact_config",
    }

    def canary_named(backend, name_or_arn: str):
        name = unquote(name_or_arn).rsplit(":canary:", 1)[-1]
        if name not in backend.canaries:
            raise NotFound(name)
        return backend.canaries[name]

    def path_part(self, prefix: str) -> str:
        return unquote(self.path.split("?")[0]).split(prefix, 1)[1]

    def named(self):  # /canary/<name>[/start|/stop]
        return canary_named(self.synthetics_backend, path_part(self, "/canary/").split("/")[0])

    def tagged(self):  # /tags/<url-encoded arn>
        return canary_named(self.synthetics_backend, path_part(self, "/tags/"))

    def get_canary(self) -> str:
        return json.dumps({"Canary": named(self).to_dict()})

    def update_canary(self) -> str:
        canary, params = named(self), json.loads(self.body or "{}")
        for key, attribute in fields.items():
            if key in params:
                setattr(canary, attribute, params[key])
        canary.timeline["LastModified"] = utcnow()
        return "{}"

    def delete_canary(self) -> str:
        canary = named(self)
        if canary.state == "RUNNING":
            raise Conflict(f"Canary {canary.name} is RUNNING; stop it before deleting it")
        del self.synthetics_backend.canaries[canary.name]
        return "{}"

    def by_method(self) -> str:  # GET, DELETE and PATCH share /canary/<name>
        return {"GET": get_canary, "DELETE": delete_canary, "PATCH": update_canary}[self.method](self)

    def start_canary(self) -> str:
        canary = named(self)
        if canary.state not in ("READY", "STOPPED"):
            raise Conflict(f"Canary {canary.name} is {canary.state}; only a READY or STOPPED canary can start")
        canary.state = "RUNNING"
        canary.timeline["LastStarted"] = utcnow()
        return "{}"

    def stop_canary(self) -> str:
        canary = named(self)
        if canary.state != "RUNNING":
            raise Conflict(f"Canary {canary.name} is {canary.state}; only a RUNNING canary can stop")
        canary.state = "STOPPED"
        canary.timeline["LastStopped"] = utcnow()
        return "{}"

    def list_tags_for_resource(self) -> str:
        return json.dumps({"Tags": dict(tagged(self).tags)})

    def tag_resource(self) -> str:
        tagged(self).tags.update(json.loads(self.body or "{}").get("Tags") or {})
        return "{}"

    def untag_resource(self) -> str:
        canary = tagged(self)
        for key in self.querystring.get("tagKeys", []):
            canary.tags.pop(key, None)
        return "{}"

    original_to_dict = models.Canary.to_dict

    def to_dict(self) -> dict:
        body = original_to_dict(self)
        body["Timeline"] = {key: value.timestamp() for key, value in self.timeline.items() if value is not None}
        return body

    models.Canary.to_dict = to_dict
    urls.url_paths["{0}/canary/(?P<name>[^/]+)/start$"] = response_class.dispatch
    urls.url_paths["{0}/canary/(?P<name>[^/]+)/stop$"] = response_class.dispatch
    response_class.get_canary = response_class.update_canary = response_class.delete_canary = by_method
    response_class.start_canary = start_canary
    response_class.stop_canary = stop_canary
    response_class.list_tags_for_resource = list_tags_for_resource
    response_class.tag_resource = tag_resource
    response_class.untag_resource = untag_resource


@_once
def route53_zone_ids_start_with_z() -> None:
    """Route 53: hosted zone IDs start with `Z`.

    AWS (Amazon Route 53 API Reference, CreateHostedZone / HostedZone `Id`, e.g.
    `/hostedzone/Z1D633PJN98FT9`; Route 53 Developer Guide, "hosted zone ID", always `Z` followed
    by upper-case letters and digits): the stack's `hosted_zone_id` variable validates that form
    (`^Z[A-Z0-9]{1,31}$`), as an ops team's typo should fail at plan. moto 5.2.5 draws all 22
    characters at random from A-Z0-9, so 35 of 36 zones it creates are refused at plan. The patch
    keeps moto's id and makes its first character a `Z`.
    """
    from moto.route53 import models

    original = models.create_route53_zone_id

    def create_route53_zone_id(*args, **kwargs) -> str:
        zone_id = original(*args, **kwargs)
        return zone_id if zone_id.startswith("Z") else f"Z{zone_id[1:]}"

    models.create_route53_zone_id = create_route53_zone_id


@_once
def route53_alarm_health_checks() -> None:
    """Route 53: health checks that follow a CloudWatch alarm.

    AWS (Amazon Route 53 API Reference, CreateHealthCheck / UpdateHealthCheck / HealthCheckConfig):
    a `CLOUDWATCH_METRIC` health check keeps its `AlarmIdentifier` (name and region) and
    `InsufficientDataHealthStatus`, GetHealthCheck returns them, and such a check has no endpoint:
    no IPAddress, Port, RequestInterval, FailureThreshold, MeasureLatency, ResourcePath or
    FullyQualifiedDomainName. moto 5.2.5 drops both settings and reports every check that is not
    CALCULATED with port 80, a 30 s interval and a threshold of 3, so the provider plans the alarm
    back in and replaces the check (its `request_interval` forces a new one) on every plan.
    """
    from moto.route53 import models, responses

    endpoint_keys = (
        "IPAddress",
        "Port",
        "RequestInterval",
        "FailureThreshold",
        "MeasureLatency",
        "ResourcePath",
        "FullyQualifiedDomainName",
        "SearchString",
    )
    original_config = models.HealthCheck.health_check_config.fget
    original_create = responses.Route53.create_health_check
    original_update = responses.Route53.update_health_check

    def health_check_config(self) -> dict:
        config = original_config(self)
        if self.type_ != "CLOUDWATCH_METRIC":
            return config
        config = {key: value for key, value in config.items() if key not in endpoint_keys}
        config["AlarmIdentifier"] = getattr(self, "alarm_identifier", None)
        config["InsufficientDataHealthStatus"] = getattr(self, "insufficient_data_health_status", None)
        return config

    def keep(health_check, alarm: dict | None, status: str | None) -> None:
        if alarm:
            health_check.alarm_identifier = {"Name": alarm.get("Name"), "Region": alarm.get("Region")}
        if status:
            health_check.insufficient_data_health_status = status

    def create_health_check(self):
        result = original_create(self)
        config = self._get_param("HealthCheckConfig")
        keep(result._result["HealthCheck"], config.get("AlarmIdentifier"), config.get("InsufficientDataHealthStatus"))
        return result

    def update_health_check(self):
        result = original_update(self)
        keep(
            result._result["HealthCheck"],
            self._get_param("AlarmIdentifier"),
            self._get_param("InsufficientDataHealthStatus"),
        )
        return result

    models.HealthCheck.health_check_config = property(health_check_config)
    responses.Route53.create_health_check = create_health_check
    responses.Route53.update_health_check = update_health_check


@_once
def athena_database_comment() -> None:
    """Athena: CREATE DATABASE stores its COMMENT and DBPROPERTIES in the data catalog.

    AWS (Amazon Athena User Guide, "CREATE DATABASE": `CREATE (DATABASE|SCHEMA) [IF NOT EXISTS]
    database_name [COMMENT 'database_comment'] [LOCATION 'S3_loc'] [WITH DBPROPERTIES
    ('property_name' = 'property_value' [, ...])]`; Athena API Reference, GetDatabase / Database
    `Description`, `Parameters`): GetDatabase returns the comment as `Description` and the
    properties as `Parameters`. The provider creates aws_athena_database with such a query and
    reads `comment` back from `Description`. moto 5.2.5 records only the name, so every plan after
    apply replaces the database ("comment forces replacement").
    """
    import re

    from moto.athena.models import AthenaBackend

    comment = re.compile(r"\bCOMMENT\s+'((?:[^'\\]|\\.)*)'", re.IGNORECASE)
    properties = re.compile(r"\bWITH\s+DBPROPERTIES\s*\((.*)\)", re.IGNORECASE | re.DOTALL)
    pair = re.compile(r"'((?:[^'\\]|\\.)*)'\s*=\s*'((?:[^'\\]|\\.)*)'")
    original = AthenaBackend._process_ddl

    def unescape(text: str) -> str:
        return re.sub(r"\\(.)", r"\1", text)

    def _process_ddl(self, query: str, context) -> None:
        original(self, query, context)
        match = self._CREATE_DB_PATTERN.match(query)
        if not match:
            return
        catalog = context.get("Catalog", "AwsDataCatalog") if isinstance(context, dict) else "AwsDataCatalog"
        database = self.databases.get((catalog, match.group(1).lower()))
        rest = query[match.end() :]
        if database is not None and (found := comment.search(rest)):
            database.description = unescape(found.group(1))
        if database is not None and (found := properties.search(rest)):
            database.parameters = {unescape(k): unescape(v) for k, v in pair.findall(found.group(1))}

    AthenaBackend._process_ddl = _process_ddl


@_once
def athena_databases_in_glue() -> None:
    """Athena: a database of the AwsDataCatalog is a Glue Data Catalog database.

    AWS (Amazon Athena User Guide, "Use AWS Glue Data Catalog to connect to your data"): Athena's
    AwsDataCatalog is the account's Glue Data Catalog in the region, so CREATE DATABASE makes a Glue
    database (GetDatabase in Glue finds it, and Glue CreateTable can put a table in it) and DROP
    DATABASE removes it. moto 5.2.5 keeps Athena's databases apart from Glue's, so the log archive's
    table (aws_glue_catalog_table) finds no database.
    """
    from moto.athena.models import AthenaBackend
    from moto.glue.models import glue_backends

    original = AthenaBackend._process_ddl

    def _process_ddl(self, query: str, context) -> None:
        original(self, query, context)
        catalog = context.get("Catalog", "AwsDataCatalog") if isinstance(context, dict) else "AwsDataCatalog"
        if catalog != "AwsDataCatalog":
            return
        glue = glue_backends[self.account_id][self.region_name]
        if match := self._CREATE_DB_PATTERN.match(query):
            name = match.group(1).lower()
            if name not in glue.databases:
                glue.create_database(name, {"Name": name})
        elif (match := self._DROP_DB_PATTERN.match(query)) and match.group(1).lower() in glue.databases:
            glue.delete_database(match.group(1).lower())

    AthenaBackend._process_ddl = _process_ddl


@_once
def athena_named_queries_deleted() -> None:
    """Athena: DeleteNamedQuery deletes a saved query; GetNamedQuery of an unknown id is refused.

    AWS (Athena API Reference, DeleteNamedQuery; GetNamedQuery: InvalidRequestException for an id
    that does not exist). moto 5.2.5 has no DeleteNamedQuery (its server answers 500, so `destroy`
    fails on aws_athena_named_query) and fails with a 500 on an unknown id, where the provider reads
    a query deleted outside Terraform as gone.
    """
    import json

    from moto.athena.responses import AthenaResponse
    from moto.core.exceptions import JsonRESTError

    original_get = AthenaResponse.get_named_query

    def unknown(query_id: str) -> JsonRESTError:
        return JsonRESTError("InvalidRequestException", f"NamedQuery {query_id} was not found")

    def get_named_query(self) -> str:
        query_id = self._get_param("NamedQueryId")
        if self.athena_backend.get_named_query(query_id) is None:
            raise unknown(query_id)
        return original_get(self)

    def delete_named_query(self) -> str:
        query_id = self._get_param("NamedQueryId")
        if self.athena_backend.named_queries.pop(query_id, None) is None:
            raise unknown(query_id)
        return json.dumps({})

    AthenaResponse.get_named_query = get_named_query
    AthenaResponse.delete_named_query = delete_named_query


@_once
def config_rule_tag_scope() -> None:
    """Config: a rule's tag scope reads back as `TagKey` and `TagValue`.

    AWS (AWS Config API Reference, Scope: `ComplianceResourceTypes`, `ComplianceResourceId`,
    `TagKey`, `TagValue`): DescribeConfigRules returns the scope as it was put. moto 5.2.5 keeps it
    and returns it as `Tags: {key: value}`, so the provider reads no tag scope back and plans to add
    it again after every apply.
    """
    from moto.config.models import Scope

    original = Scope.to_dict

    def to_dict(self) -> dict:
        data = original(self)
        for key, value in (data.pop("Tags", None) or {}).items():
            data["TagKey"] = key
            if value is not None:
                data["TagValue"] = value
        return data

    Scope.to_dict = to_dict


@_once
def config_remediation_configurations() -> None:
    """Config: remediation configurations of a rule.

    AWS (AWS Config API Reference, PutRemediationConfigurations, DescribeRemediationConfigurations,
    DeleteRemediationConfiguration, RemediationConfiguration, SsmControls): Put adds or replaces the
    configuration of each named rule, which must exist (NoSuchConfigRuleException); `TargetType` is
    `SSM_DOCUMENT`, `MaximumAutomaticAttempts` 1-25, `RetryAttemptSeconds` 1-2678000, each SSM control
    1-100 (%), at most 25 parameters, a `ResourceValue` is `RESOURCE_ID`, and an automatic one needs
    a static `AutomationAssumeRole` (InvalidParameterValueException); it answers `FailedBatches`.
    Describe answers the configurations of the named rules (1-25) that have one, each with its ARN;
    Delete of a rule without one is a NoSuchRemediationConfigurationException. moto 5.2.5 has none
    of the three (NotImplementedError), so the provider fails at create.
    """
    from moto.config import exceptions, responses

    from tapgen.aws_rules.remediations import LIMITS

    class NoSuchRemediation(exceptions.JsonRESTError):
        code = 400

        def __init__(self, rule: str) -> None:
            super().__init__(
                "NoSuchRemediationConfigurationException", f"No RemediationConfiguration for rule {rule} exists."
            )

    def remediations_of(backend) -> dict[str, dict]:
        if not hasattr(backend, "_rehearsal_remediations"):
            backend._rehearsal_remediations = {}
        return backend._rehearsal_remediations

    def invalid(message: str) -> Exception:
        return exceptions.InvalidParameterValueException(message)

    def checked(backend, configuration: dict) -> dict:
        rule = configuration["ConfigRuleName"]
        if rule not in backend.config_rules:
            raise exceptions.NoSuchConfigRuleException(rule)
        if configuration.get("TargetType") != "SSM_DOCUMENT":
            raise invalid(f"TargetType {configuration.get('TargetType')!r} is not SSM_DOCUMENT")
        ssm = configuration.get("ExecutionControls", {}).get("SsmControls", {})
        parameters = configuration.get("Parameters", {})
        given = {**{k: v for k, v in configuration.items() if k in LIMITS}, **ssm, "Parameters": len(parameters)}
        for key, value in given.items():
            least, most = LIMITS[key]
            if not least <= value <= most:
                raise invalid(f"{key} {value} is not within {least}-{most}")
        for name, value in parameters.items():
            if "ResourceValue" in value and value["ResourceValue"].get("Value") != "RESOURCE_ID":
                raise invalid(f"parameter {name}: ResourceValue must be RESOURCE_ID")
        role = parameters.get("AutomationAssumeRole", {}).get("StaticValue", {}).get("Values")
        if configuration.get("Automatic") and not role:
            raise invalid("automatic remediation needs a static value for AutomationAssumeRole")
        arn = f"arn:aws:config:{backend.region_name}:{backend.account_id}:remediation-configuration/{rule}/rehearsal"
        return {**configuration, "Arn": arn}

    def put_remediation_configurations(self):
        backend = self.config_backend
        for configuration in self._get_param("RemediationConfigurations"):
            remediations_of(backend)[configuration["ConfigRuleName"]] = checked(backend, configuration)
        return json.dumps({"FailedBatches": []})

    def describe_remediation_configurations(self):
        names = self._get_param("ConfigRuleNames")
        if not 1 <= len(names) <= 25:
            raise invalid("ConfigRuleNames must name 1-25 rules")
        stored = remediations_of(self.config_backend)
        return json.dumps({"RemediationConfigurations": [stored[name] for name in names if name in stored]})

    def delete_remediation_configuration(self):
        rule = self._get_param("ConfigRuleName")
        if remediations_of(self.config_backend).pop(rule, None) is None:
            raise NoSuchRemediation(rule)
        return json.dumps({})

    response_class = responses.ConfigResponse
    response_class.put_remediation_configurations = put_remediation_configurations
    response_class.describe_remediation_configurations = describe_remediation_configurations
    response_class.delete_remediation_configuration = delete_remediation_configuration


@_once
def wafv2_association_and_logging_targets() -> None:
    """WAFv2: AssociateWebACL and PutLoggingConfiguration accept only what AWS accepts.

    AWS (WAFV2 API Reference): AssociateWebACL's `ResourceArn` for an API Gateway REST API is the
    stage ARN `arn:<partition>:apigateway:<region>::/restapis/<api-id>/stages/<stage-name>`; any
    other form is a WAFInvalidParameterException, a stage that does not exist a
    WAFNonexistentItemException, and a resource has at most one web ACL (associating another
    replaces it). PutLoggingConfiguration: the web ACL must exist (WAFNonexistentItemException)
    and every destination's name must start with `aws-waf-logs-` (WAFInvalidParameterException).
    moto 5.2.5 accepts any string as the resource (an `execute-api` ARN, a stage that does not
    exist), keeps a second web ACL beside the first, and accepts any destination for any web ACL
    ARN, so a rehearsal could not tell a firewall on the stage from one on nothing.
    """
    import re

    from moto.core.exceptions import JsonRESTError
    from moto.wafv2 import models
    from moto.wafv2.exceptions import WAFNonexistentItemException

    class InvalidParameter(JsonRESTError):
        code = 400

        def __init__(self, message: str) -> None:
            super().__init__("WAFInvalidParameterException", message)

    stage_arn = re.compile(r"^arn:[a-z-]+:apigateway:[a-z0-9-]+::/restapis/[A-Za-z0-9]+/stages/[A-Za-z0-9_-]+$")
    destination_names = (
        re.compile(r"^arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:(?P<name>[^:]+)(:\*)?$"),
        re.compile(r"^arn:[a-z-]+:s3:::(?P<name>[^/]+)$"),
        re.compile(r"^arn:[a-z-]+:firehose:[a-z0-9-]+:\d{12}:deliverystream/(?P<name>.+)$"),
    )
    backend = models.WAFV2Backend
    associate = backend.associate_web_acl
    put_logging = backend.put_logging_configuration

    def checked_associate(self, web_acl_arn: str, resource_arn: str) -> None:
        if re.match(r"^arn:[a-z-]+:(apigateway|execute-api):", resource_arn):
            if not stage_arn.match(resource_arn):
                raise InvalidParameter(f"The ARN isn't valid for an API Gateway stage: {resource_arn}")
            if self._find_apigw_stage(resource_arn) is None:
                raise WAFNonexistentItemException()
        if web_acl_arn not in self.wacls:
            raise WAFNonexistentItemException()
        self.disassociate_web_acl(resource_arn)
        associate(self, web_acl_arn, resource_arn)

    def checked_put_logging(self, arn: str, log_destination_configs: list[str], *args):
        if arn not in self.wacls:
            raise WAFNonexistentItemException()
        for destination in log_destination_configs:
            match = next((m for p in destination_names if (m := p.match(destination))), None)
            if match is None or not match["name"].startswith("aws-waf-logs-"):
                raise InvalidParameter(f"The logging destination name must start with aws-waf-logs-: {destination}")
        return put_logging(self, arn, log_destination_configs, *args)

    backend.associate_web_acl = checked_associate
    backend.put_logging_configuration = checked_put_logging


@_once
def security_group_rule_descriptions() -> None:
    """EC2: a security group rule that references a group or a prefix list keeps its description.

    AWS (EC2 API Reference: AuthorizeSecurityGroupEgress/Ingress take a `Description` in
    `UserIdGroupPair` and `PrefixListId` as in `IpRange`; DescribeSecurityGroupRules returns it as
    `SecurityGroupRule.Description`): moto 5.2.5 keeps only an IP range's description, so every
    `aws_vpc_security_group_*_rule` to a group or a prefix list plans its description again after
    each apply. The patch keeps the description of whatever the rule references.
    """
    from moto.ec2.models.security_groups import SecurityGroupRule

    original_init = SecurityGroupRule.__init__

    def __init__(self, *args, **kwargs) -> None:
        original_init(self, *args, **kwargs)
        referenced = [a for a in (*args[6:8], kwargs.get("source_group"), kwargs.get("prefix_list_id")) if a]
        self.referenced_description = next((r["Description"] for r in referenced if r.get("Description")), None)

    SecurityGroupRule.__init__ = __init__
    SecurityGroupRule.description = property(
        lambda self: self.ip_range.get("Description") or getattr(self, "referenced_description", None)
    )


@_once
def lambda_provisioned_concurrency() -> None:
    """Lambda: provisioned concurrency on an alias or a published version.

    AWS (AWS Lambda API Reference, PutProvisionedConcurrencyConfig, GetProvisionedConcurrencyConfig,
    DeleteProvisionedConcurrencyConfig, ListProvisionedConcurrencyConfigs; `PUT|GET|DELETE
    /2019-09-30/functions/{FunctionName}/provisioned-concurrency?Qualifier=...`, `GET ...?List=ALL`):
    Put stores `ProvisionedConcurrentExecutions` for an existing alias or version and answers 202;
    an unknown function, alias or version is a ResourceNotFoundException (404), `$LATEST` an
    InvalidParameterValueException; Get answers the Requested, Available and Allocated
    `...ProvisionedConcurrentExecutions`, `Status` and `LastModified`, or a
    ProvisionedConcurrencyConfigNotFoundException (404) when none is set; Delete answers 204 (a
    config that is not there: ResourceNotFoundException, which the provider treats as deleted);
    List answers every config of the function with its qualified `FunctionArn`. AWS allocates for minutes
    (Status IN_PROGRESS, then READY, what aws_lambda_provisioned_concurrency_config waits for); the
    emulator runs no instances, so a config is READY, fully allocated, at once. moto 5.2.5 has no
    such route and answers 404 to all four, so the provider fails at create.
    """
    from urllib.parse import unquote

    from moto.awslambda import responses, urls
    from moto.awslambda.exceptions import InvalidParameterValueException, LambdaClientError
    from moto.core.utils import iso_8601_datetime_with_nanoseconds

    class ConfigNotFound(LambdaClientError):
        code = 404

        def __init__(self) -> None:
            super().__init__(
                "ProvisionedConcurrencyConfigNotFoundException",
                "No Provisioned Concurrency Config found for this function",
            )

    class UnknownConfig(LambdaClientError):
        code = 404

        def __init__(self, function: str, qualifier: str) -> None:
            super().__init__(
                "ResourceNotFoundException", f"No Provisioned Concurrency Config found for {function}:{qualifier}"
            )

    response_class = responses.LambdaResponse

    def configs_of(backend) -> dict[tuple[str, str], dict]:
        if not hasattr(backend, "_rehearsal_provisioned_concurrency"):
            backend._rehearsal_provisioned_concurrency = {}
        return backend._rehearsal_provisioned_concurrency

    def addressed(self) -> tuple[str, str]:
        """(function name, qualifier) of the request; the function, alias or version must exist."""
        name_or_arn = unquote(self.path.split("?")[0].rsplit("/", 2)[-2])
        qualifier = self.querystring.get("Qualifier", [""])[0]
        if qualifier.upper() == "$LATEST":
            raise InvalidParameterValueException(
                "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
            )
        return self.backend.get_function(name_or_arn, qualifier or None).function_name, qualifier

    def put_provisioned_concurrency_config(self):
        requested = int(self._get_param("ProvisionedConcurrentExecutions"))
        config = {
            "RequestedProvisionedConcurrentExecutions": requested,
            "AvailableProvisionedConcurrentExecutions": requested,
            "AllocatedProvisionedConcurrentExecutions": requested,
            "Status": "READY",
            "LastModified": iso_8601_datetime_with_nanoseconds(),
        }
        configs_of(self.backend)[addressed(self)] = config
        return 202, {"status": 202}, json.dumps(config)

    def get_provisioned_concurrency_config(self):
        config = configs_of(self.backend).get(addressed(self))
        if config is None:
            raise ConfigNotFound()
        return 200, {}, json.dumps(config)

    def delete_provisioned_concurrency_config(self):
        key = addressed(self)
        if configs_of(self.backend).pop(key, None) is None:
            raise UnknownConfig(*key)
        return 204, {"status": 204}, ""

    def list_provisioned_concurrency_configs(self):
        function = self.backend.get_function(unquote(self.path.split("?")[0].rsplit("/", 2)[-2]))
        listed = [
            {"FunctionArn": f"{function.function_arn}:{qualifier}", **config}
            for (name, qualifier), config in configs_of(self.backend).items()
            if name == function.function_name
        ]
        return 200, {}, json.dumps({"ProvisionedConcurrencyConfigs": listed})

    urls.url_paths[r"{0}/(?P<api_version>[^/]+)/functions/(?P<function_name>[\w_:%-]+)/provisioned-concurrency/?$"] = (
        response_class.dispatch
    )
    response_class.put_provisioned_concurrency_config = put_provisioned_concurrency_config
    response_class.get_provisioned_concurrency_config = get_provisioned_concurrency_config
    response_class.delete_provisioned_concurrency_config = delete_provisioned_concurrency_config
    response_class.list_provisioned_concurrency_configs = list_provisioned_concurrency_configs


@_once
def dynamodb_kinesis_streaming_destination() -> None:
    """DynamoDB: a table streams its item changes to Kinesis data streams.

    AWS (Amazon DynamoDB API Reference, EnableKinesisStreamingDestination,
    DescribeKinesisStreamingDestination, DisableKinesisStreamingDestination,
    KinesisDataStreamDestination): Enable takes a table name or ARN and a Kinesis data stream ARN
    with an optional `EnableKinesisStreamingConfiguration.ApproximateCreationDateTimePrecision`
    (MILLISECOND or MICROSECOND, the default) and answers {TableName, StreamArn, DestinationStatus,
    EnableKinesisStreamingConfiguration}; Describe lists every destination the table ever had as
    {StreamArn, DestinationStatus, ApproximateCreationDateTimePrecision}, a disabled one as
    DISABLED; Disable turns an active one DISABLED. An unknown table is a
    ResourceNotFoundException, a stream ARN that is no Kinesis data stream a ValidationException.
    AWS answers ENABLING (DISABLING) and turns ACTIVE (DISABLED) within minutes, what
    aws_dynamodb_kinesis_streaming_destination waits for; the emulator has no replication to set
    up, so it answers ACTIVE (DISABLED) at once. moto 5.2.5 implements none of the three and
    answers 500 (NotImplementedError).
    """
    import re

    from moto.core.responses import ActionResult
    from moto.dynamodb.exceptions import MockValidationException, ResourceNotFoundException
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.responses import DynamoHandler

    stream_arn = re.compile(r"^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[A-Za-z0-9_.-]{1,128}$")

    def destinations_of(table: Table) -> dict[str, dict]:
        if not hasattr(table, "_rehearsal_kinesis_destinations"):
            table._rehearsal_kinesis_destinations = {}
        return table._rehearsal_kinesis_destinations

    def addressed(self) -> tuple[Table, str]:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        arn = self.body["StreamArn"]
        if not stream_arn.match(arn):
            raise MockValidationException(f"Invalid StreamArn: {arn} is not the ARN of a Kinesis data stream")
        return table, arn

    def answer(table: Table, destination: dict) -> ActionResult:
        precision = destination["ApproximateCreationDateTimePrecision"]
        return ActionResult(
            {
                "TableName": table.name,
                "StreamArn": destination["StreamArn"],
                "DestinationStatus": destination["DestinationStatus"],
                "EnableKinesisStreamingConfiguration": {"ApproximateCreationDateTimePrecision": precision},
            }
        )

    def enable_kinesis_streaming_destination(self) -> ActionResult:
        table, arn = addressed(self)
        configuration = self.body.get("EnableKinesisStreamingConfiguration") or {}
        destination = {
            "StreamArn": arn,
            "DestinationStatus": "ACTIVE",
            "ApproximateCreationDateTimePrecision": configuration.get(
                "ApproximateCreationDateTimePrecision", "MICROSECOND"
            ),
        }
        destinations_of(table)[arn] = destination
        return answer(table, destination)

    def describe_kinesis_streaming_destination(self) -> ActionResult:
        table = self.dynamodb_backend.get_table(self.body["TableName"])
        listed = [dict(destination) for destination in destinations_of(table).values()]
        return ActionResult({"TableName": table.name, "KinesisDataStreamDestinations": listed})

    def disable_kinesis_streaming_destination(self) -> ActionResult:
        table, arn = addressed(self)
        destination = destinations_of(table).get(arn)
        if destination is None or destination["DestinationStatus"] != "ACTIVE":
            raise ResourceNotFoundException(f"Table {table.name} is not streaming to {arn}")
        destination["DestinationStatus"] = "DISABLED"
        return answer(table, destination)

    DynamoHandler.enable_kinesis_streaming_destination = enable_kinesis_streaming_destination
    DynamoHandler.describe_kinesis_streaming_destination = describe_kinesis_streaming_destination
    DynamoHandler.disable_kinesis_streaming_destination = disable_kinesis_streaming_destination


@_once
def kinesis_stream_tags_on_create() -> None:
    """Kinesis: CreateStream tags the stream with the `Tags` it is given.

    AWS (Amazon Kinesis Data Streams API Reference, CreateStream `Tags`: "A set of up to 50
    key-value pairs to use as tags"; ListTagsForStream): the new stream carries those tags. The
    provider 5.100.0 sends the stream's tags (its `default_tags` included) with CreateStream and
    reads `tags_all` back with ListTagsForStream. moto 5.2.5 ignores `Tags`, so every plan after
    apply wants to tag each stream again.
    """
    from moto.kinesis.responses import KinesisResponse

    original = KinesisResponse.create_stream

    def create_stream(self):
        result = original(self)
        tags = self._get_param("Tags")
        if tags:
            self.kinesis_backend.add_tags_to_stream(None, self._get_param("StreamName"), tags)
        return result

    KinesisResponse.create_stream = create_stream


@_once
def elasticache_user_groups() -> None:
    """ElastiCache: RBAC user groups.

    AWS (Amazon ElastiCache API Reference, CreateUserGroup, DescribeUserGroups, ModifyUserGroup,
    DeleteUserGroup, UserGroup, DeleteUser, ListTagsForResource): CreateUserGroup takes a
    `UserGroupId`, an `Engine` (redis or valkey), `UserIds` and `Tags`; every user must exist
    (UserNotFound), user names must be unique in the group (DuplicateUserName) and one of them must
    be named `default` (DefaultUserRequired); an id in use is UserGroupAlreadyExists. The group
    answers {UserGroupId, Status, Engine, UserIds, MinimumEngineVersion, ReplicationGroups, ARN
    `arn:aws:elasticache:<region>:<account>:usergroup:<id>`}, `creating` (`modifying`, `deleting`)
    until the change completes, and each member's DescribeUsers `UserGroupIds` lists it.
    ModifyUserGroup adds `UserIdsToAdd` and removes `UserIdsToRemove` (the `default` user stays
    required); DeleteUserGroup refuses a group a replication group uses (InvalidUserGroupState); an
    unknown group is UserGroupNotFound (404); DeleteUser removes the user from its groups; the
    group's ARN is taggable. The emulator completes each change at once: DescribeUserGroups answers
    `active`, and a deleted group is gone. moto 5.2.5 implements none of the four actions (500) and
    refuses a user group ARN in ListTagsForResource (InvalidARN).
    """
    import re

    from moto.core.responses import ActionResult, PaginatedResult
    from moto.elasticache.exceptions import ElastiCacheException, InvalidParameterValueException, UserNotFound
    from moto.elasticache.models import ElastiCacheBackend
    from moto.elasticache.responses import ElastiCacheResponse
    from moto.utilities.utils import get_partition

    def fault(code: str, message: str) -> ElastiCacheException:
        error = ElastiCacheException(message)
        error.code = code
        return error

    group_arn = re.compile(r"^arn:aws[a-z-]*:elasticache:[a-z0-9-]+:\d{12}:usergroup:.+$")

    def groups_of(backend) -> dict[str, dict]:
        if not hasattr(backend, "_rehearsal_user_groups"):
            backend._rehearsal_user_groups = {}
        return backend._rehearsal_user_groups

    def answer(backend, group: dict, status: str = "active") -> dict:
        using = [
            rg.replication_group_id
            for rg in backend.replication_groups.values()
            if group["UserGroupId"] in (rg.user_group_ids or [])
        ]
        return {**group, "UserIds": list(group["UserIds"]), "Status": status, "ReplicationGroups": using}

    def checked_members(backend, user_ids: list[str]) -> list[str]:
        names: dict[str, str] = {}
        for user_id in user_ids:
            user = backend.users.get(user_id)
            if user is None:
                raise UserNotFound(user_id)
            if user.name in names and names[user.name] != user_id:
                raise fault("DuplicateUserName", f"User name {user.name} is used by more than one user in the group.")
            names[user.name] = user_id
        if "default" not in names:
            raise fault("DefaultUserRequired", "A user group must contain a user with the user name default.")
        return list(dict.fromkeys(user_ids))

    def member_of(backend, user_ids: list[str], group_id: str, member: bool) -> None:
        for user_id in user_ids:
            user = backend.users.get(user_id)
            if user is None:
                continue
            if member and group_id not in user.user_group_ids:
                user.user_group_ids.append(group_id)
            if not member and group_id in user.user_group_ids:
                user.user_group_ids.remove(group_id)

    def found(backend, group_id: str) -> dict:
        group = groups_of(backend).get(group_id)
        if group is None:
            raise fault("UserGroupNotFound", f"User group {group_id} not found.")
        return group

    def create_user_group(self) -> ActionResult:
        backend = self.elasticache_backend
        group_id = self._get_param("UserGroupId")
        engine = (self._get_param("Engine") or "").lower()
        if engine not in ("redis", "valkey"):
            raise InvalidParameterValueException(f"Unknown engine {engine}: must be redis or valkey")
        if group_id in groups_of(backend):
            raise fault("UserGroupAlreadyExists", f"User group {group_id} already exists.")
        user_ids = checked_members(backend, self._get_param("UserIds") or [])
        region = backend.region_name
        group = {
            "UserGroupId": group_id,
            "Engine": engine,
            "UserIds": user_ids,
            "MinimumEngineVersion": "7.2" if engine == "valkey" else "6.0",
            "ARN": f"arn:{get_partition(region)}:elasticache:{region}:{backend.account_id}:usergroup:{group_id}",
        }
        groups_of(backend)[group_id] = group
        member_of(backend, user_ids, group_id, True)
        tags = self._get_param("Tags") or []
        if tags:
            backend.tagging_service.tag_resource(group["ARN"], tags)
        return ActionResult(answer(backend, group, "creating"))

    def describe_user_groups(self) -> ActionResult:
        backend = self.elasticache_backend
        group_id = self._get_param("UserGroupId")
        groups = [found(backend, group_id)] if group_id else list(groups_of(backend).values())
        return PaginatedResult({"UserGroups": [answer(backend, group) for group in groups]})

    def modify_user_group(self) -> ActionResult:
        backend = self.elasticache_backend
        group = found(backend, self._get_param("UserGroupId"))
        added = self._get_param("UserIdsToAdd") or []
        removed = self._get_param("UserIdsToRemove") or []
        for user_id in removed:
            if user_id not in group["UserIds"]:
                raise UserNotFound(user_id)
        user_ids = checked_members(backend, [u for u in group["UserIds"] + added if u not in removed])
        member_of(backend, removed, group["UserGroupId"], False)
        member_of(backend, user_ids, group["UserGroupId"], True)
        group["UserIds"] = user_ids
        if self._get_param("Engine"):
            group["Engine"] = self._get_param("Engine").lower()
        return ActionResult(answer(backend, group, "modifying"))

    def delete_user_group(self) -> ActionResult:
        backend = self.elasticache_backend
        group = found(backend, self._get_param("UserGroupId"))
        body = answer(backend, group, "deleting")
        if body["ReplicationGroups"]:
            raise fault(
                "InvalidUserGroupState",
                f"User group {group['UserGroupId']} is in use by replication group(s) {body['ReplicationGroups']}.",
            )
        groups_of(backend).pop(group["UserGroupId"])
        member_of(backend, group["UserIds"], group["UserGroupId"], False)
        return ActionResult(body)

    original_delete_user = ElastiCacheBackend.delete_user

    def delete_user(self, user_id: str):
        user = original_delete_user(self, user_id)
        for group_id in list(user.user_group_ids):
            group = groups_of(self).get(group_id)
            if group is not None and user_id in group["UserIds"]:
                group["UserIds"].remove(user_id)
            user.user_group_ids.remove(group_id)
        return user

    original_list_tags = ElastiCacheBackend.list_tags_for_resource

    def list_tags_for_resource(self, arn: str):
        if group_arn.match(arn):
            return self.tagging_service.list_tags_for_resource(arn)
        return original_list_tags(self, arn)

    ElastiCacheResponse.create_user_group = create_user_group
    ElastiCacheResponse.describe_user_groups = describe_user_groups
    ElastiCacheResponse.modify_user_group = modify_user_group
    ElastiCacheResponse.delete_user_group = delete_user_group
    ElastiCacheBackend.delete_user = delete_user
    ElastiCacheBackend.list_tags_for_resource = list_tags_for_resource


@_once
def elasticache_user_no_password_type() -> None:
    """ElastiCache: a user created without a password reports `Authentication.Type` `no-password`.

    AWS (Amazon ElastiCache API Reference, CreateUser `AuthenticationMode` / AuthenticationMode
    `Type`: password | no-password-required | iam; User `Authentication` / Authentication `Type`:
    password | no-password | iam): the request's `no-password-required` is reported back as
    `no-password`, as for a user created with `NoPasswordRequired`. The provider copies the
    reported type into `authentication_mode.type`. moto 5.2.5 reports `no-password-required`.
    """
    from moto.elasticache.models import User

    original = User.authentication.fget

    def authentication(self) -> dict:
        body = original(self)
        if body.get("Type") == "no-password-required":
            body["Type"] = "no-password"
        return body

    User.authentication = property(authentication)


@_once
def elasticache_replication_group_members() -> None:
    """ElastiCache: a replication group (cluster mode disabled) has its member cache clusters.

    AWS (Amazon ElastiCache API Reference, CreateReplicationGroup `NumCacheClusters`: "The number of
    clusters this replication group initially has", one primary and the rest replicas;
    DescribeCacheClusters / CacheCluster; DeleteReplicationGroup: "deletes an existing replication
    group ... deletes the entire replication group, including the primary/primaries and all of the
    read replicas", unless `RetainPrimaryCluster`): the members `<id>-001` ... `<id>-00N` are listed
    in `MemberClusters` and the node group, and each is a cache cluster that DescribeCacheClusters
    answers with its `ReplicationGroupId`, node type, engine and version, subnet group,
    `SecurityGroups`, `CacheParameterGroup` (the engine's default, `default.<engine><major>`, when
    none is given), maintenance window and encryption settings (the provider reads these from the
    first member); after DeleteReplicationGroup (`deleting`) the group and its members are gone
    (ReplicationGroupNotFoundFault, CacheClusterNotFound). moto 5.2.5 creates one member whatever
    `NumCacheClusters` says, creates no cache clusters (the provider reads none of these settings,
    so every plan wants them back) and keeps a deleted group `deleting` forever (the provider waits
    45 minutes for it to go).
    """
    from moto.elasticache.models import CacheCluster, ElastiCacheBackend

    def as_bool(value) -> bool | None:
        return value if value is None or isinstance(value, bool) else str(value).lower() == "true"

    def member(backend, group, cluster_id: str, zone: str, request: dict) -> CacheCluster:
        cluster = CacheCluster(
            account_id=backend.account_id,
            region_name=backend.region_name,
            cache_cluster_id=cluster_id,
            cache_node_type=group.cache_node_type,
            replication_group_id=group.replication_group_id,
            az_mode="single-az",
            preferred_availability_zone=zone,
            num_cache_nodes=1,
            engine=group.engine,
            engine_version=request.get("engine_version"),
            cache_parameter_group_name=request.get("cache_parameter_group_name"),
            cache_subnet_group_name=request.get("cache_subnet_group_name"),
            transit_encryption_enabled=group.transit_encryption_enabled,
            network_type=group.network_type,
            ip_discovery=group.ip_discovery,
            snapshot_name=None,
            preferred_maintenance_window=request.get("preferred_maintenance_window"),
            port=group.port,
            notification_topic_arn=request.get("notification_topic_arn"),
            auto_minor_version_upgrade=as_bool(request.get("auto_minor_version_upgrade")),
            snapshot_retention_limit=group.snapshot_retention_limit,
            snapshot_window=group.snapshot_window,
            auth_token=request.get("auth_token"),
            outpost_mode=None,
            preferred_outpost_arn=None,
            preferred_availability_zones=None,
            cache_security_group_names=request.get("cache_security_group_names"),
            security_group_ids=request.get("security_group_ids"),
            tags=None,
            snapshot_arns=None,
            preferred_outpost_arns=None,
            log_delivery_configurations=group.log_delivery_configurations,
            cache_node_ids_to_remove=None,
            cache_node_ids_to_reboot=None,
        )
        # CacheCluster sets these for engine "redis" only (not "valkey").
        cluster.replication_group_id = group.replication_group_id
        cluster.num_cache_nodes = 1
        cluster.at_rest_encryption_enabled = group.at_rest_encryption_enabled
        cluster.transit_encryption_mode = group.transit_encryption_mode
        cluster.replication_group_log_delivery_enabled = bool(group.log_delivery_configurations)
        cluster.security_groups = [{"SecurityGroupId": sg, "Status": "active"} for sg in cluster.security_group_ids]
        version = request.get("engine_version")
        name = request.get("cache_parameter_group_name") or (
            f"default.{group.engine}{version.split('.')[0]}" if version else None
        )
        if name:
            cluster.cache_parameter_group = {
                "CacheParameterGroupName": name,
                "ParameterApplyStatus": "in-sync",
                "CacheNodeIdsToReboot": [],
            }
        return cluster

    original_create = ElastiCacheBackend.create_replication_group

    def create_replication_group(self, **request):
        group = original_create(self, **request)
        if group.cluster_mode == "enabled":
            return group
        wanted = request.get("num_cache_clusters") or 0
        node_group = group.node_groups[0]
        if wanted > len(group.member_clusters) and not request.get("replicas_per_node_group"):
            domain = node_group["primary_endpoint_address"].split(".", 1)[1]
            node_group["node_group_members"] = []
            group.member_clusters.clear()
            group._set_node_members_clusters_disabled(
                member_clusters=group.member_clusters,
                replication_group_id=group.replication_group_id,
                replication_group_domain=domain,
                node_group=node_group,
                preferred_cache_cluster_azs=request.get("preferred_cache_cluster_azs") or [],
                num_cache_clusters=wanted,
                replicas_per_node_group=wanted - 1,
            )
            if group.snapshot_retention_limit > 0:  # as moto chose it for one member
                group.snapshotting_cluster_id = group.member_clusters[1 if wanted > 1 else 0]
        for node in node_group["node_group_members"]:
            cluster_id = node["cache_cluster_id"]
            self.cache_clusters[cluster_id] = member(
                self, group, cluster_id, node["preferred_availability_zone"], request
            )
        return group

    original_delete = ElastiCacheBackend.delete_replication_group

    def delete_replication_group(self, replication_group_id: str, retain_primary_cluster: bool | None):
        members = (
            list(self.replication_groups[replication_group_id].member_clusters)
            if (replication_group_id in self.replication_groups)
            else []
        )
        group = original_delete(self, replication_group_id, retain_primary_cluster)
        self.replication_groups.pop(replication_group_id, None)
        for index, cluster_id in enumerate(members):
            if retain_primary_cluster and index == 0 and cluster_id in self.cache_clusters:
                self.cache_clusters[cluster_id].replication_group_id = None
            else:
                self.cache_clusters.pop(cluster_id, None)
        return group

    ElastiCacheBackend.create_replication_group = create_replication_group
    ElastiCacheBackend.delete_replication_group = delete_replication_group


@_once
def elasticache_subnet_group_delete() -> None:
    """ElastiCache: DeleteCacheSubnetGroup deletes an unused cache subnet group.

    AWS (Amazon ElastiCache API Reference, DeleteCacheSubnetGroup: "You cannot delete a default cache
    subnet group or one that is associated with any clusters"): the group is deleted; one a cache
    cluster or replication group uses is CacheSubnetGroupInUse, an unknown one
    CacheSubnetGroupNotFoundFault. moto 5.2.5 does not implement it and answers 500.
    """
    from moto.core.responses import EmptyResult
    from moto.elasticache.exceptions import CacheSubnetGroupNotFound, ElastiCacheException
    from moto.elasticache.responses import ElastiCacheResponse

    def delete_cache_subnet_group(self) -> EmptyResult:
        backend = self.elasticache_backend
        name = self._get_param("CacheSubnetGroupName")
        if name not in backend.cache_subnet_groups:
            raise CacheSubnetGroupNotFound(name)
        users = [*backend.cache_clusters.values(), *backend.replication_groups.values()]
        if any(getattr(user, "cache_subnet_group_name", None) == name for user in users):
            error = ElastiCacheException(f"Cache subnet group {name} is currently in use by a cache cluster.")
            error.code = "CacheSubnetGroupInUse"
            raise error
        backend.cache_subnet_groups.pop(name)
        return EmptyResult()

    ElastiCacheResponse.delete_cache_subnet_group = delete_cache_subnet_group


# DAX's TLS endpoint port (the `daxs://` scheme); an unencrypted endpoint listens on 8111.
DAX_TLS_PORT = 9111
# What a new DAX parameter group holds: every parameter DAX has, at its default (five minutes).
DAX_DEFAULT_PARAMETERS = {"query-ttl-millis": "300000", "record-ttl-millis": "300000"}


def _dax_groups(backend, kind: str) -> dict[str, dict]:
    """The DAX `kind` ("subnet" or "parameter") groups that the patches keep on a DAX backend."""
    attribute = f"_rehearsal_dax_{kind}_groups"
    if not hasattr(backend, attribute):
        setattr(backend, attribute, {})
    return getattr(backend, attribute)


def _dax_fault(code: str, message: str) -> Exception:
    """A DAX error as the SDKs see it: the fault's name as the JSON error `__type`."""
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _dax_group(backend, kind: str, name: str) -> dict:
    """A DAX group by name; an unknown one is DAX's SubnetGroupNotFoundFault (ParameterGroup...)."""
    group = _dax_groups(backend, kind).get(name)
    if group is None:
        raise _dax_fault(f"{kind.capitalize()}GroupNotFoundFault", f"{kind.capitalize()} group {name} not found.")
    return group


def _dax_new_group(backend, kind: str, name: str, group: dict) -> dict:
    """Keep a new group; a name in use is DAX's SubnetGroupAlreadyExistsFault (ParameterGroup...)."""
    groups = _dax_groups(backend, kind)
    if name in groups:
        raise _dax_fault(
            f"{kind.capitalize()}GroupAlreadyExistsFault", f"{kind.capitalize()} group {name} already exists."
        )
    groups[name] = group
    return group


@_once
def dax_subnet_groups() -> None:
    """DAX: subnet groups.

    AWS (Amazon DynamoDB Accelerator API Reference, CreateSubnetGroup, DescribeSubnetGroups,
    DeleteSubnetGroup, SubnetGroup, Subnet): CreateSubnetGroup takes `SubnetGroupName`, `Description`
    and `SubnetIds`, each an existing subnet (InvalidSubnet), and answers the group {SubnetGroupName,
    Description, VpcId, Subnets: [{SubnetIdentifier, SubnetAvailabilityZone}]}; a name in use is
    SubnetGroupAlreadyExistsFault. DescribeSubnetGroups answers the named groups (all when none is
    named); an unknown one is SubnetGroupNotFoundFault. DeleteSubnetGroup deletes the group and
    answers a `DeletionMessage`; one a cluster uses is SubnetGroupInUseFault. moto 5.2.5 implements
    none of the three actions.
    """
    from moto.dax.responses import DAXResponse
    from moto.ec2.exceptions import InvalidSubnetIdError
    from moto.ec2.models import ec2_backends

    def subnets_of(self, subnet_ids: list[str]) -> list:
        ec2 = ec2_backends[self.current_account][self.region]
        try:
            return [ec2.get_subnet(subnet_id) for subnet_id in subnet_ids]
        except InvalidSubnetIdError as error:
            raise _dax_fault("InvalidSubnet", f"Subnets {subnet_ids}: {error.message}") from error

    def create_subnet_group(self) -> str:
        params = json.loads(self.body)
        subnets = subnets_of(self, params.get("SubnetIds") or [])
        group = {
            "SubnetGroupName": params["SubnetGroupName"],
            "Description": params.get("Description", ""),
            "VpcId": subnets[0].vpc_id if subnets else None,
            "Subnets": [{"SubnetIdentifier": s.id, "SubnetAvailabilityZone": s.availability_zone} for s in subnets],
        }
        return json.dumps({"SubnetGroup": _dax_new_group(self.dax_backend, "subnet", group["SubnetGroupName"], group)})

    def describe_subnet_groups(self) -> str:
        names = json.loads(self.body).get("SubnetGroupNames") or list(_dax_groups(self.dax_backend, "subnet"))
        return json.dumps({"SubnetGroups": [_dax_group(self.dax_backend, "subnet", name) for name in names]})

    def delete_subnet_group(self) -> str:
        name = json.loads(self.body)["SubnetGroupName"]
        _dax_group(self.dax_backend, "subnet", name)
        if any(cluster.subnet_group == name for cluster in self.dax_backend.clusters.values()):
            raise _dax_fault("SubnetGroupInUseFault", f"Subnet group {name} is in use by a cluster.")
        _dax_groups(self.dax_backend, "subnet").pop(name)
        return json.dumps({"DeletionMessage": f"Subnet group {name} has been deleted."})

    DAXResponse.create_subnet_group = create_subnet_group
    DAXResponse.describe_subnet_groups = describe_subnet_groups
    DAXResponse.delete_subnet_group = delete_subnet_group


@_once
def dax_parameter_groups() -> None:
    """DAX: parameter groups and their parameters.

    AWS (Amazon DynamoDB Accelerator API Reference, CreateParameterGroup, UpdateParameterGroup,
    DescribeParameterGroups, DescribeParameters, DeleteParameterGroup, Parameter; DynamoDB developer
    guide, "Configuring TTL settings": `record-ttl-millis` and `query-ttl-millis`, five minutes by
    default): CreateParameterGroup takes `ParameterGroupName` and `Description` and answers
    {ParameterGroupName, Description} (a name in use is ParameterGroupAlreadyExistsFault); the new
    group holds both parameters at their defaults. UpdateParameterGroup sets `ParameterNameValues`
    (a parameter DAX does not have is InvalidParameterValueException). DescribeParameterGroups
    answers the named groups (all when none is named), DescribeParameters every parameter of one
    group {ParameterName, ParameterType DEFAULT, ParameterValue, Source (`user` once set), IsModifiable
    TRUE}; an unknown group is ParameterGroupNotFoundFault. DeleteParameterGroup deletes the group
    (InvalidParameterGroupStateFault while a cluster uses it). moto 5.2.5 implements none of them.
    """
    from moto.dax.exceptions import InvalidParameterValueException
    from moto.dax.responses import DAXResponse

    def describe(group: dict) -> dict:
        return {"ParameterGroupName": group["ParameterGroupName"], "Description": group["Description"]}

    def create_parameter_group(self) -> str:
        params = json.loads(self.body)
        name = params["ParameterGroupName"]
        group = {
            "ParameterGroupName": name,
            "Description": params.get("Description", ""),
            "Values": dict(DAX_DEFAULT_PARAMETERS),
            "Set": set(),
        }
        return json.dumps({"ParameterGroup": describe(_dax_new_group(self.dax_backend, "parameter", name, group))})

    def update_parameter_group(self) -> str:
        params = json.loads(self.body)
        group = _dax_group(self.dax_backend, "parameter", params["ParameterGroupName"])
        for pair in params.get("ParameterNameValues") or []:
            if pair["ParameterName"] not in DAX_DEFAULT_PARAMETERS:
                raise InvalidParameterValueException(f"Unknown parameter {pair['ParameterName']}")
            group["Values"][pair["ParameterName"]] = pair["ParameterValue"]
            group["Set"].add(pair["ParameterName"])
        return json.dumps({"ParameterGroup": describe(group)})

    def describe_parameter_groups(self) -> str:
        names = json.loads(self.body).get("ParameterGroupNames") or list(_dax_groups(self.dax_backend, "parameter"))
        groups = [describe(_dax_group(self.dax_backend, "parameter", name)) for name in names]
        return json.dumps({"ParameterGroups": groups})

    def describe_parameters(self) -> str:
        group = _dax_group(self.dax_backend, "parameter", json.loads(self.body)["ParameterGroupName"])
        parameters = [
            {
                "ParameterName": name,
                "ParameterType": "DEFAULT",
                "ParameterValue": value,
                "Source": "user" if name in group["Set"] else "system",
                "IsModifiable": "TRUE",
            }
            for name, value in group["Values"].items()
        ]
        return json.dumps({"Parameters": parameters})

    def delete_parameter_group(self) -> str:
        name = json.loads(self.body)["ParameterGroupName"]
        _dax_group(self.dax_backend, "parameter", name)
        if any(cluster.parameter_group.name == name for cluster in self.dax_backend.clusters.values()):
            raise _dax_fault("InvalidParameterGroupStateFault", f"Parameter group {name} is in use by a cluster.")
        _dax_groups(self.dax_backend, "parameter").pop(name)
        return json.dumps({"DeletionMessage": f"Parameter group {name} has been deleted."})

    DAXResponse.create_parameter_group = create_parameter_group
    DAXResponse.update_parameter_group = update_parameter_group
    DAXResponse.describe_parameter_groups = describe_parameter_groups
    DAXResponse.describe_parameters = describe_parameters
    DAXResponse.delete_parameter_group = delete_parameter_group


@_once
def dax_cluster_settings() -> None:
    """DAX: a cluster keeps the subnet group, security groups and parameter group it was created with.

    AWS (Amazon DynamoDB Accelerator API Reference, CreateCluster `SubnetGroupName`,
    `SecurityGroupIds`, `ParameterGroupName`, `ClusterEndpointEncryptionType`; Cluster, Endpoint,
    Node): the named subnet and parameter groups must exist (SubnetGroupNotFoundFault,
    ParameterGroupNotFoundFault); DescribeClusters answers `SubnetGroup` (the name),
    `SecurityGroups` [{SecurityGroupIdentifier, Status active}] with the given groups,
    `ParameterGroup` {ParameterGroupName, ParameterApplyStatus in-sync}; a cluster whose endpoint
    encryption is TLS listens on port 9111 (`daxs://` URL) instead of 8111, its nodes too; without
    `AvailabilityZones` the nodes are spread over the subnet group's zones. moto 5.2.5 ignores the
    three groups (every cluster reports the `default` subnet group, a random security group and
    `default.dax1.0`, so each plan after apply replaces the cluster) and answers 8111 and `dax://`.
    """
    from moto.dax.models import DaxEndpoint, DaxNode
    from moto.dax.responses import DAXResponse

    original_create = DAXResponse.create_cluster

    def checked_zones(backend, params: dict) -> list[str]:
        """The named subnet group's zones (none named: moto's `default` group), once both named
        groups are known to exist, as CreateCluster checks before it creates anything."""
        if params.get("ParameterGroupName"):
            _dax_group(backend, "parameter", params["ParameterGroupName"])
        if not params.get("SubnetGroupName"):
            return []
        subnets = _dax_group(backend, "subnet", params["SubnetGroupName"])["Subnets"]
        return [subnet["SubnetAvailabilityZone"] for subnet in subnets]

    def settle(cluster, params: dict, zones: list[str]) -> None:
        """Give the new cluster the groups, port and node zones that CreateCluster asked for."""
        cluster.subnet_group = params.get("SubnetGroupName", cluster.subnet_group)
        cluster.parameter_group.name = params.get("ParameterGroupName", cluster.parameter_group.name)
        if params.get("SecurityGroupIds"):
            cluster.security_groups = [
                {"SecurityGroupIdentifier": group, "Status": "active"} for group in params["SecurityGroupIds"]
            ]
        if cluster.encryption_type == "TLS":
            cluster.endpoint.port = DAX_TLS_PORT
        # moto made the nodes before the port and the zones were known.
        cluster.nodes = [DaxNode(cluster.endpoint, cluster.name, index) for index in range(cluster.replication_factor)]
        for index, node in enumerate(cluster.nodes if zones else []):
            node.availability_zone = zones[index % len(zones)]

    def create_cluster(self) -> str:
        params = json.loads(self.body)
        zones = checked_zones(self.dax_backend, params)
        original_create(self)
        cluster = self.dax_backend.clusters[params["ClusterName"]]
        settle(cluster, params, zones)
        return json.dumps({"Cluster": cluster.to_json()})

    original_endpoint = DaxEndpoint.to_json

    def endpoint_to_json(self, full: bool = False) -> dict:
        body = original_endpoint(self, full)
        if self.port == DAX_TLS_PORT and "URL" in body:
            body["URL"] = body["URL"].replace("dax://", "daxs://", 1)
        return body

    DAXResponse.create_cluster = create_cluster
    DaxEndpoint.to_json = endpoint_to_json


PATCHES: tuple[Patch, ...] = (
    Patch(
        "application_autoscaling_tags",
        "RegisterScalableTarget stores Tags; ListTagsForResource/TagResource/UntagResource work on targets",
        application_autoscaling_tags,
    ),
    Patch(
        "rest_api_policy_escaped",
        "GetRestApi returns `policy` with quotes and slashes backslash-escaped",
        rest_api_policy_escaped,
    ),
    Patch(
        "stage_cache_status_not_available",
        "a stage without a cache cluster reports cacheClusterStatus NOT_AVAILABLE",
        stage_cache_status_not_available,
    ),
    Patch(
        "integration_cache_key_parameters",
        "PutIntegration stores cacheKeyParameters, GetIntegration returns them, UpdateIntegration adds and "
        "removes them",
        integration_cache_key_parameters,
    ),
    Patch(
        "account_role_reset_without_value",
        "UpdateAccount `replace /cloudwatchRoleArn` without a value clears the role (reset_on_delete)",
        account_role_reset_without_value,
    ),
    Patch(
        "event_bus_update",
        "UpdateEventBus sets an existing bus's KmsKeyIdentifier, Description and DeadLetterConfig",
        event_bus_update,
    ),
    Patch(
        "secret_rotation_started_without_value",
        "RotateSecret on a secret without a value adds an AWSPENDING version and invokes the function later",
        secret_rotation_started_without_value,
    ),
    Patch(
        "lambda_policy_updates_are_atomic",
        "concurrent AddPermission/RemovePermission calls on one function never lose a statement",
        lambda_policy_updates_are_atomic,
        deterministic=False,
    ),
    Patch(
        "dynamodb_replica_updates",
        "UpdateTable ReplicaUpdates creates, updates and deletes global table replicas in their regions",
        dynamodb_replica_updates,
    ),
    Patch(
        "bucket_replication_round_trip",
        "GetBucketReplication returns each rule's Filter, DeleteMarkerReplication and SourceSelectionCriteria",
        bucket_replication_round_trip,
    ),
    Patch(
        "synthetics_canary_lifecycle",
        "StartCanary/StopCanary/UpdateCanary/DeleteCanary and canary tags by ARN",
        synthetics_canary_lifecycle,
    ),
    Patch(
        "route53_zone_ids_start_with_z",
        "CreateHostedZone assigns an id of the form Z[A-Z0-9]+",
        route53_zone_ids_start_with_z,
    ),
    Patch(
        "route53_alarm_health_checks",
        "a CLOUDWATCH_METRIC health check keeps AlarmIdentifier and InsufficientDataHealthStatus and has no "
        "endpoint settings",
        route53_alarm_health_checks,
    ),
    Patch(
        "wafv2_association_and_logging_targets",
        "AssociateWebACL takes only an existing API Gateway stage ARN (one web ACL per resource); "
        "PutLoggingConfiguration only an existing web ACL and aws-waf-logs- destinations",
        wafv2_association_and_logging_targets,
    ),
    Patch(
        "security_group_rule_descriptions",
        "DescribeSecurityGroupRules returns the description given for a referenced group or prefix list",
        security_group_rule_descriptions,
    ),
    Patch(
        "athena_database_comment",
        "CREATE DATABASE ... COMMENT '...' WITH DBPROPERTIES (...) is what GetDatabase returns",
        athena_database_comment,
    ),
    Patch(
        "athena_databases_in_glue",
        "CREATE/DROP DATABASE in Athena's AwsDataCatalog creates/deletes the Glue database of that name",
        athena_databases_in_glue,
    ),
    Patch(
        "athena_named_queries_deleted",
        "DeleteNamedQuery deletes a saved query; GetNamedQuery of an unknown id is InvalidRequestException",
        athena_named_queries_deleted,
    ),
    Patch(
        "config_rule_tag_scope",
        "DescribeConfigRules returns a tag scope as TagKey and TagValue",
        config_rule_tag_scope,
    ),
    Patch(
        "config_remediation_configurations",
        "Put/Describe/DeleteRemediationConfiguration(s) of an existing rule, with AWS's ranges",
        config_remediation_configurations,
    ),
    Patch(
        "lambda_provisioned_concurrency",
        "Put/Get/Delete/ListProvisionedConcurrencyConfig(s) on an existing alias or version, READY at once",
        lambda_provisioned_concurrency,
    ),
    Patch(
        "dynamodb_kinesis_streaming_destination",
        "Enable/Describe/DisableKinesisStreamingDestination on a table, ACTIVE (DISABLED) at once",
        dynamodb_kinesis_streaming_destination,
    ),
    Patch(
        "kinesis_stream_tags_on_create",
        "CreateStream tags the new stream with its Tags, as ListTagsForStream shows",
        kinesis_stream_tags_on_create,
    ),
    Patch(
        "elasticache_user_groups",
        "Create/Describe/Modify/DeleteUserGroup (a `default` user required, refused while in use), "
        "members' UserGroupIds, tags by user group ARN",
        elasticache_user_groups,
    ),
    Patch(
        "elasticache_user_no_password_type",
        "a user created with AuthenticationMode no-password-required reports Authentication.Type no-password",
        elasticache_user_no_password_type,
    ),
    Patch(
        "elasticache_replication_group_members",
        "CreateReplicationGroup makes NumCacheClusters member cache clusters; DeleteReplicationGroup removes "
        "the group and its members",
        elasticache_replication_group_members,
    ),
    Patch(
        "elasticache_subnet_group_delete",
        "DeleteCacheSubnetGroup deletes an unused group (CacheSubnetGroupInUse while a cluster uses it)",
        elasticache_subnet_group_delete,
    ),
    Patch(
        "dax_subnet_groups",
        "Create/Describe/DeleteSubnetGroup(s) with the subnets' zones and VPC (SubnetGroupInUseFault while a cluster "
        "uses it)",
        dax_subnet_groups,
    ),
    Patch(
        "dax_parameter_groups",
        "Create/Update/Describe/DeleteParameterGroup(s) and DescribeParameters: record-ttl-millis and "
        "query-ttl-millis, five minutes until set",
        dax_parameter_groups,
    ),
    Patch(
        "dax_cluster_settings",
        "CreateCluster keeps its subnet group, security groups and parameter group; a TLS endpoint listens on 9111",
        dax_cluster_settings,
    ),
)


# Resource types of the stack that moto cannot create at all, each with the reason. The deploy
# rehearsal requires every other resource type of the bundle to be in state after apply, and these
# ones to be absent: measured with moto 5.2.5, for the default options and for regions=3 (WAF, ACM,
# API Gateway domain names, Route 53 health checks and latency records, Athena), every type is created.
NOT_CREATABLE: dict[str, str] = {}


def apply_all() -> tuple[str, ...]:
    """Apply every patch (idempotent); returns their names."""
    for patch in PATCHES:
        patch.apply()
    return tuple(patch.name for patch in PATCHES)
