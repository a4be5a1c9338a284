"""An S3 bucket hardened without flags: owner-enforced, private, versioned, SSE-KMS with a bucket
key, TLS-only, with a lifecycle. Every bucket of the stack is one of these."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.iam import Condition, Principal, Statement, policy_document
from tapgen.aws import aws

IA_AFTER_DAYS = 30
GLACIER_AFTER_DAYS = 90
NONCURRENT_EXPIRY_DAYS = 30
ABORT_MULTIPART_DAYS = 7


@dataclass(frozen=True)
class SecureBucketProps:
    """`expiration_days` is a number or a Terraform number expression; it must exceed 90."""

    name: str
    bucket_name: str
    kms_key_arn: str
    expiration_days: float | str
    extra_statements: tuple[Statement, ...] = ()


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


class SecureBucket(Construct):
    """Outputs: `bucket` (`aws_s3_bucket`), `arn`, `id`, `name`, and `ready` (resources to depend on
    before writing objects: encryption, public-access block and policy)."""

    def __init__(self, scope: Construct, props: SecureBucketProps) -> None:
        super().__init__(scope, props.name)
        name = props.name
        self.bucket = aws.s3_bucket.S3Bucket(self, name, bucket=props.bucket_name)
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
        versioning = aws.s3_bucket_versioning.S3BucketVersioningA(
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
        self._lifecycle(props, depends_on=versioning)
        document = policy_document(
            self, f"{name}_policy_document", tls_only_statements(self.arn) + list(props.extra_statements)
        )
        policy = aws.s3_bucket_policy.S3BucketPolicy(
            self, f"{name}_policy", bucket=self.id, policy=document.json, depends_on=[public_access]
        )
        self.ready = [encryption, public_access, policy]

    def _lifecycle(self, props: SecureBucketProps, depends_on) -> None:
        lc = aws.s3_bucket_lifecycle_configuration
        lc.S3BucketLifecycleConfiguration(
            self,
            f"{props.name}_lifecycle",
            bucket=self.id,
            depends_on=[depends_on],
            rule=[
                lc.S3BucketLifecycleConfigurationRule(
                    id="archive-then-expire",
                    status="Enabled",
                    filter=[lc.S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    transition=[
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
                            noncurrent_days=NONCURRENT_EXPIRY_DAYS
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
