"""The HCL bundle of every option combination: what it holds, `terraform fmt -check`,
`terraform validate`, an independent parser, and byte-identical regeneration."""

from __future__ import annotations

import json
import re
import shutil

import hcl2
import pytest

from tapgen.combinations import LARGEST, label
from tapgen.pipeline.bundle import Written
from tapgen.pipeline.hcl.bundle import write_hcl_bundle
from tapgen.pipeline.outputs import LOCK, MANIFEST
from tapgen.provenance import Provenance
from tests.tapgen.pipeline.hcl.conftest import COMBINATION_IDS, COMBINATIONS, terraform


def hcl_bundle(synth):
    return synth.bundle.parent / "tap_stack_hcl"


@pytest.fixture(scope="module")
def bundles(synth_of):
    return {label(c): hcl_bundle(synth_of(**c)) for c in COMBINATIONS}


def test_bundle_holds_the_tf_files_the_archives_and_a_readme(synth):
    directory = hcl_bundle(synth)
    names = {p.name for p in directory.iterdir()}
    archives = {p.name for p in synth.bundle.glob("*.zip")}
    assert archives and archives <= names
    for archive in archives:
        assert (directory / archive).read_bytes() == (synth.bundle / archive).read_bytes()
    assert {"versions.tf", "providers.tf", "variables.tf", "outputs.tf", "locals.tf", "README.md"} <= names
    assert names - archives - {MANIFEST, LOCK, "README.md"} == {n for n in names if n.endswith(".tf")}
    manifest = json.loads((directory / MANIFEST).read_text())["files"]
    assert sorted(manifest) == sorted(names - {MANIFEST, LOCK})


def test_fmt_check_passes_on_every_combination(bundles, tmp_path):
    for key, directory in bundles.items():
        shutil.copytree(directory, tmp_path / key)
    result = terraform(tmp_path, "fmt", "-check", "-recursive", "-diff", check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize("combination", COMBINATIONS, ids=COMBINATION_IDS)
def test_an_independent_parser_reads_every_file(bundles, combination):
    for path in sorted(bundles[label(combination)].glob("*.tf")):
        parsed = hcl2.loads(path.read_text(encoding="utf-8"))
        assert parsed, path.name


def test_regenerating_gives_byte_identical_files(synth, tmp_path):
    archives = {p.name: p.read_bytes() for p in synth.bundle.glob("*.zip")}
    manifest = json.loads((synth.bundle / MANIFEST).read_text())
    written = Written(manifest["options"], Provenance(manifest["version"], manifest["revision"]))
    write_hcl_bundle(tmp_path, (synth.stack_dir / "cdk.tf.json").read_bytes(), archives, written)
    directory = hcl_bundle(synth)
    for path in tmp_path.iterdir():
        assert path.read_bytes() == (directory / path.name).read_bytes(), path.name


def test_reads_as_written_by_hand(synth_of):
    """References bare, meta-arguments first, lifecycle last, native objects for JSON documents."""
    directory = hcl_bundle(synth_of(**LARGEST))
    text = "\n".join(p.read_text() for p in sorted(directory.glob("*.tf")))
    assert not re.search(r'"\$\{[^"{}]*\}"', text)  # no string that is only an interpolation
    assert '\\"{' not in text  # no escaped JSON object
    assert "provider = aws.secondary" in text
    assert "jsonencode({" in text
    for block in text.split("\nresource ")[1:]:
        # The block's own lines, after its inline checkov suppressions (tapgen.security.suppressions).
        top = [line for line in block.split("\n}\n")[0].splitlines()[1:] if re.match(r"^  [^\s#]", line)]
        names = [line.split()[0] for line in top]
        meta = [n for n in names if n in ("count", "for_each", "provider", "depends_on")]
        assert names[: len(meta)] == meta, block.splitlines()[0]
        if "lifecycle" in names:
            assert [line for line in top if line.endswith("{")][-1] == "  lifecycle {", block.splitlines()[0]
