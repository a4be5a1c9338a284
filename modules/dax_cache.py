"""The item cache (`cache=dax`): a DynamoDB Accelerator (DAX) cluster in the private network, through
which the CRUD function reads items (eventually consistent GetItem, served from DAX's item cache)
and writes them (conditional PutItem, deletes included as tombstones, which DAX applies to the table
and then to its item cache: the write-through that keeps the cache current).

- Reachable only from the stack's functions: the cluster's security group admits DAX's TLS port
  (9111) from the functions' group and has no egress rule; the functions' group gains one egress
  rule, 9111 to the cluster's group (the private network otherwise allows 443 only).
- Encrypted in transit (`cluster_endpoint_encryption_type = "TLS"`: the endpoint speaks TLS only,
  the `daxs://` scheme) and at rest (`server_side_encryption`). DAX encrypts at rest only with its
  service default key, an AWS managed key that KMS creates for DAX in the account: it accepts no
  customer-managed key, so this region's key cannot protect the cluster's disks. Neither setting
  can be changed on an existing cluster; changing one replaces it.
- The TLS certificate of the endpoint names the cluster, and public Certificate Transparency logs
  record it: the cluster name must carry nothing confidential (the stack's prefix and region).
- Two separate permissions, as DAX's security model has it: the function may call the cluster
  (`connect_statement`: the `dax:` item actions it sends, on this cluster only), and the cluster
  reaches the table with its own service role, which may run those same item operations (plus
  `DescribeTable`, with which DAX learns the key schema it caches by) on the item table only and use
  the table's key through DynamoDB as the function's role does. The role trusts `dax.amazonaws.com`
  without `aws:SourceArn`/`aws:SourceAccount` conditions: DAX documents none for its service role,
  and a condition DAX does not send would stop every node from reaching the table; only a principal
  allowed `iam:PassRole` on it can attach the role to a cluster.
- An item and a query result live in the cluster at most `ttl_seconds` (the parameter group's
  `record-ttl-millis` and `query-ttl-millis`); a write through the cluster replaces the item at once.
- More than one node (`node_count`, DAX's replication factor) spreads the nodes over the subnet
  group's zones, as DAX does when no zones are named, with a primary for writes and read replicas.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdktf import Op, Token
from constructs import Construct

from modules.alerts import AlarmSpec
from modules.iam import ServiceRole, ServiceRoleProps, Statement
from modules.private_network import FunctionOnlyAccess, function_only_group
from tapgen.aws import aws

# DAX's TLS port, the client's default for a `daxs://` URL.
PORT = 9111
SCHEME = "daxs"
SERVICE = "dax.amazonaws.com"
MAX_NODES = 10
# A cluster name: a letter, then letters, digits and single hyphens, at most 20 characters.
CLUSTER_NAME_MAX = 20
CLUSTER_NAME = re.compile(rf"^(?=.{{1,{CLUSTER_NAME_MAX}}}$)[a-z](?:-?[a-z0-9])*$")
# What the CRUD function sends through the cluster; consistent reads and queries go to DynamoDB.
ITEM_OPERATIONS = ("GetItem", "PutItem")
# What every DAX client sends before its first item operation: node discovery and the key schema
# and attribute lists its wire format refers to (the DAX developer guide's client policy).
PROTOCOL_ACTIONS = ("dax:DefineAttributeList", "dax:DefineAttributeListId", "dax:DefineKeySchema", "dax:Endpoints")
FUNCTION_ACTIONS = (*(f"dax:{operation}" for operation in ITEM_OPERATIONS), *PROTOCOL_ACTIONS)
TABLE_ACTIONS = ("dynamodb:DescribeTable", *(f"dynamodb:{operation}" for operation in ITEM_OPERATIONS))
MILLIS_PER_SECOND = 1000
TTL_PARAMETERS = ("record-ttl-millis", "query-ttl-millis")


@dataclass(frozen=True, kw_only=True)
class DaxCacheProps:
    """`name` is the Terraform name of the cluster (`tap_stack_dax`); every other resource derives
    its name from it. `cluster_name` is the cluster's name (a string expression, lowercase, at most
    20 characters), also the name of its subnet, parameter and security groups; `role_name` is the
    physical name of its service role. `table_arn` is the item table's ARN, the only table the
    cluster may act on, and `table_key_statement` the grant to use the table's key through DynamoDB
    that the CRUD function's role holds (the cluster calls DynamoDB with its own role). `vpc_id`,
    `subnet_ids` and `function_security_group_id` come from the `PrivateNetwork`. `node_type`,
    `node_count` (1 to 10) and `ttl_seconds` are values or expressions."""

    name: str
    cluster_name: str
    role_name: str
    table_arn: str
    table_key_statement: Statement
    vpc_id: str
    subnet_ids: tuple[str, ...]
    function_security_group_id: str
    node_type: str
    node_count: object
    ttl_seconds: object

    def __post_init__(self) -> None:
        expression = Token.is_unresolved(self.cluster_name) or "${" in self.cluster_name
        if not expression and not CLUSTER_NAME.match(self.cluster_name):
            raise ValueError(
                f"{self.name}: cluster_name must be at most 20 lowercase letters, digits and single hyphens, "
                f"starting with a letter and not ending with a hyphen, not {self.cluster_name!r}"
            )
        if isinstance(self.node_count, int) and not 1 <= self.node_count <= MAX_NODES:
            raise ValueError(f"{self.name}: node_count must be between 1 and {MAX_NODES}, not {self.node_count}")


class DaxCache(Construct):
    """Outputs: `cluster` (`aws_dax_cluster`), `arn`, `cluster_address` (the discovery endpoint's
    host name), `endpoint_url` (`daxs://<cluster_address>`, the function's `DAX_ENDPOINT`), `port`
    (9111), `security_group_id` (the cluster's), `role` (the cluster's `ServiceRole`) and
    `connect_statement` (the `Statement` that lets the function's role send its item operations to
    this cluster) and `alarms` (the cluster's own faults and load, `AlarmSpec`s for the region's
    alerts; the function's view of the cache is the stack's cache errors alarm)."""

    def __init__(self, scope: Construct, props: DaxCacheProps) -> None:
        super().__init__(scope, props.name)
        self.security_group_id = self._network_access(props)
        self.role = self._service_role(props)
        subnets = aws.dax_subnet_group.DaxSubnetGroup(
            self,
            f"{props.name}_subnets",
            name=props.cluster_name,
            description="TAP stack item cache: the private subnets",
            subnet_ids=list(props.subnet_ids),
        )
        parameters = self._parameters(props)
        self.cluster = aws.dax_cluster.DaxCluster(
            self,
            props.name,
            cluster_name=props.cluster_name,
            description="TAP stack item cache: DAX in front of the item table",
            iam_role_arn=self.role.arn,
            node_type=props.node_type,
            replication_factor=props.node_count,
            subnet_group_name=subnets.name,
            security_group_ids=[self.security_group_id],
            parameter_group_name=parameters.name,
            server_side_encryption=aws.dax_cluster.DaxClusterServerSideEncryption(enabled=True),
            cluster_endpoint_encryption_type="TLS",
            # The nodes reach the table with the role's policy, not only its trust.
            depends_on=[self.role.policy],
        )
        self.arn = self.cluster.arn
        self.cluster_address = self.cluster.cluster_address
        self.endpoint_url = f"{SCHEME}://{self.cluster_address}"
        self.port = PORT
        self.connect_statement = Statement("UseItemDax", FUNCTION_ACTIONS, (self.arn,))
        self.alarms = dax_alarms(props.name, self.cluster.cluster_name)

    def _network_access(self, props: DaxCacheProps) -> str:
        return function_only_group(
            self,
            FunctionOnlyAccess(
                name=props.name,
                group_name=props.cluster_name,
                description="TAP stack item cache: DAX over TLS (9111) from the stack's functions only",
                traffic="DAX over TLS",
                port=PORT,
                vpc_id=props.vpc_id,
                function_security_group_id=props.function_security_group_id,
            ),
        )

    def _service_role(self, props: DaxCacheProps) -> ServiceRole:
        """The role the nodes assume to run the function's item operations on the item table."""
        return ServiceRole(
            self,
            ServiceRoleProps(
                name=f"{props.name}_role",
                role_name=props.role_name,
                service=SERVICE,
                statements=(
                    Statement("ReachItemTable", TABLE_ACTIONS, (props.table_arn,)),
                    props.table_key_statement,
                ),
            ),
        )

    def _parameters(self, props: DaxCacheProps):
        """The parameter group: items and query results expire after `ttl_seconds`."""
        millis = Token.as_string(Op.mul(props.ttl_seconds, MILLIS_PER_SECOND))
        return aws.dax_parameter_group.DaxParameterGroup(
            self,
            f"{props.name}_parameters",
            name=props.cluster_name,
            description="TAP stack item cache: how long an item or a query result is cached",
            parameters=[
                aws.dax_parameter_group.DaxParameterGroupParameters(name=parameter, value=millis)
                for parameter in TTL_PARAMETERS
            ],
        )


# Sustained CPU above this (percent, three one-minute periods) means the nodes are too small for the
# load: requests slow down before DAX starts failing them.
DAX_CPU_ALARM_PERCENT = 90


def dax_alarms(name: str, cluster_name: str) -> tuple[AlarmSpec, ...]:
    """Server-side faults of the cluster (FaultRequestCount, the requests DAX itself failed) and
    its CPU, on the cluster's `ClusterId` dimension (DAX publishes a metric only when it is not zero)."""
    cluster = {"ClusterId": cluster_name}
    return (
        AlarmSpec(
            f"{name}_faults_alarm", "The DAX cluster failed requests itself", "AWS/DAX", "FaultRequestCount", cluster, 1
        ),
        AlarmSpec(
            f"{name}_cpu_alarm",
            f"The DAX cluster's CPU stayed above {DAX_CPU_ALARM_PERCENT}%: its nodes are too small for the load",
            "AWS/DAX",
            "CPUUtilization",
            cluster,
            DAX_CPU_ALARM_PERCENT,
            statistic="Average",
            evaluation_periods=3,
        ),
    )
