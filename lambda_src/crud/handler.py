"""The TAP items API (CRUD, list, metrics per tenant) behind API Gateway REST proxy events.

Thin: settings, logger, metrics and tracer are created once per container, the AWS clients once
too but on first use (`items_api.clients`: at init under provisioned concurrency); the routes live
in `items_api`, the HTTP contract in `tap_http`. Who may act for a tenant is decided by
`items_api.access` (grants table), `next_token` is signed by `items_api.tokens` (application secret).
With `CACHE_ENDPOINT` set, `GET /items/{id}` reads through `items_api.cache` (ElastiCache); with
`DAX_ENDPOINT` set, it reads through DAX and every write goes through DAX too (`items_api.dax`);
without either, nothing of them is imported.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from items_api.access import Grants, TenantAccess, TtlCache
from items_api.clients import AwsClients, is_provisioned
from items_api.events import ItemEvents
from items_api.routes import ItemRoutes
from items_api.settings import Settings
from items_api.store import Clock, ItemStore
from items_api.tokens import AppKeys, NextTokens
from tap_http import HttpApi

logger = Logger()
metrics = Metrics()
tracer = Tracer()
settings = Settings.from_environment()
clients = AwsClients(settings)
if is_provisioned():
    clients.build_all()
item_clock = Clock()
cache = None
if settings.cache is not None:
    from items_api.cache import ItemCache

    cache = ItemCache(lambda: clients.cache_client, settings.cache.ttl_seconds, logger, metrics, item_clock)
if settings.dax_endpoint is not None:
    from items_api.dax import DaxItems, WriteThroughTable, new_guard

    dax_guard = new_guard(logger, metrics)
    cache = DaxItems(lambda: clients.dax_table, dax_guard, metrics, item_clock)
    if is_provisioned():
        cache.warm()


def item_table():
    """The store's table: DynamoDB's own, or with DAX one whose writes go through DAX."""
    if settings.dax_endpoint is None:
        return clients.item_table
    return WriteThroughTable(clients.item_table, lambda: clients.dax_table, dax_guard)


store = ItemStore(item_table, settings.retention_days, item_clock)
events = ItemEvents(lambda: clients.events, settings.event_bus_name, logger, metrics)
grants = Grants(
    lambda: clients.grants_table,
    TtlCache(settings.grants_cache_seconds, settings.grants_cache_max_entries),
    logger,
)
keys = AppKeys(lambda: clients.secrets, settings.app_secret_arn, settings.app_secret_cache_seconds, logger)

routes = ItemRoutes(store, events, TenantAccess(grants, logger, metrics), NextTokens(keys), cache)
api = HttpApi(routes.routes(), logger, metrics)
routes.bind(api)


@logger.inject_lambda_context
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False, capture_error=False)
def handler(event: dict, context: object) -> dict:
    return api.handle(event, context)
