"""An editor in the admin and a script in the API change the same deal's status: the second to
save is refused with a message (409/412 or a form error), and nothing either wrote is lost."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships.models import Deal, Source
from tests.admin.test_deal_admin import form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SLUG = "calb-hyundai-motor-30gwh"


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


def _step(status, on, source, quote):
    return {
        "status": status,
        "effective_on": on,
        "effective_precision": "month",
        "source": source.pk,
        "quote": quote,
        "note": "",
        "effective_estimated": "",
    }


def test_status_edits_from_the_admin_and_the_api_lose_nothing(article, staff_client, editor_api):
    """The API signs the deal while an editor has it open; the editor's save (another step) is
    refused with a message, and once reopened both steps are kept, each a new version."""
    deal = Deal.objects.get(slug=SLUG)
    source = Source.objects.get(slug="000-e2c2a161a104c2fc")
    quote = deal.status_history.first().quote
    url = reverse("admin:partnerships_deal_change", args=[deal.pk])
    page = staff_client.get(url)
    start = deal.version

    etag = editor_api.get(f"/api/v1/deals/{SLUG}/")["ETag"]
    api_step = {
        "status": "signed",
        "effective_on": "2025-09-02",
        "effective_precision": "day",
        "source": source.slug,
        "quote": quote,
    }
    response = editor_api.patch(
        f"/api/v1/deals/{SLUG}/", {"status_change": api_step}, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] != etag

    rows = [
        {k: v for k, v in form.initial.items() if v is not None} | {"id": form.instance.pk}
        for form in page.context["inline_admin_formsets"][1].formset.initial_forms
    ]
    admin_rows = rows + [_step("active", "2025-10-01", source, quote)]
    refused = staff_client.post(url, form_data(page, inlines={"status_history": admin_rows}))
    assert refused.status_code == 200
    assert "Someone else saved this deal while you were editing it" in refused.content.decode()
    deal.refresh_from_db()
    assert deal.status == "signed" and deal.version == start + 1

    page = staff_client.get(url)
    rows = [
        {k: v for k, v in form.initial.items() if v is not None} | {"id": form.instance.pk}
        for form in page.context["inline_admin_formsets"][1].formset.initial_forms
    ]
    saved = staff_client.post(
        url,
        form_data(
            page, inlines={"status_history": rows + [_step("active", "2025-10-01", source, quote)]}
        ),
    )
    assert saved.status_code == 302
    deal.refresh_from_db()
    assert deal.status == "active" and deal.version == start + 2
    assert {"signed", "active"} <= set(deal.status_history.values_list("status", flat=True))

    stale = editor_api.patch(
        f"/api/v1/deals/{SLUG}/",
        {"notes": "late"},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert stale.status_code == 412
