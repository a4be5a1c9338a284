"""The rehearsals as plain functions: each runs a whole Terraform cycle against the emulator in
its own working directory and returns what happened, for the tests to assert on.

All run at once (threads of `tests/rehearsal/session.py`), each in its own emulated AWS account
(`DEPLOY_ACCOUNT`, `UPGRADE_ACCOUNT`, `REGIONS_ACCOUNT`, `DAX_ACCOUNT`: account-wide settings such as API
Gateway's CloudWatch role would otherwise be shared) and with different names. The bundle cycles
keep their state in the S3 backend of their emulated account, as a team would (the local backend
rewrites the whole state file after every resource: see `tests.rehearsal.emulator`); the cdktf cycle
keeps cdktf's local state. Much of an apply is waiting (the provider polls an S3 lifecycle
configuration for 55 s until it is stable, as AWS needs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from moto.events.models import EventPattern

from modules.encryption import ADMINISTRATION_EVENTS
from stacks.tap_stack import LOCAL_STATE_PATH as LOCAL_STATE
from tapgen.combinations import LARGEST, PROVEN, label
from tapgen.pipeline.bundle import bundle_document
from tests.project import ROOT, checkout, provider_mirror
from tests.rehearsal.emulator import COMMAND_TIMEOUT_SECONDS, OVERRIDE_FILE, Emulator, Step, Workspace
from tests.rehearsal.identity import names_and_metrics
from tools.rehearse import declared_variables, take_down_variables

FIXTURES = Path(__file__).parent / "fixtures"
DEPLOY_TFVARS = FIXTURES / "deploy.tfvars"
UPGRADE_TFVARS = FIXTURES / "upgrade.tfvars"
REGIONS_TFVARS = FIXTURES / "regions.tfvars"
DAX_TFVARS = FIXTURES / "dax.tfvars"
RELEASES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "releases"
RELEASE_CONFIG = "tap_stack.tf.json"
TFVARS = "rehearsal.tfvars"
DEPLOY_ACCOUNT = "111111111111"
UPGRADE_ACCOUNT = "222222222222"
REGIONS_ACCOUNT = "333333333333"
DAX_ACCOUNT = "555555555555"
# The proven combination with the DAX item cache (its value excludes the largest stack's cache).
DAX_COMBINATION = next(combination for combination in PROVEN if combination.get("cache") == "dax")
# The tfvars variables that name a region of the stack, the primary first.
REGION_VARIABLES = ("aws_region", "secondary_region", "tertiary_region")

_ASSIGNMENT = re.compile(r"^(?P<name>[a-z_][a-z0-9_]*)\s*=\s*\S")
_VERSION = re.compile(r"^\d+(\.\d+)*$")
_ADDED = re.compile(r"Resources: (\d+) added, (\d+) changed, (\d+) destroyed")
_DESTROYED = re.compile(r"Resources: (\d+) destroyed")
_STRING_ASSIGNMENT = re.compile(r'^(?P<name>[a-z_][a-z0-9_]*)\s*=\s*"(?P<value>[^"]*)"\s*$')


def declared_only(tfvars: str, declared: set[str]) -> str:
    """The tfvars text without assignments to variables a configuration does not declare
    (Terraform refuses those in a tfvars file). Fixtures keep one assignment per line."""
    kept = []
    for number, line in enumerate(tfvars.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            kept.append(line)
            continue
        match = _ASSIGNMENT.match(line)
        if not match or line.count("[") != line.count("]") or line.count("{") != line.count("}"):
            raise ValueError(f"tfvars line {number} is not a one-line assignment: {line!r}")
        if match["name"] in declared:
            kept.append(line)
    return "\n".join(kept) + "\n"


def version_key(name: str) -> tuple[int, ...]:
    if not _VERSION.match(name):
        raise ValueError(f"{RELEASES_DIR / name}: release folders are named by version, such as 0.2.0")
    return tuple(int(part) for part in name.split("."))


def newest_release(releases_dir: Path = RELEASES_DIR) -> Path:
    """The release folder with the highest version (0.10.0 is newer than 0.9.0)."""
    folders = [p for p in releases_dir.iterdir() if p.is_dir()]
    if not folders:
        raise FileNotFoundError(f"{releases_dir}: no release folder; see {releases_dir / 'README.md'}")
    return max(folders, key=lambda p: version_key(p.name))


def resources_added(step: Step) -> int:
    match = _ADDED.search(step.stdout)
    return int(match[1]) if match else 0


def resources_destroyed(step: Step) -> int:
    match = _DESTROYED.search(step.stdout)
    return int(match[1]) if match else 0


@dataclass
class Run:
    """One rehearsal's record: its workspace (with every step) and named steps and facts."""

    name: str
    workspace: Workspace
    steps: dict[str, Step] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def step(self, label: str, *args: str, ok: tuple[int, ...] = (0,)) -> Step:
        self.steps[label] = self.workspace.terraform(*args, ok=ok)
        return self.steps[label]

    def figures(self) -> str:
        timed = ", ".join(f"{label} {step.seconds:.1f} s" for label, step in self.steps.items())
        facts = ", ".join(f"{key} {value}" for key, value in self.facts.items() if isinstance(value, int))
        return f"{self.name}: {facts}; {timed}"


