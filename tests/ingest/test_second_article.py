"""The same deal reported by a second article: a second citation and a status step on the
existing deal, never a duplicate deal."""

import datetime

import pytest

from ingest import services as ingest_services
from ingest.models import Draft
from partnerships import services
from partnerships.models import Citation, Deal, StatusChange
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def companies(db):
    naree = CompanyFactory(
        name="Naree Energy", slug="naree-energy", name_ko="나래에너지", chain_role="battery_cells"
    )
    changyuan = CompanyFactory(
        name="Changyuan Auto",
        slug="changyuan-auto",
        name_ko="창위안자동차",
        name_zh="长远汽车",
        country="CN",
        chain_role="automaker",
    )
    return naree, changyuan


@pytest.fixture
def read_and_approve(django_capture_on_commit_callbacks):
    def run(text, published, url, language="en"):
        fields = {
            "title": f"Article {url}",
            "publisher": "Example Wire",
            "url": url,
            "language": language,
            "published_on": published,
            "published_precision": "day",
            "text": text,
        }
        with django_capture_on_commit_callbacks(execute=True):
            source, _ = services.source_submit(fields=fields)
        drafts = Draft.objects.filter(source=source, kind=Draft.Kind.DEAL).order_by("id")
        assert drafts, "the article yields a deal draft"
        for draft in drafts:
            ingest_services.draft_approve(draft=draft)
        return source

    return run


def test_second_article_adds_a_citation_not_a_deal(companies, read_and_approve):
    """An English report, then a Korean one on the same supply deal: one deal, two sources."""
    first = read_and_approve(
        "Naree Energy signed a contract to supply 20 GWh of cells to Changyuan Auto.",
        datetime.date(2026, 4, 2),
        "https://news.example.org/1",
    )
    second = read_and_approve(
        "나래에너지는 창위안자동차에 20GWh 규모의 배터리를 공급하는 계약을 체결했다고 밝혔다.",
        datetime.date(2026, 4, 3),
        "https://news.example.org/2",
        language="ko",
    )
    deal = Deal.objects.get()
    assert {c.source_id for c in Citation.objects.filter(deal=deal)} == {first.pk, second.pk}


def test_later_denial_is_a_status_step_on_the_deal(companies, read_and_approve):
    """A later article's cancellation becomes the deal's newest status, with its quote."""
    read_and_approve(
        "Naree Energy is in talks to supply cells to Changyuan Auto.",
        datetime.date(2026, 2, 2),
        "https://news.example.org/a",
    )
    later = read_and_approve(
        "长远汽车与韩国Naree Energy的合作已于上个月终止。",
        datetime.date(2026, 5, 10),
        "https://news.example.org/b",
        language="zh",
    )
    deal = Deal.objects.get()
    assert deal.status == "cancelled"
    step = StatusChange.objects.get(deal=deal, source=later)
    assert step.effective_on == datetime.date(2026, 4, 1) and step.effective_precision == "month"
    assert list(deal.status_history.values_list("status", flat=True).order_by("effective_on")) == [
        "in_talks",
        "cancelled",
    ]
