"""Progress lines (tapgen/progress.py): on a terminal or when asked, one line per long step."""

import fcntl
import os
import subprocess

import pytest

from tapgen import progress
from tapgen.pipeline import outputs
from tests.project import ROOT


@pytest.mark.parametrize(("asked", "shown"), [("1", True), ("0", False), ("", False)])
def test_asked_for_or_not_when_stderr_is_no_terminal(monkeypatch, capsys, asked, shown):
    monkeypatch.setenv(progress.PROGRESS_ENV, asked)
    progress.say("installing")
    assert capsys.readouterr().err == ("installing\n" if shown else "")


def test_waiting_for_another_synths_lock_says_so_once(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(progress.PROGRESS_ENV, "1")
    lock = tmp_path / outputs.LOCK
    with open(lock, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(outputs.OutputError), outputs._locked(lock, "--bundle", 0.5):
            pass
    said = capsys.readouterr().err
    assert said == f"waiting for another synth writing {tmp_path} (lock {outputs.LOCK}, up to 0.5 s)\n"


@pytest.mark.parametrize(("asked", "shown"), [("1", True), ("0", False), ("", False)])
def test_the_scripts_say_the_same_way(asked, shown):
    """scripts/bootstrap.sh's `progress`, which announces first-run installs."""
    result = subprocess.run(
        ["bash", "-c", "source scripts/bootstrap.sh && progress installing"],
        cwd=ROOT,
        env={**os.environ, progress.PROGRESS_ENV: asked},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stderr == ("installing\n" if shown else "")