# Every destroy follows a refreshed plan that found no change, so it does not read every resource again.
DESTROY = ("destroy", "-auto-approve", "-input=false", "-refresh=false")
# What the JSON and the HCL bundle must plan alike (the README's HCL hand-off), from `terraform show -json`.
PLAN_PARTS = ("planned_values", "resource_changes", "output_changes", "variables")
PLAN_FILE = "rehearsal.tfplan"


def plan_after_apply(run: Run, workspace: Workspace, step: str, *variables: str) -> None:
    """A plan over the state the apply left (step `step`), saved; its `PLAN_PARTS` become the fact
    `step`, which the HCL bundle's plan must equal."""
    plan = ("plan", "-input=false", "-detailed-exitcode", f"-out={PLAN_FILE}", *variables)
    run.steps[step] = workspace.terraform(*plan, ok=(0, 1, 2))
    if run.steps[step].returncode != 1:
        shown = workspace.show_json(PLAN_FILE)
        run.facts[step] = {part: shown.get(part) for part in PLAN_PARTS}


def plan_hcl_bundle_over_this_state(run: Run, bundle: Path, *variables: str) -> None:
    """State portability and equivalence (the README's HCL hand-off): the HCL bundle beside `bundle`, planned with
    the same tfvars over the state that the JSON bundle's apply left, must show no changes and plan
    the same values and resource changes as the JSON bundle's plan (step `plan (HCL bundle)`)."""
    workdir = run.workspace.directory
    hcl_dir = workdir.parent / f"{workdir.name}_hcl"
    shutil.copytree(bundle.parent / f"{bundle.name}_hcl", hcl_dir)
    # The same tfvars, state and emulator override (the .tf files declare the same provider aliases;
    # the override names the state in the emulator where the workspace keeps it there).
    for name in (TFVARS, OVERRIDE_FILE, LOCAL_STATE):
        if (workdir / name).exists():
            shutil.copy(workdir / name, hcl_dir / name)
    hcl = Workspace(run.workspace.emulator, hcl_dir, run.workspace.account)
    run.steps["init (HCL bundle)"] = hcl.init()
    plan_after_apply(run, hcl, "plan (HCL bundle)", *variables)


def state_objects(workspace: Workspace) -> dict[str, list[str]]:
    """The state files in the workspace's directory and the objects in its state bucket."""
    bucket = workspace.emulator.state_bucket(workspace.account)
    listed = workspace.emulator.client_factory(workspace.account)("s3").list_objects_v2(Bucket=bucket)
    return {
        "local": sorted(p.name for p in workspace.directory.glob("*.tfstate")),
        bucket: sorted(o["Key"] for o in listed.get("Contents", [])),
    }


def resources_of(workspace: Workspace, resource_type: str) -> dict[str, dict]:
    """The applied `resource_type` resources by address, with their values (`terraform show -json`)."""
    resources = workspace.state_values()["root_module"].get("resources", [])
    return {r["address"]: r["values"] for r in resources if r["type"] == resource_type}


