"""RegionalDomain, RegionalCertificate and ValidationRecord, synthesized in a tiny stack of two
regions: one validation record, every region's certificate waiting on it, latency routing with
health checks on each region's own alarm. The stack's JSON also passes `terraform validate`."""

import pytest
from cdktf import TerraformLocal, TerraformVariable

from modules.account import AwsAccount
from modules.regional_domain import (
    RegionalCertificate,
    RegionalCertificateProps,
    RegionalDomain,
    RegionalDomainProps,
    ValidationRecord,
    ValidationRecordProps,
)
from tapgen.aws import aws
from tapgen.placement import REGIONS, RegionScope
from tests.modules import harness

# The primary region and one more, each in its region scope, as the stack builds them:
# (Terraform name suffix, AWS region).
SLOTS = (("", "us-east-1"), ("_secondary", "us-west-2"))


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> harness.Synthesized:
    stack = harness.tiny_stack(tmp_path_factory.mktemp("regional_domain"), SLOTS[0][1])
    providers = (None, aws.provider.AwsProvider(stack, "aws_secondary", region=SLOTS[1][1], alias="secondary"))
    domain_name = TerraformVariable(stack, "domain_name", type="string").string_value
    zone_id = TerraformVariable(stack, "hosted_zone_id", type="string").string_value
    caller = aws.data_aws_caller_identity.DataAwsCallerIdentity(stack, "tap_stack_caller")
    partition = aws.data_aws_partition.DataAwsPartition(stack, "tap_stack_partition")
    # The stand-in canary's name derives from the stack's prefix, as the real one does.
    TerraformLocal(stack, "name_prefix", "tap-dev").override_logical_id("name_prefix")
    record = None
    for slot, (_, region), provider in zip(REGIONS[: len(SLOTS)], SLOTS, providers, strict=True):
        scope = RegionScope(stack, slot, provider)
        account = AwsAccount(caller.account_id, region, partition.partition, partition.dns_suffix)
        api = aws.api_gateway_rest_api.ApiGatewayRestApi(scope, "tap_stack_api", name="tap-api")
        alarm = aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm(
            scope,
            "tap_stack_canary_alarm",
            alarm_name="tap-canary",
            namespace="CloudWatchSynthetics",
            metric_name="SuccessPercent",
            dimensions={"CanaryName": "${local.name_prefix}-health"},
            statistic="Minimum",
            period=60,
            evaluation_periods=1,
            threshold=100,
            comparison_operator="LessThanThreshold",
            treat_missing_data="ignore",
        )
        certificate = RegionalCertificate(
            scope, RegionalCertificateProps(name="tap_stack_api_certificate", domain_name=domain_name)
        )
        if record is None:
            record = ValidationRecord(
                scope,
                ValidationRecordProps(
                    name="tap_stack_api_certificate_validation", hosted_zone_id=zone_id, certificate=certificate
                ),
            )
        RegionalDomain(
            scope,
            RegionalDomainProps(
                name="tap_stack_api_domain",
                domain_name=domain_name,
                hosted_zone_id=zone_id,
                certificate=certificate,
                validation_record=record,
                rest_api_id=api.id,
                stage_name="dev",
                account=account,
                health_alarm=alarm,
            ),
        )
    return harness.synthesize(stack)


@pytest.fixture(scope="module")
def resources(synthesized) -> dict:
    # Without CDKTF's construct-path metadata, which is not configuration.
    return {
        rtype: {name: {k: v for k, v in body.items() if k != "//"} for name, body in named.items()}
        for rtype, named in synthesized.resources.items()
    }


def placed(resources: dict, rtype: str, name: str, suffix: str) -> dict:
    """The body of `rtype.<name><suffix>`, which must be on its region's provider (not shown)."""
    body = dict(resources[rtype][f"{name}{suffix}"])
    assert body.pop("provider", None) == ("aws.secondary" if suffix else None)
    return body


def option(suffix: str) -> str:
    return f"tolist(aws_acm_certificate.tap_stack_api_certificate{suffix}.domain_validation_options).0"


def test_one_dns_validation_record_from_the_primary_certificate(resources):
    validation = placed(resources, "aws_route53_record", "tap_stack_api_certificate_validation", "")
    assert validation == {
        "name": f"${{{option('')}.resource_record_name}}",
        "type": f"${{{option('')}.resource_record_type}}",
        "records": [f"${{{option('')}.resource_record_value}}"],
        "ttl": 300,
        "zone_id": "${var.hosted_zone_id}",
    }
    assert sorted(resources["aws_route53_record"]) == [
        "tap_stack_api_certificate_validation",
        "tap_stack_api_domain_record",
        "tap_stack_api_domain_record_secondary",
    ]


