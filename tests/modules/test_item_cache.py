"""The item cache, synthesized in a tiny stack (key, private network, one function in it, the
cache and the alerts its alarms go to); checked on the JSON, by the security rules, by `terraform
validate`, by `terraform test` (mocked provider: the member clusters the alarms watch) and by
checkov."""

import json
import shutil
import textwrap

import pytest
from cdktf import TerraformLocal, TerraformOutput, TerraformVariable

from modules.account import AwsAccount
from modules.alerts import Alerts, AlertsProps
from modules.encryption import EncryptionKey, EncryptionKeyProps, KeyConsumers, key_policy_statements
from modules.iam import Statement
from modules.item_cache import ItemCache, ItemCacheProps
from modules.private_network import PrivateNetwork
from tapgen.aws_rules.quotas import ELASTICACHE_MAX_CLIENTS
from tapgen.placement import REGIONS, RegionScope
from tapgen.security import rules
from tests.modules import harness
from tests.modules.test_private_network import ARCHIVE_CONTENT, NETWORK, function_in, network_props
from tests.terraform.conftest import TFTEST_DIR

PRIMARY = REGIONS[0]
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
CACHE = "tap_stack_cache"
CACHE_ID = "${local.name_prefix}-cache"
KEY = "${aws_kms_key.tap_stack_kms.arn}"
FUNCTIONS = f"${{aws_security_group.{NETWORK}_functions.id}}"
CACHE_GROUP = f"${{aws_security_group.{CACHE}_security_group.id}}"
VALKEY = {"ip_protocol": "tcp", "from_port": 6379, "to_port": 6379}
# What the construct must satisfy in checkov.
CACHE_CHECKS = (
    "CKV_AWS_29",  # the replication group is encrypted at rest
    "CKV_AWS_30",  # ... and in transit
    "CKV_AWS_31",  # ... with authentication (checkov accepts the RBAC user group in place of an auth token)
    "CKV_AWS_191",  # ... at rest with a customer-managed key
    "CKV_AWS_23",  # every security group and rule has a description
    "CKV2_AWS_5",  # every security group is attached to something
    "CKV_AWS_158",  # the log groups are KMS-encrypted
    "CKV_AWS_66",  # ... with a retention
    "CKV_AWS_338",  # ... of a year or more
)
# The check the construct fails by design: it wants automatic failover as a literal true, which
# is an expression here (on exactly when node_count > 1: a single node has nothing to fail over to).
KNOWN_FAILURE = "CKV2_AWS_50"


def cache_props(**overrides) -> ItemCacheProps:
    props = {
        "name": CACHE,
        "cache_id": "tap-dev-cache",
        "vpc_id": "vpc",
        "subnet_ids": ("a", "b"),
        "function_security_group_id": "functions",
        "kms_key_arn": "key",
        "node_type": "cache.t4g.small",
        "node_count": 2,
        "log_retention_days": 365,
    }
    return ItemCacheProps(**{**props, **overrides})


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[ItemCache]:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("item_cache"))
    prefix = TerraformLocal(stack, "name_prefix", "tap-dev")
    TerraformVariable(stack, "vpc_cidr", type="string", default="10.20.0.0/16")
    node_type = TerraformVariable(stack, "cache_node_type", type="string", default="cache.t4g.small")
    node_count = TerraformVariable(stack, "cache_node_count", type="number", default=2)
    scope = RegionScope(stack, PRIMARY, None)
    key = EncryptionKey(
        scope,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNT),
    )
    network = PrivateNetwork(scope, network_props("", ACCOUNT, key.arn))
    function_in(scope, network, ACCOUNT, key.arn)
    cache = ItemCache(
        scope,
        ItemCacheProps(
            name=CACHE,
            cache_id=f"{prefix.as_string}-cache",
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.subnet_ids),
            function_security_group_id=network.function_security_group_id,
            kms_key_arn=key.arn,
            node_type=node_type.string_value,
            node_count=node_count.number_value,
            log_retention_days=365,
        ),
    )
    for output in ("arn", "endpoint", "port", "cache_id", "user_id", "user_arn", "security_group_id"):
        TerraformOutput(stack, f"cache_{output}", value=getattr(cache, output))
    # The cache's alarms as the region hands them to its alerts.
    Alerts(
        scope,
        AlertsProps(
            name="tap_stack_alerts",
            topic_name=f"{prefix.as_string}-alerts",
            alarm_name_prefix=prefix.as_string,
            kms_key_arn=key.arn,
            alarm_email="",
            account=ACCOUNT,
            alarms=cache.alarms,
        ),
    )
    # The archive the function's precondition hashes.
    return harness.synthesize(stack, cache, beside={"function.zip": ARCHIVE_CONTENT})