def policy_sids(workspace: Workspace, address: str) -> list[str]:
    """The statement ids of the applied policy of `address` (an `aws_s3_bucket_policy`)."""
    policy = json.loads(resources_of(workspace, "aws_s3_bucket_policy")[address]["policy"])
    return sorted(statement.get("Sid", "") for statement in policy["Statement"])


def fill_every_bucket(workspace: Workspace) -> dict[str, int]:
    """In every bucket of the stack, two versions of an object, as logs and run artifacts leave:
    what the destroy of an ephemeral stack must delete. Returns the object versions in each bucket.
    (No delete marker: moto 5.2.5 fails deleting a delete marker's version, `FakeDeleteMarker`
    having no `dispose`, where AWS removes it.)

    moto evaluates a bucket policy on object writes but ignores its conditions, so the TLS-only
    deny refuses every write (AWS's services write over TLS, which that deny lets through): each
    bucket's policy is set aside while its objects are written, then put back as it was."""
    aws = workspace.emulator.client_factory(workspace.account)
    held = {}
    for values in resources_of(workspace, "aws_s3_bucket").values():
        s3, bucket = aws("s3", values["region"]), values["bucket"]
        policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
        s3.delete_bucket_policy(Bucket=bucket)
        for body in (b"first", b"second"):
            s3.put_object(Bucket=bucket, Key="rehearsal/object.txt", Body=body)
        s3.put_bucket_policy(Bucket=bucket, Policy=policy)
        held[bucket] = len(s3.list_object_versions(Bucket=bucket).get("Versions", []))
    return held


def deploy_cycle(emulator: Emulator, bundle: Path, workdir: Path, tfvars: Path = DEPLOY_TFVARS) -> Run:
    """An ephemeral stack (`stack_lifecycle = "ephemeral"` in the tfvars), as a pull request's: init
    -> apply -> plan (must be empty) -> objects in every bucket -> destroy -> apply again under the
    same names -> destroy, in a copy of the bundle."""
    shutil.copytree(bundle, workdir)
    shutil.copy(tfvars, workdir / TFVARS)
    run = Run("deploy", Workspace(emulator, workdir, DEPLOY_ACCOUNT, remote_state=True).prepare())
    run.steps["init"] = run.workspace.init()
    apply = run.step("apply", "apply", "-auto-approve", "-input=false", f"-var-file={TFVARS}")
    run.facts["resources created"] = resources_added(apply)
    run.facts["state"] = run.workspace.state_list()
    run.facts["where the state is"] = state_objects(run.workspace)
    plan_after_apply(run, run.workspace, "plan", f"-var-file={TFVARS}")
    plan_hcl_bundle_over_this_state(run, bundle, f"-var-file={TFVARS}")
    run.facts["log archive policy"] = policy_sids(run.workspace, "aws_s3_bucket_policy.tap_stack_logs_policy")
    run.facts["objects before destroy"] = fill_every_bucket(run.workspace)
    destroy = run.step("destroy", *DESTROY, f"-var-file={TFVARS}", ok=(0, 1))
    run.facts["resources destroyed"] = resources_destroyed(destroy)
    run.facts["state after destroy"] = run.workspace.state_list()
    again = run.step("apply (same names)", "apply", "-auto-approve", "-input=false", f"-var-file={TFVARS}", ok=(0, 1))
    run.facts["resources created again"] = resources_added(again)
    destroy_again = run.step("destroy (again)", *DESTROY, f"-var-file={TFVARS}", ok=(0, 1))
    run.facts["resources destroyed again"] = resources_destroyed(destroy_again)
    run.facts["state after destroying again"] = run.workspace.state_list()
    return run


