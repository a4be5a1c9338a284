"""Anonymous traffic cannot fail a region over; an outage still does.

The real canary and the real health handler (against moto) behind a model of the /health throttle,
the canary's alarm and Route 53's health check (`tests/lambda_src/failover.py`), all read from the
generated two-region configuration. A flood of /health, from addresses each under the WAF's
per-address rate, keeps the region in DNS and cannot bring a failed one back; a table that stops
answering takes the region out within one canary period and one alarm period of being seen. What a
flood can do is hide an outage that starts while it lasts (docs/threat-model.md, failover). The
endpoint check this design replaced (HTTPS on /health, 3 failures 30 s apart), read by the same
model, shows the failover the flood used to cause.
"""

from __future__ import annotations

import contextlib
import types
import urllib.error
import urllib.request

import pytest

from tests.lambda_src.conftest import TABLE, LambdaContext, proxy_event
from tests.lambda_src.deployed import Deployed
from tests.lambda_src.failover import Flood, Region, flood_addresses, sleep_in, urlopen_through

TWO_REGIONS = {"regions": "2", "waf": "on"}
MINUTES = 40
OUTAGE_AT = 600
FLOOD = Flood(start=60, end=MINUTES * 60)
# Route 53's check on /health as the generator wrote it before this design (modules/regional_domain.py).
ENDPOINT_CHECK = {
    "type": "HTTPS",
    "resource_path": "/dev/health",
    "port": 443,
    "enable_sni": True,
    "failure_threshold": 3,
    "request_interval": 30,
}


@pytest.fixture(scope="module")
def deployed(synth_of) -> Deployed:
    return Deployed(synth_of(**TWO_REGIONS).document, {"domain_name": "api.example.com", "hosted_zone_id": "Z1"})


@pytest.fixture
def primary_check(deployed) -> dict:
    return deployed.resources["aws_route53_health_check"]["tap_stack_api_domain_health_check"]


@pytest.fixture
def simulate(deployed, health_api, canary, monkeypatch, aws):
    """`simulate(check, flood, outage)`: Route 53's view of the primary region over `MINUTES`, with
    the real canary (set up as the configuration sets it) and health handler; returns the region
    and the times (s) at which Route 53 held it unhealthy."""

    def health() -> dict:
        return health_api.module.handler(proxy_event("GET", "/health", tenant=None, caller=None), LambdaContext())

    def table_outage() -> None:
        aws["dynamodb"].delete_table(TableName=TABLE)

    def canary_run() -> None:
        with contextlib.suppress(canary.HealthCheckFailed):  # a failed run; its verdict is published
            canary.handler({}, None)

    def run(check: dict, flood: Flood | None, outage: bool):
        region = Region(deployed, check, health, flood)
        environment = region.canary["run_config"]["environment_variables"]
        for key, value in {**environment, "API_URL": "https://abc123.execute-api.us-east-1.amazonaws.com/dev"}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(canary, "time", types.SimpleNamespace(sleep=sleep_in(region)))
        monkeypatch.setattr(canary, "boto3", types.SimpleNamespace(client=lambda service: region))
        monkeypatch.setattr(
            canary,
            "urllib",
            types.SimpleNamespace(
                request=types.SimpleNamespace(Request=urllib.request.Request, urlopen=urlopen_through(region)),
                error=urllib.error,
            ),
        )
        return region, region.run(MINUTES * 60, canary_run, OUTAGE_AT if outage else None, table_outage)

    return run


def test_two_addresses_under_the_waf_rate_can_hold_the_open_route_throttled(deployed):
    assert flood_addresses(deployed) == 2


def test_a_flood_of_health_never_fails_the_region_over(simulate, primary_check, canary):
    region, unhealthy = simulate(primary_check, FLOOD, outage=False)
    assert unhealthy == []
    assert region.alarm.values, "the canary published no verdict before the flood"
    assert any("throttled on all" in line for line in canary.double.lines)


@pytest.mark.parametrize("flood", [None, Flood(start=OUTAGE_AT - 120, end=OUTAGE_AT)], ids=["quiet", "flood-before"])
def test_an_outage_fails_the_region_over_within_a_canary_and_an_alarm_period(simulate, primary_check, flood):
    region, unhealthy = simulate(primary_check, flood, outage=True)
    assert unhealthy, "the outage never failed the region over"
    assert unhealthy[0] - OUTAGE_AT <= region.canary_period + region.alarm.period
    # Between two runs the region stays out: no flapping back into DNS.
    assert unhealthy == list(range(unhealthy[0], MINUTES * 60 + 1, 60))


def test_a_flood_after_an_outage_was_seen_does_not_bring_the_region_back(simulate, primary_check):
    _, unhealthy = simulate(primary_check, Flood(start=OUTAGE_AT + 600, end=MINUTES * 60), outage=True)
    assert unhealthy == list(range(unhealthy[0], MINUTES * 60 + 1, 60))


def test_an_outage_during_a_flood_is_seen_once_the_flood_stops(simulate, primary_check):
    hiding = Flood(start=OUTAGE_AT - 60, end=OUTAGE_AT + 900)
    region, unhealthy = simulate(primary_check, hiding, outage=True)
    assert hiding.end < unhealthy[0] <= hiding.end + region.canary_period + region.alarm.period


def test_the_model_sees_the_failover_an_endpoint_check_let_the_flood_cause(simulate):
    _, unhealthy = simulate(ENDPOINT_CHECK, FLOOD, outage=False)
    assert unhealthy and unhealthy[0] <= FLOOD.start + 3 * 60
