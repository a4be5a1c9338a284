"""Security rules over a synthesized configuration, one function per property.

Each rule takes the `cdk.tf.json` document and returns findings; an empty list passes. Synth
fails on any finding, so a construct change cannot quietly drop a hardening. Exceptions live
only in `tapgen/security/exceptions.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from lambda_src.shared import tap_contract
from modules.encryption import CONSUMER_TYPES
from modules.secure_bucket import OBJECT_LOCK_MODES, TAMPER_ACTIONS
from tapgen.aws_rules import metrics as aws_metrics
from tapgen.document import POLICY_JSON as _POLICY_JSON
from tapgen.document import Document, as_deployed, policy_statements
from tapgen.document import referenced as _referenced
from tapgen.document import resources as _resources
from tapgen.document import targets as _targets
from tapgen.security.exceptions import WILDCARD_RESOURCE_ACTIONS, boundary_exempt

SUPPORTED_PYTHON_RUNTIMES = ("python3.12", "python3.13")
OPEN_API_PATHS = ("health",)
PREFLIGHT = "OPTIONS"
PREFLIGHT_HEADERS = (
    "method.response.header.Access-Control-Allow-Origin",
    "method.response.header.Access-Control-Allow-Methods",
    "method.response.header.Access-Control-Allow-Headers",
)
# The KMS operations that use data keys (a pattern in a policy may name several).
KMS_DATA_KEY_USE = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:GenerateDataKeyPair",
    "kms:GenerateDataKeyPairWithoutPlaintext",
)
# KMS operations that use key material or hand it out (a grant): each grant of one needs a condition.
KMS_KEY_USE = (
    *KMS_DATA_KEY_USE,
    "kms:GenerateMac",
    "kms:VerifyMac",
    "kms:Sign",
    "kms:Verify",
    "kms:CreateGrant",
)
# Types that name a stack key without being its consumer: the key is granted to the consumer named
# here, which the rules above check.
KMS_KEY_REFERRERS = {
    # replica_kms_key_id: the destination bucket's key, granted to that bucket's SSE configuration.
    "aws_s3_bucket_replication_configuration": "aws_s3_bucket_server_side_encryption_configuration",
}
ARCHIVE_EXEMPTION_TESTS = ("StringNotEquals", "ArnNotEquals")
FIREHOSE_DELIVERY_METRICS = ("DeliveryToS3.Success", "DeliveryToS3.DataFreshness")
# For each service that calls KMS on a caller's behalf, the encryption-context key it always sets: a
# grant via that service names the resource there, so the grant works for that resource only.
SERVICE_ENCRYPTION_CONTEXT = {
    "dynamodb": "kms:EncryptionContext:aws:dynamodb:tableName",
    "secretsmanager": "kms:EncryptionContext:SecretARN",
    "lambda": "kms:EncryptionContext:aws:lambda:FunctionArn",
}
# Condition tests that limit a key to the values listed (an `IfExists` test or a negation would let a
# request without the context, or with any other, through).
LIMITING_TESTS = ("StringEquals", "StringLike", "ArnEquals", "ArnLike")
# What a tenant-scoped function needs to check a caller's grants (lambda_src/crud/items_api/access.py).
GRANTS_TABLE_VARIABLE = "GRANTS_TABLE_NAME"
ITEM_TABLE_VARIABLE = "TABLE_NAME"
# The Terraform name of the stack's permission boundary (modules/permission_boundary.py).
PERMISSION_BOUNDARY_POLICY = "tap_stack_permission_boundary"
_KEY_REFERENCE = re.compile(r"\$\{aws_kms_key\.(?P<name>[a-z0-9_]+)\.(arn|key_id|id)\}")
# A role named by a role policy or an attachment, possibly one of a counted role's instances.
_ROLE_REFERENCE = re.compile(r"^\$\{aws_iam_role\.(?P<name>[a-z0-9_]+)(\[[^\]]*\])?\.(id|name|arn)\}$")
_VARIABLE = re.compile(r"^\$\{var\.(?P<name>[a-z0-9_]+)\}$")
# What a Route 53 health check can follow: an alarm on a standard-resolution metric (a period of
# 60 s or more) with one of these statistics, no percentile, no metric math (Route 53 API
# Reference, "AlarmIdentifier", https://docs.aws.amazon.com/Route53/latest/APIReference/API_AlarmIdentifier.html).
ROUTE53_ALARM_STATISTICS = ("Average", "Minimum", "Maximum", "Sum", "SampleCount")
ROUTE53_ALARM_MIN_PERIOD_SECONDS = 60
_TABLE_NAME_REFERENCE = re.compile(r"^\$\{aws_dynamodb_table\.(?P<name>[a-z0-9_]+)\.(name|id)\}$")


@dataclass(frozen=True)
class Finding:
    rule: str
    address: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.address}: {self.message}"


def _policy_documents(doc: Document) -> dict[str, dict]:
    """The policy documents that grant: a permission boundary's document only caps what roles may
    do (a role may do what both allow), so it is not read as a grant."""
    boundary = _resources(doc, "aws_iam_policy").get(PERMISSION_BOUNDARY_POLICY, {})
    capping = _POLICY_JSON.match(str(boundary.get("policy", "")))
    documents = doc.get("data", {}).get("aws_iam_policy_document", {})
    return {name: body for name, body in documents.items() if not (capping and name == capping["name"])}


def _missing(rule: str, doc: Document, rtype: str, attached: Mapping[str, dict], what: str) -> list[Finding]:
    return [Finding(rule, f"{rtype}.{name}", what) for name in sorted(_resources(doc, rtype)) if name not in attached]


def _violations(rule: str, doc: Document, rtype: str, holds: Callable[[dict], bool], what: str) -> list[Finding]:
    """A finding for each `rtype` resource whose body does not satisfy `holds`."""
    return [
        Finding(rule, f"{rtype}.{name}", what)
        for name, body in sorted(_resources(doc, rtype).items())
        if not holds(body)
    ]


def _statements(policy: dict) -> list[dict]:
    return policy.get("statement", [])


def _policy_of(value: object, doc: Document) -> dict:
    """The policy document that `value` (`${data.aws_iam_policy_document.<name>.json}`) renders, as
    the default variables choose it (`tapgen.document.as_deployed`)."""
    return {"statement": policy_statements(as_deployed(value, doc), _policy_documents(doc))}


def buckets_block_public_access(doc: Document) -> list[Finding]:
    blocks = _targets(doc, "aws_s3_bucket_public_access_block", "aws_s3_bucket", "bucket")
    flags = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    complete = {name: body for name, body in blocks.items() if all(body.get(flag) is True for flag in flags)}
    return _missing(
        "buckets_block_public_access", doc, "aws_s3_bucket", complete, "no public-access block with all four flags on"
    )


def buckets_encrypt_with_kms_bucket_key(doc: Document) -> list[Finding]:
    configs = _targets(doc, "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket", "bucket")

    def kms_with_bucket_key(body: dict) -> bool:
        rules = body.get("rule", [])
        return bool(rules) and all(
            r.get("bucket_key_enabled") is True
            and r.get("apply_server_side_encryption_by_default", {}).get("sse_algorithm") == "aws:kms"
            and r.get("apply_server_side_encryption_by_default", {}).get("kms_master_key_id")
            for r in rules
        )

    good = {name: body for name, body in configs.items() if kms_with_bucket_key(body)}
    return _missing(
        "buckets_encrypt_with_kms_bucket_key",
        doc,
        "aws_s3_bucket",
        good,
        "not SSE-KMS with a key and bucket_key_enabled",
    )


def buckets_are_versioned(doc: Document) -> list[Finding]:
    versioning = _targets(doc, "aws_s3_bucket_versioning", "aws_s3_bucket", "bucket")
    enabled = {
        name: body
        for name, body in versioning.items()
        if body.get("versioning_configuration", {}).get("status") == "Enabled"
    }
    return _missing("buckets_are_versioned", doc, "aws_s3_bucket", enabled, "versioning is not enabled")


def buckets_have_lifecycle(doc: Document) -> list[Finding]:
    lifecycles = _targets(doc, "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket", "bucket")
    return _missing("buckets_have_lifecycle", doc, "aws_s3_bucket", lifecycles, "no lifecycle configuration")


def buckets_deny_insecure_transport(doc: Document) -> list[Finding]:
    policies = _targets(doc, "aws_s3_bucket_policy", "aws_s3_bucket", "bucket")

    def denies_plain_http(body: dict) -> bool:
        policy = _policy_of(body.get("policy"), doc)
        return any(
            s.get("effect") == "Deny"
            and any(
                c.get("test") == "Bool" and c.get("variable") == "aws:SecureTransport" and c.get("values") == ["false"]
                for c in s.get("condition", [])
            )
            for s in _statements(policy)
        )

    good = {name: body for name, body in policies.items() if denies_plain_http(body)}
    return _missing(
        "buckets_deny_insecure_transport", doc, "aws_s3_bucket", good, "no policy denying aws:SecureTransport = false"
    )


def kms_keys_rotate(doc: Document) -> list[Finding]:
    return _violations(
        "kms_keys_rotate",
        doc,
        "aws_kms_key",
        lambda body: body.get("enable_key_rotation") is True,
        "enable_key_rotation is not true",
    )


def log_groups_are_encrypted_with_retention(doc: Document) -> list[Finding]:
    return _violations(
        "log_groups_are_encrypted_with_retention",
        doc,
        "aws_cloudwatch_log_group",
        lambda body: bool(body.get("kms_key_id")) and body.get("retention_in_days") not in (None, 0),
        "missing kms_key_id or retention",
    )


def identity_policies_limit_wildcard_resources(doc: Document) -> list[Finding]:
    findings = []
    for name, policy in sorted(_policy_documents(doc).items()):
        for statement in _statements(policy):
            if statement.get("principals") or statement.get("effect", "Allow") != "Allow":
                continue
            if "*" not in statement.get("resources", []):
                continue
            unlisted = sorted(set(statement.get("actions", [])) - set(WILDCARD_RESOURCE_ACTIONS))
            if unlisted:
                findings.append(
                    Finding(
                        "identity_policies_limit_wildcard_resources",
                        f"data.aws_iam_policy_document.{name}",
                        f"Resource '*' for {unlisted}, which are not listed exceptions",
                    )
                )
    return findings


def _json_statements(policy: dict) -> list[dict]:
    """The statements of a policy written as JSON, in the form of a policy document's."""
    return [
        {
            "sid": statement.get("Sid"),
            "effect": statement.get("Effect"),
            "actions": _listed(statement.get("Action", [])),
            "resources": _listed(statement.get("Resource", [])),
        }
        for statement in _listed(policy.get("Statement", []))
        if isinstance(statement, dict)
    ]