def upgrade_cycle(emulator: Emulator, release: Path, bundle: Path, workdir: Path, tfvars: Path = UPGRADE_TFVARS) -> Run:
    """Apply the previous release (with today's archives), then plan and apply the current bundle
    over the same state, with the same tfvars; then take the durable stack down and up again as the
    README's runbook says (`take_down_durable_stack`)."""
    workdir.mkdir(parents=True)
    for configuration in sorted(release.glob("*.tf.json")):
        shutil.copy(configuration, workdir / configuration.name)
    for archive in sorted(bundle.glob("*.zip")):
        shutil.copy(archive, workdir / archive.name)
    previous = bundle_document(release)
    values = tfvars.read_text()
    (workdir / TFVARS).write_text(declared_only(values, set(previous.get("variable", {}))))
    workspace = Workspace(emulator, workdir, UPGRADE_ACCOUNT, remote_state=True).prepare()
    run = Run(f"upgrade from {release.name}", workspace)
    run.facts["release"] = release.name
    run.steps["init (previous)"] = run.workspace.init()
    apply = run.step("apply (previous)", "apply", "-auto-approve", "-input=false", f"-var-file={TFVARS}")
    run.facts["resources created"] = resources_added(apply)
    run.facts["previous state"] = run.workspace.state_list()
    run.facts["previous configuration"] = previous

    for path in sorted(bundle.iterdir()):
        if path.is_file():
            shutil.copy(path, workdir / path.name)
    (workdir / TFVARS).write_text(values)
    run.steps["init (current)"] = run.workspace.init()
    run.step("plan (upgrade)", "plan", "-input=false", f"-var-file={TFVARS}", "-out=upgrade.tfplan")
    run.facts["plan"] = run.workspace.show_json("upgrade.tfplan")
    run.facts["configuration"] = bundle_document(workdir)
    run.step("apply (upgrade)", "apply", "-input=false", "upgrade.tfplan")
    run.step("plan (after upgrade)", "plan", "-input=false", "-detailed-exitcode", f"-var-file={TFVARS}", ok=(0, 1, 2))
    take_down_durable_stack(run, f"-var-file={TFVARS}")
    return run


SECRET = "aws_secretsmanager_secret.tap_stack_secret"


def take_down_durable_stack(run: Run, *variables: str) -> None:
    """The README's runbook for a durable stack (`stack_lifecycle` left at its default): apply once
    as an ephemeral one (in place), then destroy. The names are free at once: the secret, whose name
    a durable stack's destroy would keep reserved for its 30-day recovery window, is applied again
    alone under the same name, then destroyed. (The log archive's break-glass step is AWS's alone:
    moto never evaluates a bucket policy for calls on the bucket itself.)"""
    run.facts["log archive policy"] = policy_sids(run.workspace, "aws_s3_bucket_policy.tap_stack_logs_policy")
    as_ephemeral = take_down_variables(declared_variables(run.workspace.directory))  # as scripts/rehearse
    # The plan before found no drift: the switch need not read every resource again.
    switch = run.step(
        "apply (as ephemeral)", "apply", "-auto-approve", "-input=false", "-refresh=false", *variables, *as_ephemeral
    )
    run.facts["switched"] = _ADDED.search(switch.stdout).groups()
    destroy = run.step("destroy", *DESTROY, *variables, *as_ephemeral, ok=(0, 1))
    run.facts["resources destroyed"] = resources_destroyed(destroy)
    run.facts["state after destroy"] = run.workspace.state_list()
    run.step("apply (same names)", "apply", "-auto-approve", "-input=false", *variables, f"-target={SECRET}")
    run.facts["state re-created"] = run.workspace.state_list()
    run.step("destroy (again)", *DESTROY, *variables, ok=(0, 1))
    run.facts["state after destroying again"] = run.workspace.state_list()


def tfvars_value(tfvars: Path, name: str) -> str:
    """A one-line string assignment of a fixture."""
    for line in tfvars.read_text().splitlines():
        match = _STRING_ASSIGNMENT.match(line)
        if match and match["name"] == name:
            return match["value"]
    raise KeyError(f"{tfvars}: no string assignment to {name}")


