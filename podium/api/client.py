"""The native Python client for Podium's REST API v1: ``Client`` and its twin ``AsyncClient``.

Both build every request from ``podium.api._base`` and return the wire models of
``podium.api.models``, so they cannot disagree with each other or with the server.

Conventions, the same for every concept:

* ``get_x(id)``, ``delete_x(id)``; ``create_x(data=None, **fields)`` and
  ``update_x(id, data=None, **fields)`` take the command model (``PersonCreate``…)
  or its fields as keywords. An update sends only the fields given; an explicit
  ``None`` clears a field.
* Concepts that live under a parent take the parent's id first:
  ``create_entry(competition_id, …)``, ``list_heats(round_id)``.
* ``list_x(…)`` returns a lazy ``Paginator``: iterate it for every item across
  pages, or call ``first_page()``. ``limit`` is the page size, ``cursor`` resumes
  from a page's ``next_cursor``.
* Failures raise the tree rooted at ``PodiumError`` (see ``podium.api._errors``),
  after the retries that ``RetryPolicy`` allows.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any, Generic, Self, TypeVar

import httpx
from pydantic import BaseModel

from podium.api import _base
from podium.api._base import Call, Resource, RetryPolicy
from podium.api._errors import APIConnectionError, APITimeoutError
from podium.api.models import (
    AuditEntry,
    Award,
    AwardCreate,
    AwardUpdate,
    BulkResultsCreated,
    Categories,
    Challenge,
    ChallengeCreate,
    ChallengeUpdate,
    Competition,
    CompetitionCreate,
    CompetitionUpdate,
    CredentialInfo,
    Entry,
    EntryCreate,
    EntryUpdate,
    Event,
    FeedEvent,
    Heat,
    HeatCreate,
    HeatUpdate,
    Leaderboard,
    MemberAdd,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Page,
    Person,
    PersonCreate,
    PersonUpdate,
    Position,
    Result,
    ResultCorrection,
    ResultCreate,
    ResultSet,
    ResultSetCreate,
    ResultSetUpdate,
    Round,
    RoundCreate,
    RoundUpdate,
    Slot,
    SlotCreate,
    SlotUpdate,
    Surround,
    Team,
    TeamCreate,
    TeamMember,
    TeamUpdate,
    Token,
    TokenCreate,
    TokenCreated,
    Webhook,
    WebhookCreated,
    WebhookDelivery,
)
from podium.core.fields import ResultStatus

__all__ = ["AsyncClient", "AsyncPaginator", "Client", "Paginator"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

log = logging.getLogger("podium.api.client")

Timeout = float | httpx.Timeout | None


def _transport_error(error: httpx.RequestError) -> APIConnectionError:
    request: httpx.Request | None
    try:
        request = error.request
    except RuntimeError:  # raised before a request existed
        request = None
    where = f"{request.method} {request.url}: " if request is not None else ""
    message = f"{where}{error or type(error).__name__}"
    cls = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    return cls(message, request=request)


def _log_retry(request: httpx.Request, what: object, wait: float, retry: int, most: int) -> None:
    log.info(
        "%s %s: %s; retry %d of %d in %.2fs", request.method, request.url, what, retry, most, wait
    )


# Pages ---------------------------------------------------------------------------------


class Paginator(Generic[T]):
    """Every item of a list, page after page; nothing is fetched until it is used."""

    def __init__(self, fetch: Callable[[str | None], Page[T]], cursor: str | None = None) -> None:
        self._fetch = fetch
        self._cursor = cursor

    def first_page(self) -> Page[T]:
        return self._fetch(self._cursor)

    def pages(self) -> Iterator[Page[T]]:
        cursor = self._cursor
        while True:
            page = self._fetch(cursor)
            yield page
            # A repeated cursor would loop forever; treat it as the end.
            if page.next_cursor is None or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.data


class AsyncPaginator(Generic[T]):
    """``Paginator`` for ``AsyncClient``: ``async for`` over items, ``await first_page()``."""

    def __init__(
        self, fetch: Callable[[str | None], Awaitable[Page[T]]], cursor: str | None = None
    ) -> None:
        self._fetch = fetch
        self._cursor = cursor

    async def first_page(self) -> Page[T]:
        return await self._fetch(self._cursor)

    async def pages(self) -> AsyncIterator[Page[T]]:
        cursor = self._cursor
        while True:
            page = await self._fetch(cursor)
            yield page
            if page.next_cursor is None or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item


# Sync ----------------------------------------------------------------------------------


class Client:
    """A blocking client for one Podium server and token; thread-safe, reuses connections.

    ``base_url`` is the server root (``/api/v1`` is appended unless it is already
    there). ``sleep`` is what waits between retries; tests pass a recorder.
    ``transport`` is handed to httpx (e.g. ``httpx.MockTransport`` in tests).
    """

    def __init__(
        self,
        base_url: str = _base.DEFAULT_BASE_URL,
        token: str | None = None,
        *,
        timeout: Timeout = 10.0,
        max_retries: int = 2,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.retry_policy = RetryPolicy(max_retries=max_retries)
        self._sleep = sleep
        self._http = httpx.Client(
            base_url=_base.api_root(base_url),
            headers=_base.default_headers(token),
            timeout=timeout,
            transport=transport,
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _send(self, call: Call[T]) -> T:
        request = self._http.build_request(
            call.method, call.path, params=call.params, json=call.json
        )
        policy = self.retry_policy
        retries = 0
        while True:
            try:
                response = self._http.send(request)
            except httpx.RequestError as exc:
                wait = policy.after_error(request.method, retries, exc)
                if wait is None:
                    raise _transport_error(exc) from exc
                _log_retry(request, repr(exc), wait, retries + 1, policy.max_retries)
            else:
                wait = policy.after_response(request.method, retries, response)
                if wait is None:
                    return _base.parse_response(call, response)
                response.close()
                _log_retry(request, response.status_code, wait, retries + 1, policy.max_retries)
            self._sleep(wait)
            retries += 1

    def _list(
        self,
        res: Resource[M, Any, Any],
        parent_id: int | None,
        limit: int | None,
        cursor: str | None,
        /,
        **filters: Any,
    ) -> Paginator[M]:
        res.collection(parent_id)  # a missing parent id fails here, not mid-iteration
        params = _base.query(**filters)
        return Paginator(
            lambda c: self._send(_base.list_call(res, parent_id, params, c, limit)), cursor
        )

    # Organizations

    def list_organizations(
        self,
        *,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Organization]:
        """``external_id`` is ``scheme:value``, e.g. ``discord:1234``."""
        return self._list(_base.ORGANIZATIONS, None, limit, cursor, q=q, external_id=external_id)

    def get_organization(self, organization_id: int) -> Organization:
        return self._send(_base.get_call(_base.ORGANIZATIONS, organization_id))

    def create_organization(
        self, data: OrganizationCreate | None = None, **fields: Any
    ) -> Organization:
        return self._send(_base.create_call(_base.ORGANIZATIONS, data, fields))

    def update_organization(
        self, organization_id: int, data: OrganizationUpdate | None = None, **fields: Any
    ) -> Organization:
        return self._send(_base.update_call(_base.ORGANIZATIONS, organization_id, data, fields))

    def delete_organization(self, organization_id: int) -> None:
        self._send(_base.delete_call(_base.ORGANIZATIONS, organization_id))

    # People

    def list_people(
        self,
        *,
        organization_id: int | None = None,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Person]:
        return self._list(
            _base.PEOPLE,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            q=q,
            external_id=external_id,
        )

    def get_person(self, person_id: int) -> Person:
        return self._send(_base.get_call(_base.PEOPLE, person_id))

    def create_person(self, data: PersonCreate | None = None, **fields: Any) -> Person:
        return self._send(_base.create_call(_base.PEOPLE, data, fields))

    def update_person(
        self, person_id: int, data: PersonUpdate | None = None, **fields: Any
    ) -> Person:
        return self._send(_base.update_call(_base.PEOPLE, person_id, data, fields))

    def delete_person(self, person_id: int) -> None:
        self._send(_base.delete_call(_base.PEOPLE, person_id))

    # Teams and members

    def list_teams(
        self,
        *,
        organization_id: int | None = None,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Team]:
        return self._list(
            _base.TEAMS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            q=q,
            external_id=external_id,
        )

    def get_team(self, team_id: int) -> Team:
        return self._send(_base.get_call(_base.TEAMS, team_id))

    def create_team(self, data: TeamCreate | None = None, **fields: Any) -> Team:
        return self._send(_base.create_call(_base.TEAMS, data, fields))

    def update_team(self, team_id: int, data: TeamUpdate | None = None, **fields: Any) -> Team:
        return self._send(_base.update_call(_base.TEAMS, team_id, data, fields))

    def delete_team(self, team_id: int) -> None:
        self._send(_base.delete_call(_base.TEAMS, team_id))

    def list_team_members(self, team_id: int) -> list[TeamMember]:
        """All members at once: the server does not page this list."""
        return self._send(_base.list_members_call(team_id))

    def add_team_member(
        self, team_id: int, data: MemberAdd | None = None, **fields: Any
    ) -> TeamMember:
        return self._send(_base.add_member_call(team_id, data, fields))

    def remove_team_member(self, team_id: int, person_id: int) -> None:
        self._send(_base.remove_member_call(team_id, person_id))

    # Competitions and challenges

    def list_competitions(
        self,
        *,
        organization_id: int | None = None,
        parent_id: int | None = None,
        top_level: bool = False,
        kind: str | None = None,
        status: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Competition]:
        """``top_level=True`` keeps only competitions without a parent."""
        return self._list(
            _base.COMPETITIONS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            parent_id=parent_id,
            top_level=top_level or None,
            kind=kind,
            status=status,
            q=q,
        )

    def get_competition(self, competition_id: int) -> Competition:
        return self._send(_base.get_call(_base.COMPETITIONS, competition_id))

    def create_competition(
        self, data: CompetitionCreate | None = None, **fields: Any
    ) -> Competition:
        return self._send(_base.create_call(_base.COMPETITIONS, data, fields))

    def update_competition(
        self, competition_id: int, data: CompetitionUpdate | None = None, **fields: Any
    ) -> Competition:
        return self._send(_base.update_call(_base.COMPETITIONS, competition_id, data, fields))

    def delete_competition(self, competition_id: int) -> None:
        self._send(_base.delete_call(_base.COMPETITIONS, competition_id))

    def list_challenges(
        self,
        *,
        organization_id: int | None = None,
        competition_id: int | None = None,
        kind: str | None = None,
        code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Challenge]:
        return self._list(
            _base.CHALLENGES,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            competition_id=competition_id,
            kind=kind,
            code=code,
        )

    def get_challenge(self, challenge_id: int) -> Challenge:
        return self._send(_base.get_call(_base.CHALLENGES, challenge_id))

    def create_challenge(self, data: ChallengeCreate | None = None, **fields: Any) -> Challenge:
        return self._send(_base.create_call(_base.CHALLENGES, data, fields))

    def update_challenge(
        self, challenge_id: int, data: ChallengeUpdate | None = None, **fields: Any
    ) -> Challenge:
        return self._send(_base.update_call(_base.CHALLENGES, challenge_id, data, fields))

    def delete_challenge(self, challenge_id: int) -> None:
        self._send(_base.delete_call(_base.CHALLENGES, challenge_id))

    # Entries

    def list_entries(
        self,
        competition_id: int,
        *,
        person_id: int | None = None,
        bib: str | None = None,
        registration_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Entry]:
        return self._list(
            _base.ENTRIES,
            competition_id,
            limit,
            cursor,
            person_id=person_id,
            bib=bib,
            registration_id=registration_id,
            status=status,
        )

    def get_entry(self, entry_id: int) -> Entry:
        return self._send(_base.get_call(_base.ENTRIES, entry_id))

    def create_entry(
        self, competition_id: int, data: EntryCreate | None = None, **fields: Any
    ) -> Entry:
        return self._send(_base.create_call(_base.ENTRIES, data, fields, competition_id))

    def update_entry(self, entry_id: int, data: EntryUpdate | None = None, **fields: Any) -> Entry:
        return self._send(_base.update_call(_base.ENTRIES, entry_id, data, fields))

    def delete_entry(self, entry_id: int) -> None:
        self._send(_base.delete_call(_base.ENTRIES, entry_id))

    # Schedule: rounds → heats → slots

    def list_rounds(
        self, competition_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[Round]:
        return self._list(_base.ROUNDS, competition_id, limit, cursor)

    def get_round(self, round_id: int) -> Round:
        return self._send(_base.get_call(_base.ROUNDS, round_id))

    def create_round(
        self, competition_id: int, data: RoundCreate | None = None, **fields: Any
    ) -> Round:
        return self._send(_base.create_call(_base.ROUNDS, data, fields, competition_id))

    def update_round(self, round_id: int, data: RoundUpdate | None = None, **fields: Any) -> Round:
        return self._send(_base.update_call(_base.ROUNDS, round_id, data, fields))

    def delete_round(self, round_id: int) -> None:
        self._send(_base.delete_call(_base.ROUNDS, round_id))

    def list_heats(
        self, round_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[Heat]:
        return self._list(_base.HEATS, round_id, limit, cursor)

    def get_heat(self, heat_id: int) -> Heat:
        return self._send(_base.get_call(_base.HEATS, heat_id))

    def create_heat(self, round_id: int, data: HeatCreate | None = None, **fields: Any) -> Heat:
        return self._send(_base.create_call(_base.HEATS, data, fields, round_id))

    def update_heat(self, heat_id: int, data: HeatUpdate | None = None, **fields: Any) -> Heat:
        return self._send(_base.update_call(_base.HEATS, heat_id, data, fields))

    def delete_heat(self, heat_id: int) -> None:
        self._send(_base.delete_call(_base.HEATS, heat_id))

    def list_slots(
        self, heat_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[Slot]:
        return self._list(_base.SLOTS, heat_id, limit, cursor)

    def get_slot(self, slot_id: int) -> Slot:
        return self._send(_base.get_call(_base.SLOTS, slot_id))

    def create_slot(self, heat_id: int, data: SlotCreate | None = None, **fields: Any) -> Slot:
        return self._send(_base.create_call(_base.SLOTS, data, fields, heat_id))

    def update_slot(self, slot_id: int, data: SlotUpdate | None = None, **fields: Any) -> Slot:
        return self._send(_base.update_call(_base.SLOTS, slot_id, data, fields))

    def delete_slot(self, slot_id: int) -> None:
        self._send(_base.delete_call(_base.SLOTS, slot_id))

    # Results and result sets

    def list_results(
        self,
        competition_id: int,
        *,
        person_id: int | None = None,
        entry_id: int | None = None,
        team_id: int | None = None,
        challenge_id: int | None = None,
        result_set_id: int | None = None,
        heat_id: int | None = None,
        status: ResultStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Result]:
        return self._list(
            _base.RESULTS,
            competition_id,
            limit,
            cursor,
            person_id=person_id,
            entry_id=entry_id,
            team_id=team_id,
            challenge_id=challenge_id,
            result_set_id=result_set_id,
            heat_id=heat_id,
            status=status,
        )

    def get_result(self, result_id: int) -> Result:
        return self._send(_base.get_call(_base.RESULTS, result_id))

    def create_result(
        self, competition_id: int, data: ResultCreate | None = None, **fields: Any
    ) -> Result:
        return self._send(_base.create_call(_base.RESULTS, data, fields, competition_id))

    def bulk_create_results(
        self, competition_id: int, rows: Iterable[ResultCreate | Mapping[str, Any]]
    ) -> BulkResultsCreated:
        """Store all rows in one transaction, or none; a 422 lists each bad row by index.

        Rows are ``ResultCreate`` models or dicts of their fields. Not retried on 5xx:
        the upload may have been stored.
        """
        return self._send(_base.bulk_results_call(competition_id, rows))

    def update_result(
        self, result_id: int, data: ResultCorrection | None = None, **fields: Any
    ) -> Result:
        """Correct a result in place. ``attributes`` are merged into the stored ones (a
        key set to ``None`` is removed); ``reason`` goes to the audit trail."""
        return self._send(_base.update_call(_base.RESULTS, result_id, data, fields))

    def delete_result(self, result_id: int, *, reason: str | None = None) -> None:
        self._send(_base.delete_call(_base.RESULTS, result_id, reason))

    def result_history(self, result_id: int) -> list[AuditEntry]:
        """Every change of a result, oldest first (also after it was deleted)."""
        return self._send(_base.result_history_call(result_id))

    def audit(self, competition_id: int, *, result_id: int | None = None) -> Iterator[AuditEntry]:
        """The competition's audit trail in log order, across pages."""
        after = 0
        while True:
            page = self._send(_base.audit_call(competition_id, after, 200, result_id))
            yield from page.data
            if page.next_after is None:
                return
            after = page.next_after

    def undo(self, seq: int, *, reason: str | None = None) -> Event:
        """Undo change ``seq`` (an audit entry's ``seq``); returns the change undone."""
        return self._send(_base.undo_call(seq, reason))

    def list_result_sets(
        self, competition_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> Paginator[ResultSet]:
        return self._list(_base.RESULT_SETS, competition_id, limit, cursor)

    def get_result_set(self, result_set_id: int) -> ResultSet:
        return self._send(_base.get_call(_base.RESULT_SETS, result_set_id))

    def create_result_set(
        self, competition_id: int, data: ResultSetCreate | None = None, **fields: Any
    ) -> ResultSet:
        return self._send(_base.create_call(_base.RESULT_SETS, data, fields, competition_id))

    def update_result_set(
        self, result_set_id: int, data: ResultSetUpdate | None = None, **fields: Any
    ) -> ResultSet:
        return self._send(_base.update_call(_base.RESULT_SETS, result_set_id, data, fields))

    def delete_result_set(self, result_set_id: int) -> None:
        self._send(_base.delete_call(_base.RESULT_SETS, result_set_id))

    # Awards

    def list_awards(
        self,
        *,
        organization_id: int | None = None,
        competition_id: int | None = None,
        person_id: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Paginator[Award]:
        """``person_id`` keeps the awards that person holds."""
        return self._list(
            _base.AWARDS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            competition_id=competition_id,
            person_id=person_id,
        )

    def get_award(self, award_id: int) -> Award:
        return self._send(_base.get_call(_base.AWARDS, award_id))

    def create_award(self, data: AwardCreate | None = None, **fields: Any) -> Award:
        return self._send(_base.create_call(_base.AWARDS, data, fields))

    def update_award(self, award_id: int, data: AwardUpdate | None = None, **fields: Any) -> Award:
        return self._send(_base.update_call(_base.AWARDS, award_id, data, fields))

    def delete_award(self, award_id: int) -> None:
        self._send(_base.delete_call(_base.AWARDS, award_id))

    def give_award(self, award_id: int, person_id: int) -> None:
        """Make ``person_id`` a holder; giving an award they already hold changes nothing."""
        self._send(_base.award_holder_call("PUT", award_id, person_id))

    def take_award(self, award_id: int, person_id: int) -> None:
        self._send(_base.award_holder_call("DELETE", award_id, person_id))

    # Tokens and events

    def create_token(self, data: TokenCreate | None = None, **fields: Any) -> TokenCreated:
        """A new API token; ``.token`` is the secret, shown this once."""
        return self._send(_base.create_token_call(data, fields))

    def list_tokens(self) -> list[Token]:
        """All tokens this credential may see (needs the admin scope); not paged."""
        return self._send(_base.list_tokens_call())

    def revoke_token(self, token_id: int) -> None:
        self._send(_base.revoke_token_call(token_id))

    def list_credentials(
        self,
        *,
        organization_id: int | None = None,
        kinds: Iterable[str] = (),
        sessions: bool = False,
    ) -> list[CredentialInfo]:
        """Credentials of every kind (tokens, dialect keys and logins); needs admin."""
        return self._send(_base.list_credentials_call(organization_id, kinds, sessions))

    def revoke_credential(self, credential_id: int) -> None:
        """Refuse a credential of any kind from the next request on."""
        self._send(_base.revoke_credential_call(credential_id))

    def list_events(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        organization_id: int | None = None,
        competition_id: int | None = None,
    ) -> list[Event]:
        """Change-log events with ``seq`` above ``after``, in commit order.

        Poll by passing the last seen ``seq`` as ``after``; ``limit`` is at most 1000.
        """
        return self._send(_base.list_events_call(after, limit, organization_id, competition_id))

    # Webhooks and the event feed

    def create_webhook(
        self,
        url: str,
        *,
        event_types: Iterable[str] = (),
        organization_id: int | None = None,
        competition_id: int | None = None,
        secret: str | None = None,
        description: str = "",
    ) -> WebhookCreated:
        """Subscribe ``url`` to events; the returned ``secret`` is shown only now."""
        body = _base.query(
            url=url,
            event_types=list(event_types),
            organization_id=organization_id,
            competition_id=competition_id,
            secret=secret,
            description=description,
        )
        return self._send(_base.create_webhook_call(body))

    def list_webhooks(self) -> list[Webhook]:
        return self._send(_base.list_webhooks_call())

    def get_webhook(self, webhook_id: int) -> Webhook:
        return self._send(_base.get_webhook_call(webhook_id))

    def update_webhook(self, webhook_id: int, **fields: Any) -> Webhook:
        """Change ``url``, ``event_types``, ``secret``, ``description`` or ``active``."""
        return self._send(_base.update_webhook_call(webhook_id, fields))

    def delete_webhook(self, webhook_id: int) -> None:
        self._send(_base.delete_webhook_call(webhook_id))

    def list_deliveries(
        self, webhook_id: int, *, state: str | None = None, limit: int | None = None
    ) -> list[WebhookDelivery]:
        """Newest first; ``state="dead"`` is the dead-letter list."""
        return self._send(_base.list_deliveries_call(webhook_id, state, limit))

    def replay_delivery(self, webhook_id: int, delivery_id: int) -> WebhookDelivery:
        return self._send(_base.replay_delivery_call(webhook_id, delivery_id))

    def event_feed(
        self,
        *,
        since_token: str | None = None,
        organization_id: int | None = None,
        competition_id: int | None = None,
        types: Iterable[str] | None = None,
        follow: bool = False,
    ) -> Iterator[FeedEvent]:
        """Feed events after ``since_token``; with ``follow`` keep waiting for new ones
        (keep-alives are skipped). Remember the last ``token`` to resume later."""
        params = _base.feed_params(
            since_token, organization_id, competition_id, list(types or ()), follow
        )
        timeout = httpx.Timeout(10.0, read=None) if follow else httpx.USE_CLIENT_DEFAULT
        with self._http.stream("GET", "/event-feed", params=params, timeout=timeout) as response:
            if response.is_error:
                response.read()
                _base.parse_response(Call("GET", "/event-feed", _base._nothing), response)
            for text in response.iter_lines():
                event = _base.feed_event(text)
                if event is not None:
                    yield event

    # Leaderboards

    def get_leaderboard(
        self,
        competition_id: int,
        *,
        offset: int = 0,
        limit: int = 20,
        challenge_id: int | None = None,
        group: str | None = None,
    ) -> Leaderboard:
        """Ranked rows from ``offset`` (at most 100), and the board's ``total``.

        ``group`` ranks one category instead (``"gender:F"``, ``"age:F:40-44"``,
        ``"division:Spec"``, ``"team:Wolves"``; ``get_categories`` lists them).
        """
        return self._send(
            _base.leaderboard_call(competition_id, offset, limit, challenge_id, group)
        )

    def get_categories(self, competition_id: int) -> Categories:
        """The competition's category boards (gender, age groups, divisions, teams)."""
        return self._send(_base.categories_call(competition_id))

    def leaderboard_position(
        self,
        competition_id: int,
        *,
        value: str | None = None,
        score: int | None = None,
        challenge_id: int | None = None,
    ) -> Position:
        """The rank a new ``value`` (a time or points) or encoded ``score`` would get."""
        return self._send(_base.position_call(competition_id, value, score, challenge_id))

    def get_standing(
        self,
        competition_id: int,
        subject: str,
        subject_id: int,
        *,
        before: int = 2,
        after: int = 2,
        challenge_id: int | None = None,
    ) -> Surround:
        """A person's (``subject="person"``), team's or entry's row and its neighbours."""
        call = _base.standing_call(competition_id, subject, subject_id, before, after, challenge_id)
        return self._send(call)


# Async ---------------------------------------------------------------------------------


class AsyncClient:
    """``Client`` for asyncio: the same methods, as coroutines; lists are ``AsyncPaginator``s.

    ``sleep`` defaults to ``asyncio.sleep``; tests pass a recorder.
    """

    def __init__(
        self,
        base_url: str = _base.DEFAULT_BASE_URL,
        token: str | None = None,
        *,
        timeout: Timeout = 10.0,
        max_retries: int = 2,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.retry_policy = RetryPolicy(max_retries=max_retries)
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=_base.api_root(base_url),
            headers=_base.default_headers(token),
            timeout=timeout,
            transport=transport,
        )

    @property
    def base_url(self) -> str:
        return str(self._http.base_url)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _send(self, call: Call[T]) -> T:
        request = self._http.build_request(
            call.method, call.path, params=call.params, json=call.json
        )
        policy = self.retry_policy
        retries = 0
        while True:
            try:
                response = await self._http.send(request)
            except httpx.RequestError as exc:
                wait = policy.after_error(request.method, retries, exc)
                if wait is None:
                    raise _transport_error(exc) from exc
                _log_retry(request, repr(exc), wait, retries + 1, policy.max_retries)
            else:
                wait = policy.after_response(request.method, retries, response)
                if wait is None:
                    return _base.parse_response(call, response)
                await response.aclose()
                _log_retry(request, response.status_code, wait, retries + 1, policy.max_retries)
            await self._sleep(wait)
            retries += 1

    def _list(
        self,
        res: Resource[M, Any, Any],
        parent_id: int | None,
        limit: int | None,
        cursor: str | None,
        /,
        **filters: Any,
    ) -> AsyncPaginator[M]:
        res.collection(parent_id)
        params = _base.query(**filters)
        return AsyncPaginator(
            lambda c: self._send(_base.list_call(res, parent_id, params, c, limit)), cursor
        )

    # Organizations

    def list_organizations(
        self,
        *,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Organization]:
        return self._list(_base.ORGANIZATIONS, None, limit, cursor, q=q, external_id=external_id)

    async def get_organization(self, organization_id: int) -> Organization:
        return await self._send(_base.get_call(_base.ORGANIZATIONS, organization_id))

    async def create_organization(
        self, data: OrganizationCreate | None = None, **fields: Any
    ) -> Organization:
        return await self._send(_base.create_call(_base.ORGANIZATIONS, data, fields))

    async def update_organization(
        self, organization_id: int, data: OrganizationUpdate | None = None, **fields: Any
    ) -> Organization:
        call = _base.update_call(_base.ORGANIZATIONS, organization_id, data, fields)
        return await self._send(call)

    async def delete_organization(self, organization_id: int) -> None:
        await self._send(_base.delete_call(_base.ORGANIZATIONS, organization_id))

    # People

    def list_people(
        self,
        *,
        organization_id: int | None = None,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Person]:
        return self._list(
            _base.PEOPLE,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            q=q,
            external_id=external_id,
        )

    async def get_person(self, person_id: int) -> Person:
        return await self._send(_base.get_call(_base.PEOPLE, person_id))

    async def create_person(self, data: PersonCreate | None = None, **fields: Any) -> Person:
        return await self._send(_base.create_call(_base.PEOPLE, data, fields))

    async def update_person(
        self, person_id: int, data: PersonUpdate | None = None, **fields: Any
    ) -> Person:
        return await self._send(_base.update_call(_base.PEOPLE, person_id, data, fields))

    async def delete_person(self, person_id: int) -> None:
        await self._send(_base.delete_call(_base.PEOPLE, person_id))

    # Teams and members

    def list_teams(
        self,
        *,
        organization_id: int | None = None,
        q: str | None = None,
        external_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Team]:
        return self._list(
            _base.TEAMS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            q=q,
            external_id=external_id,
        )

    async def get_team(self, team_id: int) -> Team:
        return await self._send(_base.get_call(_base.TEAMS, team_id))

    async def create_team(self, data: TeamCreate | None = None, **fields: Any) -> Team:
        return await self._send(_base.create_call(_base.TEAMS, data, fields))

    async def update_team(
        self, team_id: int, data: TeamUpdate | None = None, **fields: Any
    ) -> Team:
        return await self._send(_base.update_call(_base.TEAMS, team_id, data, fields))

    async def delete_team(self, team_id: int) -> None:
        await self._send(_base.delete_call(_base.TEAMS, team_id))

    async def list_team_members(self, team_id: int) -> list[TeamMember]:
        return await self._send(_base.list_members_call(team_id))

    async def add_team_member(
        self, team_id: int, data: MemberAdd | None = None, **fields: Any
    ) -> TeamMember:
        return await self._send(_base.add_member_call(team_id, data, fields))

    async def remove_team_member(self, team_id: int, person_id: int) -> None:
        await self._send(_base.remove_member_call(team_id, person_id))

    # Competitions and challenges

    def list_competitions(
        self,
        *,
        organization_id: int | None = None,
        parent_id: int | None = None,
        top_level: bool = False,
        kind: str | None = None,
        status: str | None = None,
        q: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Competition]:
        return self._list(
            _base.COMPETITIONS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            parent_id=parent_id,
            top_level=top_level or None,
            kind=kind,
            status=status,
            q=q,
        )

    async def get_competition(self, competition_id: int) -> Competition:
        return await self._send(_base.get_call(_base.COMPETITIONS, competition_id))

    async def create_competition(
        self, data: CompetitionCreate | None = None, **fields: Any
    ) -> Competition:
        return await self._send(_base.create_call(_base.COMPETITIONS, data, fields))

    async def update_competition(
        self, competition_id: int, data: CompetitionUpdate | None = None, **fields: Any
    ) -> Competition:
        call = _base.update_call(_base.COMPETITIONS, competition_id, data, fields)
        return await self._send(call)

    async def delete_competition(self, competition_id: int) -> None:
        await self._send(_base.delete_call(_base.COMPETITIONS, competition_id))

    def list_challenges(
        self,
        *,
        organization_id: int | None = None,
        competition_id: int | None = None,
        kind: str | None = None,
        code: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Challenge]:
        return self._list(
            _base.CHALLENGES,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            competition_id=competition_id,
            kind=kind,
            code=code,
        )

    async def get_challenge(self, challenge_id: int) -> Challenge:
        return await self._send(_base.get_call(_base.CHALLENGES, challenge_id))

    async def create_challenge(
        self, data: ChallengeCreate | None = None, **fields: Any
    ) -> Challenge:
        return await self._send(_base.create_call(_base.CHALLENGES, data, fields))

    async def update_challenge(
        self, challenge_id: int, data: ChallengeUpdate | None = None, **fields: Any
    ) -> Challenge:
        return await self._send(_base.update_call(_base.CHALLENGES, challenge_id, data, fields))

    async def delete_challenge(self, challenge_id: int) -> None:
        await self._send(_base.delete_call(_base.CHALLENGES, challenge_id))

    # Entries

    def list_entries(
        self,
        competition_id: int,
        *,
        person_id: int | None = None,
        bib: str | None = None,
        registration_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Entry]:
        return self._list(
            _base.ENTRIES,
            competition_id,
            limit,
            cursor,
            person_id=person_id,
            bib=bib,
            registration_id=registration_id,
            status=status,
        )

    async def get_entry(self, entry_id: int) -> Entry:
        return await self._send(_base.get_call(_base.ENTRIES, entry_id))

    async def create_entry(
        self, competition_id: int, data: EntryCreate | None = None, **fields: Any
    ) -> Entry:
        return await self._send(_base.create_call(_base.ENTRIES, data, fields, competition_id))

    async def update_entry(
        self, entry_id: int, data: EntryUpdate | None = None, **fields: Any
    ) -> Entry:
        return await self._send(_base.update_call(_base.ENTRIES, entry_id, data, fields))

    async def delete_entry(self, entry_id: int) -> None:
        await self._send(_base.delete_call(_base.ENTRIES, entry_id))

    # Schedule: rounds → heats → slots

    def list_rounds(
        self, competition_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[Round]:
        return self._list(_base.ROUNDS, competition_id, limit, cursor)

    async def get_round(self, round_id: int) -> Round:
        return await self._send(_base.get_call(_base.ROUNDS, round_id))

    async def create_round(
        self, competition_id: int, data: RoundCreate | None = None, **fields: Any
    ) -> Round:
        return await self._send(_base.create_call(_base.ROUNDS, data, fields, competition_id))

    async def update_round(
        self, round_id: int, data: RoundUpdate | None = None, **fields: Any
    ) -> Round:
        return await self._send(_base.update_call(_base.ROUNDS, round_id, data, fields))

    async def delete_round(self, round_id: int) -> None:
        await self._send(_base.delete_call(_base.ROUNDS, round_id))

    def list_heats(
        self, round_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[Heat]:
        return self._list(_base.HEATS, round_id, limit, cursor)

    async def get_heat(self, heat_id: int) -> Heat:
        return await self._send(_base.get_call(_base.HEATS, heat_id))

    async def create_heat(
        self, round_id: int, data: HeatCreate | None = None, **fields: Any
    ) -> Heat:
        return await self._send(_base.create_call(_base.HEATS, data, fields, round_id))

    async def update_heat(
        self, heat_id: int, data: HeatUpdate | None = None, **fields: Any
    ) -> Heat:
        return await self._send(_base.update_call(_base.HEATS, heat_id, data, fields))

    async def delete_heat(self, heat_id: int) -> None:
        await self._send(_base.delete_call(_base.HEATS, heat_id))

    def list_slots(
        self, heat_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[Slot]:
        return self._list(_base.SLOTS, heat_id, limit, cursor)

    async def get_slot(self, slot_id: int) -> Slot:
        return await self._send(_base.get_call(_base.SLOTS, slot_id))

    async def create_slot(
        self, heat_id: int, data: SlotCreate | None = None, **fields: Any
    ) -> Slot:
        return await self._send(_base.create_call(_base.SLOTS, data, fields, heat_id))

    async def update_slot(
        self, slot_id: int, data: SlotUpdate | None = None, **fields: Any
    ) -> Slot:
        return await self._send(_base.update_call(_base.SLOTS, slot_id, data, fields))

    async def delete_slot(self, slot_id: int) -> None:
        await self._send(_base.delete_call(_base.SLOTS, slot_id))

    # Results and result sets

    def list_results(
        self,
        competition_id: int,
        *,
        person_id: int | None = None,
        entry_id: int | None = None,
        team_id: int | None = None,
        challenge_id: int | None = None,
        result_set_id: int | None = None,
        heat_id: int | None = None,
        status: ResultStatus | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Result]:
        return self._list(
            _base.RESULTS,
            competition_id,
            limit,
            cursor,
            person_id=person_id,
            entry_id=entry_id,
            team_id=team_id,
            challenge_id=challenge_id,
            result_set_id=result_set_id,
            heat_id=heat_id,
            status=status,
        )

    async def get_result(self, result_id: int) -> Result:
        return await self._send(_base.get_call(_base.RESULTS, result_id))

    async def create_result(
        self, competition_id: int, data: ResultCreate | None = None, **fields: Any
    ) -> Result:
        return await self._send(_base.create_call(_base.RESULTS, data, fields, competition_id))

    async def bulk_create_results(
        self, competition_id: int, rows: Iterable[ResultCreate | Mapping[str, Any]]
    ) -> BulkResultsCreated:
        return await self._send(_base.bulk_results_call(competition_id, rows))

    async def update_result(
        self, result_id: int, data: ResultCorrection | None = None, **fields: Any
    ) -> Result:
        return await self._send(_base.update_call(_base.RESULTS, result_id, data, fields))

    async def delete_result(self, result_id: int, *, reason: str | None = None) -> None:
        await self._send(_base.delete_call(_base.RESULTS, result_id, reason))

    async def result_history(self, result_id: int) -> list[AuditEntry]:
        return await self._send(_base.result_history_call(result_id))

    async def audit(
        self, competition_id: int, *, result_id: int | None = None
    ) -> AsyncIterator[AuditEntry]:
        after = 0
        while True:
            page = await self._send(_base.audit_call(competition_id, after, 200, result_id))
            for entry in page.data:
                yield entry
            if page.next_after is None:
                return
            after = page.next_after

    async def undo(self, seq: int, *, reason: str | None = None) -> Event:
        return await self._send(_base.undo_call(seq, reason))

    def list_result_sets(
        self, competition_id: int, *, limit: int | None = None, cursor: str | None = None
    ) -> AsyncPaginator[ResultSet]:
        return self._list(_base.RESULT_SETS, competition_id, limit, cursor)

    async def get_result_set(self, result_set_id: int) -> ResultSet:
        return await self._send(_base.get_call(_base.RESULT_SETS, result_set_id))

    async def create_result_set(
        self, competition_id: int, data: ResultSetCreate | None = None, **fields: Any
    ) -> ResultSet:
        call = _base.create_call(_base.RESULT_SETS, data, fields, competition_id)
        return await self._send(call)

    async def update_result_set(
        self, result_set_id: int, data: ResultSetUpdate | None = None, **fields: Any
    ) -> ResultSet:
        call = _base.update_call(_base.RESULT_SETS, result_set_id, data, fields)
        return await self._send(call)

    async def delete_result_set(self, result_set_id: int) -> None:
        await self._send(_base.delete_call(_base.RESULT_SETS, result_set_id))

    # Awards

    def list_awards(
        self,
        *,
        organization_id: int | None = None,
        competition_id: int | None = None,
        person_id: int | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AsyncPaginator[Award]:
        return self._list(
            _base.AWARDS,
            None,
            limit,
            cursor,
            organization_id=organization_id,
            competition_id=competition_id,
            person_id=person_id,
        )

    async def get_award(self, award_id: int) -> Award:
        return await self._send(_base.get_call(_base.AWARDS, award_id))

    async def create_award(self, data: AwardCreate | None = None, **fields: Any) -> Award:
        return await self._send(_base.create_call(_base.AWARDS, data, fields))

    async def update_award(
        self, award_id: int, data: AwardUpdate | None = None, **fields: Any
    ) -> Award:
        return await self._send(_base.update_call(_base.AWARDS, award_id, data, fields))

    async def delete_award(self, award_id: int) -> None:
        await self._send(_base.delete_call(_base.AWARDS, award_id))

    async def give_award(self, award_id: int, person_id: int) -> None:
        await self._send(_base.award_holder_call("PUT", award_id, person_id))

    async def take_award(self, award_id: int, person_id: int) -> None:
        await self._send(_base.award_holder_call("DELETE", award_id, person_id))

    # Tokens and events

    async def create_token(self, data: TokenCreate | None = None, **fields: Any) -> TokenCreated:
        return await self._send(_base.create_token_call(data, fields))

    async def list_tokens(self) -> list[Token]:
        return await self._send(_base.list_tokens_call())

    async def revoke_token(self, token_id: int) -> None:
        await self._send(_base.revoke_token_call(token_id))

    async def list_credentials(
        self,
        *,
        organization_id: int | None = None,
        kinds: Iterable[str] = (),
        sessions: bool = False,
    ) -> list[CredentialInfo]:
        return await self._send(_base.list_credentials_call(organization_id, kinds, sessions))

    async def revoke_credential(self, credential_id: int) -> None:
        await self._send(_base.revoke_credential_call(credential_id))

    async def list_events(
        self,
        *,
        after: int = 0,
        limit: int | None = None,
        organization_id: int | None = None,
        competition_id: int | None = None,
    ) -> list[Event]:
        return await self._send(
            _base.list_events_call(after, limit, organization_id, competition_id)
        )

    # Webhooks and the event feed

    async def create_webhook(
        self,
        url: str,
        *,
        event_types: Iterable[str] = (),
        organization_id: int | None = None,
        competition_id: int | None = None,
        secret: str | None = None,
        description: str = "",
    ) -> WebhookCreated:
        body = _base.query(
            url=url,
            event_types=list(event_types),
            organization_id=organization_id,
            competition_id=competition_id,
            secret=secret,
            description=description,
        )
        return await self._send(_base.create_webhook_call(body))

    async def list_webhooks(self) -> list[Webhook]:
        return await self._send(_base.list_webhooks_call())

    async def get_webhook(self, webhook_id: int) -> Webhook:
        return await self._send(_base.get_webhook_call(webhook_id))

    async def update_webhook(self, webhook_id: int, **fields: Any) -> Webhook:
        return await self._send(_base.update_webhook_call(webhook_id, fields))

    async def delete_webhook(self, webhook_id: int) -> None:
        await self._send(_base.delete_webhook_call(webhook_id))

    async def list_deliveries(
        self, webhook_id: int, *, state: str | None = None, limit: int | None = None
    ) -> list[WebhookDelivery]:
        return await self._send(_base.list_deliveries_call(webhook_id, state, limit))

    async def replay_delivery(self, webhook_id: int, delivery_id: int) -> WebhookDelivery:
        return await self._send(_base.replay_delivery_call(webhook_id, delivery_id))

    async def event_feed(
        self,
        *,
        since_token: str | None = None,
        organization_id: int | None = None,
        competition_id: int | None = None,
        types: Iterable[str] | None = None,
        follow: bool = False,
    ) -> AsyncIterator[FeedEvent]:
        params = _base.feed_params(
            since_token, organization_id, competition_id, list(types or ()), follow
        )
        timeout = httpx.Timeout(10.0, read=None) if follow else httpx.USE_CLIENT_DEFAULT
        async with self._http.stream(
            "GET", "/event-feed", params=params, timeout=timeout
        ) as response:
            if response.is_error:
                await response.aread()
                _base.parse_response(Call("GET", "/event-feed", _base._nothing), response)
            async for text in response.aiter_lines():
                event = _base.feed_event(text)
                if event is not None:
                    yield event

    # Leaderboards

    async def get_leaderboard(
        self,
        competition_id: int,
        *,
        offset: int = 0,
        limit: int = 20,
        challenge_id: int | None = None,
        group: str | None = None,
    ) -> Leaderboard:
        """Ranked rows from ``offset`` (at most 100), and the board's ``total``.

        ``group`` ranks one category instead (``"gender:F"``, ``"age:F:40-44"``,
        ``"division:Spec"``, ``"team:Wolves"``; ``get_categories`` lists them).
        """
        return await self._send(
            _base.leaderboard_call(competition_id, offset, limit, challenge_id, group)
        )

    async def get_categories(self, competition_id: int) -> Categories:
        """The competition's category boards (gender, age groups, divisions, teams)."""
        return await self._send(_base.categories_call(competition_id))

    async def leaderboard_position(
        self,
        competition_id: int,
        *,
        value: str | None = None,
        score: int | None = None,
        challenge_id: int | None = None,
    ) -> Position:
        """The rank a new ``value`` (a time or points) or encoded ``score`` would get."""
        return await self._send(_base.position_call(competition_id, value, score, challenge_id))

    async def get_standing(
        self,
        competition_id: int,
        subject: str,
        subject_id: int,
        *,
        before: int = 2,
        after: int = 2,
        challenge_id: int | None = None,
    ) -> Surround:
        """A person's (``subject="person"``), team's or entry's row and its neighbours."""
        call = _base.standing_call(competition_id, subject, subject_id, before, after, challenge_id)
        return await self._send(call)
