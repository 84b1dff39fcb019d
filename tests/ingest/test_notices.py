"""A reading that finds no deal says why, in the review queue, instead of "done, 0"."""

import pytest
from django.core.exceptions import ValidationError

from ingest import services as ingest_services
from ingest.models import Draft, IngestionRun
from partnerships import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def read(django_capture_on_commit_callbacks):
    def run(text):
        fields = {
            "title": "An article",
            "publisher": "Example Wire",
            "language": "en",  # what the editor chose; the reading looks at the text
            "published_on": __import__("datetime").date(2026, 5, 14),
            "published_precision": "day",
            "text": text,
        }
        with django_capture_on_commit_callbacks(execute=True):
            source, _ = services.source_submit(fields=fields)
        return IngestionRun.objects.get(source=source)

    return run


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Дождь идёт весь день, и никто не выходит из дома.", "language not recognised"),
        ("배터리 시장은 올해 하반기에도 성장할 것으로 보인다.", "no company recognised"),
        ("电池价格今年下半年预计继续下降，市场需求保持稳定。", "no company recognised"),
        (
            "국내 배터리 기업 나래에너지는 올해 매출 목표를 높였다.",
            "only new companies proposed, no deal found",
        ),
    ],
)
def test_nothing_found_says_why(read, text, reason):
    """The run and a notice in the review queue give the reason no deal was found."""
    run = read(text)
    assert run.status == IngestionRun.Status.DONE
    assert run.notice == reason
    notice = Draft.objects.get(source=run.source, kind=Draft.Kind.NOTICE)
    assert notice.title == reason and notice.sentence in run.source.text
    assert reason in str(notice)


def test_a_deal_leaves_no_notice(read):
    """When a deal is found there is no notice."""
    run = read("福建海川电池将向韩国罗莱能源供应磷酸铁锂电池。")
    assert run.notice == ""
    assert not Draft.objects.filter(source=run.source, kind=Draft.Kind.NOTICE).exists()


def test_a_notice_cannot_be_approved(read):
    """A notice publishes nothing: approving it is refused, rejecting sets it aside."""
    run = read("배터리 시장은 올해 하반기에도 성장할 것으로 보인다.")
    notice = Draft.objects.get(source=run.source, kind=Draft.Kind.NOTICE)
    with pytest.raises(ValidationError):
        ingest_services.draft_approve(draft=notice)
    ingest_services.draft_reject(draft=notice)
    notice.refresh_from_db()
    assert notice.state == Draft.State.REJECTED


@pytest.mark.parametrize(
    ("text", "name", "field"),
    [
        ("국내 배터리 기업 나래에너지는 올해 매출 목표를 높였다.", "나래에너지", "name_ko"),
        ("福建海川电池宣布扩大产能。", "福建海川电池", "name_zh"),
    ],
)
def test_approved_proposal_keeps_its_native_name(read, text, name, field):
    """A company approved from a Korean or Chinese proposal is found by that name next time."""
    run = read(text)
    draft = Draft.objects.get(source=run.source, kind=Draft.Kind.COMPANY)
    draft.company_country = "KR" if field == "name_ko" else "CN"
    draft.save()
    ingest_services.draft_approve(draft=draft)
    draft.refresh_from_db()
    assert getattr(draft.company, field) == name