def _every_statement(doc: Document) -> Iterator[tuple[str, dict]]:
    """Every IAM statement of the document with its address: each policy document (the permission
    boundary's too: a boundary that caps an action to ARNs disables it as surely as a grant) and each
    policy a resource holds as JSON (a key policy, an inline `jsonencode`d role policy)."""
    for name, policy in sorted(doc.get("data", {}).get("aws_iam_policy_document", {}).items()):
        for statement in _statements(policy):
            yield f"data.aws_iam_policy_document.{name}", statement
    for rtype, named in sorted(doc.get("resource", {}).items()):
        for name, body in sorted(named.items()):
            for attribute in ("policy", "assume_role_policy"):
                for statement in _json_statements(_json_policy(body.get(attribute)) or {}):
                    yield f"{rtype}.{name}", statement


def describe_log_groups_is_granted_on_star(doc: Document) -> list[Finding]:
    """`logs:DescribeLogGroups` has no resource-level permission: granted on log-group ARNs it is never
    allowed, so a grant in that form only looks least-privileged while the caller fails."""
    return [
        Finding(
            "describe_log_groups_is_granted_on_star",
            address,
            f"statement {statement.get('sid') or '?'}: logs:DescribeLogGroups works only on Resource '*'",
        )
        for address, statement in _every_statement(doc)
        if statement.get("effect", "Allow") == "Allow"
        and any(str(a).lower() == "logs:describeloggroups" for a in statement.get("actions", []))
        and statement.get("resources") != ["*"]
    ]


def _method_of(integration: dict, methods: Mapping[str, dict]) -> dict:
    """The method an integration answers: by reference, or by the same resource and HTTP method."""
    named = _referenced(integration.get("http_method"), "aws_api_gateway_method")
    if named:
        return methods.get(named, {})
    return next(
        (
            m
            for m in methods.values()
            if m.get("resource_id") == integration.get("resource_id")
            and m.get("http_method") == integration.get("http_method")
        ),
        {},
    )


