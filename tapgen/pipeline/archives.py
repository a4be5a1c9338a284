"""Deterministic Lambda and canary archives.

`cdktf.TerraformAsset` is not reproducible (zip entries carry file mtimes, and its hash ignores
file names), so the archives are built here: sorted entries, a fixed timestamp, fixed modes and
no compression (deflate output depends on the zlib build, stored bytes do not). A source folder
or a shared folder it includes may declare pinned runtime dependencies in `requirements.txt`
(`name==version --hash=sha256:...`); their pure-Python wheels are vendored the same way.

A pin whose hash is that of a source distribution (for a project that publishes no wheel) is
built into a wheel once: the sdist is downloaded and verified by pip against the pinned hashes,
then built by `pip wheel` with no index, from the verified wheels of `build-constraints.txt` alone
(same syntax; pip 23 cannot take hashes in a constraints file, since they switch its build
environment into hash-checking mode, which rejects the backend's unpinned `setuptools>=40.8.0`).
The built wheel is cached under a key of the sdist's digest and the build constraints, so a new
pin or constraint never reuses an old build. Only file contents enter an archive, and a build
from the same inputs gives the same contents, so the archive's bytes do not depend on where it
was built. Downloading the sdist makes pip prepare its metadata, and that one step takes the
pinned build requirements from the index by version (pip only verifies the sdist there).
"""

from __future__ import annotations

import base64
import calendar
import fnmatch
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from tapgen.progress import say

REQUIREMENTS_FILE = "requirements.txt"
RUNTIME_PYTHON = "3.13"  # the Lambda runtime; modules/api_function.py derives its runtime from it
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
# A wheel built from an sdist takes its entries' timestamps from here, so its bytes are reproducible too.
FIXED_EPOCH = calendar.timegm((*FIXED_TIMESTAMP, 0, 0, 0))
BUILD_CONSTRAINTS = Path(__file__).with_name("build-constraints.txt")
SDIST_SUFFIXES = (".tar.gz", ".zip")
# Ask for the portable wheel explicitly: without these, pip prefers this machine's build.
WHEEL_DOWNLOAD = ("--only-binary=:all:", "--platform", "any", "--implementation", "py", "--abi", "none")
WHEEL_DOWNLOAD += ("--python-version", RUNTIME_PYTHON)
SDIST_DOWNLOAD = ("--no-binary=:all:",)
FILE_MODE = 0o100644
# Anything that is not runtime source: bytecode, caches, tests, hidden files, the dependency list.
EXCLUDED_NAMES = ("__pycache__", "*.pyc", "*.pyo", ".*", "tests", "test_*.py", "*_test.py", "conftest.py")
# Hex digits of the SHA-256 in a content-addressed file name (64 bits: no accidental collision).
CONTENT_ADDRESS_HEX = 16

_PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.+!_-]+)$")
_HASH = re.compile(r"^--hash=sha256:(?P<digest>[0-9a-f]{64})$")


class ArchiveError(ValueError):
    """An archive cannot be built; the message names the file and the problem."""


@dataclass(frozen=True)
class ArchiveSpec:
    """One archive: its file name, its `lambda_src` folder, shared folders merged into it, and
    the path prefix of every entry. A `content_addressed` archive is written as
    `<stem>-<first 16 hex of its SHA-256>.<extension>` instead of `filename`."""

    filename: str
    source: str
    includes: tuple[str, ...] = ()
    prefix: str = ""
    content_addressed: bool = False


@dataclass(frozen=True)
class BuiltArchive:
    """An archive's bytes, file name and `source_code_hash` (base64 of the SHA-256 of its bytes)."""

    filename: str
    source_code_hash: str
    content: bytes = field(repr=False)


# Synthetics Python canaries load their handler from `python/` inside the zip. A canary has no
# `source_code_hash`: Terraform sees only its `zip_file` path, so new code under the same name
# would never be deployed; a content-addressed name makes every code change a diff. Functions
# keep their fixed names (the naming contract, tapgen/naming.py), since their `source_code_hash` already carries the
# content. The rotation function needs no HTTP plumbing: it declares its own (smaller)
# requirements instead of `shared`.
ARCHIVES = (
    ArchiveSpec("function.zip", "crud", includes=("shared",)),
    ArchiveSpec("health.zip", "health", includes=("shared",)),
    ArchiveSpec("canary.zip", "canary", prefix="python/", content_addressed=True),
    ArchiveSpec("rotation.zip", "rotation"),
)