def regions_cycle(
    emulator: Emulator,
    bundle: Path,
    workdir: Path,
    tfvars: Path = REGIONS_TFVARS,
    *,
    name: str = f"deploy largest ({label(LARGEST)})",
    account: str = REGIONS_ACCOUNT,
) -> Run:
    """A multi-region bundle (the largest by default; the DAX one with `DAX_TFVARS`, its `name` and
    `DAX_ACCOUNT`): create the public hosted zone that holds `domain_name` (the stack writes records
    into a zone it does not own, as an ops team's would), then init -> apply -> what the emulated
    regions hold and its names and metrics (`identity.names_and_metrics`) -> plan (must be empty)
    -> destroy -> state list and what is left in the zone."""
    shutil.copytree(bundle, workdir)
    shutil.copy(tfvars, workdir / TFVARS)
    run = Run(name, Workspace(emulator, workdir, account, remote_state=True).prepare())
    aws = emulator.client_factory(account)
    domain = tfvars_value(tfvars, "domain_name")
    zone_name = domain.split(".", 1)[1]
    zone = aws("route53").create_hosted_zone(Name=zone_name, CallerReference=f"rehearsal-{zone_name}")
    zone_id = zone["HostedZone"]["Id"].rsplit("/", 1)[-1]
    run.facts["hosted zone"] = zone_id
    variables = (f"-var-file={TFVARS}", f"-var=hosted_zone_id={zone_id}")
    run.steps["init"] = run.workspace.init()
    apply = run.step("apply", "apply", "-auto-approve", "-input=false", *variables)
    run.facts["resources created"] = resources_added(apply)
    run.facts["state"] = run.workspace.state_list()
    run.facts["outputs"] = {
        name: output["value"] for name, output in json.loads(run.workspace.terraform("output", "-json").stdout).items()
    }
    run.facts["emulated"] = emulated_regions(aws, tfvars)
    run.facts["names and metrics"] = names_and_metrics(run.workspace.state_values())
    plan_after_apply(run, run.workspace, "plan", *variables)
    plan_hcl_bundle_over_this_state(run, bundle, *variables)
    destroy = run.step("destroy", *DESTROY, *variables, ok=(0, 1))
    run.facts["resources destroyed"] = resources_destroyed(destroy)
    run.facts["state after destroy"] = run.workspace.state_list()
    records = aws("route53").list_resource_record_sets(HostedZoneId=zone_id)["ResourceRecordSets"]
    run.facts["zone records after destroy"] = sorted(f"{r['Name']} {r['Type']}" for r in records)
    return run


def regions_of(tfvars: Path) -> tuple[str, ...]:
    """The regions a fixture deploys to, the primary first."""
    assigned = {match["name"] for match in map(_STRING_ASSIGNMENT.match, tfvars.read_text().splitlines()) if match}
    return tuple(tfvars_value(tfvars, variable) for variable in REGION_VARIABLES if variable in assigned)


def emulated_regions(aws, tfvars: Path) -> dict[str, dict[str, object]]:
    """What each region of the emulated account holds after apply, read with boto3 (not through
    Terraform): functions (and the subnets each runs in), REST APIs, canaries and their states,
    tables with their keys, the item table's replicas as DynamoDB reports them, the VPC endpoints'
    services, the trails and whether they log, the Config recorders and whether they record, the
    item caches with their encryption and user groups, and the DAX clusters with theirs."""
    table = tfvars_value(tfvars, "dynamodb_table_name")
    found: dict[str, dict[str, object]] = {}
    for region in regions_of(tfvars):
        dynamodb = aws("dynamodb", region)
        tables = dynamodb.list_tables()["TableNames"]
        described = dynamodb.describe_table(TableName=table)["Table"] if table in tables else {}
        functions = aws("lambda", region).list_functions()["Functions"]
        ec2, cloudtrail, config = aws("ec2", region), aws("cloudtrail", region), aws("config", region)
        trails = cloudtrail.describe_trails(includeShadowTrails=False)["trailList"]
        found[region] = {
            "functions": sorted(f["FunctionName"] for f in functions),
            "function subnets": {
                f["FunctionName"]: len(f.get("VpcConfig", {}).get("SubnetIds", [])) for f in functions
            },
            "endpoint services": sorted(
                e["ServiceName"].rsplit(".", 1)[-1] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
            ),
            "logging trails": sorted(
                t["Name"] for t in trails if cloudtrail.get_trail_status(Name=t["TrailARN"])["IsLogging"]
            ),
            "recording config recorders": sorted(
                r["name"]
                for r in config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
                if r["recording"]
            ),
            "rest apis": sorted(a["name"] for a in aws("apigateway", region).get_rest_apis()["items"]),
            "canaries": {
                c["Name"]: c["Status"]["State"] for c in aws("synthetics", region).describe_canaries()["Canaries"]
            },
            "tables": sorted(tables),
            "item table key": described.get("SSEDescription", {}).get("KMSMasterKeyArn"),
            "item table replicas": described.get("Replicas", []),
            "caches": [
                {key: group.get(key) for key in ("TransitEncryptionMode", "AtRestEncryptionEnabled", "KmsKeyId")}
                | {"members": len(group["MemberClusters"]), "user groups": len(group.get("UserGroupIds", []))}
                for group in aws("elasticache", region).describe_replication_groups()["ReplicationGroups"]
            ],
            "dax clusters": [
                dax_facts(aws("dax", region), c) for c in aws("dax", region).describe_clusters()["Clusters"]
            ],
            "key administration matches": key_administration_matches(aws("events", region), aws("kms", region)),
        }
    return found


