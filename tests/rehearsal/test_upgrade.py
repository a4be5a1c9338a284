"""Upgrade rehearsal: state created by the newest previous release, planned and applied with the
current bundle and the same tfvars, loses no data and moves every address it renames."""

import json

import pytest

from tests.rehearsal.cycles import RELEASE_CONFIG, RELEASES_DIR, SECRET, declared_only, newest_release, version_key

pytestmark = pytest.mark.rehearsal

# Types whose replacement or deletion loses data or breaks what depends on them.
STATEFUL_TYPES = (
    "aws_dynamodb_table",
    "aws_kms_key",
    "aws_secretsmanager_secret",
    "aws_cloudwatch_log_group",
    "aws_route53_record",
    "aws_route53_zone",
)
STATEFUL_PREFIXES = ("aws_s3_bucket",)
REPLACE = (["delete", "create"], ["create", "delete"])


def stateful(resource_type: str) -> bool:
    return resource_type in STATEFUL_TYPES or resource_type.startswith(STATEFUL_PREFIXES)


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("upgrade")


@pytest.fixture(scope="module")
def plan(run) -> dict:
    return run.facts["plan"]


def test_previous_release_applies_with_its_declared_variables(run):
    assert run.steps["apply (previous)"].returncode == 0
    assert run.facts["resources created"] > 80
    assert any(a.startswith("aws_dynamodb_table.") for a in run.facts["previous state"])


def test_upgrade_neither_deletes_nor_replaces_a_stateful_resource(plan):
    lost = [
        f"{change['address']} {change['change']['actions']}"
        for change in plan["resource_changes"]
        if stateful(change["type"]) and "delete" in change["change"]["actions"]
    ]
    assert lost == []
    # Tables of the previous release are kept in place; a table the release adds is created.
    tables = {
        c["address"]: c["change"]["actions"] for c in plan["resource_changes"] if c["type"] == "aws_dynamodb_table"
    }
    assert tables.pop("aws_dynamodb_table.tap_stack_data") in (["no-op"], ["update"])
    assert all(actions == ["create"] for actions in tables.values()), tables


def test_a_durable_stack_keeps_the_deletion_protection_the_release_hard_wired(plan):
    (table,) = [c for c in plan["resource_changes"] if c["address"] == "aws_dynamodb_table.tap_stack_data"]
    assert table["change"]["actions"] == ["no-op"]
    assert table["change"]["before"]["deletion_protection_enabled"] is True  # 0.1.0 hard-wired it on
    assert table["change"]["after"]["deletion_protection_enabled"] is True  # durable, by default


def test_every_address_that_left_the_configuration_has_a_moved_block(run, plan):
    previous = {a for a in run.facts["previous state"] if not a.startswith("data.")}
    current = {r["address"] for r in plan["planned_values"]["root_module"].get("resources", [])}
    moved_from = [block["from"] for block in run.facts["configuration"].get("moved", [])]
    unmoved = sorted(
        address
        for address in previous - current
        if not any(address == source or address.startswith(f"{source}[") for source in moved_from)
    )
    assert unmoved == [], "add a moved block for each (addresses are a public API)"
    followed = {c["previous_address"] for c in plan["resource_changes"] if c.get("previous_address")}
    assert previous - current <= followed, "Terraform did not follow every move"


def test_replaced_resources_are_only_stateless_ones(run, plan):
    replaced = sorted(c["address"] for c in plan["resource_changes"] if c["change"]["actions"] in REPLACE)
    print(f"upgrade from {run.facts['release']} replaces: {', '.join(replaced) or 'nothing'}")
    assert not [a for a in replaced if stateful(a.split(".")[0])]


def test_upgrade_applies_and_the_next_plan_is_empty(run):
    assert run.steps["apply (upgrade)"].returncode == 0
    after = run.steps["plan (after upgrade)"]
    assert after.returncode == 0, after.stdout[-6000:]


def test_the_durable_archive_denies_tampering(run):
    assert "DenyArchiveTampering" in run.facts["log archive policy"]


def test_destroy_in_the_runbooks_order_leaves_an_empty_state(run):
    switch = run.steps["apply (as ephemeral)"]
    assert switch.returncode == 0, switch.output[-4000:]
    added, changed, destroyed = map(int, run.facts["switched"])
    assert (added, destroyed) == (0, 0) and changed > 0  # in place: nothing is replaced
    assert run.steps["destroy"].returncode == 0, run.steps["destroy"].output[-4000:]
    assert run.facts["state after destroy"] == []


def test_the_names_are_free_at_once_after_the_runbooks_destroy(run):
    """The secret is the one name AWS keeps after a delete (for the recovery window): applied again
    alone, it is created under the same name."""
    assert run.steps["apply (same names)"].returncode == 0
    assert SECRET in run.facts["state re-created"]
    assert run.steps["destroy (again)"].returncode == 0
    assert run.facts["state after destroying again"] == []


def test_report_figures(run):
    print(run.figures())


def test_newest_release_is_picked_by_version_order(tmp_path):
    for name in ("0.9.0", "0.10.0", "0.1.0"):
        (tmp_path / name).mkdir()
    assert newest_release(tmp_path).name == "0.10.0"
    (tmp_path / "latest").mkdir()
    with pytest.raises(ValueError, match="named by version"):
        newest_release(tmp_path)


def test_every_release_fixture_is_a_configuration_named_by_version():
    releases = [p for p in RELEASES_DIR.iterdir() if p.is_dir()]
    assert releases, "keep the previous release's configuration (see tests/fixtures/releases/README.md)"
    for release in releases:
        version_key(release.name)
        document = json.loads((release / RELEASE_CONFIG).read_text())
        assert "resource" in document and "variable" in document, release


def test_tfvars_keep_only_declared_variables():
    text = '# comment\nproject_name = "tap"\nallowed_ip_ranges = ["203.0.113.0/24"]\nnew_variable = true\n'
    assert declared_only(text, {"project_name", "allowed_ip_ranges"}) == (
        '# comment\nproject_name = "tap"\nallowed_ip_ranges = ["203.0.113.0/24"]\n'
    )
    with pytest.raises(ValueError, match="line 1"):
        declared_only('allowed_ip_ranges = [\n  "203.0.113.0/24",\n]\n', {"allowed_ip_ranges"})
