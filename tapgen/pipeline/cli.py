"""`python main.py`: validate options, build archives, synthesize, check, write the three outputs.

The output directories (the cdktf tree, the JSON bundle, the HCL bundle) are also where people run
Terraform, so they are written through `tapgen.pipeline.outputs`: only generated files are replaced, all
three change together or not at all, and any error prints one line and leaves the previous outputs
(and everything else there) untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from tapgen.config import ConfigError, SynthConfig, build_config, load_context, options_help
from tapgen.environments import EnvironmentFolderError, environment
from tapgen.pipeline.archives import ArchiveError, BuiltArchive, build_archives
from tapgen.pipeline.bundle import BUNDLE_CONFIG, Written, write_bundle
from tapgen.pipeline.hcl.bundle import write_hcl_bundle
from tapgen.pipeline.hcl.convert import ConversionError
from tapgen.pipeline.hcl.schema import SchemaError
from tapgen.pipeline.outputs import MANIFEST, OutputError, OutputRoot, OutputRun, forbidden_destinations
from tapgen.provenance import Provenance, provenance

ROOT = Path(__file__).resolve().parents[2]
# Set by scripts/cdktf: the options given as `-c KEY=VALUE` (one per line; cdktf passes none to
# its app) and the cdktf verb that runs the app. Only `synth` writes the hand-off bundles; the
# others (deploy, diff, list, ...) need only the cdktf tree. `scripts/cdktf --env` passes the
# environment's folder as TAP_ENVIRONMENT.
CONTEXT_ENV = "TAP_CONTEXT"
VERB_ENV = "TAP_CDKTF_VERB"
REPLACE_OPTIONS_ENV = "TAP_REPLACE_OPTIONS"
ENVIRONMENT_ENV = "TAP_ENVIRONMENT"
CDKTF_OUTDIR_ENV = "CDKTF_OUTDIR"
# What `--env` decides, so a second say in it is refused.
ENVIRONMENT_DECIDES = ("out", "bundle", "hcl_bundle", "cdktf_json")
BUNDLE_VERBS = ("", "synth")
STACK_DIR = Path("stacks") / "tap_stack"
SYNTH_FILE = "cdk.tf.json"
DEFAULT_LOCK_TIMEOUT = 120.0
# Where a failure's details go when its one line cannot hold them (a traceback, every finding).
ERROR_LOG = ROOT / ".tap" / "synth-error.log"


class SynthError(RuntimeError):
    """The stack synthesized but breaks the naming contract or a security rule; `details`, when
    set, are the lines the log file holds."""

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = details


class OneLineParser(argparse.ArgumentParser):
    """A bad command line is one line, as every other failure."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message} (usage: {self.prog} --help)\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = OneLineParser(
        prog="main.py",
        description="Synthesize the TAP stack and its hand-off bundle.",
        epilog=options_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="override a synth-time option"
    )
    parser.add_argument(
        "--env",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="an environment's folder (see examples/): options from FOLDER/options.json, outputs in "
        "cdktf.out/<name> and dist/<name>/, <name> being the folder's name",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="cdktf output directory (default: $CDKTF_OUTDIR, set by the cdktf CLI, or cdktf.out)",
    )
    parser.add_argument("--bundle", type=Path, default=None, help="hand-off bundle directory (default: dist/tap_stack)")
    parser.add_argument(
        "--hcl-bundle",
        type=Path,
        default=None,
        help="HCL hand-off bundle directory (default: beside --bundle, named <bundle>_hcl: dist/tap_stack_hcl)",
    )
    parser.add_argument(
        "--replace-options",
        action="store_true",
        help="rewrite an output directory that holds Terraform state although its options differ",
    )
    parser.add_argument(
        "--cdktf-json", type=Path, default=None, help="where the context is read from (default: cdktf.json)"
    )
    parser.add_argument(
        "--debug", action="store_true", help="on an unexpected error, print the traceback instead of one line"
    )
    parser.add_argument(
        "--lock-timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for another synth writing the same outputs",
    )
    args = parser.parse_args(argv)
    args.context = [line for line in os.environ.get(CONTEXT_ENV, "").splitlines() if line] + args.context
    args.bundles = os.environ.get(VERB_ENV, "") in BUNDLE_VERBS
    args.replace_options = args.replace_options or os.environ.get(REPLACE_OPTIONS_ENV) == "1"
    if args.env is None and os.environ.get(ENVIRONMENT_ENV):
        args.env = Path(os.environ[ENVIRONMENT_ENV])
    return args


