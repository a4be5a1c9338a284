"""The routes of the items API, over a store, an event publisher, tenant access and tokens."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from aws_lambda_powertools.event_handler import Response

import tap_contract
from items_api import requests
from items_api.access import TenantAccess
from items_api.events import ItemEvents
from items_api.store import Conflict, ItemStore, to_api
from items_api.tokens import NextTokens
from tap_http import ApiError, HttpApi, Route, json_response, routes_for, service_unavailable

if TYPE_CHECKING:  # imported by the handler only when a cache is configured
    from items_api.guard import ReadThrough

# Without If-Match a write is last-writer-wins, yet atomic: on a concurrent change we re-read and
# retry; after this many conflicts the request is answered 503 rather than looping.
MAX_ATTEMPTS = 5


def etag(record: dict) -> dict[str, str]:
    return {"ETag": f'"{int(record["version"])}"'}


class ItemRoutes:
    """Route handlers; `bind()` them to the `HttpApi` that dispatches to them.

    Every route acts for a tenant, so every route is wrapped by `_for_tenant`: the tenant header is
    parsed and checked against the caller's grant before the handler runs, hence before any read,
    write, count or listing of items. A handler receives the tenant only from that wrapper.

    With a `cache` (`items_api.cache` or `items_api.dax`), `GET /items/{id}` reads through it and
    every successful write is reported to it; the reads behind a write, lists and counts always go
    to DynamoDB.
    """

    def __init__(
        self,
        store: ItemStore,
        events: ItemEvents,
        access: TenantAccess,
        tokens: NextTokens,
        cache: ReadThrough | None = None,
    ) -> None:
        self._store = store
        self._events = events
        self._access = access
        self._tokens = tokens
        self._cache = cache
        self._api: HttpApi | None = None

    def bind(self, api: HttpApi) -> None:
        self._api = api

    @property
    def _event(self) -> dict:
        return self._api.event

    def _for_tenant(self, handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def checked(**path_parameters: str) -> Response:
            tenant = requests.tenant_of(self._event)
            self._access.check(self._event, tenant)
            return handler(tenant, **path_parameters)

        return checked

    def routes(self) -> list[Route]:
        """The CRUD function's routes of the API contract; path parameters arrive as named there."""
        scoped = self._for_tenant
        return routes_for(
            tap_contract.CRUD,
            {
                ("POST", "items"): scoped(self.create),
                ("GET", "items"): scoped(self.list),
                ("GET", "items/{id}"): scoped(self.get),
                ("PUT", "items/{id}"): scoped(self.replace),
                ("DELETE", "items/{id}"): scoped(self.delete),
                ("GET", "metrics"): scoped(self.metrics),
            },
        )

    def create(self, tenant: str) -> Response:
        record = self._store.create(tenant, requests.body_of(self._event))
        if self._cache is not None:
            self._cache.written(record)
        self._events.publish("ItemCreated", tenant, record["item_id"], 1)
        return json_response(201, to_api(record), etag(record))

    def list(self, tenant: str) -> Response:
        limit = requests.limit_of(self._event)
        raw_token = requests.next_token_of(self._event)
        after = None if raw_token is None else self._tokens.read(raw_token, tenant)
        records, last = self._store.page(tenant, limit, after)
        token = self._tokens.issue(tenant, last) if last else None
        return json_response(200, {"items": [to_api(r) for r in records], "next_token": token})

    def get(self, tenant: str, id: str) -> Response:
        item_id = requests.item_id_of(id)
        load = functools.partial(self._store.get, tenant, item_id)
        record = _found(load() if self._cache is None else self._cache.read(tenant, item_id, load))
        return json_response(200, to_api(record), etag(record))

    def replace(self, tenant: str, id: str) -> Response:
        item_id = requests.item_id_of(id)
        expected = requests.if_match_of(self._event)
        data = requests.body_of(self._event)
        record = self._write(tenant, item_id, expected, lambda current: self._store.replace(current, data))
        if self._cache is not None:
            self._cache.written(record)
        self._events.publish("ItemUpdated", tenant, item_id, int(record["version"]))
        return json_response(200, to_api(record), etag(record))

    def delete(self, tenant: str, id: str) -> Response:
        item_id = requests.item_id_of(id)
        expected = requests.if_match_of(self._event)
        deleted = self._write(tenant, item_id, expected, lambda current: self._store.delete(current) or current)
        if self._cache is not None:
            self._cache.deleted(deleted)
        self._events.publish("ItemDeleted", tenant, item_id, int(deleted["version"]))
        return Response(status_code=204, content_type=None, body="")

    def metrics(self, tenant: str) -> Response:
        return json_response(200, {"tenant_id": tenant, "item_count": self._store.count(tenant)})

    def _current(self, tenant: str, item_id: str) -> dict:
        return _found(self._store.get(tenant, item_id))

    def _write(self, tenant: str, item_id: str, expected: int | None, write) -> dict:
        """Apply `write` to the current record atomically: 404 when absent, 412 when the version
        is not `expected`; without `expected`, retry when another write got in between."""
        for _ in range(MAX_ATTEMPTS):
            current = self._current(tenant, item_id)
            if expected is not None and int(current["version"]) != expected:
                raise ApiError(412, "precondition_failed", f"The item is at version {int(current['version'])}.")
            try:
                return write(current)
            except Conflict:
                if expected is not None:
                    raise ApiError(412, "precondition_failed", "The item changed during the request.") from None
        raise service_unavailable()


def _found(record: dict | None) -> dict:
    if record is None:
        raise ApiError(404, "not_found", "No such item.")
    return record
