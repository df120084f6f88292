async def test_smoke(api, client):
    r = await client.get("/healthz")
    assert r.status_code == 200, r.text
    r = await api.post("/organizations", json={"slug": "acme", "name": "Acme"})
    assert r.status_code == 201, r.text
    org = r.json()
    r = await api.post("/competitions", json={"organization_id": org["id"], "name": "Race 1"})
    assert r.status_code == 201, r.text
    comp = r.json()
    r = await api.post("/people", json={"name": "Ann", "external_ids": {"discord": "123"}})
    assert r.status_code == 201, r.text
    person = r.json()
    r = await api.post(f"/competitions/{comp['id']}/entries", json={"person_id": person["id"], "bib": "7"})
    assert r.status_code == 201, r.text
    entry = r.json()
    r = await api.post(f"/competitions/{comp['id']}/results/bulk", json={"results": [{"entry_id": entry["id"], "elapsed_ms": 1000}]*3})
    assert r.status_code == 201, r.text
    r = await api.get(f"/competitions/{comp['id']}/results", params={"limit": 2})
    assert r.status_code == 200, r.text
    assert r.json()["next_cursor"]
    r = await api.get("/events")
    print(r.json()[-1])
    r = await api.get("/people", params={"external_id": "discord:123"})
    assert r.json()["data"][0]["id"] == person["id"]


def test_live(live_server):
    import httpx
    assert httpx.get(live_server.url + "/healthz").status_code == 200
