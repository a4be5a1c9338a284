"""TapStack: one Terraform root module over one to three regions.

It owns what exists once (variables, backend, providers, outputs, the naming contract) and
composes a `TapRegion` per region inside that region's `RegionScope` (`tapgen.placement`), which
decides every regional resource's provider and suffix.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import (
    LocalBackend,
    S3Backend,
    TerraformLocal,
    TerraformOutput,
    TerraformStack,
    TerraformVariable,
    TerraformVariableValidationConfig,
    Token,
)
from constructs import Construct

from modules.account import AwsAccount
from modules.alerts import AlarmSpec
from modules.regional_domain import ValidationRecord, ValidationRecordProps
from stacks import compliance, names
from stacks.lifecycle import stack_lifecycle
from stacks.outputs import OUTPUTS
from stacks.region import RegionInputs, TapRegion
from stacks.variables import variables_for
from tapgen.aws import aws
from tapgen.config import SynthConfig
from tapgen.pipeline.archives import BuiltArchive
from tapgen.placement import REGIONS, Region
from tapgen.provenance import Provenance

STACK_NAME = "tap_stack"
LOCAL_STATE_PATH = "terraform.tfstate"
# Cross-variable validations (allowed_ip_ranges, capacity bounds) need Terraform 1.9.
REQUIRED_TERRAFORM = ">= 1.9.0"
GENERATOR_OUTPUT = "generator"


@dataclass(frozen=True)
class StackInputs:
    """Everything the stack needs besides deploy-time variables."""

    config: SynthConfig
    archives: dict[str, BuiltArchive]
    provenance: Provenance


class TapStack(TerraformStack):
    """The TAP stack. Attributes: `var` (variables by name), `regions` (a `TapRegion` per region,
    the primary first) and `primary`."""

    def __init__(self, scope: Construct, inputs: StackInputs) -> None:
        super().__init__(scope, STACK_NAME)
        config = inputs.config
        self.config = config
        self.var = {spec.name: _declare(self, spec) for spec in variables_for(config)}
        self._backend(config)
        self.add_override("terraform.required_version", REQUIRED_TERRAFORM)
        # The prebuilt binding says `source = "aws"`; pipelines and mirrors expect the full address.
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        caller = aws.data_aws_caller_identity.DataAwsCallerIdentity(self, "tap_stack_caller")
        partition = aws.data_aws_partition.DataAwsPartition(self, "tap_stack_partition")
        prefix = TerraformLocal(self, "name_prefix", names.NAME_PREFIX).as_string
        table_name = TerraformLocal(self, "table_name", names.TABLE_NAME).as_string
        self.lifecycle = stack_lifecycle(self, self.var["dynamodb_deletion_protection"].boolean_value)
        regions: list[TapRegion] = []
        for region in REGIONS[: config.region_count]:
            account = AwsAccount(
                account_id=caller.account_id,
                region=self.var[region.variable].string_value,
                partition=partition.partition,
                dns_suffix=partition.dns_suffix,
            )
            region_inputs = RegionInputs(
                region, account, prefix, table_name, self.var, self.lifecycle, inputs.archives, config, tuple(regions)
            )
            regions.append(TapRegion(self, region_inputs, self._provider(region)))
        self.regions = tuple(regions)
        self.primary = self.regions[0]
        if len(self.regions) > 1:
            self._across_regions()
        reported: dict[str, tuple[AlarmSpec, ...]] = {region.inputs.region.slot: () for region in self.regions}
        if config.compliance_enabled:
            self.trail = compliance.audit_trail(self)
            reported[self.primary.inputs.region.slot] += compliance.security_events(self, self.trail).alarm_specs
            self.boundary = compliance.permission_boundary(self)
        if config.account_controls_enabled:
            self.account_controls = compliance.account_controls(self)
            for region, controls in zip(self.regions, self.account_controls, strict=True):
                reported[region.inputs.region.slot] += controls.alarms
        # Last, once every component has declared its alarms: the alerts, the routing that fails a
        # region over on one of them, and the dashboards that show them all.
        for region in self.regions:
            region.alert(reported[region.inputs.region.slot])
        if len(self.regions) > 1:
            self._route()
        self.dashboards = [region.dashboard() for region in self.regions]
        self._moved(self.primary.api_account.moved)
        self._outputs()
        self._generator(inputs.provenance)
        if len(self.regions) > 1:
            routed = TerraformOutput(
                self,
                "routed_api_url",
                value=self.domains[0].url,
                description="URL of the routed name: the nearest region whose canary last found /health healthy "
                "(sign requests for the region that /health reports).",
            )
            routed.override_logical_id("routed_api_url")

    def _across_regions(self) -> None:
        """Log replication into every other region."""
        self.primary.replicate_logs_to(self.regions[1:])

    def _route(self) -> None:
        """One routed name over every region's API: a certificate per region, validated once (ACM
        asks for the same record in every region), and each region's domain and health check."""
        certificates = [region.certificate() for region in self.regions]
        validation = ValidationRecord(
            self.primary,
            ValidationRecordProps(
                name="tap_stack_api_certificate_validation",
                hosted_zone_id=self.var["hosted_zone_id"].string_value,
                certificate=certificates[0],
            ),
        )
        self.domains = [
            region.route(certificate, validation)
            for region, certificate in zip(self.regions, certificates, strict=True)
        ]

    def _backend(self, config: SynthConfig) -> None:
        if config.partial_backend:
            # The binding requires a bucket and a key; `terraform init -backend-config` gives them.
            backend = S3Backend(self, bucket="", key="", encrypt=True)
            for given_at_init in ("bucket", "key"):
                backend.add_override(given_at_init, None)
            backend.add_override("use_lockfile", True)
            return
        if config.backend == "s3":
            backend = S3Backend(
                self,
                bucket=config.state_bucket,
                key=config.state_key,
                region=config.state_region,
                dynamodb_table=config.state_lock_table or None,
                encrypt=True,
            )
            if config.state_lockfile:
                # S3-native locking (Terraform 1.10+); the binding predates the setting.
                backend.add_override("use_lockfile", True)
            return
        # A relative path: cdktf's default local backend writes an absolute one into the JSON.
        LocalBackend(self, path=LOCAL_STATE_PATH)

    def _provider(self, region: Region):
        """The region's provider, with the default tags; None for the primary's default provider,
        which resources use without naming it."""
        provider = aws.provider.AwsProvider(
            self,
            "aws" if region.is_primary else f"aws_{region.alias}",
            alias=region.alias,
            region=self.var[region.variable].string_value,
            default_tags=[aws.provider.AwsProviderDefaultTags(tags=Token.as_string_map(names.DEFAULT_TAGS))],
        )
        return None if region.is_primary else provider

    def _moved(self, moves: tuple[tuple[str, str], ...]) -> None:
        """`moved` blocks for addresses that changed (e.g. became counted), so state follows them."""
        if moves:
            self.add_override("moved", [{"from": old, "to": new} for old, new in moves])

    def _generator(self, provenance: Provenance) -> None:
        """What wrote this configuration, so a plan over old state shows it (`tapgen/provenance.py`)."""
        output = TerraformOutput(
            self,
            GENERATOR_OUTPUT,
            value={"version": provenance.version, "revision": provenance.revision, "options": self.config.options},
            description="What wrote this configuration: the generator's version, its source revision "
            "(the commit, -dirty with uncommitted changes) and the synth-time options.",
        )
        output.override_logical_id(GENERATOR_OUTPUT)

    def _outputs(self) -> None:
        # Outputs share names with variables (dynamodb_table_name), and construct ids must be
        # unique per scope: they live in their own scope and take their contract names back.
        # Every region reports the same outputs; another region's names end in its suffix.
        scope = Construct(self, "outputs")
        for tap_region in self.regions:
            region = tap_region.region
            for spec in OUTPUTS:
                name = spec.name + region.suffix
                where = "" if region.is_primary else f" ({region.slot} region)"
                output = TerraformOutput(
                    scope, name, value=spec.value(tap_region), description=spec.description + where
                )
                output.override_logical_id(name)


def _declare(stack: TerraformStack, spec) -> TerraformVariable:
    optional = {} if spec.required else {"default": spec.default}
    return TerraformVariable(
        stack,
        spec.name,
        type=spec.type,
        description=spec.description,
        nullable=False,
        sensitive=spec.sensitive or None,
        validation=[
            TerraformVariableValidationConfig(condition=f"${{{v.condition}}}", error_message=v.error_message)
            for v in spec.validations
        ]
        or None,
        **optional,
    )
