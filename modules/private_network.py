"""A private network for the stack's functions in one region: a VPC with no path to the internet,
private subnets in two availability zones, VPC endpoints for the AWS APIs the functions call, and
flow logs of every packet decision in a KMS-encrypted log group.

- No internet gateway, NAT or public subnet: the functions reach AWS only through the endpoints,
  DynamoDB and S3 through gateway endpoints (routes to their prefix lists), every other service
  through an interface endpoint with private DNS, so the SDKs' default host names resolve to it.
- Every endpoint carries a policy: the service's actions (or only those in `allowed_actions`) only
  on the resources named for it (`allowed_resources`; none named: any resource) and only for
  principals of the stack's account (`aws:PrincipalAccount`), so stolen credentials of another
  account cannot use the path out.
- Security groups allow HTTPS (443) only: from the functions to the interface endpoints and to
  the gateway endpoints' prefix lists, into the endpoints from the functions. SSH (22) into the
  functions' group exists only when `admin_cidr` is set; the VPC's default group has no rules.
- No `execute-api` endpoint, deliberately: its private DNS would resolve every
  `*.execute-api.<region>.amazonaws.com` name inside the VPC to the endpoint, which serves only
  private APIs, so calls from the VPC to the stack's public (REGIONAL) API would fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from cdktf import Fn, Token
from constructs import Construct

from modules.account import AwsAccount
from modules.iam import Condition, Principal, ServiceRole, ServiceRoleProps, Statement, policy_document
from modules.log_group import LogGroupProps, encrypted_log_group
from tapgen.aws import aws

HTTPS = 443
SSH = 22
GATEWAY_SERVICES = ("dynamodb", "s3")
# A private DNS name for it would capture the public API's host names (see the module docstring).
REFUSED_SERVICES = ("execute-api",)
ZONES = ("a", "b")
# Each subnet takes a quarter of the VPC's range: half of it stays free for later subnets.
SUBNET_NEWBITS = 2
FLOW_LOGS_PRINCIPAL = "vpc-flow-logs.amazonaws.com"
FLOW_LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams")


@dataclass(frozen=True)
class FunctionNetwork:
    """Where a function runs: its subnets and security groups (ID expressions), and the VPC's ARN
    that scopes the function role's network-interface permissions."""

    subnet_ids: tuple[str, ...]
    security_group_ids: tuple[str, ...]
    vpc_arn: str


@dataclass(frozen=True, kw_only=True)
class PrivateNetworkProps:
    """`name` is the Terraform name of the VPC (`tap_stack_network`); every other resource derives
    its name from it. `vpc_name` (the Name tag, and the prefix of the security groups' names),
    `cidr_block` and `admin_cidr` are Terraform string expressions; `admin_cidr` empty means no SSH.
    `interface_services` are endpoint service names (`secretsmanager`, `kms`, ...), also the IAM
    action prefix of each; `allowed_resources` maps a service (interface or `dynamodb`/`s3`) to the
    ARNs its endpoint admits (missing or empty: any resource of the account's principals), and
    `allowed_actions` to the actions it admits (missing: every action of the service)."""

    name: str
    vpc_name: str
    cidr_block: str
    account: AwsAccount
    kms_key_arn: str
    log_retention_days: float
    flow_log_group_name: str
    flow_log_role_name: str
    admin_cidr: str = ""
    interface_services: tuple[str, ...] = ()
    allowed_resources: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    allowed_actions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def snake(service: str) -> str:
    """An endpoint service name as part of a Terraform name (`ecr.api` -> `ecr_api`)."""
    return re.sub(r"[^a-z0-9]+", "_", service.lower())


