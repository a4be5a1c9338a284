"""The DAX item cache, synthesized in a tiny stack (key, item table, private network, one function in
it and the cluster); checked on the JSON, by the security rules, by `terraform validate` and by
checkov."""

import pytest
from cdktf import TerraformLocal, TerraformOutput, TerraformVariable

from modules.account import AwsAccount
from modules.dax_cache import DaxCache, DaxCacheProps
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.iam import Condition, Statement
from modules.item_table import CapacityRange, ItemTable, ItemTableProps
from modules.private_network import PrivateNetwork
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness
from tests.modules.test_private_network import ARCHIVE_CONTENT, NETWORK, function_in, network_props

PRIMARY = REGIONS[0]
ACCOUNT = AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com")
DAX = "tap_stack_dax"
CLUSTER_NAME = "${local.name_prefix}-dax"
TABLE = "${aws_dynamodb_table.tap_stack_data.arn}"
KEY = "${aws_kms_key.tap_stack_kms.arn}"
FUNCTIONS = f"${{aws_security_group.{NETWORK}_functions.id}}"
DAX_GROUP = f"${{aws_security_group.{DAX}_security_group.id}}"
TLS_PORT = {"ip_protocol": "tcp", "from_port": 9111, "to_port": 9111}
# What the construct must satisfy in checkov.
DAX_CHECKS = (
    "CKV_AWS_47",  # the cluster is encrypted at rest
    "CKV_AWS_239",  # ... and its endpoint speaks TLS
    "CKV_AWS_23",  # every security group and rule has a description
    "CKV2_AWS_5",  # every security group is attached to something
    "CKV_AWS_60",  # the role trusts one service, not everyone
    "CKV_AWS_111",  # no write action on Resource "*"
    "CKV_AWS_356",  # no action on Resource "*" that could be scoped
)


def key_statement(table_name: str) -> Statement:
    """The grant to use the table's key through DynamoDB, as the stack gives the CRUD function."""
    return Statement(
        "UseTableKey",
        ("kms:Decrypt", "kms:GenerateDataKey"),
        (KEY,),
        conditions=(
            Condition("StringEquals", "kms:ViaService", ("dynamodb.us-east-1.amazonaws.com",)),
            Condition("StringEquals", "kms:EncryptionContext:aws:dynamodb:tableName", (table_name,)),
        ),
    )


def dax_props(**overrides) -> DaxCacheProps:
    props = {
        "name": DAX,
        "cluster_name": "tap-dev-dax",
        "role_name": "tap-dev-dax",
        "table_arn": "table",
        "table_key_statement": key_statement("tap-dev-items"),
        "vpc_id": "vpc",
        "subnet_ids": ("a", "b"),
        "function_security_group_id": "functions",
        "node_type": "dax.t3.small",
        "node_count": 3,
        "ttl_seconds": 300,
    }
    return DaxCacheProps(**{**props, **overrides})


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[DaxCache]:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("dax_cache"))
    prefix = TerraformLocal(stack, "name_prefix", "tap-dev")
    TerraformVariable(stack, "vpc_cidr", type="string", default="10.20.0.0/16")
    node_type = TerraformVariable(stack, "cache_node_type", type="string", default="dax.t3.small")
    node_count = TerraformVariable(stack, "cache_node_count", type="number", default=3)
    ttl = TerraformVariable(stack, "cache_ttl_seconds", type="number", default=300)
    scope = RegionScope(stack, PRIMARY, None)
    key = EncryptionKey(
        scope,
        EncryptionKeyProps(name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=ACCOUNT),
    )
    table = ItemTable(
        scope,
        ItemTableProps(
            name="tap_stack_data",
            table_name="tap-dev-items",
            kms_key_arn=key.arn,
            read_capacity=CapacityRange(5, 50),
            write_capacity=CapacityRange(5, 50),
            target_utilization_percent=70,
        ),
    )
    network = PrivateNetwork(scope, network_props("", ACCOUNT, key.arn))
    function_in(scope, network, ACCOUNT, key.arn)
    cache = DaxCache(
        scope,
        DaxCacheProps(
            name=DAX,
            cluster_name=f"{prefix.as_string}-dax",
            role_name=f"{prefix.as_string}-dax",
            table_arn=table.arn,
            table_key_statement=key_statement(table.name),
            vpc_id=network.vpc_id,
            subnet_ids=tuple(network.subnet_ids),
            function_security_group_id=network.function_security_group_id,
            node_type=node_type.string_value,
            node_count=node_count.number_value,
            ttl_seconds=ttl.number_value,
        ),
    )
    for output in ("arn", "cluster_address", "endpoint_url", "port", "security_group_id"):
        TerraformOutput(stack, f"dax_{output}", value=getattr(cache, output))
    # How the alarms' dimensions resolve once the stack hands the specs to its alerts.
    TerraformOutput(stack, "dax_alarm_dimensions", value=cache.alarms[0].dimensions)
    # The archive the function's precondition hashes.
    return harness.synthesize(stack, cache, beside={"function.zip": ARCHIVE_CONTENT})


