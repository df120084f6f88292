"""Podium's native REST API v1: the server routes live in submodules; the Python client is here.

from podium.api import Client

with Client("http://127.0.0.1:8000", token="pdm_…") as podium:
    org = podium.create_organization(slug="acme", name="Acme Racing")
"""

from __future__ import annotations

from podium.api._base import RetryPolicy
from podium.api._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PodiumError,
    RateLimitError,
    UnprocessableEntityError,
)
from podium.api.client import AsyncClient, AsyncPaginator, Client, Paginator
from podium.api.models import Page
from podium.api.webhooks import verify_webhook

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AsyncPaginator",
    "AuthenticationError",
    "BadRequestError",
    "Client",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "Page",
    "Paginator",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PodiumError",
    "RateLimitError",
    "RetryPolicy",
    "UnprocessableEntityError",
    "verify_webhook",
]
