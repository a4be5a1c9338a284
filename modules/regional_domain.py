"""DNS routing over regional custom domains: one name, every region, the nearest healthy one answers.

Three constructs, because the certificate's validation record exists once for all regions:

- `RegionalCertificate` (per region): an ACM certificate for the domain name, DNS-validated.
- `ValidationRecord` (once, in the primary scope): the CNAME that proves control of the name, from the
  primary certificate. ACM gives the same record for the same name in every region of an account:
  "Each record, created specifically for your domain and your account ... Since the CNAME validation
  token works for any AWS Region, you can re-create the same certificate in multiple Regions" (ACM
  User Guide, "DNS validation", https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
  One record therefore validates every region's certificate; a second copy would collide with it.
- `RegionalDomain` (per region): waits for its certificate to be issued, serves the API's stage on
  the name through a REGIONAL API Gateway domain, and adds the region to a latency-routed alias
  record guarded by a health check on the region's canary alarm.

Why latency routing: a failover record set has exactly one PRIMARY and one SECONDARY, so it cannot
route over three regions. Latency records with health checks can: Route 53 answers with the
lowest-latency region whose health check passes, and with another region when it fails.

Why the health check watches the canary's alarm and not `/health`: `/health` is open to anyone, and
a flood of it (from addresses each under the WAF's per-address rate) makes API Gateway answer 429 to
Route 53's checkers too, which would move every client to another region on an attacker's word. The
canary (lambda_src/canary/canary.py) calls the same route from inside AWS, asks again when throttled
and fails a run only on an answer that is not a 429; Route 53 follows its alarm (a
`CLOUDWATCH_METRIC` check, keeping the last known status between runs). The price: a region is
failed over after one canary period plus one alarm period (6 minutes at the default
`rate(5 minutes)`) instead of 90 seconds; a faster schedule buys it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import Fn, Op, Precondition, TerraformResourceLifecycle, Token
from constructs import Construct

from modules.account import AwsAccount
from tapgen.aws import aws

VALIDATION_RECORD_TTL_SECONDS = 300
TLS_POLICY = "TLS_1_2"
# Between two canary runs the alarm has no new data: Route 53 keeps the region's last status
# (a new check without one is healthy).
INSUFFICIENT_DATA_HEALTH_STATUS = "LastKnownStatus"


@dataclass(frozen=True, kw_only=True)
class RegionalCertificateProps:
    """`domain_name`: a Terraform string expression (the deploy-time `domain_name`)."""

    name: str
    domain_name: str


class RegionalCertificate(Construct):
    """Outputs: `certificate` (`aws_acm_certificate`), `arn`, and `record_name`, `record_type`,
    `record_value` (the DNS validation CNAME that ACM asks for)."""

    def __init__(self, scope: Construct, props: RegionalCertificateProps) -> None:
        super().__init__(scope, props.name)
        self.certificate = aws.acm_certificate.AcmCertificate(
            self,
            props.name,
            domain_name=props.domain_name,
            validation_method="DNS",
            # A certificate in use by an API Gateway domain cannot be deleted: a replacement must
            # exist (and be attached) before the old one goes.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.arn = self.certificate.arn
        # One name, no alternative names: exactly one validation option.
        option = self.certificate.domain_validation_options.get(0)
        self.record_name = option.resource_record_name
        self.record_type = option.resource_record_type
        self.record_value = option.resource_record_value


@dataclass(frozen=True, kw_only=True)
class ValidationRecordProps:
    """`hosted_zone_id`: a Terraform string expression; `certificate`: the primary region's."""

    name: str
    hosted_zone_id: str
    certificate: RegionalCertificate


class ValidationRecord(Construct):
    """The DNS validation record of every region's certificate for the name (see the module
    docstring). Outputs: `record` (`aws_route53_record`), `fqdn`, `certificate` (the one it
    was made from)."""

    def __init__(self, scope: Construct, props: ValidationRecordProps) -> None:
        super().__init__(scope, props.name)
        certificate = props.certificate
        self.record = aws.route53_record.Route53Record(
            self,
            props.name,
            zone_id=props.hosted_zone_id,
            name=certificate.record_name,
            type=certificate.record_type,
            ttl=VALIDATION_RECORD_TTL_SECONDS,
            records=[certificate.record_value],
        )
        self.fqdn = self.record.fqdn
        self.certificate = certificate


