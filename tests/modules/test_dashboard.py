"""The region dashboard, synthesized in a tiny two-region stack from a few alarm and metric
definitions; checked on the JSON, by `terraform validate`, and by `terraform test` (mocked
provider) on the JSON body Terraform renders from the expression."""

import json
import textwrap

import pytest
from cdktf import App, TerraformLocal, TerraformOutput, TerraformStack, TerraformVariable, Token

from modules.alerts import AlarmSpec, MemberDimensions
from modules.dashboard import (
    MAX_WIDGETS,
    MetricSpec,
    RegionDashboard,
    RegionDashboardProps,
    api_metrics,
    function_metrics,
    table_metrics,
)
from modules.item_cache import MAX_NODES, member_cluster_id
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

PRIMARY, SECONDARY, _ = REGIONS
DASHBOARD = "tap_stack_dashboard"
# Deploy-time values of the `terraform test` run, none of them a default: each one must reach the body.
RUN = {
    "aws_region": "eu-west-1",
    "secondary_region": "ap-southeast-2",
    "environment": "prod",
    "latency_ms": 750,
    "cache_node_count": 3,
}
FUNCTION = "tap-prod-api"
TABLE = "tap-prod-items"


def alarms(
    api_name: str, stage: str, threshold: float, cache_id: str = "tap-dev-cache", nodes: object = 2
) -> tuple[AlarmSpec, ...]:
    """Alarms of five namespaces, interleaved, as the stack's `alarm_specs` gives them; the last one
    per member of the cache `cache_id` (`nodes` members)."""
    api = {"ApiName": api_name, "Stage": stage}
    members = MemberDimensions(nodes, MAX_NODES, lambda n: {"CacheClusterId": member_cluster_id(cache_id, n)})
    return (
        AlarmSpec("tap_stack_api_5xx_alarm", "API returned a 5XX error", "AWS/ApiGateway", "5XXError", api, 1),
        AlarmSpec(
            "tap_stack_canary_alarm",
            "Health canary run failed",
            "CloudWatchSynthetics",
            "SuccessPercent",
            {"CanaryName": "tap-prod-health"},
            100,
            statistic="Minimum",
            comparison="LessThanThreshold",
        ),
        AlarmSpec(
            "tap_stack_api_latency_alarm",
            "API p99 latency",
            "AWS/ApiGateway",
            "Latency",
            api,
            threshold,
            statistic="",
            extended_statistic="p99",
            evaluation_periods=3,
        ),
        AlarmSpec(
            "tap_stack_lambda_errors_alarm",
            "tap_stack_lambda raised errors",
            "AWS/Lambda",
            "Errors",
            {"FunctionName": FUNCTION},
            1,
        ),
        AlarmSpec("tap_stack_security_root_alarm", "Root account used", "TapStack/Security", "RootUse", {}, 1),
        AlarmSpec(
            "tap_stack_cache_engine_cpu_alarm",
            "Cache engine CPU",
            "AWS/ElastiCache",
            "EngineCPUUtilization",
            members,
            90,
            statistic="Average",
        ),
    )


# The API rules judge the stand-in API (no methods, no CORS preflights), which is not under test here.
RULES_NOT_UNDER_TEST = ("api_",)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized[dict]:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("dashboard"))
    secondary = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    region_variables = {
        PRIMARY: TerraformVariable(stack, "aws_region", type="string", default="us-east-1"),
        SECONDARY: TerraformVariable(stack, "secondary_region", type="string", default="us-west-2"),
    }
    stage = TerraformVariable(stack, "environment", type="string", default="dev").string_value
    latency = TerraformVariable(stack, "latency_ms", type="number", default=1000)
    nodes = TerraformVariable(stack, "cache_node_count", type="number", default=2)
    prefix = TerraformLocal(stack, "name_prefix", "tap-dev").as_string
    dashboards = {}
    for region, provider in ((PRIMARY, None), (SECONDARY, secondary)):
        scope = RegionScope(stack, region, provider)
        api = aws.api_gateway_rest_api.ApiGatewayRestApi(scope, "tap_stack_api", name=f"{prefix}-api-{region.slot}")
        dashboards[region] = RegionDashboard(
            scope,
            RegionDashboardProps(
                name=DASHBOARD,
                dashboard_name=f"{prefix}-{region.slot}",
                region=region_variables[region].string_value,
                alarms=alarms(
                    api.name, stage, Token.as_number(latency.number_value), f"{prefix}-cache", nodes.number_value
                ),
                extra_metrics=(
                    *api_metrics(api.name, stage),
                    *function_metrics("CRUD function", FUNCTION, "live"),
                    *table_metrics(TABLE),
                ),
            ),
        )
    TerraformOutput(stack, "dashboard_name", value=dashboards[PRIMARY].name)
    return harness.synthesize(stack, dashboards)


