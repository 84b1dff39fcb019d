"""Submitting an article, the drafts it yields, and approving them into real records."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ingest import services as ingest_services
from ingest.models import Draft, IngestionRun
from partnerships import services
from partnerships.models import Citation, Company, Deal, StatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a write and then what it queued for after its commit (the task, in-process)."""

    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def submit(committed):
    return lambda fields: committed(services.source_submit, fields=fields)


def test_submitting_an_article_reads_it_into_drafts(known_companies, article_fields, submit):
    """An editor submits an article; with no broker the task runs in-process and drafts appear,
    each quoting its sentence with the matched words marked and a confidence."""
    source, created = submit(article_fields)
    assert created
    run = IngestionRun.objects.get(source=source)
    assert run.status == IngestionRun.Status.DONE
    assert run.attempts == 1 and run.finished_at is not None
    deals = Draft.objects.filter(source=source, kind=Draft.Kind.DEAL).order_by("id")
    first = deals[0]
    assert first.volume_gwh == 5 and first.term_years == 4 and first.chemistry == "LFP"
    assert first.status == "signed" and first.deal_kind == "supply"
    assert {(p.company.slug, p.role) for p in first.parties.all()} == {
        ("seoul-cells", "supplier"),
        ("dragon-motors", "customer"),
    }
    assert first.sentence in source.text
    marked = {first.sentence[s:e] for s, e, _label in first.marks}
    assert {"Seoul Cells", "Dragon Motors"} <= marked
    assert 0 < first.confidence <= 1
    # "The two companies signed the contract last month" dates the same pair's signing.
    second = deals[1]
    assert second.status_on.isoformat() == "2025-06-01" and second.status_precision == "month"
    # The unknown materials maker is proposed as a new company.
    proposal = Draft.objects.get(source=source, kind=Draft.Kind.COMPANY)
    assert proposal.company_name == "Nova Lithium Materials"
    assert run.drafts_created == Draft.objects.filter(source=source).count()


def test_submitting_the_same_article_again_creates_no_new_drafts(
    known_companies, article_fields, submit
):
    """The same article submitted again (same URL, or same text) is the same source, and its
    reading is not queued again: no new drafts."""
    source, _ = submit(article_fields)
    count = Draft.objects.count()
    again, created = submit(article_fields)
    assert again == source and not created
    same_text, created = submit({**article_fields, "url": "", "title": "Copy"})
    assert same_text == source and not created
    assert Draft.objects.count() == count
    assert IngestionRun.objects.filter(source=source).count() == 1


def test_reading_a_source_again_finds_its_drafts_instead_of_duplicating(
    known_companies, article_fields, submit
):
    """Running the reading again (the admin's "read again") adds no drafts already made."""
    source, _ = submit(article_fields)
    count = Draft.objects.count()
    run = ingest_services.ingestion_enqueue(source=source)
    ingest_services.ingestion_execute(run=run)
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.DONE and run.drafts_created == 0
    assert Draft.objects.count() == count


def test_approving_a_deal_draft_creates_the_deal_with_its_citation(
    known_companies, article_fields, submit, client
):
    """Approving a deal draft creates the deal, its parties, status history and the citation
    of its sentence; the new deal is then on the dashboard and in the API."""
    source, _ = submit(article_fields)
    draft = Draft.objects.filter(source=source, kind="deal").order_by("id").first()
    assert not Deal.objects.exists()  # nothing published before approval
    ingest_services.draft_approve(draft=draft)
    deal = Deal.objects.get()
    assert deal.volume_gwh == 5 and deal.term_years == 4 and deal.status == "signed"
    assert {p.company.slug for p in deal.parties.all()} == {"seoul-cells", "dragon-motors"}
    assert Citation.objects.filter(deal=deal, source=source, quote=draft.sentence).exists()
    assert Citation.objects.filter(deal=deal, field="volume_gwh").exists()
    assert StatusChange.objects.get(deal=deal).source == source
    draft.refresh_from_db()
    assert draft.state == "approved" and draft.deal == deal

    api = client.get(reverse("api:deal-list")).json()
    assert deal.slug in [row["slug"] for row in api["results"]]
    assert deal.title in client.get(reverse("dashboard:deal-list")).content.decode()


def test_approving_a_second_draft_of_the_same_pair_updates_that_deal(
    known_companies, article_fields, submit
):
    """A later sentence about the same two companies updates their deal, not a new one."""
    source, _ = submit(article_fields)
    first, second = Draft.objects.filter(source=source, kind="deal").order_by("id")[:2]
    ingest_services.draft_approve(draft=first)
    ingest_services.draft_approve(draft=second)
    deal = Deal.objects.get()
    assert deal.status_history.count() == 2
    assert Citation.objects.filter(deal=deal, quote=second.sentence).exists()