def group_of(resources: dict) -> dict:
    return resources["aws_elasticache_replication_group"][CACHE]


def test_valkey_in_the_private_subnets(resources):
    group = group_of(resources)
    assert (group["replication_group_id"], group["engine"], group["engine_version"]) == (CACHE_ID, "valkey", "8.0")
    assert (group["node_type"], group["port"]) == ("${var.cache_node_type}", 6379)
    assert group["subnet_group_name"] == f"${{aws_elasticache_subnet_group.{CACHE}_subnets.name}}"
    subnets = resources["aws_elasticache_subnet_group"][f"{CACHE}_subnets"]
    assert subnets["name"] == CACHE_ID
    assert subnets["subnet_ids"] == [f"${{aws_subnet.{NETWORK}_private_{zone}.id}}" for zone in "ab"]
    assert group["security_group_ids"] == [CACHE_GROUP]


def test_encrypted_in_transit_always_and_at_rest_with_the_key(resources):
    group = group_of(resources)
    assert group["transit_encryption_enabled"] is True
    assert group["transit_encryption_mode"] == "required"
    assert (group["at_rest_encryption_enabled"], group["kms_key_id"]) == ("true", KEY)
    assert "auth_token" not in group


def test_replicas_fail_over_across_zones_exactly_when_there_are_several_nodes(resources):
    group = group_of(resources)
    assert group["num_cache_clusters"] == "${var.cache_node_count}"
    assert group["automatic_failover_enabled"] == "${(var.cache_node_count > 1)}"
    assert group["multi_az_enabled"] == "${(var.cache_node_count > 1)}"


def test_maintained_and_backed_up_without_surprise_restarts(resources):
    group = group_of(resources)
    assert group["auto_minor_version_upgrade"] == "true"
    assert group["snapshot_retention_limit"] >= 1
    assert group["apply_immediately"] is False


def test_logs_are_delivered_as_json_into_encrypted_log_groups(resources):
    logs = resources["aws_cloudwatch_log_group"]
    assert group_of(resources)["log_delivery_configuration"] == [
        {
            "destination": f"${{aws_cloudwatch_log_group.{CACHE}_{kind.replace('-', '_')}.name}}",
            "destination_type": "cloudwatch-logs",
            "log_format": "json",
            "log_type": kind,
        }
        for kind in ("slow-log", "engine-log")
    ]
    for kind in ("slow-log", "engine-log"):
        log_group = logs[f"{CACHE}_{kind.replace('-', '_')}"]
        assert log_group == {
            **log_group,
            "name": f"/aws/elasticache/{CACHE_ID}/{kind}",
            "kms_key_id": KEY,
            "retention_in_days": 365,
        }


def settings(rule: dict) -> dict:
    """A rule's settings without its description and CDKTF's metadata."""
    return {key: value for key, value in rule.items() if key not in ("description", "//")}


