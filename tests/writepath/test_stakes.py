"""Stakes reach readers only on a source's word, through the one write path (services: the
admin's company page, the API, and the services themselves), and the controlling owner each
company shows is derived from them in the same transaction."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships import freshness, services
from partnerships.models import Company, Ownership
from tests.admin.test_deal_admin import form_data
from tests.factories import CompanyFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

QUOTE = "Beta Motors is a state-owned automaker."


@pytest.fixture
def pair():
    """Two cited (published) companies."""
    source = SourceFactory()
    return tuple(
        services.company_create(
            fields={"slug": slug, "name": name, "country": "KR", "chain_role": role},
            citations=[services.CitationInput(source=source, quote=QUOTE)],
        )
        for slug, name, role in [
            ("alpha-group", "Alpha Group", "group"),
            ("beta-motors", "Beta Motors", "automaker"),
        ]
    )


@pytest.fixture
def editor_api(db):
    user = UserFactory(username="stake-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="partnerships", codename__regex=r"^(add|change|delete)_"
        )
    )
    api = APIClient()
    api.force_authenticate(user)
    return api


def _readers_see_stake(slug, company="beta-motors"):
    reader = APIClient()
    listed = {row["slug"] for row in reader.get("/api/v1/stakes/").json()["results"]}
    detail = reader.get(f"/api/v1/companies/{company}/").json()
    page = Client().get(reverse("dashboard:company-detail", args=[company])).content.decode()
    return {
        "list": slug in listed,
        "company": slug in {s["slug"] for s in detail["owners"]},
        "page": f'data-stake="{slug}"' in page,
    }


def test_service_keeps_an_unsourced_stake_unpublished_and_derives_no_parent(pair):
    """Recorded without a citation, a controlling stake is kept for the editors, unpublished,
    and the company gets no controlling owner; citing it publishes it and derives the owner."""
    owner, owned = pair
    stake = services.ownership_create(
        fields={"owner": owner, "owned": owned, "tie": "subsidiary", "controlling": True}
    )
    assert not stake.published and "No citation" in stake.unpublished_reason
    assert stake.slug == "alpha-group-in-beta-motors"
    owned.refresh_from_db()
    assert owned.parent is None
    assert not any(_readers_see_stake(stake.slug).values())
    services.ownership_update(
        ownership=stake,
        fields={"share_percent": Decimal("60")},
        citations=[services.CitationInput(source=SourceFactory(), quote=QUOTE)],
    )
    stake.refresh_from_db()
    owned.refresh_from_db()
    assert stake.published
    assert (owned.parent, owned.parent_tie, owned.parent_share_percent) == (
        owner,
        "subsidiary",
        Decimal("60.00"),
    )
    assert all(_readers_see_stake(stake.slug).values())


def test_ending_or_uncontrolling_or_uncititing_a_stake_clears_the_derived_owner(pair):
    """The derived owner follows the stake: ended, unmarked or its citation deleted, the
    company has no controlling owner any more."""
    owner, owned = pair
    source = SourceFactory()
    stake = services.ownership_create(
        fields={"owner": owner, "owned": owned, "tie": "subsidiary", "controlling": True},
        citations=[services.CitationInput(source=source, quote=QUOTE)],
    )
    owned.refresh_from_db()
    assert owned.parent == owner
    services.ownership_update(
        ownership=stake, fields={"until_on": datetime.date(2024, 3, 1), "until_precision": "month"}
    )
    owned.refresh_from_db()
    assert owned.parent is None
    services.ownership_update(ownership=stake, fields={"until_on": None, "until_precision": ""})
    owned.refresh_from_db()
    assert owned.parent == owner
    services.citation_delete(citation=stake.citations.get())
    owned.refresh_from_db()
    stake.refresh_from_db()
    assert owned.parent is None and not stake.published


def test_a_stake_write_moves_the_data_version(pair):
    """Every stake write is a new data version, so no cached page keeps the old owners."""
    owner, owned = pair
    before = freshness.current().number
    stake = services.ownership_create(fields={"owner": owner, "owned": owned, "tie": "brand"})
    middle = freshness.current().number
    assert middle > before
    services.ownership_update(ownership=stake, fields={"share_percent": Decimal("10")})
    assert freshness.current().number > middle


def test_admin_company_page_writes_stakes_through_the_services(staff_client, pair):
    """An owner added in the company's admin page without a sentence is saved unpublished;
    with a source and its quoted sentence it is published and becomes the company's owner."""
    owner, owned = pair
    source = SourceFactory()
    url = reverse("admin:partnerships_company_change", args=[owned.pk])
    page = staff_client.get(url)
    row = {"owner": owner.pk, "tie": "subsidiary", "share_percent": "55", "controlling": "on"}
    data = form_data(page, inlines={"stakes": [row]})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    stake = Ownership.objects.get(owned=owned)
    assert not stake.published
    assert Company.objects.get(pk=owned.pk).parent is None
    page = staff_client.get(url)
    cited = {"id": stake.pk, **row, "source": source.pk, "quote": QUOTE}
    response = staff_client.post(url, form_data(page, inlines={"stakes": [cited]}))
    assert response.status_code == 302, response.context["adminform"].form.errors
    stake.refresh_from_db()
    assert stake.published and stake.citations.get().source == source
    assert Company.objects.get(pk=owned.pk).parent == owner