class PrivateNetwork(Construct):
    """Outputs: `vpc` (`aws_vpc`), `vpc_id`, `subnet_ids` (list of ID expressions, one per zone),
    `function_security_group_id`, `endpoint_security_group_id`, `endpoints` (service ->
    `aws_vpc_endpoint`, gateway and interface), `flow_log_group` (`aws_cloudwatch_log_group`) and
    `function_network` (a `FunctionNetwork` for `ApiFunctionProps.network`)."""

    def __init__(self, scope: Construct, props: PrivateNetworkProps) -> None:
        super().__init__(scope, props.name)
        refused = sorted(set(props.interface_services) & set(REFUSED_SERVICES))
        if refused:
            raise ValueError(
                f"{props.name}: no interface endpoint for {refused}: its private DNS would break calls "
                "to the public API from inside the VPC"
            )
        self.vpc = aws.vpc.Vpc(
            self,
            props.name,
            cidr_block=props.cidr_block,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": props.vpc_name},
        )
        self.vpc_id = self.vpc.id
        aws.default_security_group.DefaultSecurityGroup(
            self, f"{props.name}_default", vpc_id=self.vpc_id, tags={"Name": f"{props.vpc_name}-default-closed"}
        )
        self.subnet_ids, route_table_ids = self._private_subnets(props)
        functions, endpoints = self._security_groups(props)
        self.function_security_group_id = functions.id
        self.endpoint_security_group_id = endpoints.id
        self.endpoints = {
            service: self._gateway_endpoint(props, service, route_table_ids) for service in GATEWAY_SERVICES
        } | {service: self._interface_endpoint(props, service) for service in props.interface_services}
        self._function_rules(props, functions.id, endpoints.id)
        self.flow_log_group = self._flow_logs(props)
        self.function_network = FunctionNetwork(
            tuple(self.subnet_ids), (self.function_security_group_id,), self.vpc.arn
        )

    def _private_subnets(self, props: PrivateNetworkProps) -> tuple[list[str], list[str]]:
        """One subnet and route table per zone; the route tables hold only the local route and the
        gateway endpoints' routes. Returns the subnet IDs and the route table IDs."""
        az = aws.data_aws_availability_zones
        # Only the region's own zones: an opted-in Local Zone (`us-east-1-bos-1a`) sorts before them.
        zones = az.DataAwsAvailabilityZones(
            self,
            f"{props.name}_zones",
            state="available",
            filter=[az.DataAwsAvailabilityZonesFilter(name="opt-in-status", values=["opt-in-not-required"])],
        )
        subnet_ids = []
        route_table_ids = []
        for index, zone in enumerate(ZONES):
            subnet = aws.subnet.Subnet(
                self,
                f"{props.name}_private_{zone}",
                vpc_id=self.vpc_id,
                availability_zone=Token.as_string(Fn.element(zones.names, index)),
                cidr_block=Token.as_string(Fn.cidrsubnet(self.vpc.cidr_block, SUBNET_NEWBITS, index)),
                map_public_ip_on_launch=False,
                tags={"Name": f"{props.vpc_name}-private-{zone}"},
            )
            routes = aws.route_table.RouteTable(
                self,
                f"{props.name}_private_{zone}_routes",
                vpc_id=self.vpc_id,
                tags={"Name": f"{props.vpc_name}-private-{zone}"},
            )
            aws.route_table_association.RouteTableAssociation(
                self, f"{props.name}_private_{zone}_routes_association", subnet_id=subnet.id, route_table_id=routes.id
            )
            subnet_ids.append(subnet.id)
            route_table_ids.append(routes.id)
        return subnet_ids, route_table_ids

    def _security_groups(self, props: PrivateNetworkProps):
        """The functions' group and the interface endpoints' group, created without inline rules
        (the provider then removes AWS's default allow-all egress); rules are separate resources."""
        groups = []
        for role, description in (
            ("functions", "TAP stack functions: HTTPS to the VPC endpoints only"),
            ("endpoints", "TAP stack interface endpoints: HTTPS from the functions only"),
        ):
            groups.append(
                aws.security_group.SecurityGroup(
                    self,
                    f"{props.name}_{role}",
                    name=f"{props.vpc_name}-{role}",
                    description=description,
                    vpc_id=self.vpc_id,
                    tags={"Name": f"{props.vpc_name}-{role}"},
                )
            )
        return groups

    def _function_rules(self, props: PrivateNetworkProps, functions: str, endpoints: str) -> None:
        """443 from the functions to the interface endpoints and to the gateway endpoints' prefix
        lists, 443 into the endpoints from the functions; 22 into the functions from `admin_cidr`,
        only when it is set."""
        egress = aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule
        ingress = aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule
        https = {"ip_protocol": "tcp", "from_port": HTTPS, "to_port": HTTPS}
        egress(
            self,
            f"{props.name}_functions_to_endpoints",
            security_group_id=functions,
            referenced_security_group_id=endpoints,
            description="HTTPS to the interface endpoints",
            **https,
        )
        for service in GATEWAY_SERVICES:
            egress(
                self,
                f"{props.name}_functions_to_{service}",
                security_group_id=functions,
                prefix_list_id=self.endpoints[service].prefix_list_id,
                description=f"HTTPS to {service} through its gateway endpoint",
                **https,
            )
        ingress(
            self,
            f"{props.name}_endpoints_from_functions",
            security_group_id=endpoints,
            referenced_security_group_id=functions,
            description="HTTPS from the stack's functions",
            **https,
        )
        if props.admin_cidr != "":
            ingress(
                self,
                f"{props.name}_functions_admin_ssh",
                count=Token.as_number(Fn.signum(Fn.length_of(props.admin_cidr))),  # 0 when empty, else 1
                security_group_id=functions,
                cidr_ipv4=props.admin_cidr,
                ip_protocol="tcp",
                from_port=SSH,
                to_port=SSH,
                description="SSH from the administrators' network only",
            )

    def _endpoint_policy(self, props: PrivateNetworkProps, service: str) -> str:
        """The service's actions (or those named for it), on the resources named for it, for the
        account's principals."""
        document = policy_document(
            self,
            f"{props.name}_{snake(service)}_endpoint_policy",
            [
                Statement(
                    "StackAccountOnly",
                    props.allowed_actions.get(service) or (f"{service}:*",),
                    props.allowed_resources.get(service) or ("*",),
                    principals=(Principal("*", ("*",)),),
                    conditions=(Condition("StringEquals", "aws:PrincipalAccount", (props.account.account_id,)),),
                )
            ],
        )
        return document.json

    def _gateway_endpoint(self, props: PrivateNetworkProps, service: str, route_table_ids: list[str]):
        return aws.vpc_endpoint.VpcEndpoint(
            self,
            f"{props.name}_{service}_endpoint",
            vpc_id=self.vpc_id,
            service_name=f"com.amazonaws.{props.account.region}.{service}",
            vpc_endpoint_type="Gateway",
            route_table_ids=route_table_ids,
            policy=self._endpoint_policy(props, service),
            tags={"Name": f"{props.vpc_name}-{service}"},
        )

    def _interface_endpoint(self, props: PrivateNetworkProps, service: str):
        return aws.vpc_endpoint.VpcEndpoint(
            self,
            f"{props.name}_{snake(service)}_endpoint",
            vpc_id=self.vpc_id,
            service_name=f"com.amazonaws.{props.account.region}.{service}",
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=self.subnet_ids,
            security_group_ids=[self.endpoint_security_group_id],
            policy=self._endpoint_policy(props, service),
            tags={"Name": f"{props.vpc_name}-{service}"},
        )

    def _flow_logs(self, props: PrivateNetworkProps):
        """Every accepted and rejected flow of the VPC, delivered by a role that may only write
        streams of this log group, and only for flow logs of this account."""
        log_group = encrypted_log_group(
            self,
            LogGroupProps(
                name=f"{props.name}_flow_logs",
                log_group_name=props.flow_log_group_name,
                kms_key_arn=props.kms_key_arn,
                retention_days=props.log_retention_days,
            ),
        )
        role = ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_flow_logs_role",
                role_name=props.flow_log_role_name,
                service=FLOW_LOGS_PRINCIPAL,
                statements=(Statement("WriteFlowLogStreams", FLOW_LOG_ACTIONS, (f"{log_group.arn}:*",)),),
                trust_conditions=(
                    Condition("StringEquals", "aws:SourceAccount", (props.account.account_id,)),
                    Condition("ArnLike", "aws:SourceArn", (props.account.arn("ec2", "vpc-flow-log/*"),)),
                ),
            ),
        )
        aws.flow_log.FlowLog(
            self,
            f"{props.name}_flow_log",
            vpc_id=self.vpc_id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.role.arn,
            tags={"Name": f"{props.vpc_name}-flow-log"},
            depends_on=[role.policy],
        )
        return log_group