KEY_ADMINISTRATION_RULE = "-key-administration"
OTHER_KEY = "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"


def key_administration_matches(events, kms) -> dict[str, bool]:
    """Which CloudTrail events (EventBridge's "AWS API Call via CloudTrail" shape) the region's key
    administration rule, as deployed, matches: each of `ADMINISTRATION_EVENTS` and a `Decrypt`,
    naming the stack's key by ID or by ARN, or another key. The pattern is evaluated by moto's
    EventBridge matcher, in this process (moto's server has no TestEventPattern)."""
    (rule,) = [r for r in events.list_rules()["Rules"] if r["Name"].endswith(KEY_ADMINISTRATION_RULE)]
    pattern = EventPattern.load(rule["EventPattern"])
    alias = "alias/" + rule["Name"].removesuffix(KEY_ADMINISTRATION_RULE)
    key = kms.describe_key(KeyId=alias)["KeyMetadata"]
    names = {"id": key["KeyId"], "ARN": key["Arn"], "another key": OTHER_KEY}
    return {
        f"{event} naming {form}": pattern.matches_event(
            {
                "source": "aws.kms",
                "detail-type": "AWS API Call via CloudTrail",
                "detail": {
                    "eventSource": "kms.amazonaws.com",
                    "eventName": event,
                    "requestParameters": {"keyId": name},
                },
            }
        )
        for event in (*ADMINISTRATION_EVENTS, "Decrypt")
        for form, name in names.items()
    }


def dax_facts(dax, cluster: dict) -> dict[str, object]:
    """What a DAX cluster reports of its placement, encryption and parameter group, and the values
    of that group's parameters."""
    parameter_group = cluster["ParameterGroup"]["ParameterGroupName"]
    parameters = dax.describe_parameters(ParameterGroupName=parameter_group)["Parameters"]
    return {
        "status": cluster["Status"],
        "subnet group": cluster["SubnetGroup"],
        "parameter group": parameter_group,
        "endpoint encryption": cluster["ClusterEndpointEncryptionType"],
        "at rest": cluster["SSEDescription"]["Status"],
        "url scheme": cluster["ClusterDiscoveryEndpoint"].get("URL", "").split("://")[0],
        "node zones": sorted(node["AvailabilityZone"] for node in cluster.get("Nodes", [])),
        "parameters": {p["ParameterName"]: p["ParameterValue"] for p in parameters},
    }


NO_CHANGES = "No changes. Your infrastructure matches the configuration."


def managed(addresses: list[str]) -> list[str]:
    """The managed resources among state addresses (no data sources)."""
    return [a for a in addresses if not a.startswith("data.")]


def resource_type(address: str) -> str:
    return address.split(".")[0]


def assert_every_type_created(
    run: Run, bundle_resources: dict, not_creatable: dict[str, str], not_counted: dict[str, str] | None = None
) -> list[str]:
    """The apply succeeded, counted what is in state, and created every resource type of the bundle
    but the ones the emulator cannot create (and none of those) and those the tfvars count out
    (`not_counted`, each with the rehearsal that creates it); returns the managed state."""
    state = managed(run.facts["state"])
    assert run.steps["apply"].returncode == 0
    assert run.facts["resources created"] == len(state)
    created_types = {resource_type(a) for a in state}
    missing = set(bundle_resources) - created_types - set(not_counted or {})
    assert missing == set(not_creatable), "a type is missing; list it in NOT_CREATABLE"
    assert not created_types & set(not_creatable)
    return state


