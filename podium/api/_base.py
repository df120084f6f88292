"""What the sync and async clients share: requests as data, response parsing, retry decisions.

Nothing here does I/O, so ``Client`` and ``AsyncClient`` differ only in whether they
await; a route's path, body and response model are written down once, in ``Call``s
built from the resource table below.
"""

from __future__ import annotations

import email.utils
import math
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

from podium import __version__
from podium.api import models
from podium.api._errors import APIResponseValidationError, status_error

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
C = TypeVar("C", bound=BaseModel)
U = TypeVar("U", bound=BaseModel)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
API_PREFIX = "/api/v1"


def api_root(base_url: str) -> str:
    """The v1 root for a server root, or for a URL that already names the v1 root."""
    root = str(base_url).rstrip("/")
    return root if root.endswith(API_PREFIX) else root + API_PREFIX


def default_headers(token: str | None) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": f"podium-python/{__version__}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


# Requests ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API request and how to read its success body (``None`` for 204)."""

    method: str
    path: str
    parse: Callable[[Any], T]
    params: dict[str, Any] | None = None
    json: Any = None


@dataclass(frozen=True, slots=True)
class Resource(Generic[M, C, U]):
    """A concept with the shared routes: ``path/{id}`` for get/update/delete.

    ``nested`` is the collection under its parent (``/competitions/{}/entries``) for
    concepts that are listed and created there rather than at ``path``.
    """

    path: str
    model: type[M]
    create: type[C]
    update: type[U]
    nested: str | None = None

    def collection(self, parent_id: int | None) -> str:
        if self.nested is None:
            return self.path
        if parent_id is None:
            raise TypeError(f"{self.path} lives under a parent; pass its id")
        return self.nested.format(_id(parent_id))

    def item(self, object_id: int) -> str:
        return f"{self.path}/{_id(object_id)}"


ORGANIZATIONS = Resource(
    "/organizations", models.Organization, models.OrganizationCreate, models.OrganizationUpdate
)
PEOPLE = Resource("/people", models.Person, models.PersonCreate, models.PersonUpdate)
TEAMS = Resource("/teams", models.Team, models.TeamCreate, models.TeamUpdate)
COMPETITIONS = Resource(
    "/competitions", models.Competition, models.CompetitionCreate, models.CompetitionUpdate
)
CHALLENGES = Resource(
    "/challenges", models.Challenge, models.ChallengeCreate, models.ChallengeUpdate
)
ENTRIES = Resource(
    "/entries", models.Entry, models.EntryCreate, models.EntryUpdate, "/competitions/{}/entries"
)
ROUNDS = Resource(
    "/rounds", models.Round, models.RoundCreate, models.RoundUpdate, "/competitions/{}/rounds"
)
HEATS = Resource("/heats", models.Heat, models.HeatCreate, models.HeatUpdate, "/rounds/{}/heats")
SLOTS = Resource("/slots", models.Slot, models.SlotCreate, models.SlotUpdate, "/heats/{}/slots")
RESULTS = Resource(
    "/results",
    models.Result,
    models.ResultCreate,
    models.ResultCorrection,
    "/competitions/{}/results",
)
RESULT_SETS = Resource(
    "/result-sets",
    models.ResultSet,
    models.ResultSetCreate,
    models.ResultSetUpdate,
    "/competitions/{}/result-sets",
)
AWARDS = Resource("/awards", models.Award, models.AwardCreate, models.AwardUpdate)


def _id(value: int) -> int:
    # An id goes into a path: refuse anything that is not an int ("../tokens", True).
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"ids are ints, not {type(value).__name__}")
    return value


def _nothing(_body: Any) -> None:
    return None


def _list_of(model: type[M]) -> Callable[[Any], list[M]]:
    return TypeAdapter(list[model]).validate_python  # type: ignore[valid-type]


def _page_of(model: type[M]) -> Callable[[Any], models.Page[M]]:
    page: type[models.Page[M]] = models.Page[model]  # type: ignore[valid-type]
    return page.model_validate


