"""`scripts/cdktf`: the pinned cdktf CLI, given the project's synth-time options and environments.

cdktf passes no options of its own to its app, so `-c KEY=VALUE` / `--context KEY=VALUE` reach
`main.py` as TAP_CONTEXT, and the verb as TAP_CDKTF_VERB (only `synth` rewrites the bundles).
`--env FOLDER` runs one environment (`tapgen.environments`): the app reads its options file and
writes `cdktf.out/<name>`, where cdktf keeps that environment's state; `terraform init` gets its
backend file and `deploy`, `destroy` and `diff` its tfvars.
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tapgen.environments import Environment, EnvironmentFolderError, environment
from tapgen.pipeline.cli import CONTEXT_ENV, ENVIRONMENT_ENV, REPLACE_OPTIONS_ENV, ROOT, VERB_ENV

CLI = ROOT / "node_modules" / ".bin" / "cdktf"
# Verbs that run Terraform on the stack: `terraform providers lock` would ask the public registry.
TERRAFORM_VERBS = ("deploy", "destroy", "diff", "output")
# Verbs that plan the stack: the environment's variables apply.
PLANNING_VERBS = ("deploy", "destroy", "diff")
# Verbs that synthesize into an output directory (`--output`), so can run one environment.
ENVIRONMENT_VERBS = ("synth", "list", *TERRAFORM_VERBS)
# Variables cdktf hands to every stack's Terraform, whatever the environment.
SHARED_VARIABLE_FILES = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")


class UsageError(ValueError):
    """A command line scripts/cdktf cannot run."""


@dataclass
class Launch:
    """What to run: cdktf's arguments and the settings the app and Terraform read."""

    arguments: list[str] = field(default_factory=list)
    settings: dict[str, str] = field(default_factory=dict)


def _value(flag: str, rest: list[str], needs: str) -> str:
    if not rest:
        raise UsageError(f"{flag} needs {needs}")
    return rest.pop(0)


def launch(argv: list[str], environ: dict[str, str], root: Path = ROOT) -> Launch:
    """cdktf's command line and settings for `scripts/cdktf <argv>`, run in the checkout `root`."""
    rest, passed, context = list(argv), [], []
    settings: dict[str, str] = {}
    folder: str | None = None
    while rest:
        argument = rest.pop(0)
        if argument in ("-c", "--context"):
            context.append(_value(argument, rest, "KEY=VALUE (a synth-time option, see: scripts/synth --help)"))
        elif argument.startswith("--context="):
            context.append(argument.removeprefix("--context="))
        elif argument == "--replace-options":
            settings[REPLACE_OPTIONS_ENV] = "1"
        elif argument == "--env":
            folder = _value(argument, rest, "FOLDER (an environment's folder, such as examples/dev)")
        elif argument.startswith("--env="):
            folder = argument.removeprefix("--env=")
        else:
            passed.append(argument)
    verb = passed[0] if passed else ""
    settings |= {CONTEXT_ENV: "".join(f"{line}\n" for line in context), VERB_ENV: verb}
    if verb in TERRAFORM_VERBS:
        passed.append("--skip-provider-lock")
    if folder is not None:
        _run_in(environment(root / folder), root, verb, passed, settings, environ)
    return Launch(passed, settings)


def _run_in(
    chosen: Environment, root: Path, verb: str, passed: list[str], settings: dict[str, str], environ: dict
) -> None:
    """Point cdktf, the app and Terraform at one environment."""
    if verb not in ENVIRONMENT_VERBS:
        verbs = ", ".join(ENVIRONMENT_VERBS)
        raise UsageError(f"--env works with {verbs}; not with {verb!r}" if verb else f"--env needs a verb: {verbs}")
    if {"-o", "--output"} & set(passed) or any(a.startswith("--output=") for a in passed):
        raise UsageError(f"--output and --env: --env {chosen.name} writes cdktf.out/{chosen.name}; give one")
    shared = sorted(p.name for pattern in SHARED_VARIABLE_FILES for p in root.glob(pattern))
    if shared:
        raise UsageError(
            f"{shared[0]} beside cdktf.json sets variables of every environment; move them into "
            f"{chosen.folder / (chosen.name + '.tfvars')}"
        )
    passed += ["--output", str(chosen.cdktf_out(root).relative_to(root))]
    settings[ENVIRONMENT_ENV] = str(chosen.folder)
    if verb in PLANNING_VERBS and chosen.tfvars:
        passed += ["--var-file", str(chosen.tfvars)]
    if chosen.backend_config:
        before = environ.get("TF_CLI_ARGS_init", "")
        settings["TF_CLI_ARGS_init"] = f"{before} -backend-config={shlex.quote(str(chosen.backend_config))}".strip()


def main(argv: list[str]) -> int:
    try:
        run = launch(argv, dict(os.environ))
    except (UsageError, EnvironmentFolderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    os.execve(CLI, [str(CLI), *run.arguments], {**os.environ, **run.settings})


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