def test_admin_refuses_a_quote_its_source_does_not_hold(staff_client, pair):
    """The services check the sentence against its source: nothing is saved, the form says why."""
    owner, owned = pair
    url = reverse("admin:partnerships_company_change", args=[owned.pk])
    page = staff_client.get(url)
    row = {"owner": owner.pk, "tie": "brand", "source": SourceFactory().pk, "quote": "Not there."}
    response = staff_client.post(url, form_data(page, inlines={"stakes": [row]}))
    assert response.status_code == 200
    assert "does not appear in the source" in response.content.decode()
    assert not Ownership.objects.exists()


def test_api_stores_an_unsourced_stake_unpublished_and_publishes_a_cited_one(editor_api, pair):
    """POSTed without citations a stake is stored unpublished (the editor reads it back marked;
    readers never see it); with one it is listed, on the company and on its page."""
    response = editor_api.post(
        "/api/v1/stakes/",
        {"owner": "alpha-group", "owned": "beta-motors", "tie": "subsidiary", "controlling": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["published"] is False and body["unpublished_reason"]
    assert not any(_readers_see_stake(body["slug"]).values())
    assert APIClient().get(f"/api/v1/stakes/{body['slug']}/").status_code == 404
    source = SourceFactory()
    cited = editor_api.patch(
        f"/api/v1/stakes/{body['slug']}/",
        {"share_percent": "51", "citations": [{"source": source.slug, "quote": QUOTE}]},
        format="json",
    )
    assert cited.status_code == 200, cited.json()
    assert cited.json()["published"] is True
    assert all(_readers_see_stake(body["slug"]).values())
    company = APIClient().get("/api/v1/companies/beta-motors/").json()
    assert company["parent"]["slug"] == "alpha-group"
    assert company["owners"][0]["share_percent"] == 51
    assert company["owners"][0]["citations"][0]["quote"] == QUOTE
    holder = APIClient().get("/api/v1/companies/alpha-group/").json()
    assert [s["owned"]["slug"] for s in holder["holdings"]] == ["beta-motors"]


def test_api_refuses_bad_stakes_with_field_errors(editor_api, pair):
    """A second current controlling stake, a self-stake or a share over 100 is a 400."""
    owner, owned = pair
    services.ownership_create(
        fields={"owner": owner, "owned": owned, "tie": "subsidiary", "controlling": True}
    )
    other = CompanyFactory(slug="gamma")
    for body, field in [
        ({"owner": "gamma", "owned": "beta-motors", "controlling": True}, "non_field_errors"),
        ({"owner": "gamma", "owned": "gamma"}, "owner"),
        ({"owner": "gamma", "owned": "beta-motors", "share_percent": "120"}, "share_percent"),
    ]:
        response = editor_api.post("/api/v1/stakes/", {"tie": "brand", **body}, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), response.json()
    assert not Ownership.objects.filter(owner=other).exists()


def test_company_writes_refuse_the_derived_owner(editor_api):
    """`parent` is derived from the stakes: a company write naming it is a 400 that says where
    to write stakes, not a silent drop."""
    response = editor_api.post(
        "/api/v1/companies/",
        {"slug": "volvo", "name": "Volvo Cars", "country": "SE", "parent": "geely"},
        format="json",
    )
    assert response.status_code == 400
    assert "/api/v1/stakes/" in response.json()["parent"][0]


def test_stakes_export_as_csv_with_their_source(editor_api, pair):
    """The stakes list exports as CSV, one row a stake, named as the JSON, with its source."""
    owner, owned = pair
    source = SourceFactory(title="Annual report")
    services.ownership_create(
        fields={
            "owner": owner,
            "owned": owned,
            "tie": "subsidiary",
            "share_percent": Decimal("60"),
        },
        citations=[services.CitationInput(source=source, quote=QUOTE)],
    )
    services.ownership_create(fields={"owner": owned, "owned": owner, "tie": "shareholder"})
    response = APIClient().get("/api/v1/stakes/", {"format": "csv"})
    rows = [line for line in b"".join(response.streaming_content).decode().splitlines()]
    data = [row for row in rows if row.split(",")[0].isdigit()]
    header = next(row for row in rows if row.startswith("id,"))
    assert "share_percent" in header and "since_display" in header and "source" in header
    assert len(data) == 1  # the unsourced stake is not exported
    assert "alpha-group-in-beta-motors" in data[0] and "Annual report" in data[0]
