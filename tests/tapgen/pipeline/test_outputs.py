"""Output roots that people run Terraform in: only generated files change, atomically, under a lock."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from tapgen.pipeline import outputs
from tapgen.pipeline.outputs import LOCK, MANIFEST, OutputError, OutputRoot, OutputRun, forbidden_destinations
from tapgen.provenance import Provenance

USER_FILES = {
    "terraform.tfstate": '{"version": 4}',
    "terraform.tfstate.backup": '{"version": 4}',
    ".terraform.lock.hcl": "# lock",
    ".terraform/providers/marker": "provider",
    "prod.tfvars": 'environment = "prod"',
    "notes.md": "ops notes",
}


OPTIONS = {"regions": "1", "waf": "on", "cache": "none"}
WRITTEN_BY = Provenance("9.9.9", "0123456789abcdef0123456789abcdef01234567")
STATE_WITH_RESOURCES = json.dumps({"version": 4, "resources": [{"mode": "managed", "type": "aws_s3_bucket"}]})


def root(path: Path, label: str = "--bundle") -> OutputRoot:
    return OutputRoot(label, path.resolve(), "tap_stack.tf.json")


def write_tree(directory: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(text)


def tree(directory: Path) -> dict[str, str]:
    return {p.relative_to(directory).as_posix(): p.read_text() for p in sorted(directory.rglob("*")) if p.is_file()}


def generate(
    roots: list[OutputRoot], files: dict[str, str], forbidden=(), timeout=1.0, options=OPTIONS, replace=False
) -> None:
    with OutputRun(roots, forbidden, timeout, options, WRITTEN_BY, replace) as run:
        for output in roots:
            write_tree(run.staging(output.label), files)
        run.commit()


def test_a_new_root_gets_the_files_and_a_manifest(tmp_path):
    target = tmp_path / "dist" / "tap_stack"
    generate([root(target)], {"tap_stack.tf.json": "{}", "nested/a.zip": "zip"})
    assert tree(target) == {
        LOCK: "",
        MANIFEST: json.dumps(
            {
                "generator": outputs.GENERATOR,
                "version": WRITTEN_BY.version,
                "revision": WRITTEN_BY.revision,
                "options": OPTIONS,
                "files": ["nested/a.zip", "tap_stack.tf.json"],
            },
            indent=2,
        )
        + "\n",
        "nested/a.zip": "zip",
        "tap_stack.tf.json": "{}",
    }


def test_only_generated_files_change_and_everything_else_survives(tmp_path):
    target = tmp_path / "out"
    generate([root(target)], {"tap_stack.tf.json": "v1", "old.zip": "retired next run"})
    write_tree(target, USER_FILES)
    before = {name: (target / name).stat().st_mtime_ns for name in USER_FILES}
    generate([root(target)], {"tap_stack.tf.json": "v2"})
    current = tree(target)
    assert current["tap_stack.tf.json"] == "v2"
    assert "old.zip" not in current
    assert {name: current[name] for name in USER_FILES} == USER_FILES
    assert {name: (target / name).stat().st_mtime_ns for name in USER_FILES} == before
    assert json.loads(current[MANIFEST])["files"] == ["tap_stack.tf.json"]


def test_a_release_without_a_manifest_is_adopted_and_its_state_kept(tmp_path):
    target = tmp_path / "out"
    write_tree(target, {"tap_stack.tf.json": "old release", "README.md": "old", **USER_FILES})
    generate([root(target)], {"tap_stack.tf.json": "new", "README.md": "new"})
    current = tree(target)
    assert (current["tap_stack.tf.json"], current["README.md"]) == ("new", "new")
    assert {name: current[name] for name in USER_FILES} == USER_FILES


@pytest.mark.parametrize("where", ["checkout", "ancestor", "home"])
def test_the_checkout_its_ancestors_and_home_are_refused(tmp_path, where):
    checkout, home = tmp_path / "work" / "project", tmp_path / "home"
    write_tree(checkout, {"main.py": "code"})
    home.mkdir()
    target = {"checkout": checkout, "ancestor": tmp_path / "work", "home": home}[where]
    with pytest.raises(OutputError) as error:
        generate([root(target)], {"tap_stack.tf.json": "{}"}, forbidden_destinations(checkout, home))
    assert str(error.value) == (
        f"--bundle {target.resolve()} is the project checkout, one of its parents or $HOME; refusing it"
    )
    assert tree(checkout) == {"main.py": "code"}
    assert not any(home.iterdir())


def test_a_folder_of_other_files_is_refused_before_anything_is_written(tmp_path):
    other, new = tmp_path / "photos", tmp_path / "new"
    write_tree(other, {"cat.jpg": "meow"})
    with pytest.raises(OutputError) as error:
        generate([root(new), root(other, "--out")], {"tap_stack.tf.json": "{}"})
    assert str(error.value) == (
        f"--out {other.resolve()} holds files this generator did not write (no {MANIFEST}); "
        "choose a new or empty directory"
    )
    assert tree(other) == {"cat.jpg": "meow"}
    assert not new.exists()


def test_a_file_is_not_a_destination(tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(OutputError, match=r"^--bundle .*/file is not a directory; refusing it$"):
        generate([root(target)], {"tap_stack.tf.json": "{}"})


def test_a_generated_name_never_overwrites_a_user_file(tmp_path):
    target = tmp_path / "out"
    generate([root(target)], {"tap_stack.tf.json": "v1"})
    (target / "extra.tf.json").write_text("mine")
    with pytest.raises(OutputError) as error:
        generate([root(target)], {"tap_stack.tf.json": "v2", "extra.tf.json": "generated"})
    assert str(error.value) == f"--bundle {target / 'extra.tf.json'} exists and was not written by this generator"
    assert (target / "extra.tf.json").read_text() == "mine"
    assert (target / "tap_stack.tf.json").read_text() == "v1"


def test_a_failure_while_staging_changes_nothing(tmp_path):
    target = tmp_path / "out"
    generate([root(target)], {"tap_stack.tf.json": "v1"})
    before = tree(target)
    with pytest.raises(RuntimeError), OutputRun([root(target)], (), 1.0, OPTIONS, WRITTEN_BY) as run:
        write_tree(run.staging("--bundle"), {"tap_stack.tf.json": "half"})
        raise RuntimeError("synth failed")
    assert tree(target) == before


def test_both_roots_change_together_or_not_at_all(tmp_path, monkeypatch):
    first, second = root(tmp_path / "a", "--out"), root(tmp_path / "b")
    generate([first, second], {"tap_stack.tf.json": "v1", "x.zip": "v1"})
    before = (tree(first.path), tree(second.path))
    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(target)
        if Path(target) == second.path / "x.zip" and calls.count(target) == 1:
            raise OSError(28, "No space left on device")
        real_replace(source, target)

    monkeypatch.setattr(outputs.os, "replace", failing_replace)
    with pytest.raises(OutputError) as error:
        generate([first, second], {"tap_stack.tf.json": "v2", "x.zip": "v2"})
    monkeypatch.undo()
    assert str(error.value).startswith("cannot write the outputs ([Errno 28] No space left on device)")
    assert str(error.value).endswith("the previous outputs are unchanged")
    assert first.path / "tap_stack.tf.json" in calls  # the first root was swapped, then restored
    assert (tree(first.path), tree(second.path)) == before


def test_a_second_run_waits_for_the_lock_then_fails_with_one_line(tmp_path):
    target = tmp_path / "out"
    generate([root(target)], {"tap_stack.tf.json": "v1"})
    with open(target / LOCK, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(OutputError) as error:
            generate([root(target)], {"tap_stack.tf.json": "v2"}, timeout=0.3)
    assert str(error.value) == (
        f"--bundle {target.resolve()} is being written by another synth (lock {LOCK}); "
        "waited 0.3 s, try again when it has finished"
    )
    assert (target / "tap_stack.tf.json").read_text() == "v1"


def test_leftovers_of_a_killed_run_are_removed(tmp_path):
    target = tmp_path / "dist" / "tap_stack"
    generate([root(target)], {"tap_stack.tf.json": "v1"})
    write_tree(target, {".tapgen-staging-4242/tap_stack.tf.json": "half"})
    write_tree(tmp_path / "dist", {".tap_stack.k2j4_x9a/README.md": "half", ".tap_stack.old.abcd1234/x": "old"})
    write_tree(tmp_path / "dist", {".tap_stack.notes/keep": "not a staging name"})
    generate([root(target)], {"tap_stack.tf.json": "v2"})
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [".tap_stack.notes", "tap_stack"]
    assert sorted(p.name for p in target.iterdir()) == sorted([LOCK, MANIFEST, "tap_stack.tf.json"])


def test_manifest_entries_outside_the_root_are_never_touched(tmp_path):
    target = tmp_path / "out"
    generate([root(target)], {"tap_stack.tf.json": "v1"})
    (tmp_path / "precious").write_text("keep")
    (target / MANIFEST).write_text(json.dumps({"files": ["../precious", "/etc/hosts", "tap_stack.tf.json"]}))
    generate([root(target)], {"tap_stack.tf.json": "v2"})
    assert (tmp_path / "precious").read_text() == "keep"
    assert (target / "tap_stack.tf.json").read_text() == "v2"


def test_the_manifest_records_the_options(tmp_path):
    target = tmp_path / "bundle"
    generate([root(target)], {"tap_stack.tf.json": "{}"})
    assert json.loads((target / MANIFEST).read_text())["options"] == OPTIONS


@pytest.mark.parametrize(
    "state",
    {
        "terraform.tfstate": STATE_WITH_RESOURCES,
        "stacks/tap_stack/terraform.tfstate": STATE_WITH_RESOURCES,
        ".terraform/terraform.tfstate": '{"backend": {"type": "s3"}}',
        "terraform.tfstate.d/prod/terraform.tfstate": STATE_WITH_RESOURCES,
    }.items(),
    ids=["local state", "cdktf state", "remote backend", "workspace state"],
)
def test_a_root_holding_state_keeps_its_options_unless_told(tmp_path, state):
    target = tmp_path / "bundle"
    generate([root(target)], {"tap_stack.tf.json": "{}"})
    write_tree(target, dict([state]))
    before = tree(target)
    other = {**OPTIONS, "regions": "3", "cache": "dax"}
    with pytest.raises(OutputError) as raised:
        generate([root(target)], {"tap_stack.tf.json": '{"regions": 3}'}, options=other)
    assert str(raised.value) == (
        f"--bundle {target.resolve()} holds Terraform state of a stack synthesized with cache=none, regions=1; "
        "this synth has cache=dax, regions=3: choose another directory, or pass --replace-options to rewrite it"
    )
    assert tree(target) == before
    generate([root(target)], {"tap_stack.tf.json": '{"regions": 3}'}, options=other, replace=True)
    assert tree(target)["tap_stack.tf.json"] == '{"regions": 3}'
    assert json.loads(tree(target)[MANIFEST])["options"] == other


@pytest.mark.parametrize(
    ("state", "manifest_options"),
    [
        ({}, True),  # no state
        ({"terraform.tfstate": json.dumps({"version": 4, "resources": []})}, True),  # destroyed
        ({"terraform.tfstate": STATE_WITH_RESOURCES}, False),  # a release that recorded no options
        ({".terraform/terraform.tfstate": '{"backend": {"type": "local"}}'}, True),  # initialised, local
    ],
    ids=["no state", "empty state", "no recorded options", "local backend initialised"],
)
def test_other_options_are_written_where_no_state_depends_on_them(tmp_path, state, manifest_options):
    target = tmp_path / "bundle"
    generate([root(target)], {"tap_stack.tf.json": "{}"})
    if not manifest_options:
        (target / MANIFEST).write_text(json.dumps({"files": ["tap_stack.tf.json"]}))
    write_tree(target, state)
    generate([root(target)], {"tap_stack.tf.json": '{"regions": 3}'}, options={**OPTIONS, "regions": "3"})
    assert tree(target)["tap_stack.tf.json"] == '{"regions": 3}'


def test_state_of_an_environment_root_inside_is_not_the_outer_roots(tmp_path):
    """`cdktf.out/dev` is an output root of its own inside `cdktf.out`: dev's state never binds the
    default tree's options, nor the default tree's state dev's."""
    outer, inner = tmp_path / "cdktf.out", tmp_path / "cdktf.out" / "dev"
    generate([root(outer, "--out")], {"tap_stack.tf.json": "{}"})
    generate([root(inner, "--out")], {"tap_stack.tf.json": "{}"})
    write_tree(inner, {"stacks/tap_stack/terraform.tfstate": STATE_WITH_RESOURCES})
    other = {**OPTIONS, "regions": "3"}
    generate([root(outer, "--out")], {"tap_stack.tf.json": '{"regions": 3}'}, options=other)
    assert json.loads(tree(outer)[MANIFEST])["options"] == other
    with pytest.raises(OutputError, match="holds Terraform state"):
        generate([root(inner, "--out")], {"tap_stack.tf.json": '{"regions": 3}'}, options=other)
