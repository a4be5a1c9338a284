"""The entry point as users run it: options, atomic outputs, determinism across checkouts."""

import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tapgen.pipeline.bundle import bundle_document
from tapgen.pipeline.outputs import LOCK, MANIFEST
from tapgen.security.suppressions import CHECKOV_CONFIG
from tests.project import ROOT, checkout, run_main, synth_into


def previous_outputs(tmp_path: Path) -> tuple[Path, Path]:
    """Output roots of an earlier run, with the state and tfvars that people keep there."""
    out, bundle = tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack"
    for directory in (out, bundle):
        directory.mkdir(parents=True)
        (directory / "previous.txt").write_text("from the last good run")
        (directory / MANIFEST).write_text(json.dumps({"files": ["previous.txt"]}))
        (directory / "terraform.tfstate").write_text('{"version": 4}')
    return out, bundle


def snapshot(*directories: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for d in directories for p in sorted(d.rglob("*")) if p.is_file()}


def assert_untouched(tmp_path: Path, out: Path, bundle: Path) -> None:
    assert {p.name for p in out.iterdir()} <= {"previous.txt", "terraform.tfstate", MANIFEST, LOCK}
    assert {p.name for p in bundle.iterdir()} <= {"previous.txt", "terraform.tfstate", MANIFEST, LOCK}
    for directory in (out, bundle):
        assert (directory / "previous.txt").read_text() == "from the last good run"
        assert (directory / "terraform.tfstate").read_text() == '{"version": 4}'
    leftovers = [p.name for p in [*tmp_path.iterdir(), *(tmp_path / "dist").iterdir()] if p.name.startswith(".")]
    assert leftovers == []


def test_a_bad_option_prints_one_line_and_leaves_previous_outputs(tmp_path):
    out, bundle = previous_outputs(tmp_path)
    result = run_main(ROOT, out, bundle, "-c", "backend=gcs")
    assert result.returncode == 2
    assert result.stderr == (
        "error: invalid synth-time option: backend: 'gcs' is not allowed; expected one of: local, s3\n"
    )
    assert_untouched(tmp_path, out, bundle)


def test_a_name_that_breaks_the_contract_fails_synth_and_leaves_previous_outputs(tmp_path):
    project = checkout(tmp_path / "project")
    module = project / "modules" / "item_events.py"
    module.write_text(module.read_text().replace("props.name, name=props.bus_name", '"events", name=props.bus_name'))
    out, bundle = previous_outputs(tmp_path)
    result = run_main(project, out, bundle)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: aws_cloudwatch_event_bus.events (construct tap_stack/region_primary/tap_stack_events/events)"
    )
    assert result.stderr.count("\n") == 1
    assert_untouched(tmp_path, out, bundle)


def test_two_checkouts_produce_byte_identical_outputs(synth, tmp_path):
    other = synth_into(checkout(tmp_path / "elsewhere" / "project"), tmp_path / "elsewhere" / "out")
    hcl_bundles = (synth.bundle.parent / "tap_stack_hcl", other.bundle.parent / "tap_stack_hcl")
    for first_dir, second_dir in ((synth.bundle, other.bundle), (synth.cdktf_out, other.cdktf_out), hcl_bundles):
        first = sorted(p.relative_to(first_dir) for p in first_dir.rglob("*") if p.is_file())
        second = sorted(p.relative_to(second_dir) for p in second_dir.rglob("*") if p.is_file())
        assert first == second
        for relative in first:
            assert (first_dir / relative).read_bytes() == (second_dir / relative).read_bytes(), relative


def canary_file(directory: Path) -> str:
    """The canary archive's content-addressed name (`canary-<16 hex of its SHA-256>.zip`)."""
    (found,) = [p.name for p in directory.glob("canary-*.zip")]
    assert re.fullmatch(r"canary-[0-9a-f]{16}\.zip", found)
    return found


def test_bundle_holds_exactly_what_ops_needs(synth):
    assert sorted(p.name for p in synth.bundle.iterdir()) == [
        CHECKOV_CONFIG,
        MANIFEST,
        LOCK,
        "README.md",
        canary_file(synth.bundle),
        "function.zip",
        "health.zip",
        "moved.tf.json",
        "rotation.zip",
        "tap_stack.tf.json",
        "versions.tf.json",
    ]
    assert bundle_document(synth.bundle) == json.loads((synth.stack_dir / "cdk.tf.json").read_bytes())