def test_a_deal_with_an_unknown_party_waits_for_its_company(
    known_companies, article_fields, submit
):
    """A deal naming an unknown company cannot be approved until that company is; approving
    the company draft creates it and links the deal draft to it."""
    source, _ = submit(article_fields)
    proposal = Draft.objects.get(source=source, kind="company")
    talks = Draft.objects.get(source=source, kind="deal", parties__name="Nova Lithium Materials")
    with pytest.raises(ValidationError, match="Nova Lithium Materials"):
        ingest_services.draft_approve(draft=talks)
    with pytest.raises(ValidationError):
        ingest_services.draft_approve(draft=proposal)  # no country yet
    proposal.company_country = "CN"
    proposal.save()
    ingest_services.draft_approve(draft=proposal)
    company = Company.objects.get(name="Nova Lithium Materials")
    assert Citation.objects.filter(company=company, source=source).exists()
    ingest_services.draft_approve(draft=talks)
    deal = Deal.objects.get(parties__company=company)
    assert deal.status == "in_talks"


def test_rejected_drafts_stay_rejected(known_companies, article_fields, submit):
    """A rejected draft publishes nothing and reading the article again does not revive it."""
    source, _ = submit(article_fields)
    draft = Draft.objects.filter(source=source, kind="deal").first()
    ingest_services.draft_reject(draft=draft)
    run = ingest_services.ingestion_enqueue(source=source)
    ingest_services.ingestion_execute(run=run)
    draft.refresh_from_db()
    assert draft.state == "rejected" and not Deal.objects.exists()
    with pytest.raises(ValidationError):
        ingest_services.draft_approve(draft=draft)


def test_a_failing_task_is_visible_and_loses_nothing(
    known_companies, article_fields, monkeypatch, submit, committed
):
    """When reading fails, the run says so with its error, the article is kept, and reading it
    again once the fault is gone makes the drafts."""

    def broken(*args, **kwargs):
        raise RuntimeError("extractor exploded")

    monkeypatch.setattr(ingest_services, "extract", broken)
    source, _ = submit(article_fields)
    run = IngestionRun.objects.get(source=source)
    assert run.status == IngestionRun.Status.FAILED
    assert "extractor exploded" in run.error
    assert not Draft.objects.filter(source=source).exists()
    monkeypatch.undo()

    committed(ingest_services.ingestion_enqueue, source=source)  # in-process, on commit
    latest = IngestionRun.objects.filter(source=source).latest()
    assert latest.status == IngestionRun.Status.DONE
    assert Draft.objects.filter(source=source).exists()


def test_an_unreachable_broker_marks_the_run_failed(
    known_companies, article_fields, monkeypatch, submit
):
    """If the task cannot even be queued, the source is still saved and its run says why."""
    from ingest import tasks

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.ingest_source, "delay", refuse)
    source, created = submit(article_fields)
    assert created
    run = IngestionRun.objects.get(source=source)
    assert run.status == IngestionRun.Status.FAILED and "broker down" in run.error


def test_uploaded_files_give_text_or_a_clear_error():
    """An uploaded .txt or .html gives its text; other files get a readable error."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = ingest_services.text_from_upload(
        SimpleUploadedFile("a.html", b"<p>CATL signed.</p>\n<p>Kia agreed.</p>")
    )
    assert text == "CATL signed.\nKia agreed."
    with pytest.raises(ValidationError, match="plain-text or HTML"):
        ingest_services.text_from_upload(SimpleUploadedFile("a.pdf", b"%PDF"))
    with pytest.raises(ValidationError, match="UTF-8"):
        ingest_services.text_from_upload(SimpleUploadedFile("a.txt", b"\xff\xfe\xfa"))


def test_transient_errors_are_retried_then_reported(known_companies, monkeypatch):
    """A lost database connection is retried (with backoff on a real worker) and the run ends
    done; one that never recovers ends failed with the error, after the last retry."""
    from django.db import OperationalError

    from ingest import tasks
    from tests.factories import SourceFactory

    source = SourceFactory(text="Seoul Cells will supply 5 GWh to Dragon Motors.")
    real, calls = tasks.ingestion_execute, []

    def flaky(*, run):
        calls.append(run.pk)
        if len(calls) < 3:
            raise OperationalError("server closed the connection unexpectedly")
        return real(run=run)

    monkeypatch.setattr(tasks, "ingestion_execute", flaky)
    run = ingest_services.IngestionRun.objects.create(source=source)
    assert tasks.ingest_source.apply(args=[run.pk]).successful()
    run.refresh_from_db()
    assert len(calls) == 3 and run.status == "done" and run.drafts_created == 1

    def down(*, run):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(tasks, "ingestion_execute", down)
    run = ingest_services.IngestionRun.objects.create(source=source)
    assert tasks.ingest_source.apply(args=[run.pk]).failed()
    run.refresh_from_db()
    assert run.status == "failed" and "could not connect" in run.error
