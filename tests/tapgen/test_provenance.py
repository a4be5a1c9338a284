"""The source revision an output records, in real git work trees."""

import subprocess
from pathlib import Path

import pytest

from tapgen.provenance import DIRTY_SUFFIX, UNKNOWN_REVISION, VERSION, provenance, source_revision


def git(directory: Path, *args: str) -> str:
    identity = ("-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false")
    result = subprocess.run(["git", *identity, *args], cwd=directory, capture_output=True, text=True, check=True)
    return result.stdout.strip()


@pytest.fixture
def repository(tmp_path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "main.py").write_text("print(1)\n")
    git(tmp_path, "add", "main.py")
    git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def test_a_clean_checkout_records_its_commit(repository):
    assert source_revision(repository) == git(repository, "rev-parse", "HEAD")
    assert provenance(repository).version == VERSION


def test_a_changed_tracked_file_marks_the_revision_dirty(repository):
    (repository / "main.py").write_text("print(2)\n")
    assert source_revision(repository) == git(repository, "rev-parse", "HEAD") + DIRTY_SUFFIX


def test_untracked_files_such_as_outputs_leave_it_clean(repository):
    (repository / "dist").mkdir()
    (repository / "dist" / "tap_stack.tf.json").write_text("{}")
    assert source_revision(repository) == git(repository, "rev-parse", "HEAD")


def test_a_tree_outside_git_or_inside_another_repository_is_unknown(repository, tmp_path_factory):
    assert source_revision(tmp_path_factory.mktemp("exported")) == UNKNOWN_REVISION
    (repository / "vendored").mkdir()
    assert source_revision(repository / "vendored") == UNKNOWN_REVISION
