import hashlib
import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tapgen.pipeline.archives import (
    ARCHIVES,
    FILE_MODE,
    FIXED_TIMESTAMP,
    ArchiveError,
    ArchiveSpec,
    Requirement,
    WheelCache,
    archive_bytes,
    archive_filename,
    build_archives,
    parse_requirements,
    source_code_hash,
)
from tests.project import ROOT


def make_source(directory: Path) -> Path:
    (directory / "pkg").mkdir(parents=True)
    (directory / "handler.py").write_text("def handler(event, context):\n    return 1\n")
    (directory / "pkg" / "util.py").write_text("X = 1\n")
    # Everything below is build junk or tests and must never be packaged.
    (directory / "__pycache__").mkdir()
    (directory / "__pycache__" / "handler.cpython-311.pyc").write_bytes(b"\0junk")
    (directory / "pkg" / "util.pyc").write_bytes(b"\0junk")
    (directory / "tests").mkdir()
    (directory / "tests" / "test_handler.py").write_text("assert True\n")
    (directory / "test_local.py").write_text("assert True\n")
    (directory / ".env").write_text("SECRET=1\n")
    return directory


def make_wheel(cache: Path, name: str = "fixture_pkg", version: str = "1.0", tag: str = "py3-none-any") -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "VERSION = '1.0'\n")
        wheel.writestr(f"{name}/__pycache__/__init__.cpython-311.pyc", b"\0junk")
        wheel.writestr(f"{name}-{version}.dist-info/METADATA", f"Name: {name}\nVersion: {version}\n")
    return path


SDIST = "fixture_pkg-1.0.tar.gz"


def make_sdist(directory: Path) -> Path:
    """Any bytes will do: only the fake pip below reads it."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / SDIST).write_bytes(b"fixture sdist")
    return directory / SDIST


def fake_build_cache(tmp_path: Path) -> WheelCache:
    """A cache holding the one pinned build requirement of its own build constraints."""
    build_wheel = make_wheel(tmp_path / "cache", "fixture_build", "1.0")
    constraints = tmp_path / "constraints.txt"
    if not constraints.exists():
        constraints.write_text(f"fixture-build==1.0 --hash=sha256:{sha256(build_wheel)}\n")
    return WheelCache(tmp_path / "cache", build_constraints=constraints)


class FakePip:
    """Stands in for pip: `download` copies `downloads` into --dest (and records the build constraints an
    sdist download was given), `wheel` writes fixture_pkg's wheel (with `built_tag`) into --wheel-dir and
    records what the build was given; a `failing` command fails."""

    def __init__(self, monkeypatch, downloads: list[Path], built_tag: str = "py3-none-any", failing=()) -> None:
        self.downloads, self.built_tag, self.failing = downloads, built_tag, failing
        self.commands: list[str] = []
        self.download_constraints: list[str | None] = []
        monkeypatch.setattr(subprocess, "run", self)

    def __call__(self, command, env, **kwargs):
        verb = command[3]
        self.commands.append(verb)
        if verb in self.failing:
            return subprocess.CompletedProcess(command, 1, "", f"ERROR: {verb} failed\n")
        if verb == "download":
            self.download_constraints.append(
                Path(env["PIP_CONSTRAINT"]).read_text() if "--no-binary=:all:" in command else None
            )
            for path in self.downloads:
                shutil.copy(path, command[command.index("--dest") + 1])
        else:
            self.build_command = command
            self.build_links = sorted(p.name for p in Path(command[command.index("--find-links") + 1]).iterdir())
            self.build_environment = {**env, "PIP_CONSTRAINT": Path(env["PIP_CONSTRAINT"]).read_text()}
            make_wheel(Path(command[command.index("--wheel-dir") + 1]), tag=self.built_tag)
        return subprocess.CompletedProcess(command, 0, "", "")


@dataclass(frozen=True)
class Downloads:
    pin: str
    directory: Path


@pytest.fixture(scope="session")
def dax_downloads(tmp_path_factory) -> Downloads:
    """The DAX client's pinned sdist and build requirements, downloaded once into the shared wheel cache
    (`TAP_WHEEL_CACHE`), as the project's requirements pin them."""
    lines = (ROOT / "lambda_src" / "crud" / "requirements.txt").read_text().splitlines()
    (pin,) = (line for line in lines if line.startswith("amazon-dax-client=="))
    pinned = tmp_path_factory.mktemp("dax") / "requirements.txt"
    pinned.write_text(pin + "\n")
    cache = WheelCache.default()
    for requirement in parse_requirements(pinned):
        cache.wheel(requirement)
    return Downloads(pin, cache.directory)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def names(content: bytes) -> list[str]:
    return zipfile.ZipFile(io.BytesIO(content)).namelist()


