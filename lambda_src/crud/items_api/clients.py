"""The function's boto3 objects, each built when a request first needs it and kept for the container.

Building them (service models, endpoint rules, the DynamoDB resource model) costs more than the rest
of the handler's import, and a request needs only some of them: only writes publish events, only
paging reads the application secret, and a request refused before the grant check needs none. So an
on-demand container builds each on first use, once; a warm request finds it built.

Under provisioned concurrency Lambda runs the init phase before any request is routed to the
environment (`AWS_LAMBDA_INITIALIZATION_TYPE` is `provisioned-concurrency`), so there `build_all`
builds everything at import, off the request path.
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
    """The item table, the grants table, EventBridge and Secrets Manager, built on first access."""

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

    def build_all(self) -> None:
        for name in ("item_table", "grants_table", "events", "secrets"):
            getattr(self, name)