@dataclass(frozen=True)
class FunctionOnlyAccess:
    """A service in the private network that only the stack's functions reach, on one TCP port:
    `name` prefixes the Terraform names (`<name>_security_group`, `<name>_ingress`,
    `<name>_function_egress`), `group_name` is the security group's physical name, `description`
    the group's (fixed once created: changing it replaces the group), `traffic` what the rules
    carry (`DAX over TLS`) and `port` the service's port."""

    name: str
    group_name: str
    description: str
    traffic: str
    port: int
    vpc_id: str
    function_security_group_id: str


def function_only_group(scope: Construct, access: FunctionOnlyAccess) -> str:
    """The service's group (no egress rule: the provider removes AWS's default allow-all) with the
    port from the functions' group, and the port out of the functions' group to it (the network
    otherwise lets the functions out on 443 only). Returns the group's ID."""
    group = aws.security_group.SecurityGroup(
        scope,
        f"{access.name}_security_group",
        name=access.group_name,
        description=access.description,
        vpc_id=access.vpc_id,
        tags={"Name": access.group_name},
    )
    port = {"ip_protocol": "tcp", "from_port": access.port, "to_port": access.port}
    aws.vpc_security_group_ingress_rule.VpcSecurityGroupIngressRule(
        scope,
        f"{access.name}_ingress",
        security_group_id=group.id,
        referenced_security_group_id=access.function_security_group_id,
        description=f"{access.traffic} from the stack's functions",
        **port,
    )
    aws.vpc_security_group_egress_rule.VpcSecurityGroupEgressRule(
        scope,
        f"{access.name}_function_egress",
        security_group_id=access.function_security_group_id,
        referenced_security_group_id=group.id,
        description=f"{access.traffic} to the item cache",
        **port,
    )
    return group.id
