"""The baseline server: a bare Starlette JSON endpoint shaped like a leaderboard page."""

from __future__ import annotations

import argparse

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

PAGE = {
    "total": 1_000_000,
    "offset": 9_900,
    "rows": [
        {
            "rank": 9_901 + i,
            "subject": "person",
            "subject_id": 9_901 + i,
            "score": 60_000 + i,
            "display": "0:01:00.000",
            "set_at": "2026-06-06T10:00:00Z",
        }
        for i in range(100)
    ],
}


async def page(_request: Request) -> JSONResponse:
    return JSONResponse(PAGE)


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


app = Starlette(routes=[Route("/page", page), Route("/healthz", health)])

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    uvicorn.run(app, host="127.0.0.1", port=parser.parse_args().port, log_level="warning")