def resolve_destinations(args: argparse.Namespace) -> None:
    """Fill in where the options come from and where the outputs go: from `--env`, or the defaults."""
    cdktf_outdir = Path(os.environ[CDKTF_OUTDIR_ENV]) if os.environ.get(CDKTF_OUTDIR_ENV) else None
    if args.env is None:
        args.out = args.out or cdktf_outdir or ROOT / "cdktf.out"
        args.bundle = args.bundle or ROOT / "dist" / "tap_stack"
        args.cdktf_json = args.cdktf_json or ROOT / "cdktf.json"
    else:
        given = [name for name in ENVIRONMENT_DECIDES if getattr(args, name) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise EnvironmentFolderError(f"{flag} and --env: --env decides the options file and the outputs; give one")
        chosen = environment(args.env)
        args.out, args.bundle, args.cdktf_json = chosen.cdktf_out(ROOT), chosen.bundle(ROOT), chosen.options
        if cdktf_outdir is not None and cdktf_outdir.resolve() != args.out:
            raise EnvironmentFolderError(
                f"cdktf's output {cdktf_outdir} is not environment {chosen.name}'s {args.out}; "
                f"run cdktf through scripts/cdktf --env {args.env}"
            )
    if args.hcl_bundle is None:
        args.hcl_bundle = args.bundle.parent / f"{args.bundle.name}_hcl"


def synthesize(config: SynthConfig, archives: dict[str, BuiltArchive], written_by: Provenance, outdir: Path) -> bytes:
    """Synthesize the stack into `outdir` (a cdktf output tree); return the configuration bytes."""
    # Imported here: cdktf starts a Node process, and bad options should fail before that cost.
    from cdktf import App

    from stacks.tap_stack import StackInputs, TapStack
    from tapgen.naming import check_document
    from tapgen.security.rules import findings

    app = App(outdir=str(outdir))
    TapStack(app, StackInputs(config, archives, written_by))
    app.synth()
    stack_dir = outdir / STACK_DIR
    document_bytes = (stack_dir / SYNTH_FILE).read_bytes()
    document = json.loads(document_bytes)
    check_document(document)
    problems = tuple(str(finding) for finding in findings(document))
    if problems:
        first = problems[0] if len(problems) == 1 else f"{len(problems)} findings, the first: {problems[0]}"
        raise SynthError(f"security rules failed: {first}", problems)
    for archive in archives.values():
        (stack_dir / archive.filename).write_bytes(archive.content)
    return document_bytes


def output_roots(args: argparse.Namespace) -> tuple[OutputRoot, OutputRoot, OutputRoot]:
    return (
        OutputRoot("--out", args.out.resolve(), (STACK_DIR / SYNTH_FILE).as_posix()),
        OutputRoot("--bundle", args.bundle.resolve(), BUNDLE_CONFIG),
        # No release before manifests wrote an HCL bundle: only a manifest makes a directory ours.
        OutputRoot("--hcl-bundle", args.hcl_bundle.resolve(), MANIFEST),
    )


def run(args: argparse.Namespace) -> None:
    resolve_destinations(args)
    config = build_config(load_context(args.cdktf_json), args.context)
    roots = output_roots(args)
    cdktf_out, bundle, hcl_bundle = roots
    home = Path(os.environ["HOME"]) if os.environ.get("HOME") else None
    if len({root.path for root in roots}) < len(roots):
        raise OutputError("--out, --bundle and --hcl-bundle must be three different directories")
    written = roots if args.bundles else (cdktf_out,)
    options = config.options
    forbidden = forbidden_destinations(ROOT, home)
    written_by = provenance(ROOT)
    with OutputRun(written, forbidden, args.lock_timeout, options, written_by, args.replace_options) as outputs:
        archives = build_archives(ROOT / "lambda_src")
        document_bytes = synthesize(config, archives, written_by, outputs.staging(cdktf_out.label))
        archive_files = {a.filename: a.content for a in archives.values()}
        if args.bundles:
            written = Written(options, written_by)
            write_bundle(outputs.staging(bundle.label), document_bytes, archive_files, written)
            write_hcl_bundle(outputs.staging(hcl_bundle.label), document_bytes, archive_files, written)
        outputs.commit()


def write_error_log(lines: list[str]) -> Path:
    ERROR_LOG.parent.mkdir(parents=True, exist_ok=True)
    ERROR_LOG.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines), encoding="utf-8")
    return ERROR_LOG


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except SynthError as error:
        if not error.details:
            print(f"error: {error}", file=sys.stderr)
            return 1
        listed = write_error_log(list(error.details))
        print(f"error: {error} (all {len(error.details)} listed in {listed})", file=sys.stderr)
        return 1
    except ConfigError as error:
        print(f"error: invalid synth-time option: {error}", file=sys.stderr)
        return 2
    except EnvironmentFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (ArchiveError, ConversionError, SchemaError, OutputError, OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except Exception as error:  # an error in stack code: one line, the traceback in the log
        if args.debug:
            raise
        listed = write_error_log(traceback.format_exception(error))
        summary = (str(error).strip().splitlines() or [""])[0]
        print(
            f"error: {type(error).__name__} while synthesizing: {summary} (traceback in {listed}; --debug prints it)",
            file=sys.stderr,
        )
        return 1
    if not args.bundles:
        verb = os.environ[VERB_ENV]
        print(f"synthesized {args.out / STACK_DIR / SYNTH_FILE} for cdktf {verb}; {args.bundle} left as it was")
        return 0
    print(f"synthesized {args.out / STACK_DIR / SYNTH_FILE}, {args.bundle} and {args.hcl_bundle}")
    return 0
