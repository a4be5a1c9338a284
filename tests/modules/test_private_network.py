"""The private network, synthesized in a tiny two-region stack (each region: key, network and one
function in it); checked on the JSON, by `terraform validate` and by checkov."""

import json

import pytest
from cdktf import App, TerraformOutput, TerraformStack, TerraformVariable
from constructs import Construct

from modules.account import AwsAccount
from modules.api_function import ApiFunction, ApiFunctionProps
from modules.encryption import EncryptionKey, EncryptionKeyProps
from modules.private_network import PrivateNetwork, PrivateNetworkProps
from tapgen.aws import aws
from tapgen.pipeline.archives import BuiltArchive, source_code_hash
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
ACCOUNTS = {
    PRIMARY: AwsAccount("123456789012", "us-east-1", "aws", "amazonaws.com"),
    SECONDARY: AwsAccount("123456789012", "us-west-2", "aws", "amazonaws.com"),
}
INTERFACE_SERVICES = ("secretsmanager", "kms", "logs", "events", "xray")
XRAY_ACTIONS = ("xray:PutTraceSegments", "xray:PutTelemetryRecords")
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/tap-dev-items"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-dev-*"
NETWORK = "tap_stack_network"
HTTPS = {"ip_protocol": "tcp", "from_port": 443, "to_port": 443}
ARCHIVE_CONTENT = b"not a real archive: only its name and hash are synthesized"
NETWORK_TYPES = (
    "aws_vpc",
    "aws_subnet",
    "aws_route_table",
    "aws_route_table_association",
    "aws_default_security_group",
    "aws_security_group",
    "aws_vpc_security_group_egress_rule",
    "aws_vpc_security_group_ingress_rule",
    "aws_vpc_endpoint",
    "aws_flow_log",
)
# What the construct must satisfy in checkov (the function stands in for the stack's).
NETWORK_CHECKS = (
    "CKV2_AWS_11",  # the VPC has flow logs
    "CKV2_AWS_12",  # the VPC's default security group restricts all traffic
    "CKV_AWS_23",  # every security group and rule has a description
    "CKV_AWS_117",  # the function runs in a VPC
    "CKV_AWS_130",  # no subnet assigns public IP addresses
    "CKV2_AWS_5",  # every security group is attached to something
    "CKV_AWS_24",  # no SSH from 0.0.0.0/0
    "CKV_AWS_158",  # the flow log group is KMS-encrypted
    "CKV_AWS_66",  # ... with a retention
)


def network_props(admin_cidr: str, account: AwsAccount, kms_key_arn: str) -> PrivateNetworkProps:
    return PrivateNetworkProps(
        name=NETWORK,
        vpc_name="tap-dev",
        cidr_block="${var.vpc_cidr}",
        account=account,
        kms_key_arn=kms_key_arn,
        log_retention_days=365,
        flow_log_group_name="/aws/vpc/tap-dev-flow-logs",
        flow_log_role_name="tap-dev-flow-logs",
        admin_cidr=admin_cidr,
        interface_services=INTERFACE_SERVICES,
        allowed_resources={"dynamodb": (TABLE_ARN, f"{TABLE_ARN}/index/*"), "secretsmanager": (SECRET_ARN,), "s3": ()},
        allowed_actions={"xray": XRAY_ACTIONS},
    )


def function_in(scope: Construct, network: PrivateNetwork, account: AwsAccount, kms_key_arn: str) -> ApiFunction:
    archive = BuiltArchive("function.zip", source_code_hash(ARCHIVE_CONTENT), ARCHIVE_CONTENT)
    return ApiFunction(
        scope,
        ApiFunctionProps(
            name="tap_stack_lambda",
            function_name="tap-dev-crud",
            role_name="tap-dev-crud-lambda",
            description="stand-in",
            archive=archive,
            account=account,
            kms_key_arn=kms_key_arn,
            timeout=10,
            memory_size=256,
            log_retention_days=365,
            network=network.function_network,
        ),
    )