@dataclass(frozen=True)
class Requirement:
    name: str
    version: str
    sha256: frozenset[str]

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"

    @property
    def distribution(self) -> str:
        """The project name as distribution file names spell it (PEP 427 normalisation)."""
        return _distribution(self.name)

    @property
    def wheel_stem(self) -> str:
        """The file-name prefix of this release's wheels."""
        return f"{self.distribution}-{self.version}-"

    @property
    def hashed_line(self) -> str:
        """This pin as a pip requirement line, so that pip checks what it downloads against the hashes."""
        return " ".join([self.pin, *(f"--hash=sha256:{digest}" for digest in sorted(self.sha256))])

    def names_sdist(self, path: Path) -> bool:
        """Whether `path` is named as this release's sdist (old sdists keep the project's own spelling)."""
        suffix = next((s for s in SDIST_SUFFIXES if path.name.lower().endswith(s)), None)
        if suffix is None:
            return False
        name, _, version = path.name[: -len(suffix)].rpartition("-")
        return _distribution(name) == self.distribution and version == self.version


def _distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def parse_requirements(path: Path) -> list[Requirement]:
    """Pinned, hashed requirements; anything looser is an error naming the line."""
    text = path.read_text(encoding="utf-8").replace("\\\n", " ")
    requirements = []
    for number, line in enumerate(text.splitlines(), start=1):
        tokens = line.split("#", 1)[0].split()
        if not tokens:
            continue
        pinned = _PINNED.match(tokens[0])
        if not pinned:
            raise ArchiveError(f"{path}:{number}: {tokens[0]!r} is not allowed; expected a pin such as name==1.2.3")
        digests = frozenset(_hash_digest(path, number, token) for token in tokens[1:])
        if not digests:
            raise ArchiveError(f"{path}:{number}: {tokens[0]} has no --hash=sha256:<64 hex>; every pin needs one")
        requirements.append(Requirement(pinned["name"], pinned["version"], digests))
    return requirements


def _hash_digest(path: Path, number: int, token: str) -> str:
    match = _HASH.match(token)
    if not match:
        raise ArchiveError(f"{path}:{number}: {token!r} is not allowed; expected --hash=sha256:<64 hex>")
    return match["digest"]


