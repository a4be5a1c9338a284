"""An S3 bucket hardened without flags: owner-enforced, private, versioned, SSE-KMS with a bucket
key, TLS-only, with a lifecycle that keeps non-current versions as long as current ones. Every
bucket of the stack is one of these.

An archive bucket (`SecureBucketProps.archive`) also cannot be quietly erased: its policy denies
deleting objects or versions, bypassing governance retention, and changing the lifecycle,
versioning, object lock or the policy itself, to everyone but one named break-glass principal
(none by default), and S3 Object Lock can be turned on by a variable: in GOVERNANCE mode (the
break-glass principal may still delete a locked version) or COMPLIANCE mode (nobody can, the root
user included, until the retention ends).
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Token
from constructs import Construct

from modules.iam import Condition, Principal, Statement, policy_document
from tapgen.aws import aws

IA_AFTER_DAYS = 30
GLACIER_AFTER_DAYS = 90
ABORT_MULTIPART_DAYS = 7
# What would erase an archive or let someone erase it later. `s3:PutLifecycleConfiguration` also
# covers DeleteBucketLifecycle; `s3:PutBucketVersioning` suspending versioning.
TAMPER_ACTIONS = (
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:BypassGovernanceRetention",
    "s3:PutLifecycleConfiguration",
    "s3:PutBucketVersioning",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:DeleteBucket",
)
# S3 Object Lock retention modes (S3 User Guide, "Retention modes").
OBJECT_LOCK_MODES = ("GOVERNANCE", "COMPLIANCE")
# Stands for "no break-glass principal": never the ARN of a principal (every aws:PrincipalArn
# starts with `arn:`), so the deny then applies to everyone.
NO_BREAK_GLASS_PRINCIPAL = "(no break-glass principal)"


@dataclass(frozen=True)
class ArchiveProtection:
    """`break_glass_principal_arn`: a string expression, empty for nobody. `object_lock`: a bool
    expression; when true, new object versions are locked for the bucket's expiration days, in
    `object_lock_mode` (one of `OBJECT_LOCK_MODES`, or a string expression that is).
    `tamper_protection`: a bool expression; when false (a throwaway stack), the policy has no
    tamper deny, so the bucket can be emptied and deleted like any other."""

    break_glass_principal_arn: str
    object_lock: object = False
    object_lock_mode: str = "GOVERNANCE"
    tamper_protection: object = True


@dataclass(frozen=True, kw_only=True)
class SecureBucketProps:
    """`expiration_days` is a number or a Terraform number expression; it must exceed 90, since
    objects move to Standard-IA at 30 days and to Glacier at 90, unless the bucket is `short_lived`
    (query results, run artifacts): its objects stay in S3 Standard until they expire, at any age,
    since a colder class would charge its minimum storage duration (`tapgen/aws_rules/s3_storage.py`)
    for data deleted soon after. Non-current versions expire as many days after they stop being current.
    `force_destroy` (a bool or a Terraform bool expression): whether `terraform destroy` first deletes
    every object version, so a bucket holding objects can go (a throwaway stack's)."""

    name: str
    bucket_name: str
    kms_key_arn: str
    expiration_days: float | str
    extra_statements: tuple[Statement, ...] = ()
    archive: ArchiveProtection | None = None
    short_lived: bool = False
    force_destroy: object = False


def tls_only_statements(bucket_arn: str) -> list[Statement]:
    everyone = (Principal("*", ("*",)),)
    resources = (bucket_arn, f"{bucket_arn}/*")
    return [
        Statement(
            "DenyInsecureTransport",
            ("s3:*",),
            resources,
            effect="Deny",
            principals=everyone,
            conditions=(Condition("Bool", "aws:SecureTransport", ("false",)),),
        ),
        Statement(
            "DenyOutdatedTls",
            ("s3:*",),
            resources,
            effect="Deny",
            principals=everyone,
            conditions=(Condition("NumericLessThan", "s3:TlsVersion", ("1.2",)),),
        ),
    ]


def tamper_deny_statement(bucket_arn: str, break_glass_principal_arn: str) -> Statement:
    """Deny everything that erases the archive to every principal but the break-glass one."""
    # coalesce() skips an empty string: no break-glass principal, no exemption.
    exempt = Token.as_string(Fn.coalesce([break_glass_principal_arn, NO_BREAK_GLASS_PRINCIPAL]))
    return Statement(
        "DenyArchiveTampering",
        TAMPER_ACTIONS,
        (bucket_arn, f"{bucket_arn}/*"),
        effect="Deny",
        principals=(Principal("*", ("*",)),),
        conditions=(Condition("StringNotEquals", "aws:PrincipalArn", (exempt,)),),
    )


class SecureBucket(Construct):
    """Outputs: `bucket` (`aws_s3_bucket`), `arn`, `id`, `name`, `ready` (resources to depend on
    before writing objects: encryption, public-access block and policy) and `versioning` (the
    `aws_s3_bucket_versioning`, which replication must wait for)."""

    def __init__(self, scope: Construct, props: SecureBucketProps) -> None:
        super().__init__(scope, props.name)
        name = props.name
        self.bucket = aws.s3_bucket.S3Bucket(self, name, bucket=props.bucket_name, force_destroy=props.force_destroy)
        self.arn = self.bucket.arn
        self.id = self.bucket.id
        self.name = self.bucket.bucket
        aws.s3_bucket_ownership_controls.S3BucketOwnershipControls(
            self,
            f"{name}_ownership",
            bucket=self.id,
            rule=aws.s3_bucket_ownership_controls.S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        public_access = aws.s3_bucket_public_access_block.S3BucketPublicAccessBlock(
            self,
            f"{name}_public_access_block",
            bucket=self.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        self.versioning = versioning = aws.s3_bucket_versioning.S3BucketVersioningA(
            self,
            f"{name}_versioning",
            bucket=self.id,
            versioning_configuration=aws.s3_bucket_versioning.S3BucketVersioningVersioningConfiguration(
                status="Enabled"
            ),
        )
        sse = aws.s3_bucket_server_side_encryption_configuration
        encryption = sse.S3BucketServerSideEncryptionConfigurationA(
            self,
            f"{name}_encryption",
            bucket=self.id,
            rule=[
                sse.S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=sse.S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=props.kms_key_arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        lifecycle = self._lifecycle(props, depends_on=versioning)
        statements = tls_only_statements(self.arn) + list(props.extra_statements)
        # The policy comes last: on an archive it forbids changing what it depends on.
        configured = [public_access, versioning, lifecycle]
        if props.archive is None:
            policy_json = policy_document(self, f"{name}_policy_document", statements).json
        else:
            configured.append(self._object_lock(props, depends_on=versioning))
            policy_json = self._archive_policy(props, statements)
        policy = aws.s3_bucket_policy.S3BucketPolicy(
            self, f"{name}_policy", bucket=self.id, policy=policy_json, depends_on=configured
        )
        self.ready = [encryption, public_access, policy]

    def _archive_policy(self, props: SecureBucketProps, statements: list[Statement]) -> str:
        """The policy with the tamper deny, or without it when `archive.tamper_protection` is false;
        an expression chooses between the two documents at plan time."""
        protection = props.archive.tamper_protection
        tamper_deny = tamper_deny_statement(self.arn, props.archive.break_glass_principal_arn)
        protected = policy_document(self, f"{props.name}_policy_document", [*statements, tamper_deny])
        if protection is True:
            return protected.json
        unprotected = policy_document(self, f"{props.name}_policy_document_unprotected", statements)
        return Token.as_string(Fn.conditional(protection, protected.json, unprotected.json))

    def _object_lock(self, props: SecureBucketProps, depends_on):
        """Default retention in the archive's mode, when `archive.object_lock` is true. S3 enables Object
        Lock on an existing versioned bucket through this configuration (the bucket is not replaced);
        once enabled it cannot be disabled again, and only new object versions are locked."""
        ol = aws.s3_bucket_object_lock_configuration
        return ol.S3BucketObjectLockConfigurationA(
            self,
            f"{props.name}_object_lock",
            count=Token.as_number(Fn.conditional(props.archive.object_lock, 1, 0)),
            bucket=self.id,
            object_lock_enabled="Enabled",
            rule=ol.S3BucketObjectLockConfigurationRuleA(
                default_retention=ol.S3BucketObjectLockConfigurationRuleDefaultRetentionA(
                    mode=props.archive.object_lock_mode, days=props.expiration_days
                )
            ),
            depends_on=[depends_on],
        )

    def _lifecycle(self, props: SecureBucketProps, depends_on):
        lc = aws.s3_bucket_lifecycle_configuration
        return lc.S3BucketLifecycleConfiguration(
            self,
            f"{props.name}_lifecycle",
            bucket=self.id,
            depends_on=[depends_on],
            rule=[
                lc.S3BucketLifecycleConfigurationRule(
                    id="expire" if props.short_lived else "archive-then-expire",
                    status="Enabled",
                    filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    transition=[]
                    if props.short_lived
                    else [
                        lc.S3BucketLifecycleConfigurationRuleTransition(
                            days=IA_AFTER_DAYS, storage_class="STANDARD_IA"
                        ),
                        lc.S3BucketLifecycleConfigurationRuleTransition(
                            days=GLACIER_AFTER_DAYS, storage_class="GLACIER"
                        ),
                    ],
                    expiration=[lc.S3BucketLifecycleConfigurationRuleExpiration(days=props.expiration_days)],
                    noncurrent_version_expiration=[
                        lc.S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.expiration_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        lc.S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=ABORT_MULTIPART_DAYS
                        )
                    ],
                )
            ],
        )