def synthesized_networks(outdir, with_admin: bool) -> harness.Synthesized[dict]:
    """The tiny stack, synthesized, with the network of each region; with `with_admin` the networks
    take `admin_cidr` from a variable."""
    stack = harness.tiny_stack(outdir)
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    TerraformVariable(stack, "vpc_cidr", type="string", default="10.20.0.0/16")
    admin = TerraformVariable(stack, "admin_cidr", type="string", default="")
    admin_cidr = admin.string_value if with_admin else ""
    networks = {}
    for region, provider in ((PRIMARY, None), (SECONDARY, secondary)):
        scope = RegionScope(stack, region, provider)
        account = ACCOUNTS[region]
        key = EncryptionKey(
            scope,
            EncryptionKeyProps(
                name="tap_stack_kms", alias_name="alias/tap-dev", description="stack key", account=account
            ),
        )
        networks[region] = PrivateNetwork(scope, network_props(admin_cidr, account, key.arn))
        function_in(scope, networks[region], account, key.arn)
    network = networks[PRIMARY]
    TerraformOutput(stack, "vpc_id", value=network.vpc_id)
    TerraformOutput(stack, "subnet_ids", value=network.subnet_ids)
    TerraformOutput(stack, "function_security_group_id", value=network.function_security_group_id)
    TerraformOutput(stack, "endpoint_security_group_id", value=network.endpoint_security_group_id)
    TerraformOutput(stack, "flow_log_group_arn", value=network.flow_log_group.arn)
    synthesized = harness.synthesize(stack, networks)
    (synthesized.directory / "function.zip").write_bytes(ARCHIVE_CONTENT)  # the archive the precondition hashes
    return synthesized


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory):
    return synthesized_networks(tmp_path_factory.mktemp("private_network"), with_admin=False)


@pytest.fixture(scope="module")
def with_admin(tmp_path_factory):
    return synthesized_networks(tmp_path_factory.mktemp("private_network_admin"), with_admin=True)


def primary(named: dict) -> dict:
    return {name: body for name, body in named.items() if not name.endswith("_secondary")}


def settings(rule: dict) -> dict:
    """A rule's settings without its description and CDKTF's metadata."""
    return {key: value for key, value in rule.items() if key not in ("description", "//")}


def statements(document: dict, name: str) -> list[dict]:
    return document["data"]["aws_iam_policy_document"][name]["statement"]


def test_the_vpc_resolves_names_and_takes_its_range_from_props(resources):
    vpc = resources["aws_vpc"][NETWORK]
    assert vpc["cidr_block"] == "${var.vpc_cidr}"
    assert vpc["enable_dns_support"] is True
    assert vpc["enable_dns_hostnames"] is True
    assert vpc["tags"] == {"Name": "tap-dev"}


def test_no_path_to_the_internet(resources):
    for rtype in (
        "aws_internet_gateway",
        "aws_egress_only_internet_gateway",
        "aws_nat_gateway",
        "aws_eip",
        "aws_route",
    ):
        assert rtype not in resources
    for table in resources["aws_route_table"].values():
        assert "route" not in table


def test_two_private_subnets_in_zones_from_the_data_source(document, resources):
    zones = document["data"]["aws_availability_zones"][f"{NETWORK}_zones"]
    assert zones["state"] == "available"
    assert zones["filter"] == [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]
    subnets = primary(resources["aws_subnet"])
    assert sorted(subnets) == [f"{NETWORK}_private_a", f"{NETWORK}_private_b"]
    for index, zone in enumerate("ab"):
        subnet = subnets[f"{NETWORK}_private_{zone}"]
        assert (
            subnet["availability_zone"] == f"${{element(data.aws_availability_zones.{NETWORK}_zones.names, {index})}}"
        )
        assert subnet["cidr_block"] == f"${{cidrsubnet(aws_vpc.{NETWORK}.cidr_block, 2, {index})}}"
        assert subnet["map_public_ip_on_launch"] is False
        assert subnet["vpc_id"] == f"${{aws_vpc.{NETWORK}.id}}"
        association = resources["aws_route_table_association"][f"{NETWORK}_private_{zone}_routes_association"]
        assert association == {
            **association,
            "subnet_id": f"${{aws_subnet.{NETWORK}_private_{zone}.id}}",
            "route_table_id": f"${{aws_route_table.{NETWORK}_private_{zone}_routes.id}}",
        }


