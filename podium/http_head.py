"""HEAD wherever GET answers (RFC 9110 §9.3.2) and a 405's ``Allow`` that tells the truth.

FastAPI routes a GET route for GET only, so HEAD got 405 on every mount; and
Starlette's 405 names the methods of the first route matching the path, not of all
of them. One middleware over the whole app fixes both for the native API, every
dialect, the pages, ``/healthz`` and ``/static``:

- HEAD runs as GET and answers with the GET's status and headers (its
  ``Content-Length`` too) as soon as they are known, and no body. The app is then told
  the client left, so a stream that never ends (the event feed) stops at once.
- A 405's ``Allow`` lists every method that some route of the path takes, with HEAD
  wherever GET is.
"""

from __future__ import annotations

import anyio
from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Host, Match, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
CANDIDATES = tuple(m for m in ORDER if m != "HEAD")  # HEAD goes wherever GET does
DISCONNECT: Message = {"type": "http.disconnect"}


class HeadMiddleware:
    """Answers HEAD as GET without the body, and corrects ``Allow`` on 405s."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif scope["method"] == "HEAD":
            await self._head(scope, receive, send)
        else:
            await self.app(scope, receive, _allowing(scope, send))

    async def _head(self, scope: Scope, receive: Receive, send: Send) -> None:
        answered = anyio.Event()
        as_get = {**scope, "method": "GET"}
        # Our send never fails once the client has its answer, so the app must learn
        # that it left from receive: ASGI 2.3 behaviour, whatever the server speaks.
        asgi = dict(scope.get("asgi") or {})
        if _version(asgi.get("spec_version", "2.0")) > (2, 3):
            asgi["spec_version"] = "2.3"
        as_get["asgi"] = asgi

        async def head_send(message: Message) -> None:
            if answered.is_set() or message["type"] != "http.response.start":
                return  # the body, and anything after the answer, is not sent
            start = {k: v for k, v in message.items() if k != "trailers"}
            await send(_with_allow(as_get, start))
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            answered.set()

        async def head_receive() -> Message:
            if answered.is_set():
                return dict(DISCONNECT)
            message: Message = dict(DISCONNECT)
            async with anyio.create_task_group() as group:

                async def take() -> None:
                    nonlocal message
                    message = await receive()
                    group.cancel_scope.cancel()

                group.start_soon(take)
                await answered.wait()
                group.cancel_scope.cancel()
            return message

        await self.app(as_get, head_receive, head_send)


def _version(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(text).split("."))
    except ValueError:
        return (2, 0)


def _allowing(scope: Scope, send: Send) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = _with_allow(scope, message)
        await send(message)

    return wrapped


def _with_allow(scope: Scope, start: Message) -> Message:
    """The response start with a complete ``Allow`` on a 405 (and HEAD beside GET)."""
    raw = start.get("headers", ())
    if start["status"] != 405 and not any(name.lower() == b"allow" for name, _ in raw):
        return start  # the usual case, kept cheap
    headers = MutableHeaders(raw=list(raw))
    sent = headers.get("allow")
    methods = {m.strip().upper() for m in (sent or "").split(",") if m.strip()}
    if start["status"] == 405:
        methods = _allowed(scope, methods)
    if "GET" in methods:
        methods.add("HEAD")
    if not methods:
        return start
    headers["allow"] = ", ".join(sorted(methods, key=_rank))
    return {**start, "headers": headers.raw}


def _rank(method: str) -> tuple[int, str]:
    return (ORDER.index(method) if method in ORDER else len(ORDER), method)


def _allowed(scope: Scope, sent: set[str]) -> set[str]:
    """The methods the path takes, found by routing the request with each method as the
    app's routers would. When a route took the method and its endpoint refused it (a
    dispatcher for many actions), the endpoint's own ``Allow`` wins if it sent one."""
    routes = getattr(scope.get("app"), "routes", None)
    if routes is None:
        return sent
    taken: set[str] = set()
    for method in CANDIDATES:
        match = _route(list(routes), {**scope, "method": method})
        if match is None:
            return sent
        if match is Match.FULL:
            taken.add(method)
    if scope["method"] in taken:
        return sent or taken - {scope["method"]}
    return taken or sent


def _route(routes: list[BaseRoute], scope: Scope) -> Match | None:
    """FULL if some route takes the request, PARTIAL if one has its path only; None
    where a mounted app has no routes to ask."""
    partial = False
    for route in routes:
        match, child = route.matches(dict(scope))
        if match is Match.PARTIAL:
            partial = True
        if match is not Match.FULL:
            continue
        if not isinstance(route, Mount | Host):
            return Match.FULL
        if isinstance(route.app, StaticFiles):
            return Match.FULL if scope["method"] in ("GET", "HEAD") else Match.PARTIAL
        inner = getattr(route.app, "routes", None)
        return None if inner is None else _route(list(inner), {**scope, **child})
    return Match.PARTIAL if partial else Match.NONE