def test_the_cdktf_output_is_a_cdktf_manifest_tree(synth):
    manifest = json.loads((synth.cdktf_out / "manifest.json").read_text())
    assert manifest["stacks"]["tap_stack"]["synthesizedStackPath"] == "stacks/tap_stack/cdk.tf.json"
    assert {p.name for p in synth.stack_dir.iterdir()} == {
        "cdk.tf.json",
        "function.zip",
        "health.zip",
        canary_file(synth.stack_dir),
        "rotation.zip",
    }
    assert {p.name for p in synth.cdktf_out.iterdir()} == {"manifest.json", "stacks", MANIFEST, LOCK}


S3_OPTIONS = ["-c", "backend=s3", "-c", "state_bucket=acme-tf-state", "-c", "state_region=eu-west-1"]
S3_BACKEND = {"bucket": "acme-tf-state", "encrypt": True, "key": "tap-stack/terraform.tfstate", "region": "eu-west-1"}


@pytest.mark.parametrize(
    ("extra", "locking"),
    [
        ([], {"use_lockfile": True}),
        (["-c", "state_lock_table=tf-locks"], {"dynamodb_table": "tf-locks"}),
    ],
    ids=["s3-native-lock", "dynamodb-lock-table"],
)
def test_s3_backend_option(tmp_path, extra, locking):
    document = synth_into(ROOT, tmp_path, *S3_OPTIONS, *extra).document
    assert document["terraform"]["backend"] == {"s3": {**S3_BACKEND, **locking}}


USER_FILES = {
    "terraform.tfstate": '{"version": 4, "serial": 7}',
    "terraform.tfstate.backup": '{"version": 4, "serial": 6}',
    ".terraform.lock.hcl": "# provider lock",
    ".terraform/terraform.tfstate": "{}",
    "prod.tfvars": 'environment = "prod"',
    "NOTES.md": "ops notes",
}


def test_state_and_user_files_survive_a_synth_in_both_outputs(synth, tmp_path):
    out, bundle = tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack"
    shutil.copytree(synth.cdktf_out, out)
    shutil.copytree(synth.bundle, bundle)
    for directory in (out / "stacks" / "tap_stack", bundle):
        for name, text in USER_FILES.items():
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text)
    before = snapshot(out, bundle)
    result = run_main(ROOT, out, bundle)
    assert result.returncode == 0, result.stderr
    assert snapshot(out, bundle) == before


def test_state_and_user_files_survive_a_synth_in_the_hcl_bundle(synth, tmp_path):
    out, bundle, hcl = tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack", tmp_path / "dist" / "tap_stack_hcl"
    shutil.copytree(synth.bundle.parent / "tap_stack_hcl", hcl)
    generated = snapshot(hcl)
    user_files = {**USER_FILES, "emulator_override.tf": "# mine", "notes/extra.tf": "# mine too"}
    for name, text in user_files.items():
        (hcl / name).parent.mkdir(parents=True, exist_ok=True)
        (hcl / name).write_text(text)
    (hcl / "api.tf").write_text("# edited by hand: replaced by the synth")
    result = run_main(ROOT, out, bundle, "--hcl-bundle", str(hcl))
    assert result.returncode == 0, result.stderr
    for name, text in user_files.items():
        assert (hcl / name).read_text() == text
    after = snapshot(hcl)
    for path, content in generated.items():
        assert after[path] == content, path