def assert_no_changes(run: Run, step: str = "plan") -> None:
    """`step` (a plan after apply, of the JSON bundle or the HCL one) showed no changes."""
    plan = run.steps[step]
    assert plan.returncode == 0, f"{step} after apply is not empty:\n{plan.stdout[-6000:]}\n{plan.stderr}"
    assert NO_CHANGES in plan.stdout


def assert_hcl_plans_the_same(run: Run) -> None:
    """The HCL bundle's plan over the applied state equals the JSON bundle's, part by part."""
    json_plan, hcl_plan = run.facts["plan"], run.facts["plan (HCL bundle)"]
    assert json_plan["resource_changes"], "the plan covers the applied resources"
    for part in PLAN_PARTS:
        assert hcl_plan[part] == json_plan[part], part


def assert_destroyed_everything(run: Run) -> None:
    destroy = run.steps["destroy"]
    assert destroy.returncode == 0, destroy.output[-4000:]
    assert run.facts["resources destroyed"] == run.facts["resources created"]
    assert run.facts["state after destroy"] == []


CDKTF_TFVARS = """\
project_name                 = "tap"
environment                  = "dev"
environment_suffix           = "cdk"
owner                        = "platform-team"
lambda_log_bucket_name       = "acme-tap-dev-cdk-logs"
allowed_ip_ranges            = ["198.51.100.0/24"]
alarm_email                  = "oncall@example.com"
stack_lifecycle              = "ephemeral"
"""
# The cdktf cycle's environment (`scripts/cdktf --env environments/cdk`): its options, its state's
# place in the emulator's S3, and what a synth must leave alone where `cdktf deploy` runs Terraform.
CDKTF_ENVIRONMENT = "cdk"
CDKTF_OPTIONS = {"context": {"backend": "s3"}}
CDKTF_STATE_KEY = "tap/cdk/terraform.tfstate"
KEPT_BY_SYNTH = (".terraform/terraform.tfstate", ".terraform.lock.hcl", OVERRIDE_FILE)


@dataclass
class CdktfRun:
    """The cdktf cycle's record: each command's output, and the facts the tests check."""

    directory: Path
    env: dict[str, str]
    state_bucket: str
    s3: object  # the emulator's S3 client, where the environment's state is
    outputs: dict[str, str] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)
    timings: list[str] = field(default_factory=list)

    @property
    def stack_dir(self) -> Path:
        return self.directory / "cdktf.out" / CDKTF_ENVIRONMENT / "stacks" / "tap_stack"

    def run(self, label: str, *command: str) -> str:
        """Run a command of the cycle in the project; a failure stops the cycle, naming it."""
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=self.directory, env=self.env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_SECONDS
        )
        self.timings.append(f"{' '.join(command[:2])}: {time.monotonic() - started:.0f} s")
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{output[-6000:]}"
        self.outputs[label] = output
        return output

    def state(self) -> dict:
        """The environment's state, where its backend file says: the emulator's S3."""
        return json.loads(self.s3.get_object(Bucket=self.state_bucket, Key=CDKTF_STATE_KEY)["Body"].read())

    def kept(self) -> dict[str, bytes]:
        return {name: (self.stack_dir / name).read_bytes() for name in KEPT_BY_SYNTH}

    def figures(self) -> str:
        return f"cdktf cycle: {self.facts.get('resources created')} resources created; " + ", ".join(self.timings)


def identities(state: dict) -> dict[str, list[str]]:
    """Each managed resource's address and the ids of its instances: what a replace would change."""
    return {
        f"{r['type']}.{r['name']}": [str(i["attributes"].get("id")) for i in r["instances"]]
        for r in state["resources"]
        if r["mode"] == "managed"
    }


def cdktf_environment(emulator: Emulator, directory: Path, bucket: str) -> Path:
    """An environment's folder as a team keeps one (examples/README.md), its state in the emulator."""
    folder = directory / "environments" / CDKTF_ENVIRONMENT
    folder.mkdir(parents=True)
    (folder / "options.json").write_text(json.dumps(CDKTF_OPTIONS, indent=2) + "\n")
    (folder / f"{CDKTF_ENVIRONMENT}.tfvars").write_text(CDKTF_TFVARS)
    (folder / f"{CDKTF_ENVIRONMENT}.s3.tfbackend").write_text(
        f'bucket = "{bucket}"\nkey    = "{CDKTF_STATE_KEY}"\nregion = "us-east-1"\n'
    )
    return folder


