"""The Python client: real HTTP against a live server, and its retry rules on a mock transport.

The live tests run on every database backend; the retry tests swap only the transport,
so request building, retry decisions and error mapping are the real code.
"""

from __future__ import annotations

import email.utils
import inspect
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pydantic
import pytest

from podium.api import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncClient,
    AsyncPaginator,
    AuthenticationError,
    Client,
    ConflictError,
    InternalServerError,
    NotFoundError,
    Paginator,
    PermissionDeniedError,
    PodiumError,
    RateLimitError,
    RetryPolicy,
    UnprocessableEntityError,
)
from podium.api.models import (
    BulkResultsCreated,
    CompetitionCreate,
    Organization,
    OrganizationCreate,
    OrganizationUpdate,
    Person,
    ResultCreate,
)
from tests.conftest import LiveServer

# Live server -------------------------------------------------------------------------


@pytest.fixture
def sync_client(live_server: LiveServer, admin_token: str) -> Iterator[Client]:
    with Client(live_server.url, admin_token) as c:
        yield c


@pytest.fixture
async def async_client(live_server: LiveServer, admin_token: str) -> AsyncIterator[AsyncClient]:
    # The v1 root is accepted as base_url too.
    async with AsyncClient(f"{live_server.url}/api/v1/", token=admin_token) as c:
        yield c


def test_sync_round_trip(sync_client: Client) -> None:
    c = sync_client
    org = c.create_organization(slug="acme", name="Acme Racing", external_ids={"discord": "42"})
    assert isinstance(org, Organization) and org.external_ids == {"discord": "42"}
    assert c.get_organization(org.id) == org
    assert c.update_organization(org.id, OrganizationUpdate(name="Acme")).name == "Acme"
    assert [o.id for o in c.list_organizations(external_id="discord:42")] == [org.id]

    race = c.create_competition(
        CompetitionCreate(
            organization_id=org.id, name="Spring 10K", starts_at=datetime(2025, 4, 1, 9)
        )
    )
    assert race.starts_at == datetime(2025, 4, 1, 9, tzinfo=UTC)
    assert [x.id for x in c.list_competitions(organization_id=org.id, top_level=True)] == [race.id]

    ann = c.create_person(name="Ann Lee", organization_id=org.id, email="ann@example.org")
    assert isinstance(ann, Person)
    # An update sends only what is given; an explicit None clears.
    cleared = c.update_person(ann.id, email=None)
    assert cleared.email is None and cleared.name == "Ann Lee"
    assert [p.id for p in c.list_people(q="ann", organization_id=org.id)] == [ann.id]

    entry = c.create_entry(race.id, person_id=ann.id, bib="7")
    assert [e.id for e in c.list_entries(race.id, bib="7")] == [entry.id]
    result = c.create_result(race.id, ResultCreate(entry_id=entry.id, elapsed_ms=2_400_000))
    assert result.person_id == ann.id and result.status == "OK"
    assert [r.id for r in c.list_results(race.id, person_id=ann.id, status="OK")] == [result.id]
    assert c.update_result(result.id, status="DQ").status == "DQ"

    c.delete_result(result.id)
    with pytest.raises(NotFoundError):
        c.get_result(result.id)