def test_only_valkey_from_the_functions_and_nothing_out_of_the_cache(resources):
    group = resources["aws_security_group"][f"{CACHE}_security_group"]
    assert group["vpc_id"] == f"${{aws_vpc.{NETWORK}.id}}"
    assert group["description"]
    assert "ingress" not in group and "egress" not in group
    ingress = resources["aws_vpc_security_group_ingress_rule"]
    egress = resources["aws_vpc_security_group_egress_rule"]
    into_cache = {name: rule for name, rule in ingress.items() if rule["security_group_id"] == CACHE_GROUP}
    assert {name: settings(rule) for name, rule in into_cache.items()} == {
        f"{CACHE}_ingress": {"security_group_id": CACHE_GROUP, "referenced_security_group_id": FUNCTIONS, **VALKEY}
    }
    assert not [rule for rule in egress.values() if rule["security_group_id"] == CACHE_GROUP]
    to_cache = egress[f"{CACHE}_function_egress"]
    assert settings(to_cache) == {"security_group_id": FUNCTIONS, "referenced_security_group_id": CACHE_GROUP, **VALKEY}
    assert into_cache[f"{CACHE}_ingress"]["description"] and to_cache["description"]


def test_the_function_user_authenticates_with_iam_on_the_item_keys_only(resources):
    user = resources["aws_elasticache_user"][f"{CACHE}_user"]
    assert user["user_id"] == user["user_name"] == f"{CACHE_ID}-crud"
    assert user["engine"] == "redis"
    assert user["authentication_mode"] == {"type": "iam"}
    assert user["access_string"] == "on ~tap:item:* -@all +hmget +hset +del +expire +eval"
    assert "passwords" not in user


def test_the_default_user_is_off(resources):
    default = resources["aws_elasticache_user"][f"{CACHE}_default_user"]
    assert (default["user_id"], default["user_name"]) == (f"{CACHE_ID}-default", "default")
    assert default["access_string"] == "off -@all"
    assert default["no_password_required"] is True and "authentication_mode" not in default


def test_the_user_group_holds_both_users_and_serves_the_cache(resources):
    users = resources["aws_elasticache_user_group"][f"{CACHE}_users"]
    assert (users["user_group_id"], users["engine"]) == (f"{CACHE_ID}-users", "redis")
    assert users["user_ids"] == [
        f"${{aws_elasticache_user.{CACHE}_default_user.user_id}}",
        f"${{aws_elasticache_user.{CACHE}_user.user_id}}",
    ]
    assert group_of(resources)["user_group_ids"] == [f"${{aws_elasticache_user_group.{CACHE}_users.user_group_id}}"]


def test_outputs(synthesized, document):
    cache = synthesized.built
    assert cache.replication_group.terraform_resource_type == "aws_elasticache_replication_group"
    assert [log_group.terraform_resource_type for log_group in cache.log_groups] == ["aws_cloudwatch_log_group"] * 2
    outputs = {name: body["value"] for name, body in document["output"].items()}
    assert outputs == {
        "cache_arn": f"${{aws_elasticache_replication_group.{CACHE}.arn}}",
        "cache_endpoint": f"${{aws_elasticache_replication_group.{CACHE}.primary_endpoint_address}}",
        "cache_port": 6379,
        "cache_cache_id": f"${{aws_elasticache_replication_group.{CACHE}.replication_group_id}}",
        "cache_user_id": f"${{aws_elasticache_user.{CACHE}_user.user_id}}",
        "cache_user_arn": f"${{aws_elasticache_user.{CACHE}_user.arn}}",
        "cache_security_group_id": CACHE_GROUP,
    }


def test_the_connect_statement_names_the_cache_and_the_user(synthesized):
    cache = synthesized.built
    assert cache.connect_statement == Statement(
        "ConnectToItemCache", ("elasticache:Connect",), (cache.arn, cache.user_arn)
    )