def test_only_runtime_source_is_packaged_in_sorted_order(tmp_path):
    content = archive_bytes(make_source(tmp_path / "src"))
    assert names(content) == ["handler.py", "pkg/util.py"]


def test_entries_have_fixed_timestamps_modes_and_no_compression(tmp_path):
    source = make_source(tmp_path / "src")
    os.utime(source / "handler.py", (1_700_000_000, 1_700_000_000))
    for info in zipfile.ZipFile(io.BytesIO(archive_bytes(source))).infolist():
        assert info.date_time == FIXED_TIMESTAMP
        assert info.external_attr == FILE_MODE << 16
        assert info.compress_type == zipfile.ZIP_STORED


def test_same_content_gives_identical_bytes_whatever_the_mtimes_and_location(tmp_path):
    first = make_source(tmp_path / "a")
    second = make_source(tmp_path / "elsewhere" / "b")
    os.utime(second / "handler.py", (1_000_000_000, 1_000_000_000))
    assert archive_bytes(first) == archive_bytes(second)


def test_hash_changes_exactly_when_content_changes(tmp_path):
    source = make_source(tmp_path / "src")
    before = source_code_hash(archive_bytes(source))
    (source / "__pycache__" / "other.pyc").write_bytes(b"more junk")
    assert source_code_hash(archive_bytes(source)) == before
    (source / "pkg" / "util.py").write_text("X = 2\n")
    assert source_code_hash(archive_bytes(source)) != before


def test_renaming_a_file_changes_the_hash(tmp_path):
    source = make_source(tmp_path / "src")
    before = source_code_hash(archive_bytes(source))
    (source / "pkg" / "util.py").rename(source / "pkg" / "helpers.py")
    assert source_code_hash(archive_bytes(source)) != before


def test_prefix_places_files_where_synthetics_expects_them(tmp_path):
    assert names(archive_bytes(make_source(tmp_path / "src"), prefix="python/")) == [
        "python/handler.py",
        "python/pkg/util.py",
    ]


def test_source_code_hash_matches_terraform_filebase64sha256():
    assert source_code_hash(b"") == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def test_declared_wheels_are_vendored_without_build_junk(tmp_path):
    source = make_source(tmp_path / "src")
    wheel = make_wheel(tmp_path / "cache")
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 \\\n    --hash=sha256:{sha256(wheel)}\n")
    content = archive_bytes(source, wheels=WheelCache(tmp_path / "cache"))
    assert names(content) == [
        "fixture_pkg-1.0.dist-info/METADATA",
        "fixture_pkg/__init__.py",
        "handler.py",
        "pkg/util.py",
    ]


def test_a_wheel_or_sdist_that_does_not_match_the_pinned_hash_is_refused(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    pip = FakePip(monkeypatch, downloads=[make_wheel(tmp_path / "index"), make_sdist(tmp_path / "index")])
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=fake_build_cache(tmp_path))
    assert str(error.value) == "fixture-pkg==1.0: no downloaded wheel or sdist matches the pinned sha256 hashes"
    assert pip.commands == ["download", "download"]


def test_an_sdist_pin_is_built_offline_from_the_pinned_build_requirements_alone(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    pip = FakePip(monkeypatch, downloads=[make_sdist(tmp_path / "index")])
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(tmp_path / 'index' / SDIST)}\n")
    content = archive_bytes(source, wheels=fake_build_cache(tmp_path))
    assert "fixture_pkg/__init__.py" in names(content)
    assert pip.commands == ["download", "download", "wheel"]  # no wheel of that hash, so its sdist, then the build
    assert pip.download_constraints == [None, "fixture-build==1.0\n"]  # pip builds the sdist's metadata
    assert "--no-index" in pip.build_command and "--use-pep517" in pip.build_command
    assert pip.build_links == ["fixture_build-1.0-py3-none-any.whl"]
    assert pip.build_environment["PIP_CONSTRAINT"] == "fixture-build==1.0\n"
    assert pip.build_environment["PIP_CONFIG_FILE"] == os.devnull
    assert pip.build_environment["SOURCE_DATE_EPOCH"] == "315532800"  # 1980-01-01, FIXED_TIMESTAMP