class WheelCache:
    """Pure-Python wheels by pinned requirement, verified by hash: downloaded once with pip, or built
    once from a pinned sdist with the pinned build requirements of `build_constraints`."""

    def __init__(self, directory: Path, build_constraints: Path = BUILD_CONSTRAINTS) -> None:
        self.directory = directory
        self.build_constraints = build_constraints

    @classmethod
    def default(cls) -> WheelCache:
        root = os.environ.get("TAP_WHEEL_CACHE") or Path.home() / ".cache" / "tap-stack" / "wheels"
        return cls(Path(root))

    def wheel(self, requirement: Requirement) -> Path:
        found = (
            self._cached(requirement)
            or self._built(requirement)
            or self._built_from_cached_sdist(requirement)
            or self._fetch(requirement)
        )
        if not found.name.endswith("-none-any.whl"):
            raise ArchiveError(f"{found.name}: not a pure-Python wheel (py3-none-any); archives must stay portable")
        return found

    def _cached(self, requirement: Requirement) -> Path | None:
        return _matching(
            self.directory,
            requirement,
            lambda path: path.suffix == ".whl" and path.name.lower().startswith(requirement.wheel_stem),
        )

    def _cached_sdist(self, requirement: Requirement) -> Path | None:
        return _matching(self.directory, requirement, requirement.names_sdist)

    def _built_from_cached_sdist(self, requirement: Requirement) -> Path | None:
        sdist = self._cached_sdist(requirement)
        return None if sdist is None else self._build(requirement, sdist)

    def _built(self, requirement: Requirement) -> Path | None:
        built = (
            wheel for digest in sorted(requirement.sha256) for wheel in self._build_directory(digest).glob("*.whl")
        )
        return next(built, None)

    def _build_directory(self, sdist_digest: str) -> Path:
        """Where the wheel built from this sdist under the current build constraints is kept."""
        key = hashlib.sha256(f"{sdist_digest}\n".encode("ascii") + self.build_constraints.read_bytes()).hexdigest()
        return self.directory / "built" / key

    def _fetch(self, requirement: Requirement) -> Path:
        """The pinned wheel if a pinned hash is a wheel's, else the wheel built from the pinned sdist."""
        wheel_failure = self._download(requirement, WHEEL_DOWNLOAD)
        found = self._cached(requirement)
        if found is not None:
            return found
        sdist_failure = self._download(requirement, SDIST_DOWNLOAD)
        found = self._built_from_cached_sdist(requirement)
        if found is not None:
            return found
        if wheel_failure and sdist_failure:
            raise ArchiveError(
                f"{requirement.pin}: pip download failed (wheel: {wheel_failure}; sdist: {sdist_failure})"
            )
        raise ArchiveError(f"{requirement.pin}: no downloaded wheel or sdist matches the pinned sha256 hashes")

    def _download(self, requirement: Requirement, options: tuple[str, ...]) -> str:
        """pip's error output, or "" on success. pip is given the pinned hashes, so that it verifies an
        sdist before it runs the sdist's build code to read its metadata."""
        kind = "wheel" if options == WHEEL_DOWNLOAD else "sdist"
        say(f"downloading {requirement.pin} ({kind}) into {self.directory}")
        self.directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            pinned = _write(Path(scratch) / REQUIREMENTS_FILE, [requirement.hashed_line])
            command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", *options]
            command += ["--dest", str(self.directory), "--requirement", str(pinned)]
            env = dict(os.environ)
            if options == SDIST_DOWNLOAD:  # its metadata is built, which must not take today's setuptools
                env["PIP_CONSTRAINT"] = str(self._pip_constraints(Path(scratch)))
            result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        return result.stderr.strip() if result.returncode else ""

    def _pip_constraints(self, directory: Path) -> Path:
        """The build constraints as pip can take them: exact pins without hashes."""
        return _write(directory / "constraints.txt", [r.pin for r in parse_requirements(self.build_constraints)])

    def _build(self, requirement: Requirement, sdist: Path) -> Path:
        """Build `sdist` offline with the verified build requirements alone, and cache the wheel."""
        say(f"building a wheel of {requirement.pin} from its sdist (once; cached in {self.directory})")
        target = self._build_directory(_sha256(sdist))
        with tempfile.TemporaryDirectory(dir=self.directory) as scratch:
            _publish(self._pip_wheel(requirement, sdist, Path(scratch)), target)
        return next(target.glob("*.whl"))

    def _pip_wheel(self, requirement: Requirement, sdist: Path, scratch: Path) -> Path:
        """The folder, in `scratch`, of the wheel pip built from `sdist`. pip checks the sdist's hash again."""
        pinned = _write(scratch / REQUIREMENTS_FILE, [f"{sdist} --hash=sha256:{_sha256(sdist)}"])
        links = self._build_requirement_wheels(scratch / "links")
        built = scratch / "wheel"
        # PEP 517 in an isolated environment of the pinned wheels alone, whatever pip: without it pip
        # before 23.1 runs an sdist without pyproject.toml through `setup.py bdist_wheel` with the
        # environment's own setuptools, which may lack `bdist_wheel`.
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--use-pep517", "--no-index"]
        command += ["--find-links", str(links), "--wheel-dir", str(built), "--requirement", str(pinned)]
        environment = self._build_environment(scratch)
        result = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        if result.returncode != 0:
            raise ArchiveError(f"{requirement.pin}: building a wheel from {sdist.name} failed: {result.stderr.strip()}")
        return built

    def _build_requirement_wheels(self, links: Path) -> Path:
        """A folder holding only the verified wheels of the build constraints (never built from an
        sdist themselves: building setuptools needs setuptools)."""
        links.mkdir()
        for build_requirement in parse_requirements(self.build_constraints):
            found = self._cached(build_requirement)
            failure = "" if found else self._download(build_requirement, WHEEL_DOWNLOAD)
            found = found or self._cached(build_requirement)
            if found is None:
                raise ArchiveError(
                    f"{self.build_constraints}: {build_requirement.pin}: no wheel matches the pinned sha256 hashes"
                    + (f" (pip download failed: {failure})" if failure else "")
                )
            shutil.copy(found, links)
        return links

    def _build_environment(self, scratch: Path) -> dict[str, str]:
        """This process's environment without any pip settings or configuration file, so the build sees
        only the pinned build requirements, and with a fixed SOURCE_DATE_EPOCH for reproducible wheel bytes."""
        environment = {name: value for name, value in os.environ.items() if not name.startswith("PIP_")}
        environment["PIP_CONFIG_FILE"] = os.devnull
        environment["PIP_CONSTRAINT"] = str(self._pip_constraints(scratch))
        environment["SOURCE_DATE_EPOCH"] = str(FIXED_EPOCH)
        return environment


