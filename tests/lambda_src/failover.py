"""A model of how Route 53 decides that a region has failed, read from a generated configuration
and driven by the real canary and the real health handler: the emulator throttles nothing and
checks nothing, so this is how a test sees whether anonymous traffic can fail a region over.

What it imitates, on a virtual clock:
- API Gateway throttles a method with a token bucket of `throttling_burst_limit` tokens refilled at
  `throttling_rate_limit` a second; a request that finds no token is answered 429 by the gateway
  before any function runs; a method's own settings (`<path>/<METHOD>`) override the stage's
  (`*/*`) (API Gateway Developer Guide, "Throttle requests to your REST APIs for better
  throughput", https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
- WAF's rate-based rule counts each client address over a 5-minute window and blocks it over the
  limit; the flood comes from as many addresses as it takes to stay under it (`flood_addresses`).
- The canary runs on its `rate(...)` schedule; its verdicts (CloudWatch PutMetricData) go to the alarm
  model when their namespace, metric and dimensions are the alarm's.
- A CloudWatch alarm makes one datapoint per `period` from the values published in it (the
  `statistic`) and is in ALARM while its last `evaluation_periods` datapoints breach; a period
  without values follows `treat_missing_data` (CloudWatch User Guide, "Configuring how CloudWatch
  alarms treat missing data", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html).
- Route 53 (Developer Guide, "How Amazon Route 53 determines whether a health check is healthy",
  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html):
  a `CLOUDWATCH_METRIC` check is healthy while its alarm is OK, unhealthy in ALARM and
  `insufficient_data_health_status` otherwise (`LastKnownStatus`: the last status, healthy for a
  new check). An endpoint check (`HTTP`/`HTTPS`) has checkers in many locations, each requesting
  `resource_path` every `request_interval` seconds and calling the endpoint unhealthy after
  `failure_threshold` consecutive answers outside 2xx/3xx (healthy again after as many good ones);
  the endpoint is healthy while more than 18% of the checkers say so.
"""

from __future__ import annotations

import io
import math
import re
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.lambda_src.deployed import Deployed

HEALTH_METHOD = "health/GET"
THROTTLED = 429
WAF_WINDOW_SECONDS = 300
CHECKERS = 16  # Route 53's default checker regions (8) hold several checkers each.
HEALTHY_SHARE = 0.18
_RATE = re.compile(r"^rate\((?P<count>\d+) (?P<unit>minute|minutes|hour)\)$")


@dataclass(frozen=True)
class Flood:
    """Anonymous requests of the route from `start` to `end` (s), at least as many a second as the
    throttle admits: the flood takes each token as it appears (its best case, evenly spread
    requests), so no other request gets one until it stops."""

    start: float
    end: float

    def holds(self, now: float) -> bool:
        return self.start <= now < self.end


