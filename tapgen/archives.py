"""Deterministic Lambda and canary archives.

`cdktf.TerraformAsset` is not reproducible (zip entries carry file mtimes, and its hash ignores
file names), so the archives are built here: sorted entries, a fixed timestamp, fixed modes and
no compression (deflate output depends on the zlib build, stored bytes do not). A source folder
or a shared folder it includes may declare pinned runtime dependencies in `requirements.txt`
(`name==version --hash=sha256:...`); their pure-Python wheels are vendored the same way.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import io
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

REQUIREMENTS_FILE = "requirements.txt"
RUNTIME_PYTHON = "3.13"  # the Lambda runtime; modules/api_function.py derives its runtime from it
FIXED_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
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
# keep their fixed names (SPEC section 4), since their `source_code_hash` already carries the
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
    def wheel_stem(self) -> str:
        """The file-name prefix of this release's wheels (PEP 427 name normalisation)."""
        return f"{re.sub(r'[-_.]+', '_', self.name).lower()}-{self.version}-"


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
    """Pure-Python wheels by pinned requirement, downloaded once with pip and verified by hash."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @classmethod
    def default(cls) -> WheelCache:
        root = os.environ.get("TAP_WHEEL_CACHE") or Path.home() / ".cache" / "tap-stack" / "wheels"
        return cls(Path(root))

    def wheel(self, requirement: Requirement) -> Path:
        found = self._cached(requirement)
        if found is None:
            self._download(requirement)
            found = self._cached(requirement)
        if found is None:
            raise ArchiveError(
                f"{requirement.name}=={requirement.version}: no downloaded wheel matches the pinned sha256 hashes"
            )
        if not found.name.endswith("-none-any.whl"):
            raise ArchiveError(f"{found.name}: not a pure-Python wheel (py3-none-any); archives must stay portable")
        return found

    def _cached(self, requirement: Requirement) -> Path | None:
        if not self.directory.is_dir():
            return None
        for candidate in sorted(self.directory.glob("*.whl")):
            if candidate.name.lower().startswith(requirement.wheel_stem) and _sha256(candidate) in requirement.sha256:
                return candidate
        return None

    def _download(self, requirement: Requirement) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Ask for the portable wheel explicitly: without these, pip prefers this machine's build.
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:"]
        command += ["--platform", "any", "--implementation", "py", "--abi", "none", "--python-version", RUNTIME_PYTHON]
        command += ["--dest", str(self.directory), f"{requirement.name}=={requirement.version}"]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise ArchiveError(
                f"{requirement.name}=={requirement.version}: pip download failed: {result.stderr.strip()}"
            )


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