def widget(position: int, region: str, title: str, stat: str, metric: list, line: dict | None = None) -> dict:
    """The widget Terraform must render at `position` of the 3-wide grid of 8x6 widgets; `metric`
    is one line, or a list of lines (one per member)."""
    properties = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "period": 60,
        "stat": stat,
        "metrics": metric if isinstance(metric[0], list) else [metric],
    }
    if line is not None:
        properties["annotations"] = {"horizontal": [{"label": "alarm threshold", **line}]}
    x, y = (position % 3) * 8, (position // 3) * 6
    return {"type": "metric", "x": x, "y": y, "width": 8, "height": 6, "properties": properties}


def expected_body(region: str, api_name: str) -> dict:
    """Grouped by namespace in order of first appearance, alarms before extras."""
    api = ["ApiName", api_name, "Stage", RUN["environment"]]
    function = ["FunctionName", FUNCTION]
    table = ["TableName", TABLE]
    rows = [
        ("API returned a 5XX error", "Sum", ["AWS/ApiGateway", "5XXError", *api], {"value": 1, "fill": "above"}),
        ("API p99 latency", "p99", ["AWS/ApiGateway", "Latency", *api], {"value": RUN["latency_ms"], "fill": "above"}),
        ("API latency p50", "p50", ["AWS/ApiGateway", "Latency", *api], None),
        (
            "Health canary run failed",
            "Minimum",
            ["CloudWatchSynthetics", "SuccessPercent", "CanaryName", "tap-prod-health"],
            {"value": 100, "fill": "below"},
        ),
        ("tap_stack_lambda raised errors", "Sum", ["AWS/Lambda", "Errors", *function], {"value": 1, "fill": "above"}),
        ("CRUD function duration p99", "p99", ["AWS/Lambda", "Duration", *function], None),
        ("CRUD function concurrent executions", "Maximum", ["AWS/Lambda", "ConcurrentExecutions", *function], None),
        (
            "CRUD function provisioned concurrency utilization",
            "Maximum",
            ["AWS/Lambda", "ProvisionedConcurrencyUtilization", *function, "Resource", f"{FUNCTION}:live"],
            None,
        ),
        ("Root account used", "Sum", ["TapStack/Security", "RootUse"], {"value": 1, "fill": "above"}),
        (
            "Cache engine CPU",
            "Average",
            [
                ["AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId", f"tap-dev-cache-{n:03d}"]
                for n in range(1, RUN["cache_node_count"] + 1)
            ],
            {"value": 90, "fill": "above"},
        ),
        ("Item table consumed read capacity", "Sum", ["AWS/DynamoDB", "ConsumedReadCapacityUnits", *table], None),
        ("Item table consumed write capacity", "Sum", ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", *table], None),
    ]
    return {"widgets": [widget(i, region, *row) for i, row in enumerate(rows)]}


def body_asserts(slot: str, body: str) -> str:
    """`terraform test` assertions: the rendered `body` is JSON, and the expected document."""
    return textwrap.dedent(f"""\
      assert {{
        condition     = can(jsondecode({body}))
        error_message = "the {slot} body is not JSON"
      }}
      assert {{
        condition     = jsondecode({body}) == jsondecode(file("expected_{slot}.json"))
        error_message = "the {slot} body differs: ${{{body}}}"
      }}
    """)


@pytest.fixture(scope="module")
def rendered(synthesized) -> str:
    """`terraform test` (mocked provider, plan only) comparing each region's rendered body with
    the expected document; the command's output."""
    directory = synthesized.directory
    for region, api_name in ((PRIMARY, "tap-dev-api-primary"), (SECONDARY, "tap-dev-api-secondary")):
        expected = expected_body(RUN[region.variable], api_name)
        (directory / f"expected_{region.slot}.json").write_text(json.dumps(expected, indent=1))
    asserts = "".join(
        body_asserts(slot, f"aws_cloudwatch_dashboard.{DASHBOARD}{sfx}.dashboard_body")
        for slot, sfx in (("primary", ""), ("secondary", "_secondary"))
    )
    mocks = 'mock_provider "aws" {}\nmock_provider "aws" {\n  alias = "secondary"\n}\n'
    return harness.terraform_test(directory, mocks, "bodies", RUN, asserts)


def body_of(resources: dict, name: str) -> str:
    return resources["aws_cloudwatch_dashboard"][name]["dashboard_body"]


def test_terraform_renders_every_alarm_and_extra_as_the_expected_grid(rendered):
    assert "1 passed, 0 failed" in rendered


def test_the_body_is_a_jsonencode_expression_with_its_references(resources):
    body = body_of(resources, DASHBOARD)
    assert body.startswith("${jsonencode({") and body.endswith("})}")
    assert '"ApiName", aws_api_gateway_rest_api.tap_stack_api.name, "Stage", var.environment' in body
    assert '"value" = var.latency_ms' in body  # a number, not a string
    assert body.count('"region" = var.aws_region') == 12
    assert resources["aws_cloudwatch_dashboard"][DASHBOARD]["dashboard_name"] == "${local.name_prefix}-primary"


def test_the_secondary_dashboard_names_its_own_region_and_resources(resources):
    dashboard = resources["aws_cloudwatch_dashboard"][f"{DASHBOARD}_secondary"]
    assert dashboard["provider"] == "aws.secondary"
    body = dashboard["dashboard_body"]
    assert body.count('"region" = var.secondary_region') == 12
    assert "aws_api_gateway_rest_api.tap_stack_api_secondary.name" in body
    assert "aws_api_gateway_rest_api.tap_stack_api.name" not in body


def test_the_widget_order_is_the_same_on_every_synth(resources, tmp_path):
    again = TerraformStack(App(outdir=str(tmp_path)), "tap_stack")
    aws.provider.AwsProvider(again, "aws", region="us-east-1")
    RegionDashboard(
        again,
        RegionDashboardProps(
            name=DASHBOARD,
            dashboard_name="tap-dev",
            region="us-east-1",
            alarms=alarms("tap-dev-api", "dev", 1000),
            extra_metrics=(*api_metrics("tap-dev-api", "dev"), *function_metrics("CRUD function", FUNCTION, "live")),
        ),
    )
    first = harness.synthesize(again).resources["aws_cloudwatch_dashboard"][DASHBOARD]["dashboard_body"]
    titles = [line.split('"title" = ')[1].split('"')[1] for line in first.split('"properties" = {')[1:]]
    assert titles == [
        "API returned a 5XX error",
        "API p99 latency",
        "API latency p50",
        "Health canary run failed",
        "tap_stack_lambda raised errors",
        "CRUD function duration p99",
        "CRUD function concurrent executions",
        "CRUD function provisioned concurrency utilization",
        "Root account used",
        "Cache engine CPU",
    ]


def test_a_member_alarm_draws_every_member_the_group_may_have_cut_to_the_count(resources):
    body = body_of(resources, DASHBOARD)
    metric = '"AWS/ElastiCache", "EngineCPUUtilization", "CacheClusterId"'
    lines = [f'[{metric}, format("%s-%03d", "${{local.name_prefix}}-cache", {n})]' for n in range(1, MAX_NODES + 1)]
    assert f'"metrics" = slice([{", ".join(lines)}], 0, var.cache_node_count)' in body


def test_without_an_alias_there_is_no_provisioned_utilization():
    assert [m.metric for m in function_metrics("f", "fn")] == ["Duration", "ConcurrentExecutions"]


def test_outputs(synthesized, document):
    dashboard = synthesized.built[PRIMARY]
    assert dashboard.dashboard.terraform_resource_type == "aws_cloudwatch_dashboard"
    assert document["output"]["dashboard_name"]["value"] == f"${{aws_cloudwatch_dashboard.{DASHBOARD}.dashboard_name}}"


def refused(alarm: AlarmSpec | None = None, extras: tuple[MetricSpec, ...] = ()):
    stack = TerraformStack(App(), "tap_stack")
    RegionDashboard(
        stack,
        RegionDashboardProps(
            name=DASHBOARD,
            dashboard_name="d",
            region="us-east-1",
            alarms=(alarm,) if alarm else (),
            extra_metrics=extras,
        ),
    )


@pytest.mark.parametrize(("statistic", "extended"), [("Sum", "p99"), ("", "")], ids=["both statistics", "no statistic"])
def test_an_alarm_needs_exactly_one_statistic(statistic, extended):
    spec = AlarmSpec("tap_stack_x_alarm", "x", "AWS/Lambda", "Errors", {}, 1, statistic, extended)
    message = "tap_stack_dashboard: alarm tap_stack_x_alarm must set exactly one of statistic and extended_statistic"
    with pytest.raises(ValueError, match=f"^{message}$"):
        refused(spec)


def test_an_alarm_without_a_threshold_line_is_refused():
    spec = AlarmSpec("tap_stack_x_alarm", "x", "AWS/Lambda", "Errors", {}, 1, comparison="GreaterThanUpperThreshold")
    message = (
        "tap_stack_dashboard: alarm tap_stack_x_alarm compares by GreaterThanUpperThreshold, "
        "which has no threshold line"
    )
    with pytest.raises(ValueError, match=f"^{message}$"):
        refused(spec)


def test_more_widgets_than_a_dashboard_holds_are_refused():
    extras = (MetricSpec("t", "AWS/Lambda", "Errors", {}, "Sum"),) * MAX_WIDGETS
    refused(extras=extras)  # exactly the quota is fine
    with pytest.raises(ValueError, match=r"^tap_stack_dashboard: 501 widgets, more than a dashboard holds \(500\)$"):
        refused(AlarmSpec("tap_stack_x_alarm", "x", "AWS/Lambda", "Errors", {}, 1), extras)