def _matching(directory: Path, requirement: Requirement, named: Callable[[Path], bool]) -> Path | None:
    """The file of `directory` that is named for `requirement` and has one of its pinned hashes."""
    if not directory.is_dir():
        return None
    for candidate in sorted(directory.iterdir()):
        if candidate.is_file() and named(candidate) and _sha256(candidate) in requirement.sha256:
            return candidate
    return None


def _publish(built: Path, target: Path) -> None:
    """Rename a finished build into the cache whole, so that an interrupted build never leaves half of
    one there. A concurrent build of the same key that finished first is kept: it has the same content."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(built, target)
    except OSError:
        if not any(target.glob("*.whl")):
            raise


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _excluded(parts: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in parts for pattern in EXCLUDED_NAMES)


def source_files(source_dir: Path) -> Iterator[tuple[str, bytes]]:
    """(archive path, content) of every runtime source file below `source_dir`."""
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if path.is_dir() or _excluded(relative.parts) or relative.as_posix() == REQUIREMENTS_FILE:
            continue
        yield relative.as_posix(), path.read_bytes()


def wheel_files(wheel: Path) -> Iterator[tuple[str, bytes]]:
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.is_dir() or _excluded(PurePosixPath(info.filename).parts):
                continue
            yield info.filename, archive.read(info)


def archive_bytes(
    source_dir: Path, prefix: str = "", wheels: WheelCache | None = None, includes: tuple[Path, ...] = ()
) -> bytes:
    """The zip of a source folder, the shared folders it includes and its declared wheels,
    identical for identical content."""
    for folder in (source_dir, *includes):
        if not folder.is_dir():
            raise ArchiveError(f"{folder}: source folder does not exist")
    entries: dict[str, bytes] = {}
    for name, content in _all_files(source_dir, wheels, includes):
        if name in entries:
            raise ArchiveError(f"{source_dir}: {name!r} comes from more than one source folder or wheel")
        entries[name] = content
    if not entries:
        raise ArchiveError(f"{source_dir}: no source files to package")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(prefix + name, date_time=FIXED_TIMESTAMP)
            info.create_system = 3
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def _all_files(source_dir: Path, wheels: WheelCache | None, includes: tuple[Path, ...]) -> Iterator[tuple[str, bytes]]:
    folders = (source_dir, *includes)
    for folder in folders:
        yield from source_files(folder)
    requirements = {
        requirement
        for folder in folders
        if (folder / REQUIREMENTS_FILE).is_file()
        for requirement in parse_requirements(folder / REQUIREMENTS_FILE)
    }
    cache = wheels or WheelCache.default()
    for requirement in sorted(requirements, key=lambda r: r.name):
        yield from wheel_files(cache.wheel(requirement))


def source_code_hash(content: bytes) -> str:
    """What Terraform's `filebase64sha256()` returns for a file with this content."""
    return base64.b64encode(hashlib.sha256(content).digest()).decode("ascii")


def archive_filename(spec: ArchiveSpec, content: bytes) -> str:
    """The file name `spec`'s archive is written under, given its bytes."""
    if not spec.content_addressed:
        return spec.filename
    stem, _, extension = spec.filename.rpartition(".")
    return f"{stem}-{hashlib.sha256(content).hexdigest()[:CONTENT_ADDRESS_HEX]}.{extension}"


def build_archives(lambda_src: Path, wheels: WheelCache | None = None) -> dict[str, BuiltArchive]:
    """Every archive of `ARCHIVES`, keyed by source folder name."""
    built = {}
    for spec in ARCHIVES:
        includes = tuple(lambda_src / name for name in spec.includes)
        content = archive_bytes(lambda_src / spec.source, spec.prefix, wheels, includes)
        built[spec.source] = BuiltArchive(archive_filename(spec, content), source_code_hash(content), content)
    return built
