"""One CloudWatch dashboard per region, drawn from the alarms' own metric definitions.

Every `AlarmSpec` the alarms are made from becomes one metric widget: the metric the alarm watches
(namespace, name, dimensions, statistic, the alarms' period) with the alarm's threshold as a
horizontal line, so the dashboard and the alarms cannot drift apart; an alarm per member of a group
(`MemberDimensions`) is one widget with a line per member. `MetricSpec`s add what has no
alarm (latency p50, durations, concurrency, consumed capacity); `RatioSpec`s draw the share of one
count in a total (the cache's hit ratio).

The body holds Terraform references (API, function and table names, the region, a threshold
variable), so it is built as Python data and passed through `Fn.jsonencode`: Terraform renders the
JSON at plan time, numbers as numbers (a threshold variable stays a number, not a string).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from cdktf import Fn
from constructs import Construct

from modules.alerts import PERIOD_SECONDS, AlarmSpec, MemberDimensions
from tapgen.aws import aws

GRID_WIDTH = 24  # CloudWatch dashboards are 24 grid units wide
WIDGET_WIDTH = 8
WIDGET_HEIGHT = 6
WIDGETS_PER_ROW = GRID_WIDTH // WIDGET_WIDTH
MAX_WIDGETS = 500  # CloudWatch quota per dashboard
# Which side of its threshold line an alarm fires on (the comparisons `Alerts` can be given).
BREACHING_SIDE = {
    "GreaterThanOrEqualToThreshold": "above",
    "GreaterThanThreshold": "above",
    "LessThanThreshold": "below",
    "LessThanOrEqualToThreshold": "below",
}


@dataclass(frozen=True)
class MetricSpec:
    """A metric the dashboard draws, alone (what has no alarm) or as an alarm's; with
    `MemberDimensions`, one line per member. `statistic` is any CloudWatch statistic: `Sum`,
    `Average`, `Maximum`, ... or a percentile such as `p50`."""

    title: str
    namespace: str
    metric: str
    dimensions: dict[str, str] | MemberDimensions
    statistic: str


@dataclass(frozen=True)
class RatioSpec:
    """A percentage drawn by metric math: `100 * part / (part + rest)` of two counts that share a
    namespace and dimensions (cache hits among lookups: `part` hits, `rest` misses)."""

    title: str
    namespace: str
    part: str
    rest: str
    dimensions: dict[str, str]


@dataclass(frozen=True, kw_only=True)
class RegionDashboardProps:
    """`name` is the Terraform name of the dashboard (`tap_stack_dashboard`); `dashboard_name` its
    physical name and `region` the region its widgets query (both Terraform string expressions).
    `alarms` are the region's alarm definitions, the same tuple `Alerts` is given; `extra_metrics`
    what has no alarm. Widgets are grouped by namespace in order of first appearance, alarms before
    extras, otherwise in the order given."""

    name: str
    dashboard_name: str
    region: str
    alarms: tuple[AlarmSpec, ...]
    extra_metrics: tuple[MetricSpec | RatioSpec, ...] = ()


@dataclass(frozen=True)
class _Panel:
    """One widget's content: a metric and, for an alarm, the horizontal line it fires at."""

    metric: MetricSpec | RatioSpec
    annotation: dict | None = None


class RegionDashboard(Construct):
    """Outputs: `dashboard` (`aws_cloudwatch_dashboard`), `name` (the dashboard's name)."""

    def __init__(self, scope: Construct, props: RegionDashboardProps) -> None:
        super().__init__(scope, props.name)
        panels = [*(alarm_panel(props.name, spec) for spec in props.alarms), *map(_Panel, props.extra_metrics)]
        if len(panels) > MAX_WIDGETS:
            raise ValueError(f"{props.name}: {len(panels)} widgets, more than a dashboard holds ({MAX_WIDGETS})")
        self.dashboard = aws.cloudwatch_dashboard.CloudwatchDashboard(
            self,
            props.name,
            dashboard_name=props.dashboard_name,
            dashboard_body=Fn.jsonencode(dashboard_body(panels, props.region)),
        )
        self.name = self.dashboard.dashboard_name


def alarm_panel(dashboard: str, spec: AlarmSpec) -> _Panel:
    """The alarm's metric, titled by its description, with its threshold drawn on the side it
    fires on."""
    if bool(spec.statistic) == bool(spec.extended_statistic):
        raise ValueError(f"{dashboard}: alarm {spec.name} must set exactly one of statistic and extended_statistic")
    if spec.comparison not in BREACHING_SIDE:
        raise ValueError(f"{dashboard}: alarm {spec.name} compares by {spec.comparison}, which has no threshold line")
    metric = MetricSpec(
        spec.description, spec.namespace, spec.metric, spec.dimensions, spec.extended_statistic or spec.statistic
    )
    line = {"label": "alarm threshold", "value": spec.threshold, "fill": BREACHING_SIDE[spec.comparison]}
    return _Panel(metric, line)


