import pytest
from cdktf import App, TerraformStack
from constructs import Construct

from tapgen.aws import aws
from tapgen.naming import NamingError, check_document


def stack() -> TerraformStack:
    return TerraformStack(App(), "tap_stack")


def test_resources_take_their_construct_id_as_name_however_deeply_nested(tmp_path):
    app = App(outdir=str(tmp_path))
    root = TerraformStack(app, "tap_stack")
    inner = Construct(Construct(root, "outer"), "inner")
    aws.provider.AwsProvider(root, "aws", region="us-east-1")
    aws.cloudwatch_event_bus.CloudwatchEventBus(inner, "tap_stack_events", name="x")
    app.synth()
    document = (tmp_path / "stacks" / "tap_stack" / "cdk.tf.json").read_text()
    assert '"tap_stack_events": {' in document


def test_a_name_outside_the_contract_fails_at_creation_naming_the_construct():
    with pytest.raises(NamingError) as error:
        aws.cloudwatch_event_bus.CloudwatchEventBus(Construct(stack(), "bus"), "Events", name="x")
    assert str(error.value) == (
        "aws_cloudwatch_event_bus.Events (construct tap_stack/bus/Events): name must match ^tap_stack(_[a-z0-9]+)+$"
    )


def test_the_same_address_from_two_scopes_is_refused():
    root = stack()
    aws.cloudwatch_event_bus.CloudwatchEventBus(Construct(root, "first"), "tap_stack_events", name="x")
    with pytest.raises(NamingError) as error:
        aws.cloudwatch_event_bus.CloudwatchEventBus(Construct(root, "second"), "tap_stack_events", name="x")
    assert str(error.value) == (
        "aws_cloudwatch_event_bus.tap_stack_events: declared twice, by tap_stack/first/tap_stack_events "
        "and tap_stack/second/tap_stack_events"
    )


def test_check_document_lists_every_offender():
    document = {
        "resource": {"aws_s3_bucket": {"tap_stack_logs": {}, "logs_1A2B3C4D": {}}},
        "data": {"aws_partition": {"tap_stack_partition": {}}},
        "variable": {"aws_region": {}, "storage_aws_region_FC79231C": {}},
        "output": {"api_url": {}},
        "locals": {"name_prefix": "x"},
    }
    with pytest.raises(NamingError) as error:
        check_document(document)
    assert str(error.value) == (
        "names break the naming contract: resource.aws_s3_bucket.logs_1A2B3C4D, variable.storage_aws_region_FC79231C"
    )