def test_sync_covers_every_concept(sync_client: Client) -> None:
    c = sync_client
    org = c.create_organization(slug="club", name="Club")
    race = c.create_competition(organization_id=org.id, name="Cup", kind="series")
    ann = c.create_person(name="Ann", organization_id=org.id)

    team = c.create_team(name="Red", organization_id=org.id)
    member = c.add_team_member(team.id, person_id=ann.id, role="captain")
    assert [(m.person_id, m.role) for m in c.list_team_members(team.id)] == [(ann.id, "captain")]
    assert member.team_id == team.id
    c.remove_team_member(team.id, ann.id)
    assert c.list_team_members(team.id) == []
    assert c.update_team(team.id, name="Blue").name == "Blue"
    assert [t.id for t in c.list_teams(organization_id=org.id)] == [team.id]

    course = c.create_challenge(organization_id=org.id, competition_id=race.id, name="Loop")
    assert c.get_challenge(course.id).name == "Loop"
    assert [x.id for x in c.list_challenges(competition_id=race.id)] == [course.id]

    rnd = c.create_round(race.id, name="Qualifying")
    heat = c.create_heat(rnd.id)
    entry = c.create_entry(race.id, person_id=ann.id)
    slot = c.create_slot(heat.id, entry_id=entry.id, band="R", channel="1")
    assert [r.id for r in c.list_rounds(race.id)] == [rnd.id]
    assert [h.id for h in c.list_heats(rnd.id)] == [heat.id]
    assert [s.id for s in c.list_slots(heat.id)] == [slot.id]
    assert c.update_heat(heat.id, status="running").status == "running"
    assert c.get_slot(slot.id).entry_id == entry.id
    assert c.update_round(rnd.id, name="Q1").name == "Q1"

    final = c.create_result_set(race.id, name="Final")
    assert [s.id for s in c.list_result_sets(race.id)] == [final.id]
    assert c.update_result_set(final.id, public=False).public is False

    award = c.create_award(title="Winner", organization_id=org.id, competition_id=race.id)
    c.give_award(award.id, ann.id)
    assert c.get_award(award.id).person_ids == [ann.id]
    assert [a.id for a in c.list_awards(person_id=ann.id)] == [award.id]
    c.take_award(award.id, ann.id)
    assert c.get_award(award.id).person_ids == []

    made = c.create_token(scopes=["read"], organization_id=org.id, name="scoreboard")
    assert made.token and made.scopes == ["read"]
    assert made.id in [t.id for t in c.list_tokens()]
    c.revoke_token(made.id)
    assert next(t for t in c.list_tokens() if t.id == made.id).revoked_at is not None

    events = c.list_events(competition_id=race.id)
    assert events and all(e.competition_id == race.id for e in events)
    later = c.list_events(after=events[0].seq, limit=1, competition_id=race.id)
    assert [e.seq for e in later] == [events[1].seq]

    for delete, object_id in [
        (c.delete_slot, slot.id),
        (c.delete_heat, heat.id),
        (c.delete_round, rnd.id),
        (c.delete_entry, entry.id),
        (c.delete_result_set, final.id),
        (c.delete_award, award.id),
        (c.delete_challenge, course.id),
        (c.delete_team, team.id),
    ]:
        delete(object_id)
    with pytest.raises(NotFoundError):
        c.get_round(rnd.id)


def test_sync_pages(sync_client: Client) -> None:
    c = sync_client
    org = c.create_organization(slug="pages", name="Pages")
    made = [c.create_person(name=f"P{i}", organization_id=org.id).id for i in range(5)]

    people = c.list_people(organization_id=org.id, limit=2)
    assert isinstance(people, Paginator)
    assert [p.id for p in people] == made
    assert [len(page.data) for page in people.pages()] == [2, 2, 1]

    first = people.first_page()
    assert [p.id for p in first.data] == made[:2] and first.next_cursor
    rest = c.list_people(organization_id=org.id, limit=2, cursor=first.next_cursor)
    assert [p.id for p in rest] == made[2:]