def cdktf_cycle(emulator: Emulator, directory: Path) -> CdktfRun:
    """As users run an environment, in a second working copy of the project (sharing `.venv` and
    `node_modules`): `scripts/cdktf synth --env environments/cdk`, `deploy`, a plain
    `scripts/synth --env`, `diff` and `deploy` again, then `destroy`; its state in the emulator's
    S3 under the key of its backend file."""
    checkout(directory)
    for shared in ("node_modules", ".venv"):
        (directory / shared).symlink_to(ROOT / shared)
    bucket = emulator.state_bucket(None)
    folder = cdktf_environment(emulator, directory, bucket)
    env = {
        **emulator.env(),
        "CI": "1",
        "TAP_PROVIDER_MIRROR": str(provider_mirror()),
        "TF_CLI_ARGS_init": f"-backend-config={emulator.write_backend_config(directory)}",
    }
    run = CdktfRun(directory, env, bucket, emulator.client_factory()("s3"))
    chosen = ("--env", str(folder.relative_to(directory)))
    run.run("synth", "scripts/cdktf", "synth", *chosen)
    emulator.write_override(run.stack_dir)
    run.run("deploy", "scripts/cdktf", "deploy", *chosen, "--auto-approve")
    run.facts["resources created"] = len(identities(run.state()))
    run.facts["lock file"] = (run.stack_dir / ".terraform.lock.hcl").read_text()
    run.facts["backend"] = json.loads((run.stack_dir / ".terraform" / "terraform.tfstate").read_text())["backend"]
    run.facts["local state"] = sorted(p.name for p in run.stack_dir.glob("terraform.tfstate*"))
    kept = run.kept()
    run.run("plain synth", "scripts/synth", *chosen)
    run.facts["kept by synth"] = run.kept() == kept
    run.run("diff", "scripts/cdktf", "diff", *chosen)
    deployed = identities(run.state())
    run.run("deploy again", "scripts/cdktf", "deploy", *chosen, "--auto-approve")
    run.facts["replaced by the second deploy"] = sorted(
        address for address, ids in identities(run.state()).items() if deployed.get(address) != ids
    )
    run.run("destroy", "scripts/cdktf", "destroy", *chosen, "--auto-approve")
    run.facts["state after destroy"] = sorted(identities(run.state()))
    run.facts["cli configuration"] = (directory / ".tap" / "terraform.rc").read_text()
    run.facts["outputs"] = sorted(
        p.relative_to(directory).as_posix() for base in ("cdktf.out", "dist") for p in (directory / base).iterdir()
    )
    run.facts["bundle options"] = json.loads(
        (directory / "dist" / CDKTF_ENVIRONMENT / "tap_stack" / ".tapgen-manifest.json").read_text()
    )["options"]
    return run


@dataclass(frozen=True)
class UserRehearsal:
    """`scripts/rehearse` as a user runs it (`user_rehearsal`): its exit status, output and time."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def figures(self) -> str:
        said = (self.stdout or self.stderr).strip().splitlines()
        return f"scripts/rehearse: exit {self.returncode} in {self.seconds:.0f} s; {said[0] if said else ''}"


def user_rehearsal(bundle: Path, tfvars: Path = UPGRADE_TFVARS) -> UserRehearsal:
    """`scripts/rehearse --tfvars <tfvars> --bundle <bundle>` with progress asked for, and nothing of
    the caller's AWS or Terraform settings but a profile that does not exist, which the tool must
    neither need nor read (no credentials, no AWS). A durable stack by default (the upgrade tfvars),
    which its take-down must handle as the bundle README's runbook does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "TF_"))}
    env |= {"TAP_PROGRESS": "1", "AWS_PROFILE": "no-such-profile"}
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "scripts" / "rehearse"), "--tfvars", str(tfvars), "--bundle", str(bundle)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS * 3,
        check=False,
    )
    return UserRehearsal(result.returncode, result.stdout, result.stderr, time.monotonic() - started)
