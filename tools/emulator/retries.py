"""A retried request whose first attempt moto already carried out gets that attempt's answer.

The AWS SDK marks every attempt of one call with the same `amz-sdk-invocation-id` and counts them
in `amz-sdk-request: attempt=N`. When an attempt's response does not reach the provider, it sends
the call again; moto, unlike AWS's idempotent APIs and its conflict checks, carries a create out a
second time: a second WAFv2 web ACL of the same name (`WAFDuplicateItemException`, the apply fails)
or a second Lambda permission with the same statement id (destroy removes one, and the provider
waits five minutes for the other to go). Both were seen in CI under full load, one run in four.

`RetryLedger` wraps moto's WSGI application: the first attempt of a call runs as usual and its
successful (2xx) answer is kept for a while; a later attempt of the same call waits for the first
and gets that answer again instead of running twice. A failed first attempt (4xx/5xx) is not kept:
the retry runs, as the SDK intends. Every retry is counted, so the rehearsal reports how often the
emulator's answers were lost.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

KEPT_CALLS = 4096  # retries come within seconds of the first attempt; this is minutes of calls


@dataclass
class _Call:
    done: threading.Event = field(default_factory=threading.Event)
    answer: tuple[str, list, bytes] | None = None


@dataclass
class RetryLedger:
    app: object
    retried: list[str] = field(default_factory=list)
    replayed: list[str] = field(default_factory=list)
    _calls: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ, start_response):
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if not invocation:
            return self.app(environ, start_response)
        with self._lock:
            call = self._calls.get(invocation)
            first = call is None
            if first:
                call = self._calls[invocation] = _Call()
                while len(self._calls) > KEPT_CALLS:
                    self._calls.popitem(last=False)
        if first:
            return self._first(call, environ, start_response)
        return self._again(call, describe(environ), environ, start_response)

    def _first(self, call: _Call, environ, start_response):
        answered: dict = {}

        def keep(status, headers, exc_info=None):
            answered.update(status=status, headers=headers)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            body = b"".join(self.app(environ, keep))
            if answered.get("status", "").startswith("2"):
                call.answer = (answered["status"], answered["headers"], body)
            return [body]
        finally:
            call.done.set()

    def _again(self, call: _Call, what: str, environ, start_response):
        with self._lock:
            self.retried.append(what)
        call.done.wait()
        if call.answer is None:
            return self.app(environ, start_response)
        with self._lock:
            self.replayed.append(what)
        status, headers, body = call.answer
        start_response(status, headers)
        return [body]


def describe(environ) -> str:
    """`POST /path (X-Amz-Target)`: what a call was, for the report."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    return f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}" + (f" ({target})" if target else "")
