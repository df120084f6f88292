"""JSON request bodies of the native API, decoded within ``podium.core.limits``.

FastAPI decodes bodies with ``Request.json()``; every native router uses
``LimitedRoute`` so that call goes through the limits (depth, 64-bit integers, NUL,
giant numbers) instead of a bare ``json.loads`` that would crash on some of them.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from podium.core import limits


class LimitedRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = limits.loads(await self.body())
        return self._json


class LimitedRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            return await handler(LimitedRequest(request.scope, request.receive))

        return limited
