"""Where the stack's buckets keep their objects over their life, by S3's storage classes
(`tapgen/aws_rules/s3_storage.py`), on the largest combination's JSON: short-lived data stays in S3
Standard until it expires (its retention may be one day: tests/terraform/messages/); the log
archive moves to colder classes; replicas are written in the class the variable names."""

from __future__ import annotations

import itertools
import re

import pytest

from tapgen.aws_rules.s3_storage import MINIMUM_STORAGE_DAYS
from tapgen.combinations import LARGEST

# Buckets whose objects are kept days to weeks (query results, canary run artifacts).
SHORT_LIVED = ("tap_stack_canary_artifacts", "tap_stack_log_analytics_results")
BUCKET_REFERENCE = re.compile(r"^\$\{aws_s3_bucket\.([a-z0-9_]+)\.id\}$")


@pytest.fixture(scope="module")
def document(synth_of) -> dict:
    return synth_of(**LARGEST).document


def lifecycle_rules(document: dict) -> dict[str, dict]:
    """Each bucket's one lifecycle rule, by the bucket's Terraform name."""
    lifecycles = document["resource"]["aws_s3_bucket_lifecycle_configuration"].values()
    return {BUCKET_REFERENCE.match(body["bucket"])[1]: body["rule"][0] for body in lifecycles}


def primary_name(name: str) -> str:
    return name.removesuffix("_secondary").removesuffix("_tertiary")


def test_short_lived_buckets_keep_their_objects_in_standard_until_they_expire(document):
    short = {name: rule for name, rule in lifecycle_rules(document).items() if primary_name(name) in SHORT_LIVED}
    assert len(short) == 6, sorted(short)  # canary artifacts and query results in three regions
    for name, rule in short.items():
        assert not rule.get("transition"), name
        assert rule["expiration"][0]["days"].startswith("${var."), name


def test_the_log_archive_moves_to_colder_classes_each_after_the_one_before_has_paid_its_minimum(document):
    rules = lifecycle_rules(document)
    archives = {name: rule for name, rule in rules.items() if primary_name(name) == "tap_stack_logs"}
    assert len(archives) == 3
    for name, rule in archives.items():
        steps = [(0, "STANDARD")] + [(t["days"], t["storage_class"]) for t in rule["transition"]]
        assert [cls for _, cls in steps] == ["STANDARD", "STANDARD_IA", "GLACIER"], name
        for (since, held), (until, _) in itertools.pairwise(steps):
            assert until - since >= MINIMUM_STORAGE_DAYS[held], (name, held)


def test_replicas_are_written_in_the_class_the_variable_names(document):
    (replication,) = document["resource"]["aws_s3_bucket_replication_configuration"].values()
    classes = {rule["destination"]["storage_class"] for rule in replication["rule"]}
    assert classes == {"${var.log_replica_storage_class}"}
    assert document["variable"]["log_replica_storage_class"]["default"] == "STANDARD_IA"
