"""Output directories that people also run Terraform in.

Each output root (the cdktf output tree, the hand-off bundle) records the files the generator
wrote in a manifest. A run replaces exactly those files, removes the ones it no longer writes, and
never touches anything else there: `terraform.tfstate*`, `.terraform/`, `.terraform.lock.hcl`,
tfvars files and a user's notes survive every synth.

A run (`OutputRun`) goes like this:
1. every destination is checked before anything is written: it must be new, empty, or an output
   root of this generator (a manifest, or the layout of a release from before manifests), and it
   must not be the checkout, one of its ancestors, or the home directory;
2. each root is locked for the whole run (a second run waits, then fails with one line), and the
   staging leftovers of a killed run are removed;
3. the caller writes the complete new contents into one staging directory per root;
4. `commit` moves the old generated files aside, moves the new ones in, and writes the manifests;
   if any step fails, everything moved is put back, so both roots change together or not at all.

Each manifest also records the synth-time options the root was written with. A root that holds
Terraform state (a local `terraform.tfstate` with resources, or a working directory bound to a
remote backend) is never rewritten with other options unless the caller says so
(`replace_options`): a plan there would propose destroying what the other options deployed.
A manifest from before options were recorded proves nothing either way, so it does not stop a run.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from tapgen.progress import say
from tapgen.provenance import Provenance

MANIFEST = ".tapgen-manifest.json"
LOCK = ".tapgen.lock"
STAGING_PREFIX = ".tapgen-staging-"
GENERATOR = "tap-stack-generator"
# Staging directories of releases before manifests: `.<root name>.<mkdtemp suffix>` beside the root.
_LEGACY_STAGING = re.compile(r"^\.(?:cdktf\.out|tap_stack)\.(?:old\.)?[A-Za-z0-9_]{8}$")


class OutputError(RuntimeError):
    """An output directory cannot be used or written; the message names the path."""


@dataclass(frozen=True)
class OutputRoot:
    """One output directory. `legacy_marker` is a file that only this generator's older releases
    left there without a manifest; finding it makes the directory ours."""

    label: str
    path: Path
    legacy_marker: str


def forbidden_destinations(checkout: Path, home: Path | None) -> tuple[Path, ...]:
    """Directories that are never an output root: the checkout and its ancestors, and `$HOME`."""
    places = [checkout.resolve(), *checkout.resolve().parents]
    if home is not None:
        places.append(home.resolve())
    return tuple(places)


def check_destination(root: OutputRoot, forbidden: Iterable[Path]) -> None:
    """Refuse a destination that is not generator-owned, naming it and why."""
    path = root.path
    if path in set(forbidden):
        raise OutputError(f"{root.label} {path} is the project checkout, one of its parents or $HOME; refusing it")
    if not path.exists():
        return
    if not path.is_dir():
        raise OutputError(f"{root.label} {path} is not a directory; refusing it")
    if _owned(root) or all(_is_ours(entry.name) for entry in path.iterdir()):
        return
    raise OutputError(
        f"{root.label} {path} holds files this generator did not write (no {MANIFEST}); choose a new or empty directory"
    )


def _is_ours(name: str) -> bool:
    """The lock and the staging directories: present in a root before its first commit."""
    return name == LOCK or name.startswith(STAGING_PREFIX)


def _owned(root: OutputRoot) -> bool:
    return (root.path / MANIFEST).is_file() or (root.path / root.legacy_marker).is_file()


def holds_state(path: Path) -> bool:
    """Whether Terraform keeps state for a configuration below `path`: a local state with resources,
    or a working directory initialised with a backend that keeps it elsewhere (`terraform init`
    records the backend in `.terraform/terraform.tfstate`). Anything unreadable counts. State in
    another output root below `path` (an environment's `cdktf.out/<name>`) is that root's."""
    for state in path.rglob("terraform.tfstate"):
        if _in_nested_root(path, state):
            continue
        try:
            content = json.loads(state.read_text(encoding="utf-8"))
            remote = state.parent.name == ".terraform" and content.get("backend", {}).get("type") != "local"
            if remote or (state.parent.name != ".terraform" and content.get("resources")):
                return True
        except (OSError, ValueError, AttributeError):
            return True
    return False


def _in_nested_root(root: Path, file: Path) -> bool:
    return any((folder / MANIFEST).is_file() for folder in file.parents if folder != root and root in folder.parents)


def recorded_options(root: OutputRoot) -> dict[str, str] | None:
    """The options in the root's manifest; None when it records none (a new root, or an older release's)."""
    try:
        options = json.loads((root.path / MANIFEST).read_text(encoding="utf-8")).get("options")
    except (OSError, ValueError, AttributeError):
        return None
    return options if isinstance(options, dict) else None


def check_options(root: OutputRoot, options: Mapping[str, str]) -> None:
    """Refuse to rewrite a root holding state with options other than those it was written with."""
    recorded = recorded_options(root)
    if recorded is None or recorded == dict(options) or not holds_state(root.path):
        return
    differing = {k for k in set(recorded) | set(options) if recorded.get(k) != options.get(k)}
    changed = sorted(differing, key=lambda k: (k not in options, k))
    before = ", ".join(f"{k}={recorded.get(k, '')}" for k in changed)
    after = ", ".join(f"{k}={options.get(k, '')}" for k in changed)
    raise OutputError(
        f"{root.label} {root.path} holds Terraform state of a stack synthesized with {before}; "
        f"this synth has {after}: choose another directory, or pass --replace-options to rewrite it"
    )


def generated_files(root: OutputRoot, new_files: Iterable[str]) -> set[str]:
    """What the previous run wrote here: the manifest's list, or (before manifests) today's names."""
    manifest = root.path / MANIFEST
    if not manifest.is_file():
        return {name for name in new_files if (root.path / name).is_file()}
    try:
        files = json.loads(manifest.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise OutputError(f"{root.label} {manifest} is unreadable ({error}); remove it to start over") from error
    return {name for name in files if _is_inside(name) and (root.path / name).is_file()}


def _is_inside(relative: object) -> bool:
    """A manifest entry names a file below the root, never `..` or an absolute path."""
    if not isinstance(relative, str) or not relative:
        return False
    parts = Path(relative).parts
    return not Path(relative).is_absolute() and ".." not in parts and MANIFEST not in parts


@contextmanager
def _locked(path: Path, label: str, timeout: float) -> Iterator[None]:
    """An exclusive lock on `path` for the duration of the block, waiting at most `timeout` s."""
    with open(path, "a+b") as handle:
        deadline, waited = time.monotonic() + timeout, False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    say(f"waiting for another synth writing {path.parent} (lock {path.name}, up to {timeout:g} s)")
                    waited = True
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"{label} {path.parent} is being written by another synth (lock {path.name}); "
                        f"waited {timeout:g} s, try again when it has finished"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(root: Path) -> None:
    """Staging directories of runs that were killed; safe to remove while we hold the lock."""
    for leftover in root.glob(f"{STAGING_PREFIX}*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if root.parent.is_dir():
        for leftover in root.parent.iterdir():
            if leftover.is_dir() and _LEGACY_STAGING.match(leftover.name):
                shutil.rmtree(leftover, ignore_errors=True)


def _files_below(directory: Path) -> list[str]:
    return sorted(p.relative_to(directory).as_posix() for p in directory.rglob("*") if p.is_file())


class OutputRun:
    """Stage, then commit, the contents of several output roots at once (see the module doc)."""

    def __init__(
        self,
        roots: Iterable[OutputRoot],
        forbidden: Iterable[Path],
        lock_timeout: float,
        options: Mapping[str, str],
        written_by: Provenance,
        replace_options: bool = False,
    ) -> None:
        self.roots = sorted(roots, key=lambda root: str(root.path))
        self.forbidden = tuple(forbidden)
        self.lock_timeout = lock_timeout
        self.options = dict(options)
        self.written_by = written_by
        self.replace_options = replace_options
        self._staging: dict[str, Path] = {}
        self._stack = ExitStack()

    def __enter__(self) -> OutputRun:
        for root in self.roots:
            check_destination(root, self.forbidden)
        try:
            for root in self.roots:
                self._open(root)
        except BaseException:
            self._stack.close()
            raise
        return self

    def _open(self, root: OutputRoot) -> None:
        try:
            root.path.mkdir(parents=True, exist_ok=True)
            self._stack.enter_context(_locked(root.path / LOCK, root.label, self.lock_timeout))
            check_destination(root, self.forbidden)  # again: another run may have changed it meanwhile
            if not self.replace_options:
                check_options(root, self.options)
            _remove_leftovers(root.path)
            staging = root.path / f"{STAGING_PREFIX}{os.getpid()}"
            staging.mkdir()
        except OSError as error:
            raise OutputError(f"{root.label} {root.path} cannot be written ({error.strerror or error})") from error
        self._stack.callback(shutil.rmtree, staging, ignore_errors=True)
        self._staging[root.label] = staging

    def __exit__(self, *exc_info: object) -> None:
        self._stack.close()

    def staging(self, label: str) -> Path:
        """The empty directory where the new contents of the root named `label` are written."""
        return self._staging[label]

    def commit(self) -> None:
        """Swap the staged contents in; on any failure, restore every file moved so far."""
        plans = [self._plan(root) for root in self.roots]
        moves: list[tuple[Path, Path]] = []
        try:
            for plan in plans:
                plan.execute(moves)
        except OSError as error:
            for source, target in reversed(moves):
                os.replace(target, source)
            raise OutputError(f"cannot write the outputs ({error}); the previous outputs are unchanged") from error
        for plan in plans:
            plan.prune()

    def _plan(self, root: OutputRoot) -> _Swap:
        staging = self._staging[root.label]
        new_files = _files_below(staging)
        old_files = generated_files(root, new_files)
        for name in new_files:
            if name not in old_files and (root.path / name).exists():
                raise OutputError(f"{root.label} {root.path / name} exists and was not written by this generator")
        (staging / MANIFEST).write_text(_manifest(new_files, self.options, self.written_by), encoding="utf-8")
        retired = staging.with_name(staging.name + "-retired")
        self._stack.callback(shutil.rmtree, retired, ignore_errors=True)
        return _Swap(root.path, staging, retired, old_files, [*new_files, MANIFEST])


@dataclass(frozen=True)
class _Swap:
    """The moves that replace one root's generated files: old ones aside, new ones in."""

    root: Path
    staging: Path
    retired: Path
    old_files: set[str]
    new_files: list[str]

    def execute(self, moves: list[tuple[Path, Path]]) -> None:
        retire = set(self.old_files)
        if (self.root / MANIFEST).exists():
            retire.add(MANIFEST)
        for name in sorted(retire):
            _move(self.root / name, self.retired / name, moves)
        for name in self.new_files:
            _move(self.staging / name, self.root / name, moves)

    def prune(self) -> None:
        for name in sorted(self.old_files - set(self.new_files)):
            _prune_empty_parents(self.root / name, self.root)


def _move(source: Path, target: Path, moves: list[tuple[Path, Path]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    moves.append((source, target))


def _prune_empty_parents(removed: Path, root: Path) -> None:
    for parent in removed.parents:
        if parent == root or not parent.is_dir() or any(parent.iterdir()):
            return
        parent.rmdir()


def _manifest(files: list[str], options: Mapping[str, str], written_by: Provenance) -> str:
    manifest = {
        "generator": GENERATOR,
        "version": written_by.version,
        "revision": written_by.revision,
        "options": dict(options),
        "files": files,
    }
    return json.dumps(manifest, indent=2) + "\n"
