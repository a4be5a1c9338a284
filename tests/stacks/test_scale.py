"""`scale=on`, `item_stream=kinesis` and `cache=elasticache` in the composed stack, on the JSON
`main.py` writes: the API really invokes the CRUD function's `live` alias (whose provisioned
concurrency is autoscaled), every region has a dashboard of all its alarms and its cache's hit
ratio, streams its table's changes into its own encrypted stream, and keeps an encrypted cache in
its private subnets that the CRUD function signs in to."""

from __future__ import annotations

import json
import re

import pytest

from lambda_src.shared.tap_contract import CACHE_ERRORS, CACHE_HITS, CACHE_MISSES
from modules.api_function import ALIAS_NAME
from tapgen.combinations import LARGEST
from tapgen.placement import REGIONS

SINGLE = {"regions": "1", "waf": "on", "scale": "on", "item_stream": "kinesis", "cache": "elasticache"}


@pytest.fixture(scope="module", params=[SINGLE, LARGEST], ids=["regions=1", "largest"])
def document(request, synth_of) -> dict:
    return synth_of(**request.param).document


def resources(document: dict, rtype: str) -> dict[str, dict]:
    return document["resource"].get(rtype, {})


def suffixes(document: dict) -> list[str]:
    return [r.suffix for r in REGIONS if f"tap_stack_lambda{r.suffix}" in resources(document, "aws_lambda_function")]


def assert_every_region_has_a_dashboard_of_all_its_alarms(document: dict) -> None:
    dashboards = resources(document, "aws_cloudwatch_dashboard")
    alarms = resources(document, "aws_cloudwatch_metric_alarm")
    assert sorted(dashboards) == sorted(f"tap_stack_dashboard{suffix}" for suffix in suffixes(document))
    for suffix in suffixes(document):
        body = dashboards[f"tap_stack_dashboard{suffix}"]["dashboard_body"]
        regional = [a for n, a in alarms.items() if re.fullmatch(rf"tap_stack_\w+_alarm{suffix}", n)]
        assert regional
        for alarm in regional:
            meaning = alarm["alarm_description"].rsplit(". Runbook: ", 1)[0]  # the graph's title
            assert json.dumps(meaning)[1:-1] in body, alarm["alarm_name"]


@pytest.mark.parametrize("combination", [{}, {"regions": "3", "waf": "off"}], ids=["default", "regions=3"])
def test_every_stack_has_a_dashboard_per_region_of_all_its_alarms(synth_of, combination):
    """Without any option too: the default stack's operators need one as much."""
    assert_every_region_has_a_dashboard_of_all_its_alarms(synth_of(**combination).document)


def test_every_crud_route_invokes_the_alias_and_only_the_alias(document):
    integrations = resources(document, "aws_api_gateway_integration")
    permissions = resources(document, "aws_lambda_permission")
    for suffix in suffixes(document):
        alias = f"aws_lambda_alias.tap_stack_lambda_live{suffix}"
        crud = f"${{aws_lambda_function.tap_stack_lambda{suffix}.function_name}}"
        routed = {
            n: i for n, i in integrations.items() if i["type"] == "AWS_PROXY" and n.endswith(f"_integration{suffix}")
        }
        to_crud = {n for n, i in routed.items() if "health" not in i["uri"]}
        assert to_crud and all(routed[n]["uri"] == f"${{{alias}.invoke_arn}}" for n in to_crud)
        crud_permissions = [p for p in permissions.values() if p["function_name"] == crud]
        assert len(crud_permissions) == len(to_crud)
        assert all(p["qualifier"] == f"${{{alias}.name}}" for p in crud_permissions)
    # Nothing routes to the unqualified function's invoke ARN.
    assert "aws_lambda_function.tap_stack_lambda.invoke_arn" not in json.dumps(
        resources(document, "aws_api_gateway_integration")
    )


def test_the_alias_has_autoscaled_provisioned_concurrency_and_the_function_a_reservation(document):
    for suffix in suffixes(document):
        function = resources(document, "aws_lambda_function")[f"tap_stack_lambda{suffix}"]
        assert function["publish"] is True
        assert function["reserved_concurrent_executions"] == "${var.lambda_reserved_concurrency}"
        alias = resources(document, "aws_lambda_alias")[f"tap_stack_lambda_live{suffix}"]
        assert alias["name"] == ALIAS_NAME
        provisioned = resources(document, "aws_lambda_provisioned_concurrency_config")[
            f"tap_stack_lambda_provisioned{suffix}"
        ]
        assert provisioned["provisioned_concurrent_executions"] == "${var.provisioned_concurrency}"
        target = resources(document, "aws_appautoscaling_target")[f"tap_stack_lambda_provisioned_target{suffix}"]
        assert (target["min_capacity"], target["max_capacity"]) == (
            "${var.provisioned_concurrency_min}",
            "${var.provisioned_concurrency_max}",
        )


def test_every_region_has_a_dashboard_of_all_its_alarms(document):
    assert_every_region_has_a_dashboard_of_all_its_alarms(document)
    for body in (d["dashboard_body"] for d in resources(document, "aws_cloudwatch_dashboard").values()):
        assert "ProvisionedConcurrencyUtilization" in body