def _function_invoked_by(uri: object, doc: Document) -> str | None:
    """The Lambda function an integration's `uri` invokes, directly or through an alias."""
    function = _referenced(uri, "aws_lambda_function")
    alias = _referenced(uri, "aws_lambda_alias")
    if alias:
        function = _referenced(
            _resources(doc, "aws_lambda_alias").get(alias, {}).get("function_name"), "aws_lambda_function"
        )
    return function


def _tenant_scoped_functions(doc: Document) -> list[str]:
    """The functions behind signed (not `NONE`) methods, which act for a tenant."""
    methods = _resources(doc, "aws_api_gateway_method")
    names = set()
    for integration in _resources(doc, "aws_api_gateway_integration").values():
        if _method_of(integration, methods).get("authorization", "NONE") != "NONE":
            names.add(_function_invoked_by(integration.get("uri"), doc))
    return sorted(n for n in names if n)


def _role_policies(doc: Document, role: str) -> list[dict]:
    """The policy documents that grant to `role`: inline role policies and attached managed policies."""

    def of_role(body: dict) -> bool:
        match = _ROLE_REFERENCE.match(str(body.get("role", "")))
        return bool(match) and match["name"] == role

    managed = _resources(doc, "aws_iam_policy")
    policies = [b.get("policy") for b in _resources(doc, "aws_iam_role_policy").values() if of_role(b)]
    policies += [
        managed.get(_referenced(b.get("policy_arn"), "aws_iam_policy") or "", {}).get("policy")
        for b in _resources(doc, "aws_iam_role_policy_attachment").values()
        if of_role(b)
    ]
    return [_policy_of(p, doc) for p in policies]


def _may_get_item(doc: Document, role: str, table_arn: str) -> bool:
    return any(
        s.get("effect", "Allow") == "Allow"
        and not s.get("principals")
        and table_arn in s.get("resources", [])
        and any(fnmatchcase("dynamodb:getitem", str(a).lower()) for a in s.get("actions", []))
        for policy in _role_policies(doc, role)
        for s in _statements(policy)
    )


def api_functions_check_tenant_grants(doc: Document) -> list[Finding]:
    """A function that a signed route invokes with an item table also reads the tenant grants
    (lambda_src/crud/items_api/access.py: a caller acts only for the tenants granted to its
    identity): it is told the grants table, one of the stack's by reference
    (`${aws_dynamodb_table.<name>.name}`, so the two cannot drift apart), and its role may read a
    grant (GetItem) from that table. Methods without
    authorization (`/health`, the preflights) act for no tenant."""
    rule = "api_functions_check_tenant_grants"
    functions = _resources(doc, "aws_lambda_function")
    findings = []
    for name in _tenant_scoped_functions(doc):
        body = functions.get(name, {})
        variables = body.get("environment", {}).get("variables", {})
        if ITEM_TABLE_VARIABLE not in variables:
            continue
        address = f"aws_lambda_function.{name}"
        table = _TABLE_NAME_REFERENCE.match(str(variables.get(GRANTS_TABLE_VARIABLE, "")))
        if not table or table["name"] not in _resources(doc, "aws_dynamodb_table"):
            findings.append(Finding(rule, address, f"{GRANTS_TABLE_VARIABLE} must name a DynamoDB table of the stack"))
            continue
        role = _ROLE_REFERENCE.match(str(body.get("role", "")))
        table_arn = f"${{aws_dynamodb_table.{table['name']}.arn}}"
        if not role or not _may_get_item(doc, role["name"], table_arn):
            findings.append(Finding(rule, address, f"its role may not dynamodb:GetItem on {table_arn}"))
    return findings


def api_methods_require_iam(doc: Document) -> list[Finding]:
    """Every method but GET on an open path and the CORS preflights (`api_preflights_are_open_mocks`)
    requires AWS_IAM."""
    resources = _resources(doc, "aws_api_gateway_resource")
    findings = []
    for name, method in sorted(_resources(doc, "aws_api_gateway_method").items()):
        if method.get("http_method") == PREFLIGHT:
            continue
        path_part = resources.get(_referenced(method.get("resource_id"), "aws_api_gateway_resource") or "", {}).get(
            "path_part"
        )
        expected = "NONE" if path_part in OPEN_API_PATHS and method.get("http_method") == "GET" else "AWS_IAM"
        if method.get("authorization") != expected:
            findings.append(
                Finding(
                    "api_methods_require_iam", f"aws_api_gateway_method.{name}", f"authorization must be {expected}"
                )
            )
    return findings


def resource_path(doc: Document, resource_id: object) -> str:
    """The path of the API resource `resource_id` names (`items/{id}`), from its parents' path parts."""
    resources = _resources(doc, "aws_api_gateway_resource")
    parts: list[str] = []
    name = _referenced(resource_id, "aws_api_gateway_resource")
    while name in resources:
        parts.insert(0, str(resources[name].get("path_part", "")))
        name = _referenced(resources[name].get("parent_id"), "aws_api_gateway_resource")
    return "/".join(parts)


def api_stage_never_caches_tenant_methods(doc: Document) -> list[Finding]:
    """No method settings turn caching on (or leave it to a variable) for a signed method
    (lambda_src/crud/items_api/access.py). API Gateway answers a cache hit after IAM
    authentication but before the function, which alone checks the caller's tenant grant, and an
    AWS_IAM identity cannot be part of a REST API cache key: a cached response would reach any
    caller who names the tenant."""
    rule = "api_stage_never_caches_tenant_methods"
    signed = [
        f"{resource_path(doc, method.get('resource_id'))}/{method.get('http_method')}"
        for method in _resources(doc, "aws_api_gateway_method").values()
        if method.get("authorization", "NONE") != "NONE" and method.get("http_method") != PREFLIGHT
    ]
    findings = []
    for name, body in sorted(_resources(doc, "aws_api_gateway_method_settings").items()):
        if body.get("settings", {}).get("caching_enabled", False) is False:
            continue
        covered = sorted(m for m in signed if fnmatchcase(m, str(body.get("method_path"))))
        if covered:
            findings.append(
                Finding(
                    rule,
                    f"aws_api_gateway_method_settings.{name}",
                    f"caching_enabled must be false: a cached response of {', '.join(covered)} would skip "
                    "the tenant grant check",
                )
            )
    return findings