@dataclass(frozen=True, kw_only=True)
class RegionalDomainProps:
    """Expressions: `domain_name`, `hosted_zone_id`, `rest_api_id` and `stage_name` (pass the
    stage resource's `stage_name`, so the mapping waits for the stage). `health_alarm` is the
    region's alarm that means "this region cannot serve" (the canary's), in the region of `account`."""

    name: str
    domain_name: str
    hosted_zone_id: str
    certificate: RegionalCertificate
    validation_record: ValidationRecord
    rest_api_id: str
    stage_name: str
    account: AwsAccount
    health_alarm: aws.cloudwatch_metric_alarm.CloudwatchMetricAlarm


class RegionalDomain(Construct):
    """Outputs: `domain` (`aws_api_gateway_domain_name`), `url` (`https://<domain name>/`),
    `certificate_arn` (the issued certificate), `health_check_id`, `record` (the latency alias)."""

    def __init__(self, scope: Construct, props: RegionalDomainProps) -> None:
        super().__init__(scope, props.name)
        name = props.name
        validation = aws.acm_certificate_validation.AcmCertificateValidation(
            self,
            f"{name}_certificate_validation",
            certificate_arn=props.certificate.arn,
            validation_record_fqdns=[props.validation_record.fqdn],
            lifecycle=TerraformResourceLifecycle(precondition=[_same_validation_record(props)]),
        )
        self.certificate_arn = validation.certificate_arn
        self.domain = aws.api_gateway_domain_name.ApiGatewayDomainName(
            self,
            name,
            domain_name=props.domain_name,
            regional_certificate_arn=self.certificate_arn,
            security_policy=TLS_POLICY,
            endpoint_configuration=aws.api_gateway_domain_name.ApiGatewayDomainNameEndpointConfiguration(
                types=["REGIONAL"]
            ),
        )
        aws.api_gateway_base_path_mapping.ApiGatewayBasePathMapping(
            self,
            f"{name}_mapping",
            domain_name=self.domain.domain_name,
            api_id=props.rest_api_id,
            stage_name=props.stage_name,
        )
        self.url = f"https://{self.domain.domain_name}/"
        health_check = self._health_check(props)
        self.health_check_id = health_check.id
        self.record = self._latency_record(props, health_check.id)

    def _health_check(self, props: RegionalDomainProps):
        """Healthy while the region's health alarm is not firing (see the module docstring). A
        replacement is created, and the record moved to it, before the old check is deleted."""
        alarm = props.health_alarm
        return aws.route53_health_check.Route53HealthCheck(
            self,
            f"{props.name}_health_check",
            type="CLOUDWATCH_METRIC",
            cloudwatch_alarm_name=alarm.alarm_name,
            cloudwatch_alarm_region=props.account.region,
            insufficient_data_health_status=INSUFFICIENT_DATA_HEALTH_STATUS,
            # Route 53 reads the alarm's settings when the check is created or updated, not after:
            # a change of the alarm must update the check.
            triggers={
                "alarm": Token.as_string(
                    Fn.sha1(
                        Fn.jsonencode(
                            [
                                alarm.namespace,
                                alarm.metric_name,
                                alarm.dimensions,
                                alarm.statistic,
                                alarm.period,
                                alarm.evaluation_periods,
                                alarm.threshold,
                                alarm.comparison_operator,
                                alarm.treat_missing_data,
                            ]
                        )
                    )
                )
            },
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )

    def _latency_record(self, props: RegionalDomainProps, health_check_id: str):
        r53 = aws.route53_record
        return r53.Route53Record(
            self,
            f"{props.name}_record",
            zone_id=props.hosted_zone_id,
            name=self.domain.domain_name,
            type="A",
            set_identifier=props.account.region,
            latency_routing_policy=r53.Route53RecordLatencyRoutingPolicy(region=props.account.region),
            health_check_id=health_check_id,
            alias=r53.Route53RecordAlias(
                name=self.domain.regional_domain_name,
                zone_id=self.domain.regional_zone_id,
                evaluate_target_health=True,
            ),
        )


def _same_validation_record(props: RegionalDomainProps) -> Precondition:
    """Stops the apply with the cause if this region's certificate ever asked for another record
    than the shared one, instead of letting the validation wait 75 minutes for it."""
    primary, own = props.validation_record.certificate, props.certificate
    return Precondition(
        condition=Op.and_(Op.eq(own.record_name, primary.record_name), Op.eq(own.record_value, primary.record_value)),
        error_message=(
            "This region's ACM certificate asks for a DNS validation record other than the primary "
            "region's, which is the only one the stack creates: it would never be issued."
        ),
    )
