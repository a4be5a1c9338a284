"""The routes of the items API, over a store and an event publisher."""

from __future__ import annotations

from aws_lambda_powertools.event_handler import Response

from items_api import requests
from items_api.events import ItemEvents
from items_api.store import Conflict, ItemStore, to_api
from tap_http import ApiError, HttpApi, Route, json_response, service_unavailable

# Without If-Match a write is last-writer-wins, yet atomic: on a concurrent change we re-read and
# retry; after this many conflicts the request is answered 503 rather than looping.
MAX_ATTEMPTS = 5


def etag(record: dict) -> dict[str, str]:
    return {"ETag": f'"{int(record["version"])}"'}


class ItemRoutes:
    """Route handlers; `bind()` them to the `HttpApi` that dispatches to them."""

    def __init__(self, store: ItemStore, events: ItemEvents) -> None:
        self._store = store
        self._events = events
        self._api: HttpApi | None = None

    def bind(self, api: HttpApi) -> None:
        self._api = api

    @property
    def _event(self) -> dict:
        return self._api.event

    def _tenant(self) -> str:
        return requests.tenant_of(self._event)

    def routes(self) -> list[Route]:
        return [
            Route("/items", "POST", self.create),
            Route("/items", "GET", self.list),
            Route("/items/<item_id>", "GET", self.get),
            Route("/items/<item_id>", "PUT", self.replace),
            Route("/items/<item_id>", "DELETE", self.delete),
            Route("/metrics", "GET", self.metrics),
        ]

    def create(self) -> Response:
        tenant = self._tenant()
        record = self._store.create(tenant, requests.body_of(self._event))
        self._events.publish("ItemCreated", tenant, record["item_id"], 1)
        return json_response(201, to_api(record), etag(record))

    def list(self) -> Response:
        tenant = self._tenant()
        limit = requests.limit_of(self._event)
        after = requests.decode_next_token(self._event, tenant)
        records, last = self._store.page(tenant, limit, after)
        token = requests.encode_next_token(tenant, last) if last else None
        return json_response(200, {"items": [to_api(r) for r in records], "next_token": token})

    def get(self, item_id: str) -> Response:
        record = self._current(self._tenant(), requests.item_id_of(item_id))
        return json_response(200, to_api(record), etag(record))

    def replace(self, item_id: str) -> Response:
        tenant = self._tenant()
        item_id = requests.item_id_of(item_id)
        expected = requests.if_match_of(self._event)
        data = requests.body_of(self._event)
        record = self._write(tenant, item_id, expected, lambda current: self._store.replace(current, data))
        self._events.publish("ItemUpdated", tenant, item_id, int(record["version"]))
        return json_response(200, to_api(record), etag(record))

    def delete(self, item_id: str) -> Response:
        tenant = self._tenant()
        item_id = requests.item_id_of(item_id)
        expected = requests.if_match_of(self._event)
        deleted = self._write(tenant, item_id, expected, lambda current: self._store.delete(current) or current)
        self._events.publish("ItemDeleted", tenant, item_id, int(deleted["version"]))
        return Response(status_code=204, content_type=None, body="")

    def metrics(self) -> Response:
        tenant = self._tenant()
        return json_response(200, {"tenant_id": tenant, "item_count": self._store.count(tenant)})

    def _current(self, tenant: str, item_id: str) -> dict:
        record = self._store.get(tenant, item_id)
        if record is None:
            raise ApiError(404, "not_found", "No such item.")
        return record

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