class TokenBucket:
    """One method's throttle: `burst` tokens, refilled at `rate` a second."""

    def __init__(self, rate: float, burst: float, flood: Flood | None) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, 0.0
        self.flood = flood

    def admits(self, now: float) -> bool:
        if self.flood is not None and self.flood.holds(now):
            return False
        if self.flood is not None and self.at < self.flood.end <= now:
            self.tokens, self.at = 0.0, self.flood.end  # the flood left the bucket empty
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class Alarm:
    """A CloudWatch metric alarm's evaluation (one metric, a plain statistic)."""

    body: dict
    deployed: Deployed
    values: dict[int, list[float]] = field(default_factory=dict)
    datapoints: list[bool | None] = field(default_factory=list)
    state: str = "INSUFFICIENT_DATA"

    @property
    def period(self) -> int:
        return int(self.deployed.value(self.body["period"]))

    def publish(self, now: float, value: float) -> None:
        self.values.setdefault(int(now // self.period), []).append(value)

    def _breaches(self, values: list[float]) -> bool:
        statistic = {"Minimum": min, "Maximum": max, "Sum": sum, "Average": lambda v: sum(v) / len(v)}
        point = statistic[self.body["statistic"]](values)
        threshold = float(self.deployed.value(self.body["threshold"]))
        return {
            "LessThanThreshold": point < threshold,
            "LessThanOrEqualToThreshold": point <= threshold,
            "GreaterThanThreshold": point > threshold,
            "GreaterThanOrEqualToThreshold": point >= threshold,
        }[self.body["comparison_operator"]]

    def evaluate(self, period_index: int) -> None:
        """Close period `period_index` and update the state."""
        values = self.values.get(period_index)
        missing = self.body.get("treat_missing_data", "missing")
        if values:
            self.datapoints.append(self._breaches(values))
        elif missing == "ignore":
            return
        else:
            self.datapoints.append({"breaching": True, "notBreaching": False}.get(missing))
        recent = self.datapoints[-int(self.deployed.value(self.body["evaluation_periods"])) :]
        if any(point is None for point in recent):
            self.state = "INSUFFICIENT_DATA"
        elif all(recent):
            self.state = "ALARM"
        elif not any(recent):
            self.state = "OK"


class Region:
    """One region as Route 53 sees it: its /health behind the method throttle, its canary's alarm
    and its health check, all read from `deployed`. `health` answers GET /health (the real handler);
    `flood` is anonymous traffic on that route."""

    def __init__(self, deployed: Deployed, health_check: dict, health: Callable[[], dict], flood: Flood | None) -> None:
        self.deployed = deployed
        self.check = health_check
        self.health = health
        settings = deployed.method_settings(HEALTH_METHOD)
        self.bucket = TokenBucket(
            float(deployed.value(settings["throttling_rate_limit"])),
            float(deployed.value(settings["throttling_burst_limit"])),
            flood,
        )
        self.canary = deployed.resources["aws_synthetics_canary"]["tap_stack_canary"]
        self.canary_period = schedule_seconds(str(deployed.value(self.canary["schedule"]["expression"])))
        self.alarm = self._alarm()
        self.now = 0.0
        self.checkers = [Checker() for _ in range(CHECKERS)]
        self.healthy = True

    def _alarm(self) -> Alarm | None:
        if self.check["type"] != "CLOUDWATCH_METRIC":
            return None
        body = self.deployed.referenced(self.check["cloudwatch_alarm_name"], "aws_cloudwatch_metric_alarm")
        assert body is not None, "the health check follows no alarm of the stack"
        return Alarm(body, self.deployed)

    def request_health(self) -> tuple[int, bytes]:
        """GET /health at the current time, as the gateway answers it."""
        if not self.bucket.admits(self.now):
            return THROTTLED, b'{"message":"Too Many Requests"}'
        response = self.health()
        return response["statusCode"], (response.get("body") or "").encode()

    def put_metric_data(self, Namespace: str, MetricData: list[dict]) -> None:
        """CloudWatch's PutMetricData, as the canary calls it: values of the alarm's metric reach it."""
        canary_name = self.canary["name"]
        for datum in MetricData:
            dimensions = {d["Name"]: d["Value"] for d in datum.get("Dimensions", [])}
            watched = {
                name: canary_name if self.deployed.referenced(value, "aws_synthetics_canary") is self.canary else value
                for name, value in self.alarm.body.get("dimensions", {}).items()
            }
            if (Namespace, datum["MetricName"], dimensions) == (
                self.alarm.body["namespace"],
                self.alarm.body["metric_name"],
                watched,
            ):
                self.alarm.publish(self.now, datum["Value"])

    def run(self, seconds: int, canary_run: Callable[[], None], outage_at: float | None, outage: Callable[[], None]):
        """Advance to `seconds`; returns the times (s) at which Route 53 held the region unhealthy."""
        unhealthy = []
        for second in range(int(self.now), seconds):
            if outage_at is not None and second == outage_at:
                outage()
            self.now = max(self.now, second)
            if self.alarm is None:
                self._endpoint_checks()
            elif second % self.canary_period == 0:
                canary_run()
            if (second + 1) % 60 == 0:
                self._route53_status(second)
                if not self.healthy:
                    unhealthy.append(second + 1)
        return unhealthy

    def _endpoint_checks(self) -> None:
        interval = int(self.check["request_interval"])
        for index, checker in enumerate(self.checkers):
            if (int(self.now) - index * interval // CHECKERS) % interval == 0:
                status, _ = self.request_health()
                checker.observe(200 <= status < 400, int(self.check["failure_threshold"]))

    def _route53_status(self, second: int) -> None:
        if self.alarm is None:
            self.healthy = sum(c.healthy for c in self.checkers) / CHECKERS > HEALTHY_SHARE
            return
        self.alarm.evaluate((second + 1) // self.alarm.period - 1)
        if self.alarm.state == "INSUFFICIENT_DATA":
            setting = self.check.get("insufficient_data_health_status", "LastKnownStatus")
            self.healthy = {"Healthy": True, "Unhealthy": False}.get(setting, self.healthy)
            return
        self.healthy = self.alarm.state == "OK"


@dataclass
class Checker:
    healthy: bool = True
    streak: int = 0

    def observe(self, good: bool, threshold: int) -> None:
        self.streak = self.streak + 1 if good != self.healthy else 0
        if self.streak >= threshold:
            self.healthy, self.streak = good, 0


def schedule_seconds(expression: str) -> int:
    match = _RATE.match(expression)
    if not match:
        raise ValueError(f"the model runs rate(...) schedules only, not {expression!r}")
    return int(match["count"]) * (3600 if match["unit"] == "hour" else 60)


def flood_addresses(deployed: Deployed) -> int:
    """How many client addresses a flood at the open route's own rate needs to stay under the WAF's
    per-address rate."""
    rate = float(deployed.value(deployed.method_settings(HEALTH_METHOD)["throttling_rate_limit"]))
    limit = float(deployed.value("${var.waf_rate_limit}"))
    return math.ceil(rate * WAF_WINDOW_SECONDS / (limit - 1))


class GatewayResponse:
    """What `urllib.request.urlopen` returns for a 2xx answer."""

    def __init__(self, status: int, body: bytes) -> None:
        self.status, self._body = status, body

    def read(self) -> bytes:
        return self._body

    def __enter__(self) -> GatewayResponse:
        return self

    def __exit__(self, *exc) -> None:
        return None


def urlopen_through(region: Region) -> Callable:
    """A stand-in for `urllib.request.urlopen` that sends the canary's request to `region`."""

    def urlopen(request, timeout=None):
        status, body = region.request_health()
        if status < 400:
            return GatewayResponse(status, body)
        raise urllib.error.HTTPError(request.full_url, status, "", {}, io.BytesIO(body))

    return urlopen


def sleep_in(region: Region) -> Callable[[float], None]:
    """A stand-in for `time.sleep` that moves the region's clock instead of waiting."""

    def sleep(seconds: float) -> None:
        region.now += seconds

    return sleep