def body_of(command: type[C], data: C | None, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body for a command given as a model or as keywords, never both.

    Keywords are validated by the command model here, so a typo fails before the
    request. Only the fields the caller set are sent: for PATCH that is the point
    (an explicit ``None`` clears a field), for POST the server fills the same defaults.
    """
    if data is None:
        data = command.model_validate(dict(fields))
    elif fields:
        raise TypeError("pass the command model or keyword arguments, not both")
    elif not isinstance(data, command):
        raise TypeError(f"expected {command.__name__}, got {type(data).__name__}")
    return data.model_dump(mode="json", exclude_unset=True)


def query(**params: Any) -> dict[str, Any]:
    """Query parameters without the unset (None) ones."""
    return {k: v for k, v in params.items() if v is not None}


def list_call(
    res: Resource[M, Any, Any],
    parent_id: int | None,
    params: Mapping[str, Any],
    cursor: str | None,
    limit: int | None,
) -> Call[models.Page[M]]:
    return Call(
        "GET",
        res.collection(parent_id),
        _page_of(res.model),
        query(**params, cursor=cursor, limit=limit),
    )


def get_call(res: Resource[M, Any, Any], object_id: int) -> Call[M]:
    return Call("GET", res.item(object_id), res.model.model_validate)


def create_call(
    res: Resource[M, C, Any],
    data: C | None,
    fields: Mapping[str, Any],
    parent_id: int | None = None,
) -> Call[M]:
    body = body_of(res.create, data, fields)
    return Call("POST", res.collection(parent_id), res.model.model_validate, json=body)


def update_call(
    res: Resource[M, Any, U], object_id: int, data: U | None, fields: Mapping[str, Any]
) -> Call[M]:
    body = body_of(res.update, data, fields)
    return Call("PATCH", res.item(object_id), res.model.model_validate, json=body)


def delete_call(
    res: Resource[Any, Any, Any], object_id: int, reason: str | None = None
) -> Call[None]:
    params = {"reason": reason} if reason is not None else None
    return Call("DELETE", res.item(object_id), _nothing, params=params)


def result_history_call(result_id: int) -> Call[list[models.AuditEntry]]:
    return Call("GET", f"/results/{_id(result_id)}/history", _list_of(models.AuditEntry))


def audit_call(
    competition_id: int, after: int = 0, limit: int = 200, result_id: int | None = None
) -> Call[models.AuditPage]:
    params: dict[str, Any] = {"after": after, "limit": limit}
    if result_id is not None:
        params["result_id"] = result_id
    path = f"/competitions/{_id(competition_id)}/audit"
    return Call("GET", path, models.AuditPage.model_validate, params=params)


def undo_call(seq: int, reason: str | None = None) -> Call[models.Event]:
    body = {"reason": reason} if reason is not None else {}
    return Call("POST", f"/events/{_id(seq)}/undo", models.Event.model_validate, json=body)


# Routes outside the shared pattern.


def list_members_call(team_id: int) -> Call[list[models.TeamMember]]:
    return Call("GET", f"/teams/{_id(team_id)}/members", _list_of(models.TeamMember))


def add_member_call(
    team_id: int, data: models.MemberAdd | None, fields: Mapping[str, Any]
) -> Call[models.TeamMember]:
    body = body_of(models.MemberAdd, data, fields)
    path = f"/teams/{_id(team_id)}/members"
    return Call("POST", path, models.TeamMember.model_validate, json=body)


def remove_member_call(team_id: int, person_id: int) -> Call[None]:
    return Call("DELETE", f"/teams/{_id(team_id)}/members/{_id(person_id)}", _nothing)


def bulk_results_call(
    competition_id: int, rows: Iterable[models.ResultCreate | Mapping[str, Any]]
) -> Call[models.BulkResultsCreated]:
    bulk = models.BulkResults.model_validate({"results": list(rows)})
    return Call(
        "POST",
        f"/competitions/{_id(competition_id)}/results/bulk",
        models.BulkResultsCreated.model_validate,
        json=bulk.model_dump(mode="json", exclude_unset=True),
    )


def award_holder_call(method: str, award_id: int, person_id: int) -> Call[None]:
    return Call(method, f"/awards/{_id(award_id)}/holders/{_id(person_id)}", _nothing)


def create_token_call(
    data: models.TokenCreate | None, fields: Mapping[str, Any]
) -> Call[models.TokenCreated]:
    body = body_of(models.TokenCreate, data, fields)
    return Call("POST", "/tokens", models.TokenCreated.model_validate, json=body)


def list_tokens_call() -> Call[list[models.Token]]:
    return Call("GET", "/tokens", _list_of(models.Token))


def revoke_token_call(token_id: int) -> Call[None]:
    return Call("DELETE", f"/tokens/{_id(token_id)}", _nothing)


def list_credentials_call(
    organization_id: int | None, kinds: Iterable[str], sessions: bool
) -> Call[list[models.CredentialInfo]]:
    params = query(organization_id=organization_id, kind=list(kinds) or None)
    if sessions:
        params["sessions"] = "true"
    return Call("GET", "/credentials", _list_of(models.CredentialInfo), params)


def revoke_credential_call(credential_id: int) -> Call[None]:
    return Call("DELETE", f"/credentials/{_id(credential_id)}", _nothing)


def list_events_call(
    after: int, limit: int | None, organization_id: int | None, competition_id: int | None
) -> Call[list[models.Event]]:
    params = query(
        after=after, limit=limit, organization_id=organization_id, competition_id=competition_id
    )
    return Call("GET", "/events", _list_of(models.Event), params)


def create_webhook_call(body: dict[str, Any]) -> Call[models.WebhookCreated]:
    return Call("POST", "/webhooks", models.WebhookCreated.model_validate, json=body)


def list_webhooks_call() -> Call[list[models.Webhook]]:
    return Call("GET", "/webhooks", _list_of(models.Webhook))


def get_webhook_call(webhook_id: int) -> Call[models.Webhook]:
    return Call("GET", f"/webhooks/{_id(webhook_id)}", models.Webhook.model_validate)


def update_webhook_call(webhook_id: int, body: dict[str, Any]) -> Call[models.Webhook]:
    path = f"/webhooks/{_id(webhook_id)}"
    return Call("PATCH", path, models.Webhook.model_validate, json=body)


def delete_webhook_call(webhook_id: int) -> Call[None]:
    return Call("DELETE", f"/webhooks/{_id(webhook_id)}", _nothing)


def list_deliveries_call(
    webhook_id: int, state: str | None, limit: int | None
) -> Call[list[models.WebhookDelivery]]:
    path = f"/webhooks/{_id(webhook_id)}/deliveries"
    return Call("GET", path, _list_of(models.WebhookDelivery), query(state=state, limit=limit))


def replay_delivery_call(webhook_id: int, delivery_id: int) -> Call[models.WebhookDelivery]:
    path = f"/webhooks/{_id(webhook_id)}/deliveries/{_id(delivery_id)}/replay"
    return Call("POST", path, models.WebhookDelivery.model_validate)


def feed_params(
    since_token: str | None,
    organization_id: int | None,
    competition_id: int | None,
    types: Sequence[str] | None,
    follow: bool,
) -> dict[str, Any]:
    return query(
        since_token=since_token,
        organization_id=organization_id,
        competition_id=competition_id,
        types=",".join(types) if types else None,
        stream="true" if follow else "false",
    )


def feed_event(line: str) -> models.FeedEvent | None:
    """One NDJSON line of the feed; None for a keep-alive."""
    return models.FeedEvent.model_validate_json(line) if line.strip() else None


# Responses -----------------------------------------------------------------------------


def parse_response(call: Call[T], response: httpx.Response) -> T:
    """The call's result from a response whose body has been read, or the mapped error."""
    if not response.is_success:
        raise status_error(response)
    body: Any = None
    if response.status_code != 204 and response.content:
        try:
            body = response.json()
        except ValueError:
            raise APIResponseValidationError(
                f"{call.method} {call.path}: the response body is not JSON",
                response=response,
                body=response.text,
            ) from None
    try:
        return call.parse(body)
    except ValidationError as exc:
        raise APIResponseValidationError(
            f"{call.method} {call.path}: unexpected response body: {exc}",
            response=response,
            body=body,
        ) from exc


# Retries -------------------------------------------------------------------------------

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})