def cluster_of(resources: dict) -> dict:
    return resources["aws_dax_cluster"][DAX]


def test_the_cluster_runs_in_the_private_subnets_with_its_own_group(resources):
    cluster = cluster_of(resources)
    assert cluster["cluster_name"] == CLUSTER_NAME
    assert (cluster["node_type"], cluster["replication_factor"]) == (
        "${var.cache_node_type}",
        "${var.cache_node_count}",
    )
    assert cluster["subnet_group_name"] == f"${{aws_dax_subnet_group.{DAX}_subnets.name}}"
    subnets = resources["aws_dax_subnet_group"][f"{DAX}_subnets"]
    assert subnets["name"] == CLUSTER_NAME
    assert subnets["subnet_ids"] == [f"${{aws_subnet.{NETWORK}_private_{zone}.id}}" for zone in "ab"]
    assert cluster["security_group_ids"] == [DAX_GROUP]
    assert cluster["description"]
    # DAX spreads the nodes over the subnet group's zones only when none are named.
    assert "availability_zones" not in cluster


def test_encrypted_at_rest_and_in_transit(resources):
    cluster = cluster_of(resources)
    assert cluster["server_side_encryption"] == {"enabled": True}
    assert cluster["cluster_endpoint_encryption_type"] == "TLS"


def test_items_and_queries_expire_after_the_ttl(resources):
    parameters = resources["aws_dax_parameter_group"][f"{DAX}_parameters"]
    assert parameters["name"] == CLUSTER_NAME
    assert parameters["parameters"] == [
        {"name": name, "value": "${(var.cache_ttl_seconds * 1000)}"}
        for name in ("record-ttl-millis", "query-ttl-millis")
    ]
    assert cluster_of(resources)["parameter_group_name"] == f"${{aws_dax_parameter_group.{DAX}_parameters.name}}"


def settings(rule: dict) -> dict:
    """A rule's settings without its description and CDKTF's metadata."""
    return {key: value for key, value in rule.items() if key not in ("description", "//")}


def test_only_tls_from_the_functions_and_nothing_out_of_the_cluster(resources):
    group = resources["aws_security_group"][f"{DAX}_security_group"]
    assert (group["name"], group["vpc_id"]) == (CLUSTER_NAME, f"${{aws_vpc.{NETWORK}.id}}")
    assert group["description"]
    assert "ingress" not in group and "egress" not in group
    ingress = resources["aws_vpc_security_group_ingress_rule"]
    egress = resources["aws_vpc_security_group_egress_rule"]
    into_cluster = {name: rule for name, rule in ingress.items() if rule["security_group_id"] == DAX_GROUP}
    assert {name: settings(rule) for name, rule in into_cluster.items()} == {
        f"{DAX}_ingress": {"security_group_id": DAX_GROUP, "referenced_security_group_id": FUNCTIONS, **TLS_PORT}
    }
    assert not [rule for rule in egress.values() if rule["security_group_id"] == DAX_GROUP]
    to_cluster = egress[f"{DAX}_function_egress"]
    assert settings(to_cluster) == {
        "security_group_id": FUNCTIONS,
        "referenced_security_group_id": DAX_GROUP,
        **TLS_PORT,
    }
    assert into_cluster[f"{DAX}_ingress"]["description"] and to_cluster["description"]


def policy_statements(document: dict, name: str) -> list[dict]:
    return document["data"]["aws_iam_policy_document"][name]["statement"]


def test_the_cluster_assumes_a_role_only_dax_may_assume(document, resources):
    role = resources["aws_iam_role"][f"{DAX}_role"]
    assert role["name"] == CLUSTER_NAME
    assert role["assume_role_policy"] == f"${{data.aws_iam_policy_document.{DAX}_role_trust.json}}"
    assert policy_statements(document, f"{DAX}_role_trust") == [
        {
            "sid": "ServiceAssumesRole",
            "effect": "Allow",
            "actions": ["sts:AssumeRole"],
            "principals": [{"type": "Service", "identifiers": ["dax.amazonaws.com"]}],
        }
    ]
    assert cluster_of(resources)["iam_role_arn"] == f"${{aws_iam_role.{DAX}_role.arn}}"
    # The nodes start only once they may reach the table.
    assert cluster_of(resources)["depends_on"] == [f"aws_iam_role_policy.{DAX}_role_policy"]