async def test_async_round_trip_and_pages(async_client: AsyncClient) -> None:
    c = async_client
    org = await c.create_organization(OrganizationCreate(slug="async", name="Async Club"))
    race = await c.create_competition(organization_id=org.id, name="Night Race")
    people = [await c.create_person(name=f"Rider {i}", organization_id=org.id) for i in range(5)]
    entries = [
        await c.create_entry(race.id, person_id=p.id, bib=str(i)) for i, p in enumerate(people)
    ]

    listing = c.list_entries(race.id, limit=2)
    assert isinstance(listing, AsyncPaginator)
    assert [e.id async for e in listing] == [e.id for e in entries]
    assert [len(page.data) async for page in listing.pages()] == [2, 2, 1]
    first = await c.list_people(organization_id=org.id, limit=2).first_page()
    assert [p.id for p in first.data] == [p.id for p in people[:2]] and first.next_cursor

    result = await c.create_result(race.id, entry_id=entries[0].id, elapsed_ms=61_000)
    assert (await c.get_result(result.id)).person_id == people[0].id
    assert (await c.update_competition(race.id, status="finished")).status == "finished"

    bulk = await c.bulk_create_results(
        race.id, [{"entry_id": e.id, "elapsed_ms": 60_000 + i} for i, e in enumerate(entries[1:])]
    )
    assert bulk.count == 4
    assert len([r async for r in c.list_results(race.id, limit=2)]) == 5

    with pytest.raises(NotFoundError) as caught:
        await c.get_person(999_999)
    assert caught.value.status_code == 404
    await c.delete_organization(org.id)
    with pytest.raises(NotFoundError):
        await c.get_organization(org.id)


def test_bulk_upload(sync_client: Client) -> None:
    c = sync_client
    org = c.create_organization(slug="bulk", name="Bulk")
    race = c.create_competition(organization_id=org.id, name="Marathon")
    entries = [c.create_entry(race.id, bib=str(i)) for i in range(3)]
    rows: list[ResultCreate | dict[str, Any]] = [
        ResultCreate(entry_id=entries[0].id, elapsed_ms=9_000_000),
        {"entry_id": entries[1].id, "elapsed_ms": 9_100_000, "lap_times_ms": [1, 2]},
        {"entry_id": entries[2].id, "status": "DNF"},
    ]
    created = c.bulk_create_results(race.id, rows)
    assert isinstance(created, BulkResultsCreated) and created.count == 3
    stored = list(c.list_results(race.id))
    assert [r.id for r in stored] == created.ids
    assert [r.status for r in stored] == ["OK", "OK", "DNF"] and stored[1].laps == 2

    bad = [{"entry_id": entries[0].id}, {"entry_id": 999_999}, {"entry_id": entries[1].id}]
    with pytest.raises(UnprocessableEntityError) as caught:
        c.bulk_create_results(race.id, bad)
    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(1, "entry_id")]
    assert len(list(c.list_results(race.id))) == 3  # all or nothing


def test_errors_map_to_one_tree(sync_client: Client, live_server: LiveServer) -> None:
    c = sync_client
    with pytest.raises(NotFoundError) as missing:
        c.get_organization(999_999)
    err = missing.value
    assert isinstance(err, APIStatusError) and isinstance(err, PodiumError)
    assert (err.status_code, err.title) == (404, "Not found") and "999999" in err.detail
    assert isinstance(err.body, dict) and err.body["instance"] == "/api/v1/organizations/999999"

    org = c.create_organization(slug="taken", name="First")
    with pytest.raises(ConflictError) as clash:
        c.create_organization(slug="taken", name="Second")
    assert clash.value.status_code == 409 and "taken" in clash.value.detail

    # Bypass local validation to see the server's 422 and its per-field errors.
    invalid = OrganizationCreate.model_construct(slug="Not A Slug", name="")
    with pytest.raises(UnprocessableEntityError) as rejected:
        c.create_organization(invalid)
    assert sorted(e["loc"][0] for e in rejected.value.errors) == ["name", "slug"]
    assert all(e["message"] for e in rejected.value.errors)

    for token in ("pdm_0123456789abcdef_bogus", None):
        with Client(live_server.url, token) as stranger, pytest.raises(AuthenticationError) as no:
            stranger.list_organizations().first_page()
        assert no.value.status_code == 401

    reader = c.create_token(scopes=["read"], organization_id=org.id)
    with Client(live_server.url, reader.token) as limited:
        assert [o.id for o in limited.list_organizations()] == [org.id]
        with pytest.raises(PermissionDeniedError):
            limited.create_organization(slug="mine", name="Mine")
        c.revoke_token(reader.id)
        with pytest.raises(AuthenticationError):
            limited.get_organization(org.id)