def test_the_key_lets_elasticache_use_it_through_the_service_only(resources):
    policy = json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    grants = {s["Sid"]: s for s in policy["Statement"]}
    account = {"AWS": ["arn:aws:iam::123456789012:root"]}
    assert grants["ElastiCacheEncryptsStackCaches"] == {
        "Sid": "ElastiCacheEncryptsStackCaches",
        "Effect": "Allow",
        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
        "Resource": ["*"],
        "Principal": account,
        "Condition": {
            "StringEquals": {
                "kms:ViaService": ["elasticache.us-east-1.amazonaws.com"],
                "kms:CallerAccount": ["123456789012"],
            }
        },
    }
    create_grant = grants["ServicesCreateGrantsForStackResources"]
    assert create_grant["Principal"] == account
    assert "elasticache.us-east-1.amazonaws.com" in create_grant["Condition"]["StringEquals"]["kms:ViaService"]
    assert create_grant["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": ["true"]}


def test_a_key_without_a_cache_grants_elasticache_nothing():
    statements = key_policy_statements(ACCOUNT, KeyConsumers(tables=("tap-dev-items",)))
    assert "ElastiCacheEncryptsStackCaches" not in {s.sid for s in statements}
    (create_grant,) = [s for s in statements if s.sid == "ServicesCreateGrantsForStackResources"]
    assert create_grant.conditions[0].values == ("dynamodb.us-east-1.amazonaws.com",)


def test_a_cache_the_key_policy_does_not_name_is_found(document):
    key = document["resource"]["aws_kms_key"]["tap_stack_kms"]
    policy = json.loads(key["policy"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Sid"] != "ElastiCacheEncryptsStackCaches"]
    keys = {**document["resource"]["aws_kms_key"], "tap_stack_kms": {**key, "policy": json.dumps(policy)}}
    unnamed = {**document, "resource": {**document["resource"], "aws_kms_key": keys}}
    assert [(f.rule, f.address, f.message) for f in rules.kms_key_policies_name_every_consumer(unnamed)] == [
        (
            "kms_key_policies_name_every_consumer",
            f"aws_elasticache_replication_group.{CACHE}",
            "encrypted with aws_kms_key.tap_stack_kms, whose policy does not name it",
        )
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"cache_id": "Tap-Cache"},
            "tap_stack_cache: cache_id must be at most 40 lowercase letters, digits and single hyphens, "
            "starting with a letter, not 'Tap-Cache'",
        ),
        (
            {"cache_id": "t" * 41},
            "tap_stack_cache: cache_id must be at most 40 lowercase letters, digits and single hyphens, "
            f"starting with a letter, not {'t' * 41!r}",
        ),
        (
            {"cache_id": "tap--cache"},
            "tap_stack_cache: cache_id must be at most 40 lowercase letters, digits and single hyphens, "
            "starting with a letter, not 'tap--cache'",
        ),
        ({"node_count": 0}, "tap_stack_cache: node_count must be between 1 and 6, not 0"),
        ({"node_count": 7}, "tap_stack_cache: node_count must be between 1 and 6, not 7"),
    ],
)
def test_a_literal_id_or_node_count_out_of_range_is_refused(overrides, message):
    with pytest.raises(ValueError) as refused:
        cache_props(**overrides)
    assert str(refused.value) == message


def test_literal_values_within_range_are_accepted():
    assert cache_props(cache_id="t" * 40, node_count=6).node_count == 6
    assert cache_props(cache_id="tap-dev-cache-1", node_count=1).cache_id == "tap-dev-cache-1"


ALARMS = {
    # alarm: (metric, statistic, threshold, evaluation periods)
    "engine_cpu": ("EngineCPUUtilization", "Average", 90, 5),
    "memory": ("DatabaseMemoryUsagePercentage", "Average", 80, 5),
    "evictions": ("Evictions", "Sum", 1, 1),
    "connections": ("CurrConnections", "Maximum", 52_000, 1),
}
MEMBER = "(count.index + 1)"