def test_the_role_may_run_the_function_item_operations_on_the_item_table_only(document, resources):
    policy = resources["aws_iam_role_policy"][f"{DAX}_role_policy"]
    assert policy["role"] == f"${{aws_iam_role.{DAX}_role.id}}"
    assert policy["policy"] == f"${{data.aws_iam_policy_document.{DAX}_role_permissions.json}}"
    assert policy_statements(document, f"{DAX}_role_permissions") == [
        {
            "sid": "ReachItemTable",
            "effect": "Allow",
            "actions": ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem"],
            "resources": [TABLE],
        },
        {
            "sid": "UseTableKey",
            "effect": "Allow",
            "actions": ["kms:Decrypt", "kms:GenerateDataKey"],
            "resources": [KEY],
            "condition": [
                {"test": "StringEquals", "variable": "kms:ViaService", "values": ["dynamodb.us-east-1.amazonaws.com"]},
                {
                    "test": "StringEquals",
                    "variable": "kms:EncryptionContext:aws:dynamodb:tableName",
                    "values": ["${aws_dynamodb_table.tap_stack_data.name}"],
                },
            ],
        },
    ]


def test_the_connect_statement_lets_the_function_send_its_item_operations_to_this_cluster(synthesized):
    cache = synthesized.built
    protocol = ("dax:DefineAttributeList", "dax:DefineAttributeListId", "dax:DefineKeySchema", "dax:Endpoints")
    assert cache.connect_statement == Statement("UseItemDax", ("dax:GetItem", "dax:PutItem", *protocol), (cache.arn,))


def test_outputs(synthesized, document):
    cache = synthesized.built
    assert cache.cluster.terraform_resource_type == "aws_dax_cluster"
    outputs = {name: body["value"] for name, body in document["output"].items()}
    assert outputs == {
        "dax_arn": f"${{aws_dax_cluster.{DAX}.arn}}",
        "dax_cluster_address": f"${{aws_dax_cluster.{DAX}.cluster_address}}",
        "dax_endpoint_url": f"daxs://${{aws_dax_cluster.{DAX}.cluster_address}}",
        "dax_port": 9111,
        "dax_security_group_id": DAX_GROUP,
        "dax_alarm_dimensions": {"ClusterId": f"${{aws_dax_cluster.{DAX}.cluster_name}}"},
    }


def test_the_alarms_watch_the_clusters_faults_and_cpu(synthesized):
    faults, cpu = synthesized.built.alarms
    assert (faults.namespace, faults.metric, faults.statistic, faults.threshold) == (
        "AWS/DAX",
        "FaultRequestCount",
        "Sum",
        1,
    )
    assert (cpu.metric, cpu.statistic, cpu.threshold, cpu.evaluation_periods) == ("CPUUtilization", "Average", 90, 3)
    assert faults.dimensions == cpu.dimensions
    assert synthesized.document["output"]["dax_alarm_dimensions"]["value"] == {
        "ClusterId": f"${{aws_dax_cluster.{DAX}.cluster_name}}"
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        *(
            (
                {"cluster_name": name},
                "tap_stack_dax: cluster_name must be at most 20 lowercase letters, digits and single hyphens, "
                f"starting with a letter and not ending with a hyphen, not {name!r}",
            )
            for name in ("Tap-Dax", "t" * 21, "tap--dax", "tap-dax-", "1tap", "")
        ),
        ({"node_count": 0}, "tap_stack_dax: node_count must be between 1 and 10, not 0"),
        ({"node_count": 11}, "tap_stack_dax: node_count must be between 1 and 10, not 11"),
    ],
)
def test_a_literal_name_or_node_count_out_of_range_is_refused(overrides, message):
    with pytest.raises(ValueError) as refused:
        dax_props(**overrides)
    assert str(refused.value) == message


def test_literal_values_within_range_are_accepted():
    assert dax_props(cluster_name="t" * 20, node_count=10).node_count == 10
    assert dax_props(cluster_name="tap-dev-dax-1", node_count=1).cluster_name == "tap-dev-dax-1"


def test_checkov_passes_the_dax_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, DAX_CHECKS)
    assert failed == []
    # checkov names a resource of a JSON configuration `resource.<name>` in most checks.
    passed_by_dax = {(check, resource.rsplit(".", 1)[-1]) for check, resource in passed if DAX in resource}
    assert passed_by_dax == {
        ("CKV_AWS_47", DAX),
        ("CKV_AWS_239", DAX),
        *(("CKV_AWS_23", f"{DAX}_{rule}") for rule in ("security_group", "ingress", "function_egress")),
        ("CKV2_AWS_5", f"{DAX}_security_group"),
        ("CKV_AWS_60", f"{DAX}_role"),
        *(
            (check, f"{DAX}_role_{document}")
            for check in ("CKV_AWS_111", "CKV_AWS_356")
            for document in ("trust", "permissions")
        ),
    }
