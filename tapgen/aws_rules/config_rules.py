"""AWS Config managed rules as AWS documents them, evaluated against a synthesized stack.

With `account_controls=on` the stack deploys managed rules (`modules/account_controls.py`), and it
must pass them: a rule that flags the stack's own resources on a fresh deploy is noise that teaches
operators to ignore the alerts. The emulator evaluates nothing, so each rule the stack may deploy is
kept here with its documentation page, its trigger, and its logic as a function over the planned
configuration (a synthesized `tap_stack.tf.json`). Config evaluates what AWS services create for the
stack like anything else, so those resources are modelled too (`service_created`): Synthetics
creates the canary's Lambda function, `cwsyn-<canary name>-<id>`, outside any VPC unless the canary
has a `vpc_config`, and Lambda creates that function's log group, unencrypted, on its first run.

A rule's scope (`aws_config_config_rule.scope`) is honoured as Config does: only for rules
triggered by configuration changes, by tag; periodic rules evaluate every resource of their type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tapgen import document as tf

DOCS = "https://docs.aws.amazon.com/config/latest/developerguide"
CHANGES = "configuration changes"
PERIODIC = "periodic"


@dataclass(frozen=True)
class Resource:
    """A resource Config would evaluate: `address` (Terraform's, or `service:<what>` for one an AWS
    service creates), its planned body, and its tags (None: those of the provider's default tags)."""

    address: str
    body: dict
    tags: dict[str, str] | None = None


@dataclass(frozen=True)
class Finding:
    rule: str
    resource: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """The planned configuration of one stack: its synthesized JSON document."""

    document: dict

    def resources(self, rtype: str) -> Iterator[Resource]:
        for name, body in tf.resources(self.document, rtype).items():
            yield Resource(f"{rtype}.{name}", body)

    def attached(self, rtype: str, bucket: Resource) -> dict | None:
        """The `rtype` resource attached to `bucket` (an `aws_s3_bucket`) by its `bucket` attribute."""
        return tf.targets(self.document, rtype, "aws_s3_bucket", "bucket").get(bucket.address.split(".", 1)[1])

    def policy_statements(self, policy: object) -> list[dict]:
        """The statements of `${data.aws_iam_policy_document.<name>.json}`, as the default variables
        choose it (`tapgen.document.as_deployed`)."""
        documents = self.document.get("data", {}).get("aws_iam_policy_document", {})
        return tf.policy_statements(tf.as_deployed(policy, self.document), documents)


def service_created(plan: Plan) -> dict[str, list[Resource]]:
    """What AWS services create for the stack, by resource type: each canary's function and its
    log group (CloudWatch Synthetics User Guide, "Canary runtime and IAM": the function is named
    `cwsyn-<canary name>-<canary id>`; Lambda creates `/aws/lambda/<function name>` on first run)."""
    functions, groups = [], []
    for canary in plan.resources("aws_synthetics_canary"):
        function = f"service:the function of {canary.address}"
        functions.append(Resource(function, {"vpc_config": canary.body.get("vpc_config")}, {}))
        groups.append(Resource(f"service:the log group of {canary.address}", {}, {}))
    return {"aws_lambda_function": functions, "aws_cloudwatch_log_group": groups}


def _evaluated(plan: Plan, rtype: str, scope: dict | None) -> Iterator[Resource]:
    for resource in (*plan.resources(rtype), *service_created(plan).get(rtype, ())):
        if scope and not _tagged(plan, resource, scope):
            continue
        yield resource


def _tagged(plan: Plan, resource: Resource, scope: dict) -> bool:
    """Whether `resource` carries the scope's tag: its own tags, else (a Terraform resource) the
    providers' default tags, where the contract tags are literal keys that user tags cannot replace."""
    key, value = scope.get("tag_key"), scope.get("tag_value")
    own = resource.body.get("tags")
    if resource.tags is not None or (isinstance(own, dict) and key in own):
        return (resource.tags if resource.tags is not None else own).get(key) == value
    defaults = [str(d.get("tags", "")) for p in plan.document["provider"]["aws"] for d in p.get("default_tags", [])]
    return bool(defaults) and all(f'{key} = "{value}"' in tags for tags in defaults)


def _each(rtype: str, check: Callable[[Plan, Resource], str]) -> Callable[[Plan, str, dict | None], list[Finding]]:
    """A rule that evaluates every `rtype` resource in scope: `check` says why one is non-compliant
    (empty: compliant)."""

    def evaluate(plan: Plan, rule: str, scope: dict | None) -> list[Finding]:
        return [Finding(rule, r.address, reason) for r in _evaluated(plan, rtype, scope) if (reason := check(plan, r))]

    return evaluate


def _to_everyone(statement: dict) -> bool:
    return any("*" in p.get("identifiers", []) for p in statement.get("principals", []))


def _bucket_policy_statements(plan: Plan, bucket: Resource) -> list[dict]:
    policy = plan.attached("aws_s3_bucket_policy", bucket)
    return plan.policy_statements(policy["policy"]) if policy else []


def _bucket_not_public(plan: Plan, bucket: Resource) -> str:
    block = plan.attached("aws_s3_bucket_public_access_block", bucket)
    settings = ("block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")
    if block and all(block.get(s) is True for s in settings):
        return ""
    for statement in _bucket_policy_statements(plan, bucket):
        if statement.get("effect", "Allow") == "Allow" and _to_everyone(statement) and not statement.get("condition"):
            return "its policy allows everyone and public access is not blocked"
    return "" if block else "no public access block, so a public policy or ACL would be honoured"


def _bucket_requires_tls(plan: Plan, bucket: Resource) -> str:
    insecure = {"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}
    for s in _bucket_policy_statements(plan, bucket):
        every_action = set(s.get("actions", [])) & {"s3:*", "*"}
        if s.get("effect") == "Deny" and _to_everyone(s) and every_action and insecure in s.get("condition", []):
            return ""
    return "no bucket policy statement denies requests over plain HTTP (aws:SecureTransport false)"


def _bucket_encrypted(plan: Plan, bucket: Resource) -> str:
    configuration = plan.attached("aws_s3_bucket_server_side_encryption_configuration", bucket) or {}
    for rule in configuration.get("rule", []):
        if rule.get("apply_server_side_encryption_by_default", {}).get("sse_algorithm") in (
            "aws:kms",
            "aws:kms:dsse",
            "AES256",
        ):
            return ""
    return "no default server-side encryption configured"


def _table_pitr(plan: Plan, table: Resource) -> str:
    pitr = table.body.get("point_in_time_recovery")
    enabled = pitr is True or (isinstance(pitr, dict) and pitr.get("enabled") is True)
    return "" if enabled else "point-in-time recovery is off"


def _function_in_vpc(plan: Plan, function: Resource) -> str:
    vpc = function.body.get("vpc_config")
    return "" if vpc and vpc.get("subnet_ids") else "not attached to a VPC"


def _log_group_encrypted(plan: Plan, group: Resource) -> str:
    return "" if group.body.get("kms_key_id") else "not encrypted with a KMS key"


def _key_rotates(plan: Plan, key: Resource) -> str:
    return "" if key.body.get("enable_key_rotation") is True else "automatic key rotation is off"


def _trail_enabled(plan: Plan, rule: str, scope: dict | None) -> list[Finding]:
    trails = [t for t in plan.resources("aws_cloudtrail") if t.body.get("enable_logging", True) is not False]
    return [] if trails else [Finding(rule, "account", "the stack has no CloudTrail trail")]


PASSWORD_PARAMETERS = {
    "MinimumPasswordLength": "minimum_password_length",
    "PasswordReusePrevention": "password_reuse_prevention",
    "MaxPasswordAge": "max_password_age",
}
PASSWORD_REQUIREMENTS = {
    "RequireUppercaseCharacters": "require_uppercase_characters",
    "RequireLowercaseCharacters": "require_lowercase_characters",
    "RequireSymbols": "require_symbols",
    "RequireNumbers": "require_numbers",
}


def _password_policy(plan: Plan, rule: str, scope: dict | None) -> list[Finding]:
    """Compliant when the account's policy meets every parameter: the stack sets both from the same
    variables, so each parameter must be `tostring(<the policy's own expression>)`."""
    policies = list(plan.resources("aws_iam_account_password_policy"))
    if not policies:
        return [Finding(rule, "account", "the stack sets no account password policy")]
    policy = policies[0].body
    (config_rule,) = [r.body for r in plan.resources("aws_config_config_rule") if _identifier(r.body) == rule]
    parameters = config_rule.get("input_parameters", "")
    findings = []
    for parameter, attribute in PASSWORD_PARAMETERS.items():
        expression = str(policy.get(attribute, "")).removeprefix("${").removesuffix("}")
        if f'"{parameter}" = tostring({expression})' not in parameters:
            findings.append(Finding(rule, policies[0].address, f"{parameter} is not the policy's {attribute}"))
    for parameter, attribute in PASSWORD_REQUIREMENTS.items():
        if f'"{parameter}" = "true"' in parameters and policy.get(attribute) is not True:
            findings.append(Finding(rule, policies[0].address, f"{attribute} is not set, the rule requires it"))
    return findings


@dataclass(frozen=True)
class ManagedRule:
    """An AWS managed rule: its identifier, documentation page, the Config resource type it judges
    (its page's "Resource Types"), trigger, and `evaluate(plan, rule, scope)` (None: it judges
    account state that no stack sets, and `outside` says which)."""

    identifier: str
    page: str
    resource_type: str
    trigger: str
    evaluate: Callable[[Plan, str, dict | None], list[Finding]] | None
    outside: str = ""

    @property
    def source(self) -> str:
        return f"{DOCS}/{self.page}.html"


RULES = {
    rule.identifier: rule
    for rule in (
        ManagedRule(
            "S3_BUCKET_PUBLIC_READ_PROHIBITED",
            "s3-bucket-public-read-prohibited",
            "AWS::S3::Bucket",
            CHANGES,
            _each("aws_s3_bucket", _bucket_not_public),
        ),
        ManagedRule(
            "S3_BUCKET_PUBLIC_WRITE_PROHIBITED",
            "s3-bucket-public-write-prohibited",
            "AWS::S3::Bucket",
            CHANGES,
            _each("aws_s3_bucket", _bucket_not_public),
        ),
        ManagedRule(
            "S3_BUCKET_SSL_REQUESTS_ONLY",
            "s3-bucket-ssl-requests-only",
            "AWS::S3::Bucket",
            CHANGES,
            _each("aws_s3_bucket", _bucket_requires_tls),
        ),
        ManagedRule(
            "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
            "s3-bucket-server-side-encryption-enabled",
            "AWS::S3::Bucket",
            CHANGES,
            _each("aws_s3_bucket", _bucket_encrypted),
        ),
        ManagedRule(
            "DYNAMODB_PITR_ENABLED",
            "dynamodb-pitr-enabled",
            "AWS::DynamoDB::Table",
            CHANGES,
            lambda plan, rule, scope: [
                *_each("aws_dynamodb_table", _table_pitr)(plan, rule, scope),
                *_each("aws_dynamodb_table_replica", _table_pitr)(plan, rule, scope),
            ],
        ),
        ManagedRule(
            "LAMBDA_INSIDE_VPC",
            "lambda-inside-vpc",
            "AWS::Lambda::Function",
            CHANGES,
            _each("aws_lambda_function", _function_in_vpc),
        ),
        ManagedRule("CLOUD_TRAIL_ENABLED", "cloudtrail-enabled", "AWS::::Account", PERIODIC, _trail_enabled),
        ManagedRule(
            "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
            "cloudwatch-log-group-encrypted",
            "AWS::Logs::LogGroup",
            PERIODIC,
            _each("aws_cloudwatch_log_group", _log_group_encrypted),
        ),
        ManagedRule(
            "CMK_BACKING_KEY_ROTATION_ENABLED",
            "cmk-backing-key-rotation-enabled",
            "AWS::KMS::Key",
            PERIODIC,
            _each("aws_kms_key", _key_rotates),
        ),
        ManagedRule("IAM_PASSWORD_POLICY", "iam-password-policy", "AWS::::Account", PERIODIC, _password_policy),
        ManagedRule(
            "ROOT_ACCOUNT_MFA_ENABLED",
            "root-account-mfa-enabled",
            "AWS::::Account",
            PERIODIC,
            None,
            outside="the root user's MFA device, which only the account's owner can register",
        ),
    )
}


def _identifier(config_rule: dict) -> str:
    return config_rule["source"]["source_identifier"]


def evaluate(document: dict, identifier: str, scope: dict | None = None) -> list[Finding]:
    """The findings of managed rule `identifier` (with `scope`) against the planned `document`."""
    rule = RULES[identifier]
    if rule.evaluate is None:
        return []
    return rule.evaluate(Plan(document), identifier, scope if rule.trigger == CHANGES else None)


def deployed_findings(document: dict) -> list[Finding]:
    """Every finding of every managed rule the stack deploys, each with its own scope."""
    findings = []
    for config_rule in (r.body for r in Plan(document).resources("aws_config_config_rule")):
        if config_rule["source"]["owner"] == "AWS":
            findings += evaluate(document, _identifier(config_rule), config_rule.get("scope"))
    return findings
