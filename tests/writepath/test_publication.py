"""Nothing reaches a reader without its source: the admin, the API and draft approval all write
through the services, which publish a deal, company or vehicle model only once it is cited."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ingest import services as ingest_services
from ingest.models import Draft, DraftParty
from partnerships import services
from partnerships.models import Company, Deal, StatusChange
from tests.admin.test_deal_admin import form_data
from tests.factories import CompanyFactory, SourceFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = reverse("admin:partnerships_deal_add")
QUOTE = "Alpha Cells will supply 5 GWh of batteries to Beta Motors."


@pytest.fixture
def parties():
    return (
        CompanyFactory(name="Alpha Cells", slug="alpha-cells", country="CN"),
        CompanyFactory(name="Beta Motors", slug="beta-motors", chain_role="automaker"),
    )


@pytest.fixture
def editor_api(db):
    user = UserFactory(username="api-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["partnerships", "ingest"],
            codename__regex=r"^(add|change|delete)_",
        )
    )
    api = APIClient()
    api.force_authenticate(user)
    return api


def _readers_see(_client, slug):
    """Whether the deal is on any reader's path (list page, API list and detail, its page), for
    an anonymous reader."""
    client = Client()
    seen = {
        "list": slug in client.get(reverse("dashboard:deal-list")).content.decode(),
        "api": slug in [r["slug"] for r in client.get("/api/v1/deals/").json()["results"]],
        "detail": client.get(f"/api/v1/deals/{slug}/").status_code == 200,
        "page": client.get(reverse("dashboard:deal-detail", args=[slug])).status_code == 200,
    }
    return seen


def _admin_add(staff_client, parties, slug, inlines=None):
    supplier, customer = parties
    page = staff_client.get(ADD)
    rows = {
        "parties": [
            {"company": supplier.pk, "role": "supplier"},
            {"company": customer.pk, "role": "customer"},
        ],
        **(inlines or {}),
    }
    data = form_data(
        page,
        title="Alpha Cells to supply Beta Motors",
        slug=slug,
        kind="supply",
        product="battery_cells",
        volume_gwh="5",
        announced_on="2025-06-01",
        announced_precision="month",
        inlines=rows,
    )
    return staff_client.post(ADD, data)


def test_admin_saves_an_unsourced_deal_unpublished(staff_client, parties, client):
    """A deal added in the admin without a citation or status step is kept, marked, and shown
    to no reader; counts leave it out."""
    before = Client().get("/api/v1/stats/").json()
    response = _admin_add(staff_client, parties, "alpha-beta")
    assert response.status_code == 302, response.context["adminform"].form.errors
    deal = Deal.objects.get(slug="alpha-beta")
    assert not deal.published and "No citation" in deal.unpublished_reason
    assert not any(_readers_see(client, "alpha-beta").values())
    assert Client().get("/api/v1/stats/").json() == before
    listing = staff_client.get(reverse("admin:partnerships_deal_changelist")).content.decode()
    assert "alpha-beta" in listing or "Alpha Cells to supply Beta Motors" in listing


def test_admin_publishes_a_cited_deal(staff_client, parties, client):
    """The same deal with a citation of its sentence is published at once."""
    source = SourceFactory()
    response = _admin_add(
        staff_client,
        parties,
        "alpha-beta-cited",
        inlines={"citations": [{"source": source.pk, "quote": QUOTE, "field": "", "claim": ""}]},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Deal.objects.get(slug="alpha-beta-cited").published
    assert all(_readers_see(client, "alpha-beta-cited").values())


def test_admin_company_without_citation_stays_unpublished(staff_client, client):
    """A company added in the admin without a citation is not on the companies page or API."""
    page = staff_client.get(reverse("admin:partnerships_company_add"))
    data = form_data(page, name="Gamma Anodes", slug="gamma-anodes", country="CN")
    response = staff_client.post(reverse("admin:partnerships_company_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not Company.objects.get(slug="gamma-anodes").published
    reader = Client()
    assert reader.get("/api/v1/companies/gamma-anodes/").status_code == 404
    assert "Gamma Anodes" not in reader.get(reverse("dashboard:company-list")).content.decode()


def test_api_refuses_to_publish_an_unsourced_deal(editor_api, parties, client):
    """POSTed without a citation or status step, a deal is stored unpublished: the editor reads
    it back, marked, and anonymous readers never see it; citing it publishes it."""
    body = {
        "slug": "api-deal",
        "title": "Alpha Cells to supply Beta Motors",
        "kind": "supply",
        "product": "battery_cells",
        "parties": [
            {"company": "alpha-cells", "role": "supplier"},
            {"company": "beta-motors", "role": "customer"},
        ],
    }
    response = editor_api.post("/api/v1/deals/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["published"] is False
    assert not any(_readers_see(client, "api-deal").values())

    source = SourceFactory()
    patched = editor_api.patch(
        "/api/v1/deals/api-deal/",
        {"citations": [{"source": source.slug, "quote": QUOTE}]},
        format="json",
    )
    assert patched.status_code == 200 and patched.json()["published"] is True
    assert all(_readers_see(client, "api-deal").values())


def test_api_publishes_a_deal_with_a_status_step(editor_api, parties, client):
    """A status step carries its source and sentence: a deal posted with one is published."""
    source = SourceFactory()
    body = {
        "slug": "api-signed",
        "title": "Alpha Cells to supply Beta Motors",
        "kind": "supply",
        "product": "battery_cells",
        "parties": [{"company": "alpha-cells", "role": "supplier"}],
        "status_change": {
            "status": "signed",
            "effective_on": "2025-06-01",
            "effective_precision": "month",
            "source": source.slug,
            "quote": QUOTE,
        },
    }
    response = editor_api.post("/api/v1/deals/", body, format="json")
    assert response.status_code == 201 and response.json()["published"] is True
    assert all(_readers_see(client, "api-signed").values())


def test_a_deal_naming_an_unpublished_company_stays_unpublished(editor_api, client):
    """A cited deal between a published and an unsourced company is not shown until the company
    is cited too; citing the company publishes both."""
    source = SourceFactory()
    known = CompanyFactory(slug="alpha-cells", name="Alpha Cells")
    unsourced = services.company_create(
        fields={"slug": "beta-motors", "name": "Beta Motors", "country": "KR"}
    )
    deal = services.deal_create(
        fields={"slug": "d", "title": "D", "kind": "supply", "product": "battery_cells"},
        parties=[
            services.PartyInput(company=known, role="supplier"),
            services.PartyInput(company=unsourced, role="customer"),
        ],
        citations=[services.CitationInput(source=source, quote=QUOTE)],
    )
    assert not deal.published and "Beta Motors" in deal.unpublished_reason
    services.company_update(
        company=unsourced,
        fields={},
        citations=[services.CitationInput(source=source, quote=QUOTE)],
    )
    deal.refresh_from_db()
    assert deal.published and Company.objects.get(slug="beta-motors").published


def _deal_draft(source, parties, status="signed", fingerprint="first"):
    draft = Draft.objects.create(
        fingerprint=fingerprint,
        source=source,
        kind=Draft.Kind.DEAL,
        sentence=QUOTE,
        deal_kind="supply",
        status=status,
        product="battery_cells",
        title="Alpha Cells – Beta Motors",
        confidence=0.9,
    )
    for company, role in zip(parties, ("supplier", "customer"), strict=True):
        DraftParty.objects.create(draft=draft, company=company, name=company.name, role=role)
    return draft


def test_approval_publishes_a_cited_deal_and_repeating_it_changes_nothing(parties, client):
    """Approving a deal draft publishes the deal with the draft's sentence; approving it again,
    or approving a second draft that repeats the same step, adds nothing and keeps the version."""
    source = SourceFactory()
    draft = _deal_draft(source, parties)
    ingest_services.draft_approve(draft=draft)
    deal = Deal.objects.get()
    assert deal.published and deal.status == "signed"
    assert all(_readers_see(client, deal.slug).values())
    version, steps = deal.version, StatusChange.objects.filter(deal=deal).count()

    with pytest.raises(Exception, match="reviewed already"):
        ingest_services.draft_approve(draft=draft)
    ingest_services.draft_approve(draft=_deal_draft(source, parties, fingerprint="second"))

    deal.refresh_from_db()
    assert (deal.version, StatusChange.objects.filter(deal=deal).count()) == (version, steps)


def test_approval_with_an_unsourced_party_keeps_the_deal_unpublished(client):
    """A draft naming a company nobody has cited yet makes a deal readers do not see."""
    source = SourceFactory()
    cited = CompanyFactory(name="Alpha Cells")
    bare = services.company_create(fields={"slug": "bare", "name": "Bare Co", "country": "KR"})
    ingest_services.draft_approve(draft=_deal_draft(source, (cited, bare)))
    deal = Deal.objects.get()
    assert not deal.published
    assert not any(_readers_see(client, deal.slug).values())
