"""`scripts/rehearse`: your bundle and tfvars, deployed to the project's emulator and taken down
again, offline and without AWS credentials: the same emulator, with the same named patches, that
the test suite rehearses against (`tools/emulator/`).

    scripts/rehearse --tfvars prod.tfvars [-c KEY=VALUE ...]     # synthesizes with those options
    scripts/rehearse --tfvars prod.tfvars --bundle dist/tap_stack   # takes a bundle as it is

Phases: synth (unless `--bundle`), init, plan, apply, re-plan (must show no changes), take-down
(as the bundle README's runbook: apply once as `stack_lifecycle = "ephemeral"`, then destroy).
Each phase says so on standard error (see `tapgen.progress`); the summary (resources, seconds per
phase, what the emulator cannot check) goes to standard output. Nothing of yours is written: the
bundle is copied into a scratch directory, removed afterwards unless a phase failed. Exit status:
0 when every phase passed, 1 when one failed (its last lines on standard error), 2 for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tapgen.progress import say
from tools.emulator.client import (
    PROVIDER_MIRROR,
    PROVIDER_MIRROR_ENV,
    ROOT,
    STATE_KEY,
    Emulator,
    EmulatorError,
    Step,
    run_terraform,
    without_aws_settings,
)

PLAN_FILE = "rehearse.tfplan"
COMMAND_TIMEOUT_SECONDS = 1800
TAIL_LINES = 30
_ADDED = re.compile(r"Resources: (\d+) added")
# What an apply or a destroy removed ("... 2 destroyed." or "Resources: 316 destroyed.").
_DESTROYED = re.compile(r"(\d+) destroyed")
# What a rehearsal against the emulator cannot show, and where the project checks it instead.
NOT_CHECKED = (
    "IAM and resource policies are not evaluated (moto ignores their conditions): "
    "tapgen/security/rules.py and checkov judge them at synth time",
    "AWS limits, formats and quotas beyond moto's own checks: tapgen/aws_rules/ holds them as data",
    "no function runs, no alarm fires, no canary or DNS query happens: the suite's handler "
    "tests run the code against moto and models of the services",
    "the log archive's break-glass and root-user steps of the destroy runbook (moto never "
    "evaluates a bucket policy for calls on the bucket itself)",
)


class RehearsalError(Exception):
    """A phase failed."""


class UsageError(Exception):
    """Bad input: named in one line."""


@dataclass
class Rehearsal:
    emulator: Emulator
    directory: Path
    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def terraform(self, phase: str, *args: str, ok: tuple[int, ...] = (0,)) -> Step:
        say(f"rehearse: {phase}: terraform {args[0]} ...")
        env = self.emulator.env()
        try:
            step = run_terraform(terraform_binary(), self.directory, env, *args, timeout=COMMAND_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            raise RehearsalError(f"{phase} failed: terraform {args[0]} timed out after {error.timeout} s") from None
        self.seconds[phase] = self.seconds.get(phase, 0.0) + step.seconds
        if step.returncode not in ok:
            tail = "\n".join(step.output.strip().splitlines()[-TAIL_LINES:])
            raise RehearsalError(f"{phase} failed (terraform {args[0]} exited {step.returncode}):\n{tail}")
        return step


def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        raise UsageError("terraform is not on PATH; the rehearsal needs Terraform 1.10 or later")
    return binary


def provider_mirror() -> Path:
    if not PROVIDER_MIRROR.is_dir():
        raise UsageError(
            f"{PROVIDER_MIRROR_ENV}: {PROVIDER_MIRROR} is not a directory; expected a mirror of hashicorp/aws"
        )
    return PROVIDER_MIRROR


def synthesize(context: list[str], scratch: Path) -> Path:
    say("rehearse: synth ...")
    bundle = scratch / "dist" / "tap_stack"
    extra = [part for option in context for part in ("-c", option)]
    command = [sys.executable, "main.py", "--out", str(scratch / "cdktf.out"), "--bundle", str(bundle), *extra]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        said = result.stderr.strip().splitlines()
        raise UsageError(said[-1].removeprefix("error: ") if said else f"synth failed with exit {result.returncode}")
    return bundle


def declared_variables(directory: Path) -> set[str]:
    names: set[str] = set()
    for config in directory.glob("*.tf.json"):
        names |= set(json.loads(config.read_text()).get("variable", {}))
    return names


def domain_name(tfvars: Path) -> str:
    """The tfvars' `domain_name` (a routed stack's), or "" when it sets none."""
    import hcl2

    return str(hcl2.loads(tfvars.read_text()).get("domain_name", "")).strip('"')


def hosted_zone_for(emulator: Emulator, tfvars: Path) -> list[str]:
    """A public hosted zone in the emulator for the tfvars' `domain_name` (its parent domain), as
    the zone a routed stack writes into exists on AWS; the variable that names it."""
    domain = domain_name(tfvars)
    if "." not in domain:
        return []
    zone_name = domain.split(".", 1)[1]
    zone = emulator.client_factory()("route53").create_hosted_zone(
        Name=zone_name, CallerReference=f"rehearse-{zone_name}"
    )
    return [f"-var=hosted_zone_id={zone['HostedZone']['Id'].rsplit('/', 1)[-1]}"]


def take_down_variables(declared: set[str]) -> list[str]:
    """The bundle README's runbook: the stack as ephemeral (an older bundle without the variable is
    destroyed as it is)."""
    switch = ["-var=stack_lifecycle=ephemeral"] if "stack_lifecycle" in declared else []
    unlocked = ["-var=log_archive_object_lock=false"] if "log_archive_object_lock" in declared else []
    return switch + unlocked


def rehearse(emulator: Emulator, directory: Path, tfvars: Path) -> Rehearsal:
    state = (emulator.state_bucket(None), STATE_KEY)
    emulator.write_override(directory, state)
    declared = declared_variables(directory)
    variables = [f"-var-file={tfvars}", *(hosted_zone_for(emulator, tfvars) if "hosted_zone_id" in declared else [])]
    run = Rehearsal(emulator, directory)
    run.terraform("init", "init", "-input=false", f"-plugin-dir={provider_mirror()}")
    run.terraform("plan", "plan", "-input=false", *variables, f"-out={PLAN_FILE}")
    applied = run.terraform("apply", "apply", "-input=false", PLAN_FILE)
    run.counts["resources created"] = int(_ADDED.search(applied.stdout)[1])
    replan = run.terraform("re-plan", "plan", "-input=false", "-detailed-exitcode", *variables, ok=(0, 2))
    if replan.returncode == 2:
        changes = "\n".join(line for line in replan.stdout.splitlines() if line.strip().startswith(("#", "Plan:")))
        raise RehearsalError(f"re-plan failed: the plan after apply is not empty:\n{changes}")
    unattended = ("-auto-approve", "-input=false", "-refresh=false", *variables, *take_down_variables(declared))
    # The switch may itself remove what only a durable stack has (an archive's Object Lock setting).
    steps = [run.terraform("take-down", verb, *unattended) for verb in ("apply", "destroy")]
    run.counts["resources destroyed"] = sum(int(_DESTROYED.findall(step.stdout)[-1]) for step in steps)
    return run


def summary(run: Rehearsal) -> str:
    lines = [
        "rehearsal passed: " + ", ".join(f"{name} {count}" for name, count in run.counts.items()),
        "seconds: " + ", ".join(f"{phase} {seconds:.0f}" for phase, seconds in run.seconds.items()),
        "not checked by the emulator:",
        *(f"- {item}" for item in NOT_CHECKED),
    ]
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/rehearse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--tfvars", type=Path, required=True, help="your tfvars file")
    parser.add_argument("--bundle", type=Path, help="rehearse this bundle as it is instead of synthesizing one")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="a synth-time option")
    return parser.parse_args(argv)


def check_input(args: argparse.Namespace) -> None:
    if not args.tfvars.is_file():
        raise UsageError(f"--tfvars {args.tfvars}: no such file; expected your tfvars file")
    if args.bundle is None:
        return
    if args.context:
        raise UsageError("--bundle takes a bundle as it was synthesized; give -c options to a synth instead")
    if not any(args.bundle.glob("*.tf.json")):
        raise UsageError(f"--bundle {args.bundle}: no *.tf.json here; expected a bundle such as dist/tap_stack")


@contextlib.contextmanager
def aws_settings_removed() -> Iterator[None]:
    """Nothing here may reach AWS, and the boto3 clients that prepare the emulator must not read
    the caller's profile (a missing one stops them): the caller's AWS settings are set aside."""
    saved, isolated = dict(os.environ), without_aws_settings()
    os.environ.clear()
    os.environ.update(isolated)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run(args: argparse.Namespace) -> int:
    check_input(args)
    scratch = Path(tempfile.mkdtemp(prefix="tap-rehearse-"))
    try:
        bundle = args.bundle or synthesize(args.context, scratch)
        directory = scratch / "root"
        shutil.copytree(bundle, directory, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*", "*_override.tf*"))
        say("rehearse: starting the emulator ...")
        with Emulator.running() as emulator:
            result = rehearse(emulator, directory, args.tfvars.resolve())
    except RehearsalError:
        print(f"rehearse: the scratch directory is kept for a look: {scratch}", file=sys.stderr)
        raise
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    shutil.rmtree(scratch, ignore_errors=True)
    print(summary(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        with aws_settings_removed():
            return run(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (RehearsalError, EmulatorError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
