import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest

from tapgen.archives import (
    ARCHIVES,
    FILE_MODE,
    FIXED_TIMESTAMP,
    ArchiveError,
    ArchiveSpec,
    WheelCache,
    archive_bytes,
    archive_filename,
    build_archives,
    parse_requirements,
    source_code_hash,
)

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_wheel_that_does_not_match_the_pinned_hash_is_refused(tmp_path, monkeypatch):
    source = make_source(tmp_path / "src")
    make_wheel(tmp_path / "cache")
    (source / "requirements.txt").write_text(f"fixture-pkg==1.0 --hash=sha256:{'0' * 64}\n")
    cache = WheelCache(tmp_path / "cache")
    monkeypatch.setattr(cache, "_download", lambda requirement: None)
    with pytest.raises(ArchiveError) as error:
        archive_bytes(source, wheels=cache)
    assert str(error.value) == "fixture-pkg==1.0: no downloaded wheel matches the pinned sha256 hashes"


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