def test_bad_arguments_fail_before_any_request(sync_client: Client) -> None:
    c = sync_client
    with pytest.raises(pydantic.ValidationError):
        c.create_organization(slug="ok", nmae="typo")
    with pytest.raises(TypeError, match="not both"):
        c.create_organization(OrganizationCreate(slug="ok", name="Ok"), name="Other")
    with pytest.raises(TypeError, match="expected OrganizationCreate"):
        c.create_organization(OrganizationUpdate(name="x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="ids are ints"):
        c.get_person("../tokens")  # type: ignore[arg-type]
    assert list(c.list_organizations()) == []


# Retries on a mock transport ----------------------------------------------------------

ORG = {
    "id": 1,
    "slug": "acme",
    "name": "Acme",
    "created_at": "2025-01-01T00:00:00Z",
    "updated_at": "2025-01-01T00:00:00Z",
}


def problem(status: int, title: str = "Error", **headers: str) -> httpx.Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": "try later"}
    return httpx.Response(
        status, json=body, headers={"content-type": "application/problem+json", **headers}
    )


class Script:
    """A transport answering with the given responses (or raising the given errors) in turn."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def scripted_client(script: Script, sleeps: list[float], **kwargs: Any) -> Client:
    return Client(
        "http://podium.test", "pdm_t", transport=script.transport, sleep=sleeps.append, **kwargs
    )


def test_get_retries_503_after_retry_after() -> None:
    script = Script(problem(503, **{"Retry-After": "2"}), httpx.Response(200, json=ORG))
    sleeps: list[float] = []
    with scripted_client(script, sleeps) as c:
        assert c.get_organization(1).slug == "acme"
    assert sleeps == [2.0]
    assert [str(r.url) for r in script.requests] == [
        "http://podium.test/api/v1/organizations/1"
    ] * 2
    assert script.requests[0].headers["authorization"] == "Bearer pdm_t"


async def test_async_retries_503_after_retry_after() -> None:
    script = Script(problem(503, **{"Retry-After": "1.5"}), httpx.Response(201, json=ORG))
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async with AsyncClient(
        "http://podium.test", "pdm_t", transport=script.transport, sleep=sleep
    ) as c:
        # A POST too: a 503 with Retry-After says the server did not act on it.
        org = await c.create_organization(slug="acme", name="Acme")
    assert org.id == 1 and sleeps == [1.5] and len(script.requests) == 2
    assert script.requests[1].content == b'{"slug":"acme","name":"Acme"}'


@pytest.mark.parametrize(
    ("first", "sent"),
    [
        (problem(500), 1),
        (problem(502), 1),
        (problem(503), 1),
        (problem(429), 1),
        (problem(429, **{"Retry-After": "0"}), 2),
    ],
)
def test_post_is_retried_only_when_the_server_did_not_act(first: httpx.Response, sent: int) -> None:
    script = Script(first, httpx.Response(201, json=ORG))
    sleeps: list[float] = []
    with scripted_client(script, sleeps) as c:
        if sent == 1:
            with pytest.raises(APIStatusError) as caught:
                c.create_organization(slug="acme", name="Acme")
            assert caught.value.status_code == first.status_code
        else:
            c.create_organization(slug="acme", name="Acme")
    assert len(script.requests) == sent and len(sleeps) == sent - 1


def test_backoff_doubles_then_gives_up() -> None:
    script = Script(problem(502), problem(504), problem(503, "Service unavailable"))
    sleeps: list[float] = []
    with scripted_client(script, sleeps) as c, pytest.raises(InternalServerError) as caught:
        c.get_person(1)
    assert len(script.requests) == 3 and caught.value.status_code == 503
    assert 0.375 <= sleeps[0] <= 0.5 and 0.75 <= sleeps[1] <= 1.0
    assert caught.value.title == "Service unavailable" and caught.value.detail == "try later"


def test_rate_limit_without_retry_after_backs_off_for_get() -> None:
    script = Script(problem(429), httpx.Response(200, json={"data": [ORG], "next_cursor": None}))
    sleeps: list[float] = []
    with scripted_client(script, sleeps) as c:
        assert [o.id for o in c.list_organizations(limit=1)] == [1]
    assert len(sleeps) == 1 and script.requests[0].url.params["limit"] == "1"

    with (
        scripted_client(Script(problem(429)), [], max_retries=0) as c,
        pytest.raises(RateLimitError),
    ):
        c.get_organization(1)


def test_connection_errors() -> None:
    def fail(kind: type[httpx.TransportError]) -> httpx.TransportError:
        return kind("boom")

    sleeps: list[float] = []
    # Idempotent: a timeout mid-request is retried.
    script = Script(fail(httpx.ReadTimeout), httpx.Response(200, json=ORG))
    with scripted_client(script, sleeps) as c:
        assert c.get_organization(1).id == 1
    # POST: a failure to connect means nothing was sent, so it is retried ...
    script = Script(fail(httpx.ConnectError), httpx.Response(201, json=ORG))
    with scripted_client(script, sleeps) as c:
        assert c.create_organization(slug="acme", name="Acme").id == 1
    # ... but a read timeout may follow a stored write, so it is not.
    script = Script(fail(httpx.ReadTimeout), httpx.Response(201, json=ORG))
    with scripted_client(script, sleeps) as c, pytest.raises(APITimeoutError) as timeout:
        c.create_organization(slug="acme", name="Acme")
    assert len(script.requests) == 1 and isinstance(timeout.value.__cause__, httpx.ReadTimeout)
    script = Script(*(fail(httpx.ConnectError) for _ in range(3)))
    with scripted_client(script, sleeps) as c, pytest.raises(APIConnectionError) as refused:
        c.get_organization(1)
    assert not isinstance(refused.value, APITimeoutError) and len(script.requests) == 3


def test_unexpected_success_body() -> None:
    for body in (b"<html>proxy</html>", b'{"nope": 1}'):
        script = Script(httpx.Response(200, content=body))
        with scripted_client(script, []) as c, pytest.raises(APIResponseValidationError):
            c.get_organization(1)


@pytest.mark.parametrize(
    "base_url", ["http://podium.test", "http://podium.test/api/v1", "http://podium.test/api/v1/"]
)
def test_base_url_forms(base_url: str) -> None:
    script = Script(httpx.Response(204))
    with Client(base_url, transport=script.transport) as c:
        c.delete_organization(3)
    request = script.requests[0]
    assert str(request.url) == "http://podium.test/api/v1/organizations/3"
    assert "authorization" not in request.headers


def test_retry_after_parsing_and_caps() -> None:
    policy = RetryPolicy()
    soon = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    waited = policy.retry_after(soon)
    assert waited is not None and 25 <= waited <= 30
    assert policy.retry_after("600") == 60.0
    assert policy.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert policy.retry_after("soon") is None and policy.retry_after("nan") is None
    assert 6.0 <= policy.backoff(10) <= 8.0


def test_sync_and_async_clients_are_twins() -> None:
    def surface(cls: type) -> dict[str, list[tuple[str, Any, Any]]]:
        return {
            name: [
                (p.name, p.kind, p.default) for p in inspect.signature(member).parameters.values()
            ]
            for name, member in vars(cls).items()
            if callable(member) and not name.startswith("_")
        }

    sync, async_ = surface(Client), surface(AsyncClient)
    del sync["close"], async_["aclose"]
    assert sync == async_
