"""S3 storage classes, as the stack's buckets and replication use them.

Sources: Amazon S3 User Guide, "Understanding and managing Amazon S3 storage classes" (minimum
storage durations: S3 Standard-IA and One Zone-IA 30 days, with a 128 KB minimum billable object
size; Glacier Instant Retrieval and Glacier Flexible Retrieval 90 days; Glacier Deep Archive 180
days: an object deleted or moved earlier is charged for the rest), and the S3 API Reference,
`Destination.StorageClass` (the classes a replication rule may write replicas in).
"""

from __future__ import annotations

MINIMUM_STORAGE_DAYS = {
    "STANDARD": 0,
    "INTELLIGENT_TIERING": 0,
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "GLACIER_IR": 90,
    "GLACIER": 90,
    "DEEP_ARCHIVE": 180,
}
# The replica classes offered for the log archive's replicas (not REDUCED_REDUNDANCY, which AWS no
# longer recommends, nor the Outposts, Snow and Express One Zone classes, which need other hardware
# or directory buckets).
REPLICA_STORAGE_CLASSES = tuple(MINIMUM_STORAGE_DAYS)