def test_the_default_security_group_has_no_rules(resources):
    default = resources["aws_default_security_group"][f"{NETWORK}_default"]
    assert default["vpc_id"] == f"${{aws_vpc.{NETWORK}.id}}"
    assert "ingress" not in default and "egress" not in default


def test_security_groups_have_no_inline_rules(resources):
    groups = primary(resources["aws_security_group"])
    assert sorted(groups) == [f"{NETWORK}_endpoints", f"{NETWORK}_functions"]
    for group in groups.values():
        assert group["description"]
        assert "ingress" not in group and "egress" not in group


def test_only_https_between_the_functions_and_the_endpoints(resources):
    functions = f"${{aws_security_group.{NETWORK}_functions.id}}"
    endpoints = f"${{aws_security_group.{NETWORK}_endpoints.id}}"
    egress = primary(resources["aws_vpc_security_group_egress_rule"])
    ingress = primary(resources["aws_vpc_security_group_ingress_rule"])
    assert {name: settings(rule) for name, rule in egress.items()} == {
        f"{NETWORK}_functions_to_endpoints": {
            "security_group_id": functions,
            "referenced_security_group_id": endpoints,
            **HTTPS,
        },
        f"{NETWORK}_functions_to_dynamodb": {
            "security_group_id": functions,
            "prefix_list_id": f"${{aws_vpc_endpoint.{NETWORK}_dynamodb_endpoint.prefix_list_id}}",
            **HTTPS,
        },
        f"{NETWORK}_functions_to_s3": {
            "security_group_id": functions,
            "prefix_list_id": f"${{aws_vpc_endpoint.{NETWORK}_s3_endpoint.prefix_list_id}}",
            **HTTPS,
        },
    }
    assert {name: settings(rule) for name, rule in ingress.items()} == {
        f"{NETWORK}_endpoints_from_functions": {
            "security_group_id": endpoints,
            "referenced_security_group_id": functions,
            **HTTPS,
        }
    }
    for rule in [*egress.values(), *ingress.values()]:
        assert rule["description"]


def test_no_ssh_by_default(resources):
    assert all(rule["from_port"] == 443 for rule in resources["aws_vpc_security_group_ingress_rule"].values())
    assert all(rule["to_port"] == 443 for rule in resources["aws_vpc_security_group_ingress_rule"].values())


def test_ssh_only_from_the_admin_cidr_and_only_when_it_is_set(with_admin):
    ingress = primary(with_admin.resources["aws_vpc_security_group_ingress_rule"])
    ssh = {name: rule for name, rule in ingress.items() if rule["from_port"] != 443}
    assert {name: {**settings(rule), "description": rule["description"]} for name, rule in ssh.items()} == {
        f"{NETWORK}_functions_admin_ssh": {
            "count": "${signum(length(var.admin_cidr))}",
            "security_group_id": f"${{aws_security_group.{NETWORK}_functions.id}}",
            "cidr_ipv4": "${var.admin_cidr}",
            "ip_protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "description": "SSH from the administrators' network only",
        }
    }


def test_endpoints_for_every_service_with_private_dns(resources):
    endpoints = primary(resources["aws_vpc_endpoint"])
    routes = [f"${{aws_route_table.{NETWORK}_private_{zone}_routes.id}}" for zone in "ab"]
    for service in ("dynamodb", "s3"):
        endpoint = endpoints.pop(f"{NETWORK}_{service}_endpoint")
        assert endpoint["service_name"] == f"com.amazonaws.us-east-1.{service}"
        assert endpoint["vpc_endpoint_type"] == "Gateway"
        assert endpoint["route_table_ids"] == routes
    assert sorted(endpoints) == sorted(f"{NETWORK}_{service}_endpoint" for service in INTERFACE_SERVICES)
    for service in INTERFACE_SERVICES:
        endpoint = endpoints[f"{NETWORK}_{service}_endpoint"]
        assert endpoint["service_name"] == f"com.amazonaws.us-east-1.{service}"
        assert endpoint["vpc_endpoint_type"] == "Interface"
        assert endpoint["private_dns_enabled"] is True
        assert endpoint["subnet_ids"] == [f"${{aws_subnet.{NETWORK}_private_{zone}.id}}" for zone in "ab"]
        assert endpoint["security_group_ids"] == [f"${{aws_security_group.{NETWORK}_endpoints.id}}"]
    assert not any("execute-api" in e["service_name"] for e in resources["aws_vpc_endpoint"].values())


