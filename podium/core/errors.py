"""Domain errors. Each API layer maps these to its own platform's error shape.

DomainError
├── Invalid          the input breaks a rule (bad value, wrong type, too large)
├── NotFound         no such object, or not visible to the principal
├── Conflict         the change clashes with stored state (duplicate key, in use)
├── Unauthenticated  no credential, or one that does not verify
└── Forbidden        a valid principal lacking the permission
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unauthenticated(DomainError):
    status = 401
    title = "Unauthenticated"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"
