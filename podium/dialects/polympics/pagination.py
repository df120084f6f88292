"""Walking the server's numbered pages (``/accounts/search``, ``/teams/search``).

Pages count from 0. The server answers a page past the end with an empty ``data``
rather than an error, and every page carries the totals, so iteration can stop
either on an empty page or when the totals say there is nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from podium.dialects.polympics.models import as_object

__all__ = ["Page", "PageMeta", "Paginator"]

T = TypeVar("T")


@dataclass(frozen=True)
class PageMeta:
    """Where a page sits: its number, its size, and the totals at the time it was read."""

    page: int
    per_page: int
    pages: int
    results: int


@dataclass(frozen=True)
class Page(Generic[T]):
    meta: PageMeta
    items: list[T]

    @classmethod
    def from_dict(cls, data: Any, parse: Callable[[Any], T]) -> Page[T]:
        obj = as_object(data, "a page")
        numbers = {}
        for key in ("page", "per_page", "pages", "results"):
            value = obj[key]
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{key!r} should be an integer, not {type(value).__name__}")
            numbers[key] = value
        items = obj["data"]
        if not isinstance(items, list):
            raise TypeError(f"'data' should be a list, not {type(items).__name__}")
        return cls(PageMeta(**numbers), [parse(item) for item in items])


class Paginator(Generic[T]):
    """The results of a search, fetched a page at a time as they are needed.

    ``async for`` walks every result from page 0 and may be repeated (each walk starts
    over); ``get_page(n)`` reads one page. Either way ``meta`` then describes the page
    read last, so ``meta.results`` is the total count once anything has been fetched.
    """

    def __init__(self, fetch: Callable[[int], Awaitable[Page[T]]]) -> None:
        # The client binds the route and filters into ``fetch``; this class only counts.
        self._fetch = fetch
        self.meta: PageMeta | None = None

    async def get_page(self, page: int) -> list[T]:
        """The items on page ``page`` (0-based); an empty list past the last page."""
        found = await self._fetch(page)
        self.meta = found.meta
        return found.items

    async def __aiter__(self) -> AsyncIterator[T]:
        page = 0
        while True:
            items = await self.get_page(page)
            for item in items:
                yield item
            page += 1
            # The totals make a request for the empty page after the last one unneeded.
            if not items or (self.meta is not None and page >= self.meta.pages):
                return

    def __repr__(self) -> str:
        return f"Paginator(meta={self.meta!r})"