@pytest.mark.parametrize(
    ("service", "allowed", "actions"),
    [
        ("dynamodb", [TABLE_ARN, f"{TABLE_ARN}/index/*"], ["dynamodb:*"]),
        ("secretsmanager", [SECRET_ARN], ["secretsmanager:*"]),
        ("s3", ["*"], ["s3:*"]),
        ("xray", ["*"], list(XRAY_ACTIONS)),
        *((service, ["*"], [f"{service}:*"]) for service in ("kms", "logs", "events")),
    ],
)
def test_endpoint_policies_admit_the_named_actions_and_resources_for_the_account_only(
    document, resources, service, allowed, actions
):
    policy = f"{NETWORK}_{service}_endpoint_policy"
    assert resources["aws_vpc_endpoint"][f"{NETWORK}_{service}_endpoint"]["policy"] == (
        f"${{data.aws_iam_policy_document.{policy}.json}}"
    )
    assert statements(document, policy) == [
        {
            "sid": "StackAccountOnly",
            "effect": "Allow",
            "actions": actions,
            "resources": allowed,
            "principals": [{"type": "*", "identifiers": ["*"]}],
            "condition": [{"test": "StringEquals", "variable": "aws:PrincipalAccount", "values": ["123456789012"]}],
        }
    ]


def test_flow_logs_record_everything_into_the_encrypted_log_group(document, resources):
    flow_log = resources["aws_flow_log"][f"{NETWORK}_flow_log"]
    log_group = f"aws_cloudwatch_log_group.{NETWORK}_flow_logs"
    assert flow_log == {
        **flow_log,
        "vpc_id": f"${{aws_vpc.{NETWORK}.id}}",
        "traffic_type": "ALL",
        "log_destination_type": "cloud-watch-logs",
        "log_destination": f"${{{log_group}.arn}}",
        "iam_role_arn": f"${{aws_iam_role.{NETWORK}_flow_logs_role.arn}}",
        "depends_on": [f"aws_iam_role_policy.{NETWORK}_flow_logs_role_policy"],
    }
    assert resources["aws_cloudwatch_log_group"][f"{NETWORK}_flow_logs"] == {
        **resources["aws_cloudwatch_log_group"][f"{NETWORK}_flow_logs"],
        "name": "/aws/vpc/tap-dev-flow-logs",
        "kms_key_id": "${aws_kms_key.tap_stack_kms.arn}",
        "retention_in_days": 365,
    }
    key_policy = json.loads(resources["aws_kms_key"]["tap_stack_kms"]["policy"])
    grant = next(s for s in key_policy["Statement"] if s["Sid"] == "CloudWatchLogsEncryptsStackLogGroups")
    assert (
        "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vpc/tap-dev-flow-logs"
        in grant["Condition"]["ArnEquals"]["kms:EncryptionContext:aws:logs:arn"]
    )


def test_the_flow_log_role_writes_only_streams_of_its_log_group(document):
    (trust,) = statements(document, f"{NETWORK}_flow_logs_role_trust")
    assert trust["principals"] == [{"type": "Service", "identifiers": ["vpc-flow-logs.amazonaws.com"]}]
    assert trust["condition"] == [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]},
        {
            "test": "ArnLike",
            "variable": "aws:SourceArn",
            "values": ["arn:aws:ec2:us-east-1:123456789012:vpc-flow-log/*"],
        },
    ]
    assert statements(document, f"{NETWORK}_flow_logs_role_permissions") == [
        {
            "sid": "WriteFlowLogStreams",
            "effect": "Allow",
            "actions": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "resources": [f"${{aws_cloudwatch_log_group.{NETWORK}_flow_logs.arn}}:*"],
        }
    ]


