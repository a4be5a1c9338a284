"""The function's boto3 objects (and its cache client), each built when a request first needs it and
kept for the container.

Building them (service models, endpoint rules, the DynamoDB resource model) costs more than the rest
of the handler's import, and a request needs only some of them: only writes publish events, only
paging reads the application secret, and a request refused before the grant check needs none. So an
on-demand container builds each on first use, once; a warm request finds it built.

Under provisioned concurrency Lambda runs the init phase before any request is routed to the
environment (`AWS_LAMBDA_INITIALIZATION_TYPE` is `provisioned-concurrency`), so there `build_all`
builds everything at import, off the request path.

The cache client exists only when a cache is configured (`CACHE_ENDPOINT`): only then is redis-py
imported, so a function without a cache never pays for it. Likewise the DAX table (`DAX_ENDPOINT`)
and `amazondax`. `build_all` leaves the DAX table out: building it connects to the cluster, and a
cluster that cannot be reached must not fail init, so the handler builds it through the DAX guard
(`items_api.dax.DaxItems.warm`).
"""

from __future__ import annotations

import os
from functools import cached_property

import boto3

from items_api.settings import Settings

PROVISIONED = "provisioned-concurrency"


def is_provisioned() -> bool:
    return os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") == PROVISIONED


class AwsClients:
    """The item table, the grants table, EventBridge, Secrets Manager and the cache, built on first access."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _dynamodb(self):
        return boto3.resource("dynamodb")

    @cached_property
    def item_table(self):
        return self._dynamodb.Table(self._settings.table_name)

    @cached_property
    def grants_table(self):
        return self._dynamodb.Table(self._settings.grants_table_name)

    @cached_property
    def events(self):
        return boto3.client("events")

    @cached_property
    def secrets(self):
        return boto3.client("secretsmanager")

    @cached_property
    def cache_client(self):
        """The container's one redis-py client (it pools connections): TLS with the certificate
        verified against the system trust store, IAM authentication, short timeouts, one retry (a
        pooled connection may have been closed by a failover) and no backoff."""
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        from items_api.cache import IamAuthToken
        from items_api.guard import TIMEOUT_SECONDS

        cache = self._settings.cache
        return redis.Redis(
            host=cache.host,
            port=cache.port,
            ssl=True,
            ssl_cert_reqs="required",
            ssl_check_hostname=True,
            credential_provider=IamAuthToken(cache.user, cache.name, boto3.Session()),
            socket_timeout=TIMEOUT_SECONDS,
            socket_connect_timeout=TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), retries=1),
            decode_responses=True,
        )

    @cached_property
    def dax_table(self):
        """The item table through the container's one DAX client (thread-safe; it keeps its own
        connections and a background refresh of the cluster's nodes). A botocore session, not a
        boto3 one: amazondax 2.1.0 copies a boto3 session through `Session.credentials`, which
        botocore does not have (AttributeError)."""
        import botocore.session
        from amazondax import AmazonDaxClient

        from items_api.dax import CLIENT_CONFIG

        resource = AmazonDaxClient.resource(
            session=botocore.session.get_session(), endpoint_url=self._settings.dax_endpoint, config=CLIENT_CONFIG
        )
        return resource.Table(self._settings.table_name)

    def build_all(self) -> None:
        names = ("item_table", "grants_table", "events", "secrets")
        for name in (*names, "cache_client") if self._settings.cache is not None else names:
            getattr(self, name)
