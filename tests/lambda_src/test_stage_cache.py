"""API Gateway's stage cache never answers for a tenant without the grant check (lambda_src/crud/items_api/access.py).

The real CRUD handler behind a model of the stage cache (`tests/lambda_src/stage_cache.py`) built
from the generated configuration: a caller granted only `tenant-b` who names `tenant-a` is refused,
whatever the owner of `tenant-a` read just before. The previous release's configuration, read by
the same model, shows the leak this closes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lambda_src.conftest import ACCOUNT, CALLER, LambdaContext, grant, proxy_event
from tests.lambda_src.stage_cache import Request, StageCache

RELEASE_0_1_0 = Path(__file__).parents[1] / "fixtures" / "releases" / "0.1.0" / "tap_stack.tf.json"
INTRUDER = f"arn:aws:iam::{ACCOUNT}:role/OnlyTenantB"
READS = [("GET", "/items/{id}"), ("GET", "/items"), ("GET", "/metrics")]


class CachedApi:
    """The stage cache in front of the handler: `call` answers as API Gateway would."""

    def __init__(self, module, cache: StageCache) -> None:
        self.module = module
        self.cache = cache

    def call(self, method: str, path: str, caller: str, tenant: str, **kwargs) -> dict:
        event = proxy_event(method, path, tenant=tenant, caller=caller, **kwargs)
        request = Request(
            method=method,
            resource=event["resource"].lstrip("/"),
            headers=event["headers"],
            path_parameters=event["pathParameters"] or {},
            query=event["queryStringParameters"] or {},
        )
        return self.cache.answer(request, lambda: self.module.handler(event, LambdaContext()))


def reads_of(api: CachedApi, caller: str, item_id: str) -> list[dict]:
    paths = {"/items/{id}": f"/items/{item_id}", "/items": "/items", "/metrics": "/metrics"}
    return [api.call(method, paths[path], caller, "tenant-a") for method, path in READS]


def leaked_reads(document: dict, aws, api) -> list[dict]:
    """The intruder's answers for tenant-a right after its owner read the same three routes."""
    grant(aws["dynamodb"], INTRUDER, ["tenant-b"])
    cached = CachedApi(api.module, StageCache(document, {"api_cache_enabled": True}, clock=lambda: 0.0))
    created = cached.call("POST", "/items", CALLER, "tenant-a", body={"name": "secret plans"})
    assert created["statusCode"] == 201
    item_id = json.loads(created["body"])["item_id"]
    assert [r["statusCode"] for r in reads_of(cached, CALLER, item_id)] == [200, 200, 200]
    return reads_of(cached, INTRUDER, item_id)


def test_an_ungranted_caller_is_refused_even_right_after_the_owner_read(document, aws, api):
    # api_cache_enabled = true is refused at plan; even given it, the configuration caches nothing.
    answers = leaked_reads(document, aws, api)
    assert [a["statusCode"] for a in answers] == [403, 403, 403]
    assert {json.loads(a["body"])["error"]["code"] for a in answers} == {"tenant_forbidden"}


def test_no_tenant_scoped_method_is_ever_cached(document):
    cache = StageCache(document, {"api_cache_enabled": True}, clock=lambda: 0.0)
    assert cache.cluster_enabled is False
    assert [cache.ttl_of(method, path.lstrip("/")) for method, path in READS] == [0, 0, 0]


@pytest.mark.parametrize("release", [RELEASE_0_1_0], ids=["0.1.0"])
def test_the_model_sees_the_leak_of_a_release_that_cached(release, aws, api):
    answers = leaked_reads(json.loads(release.read_text()), aws, api)
    assert [a["statusCode"] for a in answers] == [200, 200, 200]
    assert json.loads(answers[0]["body"])["name"] == "secret plans"