def test_a_built_wheel_is_reused_until_a_build_constraint_changes(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    pip = FakePip(monkeypatch, downloads=[make_sdist(tmp_path / "index")])
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(tmp_path / 'index' / SDIST)}\n")
    archive_bytes(source, wheels=fake_build_cache(tmp_path))
    pip.commands.clear()
    archive_bytes(source, wheels=fake_build_cache(tmp_path))
    assert pip.commands == []
    newer = make_wheel(tmp_path / "cache", "fixture_build", "2.0")
    (tmp_path / "constraints.txt").write_text(f"fixture-build==2.0 --hash=sha256:{sha256(newer)}\n")
    archive_bytes(source, wheels=fake_build_cache(tmp_path))
    assert pip.commands == ["wheel"]  # the verified sdist is already in the cache
    assert pip.build_links == ["fixture_build-2.0-py3-none-any.whl"]


def test_a_compiled_wheel_built_from_an_sdist_is_refused(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    FakePip(monkeypatch, downloads=[make_sdist(tmp_path / "index")], built_tag="cp311-cp311-linux_x86_64")
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(tmp_path / 'index' / SDIST)}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=fake_build_cache(tmp_path))
    wheel = "fixture_pkg-1.0-cp311-cp311-linux_x86_64.whl"
    message = f"{wheel}: not a pure-Python wheel (py3-none-any); archives must stay portable"
    assert str(error.value) == message


def test_a_failed_build_names_the_requirement_and_the_sdist(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    FakePip(monkeypatch, downloads=[make_sdist(tmp_path / "index")], failing=("wheel",))
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(tmp_path / 'index' / SDIST)}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=fake_build_cache(tmp_path))
    assert str(error.value) == f"fixture-pkg==1.0: building a wheel from {SDIST} failed: ERROR: wheel failed"
    assert not (tmp_path / "cache" / "built").exists()


def test_a_failed_download_names_the_requirement_and_both_errors(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    FakePip(monkeypatch, downloads=[], failing=("download",))
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=fake_build_cache(tmp_path))
    expected = "fixture-pkg==1.0: pip download failed (wheel: ERROR: download failed; sdist: ERROR: download failed)"
    assert str(error.value) == expected


