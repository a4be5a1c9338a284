"""Security rules over a synthesized configuration, one function per property.

Each rule takes the `cdk.tf.json` document and returns findings; an empty list passes. Synth
fails on any finding, so a construct change cannot quietly drop a hardening. Exceptions live
only in `tapgen/security_exceptions.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from tapgen.security_exceptions import WILDCARD_RESOURCE_ACTIONS

SUPPORTED_PYTHON_RUNTIMES = ("python3.12", "python3.13")
OPEN_API_PATHS = ("health",)
_POLICY_JSON = re.compile(r"^\$\{data\.aws_iam_policy_document\.(?P<name>[a-z0-9_]+)\.json\}$")
_REFERENCE = re.compile(r"^\$\{(?P<type>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)\.[a-z_]+\}$")


@dataclass(frozen=True)
class Finding:
    rule: str
    address: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.address}: {self.message}"


Document = Mapping[str, object]


def _resources(doc: Document, rtype: str) -> dict[str, dict]:
    return doc.get("resource", {}).get(rtype, {})


def _policy_documents(doc: Document) -> dict[str, dict]:
    return doc.get("data", {}).get("aws_iam_policy_document", {})


def _referenced(value: object, rtype: str) -> str | None:
    """The name of the `rtype` resource that `value` (`${rtype.name.attr}`) points at."""
    match = _REFERENCE.match(value) if isinstance(value, str) else None
    if match and match["type"] == rtype:
        return match["name"]
    return None


def _targets(doc: Document, rtype: str, target_type: str, attribute: str) -> dict[str, dict]:
    """Resources of `rtype`, keyed by the name of the `target_type` resource they attach to."""
    attached = {}
    for body in _resources(doc, rtype).values():
        target = _referenced(body.get(attribute), target_type)
        if target:
            attached[target] = body
    return attached


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
    """The policy document that `value` (`${data.aws_iam_policy_document.<name>.json}`) renders."""
    match = _POLICY_JSON.match(value) if isinstance(value, str) else None
    return _policy_documents(doc).get(match["name"], {}) if match else {}


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


def api_methods_require_iam(doc: Document) -> list[Finding]:
    resources = _resources(doc, "aws_api_gateway_resource")
    findings = []
    for name, method in sorted(_resources(doc, "aws_api_gateway_method").items()):
        path_part = resources.get(_referenced(method.get("resource_id"), "aws_api_gateway_resource") or "", {}).get(
            "path_part"
        )
        expected = "NONE" if path_part in OPEN_API_PATHS else "AWS_IAM"
        if method.get("authorization") != expected:
            findings.append(
                Finding(
                    "api_methods_require_iam", f"aws_api_gateway_method.{name}", f"authorization must be {expected}"
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


def secrets_have_no_stored_value(doc: Document) -> list[Finding]:
    return [
        Finding(
            "secrets_have_no_stored_value",
            f"aws_secretsmanager_secret_version.{name}",
            "secret values must not be in Terraform state",
        )
        for name in sorted(_resources(doc, "aws_secretsmanager_secret_version"))
    ]


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


RULES: tuple[Callable[[Document], list[Finding]], ...] = (
    buckets_block_public_access,
    buckets_encrypt_with_kms_bucket_key,
    buckets_are_versioned,
    buckets_have_lifecycle,
    buckets_deny_insecure_transport,
    kms_keys_rotate,
    log_groups_are_encrypted_with_retention,
    identity_policies_limit_wildcard_resources,
    api_methods_require_iam,
    lambdas_are_traced_on_current_runtime,
    secrets_have_no_stored_value,
    tables_are_encrypted_and_recoverable,
    topics_are_encrypted,
)


def findings(doc: Document) -> Iterator[Finding]:
    for rule in RULES:
        yield from rule(doc)
