"""Placement: a region scope decides each resource's provider and suffix; synth refuses disagreements."""

import json

import pytest
from cdktf import App, TerraformStack
from constructs import Construct

from tapgen.aws import aws
from tapgen.naming import NamingError, check_document
from tapgen.placement import REGIONS, PlacementError, RegionScope

PRIMARY, SECONDARY, TERTIARY = REGIONS


def synthesized(tmp_path, build) -> dict:
    app = App(outdir=str(tmp_path))
    stack = TerraformStack(app, "tap_stack")
    aws.provider.AwsProvider(stack, "aws", region="us-east-1")
    providers = {
        region: aws.provider.AwsProvider(stack, f"aws_{region.alias}", alias=region.alias, region="us-west-2")
        for region in (SECONDARY, TERTIARY)
    }
    build(stack, providers)
    app.synth()
    return json.loads((tmp_path / "stacks" / "tap_stack" / "cdk.tf.json").read_text())


def test_a_region_scope_gives_its_provider_and_suffix_at_any_depth(tmp_path):
    def build(stack, providers):
        for region in REGIONS:
            scope = RegionScope(stack, region, providers.get(region))
            nested = Construct(Construct(scope, "events"), "inner")
            aws.cloudwatch_event_bus.CloudwatchEventBus(nested, "tap_stack_events", name="x")
        aws.cloudwatch_event_bus.CloudwatchEventBus(stack, "tap_stack_global", name="y")

    buses = synthesized(tmp_path, build)["resource"]["aws_cloudwatch_event_bus"]
    assert {name: body.get("provider") for name, body in buses.items()} == {
        "tap_stack_events": None,
        "tap_stack_events_secondary": "aws.secondary",
        "tap_stack_events_tertiary": "aws.tertiary",
        "tap_stack_global": None,
    }


def test_a_construct_may_not_choose_its_provider():
    stack = TerraformStack(App(), "tap_stack")
    provider = aws.provider.AwsProvider(stack, "aws_secondary", alias="secondary", region="us-west-2")
    scope = RegionScope(stack, SECONDARY, provider)
    with pytest.raises(PlacementError) as error:
        aws.cloudwatch_event_bus.CloudwatchEventBus(scope, "tap_stack_events", name="x", provider=provider)
    assert str(error.value) == (
        "tap_stack/region_secondary/tap_stack_events: a resource names its own provider; placement is decided "
        "by the enclosing RegionScope (tapgen/placement.py)"
    )


@pytest.mark.parametrize("name", ["tap_stack_events_secondary", "tap_stack_tertiary_events"])
def test_a_construct_may_not_write_a_region_suffix_into_its_name(name):
    stack = TerraformStack(App(), "tap_stack")
    with pytest.raises(NamingError) as error:
        aws.cloudwatch_event_bus.CloudwatchEventBus(stack, name, name="x")
    region = "_secondary" if "secondary" in name else "_tertiary"
    assert str(error.value) == (
        f"aws_cloudwatch_event_bus.{name} (construct tap_stack/{name}): '{region}' is a region suffix, added by "
        "placement (tapgen/placement.py), never by a construct"
    )


def document(**buses) -> dict:
    return {"resource": {"aws_cloudwatch_event_bus": buses}}


def test_the_synth_rule_passes_names_that_agree_with_their_provider():
    check_document(
        document(
            tap_stack_events={"name": "a"},
            tap_stack_events_secondary={"name": "a", "provider": "aws.secondary"},
            tap_stack_events_tertiary={"name": "a", "provider": "aws.tertiary"},
        )
    )


@pytest.mark.parametrize(
    ("buses", "shown"),
    [
        ({"tap_stack_events_secondary": {}}, "tap_stack_events_secondary (default provider)"),
        ({"tap_stack_events_secondary": {"provider": "aws.tertiary"}}, "tap_stack_events_secondary (aws.tertiary)"),
        ({"tap_stack_events": {"provider": "aws.secondary"}}, "tap_stack_events (aws.secondary)"),
    ],
)
def test_the_synth_rule_fails_a_suffix_and_provider_that_disagree(buses, shown):
    with pytest.raises(NamingError) as error:
        check_document(document(**buses))
    assert str(error.value) == f"region suffix and provider disagree: aws_cloudwatch_event_bus.{shown}"
