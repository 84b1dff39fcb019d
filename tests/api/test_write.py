"""Writing through the REST API: permissions, validation as 400 field errors, transactions."""

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from partnerships.models import Company, ContextEvent, Deal, Source, StatusChange, VehicleModel
from tests.factories import (
    SOURCE_TEXT,
    CompanyFactory,
    SourceFactory,
    UserFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db

QUOTE = "Alpha Cells will supply 5 GWh of batteries to Beta Motors."


@pytest.fixture
def world():
    return {
        "alpha": CompanyFactory(slug="alpha-cells", name="Alpha Cells"),
        "beta": CompanyFactory(
            slug="beta-motors", name="Beta Motors", country="CN", chain_role="automaker"
        ),
        "source": SourceFactory(slug="report", text=SOURCE_TEXT),
        "vehicle": VehicleModelFactory(slug="beta-one"),
    }


def deal_payload(world, **changes):
    payload = {
        "slug": "alpha-beta-supply",
        "title": "Alpha Cells supplies Beta Motors",
        "kind": "supply",
        "product": "battery_cells",
        "volume_gwh": 5,
        "announced_on": "2025-07-10",
        "announced_precision": "month",
        "parties": [
            {"company": "alpha-cells", "role": "supplier"},
            {"company": world["beta"].pk, "role": "customer", "note": "via a subsidiary"},
        ],
        "vehicle_models": ["beta-one"],
        "status_change": {
            "status": "signed",
            "effective_on": "2025-07-10",
            "effective_precision": "month",
            "source": "report",
            "quote": QUOTE,
        },
        "citations": [{"source": "report", "quote": QUOTE, "field": "volume_gwh"}],
    }
    payload.update(changes)
    return payload


def test_anonymous_writes_are_refused(api, world):
    """Without signing in, creating, changing or deleting anything is refused."""
    deal = supply_deal()
    attempts = [
        api.post("/api/v1/deals/", deal_payload(world), format="json"),
        api.patch(f"/api/v1/deals/{deal.slug}/", {"title": "x"}, format="json"),
        api.delete(f"/api/v1/deals/{deal.slug}/"),
        api.post("/api/v1/companies/", {"slug": "x", "name": "X", "country": "KR"}),
        api.post("/api/v1/sources/", {"slug": "x", "title": "X"}),
        api.post("/api/v1/vehicle-models/", {"slug": "x", "name": "X", "maker": "alpha-cells"}),
        api.post("/api/v1/context-events/", {"slug": "x", "title": "X", "kind": "policy"}),
    ]
    assert {response.status_code for response in attempts} <= {401, 403}
    assert Deal.objects.count() == 1 and not Company.objects.filter(slug="x").exists()


def test_signed_in_user_without_permission_is_403(world):
    """A signed-in user without the model permission may read but not write."""
    client = APIClient()
    client.force_authenticate(UserFactory())
    assert client.get("/api/v1/deals/").status_code == 200
    response = client.post("/api/v1/deals/", deal_payload(world), format="json")
    assert response.status_code == 403


def test_create_deal_with_parties_status_and_citations(editor_api, world):
    """An editor creates a deal with parties, vehicles, a sourced status and citations."""
    response = editor_api.post("/api/v1/deals/", deal_payload(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "signed"
    assert body["announced_on"] == "2025-07-01"  # stored as the start of its month
    assert {(p["slug"], p["role"]) for p in body["parties"]} == {
        ("alpha-cells", "supplier"),
        ("beta-motors", "customer"),
    }
    assert body["vehicle_models"][0]["slug"] == "beta-one"
    assert body["status_history"][0]["quote"] == QUOTE
    assert body["citations"][0]["field"] == "volume_gwh"
    assert response["ETag"].startswith(f'"deal-{body["id"]}-v{body["version"]}-d')


def test_session_authentication_works(staff_client, world):
    """A staff member signed in to the site may write through the API with the session."""
    response = staff_client.post(
        "/api/v1/deals/", deal_payload(world), content_type="application/json"
    )
    assert response.status_code == 201


def test_token_is_issued_for_username_and_password(api, world):
    """A script gets its token from /api/v1/auth/token/ with a username and password."""
    UserFactory(username="analyst")
    response = api.post(
        "/api/v1/auth/token/",
        {"username": "analyst", "password": "correct horse battery staple"},
    )
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"volume_gwh": -3}, "volume_gwh"),
        ({"volume_gwh": 0}, "volume_gwh"),
        ({"parties": [{"company": "nobody", "role": "supplier"}]}, "parties"),
        ({"parties": [{"company": "9" * 30, "role": "supplier"}]}, "parties"),
        ({"parties": [{"company": ["alpha-cells"], "role": "supplier"}]}, "parties"),
        ({"volume_gwh": "1e20"}, "volume_gwh"),
        ({"vehicle_count": 10**20}, "vehicle_count"),
        ({"announced_on": "2025-13-01"}, "announced_on"),
        ({"parties": [{"company": "alpha-cells", "role": "boss"}]}, "parties"),
        ({"parties": []}, "parties"),
        (
            {
                "start_on": "2026-01-01",
                "start_precision": "day",
                "end_on": "2025-01-01",
                "end_precision": "day",
            },
            "end_on",
        ),
        ({"announced_precision": ""}, "announced_precision"),
        ({"kind": "merger"}, "kind"),
        ({"vehicle_models": ["no-such-car"]}, "vehicle_models"),
        ({"status": "signed"}, "status"),
        ({"status_change": {"status": "finished"}}, "status_change"),
        (
            {
                "status_change": {
                    "status": "signed",
                    "effective_on": "2025-07-01",
                    "effective_precision": "month",
                    "source": "report",
                    "quote": "A sentence the source never wrote.",
                }
            },
            "status_change.quote",
        ),
        (
            {"citations": [{"source": "report", "quote": "Not in the text."}]},
            "citations.0.quote",
        ),
    ],
)
def test_bad_deal_input_is_400_and_writes_nothing(editor_api, world, changes, field):
    """Bad input gets a 400 naming the field, and no part of the deal is saved."""
    response = editor_api.post("/api/v1/deals/", deal_payload(world, **changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Deal.objects.exists()
    assert not StatusChange.objects.exists()


def test_duplicate_slug_is_400(editor_api, world):
    """A second deal with a slug in use is a 400 on `slug`."""
    supply_deal(slug="alpha-beta-supply")
    response = editor_api.post("/api/v1/deals/", deal_payload(world), format="json")
    assert response.status_code == 400 and "slug" in response.json()


def test_patch_replaces_parties_and_appends_status(editor_api, world):
    """Changing a deal replaces its parties and adds a step to its status history."""
    created = editor_api.post("/api/v1/deals/", deal_payload(world), format="json").json()
    gamma = CompanyFactory(slug="gamma", country="JP")
    response = editor_api.patch(
        f"/api/v1/deals/{created['slug']}/",
        {
            "title": "Alpha Cells and Gamma",
            "parties": [
                {"company": "alpha-cells", "role": "supplier"},
                {"company": "gamma", "role": "customer"},
            ],
            "status_change": {
                "status": "active",
                "effective_on": "2025-09-01",
                "effective_precision": "month",
                "source": "report",
                "quote": "Beta Motors is a state-owned automaker.",
            },
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Alpha Cells and Gamma"
    assert {p["slug"] for p in body["parties"]} == {"alpha-cells", "gamma"}
    assert [s["status"] for s in body["status_history"]] == ["signed", "active"]
    assert body["status"] == "active" and body["version"] > created["version"]
    assert gamma.deal_parties.count() == 1


def test_stale_version_is_a_conflict(editor_api, world):
    """An edit based on an old version is refused with 409 (body) or 412 (If-Match)."""
    created = editor_api.post("/api/v1/deals/", deal_payload(world), format="json").json()
    url = f"/api/v1/deals/{created['slug']}/"
    editor_api.patch(url, {"title": "First edit"}, format="json")
    stale = editor_api.patch(
        url, {"title": "Second edit", "version": created["version"]}, format="json"
    )
    assert stale.status_code == 409
    old_etag = f'"deal-{created["id"]}-v{created["version"]}"'
    assert (
        editor_api.patch(url, {"title": "x"}, format="json", HTTP_IF_MATCH=old_etag).status_code
        == 412
    )
    current = editor_api.get(url)
    fresh = editor_api.patch(
        url, {"title": "Third edit"}, format="json", HTTP_IF_MATCH=current["ETag"]
    )
    assert fresh.status_code == 200
    assert Deal.objects.get(slug=created["slug"]).title == "Third edit"


def test_delete_deal(editor_api):
    """An editor with the delete permission removes a deal with its parties."""
    deal = supply_deal()
    assert editor_api.delete(f"/api/v1/deals/{deal.slug}/").status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()


def test_delete_is_not_offered_for_companies(editor_api):
    """Companies are not deleted through the API (deals refer to them)."""
    company = CompanyFactory()
    assert editor_api.delete(f"/api/v1/companies/{company.slug}/").status_code == 405


def test_create_company_with_aliases_then_its_owner(editor_api):
    """An editor registers a company with its aliases, then its owner as a cited stake (by
    slug); the company's chain follows the stake."""
    CompanyFactory(slug="geely", name="Geely", country="CN")
    response = editor_api.post(
        "/api/v1/companies/",
        {
            "slug": "volvo",
            "name": "Volvo Cars",
            "country": "SE",
            "chain_role": "automaker",
            "hq_city": "Gothenburg",
            "hq_city_ko": "예테보리",
            "aliases": ["Volvo", "沃尔沃"],
            "citations": [{"source": SourceFactory(slug="s").slug, "quote": QUOTE}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert sorted(response.json()["aliases"]) == ["Volvo", "沃尔沃"]
    assert response.json()["hq_city_ko"] == "예테보리"
    stake = editor_api.post(
        "/api/v1/stakes/",
        {
            "owner": "geely",
            "owned": "volvo",
            "tie": "subsidiary",
            "controlling": True,
            "citations": [{"source": "s", "quote": QUOTE}],
        },
        format="json",
    )
    assert stake.status_code == 201, stake.json()
    body = editor_api.get("/api/v1/companies/volvo/").json()
    assert body["parent_chain"] == [{"id": body["parent"]["id"], "slug": "geely", "name": "Geely"}]
    patched = editor_api.patch("/api/v1/companies/volvo/", {"aliases": ["VCC"]}, format="json")
    assert patched.json()["aliases"] == ["VCC"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"country": "XX"}, "country"),
        ({"parent": "nobody", "parent_tie": "subsidiary"}, "parent"),
        ({"parent": "geely"}, "parent"),
        ({"hq_latitude": 37.5}, "hq_latitude"),
        ({"name": "Geely"}, "name"),
    ],
)
def test_bad_company_input_is_400(editor_api, payload, field):
    """Company writes report unknown countries, parents, half coordinates and duplicates."""
    CompanyFactory(slug="geely", name="Geely", country="CN")
    data = {"slug": "new", "name": "New Co", "country": "KR", **payload}
    response = editor_api.post("/api/v1/companies/", data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_create_source_vehicle_and_event(editor_api, world):
    """Sources, vehicle models and context events are created and changed by editors."""
    source = editor_api.post(
        "/api/v1/sources/",
        {
            "slug": "filing-1",
            "title": "Annual report",
            "kind": "filing",
            "published_on": "2025-03-15",
            "published_precision": "quarter",
            "text": "Alpha Cells doubled its capacity.",
        },
        format="json",
    )
    assert source.status_code == 201, source.json()
    assert source.json()["published_on"] == "2025-01-01"
    assert Source.objects.get(slug="filing-1").text.startswith("Alpha")
    vehicle = editor_api.post(
        "/api/v1/vehicle-models/",
        {"slug": "beta-two", "name": "Two", "maker": "beta-motors", "powertrain": "bev"},
        format="json",
    )
    assert vehicle.status_code == 201, vehicle.json()
    assert VehicleModel.objects.get(slug="beta-two").maker == world["beta"]
    event = editor_api.post(
        "/api/v1/context-events/",
        {
            "slug": "tariffs",
            "title": "Tariffs",
            "title_ko": "관세",
            "kind": "policy",
            "country": "US",
        },
        format="json",
    )
    assert event.status_code == 201, event.json()
    assert event.json()["title_ko"] == "관세"
    changed = editor_api.patch(
        "/api/v1/context-events/tariffs/",
        {"occurred_on": "2025-04-02", "occurred_precision": "month"},
        format="json",
    )
    assert changed.json()["occurred_display"] == "Apr 2025"
    assert ContextEvent.objects.get(slug="tariffs").occurred_on.day == 1
    bad = editor_api.patch(
        "/api/v1/sources/filing-1/", {"published_precision": "week"}, format="json"
    )
    assert bad.status_code == 400 and "published_precision" in bad.json()
    bad_event = editor_api.post(
        "/api/v1/context-events/",
        {"slug": "x", "title": "X", "kind": "policy", "occurred_on": "2025-01-01"},
        format="json",
    )
    assert bad_event.status_code == 400 and "occurred_precision" in bad_event.json()


def test_change_permission_alone_cannot_create(world):
    """A user who may change deals but not add them gets 403 on create, 200 on change."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_deal"))
    client = APIClient()
    client.force_authenticate(user)
    assert client.post("/api/v1/deals/", deal_payload(world), format="json").status_code == 403
    deal = supply_deal()
    assert (
        client.patch(f"/api/v1/deals/{deal.slug}/", {"title": "New"}, format="json").status_code
        == 200
    )


def test_patch_with_an_incomplete_status_change_is_400(editor_api):
    """A PATCH whose status step lacks its source is a 400 on that field, not a crash."""
    deal = supply_deal()
    response = editor_api.patch(
        f"/api/v1/deals/{deal.slug}/",
        {
            "status_change": {"status": "active", "effective_on": "2025-01-01"},
            "parties": [{"role": "supplier"}],
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body["status_change"]) == {"effective_precision", "source", "quote"}
    assert body["parties"] == [{"company": ["This field is required."]}]


@pytest.mark.parametrize("body", ["{", "[]", '"text"', "[" * 5000 + "]" * 5000])
def test_malformed_bodies_are_400(editor_api, body):
    """A body that is not a JSON object, even one nested thousands deep, gets a 400."""
    response = editor_api.generic("POST", "/api/v1/deals/", body, content_type="application/json")
    assert response.status_code == 400


def test_form_bodies_are_refused(editor_api):
    """Deal writes take JSON only (only sources also take a file upload); a form is a 415."""
    response = editor_api.post("/api/v1/deals/", {"slug": "x", "title": "X"}, format="multipart")
    assert response.status_code == 415


def test_a_field_the_resource_does_not_have_is_refused_naming_the_fields_it_has(editor_api):
    """`notes` on a company (which has `description`) is a 400 naming it, and nothing is
    written (found live: answered 200, ignored, and a history row added)."""
    company = CompanyFactory(slug="kia", name="Kia", description="Carmaker.")
    history = company.history.count()
    response = editor_api.patch("/api/v1/companies/kia/", {"notes": "x"}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()["notes"][0]
    company.refresh_from_db()
    assert company.description == "Carmaker." and company.history.count() == history
    deal = editor_api.post("/api/v1/deals/", {"slug": "d", "titel": "Typo"}, format="json")
    assert deal.status_code == 400 and "titel" in deal.json()


def test_a_write_answers_with_the_row_as_a_read_of_it_shows_it(editor_api, world):
    """Create and update answer with the row read back as the detail shows it (derived
    counts, display dates, the chain), not with the fields that were sent."""
    writes = [
        ("post", "/api/v1/deals/", deal_payload(world), "alpha-beta-supply"),
        (
            "post",
            "/api/v1/sources/",
            {"slug": "wire", "title": "Wire", "url": "https://news.example/a", "text": QUOTE},
            "",
        ),
        ("post", "/api/v1/companies/", {"slug": "gamma", "name": "Gamma", "country": "KR"}, ""),
        (
            "post",
            "/api/v1/vehicle-models/",
            {"slug": "beta-two", "name": "Two", "maker": "beta-motors", "powertrain": "bev"},
            "",
        ),
        ("post", "/api/v1/context-events/", {"slug": "e", "title": "E", "kind": "policy"}, ""),
        ("patch", "/api/v1/deals/alpha-beta-supply/", {"volume_gwh": 6}, ""),
        ("patch", "/api/v1/companies/alpha-cells/", {"hq_city": "Ochang"}, ""),
    ]
    for method, url, body, slug in writes:
        response = getattr(editor_api, method)(url, body, format="json")
        assert response.status_code in {200, 201}, response.json()
        address = url if method == "patch" else f"{url}{slug or body['slug']}/"
        assert response.json() == editor_api.get(address).json(), address
        if method == "post":  # a new row's address is its own, never its article's `url`
            assert response["Location"] == response.json()["api_url"]
