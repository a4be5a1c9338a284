"""The DAX bundle (`cache=dax` with a replica region: `tests.rehearsal.cycles.DAX_COMBINATION`)
applied for real to moto's server: every resource type created, a DAX cluster in each region's
private subnets as the stack configures it, an empty second plan, a clean destroy."""

import re

import pytest

from modules.dax_cache import MILLIS_PER_SECOND, SCHEME, TTL_PARAMETERS
from tests.rehearsal.cycles import (
    DAX_COMBINATION,
    DAX_TFVARS,
    assert_destroyed_everything,
    assert_every_type_created,
    assert_hcl_plans_the_same,
    assert_no_changes,
    regions_of,
    tfvars_value,
)
from tools.emulator.patches import DAX_DEFAULT_PARAMETERS, NOT_CREATABLE

pytestmark = pytest.mark.rehearsal

REGIONS = regions_of(DAX_TFVARS)
DAX_TYPES = {"aws_dax_cluster", "aws_dax_subnet_group", "aws_dax_parameter_group"}


def tfvars_number(name: str) -> int:
    """A one-line whole-number assignment of the DAX fixture."""
    return int(re.search(rf"^{name}\s*=\s*(\d+)\s*$", DAX_TFVARS.read_text(), re.M)[1])


@pytest.fixture(scope="module")
def run(rehearsals):
    return rehearsals.get("dax")


@pytest.fixture(scope="module")
def bundle_resources(synth_of) -> dict:
    return synth_of(**DAX_COMBINATION).document["resource"]


def test_the_fixture_deploys_to_as_many_regions_as_the_combination_has():
    assert len(REGIONS) == int(DAX_COMBINATION["regions"]) == len(set(REGIONS))


def test_apply_creates_every_resource_of_the_dax_bundle(run, bundle_resources):
    state = assert_every_type_created(run, bundle_resources, NOT_CREATABLE)
    assert set(bundle_resources) >= DAX_TYPES
    declared = {
        f"{kind}.{name}" for kind, named in bundle_resources.items() if kind not in NOT_CREATABLE for name in named
    }
    assert {a.split("[")[0] for a in state} == declared


def test_every_region_runs_its_own_encrypted_dax_cluster_across_its_private_zones(run):
    emulated = run.facts["emulated"]
    assert set(emulated) == set(REGIONS)
    nodes = tfvars_number("cache_node_count")
    for region in REGIONS:
        (cluster,) = emulated[region]["dax clusters"]
        assert cluster["subnet group"] == cluster["parameter group"], (region, cluster)
        assert cluster["status"] == "available", (region, cluster)
        assert cluster["endpoint encryption"] == "TLS" and cluster["at rest"] == "ENABLED", (region, cluster)
        assert cluster["url scheme"] == SCHEME, (region, cluster)
        assert len(cluster["node zones"]) == nodes and len(set(cluster["node zones"])) == 2, (region, cluster)
        assert emulated[region]["caches"] == [], region


def test_every_cluster_keeps_items_and_query_results_for_the_configured_ttl(run):
    millis = str(tfvars_number("cache_ttl_seconds") * MILLIS_PER_SECOND)
    assert set(TTL_PARAMETERS) == set(DAX_DEFAULT_PARAMETERS)  # every parameter DAX has is set
    assert millis not in DAX_DEFAULT_PARAMETERS.values()
    for region in REGIONS:
        (cluster,) = run.facts["emulated"][region]["dax clusters"]
        assert cluster["parameters"] == dict.fromkeys(TTL_PARAMETERS, millis), region


def test_second_plan_after_apply_shows_no_changes(run):
    assert_no_changes(run)


def test_the_hcl_bundle_plans_no_change_over_the_state_the_json_bundle_applied(run):
    assert_no_changes(run, "plan (HCL bundle)")


def test_the_hcl_bundle_plans_the_same_values_and_changes_as_the_json_bundle(run):
    assert_hcl_plans_the_same(run)


def test_destroy_leaves_an_empty_state_and_the_zone_as_it_was(run):
    assert_destroyed_everything(run)
    zone = tfvars_value(DAX_TFVARS, "domain_name").split(".", 1)[1]
    assert run.facts["zone records after destroy"] == [f"{zone}. NS", f"{zone}. SOA"]


def test_report_figures(run):
    print(run.figures())
    assert run.steps["apply"].seconds < 420