def lambdas_are_traced_on_current_runtime(doc: Document) -> list[Finding]:
    return _violations(
        "lambdas_are_traced_on_current_runtime",
        doc,
        "aws_lambda_function",
        lambda body: (
            body.get("tracing_config", {}).get("mode") == "Active" and body.get("runtime") in SUPPORTED_PYTHON_RUNTIMES
        ),
        "needs X-Ray Active and a current runtime",
    )


def lambdas_never_trace_payloads(doc: Document) -> list[Finding]:
    """A traced function runs with `tap_contract.TRACE_PRIVACY_ENVIRONMENT`: Powertools' tracer would
    otherwise record its responses (item bodies, list pages) and exceptions in X-Ray, outside the
    stack's key and the tenant grants (lambda_src/crud/items_api/access.py)."""
    expected = tap_contract.TRACE_PRIVACY_ENVIRONMENT
    return _violations(
        "lambdas_never_trace_payloads",
        doc,
        "aws_lambda_function",
        lambda body: (
            body.get("tracing_config", {}).get("mode") != "Active"
            or all(body.get("environment", {}).get("variables", {}).get(k) == v for k, v in expected.items())
        ),
        "a traced function needs " + ", ".join(f"{k}={v}" for k, v in expected.items()),
    )


def secrets_have_no_stored_value(doc: Document) -> list[Finding]:
    return [
        Finding(
            "secrets_have_no_stored_value",
            f"aws_secretsmanager_secret_version.{name}",
            "secret values must not be in Terraform state",
        )
        for name in sorted(_resources(doc, "aws_secretsmanager_secret_version"))
    ]


def secrets_are_rotated(doc: Document) -> list[Finding]:
    """Every secret has a rotation, whose first run also creates its value (never Terraform)."""
    rotated = _targets(doc, "aws_secretsmanager_secret_rotation", "aws_secretsmanager_secret", "secret_id")
    return _missing("secrets_are_rotated", doc, "aws_secretsmanager_secret", rotated, "needs a rotation function")


def secret_reads_skip_pending_versions(doc: Document) -> list[Finding]:
    """A reader of a secret (GetSecretValue without the rotation's write actions) is limited to
    AWSCURRENT and AWSPREVIOUS: a half-rotated AWSPENDING value is never used."""
    findings = []
    for name, policy in sorted(_policy_documents(doc).items()):
        for statement in _statements(policy):
            actions = set(statement.get("actions", []))
            if "secretsmanager:GetSecretValue" not in actions or "secretsmanager:PutSecretValue" in actions:
                continue
            stages = [
                c.get("values")
                for c in statement.get("condition", [])
                if c.get("variable") == "secretsmanager:VersionStage" and c.get("test") == "StringEquals"
            ]
            if not stages or not set(stages[0]) <= {"AWSCURRENT", "AWSPREVIOUS"}:
                findings.append(
                    Finding(
                        "secret_reads_skip_pending_versions",
                        f"data.aws_iam_policy_document.{name}",
                        f"statement {statement.get('sid')!r} reads a secret at any stage",
                    )
                )
    return findings


def tables_are_encrypted_and_recoverable(doc: Document) -> list[Finding]:
    return _violations(
        "tables_are_encrypted_and_recoverable",
        doc,
        "aws_dynamodb_table",
        lambda body: (
            body.get("server_side_encryption", {}).get("enabled") is True
            and bool(body.get("server_side_encryption", {}).get("kms_key_arn"))
            and body.get("point_in_time_recovery", {}).get("enabled") is True
        ),
        "needs SSE with a KMS key and PITR",
    )


def topics_are_encrypted(doc: Document) -> list[Finding]:
    return _violations(
        "topics_are_encrypted",
        doc,
        "aws_sns_topic",
        lambda body: bool(body.get("kms_master_key_id")),
        "kms_master_key_id is not set",
    )


def api_preflights_are_open_mocks(doc: Document) -> list[Finding]:
    """Every path with methods answers the CORS preflight: an `OPTIONS` method without authorization
    whose MOCK integration (no backend) answers 204 with the CORS headers."""
    rule = "api_preflights_are_open_mocks"
    methods = _resources(doc, "aws_api_gateway_method")

    def of_method(rtype: str) -> dict[str, dict]:
        return _targets(doc, rtype, "aws_api_gateway_method", "http_method")

    integrations = of_method("aws_api_gateway_integration")
    responses = of_method("aws_api_gateway_integration_response")
    method_responses = _resources(doc, "aws_api_gateway_method_response")
    findings = []
    preflighted = {m.get("resource_id") for m in methods.values() if m.get("http_method") == PREFLIGHT}
    for resource_id in sorted({m.get("resource_id") for m in methods.values()} - preflighted, key=str):
        resource = _referenced(resource_id, "aws_api_gateway_resource")
        where = f"aws_api_gateway_resource.{resource}" if resource else f"API root {resource_id}"
        findings.append(Finding(rule, where, "no OPTIONS method (CORS preflight)"))
    for name, method in sorted(methods.items()):
        if method.get("http_method") != PREFLIGHT:
            continue
        address = f"aws_api_gateway_method.{name}"
        response = responses.get(name, {})
        status = response.get("status_code")
        status = method_responses.get(_referenced(status, "aws_api_gateway_method_response") or "", {}).get(
            "status_code", status
        )
        if method.get("authorization") != "NONE":
            findings.append(
                Finding(rule, address, "a preflight must not require authorization (browsers send it unsigned)")
            )
        if integrations.get(name, {}).get("type") != "MOCK":
            findings.append(Finding(rule, address, "a preflight must be answered by a MOCK integration, not a backend"))
        if status != "204" or not set(PREFLIGHT_HEADERS) <= set(response.get("response_parameters", {})):
            findings.append(Finding(rule, address, "a preflight must answer 204 with the CORS headers"))
    return findings


def _json_policy(value: object) -> dict | None:
    """A policy written as JSON text; None for anything else (a reference, `${jsonencode(...)}`)."""
    try:
        policy = json.loads(value)
    except (TypeError, ValueError):
        return None
    return policy if isinstance(policy, dict) else None


def _kms_key_policy(body: dict) -> dict | None:
    return _json_policy(body.get("policy", ""))


def _listed(value: object) -> list:
    return value if isinstance(value, list) else [value]


