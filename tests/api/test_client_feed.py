"""The native client's webhook and event-feed methods against a live server."""

from __future__ import annotations

import threading

from podium.api import AsyncClient, Client, NotFoundError
from tests.conftest import LiveServer


def test_webhooks_and_feed_with_the_sync_client(live_server: LiveServer, admin_token: str) -> None:
    with Client(live_server.url, token=admin_token) as podium:
        org = podium.create_organization(slug="feedco", name="Feed Co")
        comp = podium.create_competition(organization_id=org.id, name="Sprint")
        hook = podium.create_webhook(
            "http://127.0.0.1:9/nowhere", event_types=["result.*"], competition_id=comp.id
        )
        assert len(hook.secret) >= 32 and hook.organization_id == org.id
        assert [h.id for h in podium.list_webhooks()] == [hook.id]
        assert podium.update_webhook(hook.id, active=False).active is False
        assert podium.list_deliveries(hook.id, state="dead") == []
        events = list(podium.event_feed())
        assert [e.op for e in events][-2:] == ["organization.created", "competition.created"]
        assert list(podium.event_feed(since_token=events[-1].token)) == []
        person = podium.create_person(name="Ann", organization_id=org.id)
        seen: list[str] = []

        def follow() -> None:
            with Client(live_server.url, token=admin_token) as other:
                for event in other.event_feed(since_token=events[-1].token, follow=True):
                    seen.append(event.op)
                    if event.op == "result.created":
                        return

        reader = threading.Thread(target=follow)
        reader.start()
        podium.create_result(comp.id, person_id=person.id, elapsed_ms=1000)
        reader.join(timeout=15)
        assert seen == ["person.created", "result.created"]
        podium.delete_webhook(hook.id)
        try:
            podium.get_webhook(hook.id)
        except NotFoundError:
            pass
        else:
            raise AssertionError("the webhook is still there")


async def test_async_client_feed(live_server: LiveServer, admin_token: str) -> None:
    async with AsyncClient(live_server.url, token=admin_token) as podium:
        await podium.create_organization(slug="asyncco", name="Async Co")
        ops = [event.op async for event in podium.event_feed(types=["organization"])]
        assert ops == ["organization.created"]
        made = await podium.create_webhook("http://127.0.0.1:9/x", description="d")
        assert (await podium.get_webhook(made.id)).description == "d"