# Failures after which the request may have reached the server.
_RETRYABLE_ERRORS: tuple[type[Exception], ...] = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
)
# Failures that happen before a byte of the request is sent.
_UNSENT_ERRORS: tuple[type[Exception], ...] = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)


@dataclass(frozen=True)
class RetryPolicy:
    """When to send a request again, and after how long.

    Idempotent methods (GET, PUT, DELETE, …) are retried on 429, 502, 503 and 504 and
    on connection errors and timeouts. POST and PATCH could act twice, so they are
    retried only when the server cannot have acted on them: a 429 or 503 carrying
    ``Retry-After``, or a failure to connect before the request was sent.

    The wait is ``Retry-After`` when the response has one (seconds or an HTTP date,
    capped at ``max_retry_after``), otherwise ``base_delay * 2**n`` capped at
    ``max_delay`` and shortened by up to a quarter at random, so clients that failed
    together do not come back together.
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    jitter: Callable[[], float] = field(default=random.random, repr=False)

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")

    def backoff(self, retries_done: int) -> float:
        delay = min(self.max_delay, self.base_delay * 2.0**retries_done)
        return delay * (1 - 0.25 * self.jitter())

    def after_response(
        self, method: str, retries_done: int, response: httpx.Response
    ) -> float | None:
        """Seconds to wait before retrying, or None to accept this response."""
        status = response.status_code
        if retries_done >= self.max_retries or status not in RETRY_STATUSES:
            return None
        wait = self.retry_after(response.headers.get("Retry-After"))
        if method.upper() not in IDEMPOTENT_METHODS and not (
            status in (429, 503) and wait is not None
        ):
            return None
        return wait if wait is not None else self.backoff(retries_done)

    def after_error(self, method: str, retries_done: int, error: Exception) -> float | None:
        """Seconds to wait before retrying after a transport error, or None to raise it."""
        if retries_done >= self.max_retries:
            return None
        retryable = _RETRYABLE_ERRORS if method.upper() in IDEMPOTENT_METHODS else _UNSENT_ERRORS
        return self.backoff(retries_done) if isinstance(error, retryable) else None

    def retry_after(self, value: str | None) -> float | None:
        """``Retry-After`` in seconds (delta-seconds or HTTP date), or None if absent/garbled."""
        if not value:
            return None
        try:
            seconds = float(value.strip())
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError):
                return None
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        if not math.isfinite(seconds):
            return None
        return min(max(seconds, 0.0), self.max_retry_after)


def leaderboard_call(
    competition_id: int,
    offset: int,
    limit: int,
    challenge_id: int | None,
    group: str | None = None,
) -> Call[models.Leaderboard]:
    params = query(offset=offset, limit=limit, challenge_id=challenge_id, group=group)
    path = f"/competitions/{_id(competition_id)}/leaderboard"
    return Call("GET", path, models.Leaderboard.model_validate, params)


def categories_call(competition_id: int) -> Call[models.Categories]:
    path = f"/competitions/{_id(competition_id)}/categories"
    return Call("GET", path, models.Categories.model_validate, {})


def position_call(
    competition_id: int, value: str | None, score: int | None, challenge_id: int | None
) -> Call[models.Position]:
    params = query(value=value, score=score, challenge_id=challenge_id)
    path = f"/competitions/{_id(competition_id)}/leaderboard/position"
    return Call("GET", path, models.Position.model_validate, params)


def standing_call(
    competition_id: int,
    subject: str,
    subject_id: int,
    before: int,
    after: int,
    challenge_id: int | None,
) -> Call[models.Surround]:
    if subject not in {"person", "team", "entry"}:
        raise ValueError(f"subject is person, team or entry, not {subject!r}")
    params = query(before=before, after=after, challenge_id=challenge_id)
    path = f"/competitions/{_id(competition_id)}/leaderboard/{subject}/{_id(subject_id)}"
    return Call("GET", path, models.Surround.model_validate, params)
