"""The editor's side in the admin: submit an article, see the drafts, approve or reject."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ingest.admin import marked_sentence_html
from ingest.models import Draft, IngestionRun
from partnerships.models import Deal, Source

from .conftest import ARTICLE

pytestmark = pytest.mark.django_db


def source_form(**overrides):
    data = {
        "title": "Seoul Cells wins Dragon Motors order",
        "slug": "seoul-cells-dragon",
        "kind": "article",
        "publisher": "Example Wire",
        "url": "",
        "language": "en",
        "published_on": "2025-07-01",
        "published_precision": "month",
        "text": ARTICLE,
        "notes": "",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
        "ingestion_runs-TOTAL_FORMS": "0",
        "ingestion_runs-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def add_source(django_capture_on_commit_callbacks):
    """Post the source form; the reading it queues runs in-process after the commit."""

    def post(client, **overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("admin:partnerships_source_add"), source_form(**overrides))

    return post


def test_pasting_an_article_in_the_admin_queues_it_and_drafts_appear(
    staff_client, known_companies, add_source
):
    """An editor pastes an article on the source form; drafts appear in the review queue and
    the source list shows the reading as done."""
    response = add_source(staff_client)
    assert response.status_code == 302, response.content.decode()[:3000]
    source = Source.objects.get(slug="seoul-cells-dragon")
    assert IngestionRun.objects.get(source=source).status == "done"
    assert Draft.objects.filter(source=source).count() >= 3
    listing = staff_client.get(reverse("admin:partnerships_source_changelist")).content.decode()
    assert "done" in listing
    queue = staff_client.get(reverse("admin:ingest_draft_changelist")).content.decode()
    assert '<mark title="company">Seoul Cells</mark>' in queue


def test_uploading_an_article_file(staff_client, known_companies, add_source):
    """An editor can upload the article as a text file instead of pasting it."""
    upload = SimpleUploadedFile("article.txt", ARTICLE.encode())
    response = add_source(staff_client, text="", upload=upload)
    assert response.status_code == 302
    source = Source.objects.get(slug="seoul-cells-dragon")
    assert source.text == ARTICLE
    assert Draft.objects.filter(source=source).exists()


def test_a_bad_upload_is_a_form_error(staff_client, known_companies, add_source):
    """A PDF upload is refused on the form with a readable message, not a server error."""
    upload = SimpleUploadedFile("article.pdf", b"%PDF-1.4")
    response = add_source(staff_client, text="", upload=upload)
    assert response.status_code == 200
    assert "plain-text or HTML" in response.content.decode()
    assert not Source.objects.exists()


def test_the_same_article_again_is_refused_on_the_form(staff_client, known_companies, add_source):
    """Pasting an article that is already there says so and creates nothing."""
    add_source(staff_client)
    count = Draft.objects.count()
    response = add_source(staff_client, slug="again", title="Again")
    assert response.status_code == 200
    assert "is here already" in response.content.decode()
    assert Draft.objects.count() == count


def test_save_and_approve_from_the_draft_page(staff_client, known_companies, add_source):
    """On a draft's page the editor corrects a figure, then saves and approves: the deal is
    created with the corrected figure."""
    add_source(staff_client)
    draft = Draft.objects.filter(kind="deal").order_by("id").first()
    url = reverse("admin:ingest_draft_change", args=[draft.pk])
    page = staff_client.get(url)
    assert page.status_code == 200 and "Save and approve" in page.content.decode()
    parties = list(draft.parties.all())
    data = {
        "title": draft.title,
        "deal_kind": draft.deal_kind,
        "status": draft.status,
        "status_on": "2025-07-01",
        "status_precision": "month",
        "product": draft.product,
        "product_detail": "",
        "cell_format": "",
        "chemistry": "LFP",
        "volume_gwh": "6",
        "vehicle_count": "",
        "term_years": "4",
        "start_on": "",
        "start_precision": "",
        "end_on": "",
        "end_precision": "",
        "deal": "",
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": str(len(parties)),
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
        "_approve": "Save and approve",
    }
    for index, party in enumerate(parties):
        data |= {
            f"parties-{index}-id": party.pk,
            f"parties-{index}-draft": draft.pk,
            f"parties-{index}-name": party.name,
            f"parties-{index}-company": party.company_id,
            f"parties-{index}-role": party.role,
        }
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    deal = Deal.objects.get()
    assert deal.volume_gwh == 6
    draft.refresh_from_db()
    assert draft.state == "approved"


def test_bulk_approve_and_reject_actions(staff_client, known_companies, add_source):
    """The queue's actions approve or reject several drafts; errors are reported, not raised."""
    add_source(staff_client)
    drafts = Draft.objects.filter(kind="deal")
    changelist = reverse("admin:ingest_draft_changelist")
    response = staff_client.post(
        changelist,
        {"action": "approve_drafts", "_selected_action": [d.pk for d in drafts]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Nova Lithium Materials" in response.content.decode()  # waits for its company
    assert Deal.objects.count() == 1
    pending = Draft.objects.filter(state="pending")
    staff_client.post(
        changelist, {"action": "reject_drafts", "_selected_action": [d.pk for d in pending]}
    )
    assert not Draft.objects.filter(state="pending").exists()


def test_ingestion_runs_show_failures(staff_client, known_companies, add_source):
    """A failed run is listed with its error in the admin."""
    source = Source.objects.create(
        slug="s",
        title="S",
        text="x",
        published_on=datetime.date(2025, 7, 1),
        published_precision="month",
    )
    IngestionRun.objects.create(source=source, status="failed", error="RuntimeError: boom")
    page = staff_client.get(reverse("admin:ingest_ingestionrun_changelist"))
    assert "RuntimeError: boom" in page.content.decode()


def test_marked_sentence_escapes_the_text():
    """Words from an article are escaped when marked, so an article cannot inject HTML."""
    html = marked_sentence_html("<b>CATL</b> signed", [[3, 7, "company"]])
    assert html == '&lt;b&gt;<mark title="company">CATL</mark>&lt;/b&gt; signed'


def test_company_draft_page_sets_the_country_and_approves(
    staff_client, known_companies, add_source
):
    """A proposed company's page asks for its country; saving and approving creates it."""
    add_source(staff_client)
    draft = Draft.objects.get(kind="company")
    url = reverse("admin:ingest_draft_change", args=[draft.pk])
    page = staff_client.get(url).content.decode()
    assert "Nova Lithium Materials" in page and "company_country" in page
    response = staff_client.post(
        url,
        {
            "company_name": draft.company_name,
            "company_country": "CN",
            "company": "",
            "_approve": "1",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == "approved" and draft.company.country == "CN"
