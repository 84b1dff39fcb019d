"""Relative dates in news, resolved against the publication date with their precision."""

import datetime

import pytest

from ingest.relative_dates import Role, find_dates
from partnerships.dates import PreciseDate

JULY_2025 = datetime.date(2025, 7, 1)


def one(sentence, published=JULY_2025):
    found = find_dates(sentence, published)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("sentence", "value", "precision", "role"),
    [
        ("They reached a 30 GWh contract last month.", "2025-06-01", "month", Role.AT),
        ("Earlier this month, Solus signed a contract.", "2025-07-01", "month", Role.AT),
        (
            "The model is set to launch in the second half of this year.",
            "2025-07-01",
            "half",
            Role.AT,
        ),
        (
            "Starting in the second half of this year, it will build cars.",
            "2025-07-01",
            "half",
            Role.START,
        ),
        ("They have been developing cars since last year.", "2024-01-01", "year", Role.START),
        ("They aim to release a successor by 2026.", "2026-01-01", "year", Role.END),
        ("Production begins in the first quarter of 2027.", "2027-01-01", "quarter", Role.AT),
        ("Shipments run until H1 2028.", "2028-01-01", "half", Role.END),
        ("The plant opens in March 2026.", "2026-03-01", "month", Role.AT),
        ("The deal was signed on 14 November 2025.", "2025-11-14", "day", Role.AT),
        ("Kia launched the PV5 on the 10th.", "2025-07-10", "day", Role.AT),
        ("Deliveries start next year.", "2026-01-01", "year", Role.AT),
    ],
)
def test_english_phrases_resolve_with_their_precision(sentence, value, precision, role):
    """'last month', 'second half of this year', 'since last year', 'by 2026' become dates an
    editor sees at the precision the article gives, with whether they open or close a period."""
    found = one(sentence)
    assert found.date == PreciseDate(datetime.date.fromisoformat(value), precision)
    assert found.role == role
    assert found.text in sentence


def test_last_month_in_january_is_december_of_the_year_before():
    """An article of January 2026 saying 'last month' means December 2025."""
    found = one("The contract was signed last month.", datetime.date(2026, 1, 15))
    assert found.date == PreciseDate(datetime.date(2025, 12, 1), "month")


def test_day_published_article_still_gives_month_for_this_month():
    """'Earlier this month' in an article dated 20 Nov 2025 is November 2025, not the 20th."""
    found = one("Earlier this month, L&F signed a contract.", datetime.date(2025, 11, 20))
    assert found.date == PreciseDate(datetime.date(2025, 11, 1), "month")


@pytest.mark.parametrize(
    ("sentence", "value", "precision", "role"),
    [
        ("LG에너지솔루션은 지난달 계약을 체결했다.", "2025-06-01", "month", Role.AT),
        ("올해 하반기 양산에 들어간다.", "2025-07-01", "half", Role.AT),
        ("2026년까지 공급한다.", "2026-01-01", "year", Role.END),
        ("双方去年以来一直合作。", "2024-01-01", "year", Role.START),
        ("今年下半年开始供货。", "2025-07-01", "half", Role.START),
    ],
)
def test_korean_and_chinese_phrases_resolve(sentence, value, precision, role):
    """Korean and Chinese articles' relative dates resolve like the English ones."""
    found = one(sentence)
    assert found.date == PreciseDate(datetime.date.fromisoformat(value), precision)
    assert found.role == role


def test_a_sentence_without_dates_gives_none():
    """A sentence with no date phrase proposes no date (figures are not years)."""
    assert find_dates("LG will supply 8 GWh, enough for 120,000 vehicles.", JULY_2025) == []


def test_an_impossible_day_is_skipped_not_an_error():
    """'on the 31st' in a 30-day month is left out rather than failing the article."""
    assert find_dates("It was signed on the 31st.", datetime.date(2025, 6, 1)) == []


MAY_14_2026 = datetime.date(2026, 5, 14)


@pytest.mark.parametrize(
    ("sentence", "value", "precision"),
    [
        ("Naree Energy signed the deal on May 2.", "2026-05-02", "day"),
        ("The companies agreed on Sept. 30 to form a venture.", "2025-09-30", "day"),
        ("나래에너지는 지난 4월 28일 계약을 맺었다.", "2026-04-28", "day"),
        ("진우소재는 계약을 체결했다고 12일 밝혔다.", "2026-05-12", "day"),
        ("罗莱能源于5月3日签署协议。", "2026-05-03", "day"),
        ("海川电池今日宣布合作。", "2026-05-14", "day"),
        ("双方上个月签约。", "2026-04-01", "month"),
        ("양사는 이달 초 계약했다.", "2026-05-01", "month"),
        ("今年下半年起供货。", "2026-07-01", "half"),
        ("공장은 내년 상반기 가동된다.", "2027-01-01", "half"),
        ("工厂预计明年上半年投产。", "2027-01-01", "half"),
    ],
)
def test_days_without_a_year_and_cjk_relative_dates(sentence, value, precision):
    """A day written without its year is the nearest one to the publication; Korean and
    Chinese days ("12일", "5月3日", "今日") and relative periods resolve with their precision."""
    found = one(sentence, MAY_14_2026)
    assert found.date == PreciseDate(datetime.date.fromisoformat(value), precision)


def test_a_duration_in_days_is_not_a_date():
    assert find_dates("계약 후 30일 이내에 공급한다.", MAY_14_2026) == []


def test_written_date_beats_publication_date():
    """A deal dated in the sentence takes that date, not the day the article appeared."""
    from ingest.extract import extract
    from ingest.matching import CompanyIndex

    found = extract(
        "Korea's Naree Energy signed an agreement on May 2 to supply cells to China's "
        "Changyuan Auto.",
        MAY_14_2026,
        CompanyIndex([]),
    )
    assert found.deals[0].status_date.date == PreciseDate(datetime.date(2026, 5, 2), "day")
