"""Serving behind a reverse proxy, and under a path prefix.

Forwarding headers are believed only from ``PODIUM_TRUSTED_PROXIES``: anyone can send
``X-Forwarded-For``, so from anyone else they would let a client pick its own address
(dodging the login throttle, reaching loopback-only /metrics) or claim HTTPS.

The prefix (``PODIUM_ROOT_PATH``, or a trusted ``X-Forwarded-Prefix``) becomes the ASGI
``root_path``; ``path`` then carries it too, as uvicorn and Starlette's routing expect,
whether the proxy kept it or stripped it. The app itself speaks unprefixed paths: pages
prefix theirs with ``root`` (see ``podium.web.render``) and this middleware prefixes
the ``Location`` of redirects, so no route needs to know where it is mounted.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

PREFIX = re.compile(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*")
SCHEMES = {"http": "http", "https": "https"}
SOCKET_SCHEMES = {"http": "ws", "https": "wss"}


def parse_networks(raw: str) -> tuple[Network, ...] | None:
    """``127.0.0.1,::1,10.0.0.0/8`` as networks; ``*`` (trust everyone) as None."""
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if "*" in items:
        return None
    return tuple(ipaddress.ip_network(item, strict=False) for item in items)


def normal_prefix(raw: str) -> str | None:
    """``/podium/`` as ``/podium``, ``/`` or empty as ``""``; None if not a plain path."""
    value = raw.strip().rstrip("/")
    if value and not value.startswith("/"):
        value = "/" + value
    return value if PREFIX.fullmatch(value) and "//" not in value else None


def root_of(scope: Scope) -> str:
    """The prefix the whole site is served under (a mount's own ``root_path`` is longer)."""
    return str(scope.get("app_root_path", scope.get("root_path", "")))


def app_path(scope: Scope) -> str:
    """The request path without the site's prefix, as the app's routes name it."""
    path = str(scope["path"])
    root = root_of(scope)
    if root and (path == root or path.startswith(root + "/")):
        return path[len(root) :] or "/"
    return path


class Forwarded:
    """Applies a trusted proxy's forwarding headers and the path prefix to each request."""

    def __init__(self, app: ASGIApp, trusted: str = "127.0.0.1,::1", root_path: str = "") -> None:
        self.app = app
        self.networks = parse_networks(trusted)
        self.root_path = normal_prefix(root_path) or ""

    def trusts(self, host: str) -> bool:
        if self.networks is None:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self.networks)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        scope = dict(scope)
        prefix = self.root_path
        client = scope.get("client")
        if client and self.trusts(client[0]):
            prefix = self._believe(scope, prefix)
        if not prefix:
            await self.app(scope, receive, send)
            return
        _mount(scope, prefix)

        async def prefixed(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (name, prefix.encode("latin-1") + value if _relative(name, value) else value)
                    for name, value in message.get("headers", [])
                ]
            await send(message)

        await self.app(scope, receive, prefixed)

    def _believe(self, scope: Scope, prefix: str) -> str:
        """Take client, scheme, host and prefix from a trusted proxy's headers."""
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", []):
            key = name.decode("latin-1").lower()
            if key.startswith("x-forwarded-"):
                text = value.decode("latin-1")
                headers[key] = f"{headers[key]},{text}" if key in headers else text
        hops = [hop.strip() for hop in headers.get("x-forwarded-for", "").split(",")]
        hops = [hop for hop in hops if hop]
        if hops:
            # The nearest address our proxies did not add is the client; any further
            # left were written by the client itself and prove nothing.
            chosen = next((hop for hop in reversed(hops) if not self.trusts(hop)), hops[0])
            scope["client"] = (chosen, 0)
        proto = _first(headers.get("x-forwarded-proto", "")).lower()
        table = SOCKET_SCHEMES if scope["type"] == "websocket" else SCHEMES
        if proto in table:
            scope["scheme"] = table[proto]
        host = _first(headers.get("x-forwarded-host", ""))
        if host and all(c.isalnum() or c in ".-:[]" for c in host):
            scope["headers"] = [(n, v) for n, v in scope.get("headers", []) if n.lower() != b"host"]
            scope["headers"].append((b"host", host.encode("latin-1")))
        if "x-forwarded-prefix" in headers:
            forwarded = normal_prefix(_first(headers["x-forwarded-prefix"]))
            if forwarded is not None:
                return forwarded
        return prefix


def _first(value: str) -> str:
    return value.split(",", 1)[0].strip()


def _mount(scope: Scope, prefix: str) -> None:
    """Make ``path`` start with the prefix (if the proxy stripped it) and set ``root_path``."""
    path = str(scope["path"])
    if path != prefix and not path.startswith(prefix + "/"):
        scope["path"] = prefix + path
        raw = scope.get("raw_path")
        if isinstance(raw, bytes):
            scope["raw_path"] = prefix.encode("latin-1") + raw
    scope["root_path"] = prefix
    scope["app_root_path"] = prefix


def _relative(name: bytes, value: bytes) -> bool:
    """A ``Location`` naming a path of this site (``/x``, not ``//host/x`` or a URL)."""
    return name.lower() == b"location" and value.startswith(b"/") and not value.startswith(b"//")