def test_a_folder_of_other_files_is_refused_as_the_hcl_bundle(tmp_path):
    other = tmp_path / "terraform"
    other.mkdir()
    (other / "main.tf").write_text("# someone else's module")
    result = run_main(ROOT, tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack", "--hcl-bundle", str(other))
    assert result.returncode == 1
    assert result.stderr == (
        f"error: --hcl-bundle {other} holds files this generator did not write (no {MANIFEST}); "
        "choose a new or empty directory\n"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["terraform"]
    assert [p.name for p in other.iterdir()] == ["main.tf"]


def test_the_checkout_is_refused_as_a_destination_with_one_line(tmp_path):
    before = sorted(p.name for p in ROOT.iterdir())
    result = run_main(ROOT, tmp_path / "cdktf.out", ROOT)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: --bundle {ROOT} is the project checkout, one of its parents or $HOME; refusing it\n"
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before
    assert not (tmp_path / "cdktf.out").exists()


def test_cdktf_outdir_pointing_at_the_checkout_is_refused(tmp_path):
    env = {**os.environ, "CDKTF_OUTDIR": "."}
    result = subprocess.run(
        [sys.executable, "main.py", "--bundle", str(tmp_path / "b")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == f"error: --out {ROOT} is the project checkout, one of its parents or $HOME; refusing it\n"


def test_a_folder_of_other_files_is_refused_and_left_alone(tmp_path):
    other = tmp_path / "documents"
    other.mkdir()
    (other / "thesis.tex").write_text("years of work")
    result = run_main(ROOT, tmp_path / "cdktf.out", other)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: --bundle {other} holds files this generator did not write (no {MANIFEST}); "
        "choose a new or empty directory\n"
    )
    assert [p.name for p in other.iterdir()] == ["thesis.tex"]


def test_a_synth_holding_the_lock_makes_the_second_fail_with_one_line(tmp_path):
    out, bundle = previous_outputs(tmp_path)
    with open(bundle / LOCK, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = run_main(ROOT, out, bundle, "--lock-timeout", "0.5")
    assert result.returncode == 1
    assert result.stderr == (
        f"error: --bundle {bundle} is being written by another synth (lock {LOCK}); "
        "waited 0.5 s, try again when it has finished\n"
    )
    assert_untouched(tmp_path, out, bundle)


def test_two_synths_at_once_take_turns_and_leave_one_consistent_output(synth, tmp_path):
    out, bundle = tmp_path / "cdktf.out", tmp_path / "dist" / "tap_stack"
    command = [sys.executable, "main.py", "--out", str(out), "--bundle", str(bundle)]
    runs = [subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    assert [run.wait(timeout=300) for run in runs] == [0, 0], [run.stderr.read() for run in runs]
    for ours, reference in ((out, synth.cdktf_out), (bundle, synth.bundle)):
        assert snapshot(ours).keys() == {str(ours / Path(p).relative_to(reference)) for p in snapshot(reference)}
        for path, content in snapshot(reference).items():
            assert (ours / Path(path).relative_to(reference)).read_bytes() == content, path
    assert not list(tmp_path.rglob(".tapgen-staging-*"))


def test_a_read_only_destination_fails_with_one_line(tmp_path):
    out, bundle = tmp_path / "cdktf.out", tmp_path / "ro" / "tap_stack"
    bundle.parent.mkdir()
    # A private mount namespace with the folder bind-mounted read-only: root ignores file modes.
    script = f'mount --bind -o ro "{bundle.parent}" "{bundle.parent}" && exec "$@"'
    command = ["unshare", "--mount", "--map-root-user", "sh", "-c", script, "sh"]
    command += [sys.executable, "main.py", "--out", str(out), "--bundle", str(bundle)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr == f"error: --bundle {bundle} cannot be written (Read-only file system)\n"
    assert not any(bundle.parent.iterdir())
    assert [p.name for p in out.iterdir()] == [LOCK]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[]", "cdktf.json: must be a JSON object, got array"),
        (b"null", "cdktf.json: must be a JSON object, got null"),
        (b"[" * 100_000 + b"]" * 100_000, "cdktf.json: is nested too deeply to be a cdktf configuration"),
        (b'{"app": "\xff"}', "cdktf.json: is not UTF-8 (byte 9); expected a JSON object"),
        (
            b"{not json",
            "cdktf.json: is not valid JSON (Expecting property name enclosed in double quotes at line 1 column 2)",
        ),
        (b'{"context": []}', "cdktf.json: 'context' must be a JSON object, got array"),
        (
            b'{"context": {"Backend": "s3"}}',
            "Backend: unknown option; allowed options are: backend, state_bucket, state_key, state_region, "
            "state_lock_table, regions, waf, compliance, account_controls, scale, item_stream, cache",
        ),
        (
            b'{"app": "x", "backend": "s3"}',
            "cdktf.json: unknown setting 'backend'; cdktf settings are: app, codeMakerOutput, context, language, "
            "output, projectId, sendCrashReports, terraformModules, terraformProviders",
        ),
    ],
    ids=["array", "null", "deep", "not-utf8", "not-json", "context-array", "unknown-option", "unknown-setting"],
)
def test_a_malformed_cdktf_json_fails_with_one_line(tmp_path, content, message):
    out, bundle = previous_outputs(tmp_path)
    cdktf_json = tmp_path / "cdktf.json"
    cdktf_json.write_bytes(content)
    result = run_main(ROOT, out, bundle, "--cdktf-json", str(cdktf_json))
    assert result.returncode == 2
    assert result.stderr == f"error: invalid synth-time option: {message}\n"
    assert_untouched(tmp_path, out, bundle)


@pytest.mark.parametrize(
    ("extra", "cdktf_outdir", "message"),
    [
        (("--out", "x"), "", "--out and --env: --env decides the options file and the outputs; give one"),
        (("--cdktf-json", "x"), "", "--cdktf-json and --env: --env decides the options file and the outputs; give one"),
        (
            (),
            "elsewhere",
            f"cdktf's output elsewhere is not environment dev's {ROOT / 'cdktf.out' / 'dev'}; "
            "run cdktf through scripts/cdktf --env examples/dev",
        ),
    ],
    ids=["out", "cdktf-json", "cdktf output"],
)
def test_an_environment_decides_the_outputs_alone(extra, cdktf_outdir, message):
    result = subprocess.run(
        [sys.executable, "main.py", "--env", "examples/dev", *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "CDKTF_OUTDIR": cdktf_outdir},
        check=False,
    )
    assert (result.returncode, result.stderr) == (2, f"error: {message}\n")


def test_other_options_over_a_bundle_holding_state_are_refused_until_asked(tmp_path):
    synth = synth_into(ROOT, tmp_path)
    state = {"version": 4, "resources": [{"mode": "managed", "type": "aws_dynamodb_table", "name": "tap_stack_table"}]}
    (synth.bundle / "terraform.tfstate").write_text(json.dumps(state))
    before = snapshot(synth.bundle, synth.cdktf_out)
    refused = run_main(ROOT, synth.cdktf_out, synth.bundle, "-c", "regions=2")
    assert refused.returncode == 1
    assert refused.stderr == (
        f"error: --bundle {synth.bundle} holds Terraform state of a stack synthesized with regions=1; "
        "this synth has regions=2: choose another directory, or pass --replace-options to rewrite it\n"
    )
    assert snapshot(synth.bundle, synth.cdktf_out) == before
    replaced = run_main(ROOT, synth.cdktf_out, synth.bundle, "-c", "regions=2", "--replace-options")
    assert replaced.returncode == 0, replaced.stderr
    assert json.loads((synth.bundle / MANIFEST).read_text())["options"]["regions"] == "2"
    assert (synth.bundle / "terraform.tfstate").read_text() == json.dumps(state)


def test_an_error_in_stack_code_is_one_line_naming_the_log_with_its_traceback(tmp_path):
    project = checkout(tmp_path / "project")
    stack = project / "stacks" / "tap_stack.py"
    source = stack.read_text()
    marker = "        super().__init__(scope, STACK_NAME)\n"
    assert source.count(marker) == 1
    stack.write_text(source.replace(marker, marker + '        raise KeyError("no such region: mars-1")\n'))
    out, bundle = tmp_path / "out", tmp_path / "dist" / "tap_stack"
    result = run_main(project, out, bundle)
    log = project / ".tap" / "synth-error.log"
    assert (result.returncode, result.stderr) == (
        1,
        f"error: KeyError while synthesizing: 'no such region: mars-1' (traceback in {log}; --debug prints it)\n",
    )
    assert 'raise KeyError("no such region: mars-1")' in log.read_text()
    assert not bundle.exists() or [p.name for p in bundle.rglob("*")] == [".tapgen.lock"]

    debug = run_main(project, out, bundle, "--debug")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr and "mars-1" in debug.stderr


def test_a_bad_command_line_is_one_line():
    result = subprocess.run(
        [sys.executable, "main.py", "--no-such-flag"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (
        2,
        "error: unrecognized arguments: --no-such-flag (usage: main.py --help)\n",
    )


def test_main_outside_the_projects_environment_says_how_to_run_it():
    """Debian's Python without site packages (-S): none of the project's dependencies."""
    result = subprocess.run(
        ["/usr/bin/python3", "-S", "main.py"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stderr) == (
        1,
        "error: main.py runs in the project's environment (No module named 'jinja2'); "
        "run scripts/synth, which creates it, or .venv/bin/python main.py\n",
    )