def _grants_key_use(actions: object) -> bool:
    return any(fnmatchcase(use, pattern) for pattern in _listed(actions) for use in KMS_KEY_USE)


def kms_key_policies_condition_every_use(doc: Document) -> list[Finding]:
    """Every key has a readable policy; every grant to a service principal has a condition, and every
    grant of key use to an account's principals is bound to a service (`kms:ViaService`)."""
    rule = "kms_key_policies_condition_every_use"
    findings = []
    for name, body in sorted(_resources(doc, "aws_kms_key").items()):
        address = f"aws_kms_key.{name}"
        policy = _kms_key_policy(body)
        if policy is None:
            findings.append(Finding(rule, address, "no key policy as JSON (the default lets IAM grant any use)"))
            continue
        for statement in _listed(policy.get("Statement", [])):
            if statement.get("Effect") != "Allow":
                continue
            principal = statement.get("Principal", {})
            conditions = statement.get("Condition", {})
            sid = statement.get("Sid", "?")
            if isinstance(principal, dict) and "Service" in principal:
                if not conditions:
                    findings.append(Finding(rule, address, f"statement {sid}: a service principal without a condition"))
            elif _grants_key_use(statement.get("Action")) and not any(
                "kms:ViaService" in values for values in conditions.values()
            ):
                findings.append(
                    Finding(rule, address, f"statement {sid}: key use not bound to a service (kms:ViaService)")
                )
    return findings


def identity_policies_condition_kms_use(doc: Document) -> list[Finding]:
    """An identity policy that grants use of a key says through which service (`kms:ViaService`)."""
    findings = []
    for name, policy in sorted(_policy_documents(doc).items()):
        for statement in _statements(policy):
            if statement.get("principals") or statement.get("effect", "Allow") != "Allow":
                continue
            if _grants_key_use(statement.get("actions", [])) and not any(
                c.get("variable") == "kms:ViaService" for c in statement.get("condition", [])
            ):
                findings.append(
                    Finding(
                        "identity_policies_condition_kms_use",
                        f"data.aws_iam_policy_document.{name}",
                        f"statement {statement.get('sid', '?')}: KMS key use without a kms:ViaService condition",
                    )
                )
    return findings


def _limited_to_values(statement: dict, variable: str) -> bool:
    return any(
        c.get("variable") == variable and c.get("test") in LIMITING_TESTS and c.get("values") and "*" not in c["values"]
        for c in statement.get("condition", [])
    )


def _via_services(statement: dict) -> list[str]:
    """The services (`dynamodb`, ...) a statement's `kms:ViaService` condition names."""
    return sorted(
        {
            str(value).split(".", 1)[0]
            for c in statement.get("condition", [])
            if c.get("variable") == "kms:ViaService"
            for value in _listed(c.get("values", []))
        }
    )


def _identity_statements(doc: Document) -> Iterator[tuple[str, dict]]:
    """The statements that grant to the role or user holding the policy (no `principals`)."""
    for name, policy in sorted(_policy_documents(doc).items()):
        for statement in _statements(policy):
            if not statement.get("principals") and statement.get("effect", "Allow") == "Allow":
                yield name, statement


def kms_use_names_the_encryption_context(doc: Document) -> list[Finding]:
    """An identity policy that lets a role use data keys via DynamoDB, Secrets Manager or Lambda also
    names the table, secret or function in the encryption context the service sets: otherwise the
    role could decrypt through that service any resource that the key protects."""
    findings = []
    for name, statement in _identity_statements(doc):
        patterns = [str(a).lower() for a in _listed(statement.get("actions", []))]
        if not any(fnmatchcase(use.lower(), p) for p in patterns for use in KMS_DATA_KEY_USE):
            continue
        for service in _via_services(statement):
            variable = SERVICE_ENCRYPTION_CONTEXT.get(service)
            if variable and not _limited_to_values(statement, variable):
                findings.append(
                    Finding(
                        "kms_use_names_the_encryption_context",
                        f"data.aws_iam_policy_document.{name}",
                        f"statement {statement.get('sid', '?')}: key use via {service} must be conditioned on "
                        f"{variable}",
                    )
                )
    return findings


def _at(body: object, path: tuple[str, ...]) -> list[object]:
    """The values at `path` in a resource body (blocks may be objects or lists of them)."""
    if not path:
        return [body]
    items = body if isinstance(body, list) else [body]
    return [v for item in items if isinstance(item, dict) and path[0] in item for v in _at(item[path[0]], path[1:])]


def _keys_named_by(body: object) -> set[str]:
    """The stack keys that `body` (or any value in it) refers to."""
    return {match["name"] for match in _KEY_REFERENCE.finditer(json.dumps(body))}


def kms_keys_serve_only_known_consumers(doc: Document) -> list[Finding]:
    """Only resource types that `modules/encryption.py` grants a service path to may name a stack key
    (so a new kind of consumer cannot silently be left without, or given too wide, a grant)."""
    findings = []
    for rtype, named in sorted(doc.get("resource", {}).items()):
        if rtype in CONSUMER_TYPES or rtype in KMS_KEY_REFERRERS or rtype in ("aws_kms_key", "aws_kms_alias"):
            continue
        for name, body in sorted(named.items()):
            if _keys_named_by(body):
                findings.append(
                    Finding(
                        "kms_keys_serve_only_known_consumers",
                        f"{rtype}.{name}",
                        "uses a stack key, but modules/encryption.py grants this resource type no service path",
                    )
                )
    return findings