def test_the_function_runs_in_the_private_subnets(document, resources):
    function = resources["aws_lambda_function"]["tap_stack_lambda"]
    assert function["vpc_config"] == {
        "subnet_ids": [f"${{aws_subnet.{NETWORK}_private_{zone}.id}}" for zone in "ab"],
        "security_group_ids": [f"${{aws_security_group.{NETWORK}_functions.id}}"],
    }
    eni = {s["sid"]: s for s in statements(document, "tap_stack_lambda_role_permissions")}
    assert eni["ManageNetworkInterfacesInOwnVpc"] == {
        "sid": "ManageNetworkInterfacesInOwnVpc",
        "effect": "Allow",
        "actions": [
            "ec2:CreateNetworkInterface",
            "ec2:DeleteNetworkInterface",
            "ec2:AssignPrivateIpAddresses",
            "ec2:UnassignPrivateIpAddresses",
        ],
        "resources": [
            "arn:aws:ec2:us-east-1:123456789012:network-interface/*",
            "arn:aws:ec2:us-east-1:123456789012:subnet/*",
            "arn:aws:ec2:us-east-1:123456789012:security-group/*",
        ],
        "condition": [{"test": "ArnEquals", "variable": "ec2:Vpc", "values": [f"${{aws_vpc.{NETWORK}.arn}}"]}],
    }
    assert eni["DescribeNetworkInterfaces"]["resources"] == ["*"]
    assert eni["DescribeNetworkInterfaces"]["actions"] == ["ec2:DescribeNetworkInterfaces"]


def test_outputs(synthesized, document):
    network = synthesized.built[PRIMARY]
    assert network.vpc.terraform_resource_type == "aws_vpc"
    assert sorted(network.endpoints) == sorted(("dynamodb", "s3", *INTERFACE_SERVICES))
    assert network.function_network.security_group_ids == (network.function_security_group_id,)
    assert network.function_network.subnet_ids == tuple(network.subnet_ids)
    outputs = {name: body["value"] for name, body in document["output"].items()}
    assert outputs == {
        "vpc_id": f"${{aws_vpc.{NETWORK}.id}}",
        "subnet_ids": [f"${{aws_subnet.{NETWORK}_private_{zone}.id}}" for zone in "ab"],
        "function_security_group_id": f"${{aws_security_group.{NETWORK}_functions.id}}",
        "endpoint_security_group_id": f"${{aws_security_group.{NETWORK}_endpoints.id}}",
        "flow_log_group_arn": f"${{aws_cloudwatch_log_group.{NETWORK}_flow_logs.arn}}",
    }


def test_the_secondary_network_is_placed_by_its_region_scope(document):
    for rtype in NETWORK_TYPES:
        named = document["resource"][rtype]
        secondary = {name: body.get("provider") for name, body in named.items() if name.endswith("_secondary")}
        assert secondary and set(secondary.values()) == {"aws.secondary"}, rtype
        assert len(secondary) == len(named) - len(secondary), rtype
    zones = document["data"]["aws_availability_zones"][f"{NETWORK}_zones_secondary"]
    assert zones["provider"] == "aws.secondary"
    subnet = document["resource"]["aws_subnet"][f"{NETWORK}_private_a_secondary"]
    assert subnet["vpc_id"] == f"${{aws_vpc.{NETWORK}_secondary.id}}"
    endpoint = document["resource"]["aws_vpc_endpoint"][f"{NETWORK}_kms_endpoint_secondary"]
    assert endpoint["service_name"] == "com.amazonaws.us-west-2.kms"


def test_an_execute_api_endpoint_is_refused():
    stack = TerraformStack(App(), "tap_stack")
    props = network_props("", ACCOUNTS[PRIMARY], "key")
    props = PrivateNetworkProps(**{**props.__dict__, "interface_services": ("kms", "execute-api")})
    with pytest.raises(ValueError) as raised:
        PrivateNetwork(stack, props)
    assert str(raised.value) == (
        "tap_stack_network: no interface endpoint for ['execute-api']: its private DNS would break calls "
        "to the public API from inside the VPC"
    )


def test_with_an_admin_endpoint_the_closing_checks_pass_too(with_admin):
    harness.names_keep_the_contract(with_admin)
    harness.security_rules_find_nothing(with_admin)
    harness.terraform_validates(with_admin)


def test_checkov_passes_the_network_checks(synthesized):
    failed, passed = harness.checkov(synthesized.directory, NETWORK_CHECKS)
    assert failed == []
    assert {check for check, _ in passed} == set(NETWORK_CHECKS)