@pytest.mark.parametrize("suffix", [suffix for suffix, _ in SLOTS])
def test_every_region_has_a_dns_validated_certificate_that_waits_on_the_one_record(resources, suffix):
    certificate = placed(resources, "aws_acm_certificate", "tap_stack_api_certificate", suffix)
    assert certificate == {
        "domain_name": "${var.domain_name}",
        "validation_method": "DNS",
        "lifecycle": {"create_before_destroy": True},
    }
    validation = placed(
        resources, "aws_acm_certificate_validation", "tap_stack_api_domain_certificate_validation", suffix
    )
    assert validation["certificate_arn"] == f"${{aws_acm_certificate.tap_stack_api_certificate{suffix}.arn}}"
    assert validation["validation_record_fqdns"] == ["${aws_route53_record.tap_stack_api_certificate_validation.fqdn}"]


def test_a_region_whose_certificate_asks_for_another_record_fails_naming_the_cause(resources):
    validation = resources["aws_acm_certificate_validation"]["tap_stack_api_domain_certificate_validation_secondary"]
    (precondition,) = validation["lifecycle"]["precondition"]
    own, primary = option("_secondary"), option("")
    assert precondition["condition"] == (
        f"${{(({own}.resource_record_name == {primary}.resource_record_name) && "
        f"({own}.resource_record_value == {primary}.resource_record_value))}}"
    )
    assert "never be issued" in precondition["error_message"]


@pytest.mark.parametrize("suffix", [suffix for suffix, _ in SLOTS])
def test_the_stage_is_served_on_a_regional_tls12_domain_with_the_issued_certificate(resources, suffix):
    validation = f"aws_acm_certificate_validation.tap_stack_api_domain_certificate_validation{suffix}"
    assert placed(resources, "aws_api_gateway_domain_name", "tap_stack_api_domain", suffix) == {
        "domain_name": "${var.domain_name}",
        "regional_certificate_arn": f"${{{validation}.certificate_arn}}",
        "security_policy": "TLS_1_2",
        "endpoint_configuration": {"types": ["REGIONAL"]},
    }
    assert placed(resources, "aws_api_gateway_base_path_mapping", "tap_stack_api_domain_mapping", suffix) == {
        "api_id": f"${{aws_api_gateway_rest_api.tap_stack_api{suffix}.id}}",
        "domain_name": f"${{aws_api_gateway_domain_name.tap_stack_api_domain{suffix}.domain_name}}",
        "stage_name": "dev",
    }


@pytest.mark.parametrize(("suffix", "region"), SLOTS)
def test_each_region_is_healthy_while_its_own_alarm_is_not_firing(resources, suffix, region):
    alarm = f"aws_cloudwatch_metric_alarm.tap_stack_canary_alarm{suffix}"
    settings = ", ".join(
        f"{alarm}.{attribute}"
        for attribute in (
            "namespace",
            "metric_name",
            "dimensions",
            "statistic",
            "period",
            "evaluation_periods",
            "threshold",
            "comparison_operator",
            "treat_missing_data",
        )
    )
    assert placed(resources, "aws_route53_health_check", "tap_stack_api_domain_health_check", suffix) == {
        "type": "CLOUDWATCH_METRIC",
        "cloudwatch_alarm_name": f"${{{alarm}.alarm_name}}",
        "cloudwatch_alarm_region": region,
        "insufficient_data_health_status": "LastKnownStatus",
        "triggers": {"alarm": f"${{sha1(jsonencode([{settings}]))}}"},
        "lifecycle": {"create_before_destroy": True},
    }


@pytest.mark.parametrize(("suffix", "region"), SLOTS)
def test_latency_alias_records_route_to_healthy_regions_only(resources, suffix, region):
    domain = f"aws_api_gateway_domain_name.tap_stack_api_domain{suffix}"
    assert placed(resources, "aws_route53_record", "tap_stack_api_domain_record", suffix) == {
        "zone_id": "${var.hosted_zone_id}",
        "name": f"${{{domain}.domain_name}}",
        "type": "A",
        "set_identifier": region,
        "latency_routing_policy": {"region": region},
        "health_check_id": f"${{aws_route53_health_check.tap_stack_api_domain_health_check{suffix}.id}}",
        "alias": {
            "name": f"${{{domain}.regional_domain_name}}",
            "zone_id": f"${{{domain}.regional_zone_id}}",
            "evaluate_target_health": True,
        },
    }
