"""Cross-region replication of the log archive: every new object version and delete marker of the
source bucket is copied to each destination bucket (a `SecureBucket` in another region), encrypted
there with that region's key.

One `aws_s3_bucket_replication_configuration` on the source holds one rule per destination (an empty
`filter`, so the whole bucket; a distinct priority; delete-marker replication; SSE-KMS objects
included; the destination's key as `replica_kms_key_id`). S3 refuses a replication configuration
unless versioning is enabled on both sides, so it waits for every bucket's versioning.

The replication role may only read versions for replication from the source, write replicas, delete
markers and tags into the destinations, decrypt with the source key and encrypt with each destination
key, each key use only through S3 in that key's region and for that bucket (`kms:ViaService` and the
`aws:s3:arn` encryption context, which is the bucket ARN when the bucket uses an S3 Bucket Key and
the object ARN otherwise).

An archive bucket's policy (`modules.secure_bucket.TAMPER_ACTIONS`) does not stand in the way: S3
authorises replication by the s3:Replicate* and s3:GetObjectVersion*ForReplication actions, none of
which it denies; a delete marker reaches a destination by s3:ReplicateDelete, not s3:DeleteObject.
Deletions of a specific version are never replicated, so erasing the source cannot erase a copy.
Delete markers that the source's lifecycle creates are not replicated either; each destination
expires its objects with its own lifecycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, ServiceRole, ServiceRoleProps, Statement
from tapgen.aws import aws

S3_PRINCIPAL = "s3.amazonaws.com"
# What S3 reads from the source to replicate a version: the version itself with its ACL and tags,
# and, when the archive's Object Lock is on, its retention and legal hold, which replicas keep.
SOURCE_OBJECT_ACTIONS = (
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
)
REPLICA_ACTIONS = ("s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags")


@dataclass(frozen=True)
class ReplicaBucket:
    """One destination. `region` is its region's name (an expression), `kms_key_arn` that region's
    key and `versioning` the bucket's `aws_s3_bucket_versioning` (`SecureBucket.versioning`)."""

    bucket_arn: str
    kms_key_arn: str
    region: str
    versioning: object


@dataclass(frozen=True, kw_only=True)
class LogReplicationProps:
    """`name` is the Terraform name of the replication configuration (`tap_stack_log_replication`);
    the role is `<name>_role`, physically `role_name`. `account` is the source bucket's region."""

    name: str
    role_name: str
    source_bucket_id: str
    source_bucket_arn: str
    source_kms_key_arn: str
    source_versioning: object
    destinations: tuple[ReplicaBucket, ...]
    account: AwsAccount
    storage_class: str = "STANDARD"  # or a Terraform string expression

    def __post_init__(self) -> None:
        if not self.destinations:
            raise ValueError(f"{self.name}: replication needs at least one destination bucket")


def _objects_of(bucket_arn: str) -> tuple[str, ...]:
    """A bucket's values of `kms:EncryptionContext:aws:s3:arn`: the bucket (Bucket Key) or an object."""
    return (bucket_arn, f"{bucket_arn}/*")


def _key_use(sid: str, action: str, key_arn: str, bucket_arn: str, region: str, account: AwsAccount) -> Statement:
    return Statement(
        sid,
        (action,),
        (key_arn,),
        conditions=(
            Condition("StringEquals", "kms:ViaService", (f"s3.{region}.{account.dns_suffix}",)),
            Condition("ArnLike", "kms:EncryptionContext:aws:s3:arn", _objects_of(bucket_arn)),
        ),
    )


def replication_statements(props: LogReplicationProps) -> list[Statement]:
    """The replication role's permissions: least privilege for the source and each destination."""
    account = props.account
    destinations = props.destinations
    statements = [
        Statement(
            "ReadReplicationConfiguration",
            ("s3:GetReplicationConfiguration", "s3:ListBucket"),
            (props.source_bucket_arn,),
        ),
        Statement("ReadSourceVersions", SOURCE_OBJECT_ACTIONS, (f"{props.source_bucket_arn}/*",)),
        Statement("WriteReplicas", REPLICA_ACTIONS, tuple(f"{d.bucket_arn}/*" for d in destinations)),
        _key_use(
            "DecryptSourceObjects",
            "kms:Decrypt",
            props.source_kms_key_arn,
            props.source_bucket_arn,
            account.region,
            account,
        ),
    ]
    statements += [
        _key_use(f"EncryptReplicas{index}", "kms:Encrypt", d.kms_key_arn, d.bucket_arn, d.region, account)
        for index, d in enumerate(destinations, start=1)
    ]
    return statements


class LogReplication(Construct):
    """Outputs: `configuration` (`aws_s3_bucket_replication_configuration`), `role` (the
    `modules.iam.ServiceRole`)."""

    def __init__(self, scope: Construct, props: LogReplicationProps) -> None:
        super().__init__(scope, props.name)
        # S3 assumes the role for this source bucket of this account only (S3 User Guide, "Setting up
        # permissions for live replication": aws:SourceAccount and aws:SourceArn against a confused deputy).
        self.role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_role",
                role_name=props.role_name,
                service=S3_PRINCIPAL,
                statements=tuple(replication_statements(props)),
                trust_conditions=(
                    Condition("StringEquals", "aws:SourceAccount", (props.account.account_id,)),
                    Condition("ArnLike", "aws:SourceArn", (props.source_bucket_arn,)),
                ),
            ),
        )
        rc = aws.s3_bucket_replication_configuration
        self.configuration = rc.S3BucketReplicationConfigurationA(
            self,
            props.name,
            bucket=props.source_bucket_id,
            role=self.role.arn,
            rule=[
                rc.S3BucketReplicationConfigurationRule(
                    id=f"archive-to-{destination.region}",
                    priority=priority,
                    status="Enabled",
                    filter=rc.S3BucketReplicationConfigurationRuleFilter(),
                    delete_marker_replication=rc.S3BucketReplicationConfigurationRuleDeleteMarkerReplication(
                        status="Enabled"
                    ),
                    source_selection_criteria=rc.S3BucketReplicationConfigurationRuleSourceSelectionCriteria(
                        sse_kms_encrypted_objects=rc.S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects(
                            status="Enabled"
                        )
                    ),
                    destination=rc.S3BucketReplicationConfigurationRuleDestination(
                        bucket=destination.bucket_arn,
                        storage_class=props.storage_class,
                        encryption_configuration=rc.S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration(
                            replica_kms_key_id=destination.kms_key_arn
                        ),
                    ),
                )
                for priority, destination in enumerate(props.destinations, start=1)
            ],
            # The policy must exist before S3 first assumes the role to replicate.
            depends_on=[props.source_versioning, *(d.versioning for d in props.destinations), self.role.policy],
        )