def kms_key_policies_name_every_consumer(doc: Document) -> list[Finding]:
    """Each log group, function, table, bucket, secret, event bus and data stream encrypted with a key
    is named in that key's policy (in the encryption context its service sets)."""
    keys = {name: json.dumps(_kms_key_policy(body) or {}) for name, body in _resources(doc, "aws_kms_key").items()}
    buckets = {
        f"${{aws_s3_bucket.{n}.{a}}}": b.get("bucket")
        for n, b in _resources(doc, "aws_s3_bucket").items()
        for a in ("id", "bucket")
    }
    tables = {
        f"${{aws_dynamodb_table.{n}.arn}}": b.get("name") for n, b in _resources(doc, "aws_dynamodb_table").items()
    }
    expected_forms = {
        "aws_cloudwatch_log_group": ("name", ':log-group:{}"'),
        "aws_lambda_function": ("function_name", ':function:{}"'),
        "aws_dynamodb_table": ("name", '"{}"'),
        "aws_secretsmanager_secret": ("name", ':secret:{}-??????"'),
        "aws_cloudwatch_event_bus": ("name", ':event-bus/{}"'),
        "aws_cloudtrail": ("name", ':trail/{}"'),
        "aws_kinesis_stream": ("name", ':stream/{}"'),
    }
    findings = []
    for rtype, path in CONSUMER_TYPES.items():
        for name, body in sorted(_resources(doc, rtype).items()):
            for key in sorted(_keys_named_by(_at(body, path))):
                policy = keys.get(key, "")
                if rtype in expected_forms:
                    attribute, form = expected_forms[rtype]
                    wanted = form.format(body.get(attribute))
                elif rtype == "aws_s3_bucket_server_side_encryption_configuration":
                    wanted = f':::{buckets.get(body.get("bucket"))}"'
                elif rtype == "aws_dynamodb_table_replica":
                    wanted = f'"{tables.get(body.get("global_table_arn"))}"'
                elif rtype == "aws_synthetics_canary":
                    # Synthetics writes artifacts through S3 with the canary's role: the key policy names its bucket.
                    bucket = re.match(
                        r"s3://(\$\{aws_s3_bucket\.\w+\.(?:id|bucket)\})", body.get("artifact_s3_location", "")
                    )
                    wanted = f':::{buckets.get(bucket[1]) if bucket else None}"'
                elif rtype == "aws_athena_database":
                    wanted = f':::{buckets.get(body.get("bucket"))}"'
                elif rtype == "aws_athena_workgroup":
                    (location,) = _at(body, ("configuration", "result_configuration", "output_location"))
                    match = re.match(r"^s3://(\$\{aws_s3_bucket\.[a-z0-9_]+\.bucket\})/", location)
                    wanted = f':::{buckets.get(match[1]) if match else None}"'
                elif rtype == "aws_kinesis_firehose_delivery_stream":
                    wanted = '"firehose.'
                elif rtype == "aws_elasticache_replication_group":
                    # ElastiCache documents no encryption context: its grant is the statement of that Sid.
                    wanted = '"Sid": "ElastiCacheEncryptsStackCaches"'
                else:
                    wanted = '"cloudwatch.amazonaws.com"'
                if wanted not in policy:
                    findings.append(
                        Finding(
                            "kms_key_policies_name_every_consumer",
                            f"{rtype}.{name}",
                            f"encrypted with aws_kms_key.{key}, whose policy does not name it",
                        )
                    )
    return findings


def event_buses_use_a_cmk(doc: Document) -> list[Finding]:
    return _violations(
        "event_buses_use_a_cmk",
        doc,
        "aws_cloudwatch_event_bus",
        lambda body: bool(_KEY_REFERENCE.search(str(body.get("kms_key_identifier", "")))),
        "kms_key_identifier must name the stack's customer-managed key",
    )


def _archive_buckets(doc: Document) -> list[str]:
    """Buckets that Firehose delivers to: the log archives."""
    names = set()
    for stream in _resources(doc, "aws_kinesis_firehose_delivery_stream").values():
        for block in ("extended_s3_configuration", "s3_configuration"):
            for arn in _at(stream, (block, "bucket_arn")):
                target = _referenced(arn, "aws_s3_bucket")
                if target:
                    names.add(target)
    return sorted(names)


def archive_buckets_deny_tampering(doc: Document) -> list[Finding]:
    """The policy of a log archive (a bucket Firehose delivers to) denies erasing it, and every setting
    that would let someone do it later (`modules.secure_bucket.TAMPER_ACTIONS`), to everyone, with at
    most one named exemption (a principal ARN condition): nobody with ordinary S3 permissions can
    quietly delete logs."""
    policies = _targets(doc, "aws_s3_bucket_policy", "aws_s3_bucket", "bucket")

    def denies_tampering(statement: dict) -> bool:
        conditions = statement.get("condition", [])
        return (
            statement.get("effect") == "Deny"
            and any(p.get("type") == "*" for p in statement.get("principals", []))
            and set(TAMPER_ACTIONS) <= set(statement.get("actions", []))
            and any(r.endswith("/*") for r in statement.get("resources", []))
            and all(
                c.get("test") in ARCHIVE_EXEMPTION_TESTS and c.get("variable") == "aws:PrincipalArn" for c in conditions
            )
            and len(conditions) <= 1
        )

    return [
        Finding(
            "archive_buckets_deny_tampering",
            f"aws_s3_bucket.{name}",
            "no policy denying archive tampering to all but one principal",
        )
        for name in _archive_buckets(doc)
        if not any(denies_tampering(s) for s in _statements(_policy_of(policies.get(name, {}).get("policy"), doc)))
    ]


def _as_number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def archive_buckets_keep_noncurrent_versions(doc: Document) -> list[Finding]:
    """A log archive keeps non-current versions at least as long as current ones (an overwrite or a
    delete marker never shortens what can be recovered)."""
    lifecycles = _targets(doc, "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket", "bucket")

    def keeps(rule: dict) -> bool:
        current = _at(rule, ("expiration", "days"))
        noncurrent = _at(rule, ("noncurrent_version_expiration", "noncurrent_days"))
        if not noncurrent:
            return True  # never expired
        if not current:
            return False  # current versions kept forever, non-current ones not
        low, high = _as_number(current[0]), _as_number(noncurrent[0])
        return noncurrent[0] == current[0] or (low is not None and high is not None and high >= low)

    return [
        Finding(
            "archive_buckets_keep_noncurrent_versions",
            f"aws_s3_bucket.{name}",
            "non-current versions must be kept at least as long as current ones",
        )
        for name in _archive_buckets(doc)
        if name not in lifecycles or not all(keeps(rule) for rule in _listed(lifecycles[name].get("rule", [])))
    ]


def _retention_mode(doc: Document, value: object) -> object:
    """A mode as written, or the default of the variable that `value` (`${var.<name>}`) names."""
    match = _VARIABLE.match(value) if isinstance(value, str) else None
    if not match:
        return value
    return doc.get("variable", {}).get(match["name"], {}).get("default")


