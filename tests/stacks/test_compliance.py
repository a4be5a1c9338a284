"""`compliance=on` and `account_controls=on` in the composed stack, on the JSON `main.py` writes:
every function in its region's private subnets, every AWS API the function code calls reachable
through an endpoint whose policy allows what the function's role is granted, the boundary on
every role and wide enough for every grant, one trail whose security events raise alarms, account
controls in the primary only."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from modules.item_cache import PORT as CACHE_PORT
from modules.private_network import GATEWAY_SERVICES
from modules.trail_metrics import SECURITY_EVENTS
from tapgen.combinations import LARGEST
from tapgen.pipeline.archives import ARCHIVES
from tapgen.placement import REGIONS
from tapgen.security.exceptions import boundary_exempt
from tapgen.security.rules import PERMISSION_BOUNDARY_POLICY

ROOT = Path(__file__).resolve().parents[2]
SINGLE = {"regions": "1", "waf": "on", "compliance": "on"}
_POLICY = re.compile(r"^\$\{data\.aws_iam_policy_document\.(\w+)\.json\}$")


@pytest.fixture(scope="module", params=[SINGLE, LARGEST], ids=["regions=1", "largest"])
def document(request, synth_of) -> dict:
    return synth_of(**request.param).document


def resources(document: dict, rtype: str) -> dict[str, dict]:
    return document["resource"].get(rtype, {})


def statements(document: dict, reference: str) -> list[dict]:
    return document["data"]["aws_iam_policy_document"][_POLICY.match(reference)[1]]["statement"]


def services_called(source: str) -> set[str]:
    """The AWS services a `lambda_src` folder creates boto3 clients or resources for."""
    found = set()
    for path in sorted((ROOT / "lambda_src" / source).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("client", "resource")
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def role_grants(document: dict, function: dict) -> list[dict]:
    """The Allow statements of a function's role's inline policy."""
    role = re.match(r"^\$\{aws_iam_role\.(\w+)\.arn\}$", function["role"])[1]
    (policy,) = (
        p for p in resources(document, "aws_iam_role_policy").values() if p["role"] == f"${{aws_iam_role.{role}.id}}"
    )
    return [s for s in statements(document, policy["policy"]) if s.get("effect", "Allow") == "Allow"]


def test_the_code_calls_at_least_the_apis_this_test_knows():
    called = {spec.source: services_called(spec.source) for spec in ARCHIVES}
    assert called["crud"] == {"dynamodb", "events", "secretsmanager"}
    assert called["health"] == {"dynamodb"}
    assert called["rotation"] == {"secretsmanager"}


def test_every_function_runs_in_its_regions_private_subnets(document):
    for name, function in resources(document, "aws_lambda_function").items():
        suffix = next((r.suffix for r in REGIONS[1:] if name.endswith(r.suffix)), "")
        vpc = function["vpc_config"]
        assert vpc["subnet_ids"] == [
            f"${{aws_subnet.tap_stack_network_private_{zone}{suffix}.id}}" for zone in ("a", "b")
        ], name
        assert vpc["security_group_ids"] == [f"${{aws_security_group.tap_stack_network_functions{suffix}.id}}"], name


def test_every_api_the_code_calls_has_an_endpoint_whose_policy_allows_the_roles_grants(document):
    archives = {spec.filename: spec.source for spec in ARCHIVES}
    endpoints = resources(document, "aws_vpc_endpoint")
    checked = 0
    for name, function in resources(document, "aws_lambda_function").items():
        suffix = next((r.suffix for r in REGIONS[1:] if name.endswith(r.suffix)), "")
        for service in sorted(services_called(archives[function["filename"]])):
            endpoint = endpoints[f"tap_stack_network_{service}_endpoint{suffix}"]
            kind = "Gateway" if service in GATEWAY_SERVICES else "Interface"
            assert endpoint["vpc_endpoint_type"] == kind
            assert endpoint.get("private_dns_enabled", kind == "Gateway") is True
            allowed = [s for s in statements(document, endpoint["policy"]) if s.get("effect", "Allow") == "Allow"]
            for grant in role_grants(document, function):
                for action in (a for a in grant["actions"] if a.startswith(f"{service}:")):
                    for resource in grant.get("resources", ["*"]):
                        assert any(
                            any(fnmatchcase(action, a) for a in s["actions"])
                            and any(r == "*" or r == resource or fnmatchcase(resource, r) for r in s["resources"])
                            for s in allowed
                        ), f"{name}: {action} on {resource} is not allowed through its {service} endpoint"
                        checked += 1
    assert checked >= 10 * len(resources(document, "aws_lambda_function")) // 3


def test_no_endpoint_allows_every_action_of_its_service_everywhere_and_none_is_unused(document):
    endpoints = resources(document, "aws_vpc_endpoint")
    services = {e["service_name"].rsplit(".", 1)[1] for e in endpoints.values()}
    assert "sts" not in services  # Lambda gives the functions their credentials: nothing calls STS
    for name, endpoint in endpoints.items():
        for statement in statements(document, endpoint["policy"]):
            everything = any(a.endswith(":*") for a in statement["actions"]) and statement["resources"] == ["*"]
            assert not everything, f"{name} allows {statement['actions']} on every resource"


def test_functions_reach_the_endpoints_on_443_only_and_ssh_only_from_an_admin_cidr(document):
    """And with a cache: its port only between the functions' group and the cache's, by group."""
    rules = [
        *resources(document, "aws_vpc_security_group_egress_rule").values(),
        *resources(document, "aws_vpc_security_group_ingress_rule").values(),
    ]
    cache = [r for r in rules if r["from_port"] == CACHE_PORT]
    assert all(
        (r["to_port"], r["ip_protocol"]) == (CACHE_PORT, "tcp") and set(r) >= {"referenced_security_group_id"}
        for r in cache
    )
    assert not any("cidr_ipv4" in r or "cidr_ipv6" in r for r in cache)
    always = {(r["from_port"], r["to_port"], r["ip_protocol"]) for r in rules if "count" not in r and r not in cache}
    assert always == {(443, 443, "tcp")}
    ssh = [r for r in rules if "count" in r]
    assert {(r["from_port"], r["cidr_ipv4"], r["count"]) for r in ssh} == {
        (22, "${var.admin_cidr}", "${signum(length(var.admin_cidr))}")
    }
    assert not resources(document, "aws_internet_gateway") and not resources(document, "aws_nat_gateway")


def test_every_role_has_the_boundary_and_the_boundary_covers_every_grant(document):
    boundary = f"${{aws_iam_policy.{PERMISSION_BOUNDARY_POLICY}.arn}}"
    for name, role in resources(document, "aws_iam_role").items():
        assert role.get("permissions_boundary") == (None if boundary_exempt(name) else boundary), name
    # An account-wide pattern (`arn:...:<service>:*:<account>:*`) admits any of the stack's resources;
    # the services narrowed to named resources must name every resource a role is granted.
    boundary_allows = [
        s
        for s in document["data"]["aws_iam_policy_document"][f"{PERMISSION_BOUNDARY_POLICY}_document"]["statement"]
        if s["effect"] == "Allow"
    ]
    roles = resources(document, "aws_iam_role")
    capped = {f"${{aws_iam_role.{name}.id}}" for name in roles if not boundary_exempt(name)}
    for policy in resources(document, "aws_iam_role_policy").values():
        if policy["role"] not in capped:
            continue
        for statement in statements(document, policy["policy"]):
            if statement.get("effect", "Allow") != "Allow":
                continue
            uncovered = [
                (action, resource)
                for action in statement["actions"]
                for resource in statement.get("resources", ["*"])
                if not any(
                    any(fnmatchcase(action, a) for a in allow["actions"])
                    and any(r == "*" or r.startswith("arn:") or fnmatchcase(resource, r) for r in allow["resources"])
                    for allow in boundary_allows
                )
            ]
            assert uncovered == [], f"{policy['role']}: {uncovered} are granted but the boundary forbids them"


def test_the_boundary_names_the_stacks_tables_and_secrets_and_checks_the_account_of_buckets(document):
    allows = {
        s["sid"]: s
        for s in document["data"]["aws_iam_policy_document"][f"{PERMISSION_BOUNDARY_POLICY}_document"]["statement"]
    }
    tables = [n for t in ("aws_dynamodb_table", "aws_dynamodb_table_replica") for n in resources(document, t)]
    assert sorted(allows["AllowDynamodb"]["resources"]) == sorted(
        f"${{{rtype}.{name}.arn}}{tail}"
        for rtype in ("aws_dynamodb_table", "aws_dynamodb_table_replica")
        for name in resources(document, rtype)
        for tail in ("", "/*")
    )
    assert len(tables) >= 2
    assert allows["AllowSecretsmanager"]["resources"] == [
        f"${{aws_secretsmanager_secret.{name}.arn}}" for name in resources(document, "aws_secretsmanager_secret")
    ]
    assert allows["AllowS3"]["condition"][0]["variable"] == "aws:ResourceAccount"


def test_one_trail_in_the_primary_region_records_every_regions_log_bucket_and_table(document, request):
    (trail,) = resources(document, "aws_cloudtrail").values()
    assert trail["is_multi_region_trail"] is True and "provider" not in trail
    selectors = str(trail["advanced_event_selector"])
    for name in resources(document, "aws_s3_bucket"):
        if name.startswith("tap_stack_logs"):
            assert f"${{aws_s3_bucket.{name}.arn}}/" in selectors
    for rtype in ("aws_dynamodb_table", "aws_dynamodb_table_replica"):
        for name in resources(document, rtype):
            if name.startswith(("tap_stack_data", "tap_stack_grants")):
                assert f"${{{rtype}.{name}.arn}}" in selectors, name


def test_the_trails_security_events_raise_alarms_on_the_alerts_topic(document):
    filters = resources(document, "aws_cloudwatch_log_metric_filter")
    alarms = resources(document, "aws_cloudwatch_metric_alarm")
    assert len(filters) == len(SECURITY_EVENTS)
    for event in SECURITY_EVENTS:
        watched = filters[f"tap_stack_trail_metrics_{event.name}"]
        assert watched["log_group_name"] == "${aws_cloudwatch_log_group.tap_stack_trail_log_group.name}"
        assert watched["pattern"] == event.pattern
        metric = watched["metric_transformation"]
        alarm = alarms[f"tap_stack_security_{event.name}_alarm"]
        assert (alarm["namespace"], alarm["metric_name"]) == (metric["namespace"], metric["name"])
        assert alarm["alarm_actions"] == ["${aws_sns_topic.tap_stack_alerts.arn}"] and alarm["threshold"] == 1
        assert "dimensions" not in alarm and "provider" not in alarm


def test_no_role_may_invoke_an_api_function_and_the_trail_alarms_on_direct_invocations(document):
    """A forged event by direct invocation bypasses SigV4, the allow-list, WAF and the grants: the
    boundary denies it to every stack role, and the trail records and alarms on any other caller."""
    functions = resources(document, "aws_lambda_function")
    api_functions = sorted(n for n in functions if n.startswith(("tap_stack_lambda", "tap_stack_health_lambda")))
    assert len(api_functions) == 2 * len(resources(document, "aws_kms_key"))  # two per region
    boundary = {
        s["sid"]: s
        for s in document["data"]["aws_iam_policy_document"][f"{PERMISSION_BOUNDARY_POLICY}_document"]["statement"]
    }
    deny = boundary["DenyInvokingApiFunctions"]
    assert deny["effect"] == "Deny" and "lambda:InvokeFunction" in deny["actions"]
    by_name = {r.rsplit(":function:", 1)[1] for r in deny["resources"]}
    suffixes = {"tap_stack_lambda": "api", "tap_stack_health_lambda": "health"}
    assert by_name == {
        f"${{local.name_prefix}}-{suffixes[n.rsplit('_lambda', 1)[0] + '_lambda']}{tail}"
        for n in api_functions
        for tail in ("", ":*")
    }
    (trail,) = resources(document, "aws_cloudtrail").values()
    (invocations,) = [s for s in trail["advanced_event_selector"] if s["name"] == "Invocations of the API functions"]
    arns = next(f for f in invocations["field_selector"] if f["field"] == "resources.ARN")["starts_with"]
    assert sorted(arns) == sorted(r for r in deny["resources"] if not r.endswith(":*"))
    pattern = resources(document, "aws_cloudwatch_log_metric_filter")[
        "tap_stack_trail_metrics_api_function_invoked_directly"
    ]["pattern"]
    assert '($.eventName = "Invoke")' in pattern and '($.userIdentity.type != "AWSService")' in pattern


def test_config_records_in_each_region_with_its_provider_and_the_password_policy_is_set_once(synth_of):
    document = synth_of(**LARGEST).document
    recorders = resources(document, "aws_config_configuration_recorder")
    assert {name: r.get("provider") for name, r in recorders.items()} == {
        "tap_stack_config_recorder": None,
        "tap_stack_config_recorder_secondary": "aws.secondary",
        "tap_stack_config_recorder_tertiary": "aws.tertiary",
    }
    assert list(resources(document, "aws_iam_account_password_policy")) == ["tap_stack_password_policy"]
    assert not resources(synth_of(**SINGLE).document, "aws_config_configuration_recorder")
