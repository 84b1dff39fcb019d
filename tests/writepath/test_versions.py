"""A deal's version is the whole deal: editing a status step, a party or a citation makes a new
version that History, Compare, the ETag and every figure see, and Revert brings back."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships import services
from partnerships.models import Company, Deal, Source
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SLUG = "calb-hyundai-motor-30gwh"
ARTICLE = "000-e2c2a161a104c2fc"


@pytest.fixture
def editor_api(db):
    user = UserFactory(username="api-editor")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="partnerships", codename__regex=r"^(add|change)_"
        )
    )
    api = APIClient()
    api.force_authenticate(user)
    return api


def _quote(deal):
    return deal.status_history.order_by("id").first().quote


def _sign(editor_api, deal):
    step = {
        "status": "signed",
        "effective_on": "2025-09-02",
        "effective_precision": "day",
        "source": ARTICLE,
        "quote": _quote(deal),
    }
    return editor_api.patch(f"/api/v1/deals/{SLUG}/", {"status_change": step}, format="json")


def _new_party(editor_api, deal):
    current = [{"company": p.company.slug, "role": p.role} for p in deal.parties.all()]
    body = {"parties": [*current, {"company": "byd", "role": "partner"}]}
    return editor_api.patch(f"/api/v1/deals/{SLUG}/", body, format="json")


def _new_citation(editor_api, deal):
    citation = {"source": ARTICLE, "quote": _quote(deal), "field": "notes", "claim": "talks"}
    return editor_api.patch(f"/api/v1/deals/{SLUG}/", {"citations": [citation]}, format="json")


def _state(reader):
    """What readers can tell about the deal and the data: its ETag, the stats' ETag and body."""
    detail = reader.get(f"/api/v1/deals/{SLUG}/")
    stats = reader.get("/api/v1/stats/")
    return detail["ETag"], stats["ETag"], stats.json()


@pytest.mark.parametrize(
    ("edit", "named"),
    [(_sign, "status"), (_new_party, "party"), (_new_citation, "citation")],
)
def test_editing_any_part_of_a_deal_makes_a_new_version(
    article, editor_api, staff_client, edit, named
):
    """A status step, a party or a citation: the version, the history, the deal's ETag and the
    data's ETag move, and Compare names the change."""
    deal = Deal.objects.get(slug=SLUG)
    reader = Client()
    before_version, before_records = deal.version, deal.history.count()
    deal_etag, stats_etag, _stats = _state(reader)

    response = edit(editor_api, deal)
    assert response.status_code == 200, response.json()

    deal.refresh_from_db()
    assert deal.version == before_version + 1
    assert deal.history.count() == before_records + 1
    after_deal_etag, after_stats_etag, _after = _state(reader)
    assert after_deal_etag != deal_etag
    assert after_stats_etag != stats_etag

    records = list(deal.history.order_by("-history_date")[:2])
    url = reverse("dashboard:deal-compare", args=[SLUG])
    page = staff_client.get(url, {"a": records[1].history_id, "b": records[0].history_id})
    assert page.status_code == 200
    fields = {str(change["field"]) for change in page.context["changes"]}
    assert named in fields, fields
    assert "The two versions are the same" not in page.content.decode()


def test_compare_names_the_status_step_with_its_date_and_source(article, editor_api, staff_client):
    """Signing the deal reads "status: not finalized / denied → signed, 2 Sep 2025, cited to …",
    and the figures count it as agreed."""
    reader = Client()
    agreed = {row["key"]: row["deals"] for row in reader.get("/api/v1/stats/").json()["by_status"]}
    deal = Deal.objects.get(slug=SLUG)
    assert _sign(editor_api, deal).status_code == 200
    records = list(deal.history.order_by("-history_date")[:2])
    page = staff_client.get(
        reverse("dashboard:deal-compare", args=[SLUG]),
        {"a": records[1].history_id, "b": records[0].history_id},
    )
    status = next(c for c in page.context["changes"] if str(c["field"]) == "status")
    assert status["old"] == "not finalized / denied"
    assert status["new"].startswith("signed, 2 Sep 2025, cited to ")
    after = {row["key"]: row["deals"] for row in reader.get("/api/v1/stats/").json()["by_status"]}
    assert after.get("signed", 0) == agreed.get("signed", 0) + 1
    detail = reader.get(reverse("dashboard:deal-detail", args=[SLUG])).content.decode()
    assert "2 Sep 2025" in detail


def test_revert_brings_back_the_whole_deal(article, editor_api, staff_client):
    """History → Revert to the version before a party and a step were added removes both, as a
    new version."""
    deal = Deal.objects.get(slug=SLUG)
    first = deal.history.order_by("-history_date").first()
    assert _new_party(editor_api, deal).status_code == 200
    assert _sign(editor_api, deal).status_code == 200
    deal.refresh_from_db()
    signed_version = deal.version

    url = reverse("admin:partnerships_deal_simple_history", args=[deal.pk, first.history_id])
    page = staff_client.get(url)
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    deal.refresh_from_db()
    assert deal.version == signed_version + 1
    assert deal.status == "not_finalized"
    assert not deal.parties.filter(company__slug="byd").exists()


def test_a_new_source_for_a_step_is_listed_under_sources(article):
    """A status step cited to a source the deal has no citation of lists that source under the
    deal's sources."""
    deal = Deal.objects.get(slug=SLUG)
    notes = Source.objects.get(slug="editors-reference-notes")
    sentence = notes.text.splitlines()[0]
    services.deal_record_status(
        deal=deal,
        status="signed",
        effective_on=__import__("datetime").date(2025, 9, 2),
        effective_precision="day",
        source=notes,
        quote=sentence,
    )
    page = Client().get(reverse("dashboard:deal-detail", args=[SLUG]))
    sources = [source for source, _quotes in page.context["citations_by_source"]]
    assert notes in sources
    assert Company.objects.filter(slug="byd").exists()


def test_a_headline_is_flagged_when_the_status_it_was_written_under_changes(article, editor_api):
    """Signing the CALB deal leaves its "in talks" headline flagged for review, shown on its
    page; a write that changes the status and the headline together flags nothing."""
    deal = Deal.objects.get(slug=SLUG)
    assert not deal.needs_review
    assert _sign(editor_api, deal).status_code == 200
    deal.refresh_from_db()
    assert deal.needs_review
    assert "not finalized / denied" in deal.review_reason and "signed" in deal.review_reason
    page = Client().get(reverse("dashboard:deal-detail", args=[SLUG])).content.decode()
    assert "The headline was written when the deal was" in page

    other = Deal.objects.get(slug="lges-chery-expansion-talks")
    step = {
        "status": "signed",
        "effective_on": "2025-09-02",
        "effective_precision": "day",
        "source": ARTICLE,
        "quote": _quote(other),
    }
    body = {"title": "LG Energy Solution and Chery sign more cells", "status_change": step}
    response = editor_api.patch(f"/api/v1/deals/{other.slug}/", body, format="json")
    assert response.status_code == 200, response.json()
    other.refresh_from_db()
    assert other.status == "signed" and not other.needs_review