def test_every_region_streams_its_tables_changes_into_its_own_encrypted_stream(document):
    streams = resources(document, "aws_kinesis_stream")
    destinations = resources(document, "aws_dynamodb_kinesis_streaming_destination")
    for suffix in suffixes(document):
        stream = streams[f"tap_stack_item_stream{suffix}"]
        assert (
            stream["encryption_type"] == "KMS" and stream["kms_key_id"] == f"${{aws_kms_key.tap_stack_kms{suffix}.arn}}"
        )
        destination = destinations[f"tap_stack_item_stream_destination{suffix}"]
        assert destination["stream_arn"] == f"${{aws_kinesis_stream.tap_stack_item_stream{suffix}.arn}}"
        table = (
            "aws_dynamodb_table.tap_stack_data" if not suffix else f"aws_dynamodb_table_replica.tap_stack_data{suffix}"
        )
        assert table in destination["table_name"]


def test_every_region_alarms_on_spillover_from_its_provisioned_concurrency_and_on_a_throttled_stream(document):
    alarms = resources(document, "aws_cloudwatch_metric_alarm")
    for suffix in suffixes(document):
        spillover = alarms[f"tap_stack_lambda_provisioned_spillover_alarm{suffix}"]
        function = f"${{aws_lambda_function.tap_stack_lambda{suffix}.function_name}}"
        assert (spillover["namespace"], spillover["metric_name"]) == (
            "AWS/Lambda",
            "ProvisionedConcurrencySpilloverInvocations",
        )
        # Lambda publishes it per alias: `Resource` is `<function>:<alias>`.
        alias = f"${{aws_lambda_alias.tap_stack_lambda_live{suffix}.name}}"
        assert spillover["dimensions"] == {"FunctionName": function, "Resource": f"{function}:{alias}"}
        throttled = alarms[f"tap_stack_item_stream_throttled_alarm{suffix}"]
        kinesis = (throttled["namespace"], throttled["metric_name"])
        assert kinesis == ("AWS/Kinesis", "WriteProvisionedThroughputExceeded")
        assert throttled["dimensions"] == {"StreamName": f"${{aws_kinesis_stream.tap_stack_item_stream{suffix}.name}}"}
        for alarm in (spillover, throttled):
            assert alarm["alarm_actions"] == [f"${{aws_sns_topic.tap_stack_alerts{suffix}.arn}}"]
            assert (alarm["threshold"], alarm["comparison_operator"]) == (1, "GreaterThanOrEqualToThreshold")


def test_every_dashboard_draws_the_cache_hit_ratio_from_the_functions_metrics(document):
    for suffix in suffixes(document):
        body = resources(document, "aws_cloudwatch_dashboard")[f"tap_stack_dashboard{suffix}"]["dashboard_body"]
        assert '"expression" = "100 * part / (part + rest)"' in body
        for metric in (CACHE_HITS, CACHE_MISSES, CACHE_ERRORS):
            assert f'"{metric}"' in body
        alarm = resources(document, "aws_cloudwatch_metric_alarm")[f"tap_stack_cache_errors_alarm{suffix}"]
        assert (alarm["namespace"], alarm["metric_name"]) == ("TapStack/${local.name_prefix}", CACHE_ERRORS)


def test_every_region_keeps_an_encrypted_cache_in_its_private_subnets(document):
    groups = resources(document, "aws_elasticache_replication_group")
    for suffix in suffixes(document):
        cache = groups[f"tap_stack_cache{suffix}"]
        assert cache["transit_encryption_enabled"] is True and cache["transit_encryption_mode"] == "required"
        assert cache["kms_key_id"] == f"${{aws_kms_key.tap_stack_kms{suffix}.arn}}"
        subnets = resources(document, "aws_elasticache_subnet_group")[f"tap_stack_cache_subnets{suffix}"]
        crud = resources(document, "aws_lambda_function")[f"tap_stack_lambda{suffix}"]
        assert subnets["subnet_ids"] == crud["vpc_config"]["subnet_ids"]
        assert all("aws_subnet.tap_stack_network_private_" in subnet for subnet in subnets["subnet_ids"])
        environment = crud["environment"]["variables"]
        assert (
            environment["CACHE_NAME"]
            == f"${{aws_elasticache_replication_group.tap_stack_cache{suffix}.replication_group_id}}"
        )
        assert environment["CACHE_ENDPOINT"].endswith(":6379") and "vpc_config" in crud
        policy = document["data"]["aws_iam_policy_document"][f"tap_stack_lambda_role_permissions{suffix}"]
        connect = [s for s in policy["statement"] if s.get("sid") == "ConnectToItemCache"]
        assert connect and connect[0]["actions"] == ["elasticache:Connect"]


def test_without_scale_the_api_invokes_the_function_itself(synth_of):
    document = synth_of().document
    assert not resources(document, "aws_lambda_alias")
    assert all("qualifier" not in p for p in resources(document, "aws_lambda_permission").values())


def test_every_region_alarms_on_each_member_cluster_of_its_own_cache(document):
    alarms = resources(document, "aws_cloudwatch_metric_alarm")
    for suffix in suffixes(document):
        group = f"aws_elasticache_replication_group.tap_stack_cache{suffix}.replication_group_id"
        regional = [a for n, a in alarms.items() if re.fullmatch(rf"tap_stack_cache_\w+_alarm{suffix}", n)]
        members = [a for a in regional if "count" in a]
        assert sorted(a["metric_name"] for a in members) == [
            "CurrConnections",
            "DatabaseMemoryUsagePercentage",
            "EngineCPUUtilization",
            "Evictions",
        ]
        for alarm in members:
            assert alarm["count"] == "${var.cache_node_count}"
            assert alarm["dimensions"] == {"CacheClusterId": f'${{format("%s-%03d", {group}, (count.index + 1))}}'}
            assert alarm["alarm_actions"] == [f"${{aws_sns_topic.tap_stack_alerts{suffix}.arn}}"]
