"""Nothing is lost: writes are all-or-nothing, concurrent saves of one deal cannot silently
overwrite each other, history restores any earlier version, and a dump restores the whole
database exactly."""

import threading

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from partnerships import services
from partnerships.models import Company, Deal, DealParty, StatusChange
from tests.admin.test_deal_admin import form_data
from tests.factories import SourceFactory, UserFactory, supply_deal

from .conftest import make_user
from .test_input import WORLD_TEXT

DEAL = "lges-chery-46-series-cells"


@pytest.mark.django_db
def test_a_write_that_fails_halfway_leaves_nothing(editor_api):
    """A deal whose status quote is not in its source is refused whole: no deal, no parties."""
    source = SourceFactory(slug="report")
    alpha = supply_deal().parties.first().company
    payload = {
        "slug": "half-written",
        "title": "Half written",
        "kind": "supply",
        "product": "battery_cells",
        "parties": [{"company": alpha.slug, "role": "supplier"}],
        "status_change": {
            "status": "signed",
            "effective_on": "2025-07-01",
            "effective_precision": "month",
            "source": source.slug,
            "quote": "A sentence the source never says.",
        },
    }
    before = (Deal.objects.count(), DealParty.objects.count(), StatusChange.objects.count())
    response = editor_api.post("/api/v1/deals/", payload, format="json")
    assert response.status_code == 400
    assert "status_change" in str(response.json())
    after = (Deal.objects.count(), DealParty.objects.count(), StatusChange.objects.count())
    assert after == before


@pytest.mark.django_db
def test_a_deal_without_vehicle_models_is_created(editor_api):
    """Leaving out the optional vehicle models creates the deal (it once answered 500)."""
    alpha = supply_deal().parties.first().company
    payload = {
        "slug": "no-vehicles",
        "title": "No vehicles",
        "kind": "supply",
        "product": "battery_cells",
        "parties": [{"company": alpha.slug, "role": "supplier"}],
    }
    response = editor_api.post("/api/v1/deals/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Deal.objects.get(slug="no-vehicles").vehicle_models.count() == 0


@pytest.mark.django_db
def test_two_editors_saving_one_deal_via_api_get_409(article):
    """Two editors read the same deal; the first save wins, the second gets 409 (or 412 with
    a stale If-Match) and the first one's change is kept."""
    first, second = APIClient(), APIClient()
    first.force_authenticate(make_user("editor"))
    second.force_authenticate(make_user("superuser"))
    url = f"/api/v1/deals/{DEAL}/"
    seen_first, seen_second = first.get(url), second.get(url)
    version = seen_first.json()["version"]
    assert seen_second.json()["version"] == version
    saved = first.patch(url, {"notes": "first editor", "version": version}, format="json")
    assert saved.status_code == 200 and saved.json()["version"] == version + 1
    stale = second.patch(url, {"notes": "second editor", "version": version}, format="json")
    assert stale.status_code == 409
    assert "version" in stale.json()["detail"]
    stale_etag = second.patch(
        url, {"notes": "second editor"}, format="json", HTTP_IF_MATCH=seen_second["ETag"]
    )
    assert stale_etag.status_code == 412
    assert Deal.objects.get(slug=DEAL).notes == "first editor"


@pytest.mark.django_db
def test_two_editors_saving_one_deal_in_admin_get_a_message(article):
    """In the admin, the second editor to save an opened deal gets a message, not an
    overwrite."""
    deal = Deal.objects.get(slug=DEAL)
    url = f"/admin/partnerships/deal/{deal.pk}/change/"
    first, second = Client(), Client()
    first.force_login(make_user("editor"))
    second.force_login(make_user("superuser"))
    form_first, form_second = first.get(url), second.get(url)
    saved = first.post(url, form_data(form_first, notes="first editor"))
    assert saved.status_code == 302
    refused = second.post(url, form_data(form_second, notes="second editor"))
    assert refused.status_code == 200
    assert "Someone else saved this deal" in refused.content.decode()
    assert Deal.objects.get(pk=deal.pk).notes == "first editor"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_version_let_exactly_one_through():
    """Eight editors saving the same version at the same instant: one save, seven refusals,
    the version raised once."""
    deal = supply_deal()
    version = deal.version
    barrier = threading.Barrier(8)
    outcomes = []

    def save(n):
        try:
            barrier.wait(timeout=10)
            services.deal_update(
                deal=deal, fields={"notes": f"editor {n}"}, expected_version=version
            )
            outcomes.append("saved")
        except services.StaleVersionError:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["saved"] + ["stale"] * 7
    assert Deal.objects.get(pk=deal.pk).version == version + 1


@pytest.mark.django_db
def test_history_restores_an_earlier_version_from_the_admin(article):
    """Two edits later, the admin's history page brings back the first version's values, as a
    new version."""
    deal = Deal.objects.get(slug=DEAL)
    original = {"title": deal.title, "notes": deal.notes, "market": deal.market}
    client = Client()
    client.force_login(make_user("superuser"))
    url = f"/admin/partnerships/deal/{deal.pk}/change/"
    for n in (1, 2):
        page = client.get(url)
        response = client.post(url, form_data(page, title=f"Edit {n}", notes=f"note {n}"))
        assert response.status_code == 302
    assert Deal.objects.get(pk=deal.pk).title == "Edit 2"
    edited = Deal.objects.get(pk=deal.pk)
    entries = deal.history.count()
    oldest = deal.history.order_by("history_date", "history_id").first()
    history_url = f"/admin/partnerships/deal/{deal.pk}/history/{oldest.history_id}/"
    page = client.get(history_url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    values = {name: form[name].value() for name in form.fields}
    response = client.post(history_url, {k: v for k, v in values.items() if v is not None})
    assert response.status_code == 302, response.context["adminform"].form.errors
    restored = Deal.objects.get(pk=deal.pk)
    assert {k: getattr(restored, k) for k in original} == original
    # The restore is a new version on top, so stale copies are still refused afterwards.
    assert restored.version == edited.version + 1
    assert restored.history.count() == entries + 1


def table_rows():
    """Every row of every table, by model, in primary-key order."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


# Outside a test transaction: PostgreSQL will not empty tables with constraint checks pending.
@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_reproduces_the_database_exactly(article, tmp_path):
    """dumpdata, an emptied database, loaddata: every row of every table is back, identical,
    Korean, Chinese, emoji and right-to-left text included; new rows still get fresh ids."""
    Company.objects.create(slug="world-motors", country="KR", **WORLD_TEXT)
    deal = Deal.objects.get(slug=DEAL)
    deal.title = "한국 🇰🇷 × 中国 🇨🇳 — تعاون"
    deal.save()
    user = UserFactory(username="편집자")
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=user)
    before = table_rows()
    assert sum(len(rows) for rows in before.values()) > 500
    # YAML, not JSON: Django's JSON encoder cuts datetimes to milliseconds, YAML keeps them whole.
    dump = tmp_path / "dump.yaml"
    call_command("dumpdata", output=str(dump), format="yaml", verbosity=0)
    assert "현대자동차그룹" in dump.read_text(encoding="utf-8")

    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert Deal.objects.count() == 0 and Company.objects.count() == 0
    call_command("loaddata", str(dump), verbosity=0)

    after = table_rows()
    assert after.keys() == before.keys()
    for label in before:
        assert after[label] == before[label], label
    fresh = Company.objects.create(slug="after-restore", name="After restore", country="CN")
    assert fresh.pk > max(row["id"] for row in before["partnerships.Company"])