def test_every_member_cluster_has_each_alarm_on_its_own_id(resources):
    alarms = resources["aws_cloudwatch_metric_alarm"]
    assert sorted(alarms) == sorted(f"{CACHE}_{alarm}_alarm" for alarm in ALARMS)
    for alarm, (metric, statistic, threshold, periods) in ALARMS.items():
        body = alarms[f"{CACHE}_{alarm}_alarm"]
        assert body["count"] == "${var.cache_node_count}"
        assert body["alarm_name"] == f"${{local.name_prefix}}-cache-{alarm.replace('_', '-')}-alarm-${{{MEMBER}}}"
        assert body["dimensions"] == {
            "CacheClusterId": f'${{format("%s-%03d", aws_elasticache_replication_group.{CACHE}.replication_group_id, '
            f"{MEMBER})}}"
        }
        assert (body["namespace"], body["metric_name"], body["statistic"]) == ("AWS/ElastiCache", metric, statistic)
        assert (body["threshold"], body["evaluation_periods"], body["period"]) == (threshold, periods, 60)
        assert body["alarm_actions"] == body["ok_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"]
        assert body["alarm_description"]


def test_the_connections_alarm_fires_at_80_percent_of_what_a_node_accepts(synthesized):
    (connections,) = [spec for spec in synthesized.built.alarms if spec.metric == "CurrConnections"]
    assert connections.threshold == ELASTICACHE_MAX_CLIENTS * 80 // 100 == 52_000


# A node count none of the variable's default: the alarms must follow it.
NODES = 3


def member_asserts(alarm: str) -> str:
    """`terraform test` assertions: one `alarm` per member, each on its member's id and named by it."""
    alarms = f"aws_cloudwatch_metric_alarm.{CACHE}_{alarm}_alarm"
    members = json.dumps([f"tap-dev-cache-{n:03d}" for n in range(1, NODES + 1)])
    names = json.dumps([f"tap-dev-cache-{alarm.replace('_', '-')}-alarm-{n}" for n in range(1, NODES + 1)])
    return textwrap.dedent(f"""\
      assert {{
        condition     = [for a in {alarms} : a.dimensions["CacheClusterId"]] == {members}
        error_message = "the {alarm} alarms must watch the member clusters"
      }}
      assert {{
        condition     = [for a in {alarms} : a.alarm_name] == {names}
        error_message = "each {alarm} alarm must be named by its member"
      }}
    """)


@pytest.fixture(scope="module")
def planned(synthesized) -> str:
    """`terraform test` (the stack tests' provider mocks, plan only): the alarms Terraform plans for
    `NODES` nodes."""
    directory = synthesized.directory
    (directory / "tests").mkdir()
    shutil.copy(TFTEST_DIR / "aws.tfmock.hcl", directory / "tests")
    asserts = "".join(member_asserts(alarm) for alarm in ALARMS)
    mocks = 'mock_provider "aws" {\n  source = "./tests"\n}\n'
    return harness.terraform_test(directory, mocks, "members", {"cache_node_count": NODES}, asserts)


def test_terraform_plans_one_alarm_per_member_cluster(planned):
    assert "1 passed, 0 failed" in planned


def test_checkov_passes_the_cache_checks_and_fails_only_the_known_one(synthesized):
    failed, passed = harness.checkov(synthesized.directory, (*CACHE_CHECKS, KNOWN_FAILURE))
    assert failed == [(KNOWN_FAILURE, f"aws_elasticache_replication_group.{CACHE}")]
    # checkov names a resource of a JSON configuration `resource.<name>` in most checks.
    passed_by_cache = {(check, resource.rsplit(".", 1)[-1]) for check, resource in passed if CACHE in resource}
    assert passed_by_cache == {
        *((check, CACHE) for check in ("CKV_AWS_29", "CKV_AWS_30", "CKV_AWS_31", "CKV_AWS_191")),
        *(("CKV_AWS_23", f"{CACHE}_{rule}") for rule in ("security_group", "ingress", "function_egress")),
        ("CKV2_AWS_5", f"{CACHE}_security_group"),
        *(
            (check, f"{CACHE}_{log}")
            for check in ("CKV_AWS_158", "CKV_AWS_66", "CKV_AWS_338")
            for log in ("slow_log", "engine_log")
        ),
    }