def dashboard_body(panels: list[_Panel], region: str) -> dict:
    """The dashboard document: a grid, WIDGETS_PER_ROW widgets a row, grouped by namespace."""
    first_seen: dict[str, int] = {}
    for panel in panels:
        first_seen.setdefault(panel.metric.namespace, len(first_seen))
    ordered = sorted(panels, key=lambda panel: first_seen[panel.metric.namespace])
    return {"widgets": [metric_widget(panel, region, position) for position, panel in enumerate(ordered)]}


def metric_lines(metric: MetricSpec | RatioSpec) -> tuple[str, list]:
    """The widget's statistic and `metrics` lines: the metric itself (once per member: every member
    the group may have, cut at plan time to the members it has), or the two counts (hidden) and the
    percentage computed from them."""
    if isinstance(metric, MetricSpec) and isinstance(metric.dimensions, MemberDimensions):
        members = metric.dimensions
        lines = [metric_line(metric, members.of(n)) for n in range(1, members.most + 1)]
        return metric.statistic, Fn.slice(lines, 0, members.count)
    if isinstance(metric, MetricSpec):
        return metric.statistic, [metric_line(metric, metric.dimensions)]
    dimensions = list(chain.from_iterable(metric.dimensions.items()))
    return "Sum", [
        [metric.namespace, metric.part, *dimensions, {"id": "part", "visible": False}],
        [metric.namespace, metric.rest, *dimensions, {"id": "rest", "visible": False}],
        [{"id": "ratio", "expression": "100 * part / (part + rest)", "label": metric.title}],
    ]


def metric_line(metric: MetricSpec, dimensions: dict[str, str]) -> list:
    return [metric.namespace, metric.metric, *chain.from_iterable(dimensions.items())]


def metric_widget(panel: _Panel, region: str, position: int) -> dict:
    metric = panel.metric
    statistic, lines = metric_lines(metric)
    properties: dict = {
        "title": metric.title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "period": PERIOD_SECONDS,
        "stat": statistic,
        "metrics": lines,
    }
    if panel.annotation is not None:
        properties["annotations"] = {"horizontal": [panel.annotation]}
    row, column = divmod(position, WIDGETS_PER_ROW)
    return {
        "type": "metric",
        "x": column * WIDGET_WIDTH,
        "y": row * WIDGET_HEIGHT,
        "width": WIDGET_WIDTH,
        "height": WIDGET_HEIGHT,
        "properties": properties,
    }


def api_metrics(api_name: str, stage_name: str) -> tuple[MetricSpec, ...]:
    """What the API's alarms leave out: median latency, drawn next to the p99 alarm's."""
    dimensions = {"ApiName": api_name, "Stage": stage_name}
    return (MetricSpec("API latency p50", "AWS/ApiGateway", "Latency", dimensions, "p50"),)


def function_metrics(title: str, function_name: str, alias_name: str = "") -> tuple[MetricSpec, ...]:
    """A function's duration and concurrency; with an alias, how much of its provisioned
    concurrency is in use (Lambda reports that per alias, as `Resource` `<function>:<alias>`)."""
    dimensions = {"FunctionName": function_name}
    metrics = [
        MetricSpec(f"{title} duration p99", "AWS/Lambda", "Duration", dimensions, "p99"),
        MetricSpec(f"{title} concurrent executions", "AWS/Lambda", "ConcurrentExecutions", dimensions, "Maximum"),
    ]
    if alias_name:
        alias = {**dimensions, "Resource": f"{function_name}:{alias_name}"}
        metrics.append(
            MetricSpec(
                f"{title} provisioned concurrency utilization",
                "AWS/Lambda",
                "ProvisionedConcurrencyUtilization",
                alias,
                "Maximum",
            )
        )
    return tuple(metrics)


def table_metrics(table_name: str) -> tuple[MetricSpec, ...]:
    """The table's consumed capacity (units per minute: the alarms' period)."""
    dimensions = {"TableName": table_name}
    return (
        MetricSpec("Item table consumed read capacity", "AWS/DynamoDB", "ConsumedReadCapacityUnits", dimensions, "Sum"),
        MetricSpec(
            "Item table consumed write capacity", "AWS/DynamoDB", "ConsumedWriteCapacityUnits", dimensions, "Sum"
        ),
    )


def cache_metrics(namespace: str, dimensions: dict[str, str], hits: str, misses: str) -> tuple[RatioSpec, ...]:
    """The cache's hit ratio, from the hit and miss counts the CRUD function emits."""
    return (RatioSpec("Item cache hit ratio (%)", namespace, hits, misses, dimensions),)