def archive_buckets_offer_object_lock(doc: Document) -> list[Finding]:
    """A log archive has an Object Lock configuration with a default retention in GOVERNANCE or
    COMPLIANCE mode (it may be counted off by a variable, but it is always there to turn on)."""
    locks = _targets(doc, "aws_s3_bucket_object_lock_configuration", "aws_s3_bucket", "bucket")
    return [
        Finding(
            "archive_buckets_offer_object_lock",
            f"aws_s3_bucket.{name}",
            "no Object Lock configuration in GOVERNANCE or COMPLIANCE mode",
        )
        for name in _archive_buckets(doc)
        if not any(
            _retention_mode(doc, mode) in OBJECT_LOCK_MODES
            for mode in _at(locks.get(name, {}), ("rule", "default_retention", "mode"))
        )
    ]


def firehose_streams_log_delivery_errors(doc: Document) -> list[Finding]:
    def logs(body: dict) -> bool:
        options = _at(body, ("extended_s3_configuration", "cloudwatch_logging_options"))
        return any(
            o.get("enabled") is True and _referenced(o.get("log_group_name"), "aws_cloudwatch_log_group")
            for o in options
            if isinstance(o, dict)
        )

    return _violations(
        "firehose_streams_log_delivery_errors",
        doc,
        "aws_kinesis_firehose_delivery_stream",
        logs,
        "delivery errors must go to a log group of the stack (cloudwatch_logging_options)",
    )


def firehose_streams_alarm_on_failed_delivery(doc: Document) -> list[Finding]:
    watched = {
        _referenced(alarm.get("dimensions", {}).get("DeliveryStreamName"), "aws_kinesis_firehose_delivery_stream")
        for alarm in _resources(doc, "aws_cloudwatch_metric_alarm").values()
        if alarm.get("namespace") == "AWS/Firehose"
        and alarm.get("metric_name") in FIREHOSE_DELIVERY_METRICS
        and alarm.get("alarm_actions")
    }
    return _missing(
        "firehose_streams_alarm_on_failed_delivery",
        doc,
        "aws_kinesis_firehose_delivery_stream",
        dict.fromkeys(n for n in watched if n),
        "no alarm with actions on failed S3 deliveries (DeliveryToS3.Success or DataFreshness)",
    )


def log_subscription_roles_trust_named_log_groups(doc: Document) -> list[Finding]:
    """A role that CloudWatch Logs assumes (to deliver subscriptions) trusts it only for named log
    groups (`aws:SourceArn`), never for every log group of the account."""
    findings = []
    for name, role in sorted(_resources(doc, "aws_iam_role").items()):
        for statement in _statements(_policy_of(role.get("assume_role_policy"), doc)):
            services = [
                i
                for p in statement.get("principals", [])
                if p.get("type") == "Service"
                for i in _listed(p.get("identifiers", []))
            ]
            if not any(str(s).startswith("logs.") for s in services):
                continue
            sources = [
                v
                for c in statement.get("condition", [])
                if c.get("variable") == "aws:SourceArn"
                for v in _listed(c.get("values", []))
            ]
            if not sources or any(str(v).endswith(("log-group:*", ":*:*")) or str(v) == "*" for v in sources):
                findings.append(
                    Finding(
                        "log_subscription_roles_trust_named_log_groups",
                        f"aws_iam_role.{name}",
                        "CloudWatch Logs may assume it only for named log groups (aws:SourceArn)",
                    )
                )
    return findings


def roles_have_the_permission_boundary(doc: Document) -> list[Finding]:
    """When the stack has its permission boundary (`compliance=on`), every role is capped by exactly
    that policy; without the policy there is nothing to require."""
    if PERMISSION_BOUNDARY_POLICY not in _resources(doc, "aws_iam_policy"):
        return []
    expected = f"${{aws_iam_policy.{PERMISSION_BOUNDARY_POLICY}.arn}}"
    return [
        Finding(
            "roles_have_the_permission_boundary", f"aws_iam_role.{name}", f"permissions_boundary must be {expected}"
        )
        for name, body in sorted(_resources(doc, "aws_iam_role").items())
        if body.get("permissions_boundary") != expected and not boundary_exempt(name)
    ]


def _failover_alarm_problem(health_check: dict, doc: Document) -> str | None:
    if health_check.get("type") != "CLOUDWATCH_METRIC":
        return (
            "an endpoint check fails whenever anyone floods the endpoint (429s): follow an alarm of the "
            "stack (type CLOUDWATCH_METRIC)"
        )
    alarm = _resources(doc, "aws_cloudwatch_metric_alarm").get(
        _referenced(health_check.get("cloudwatch_alarm_name"), "aws_cloudwatch_metric_alarm") or "", {}
    )
    if not alarm:
        return "cloudwatch_alarm_name must name an alarm of the stack"
    if health_check.get("insufficient_data_health_status") != "LastKnownStatus":
        return "insufficient_data_health_status must be LastKnownStatus: a canary's alarm has no data between runs"
    period = _as_number(alarm.get("period"))
    if (
        alarm.get("statistic") not in ROUTE53_ALARM_STATISTICS
        or "metric_query" in alarm
        or period is None
        or period < ROUTE53_ALARM_MIN_PERIOD_SECONDS
    ):
        return (
            f"Route 53 follows only alarms with a statistic of {', '.join(ROUTE53_ALARM_STATISTICS)}, no metric math "
            f"and a period of at least {ROUTE53_ALARM_MIN_PERIOD_SECONDS} s"
        )
    return None


def failover_follows_alarms_not_open_routes(doc: Document) -> list[Finding]:
    """A region is failed over only on an alarm of the stack that Route 53 can follow, never on
    answers of an endpoint that anyone may call (tests/lambda_src/test_failover.py shows the flood)."""
    return [
        Finding("failover_follows_alarms_not_open_routes", f"aws_route53_health_check.{name}", problem)
        for name, body in sorted(_resources(doc, "aws_route53_health_check").items())
        if (problem := _failover_alarm_problem(body, doc))
    ]


_RESOURCE_REFERENCE = re.compile(r"\$\{[^}]*\baws_[a-z0-9_]+\.tap_stack_[a-z0-9_]+")


def _is_the_stacks_own(text: str) -> bool:
    """Whether a metric's identity names this stack: its name prefix, or one of its resources."""
    return "local.name_prefix" in text or _RESOURCE_REFERENCE.search(text) is not None


def _watched_metrics(body: dict) -> Iterator[dict]:
    """The metrics an alarm watches: its own, or those of its metric-math queries."""
    yield from (m for m in [body, *(q.get("metric", {}) for q in body.get("metric_query", []))] if m.get("namespace"))