@pytest.mark.parametrize(
    ("failing", "reason"), [((), ""), (("download",), " (pip download failed: ERROR: download failed)")]
)
def test_a_build_requirement_must_be_a_pinned_wheel(tmp_path, monkeypatch, failing, reason):
    source = make_source(tmp_path / "src")
    FakePip(monkeypatch, downloads=[], failing=failing)
    sdist = make_sdist(tmp_path / "cache")  # already downloaded: only the build requirement is fetched
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(sdist)}\n")
    cache = fake_build_cache(tmp_path)
    (tmp_path / "constraints.txt").write_text(f"fixture-build==1.0 --hash=sha256:{'0' * 64}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=cache)
    expected = f"{tmp_path / 'constraints.txt'}: fixture-build==1.0: no wheel matches the pinned sha256 hashes"
    assert str(error.value) == expected + reason


@pytest.mark.parametrize(
    ("file_name", "named"),
    [
        ("amazon_dax_client-2.1.0.tar.gz", True),
        ("amazon-dax-client-2.1.0.tar.gz", True),
        ("Amazon.Dax.Client-2.1.0.zip", True),
        ("amazon_dax_client-2.1.1.tar.gz", False),
        ("amazon_dax_client-2.1.0-py2.py3-none-any.whl", False),
    ],
)
def test_sdists_are_recognised_under_any_spelling_of_the_project_name(file_name, named):
    requirement = Requirement("amazon-dax-client", "2.1.0", frozenset())
    assert requirement.names_sdist(Path(file_name)) is named


def test_an_sdist_pin_gives_identical_archive_bytes_from_two_fresh_builds(tmp_path, monkeypatch, dax_downloads):
    """The real DAX client, built twice (SOURCE_DATE_EPOCH unset, then set): the same archive."""
    source = make_source(tmp_path / "src")
    (source / "requirements.txt").write_text(dax_downloads.pin + "\n")
    contents = []
    for name, epoch in (("first", None), ("second", "1700000000")):
        cache = tmp_path / name
        shutil.copytree(dax_downloads.directory, cache, ignore=shutil.ignore_patterns("built"))
        if epoch is None:
            monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
        else:
            monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
        contents.append(archive_bytes(source, wheels=WheelCache(cache)))
        assert len(list((cache / "built").iterdir())) == 1  # really built here, not taken from elsewhere
    assert contents[0] == contents[1]
    assert {"amazondax/__init__.py", "amazon_dax_client-2.1.0.dist-info/RECORD"} <= set(names(contents[0]))


def test_compiled_wheels_are_refused(tmp_path):
    source = make_source(tmp_path / "src")
    wheel = make_wheel(tmp_path / "cache", tag="cp311-cp311-manylinux_2_17_x86_64")
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{sha256(wheel)}\n")
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=WheelCache(tmp_path / "cache"))
    assert str(error.value) == (f"{wheel.name}: not a pure-Python wheel (py3-none-any); archives must stay portable")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("fixture-pkg>=1.0", "'fixture-pkg>=1.0' is not allowed; expected a pin such as name==1.2.3"),
        ("fixture-pkg==1.0", "fixture-pkg==1.0 has no --hash=sha256:<64 hex>; every pin needs one"),
        ("fixture-pkg==1.0 --hash=md5:abc", "'--hash=md5:abc' is not allowed; expected --hash=sha256:<64 hex>"),
    ],
)
def test_loose_requirements_are_refused_naming_the_line(tmp_path, line, message):
    path = tmp_path / "requirements.txt"
    path.write_text(f"# pinned runtime dependencies\n\n{line}\n")
    with pytest.raises(ArchiveError) as error:
        parse_requirements(path)
    assert str(error.value) == f"{path}:3: {message}"


def test_missing_or_empty_source_folders_are_errors(tmp_path):
    with pytest.raises(ArchiveError, match="source folder does not exist"):
        archive_bytes(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ArchiveError, match="no source files to package"):
        archive_bytes(tmp_path / "empty")


def test_the_project_archives_are_complete_and_lay_out_the_canary_for_synthetics():
    built = build_archives(ROOT / "lambda_src")
    canary = f"canary-{hashlib.sha256(built['canary'].content).hexdigest()[:16]}.zip"
    assert {a.filename for a in built.values()} == {"function.zip", "health.zip", canary, "rotation.zip"}
    assert set(built) == {"crud", "health", "canary", "rotation"}  # the stack looks archives up by these
    assert "handler.py" in names(built["crud"].content)
    assert "handler.py" in names(built["health"].content)
    assert all(name.startswith("python/") for name in names(built["canary"].content))
    rotation = names(built["rotation"].content)
    assert {"handler.py", "key_rotation/steps.py", "aws_lambda_powertools/__init__.py"} <= set(rotation)
    assert not any(name.startswith(("tap_http/", "aws_xray_sdk/", "wrapt/")) for name in rotation)
    for archive in built.values():
        assert archive.source_code_hash == source_code_hash(archive.content)


def test_a_content_addressed_name_follows_the_content_and_nothing_else():
    spec = ArchiveSpec("canary.zip", "canary", content_addressed=True)
    first = archive_filename(spec, b"one")
    assert first == f"canary-{hashlib.sha256(b'one').hexdigest()[:16]}.zip"
    assert archive_filename(spec, b"one") == first
    assert archive_filename(spec, b"two") != first


def test_only_the_canary_is_content_addressed():
    """Functions keep the fixed names of the contract; their source_code_hash carries the content."""
    assert [spec.source for spec in ARCHIVES if spec.content_addressed] == ["canary"]
    assert archive_filename(ArchiveSpec("function.zip", "crud"), b"anything") == "function.zip"


def test_a_canary_code_change_is_a_new_file_name(tmp_path):
    spec = ArchiveSpec("canary.zip", "src", prefix="python/", content_addressed=True)
    source = make_source(tmp_path / "src")
    before = archive_filename(spec, archive_bytes(source, spec.prefix))
    (source / "handler.py").write_text("def handler(event, context):\n    return 2\n")
    assert archive_filename(spec, archive_bytes(source, spec.prefix)) != before
