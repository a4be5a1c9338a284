"""The architecture diagram each bundle README opens with: a Mermaid flowchart (GitHub and GitLab
render it) of exactly the synthesized combination, read from the document itself: the regions,
the API and its functions, the tables, the item cache and stream, the logging path, the routing.
Deterministic: the same document gives the same text."""

from __future__ import annotations

from dataclasses import dataclass

REGIONS = (("", "primary", "var.aws_region"), ("_secondary", "secondary", "var.secondary_region"))
REGIONS += (("_tertiary", "tertiary", "var.tertiary_region"),)


@dataclass(frozen=True)
class Stack:
    """What the diagram asks of a synthesized document."""

    document: dict

    def has(self, resource_type: str, name: str) -> bool:
        return name in self.document.get("resource", {}).get(resource_type, {})

    def regions(self) -> list[tuple[str, str, str]]:
        return [region for region in REGIONS if self.has("aws_lambda_function", f"tap_stack_lambda{region[0]}")]


def _node(node_id: str, label: str, shape: str = "box") -> str:
    opening, closing = {"box": ("[", "]"), "store": ("[(", ")]"), "round": ("([", "])")}[shape]
    return f'{node_id}{opening}"{label}"{closing}'


def _region_lines(stack: Stack, suffix: str, slot: str, variable: str) -> tuple[str, list[str], list[str]]:
    """The node callers reach first in the region, its subgraph, and the edges inside it."""
    s = slot[0]  # p, s, t: short node ids
    has = stack.has
    nodes = [f'  subgraph {slot}["{slot.capitalize()} region ({variable})"]']
    edges = []
    entry = f"api_{s}"
    if has("aws_wafv2_web_acl", f"tap_stack_waf{suffix}"):
        nodes.append("    " + _node(f"waf_{s}", "WAF web ACL: managed rules, rate limits"))
        edges.append(f"  waf_{s} --> api_{s}")
        entry = f"waf_{s}"
    nodes.append("    " + _node(f"api_{s}", "API Gateway REST API: AWS_IAM, IP allow-list"))
    live = " via alias live, provisioned" if has("aws_lambda_alias", f"tap_stack_lambda_live{suffix}") else ""
    nodes.append("    " + _node(f"crud_{s}", f"Lambda tap_stack_lambda: items, tenant grants{live}"))
    nodes.append("    " + _node(f"health_{s}", "Lambda tap_stack_health_lambda: /health"))
    nodes.append("    " + _node(f"canary_{s}", "Synthetics canary", "round"))
    nodes.append("    " + _node(f"secret_{s}", "Secrets Manager: app secret, rotated by Lambda"))
    nodes.append("    " + _node(f"events_{s}", "EventBridge bus: item events"))
    edges += [
        f"  api_{s} -->|/items, /metrics| crud_{s}",
        f"  api_{s} -->|/health| health_{s}",
        f"  canary_{s} -->|GET /health| api_{s}",
        f"  crud_{s} --> secret_{s}",
        f"  crud_{s} --> events_{s}",
    ]
    if has("aws_elasticache_replication_group", f"tap_stack_cache{suffix}"):
        nodes.append("    " + _node(f"cache_{s}", "ElastiCache Valkey: item cache, TLS", "store"))
        edges.append(f"  crud_{s} -->|read-through| cache_{s}")
    if has("aws_dax_cluster", f"tap_stack_dax{suffix}"):
        nodes.append("    " + _node(f"cache_{s}", "DAX: item cache, TLS", "store"))
        edges.append(f"  crud_{s} -->|read-through| cache_{s}")
    if has("aws_kinesis_stream", f"tap_stack_item_stream{suffix}"):
        nodes.append("    " + _node(f"stream_{s}", "Kinesis: item changes", "store"))
    nodes.append("    " + _node(f"logs_{s}", "CloudWatch Logs and alarms, SNS alerts"))
    nodes.append("    " + _node(f"archive_{s}", "Firehose to S3 log archive, KMS", "store"))
    edges += [f"  api_{s} & crud_{s} & health_{s} --> logs_{s}", f"  logs_{s} -->|subscription| archive_{s}"]
    if has("aws_vpc", f"tap_stack_network{suffix}"):
        nodes.append("    " + _node(f"vpc_{s}", "VPC: private subnets, endpoints, flow logs"))
        edges.append(f"  crud_{s} -.-|runs in| vpc_{s}")
    nodes.append("  end")
    return entry, nodes, edges


def diagram(document: dict) -> str:
    """The Mermaid flowchart of `document` (a synthesized configuration)."""
    stack = Stack(document)
    regions = stack.regions()
    lines = ["flowchart LR", "  " + _node("callers", "Callers: SigV4-signed, allowed IP ranges", "round")]
    edges: list[str] = []
    routed = stack.has("aws_route53_record", "tap_stack_api_domain_record")
    if routed:
        lines.append("  " + _node("dns", "Route 53: domain_name, health-checked routing"))
        edges.append("  callers --> dns")
    for suffix, slot, variable in regions:
        entry, nodes, region_edges = _region_lines(stack, suffix, slot, variable)
        lines += nodes
        edges += [f"  {'dns' if routed else 'callers'} --> {entry}", *region_edges]
    replicated = stack.has("aws_dynamodb_table_replica", "tap_stack_data_secondary") or len(regions) > 1
    table = "DynamoDB tap_stack_data: global table, every region" if replicated else "DynamoDB tap_stack_data"
    lines.append("  " + _node("table", f"{table}, KMS, PITR", "store"))
    lines.append("  " + _node("grants", "DynamoDB tap_stack_grants: tenant grants", "store"))
    for suffix, slot, _ in regions:
        s = slot[0]
        edges += [f"  crud_{s} --> table", f"  crud_{s} -->|grant check| grants", f"  health_{s} --> table"]
        if stack.has("aws_kinesis_stream", f"tap_stack_item_stream{suffix}"):
            edges.append(f"  table -->|changes| stream_{s}")
    if stack.has("aws_cloudtrail", "tap_stack_trail"):
        lines.append("  " + _node("trail", "CloudTrail: every region, security alarms", "store"))
    if stack.has("aws_config_configuration_recorder", "tap_stack_config_recorder"):
        lines.append("  " + _node("config", "AWS Config: recorder, managed rules", "store"))
    if stack.has("aws_athena_workgroup", "tap_stack_log_analytics"):
        lines.append("  " + _node("athena", "Athena: queries over the log archive"))
        edges.append("  athena --> archive_p")
    if stack.has("aws_s3_bucket_replication_configuration", "tap_stack_log_replication"):
        edges += [f"  archive_p -.->|replication| archive_{slot[0]}" for _, slot, _ in regions[1:]]
    return "\n".join(lines + edges) + "\n"