def _metric_transformations(body: dict) -> list[dict]:
    """A metric filter's transformations (one block: the JSON holds it as an object)."""
    transformations = body.get("metric_transformation", [])
    return [transformations] if isinstance(transformations, dict) else transformations


def _function_metrics_namespace(body: dict) -> str | None:
    """Where a function publishes its Powertools metrics, or None if it publishes none."""
    return body.get("environment", {}).get("variables", {}).get("POWERTOOLS_METRICS_NAMESPACE")


def _metric_identities(doc: Document) -> Iterator[tuple[str, str]]:
    """(address, namespace and dimensions) of every metric the stack publishes or alarms on."""
    for name, body in sorted(_resources(doc, "aws_cloudwatch_metric_alarm").items()):
        for metric in _watched_metrics(body):
            identity = json.dumps([metric["namespace"], metric.get("metric_name"), metric.get("dimensions")])
            yield f"aws_cloudwatch_metric_alarm.{name}", identity
    for name, body in sorted(_resources(doc, "aws_cloudwatch_log_metric_filter").items()):
        for transformation in _metric_transformations(body):
            identity = json.dumps([transformation.get("namespace"), transformation.get("name")])
            yield f"aws_cloudwatch_log_metric_filter.{name}", identity
    for name, body in sorted(_resources(doc, "aws_lambda_function").items()):
        namespace = _function_metrics_namespace(body)
        if namespace is not None:
            yield f"aws_lambda_function.{name}", json.dumps([namespace])


def metrics_are_the_stacks_own(doc: Document) -> list[Finding]:
    """Every metric the stack publishes or alarms on is told apart from another stack's in the same
    account and region by its namespace, dimensions or name: CloudWatch merges metrics of one
    identity, so a shared one would let one stack's errors fire the other's alarms."""
    return [
        Finding("metrics_are_the_stacks_own", address, f"{identity} names neither the stack's prefix nor its resources")
        for address, identity in _metric_identities(doc)
        if not _is_the_stacks_own(identity)
    ]


def _metrics_the_stack_publishes(doc: Document) -> dict[tuple[str, str], frozenset[frozenset[str]]]:
    """(namespace, metric) -> dimension sets, for what the stack itself publishes: the API functions'
    cache metrics (Powertools adds `service`), each canary's verdict, each metric filter's metric."""
    published: dict[tuple[str, str], frozenset[frozenset[str]]] = {}
    for body in _resources(doc, "aws_lambda_function").values():
        namespace = _function_metrics_namespace(body)
        for metric in tap_contract.CACHE_METRICS if namespace else ():
            published[namespace, metric] = frozenset({frozenset({"service"})})
    for body in _resources(doc, "aws_synthetics_canary").values():
        environment = body.get("run_config", {}).get("environment_variables", {})
        if "VERDICT_METRIC" in environment:
            key = (environment["VERDICT_NAMESPACE"], environment["VERDICT_METRIC"])
            published[key] = frozenset({frozenset({"CanaryName"})})
    for body in _resources(doc, "aws_cloudwatch_log_metric_filter").values():
        for metric in _metric_transformations(body):
            dimensions = frozenset(metric.get("dimensions") or {})
            published[metric["namespace"], metric["name"]] = frozenset({dimensions})
    return published


def _dimension_set(dimensions: frozenset[str]) -> str:
    return "(" + ", ".join(sorted(dimensions)) + ")"


def alarms_watch_published_metrics(doc: Document) -> list[Finding]:
    """Every alarm watches a metric that is published, with the dimensions it is published with:
    AWS's (`tapgen/aws_rules/metrics.py`, from each service's documentation) or the stack's own.
    CloudWatch accepts an alarm on anything, and one on an unpublished metric never fires."""
    own = _metrics_the_stack_publishes(doc)
    found = []
    for name, body in sorted(_resources(doc, "aws_cloudwatch_metric_alarm").items()):
        for metric in _watched_metrics(body):
            namespace, metric_name = metric["namespace"], metric["metric_name"]
            dimensions = frozenset(metric.get("dimensions") or {})
            allowed = aws_metrics.PUBLISHED.get(namespace, {}).get(metric_name) or own.get((namespace, metric_name))
            if allowed is None:
                problem = f"{namespace} {metric_name} is published neither by AWS nor by the stack"
            elif dimensions not in allowed:
                listed = "; ".join(sorted(_dimension_set(d) for d in allowed))
                problem = f"{namespace} {metric_name} is published with {listed}, not {_dimension_set(dimensions)}"
            else:
                continue
            found.append(Finding("alarms_watch_published_metrics", f"aws_cloudwatch_metric_alarm.{name}", problem))
    return found


RULES: tuple[Callable[[Document], list[Finding]], ...] = (
    buckets_block_public_access,
    buckets_encrypt_with_kms_bucket_key,
    buckets_are_versioned,
    buckets_have_lifecycle,
    buckets_deny_insecure_transport,
    kms_keys_rotate,
    log_groups_are_encrypted_with_retention,
    identity_policies_limit_wildcard_resources,
    describe_log_groups_is_granted_on_star,
    api_methods_require_iam,
    api_functions_check_tenant_grants,
    api_preflights_are_open_mocks,
    api_stage_never_caches_tenant_methods,
    failover_follows_alarms_not_open_routes,
    metrics_are_the_stacks_own,
    alarms_watch_published_metrics,
    kms_key_policies_condition_every_use,
    identity_policies_condition_kms_use,
    kms_use_names_the_encryption_context,
    kms_keys_serve_only_known_consumers,
    kms_key_policies_name_every_consumer,
    event_buses_use_a_cmk,
    archive_buckets_deny_tampering,
    archive_buckets_keep_noncurrent_versions,
    archive_buckets_offer_object_lock,
    firehose_streams_log_delivery_errors,
    firehose_streams_alarm_on_failed_delivery,
    log_subscription_roles_trust_named_log_groups,
    roles_have_the_permission_boundary,
    lambdas_are_traced_on_current_runtime,
    lambdas_never_trace_payloads,
    secrets_have_no_stored_value,
    secrets_are_rotated,
    secret_reads_skip_pending_versions,
    tables_are_encrypted_and_recoverable,
    topics_are_encrypted,
)


def findings(doc: Document) -> Iterator[Finding]:
    for rule in RULES:
        yield from rule(doc)
