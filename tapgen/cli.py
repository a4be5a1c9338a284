"""`python main.py`: validate options, build archives, synthesize, check, write both outputs.

Both output directories are staged beside their destination and swapped in only when everything
succeeded; any error prints one line and leaves the previous outputs untouched.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from tapgen.archives import ArchiveError, BuiltArchive, build_archives
from tapgen.bundle import staged_directory, write_bundle
from tapgen.config import ConfigError, SynthConfig, build_config, load_context

ROOT = Path(__file__).resolve().parent.parent
STACK_DIR = Path("stacks") / "tap_stack"
SYNTH_FILE = "cdk.tf.json"


class SynthError(RuntimeError):
    """The stack synthesized but breaks the naming contract or a security rule."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description="Synthesize the TAP stack and its hand-off bundle.")
    parser.add_argument(
        "-c", "--context", action="append", default=[], metavar="KEY=VALUE", help="override a synth-time option"
    )
    parser.add_argument(
        "--out", type=Path, default=Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out")), help="cdktf output directory"
    )
    parser.add_argument("--bundle", type=Path, default=Path("dist") / "tap_stack", help="hand-off bundle directory")
    parser.add_argument("--cdktf-json", type=Path, default=ROOT / "cdktf.json", help="where the context is read from")
    return parser.parse_args(argv)


def synthesize(config: SynthConfig, archives: dict[str, BuiltArchive], outdir: Path) -> bytes:
    """Synthesize the stack into `outdir` (a cdktf output tree); return the configuration bytes."""
    # Imported here: cdktf starts a Node process, and bad options should fail before that cost.
    from cdktf import App

    from stacks.tap_stack import StackInputs, TapStack
    from tapgen.naming import check_document
    from tapgen.rules import findings

    app = App(outdir=str(outdir))
    TapStack(app, StackInputs(config, archives))
    app.synth()
    stack_dir = outdir / STACK_DIR
    document_bytes = (stack_dir / SYNTH_FILE).read_bytes()
    document = json.loads(document_bytes)
    check_document(document)
    problems = [str(finding) for finding in findings(document)]
    if problems:
        raise SynthError("security rules failed: " + "; ".join(problems))
    for archive in archives.values():
        (stack_dir / archive.filename).write_bytes(archive.content)
    return document_bytes


def run(args: argparse.Namespace) -> None:
    config = build_config(load_context(args.cdktf_json), args.context)
    archives = build_archives(ROOT / "lambda_src")
    with staged_directory(args.out.resolve()) as cdktf_out, staged_directory(args.bundle.resolve()) as bundle:
        document_bytes = synthesize(config, archives, cdktf_out)
        write_bundle(bundle, document_bytes, {a.filename: a.content for a in archives.values()})


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    try:
        run(args)
    except ConfigError as error:
        print(f"error: invalid synth-time option: {error}", file=sys.stderr)
        return 2
    except (ArchiveError, SynthError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"synthesized {args.out / STACK_DIR / SYNTH_FILE} and {args.bundle}")
    return 0
