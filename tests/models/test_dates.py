"""Dates are shown no finer than they are known."""

import datetime

import pytest

from partnerships.dates import PreciseDate, format_precise, period_end, period_start

JULY_19 = datetime.date(2025, 7, 19)


@pytest.mark.parametrize(
    ("precision", "english", "korean", "start", "end"),
    [
        ("day", "19 Jul 2025", "2025년 7월 19일", JULY_19, JULY_19),
        ("month", "Jul 2025", "2025년 7월", datetime.date(2025, 7, 1), datetime.date(2025, 7, 31)),
        (
            "quarter",
            "Q3 2025",
            "2025년 3분기",
            datetime.date(2025, 7, 1),
            datetime.date(2025, 9, 30),
        ),
        (
            "half",
            "H2 2025",
            "2025년 하반기",
            datetime.date(2025, 7, 1),
            datetime.date(2025, 12, 31),
        ),
        ("year", "2025", "2025년", datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    ],
)
def test_each_precision_names_its_whole_period(precision, english, korean, start, end):
    """A date is displayed and spanned as its whole period, in English and Korean."""
    assert format_precise(JULY_19, precision) == english
    assert format_precise(JULY_19, precision, "ko") == korean
    assert period_start(JULY_19, precision) == start
    assert period_end(JULY_19, precision) == end


def test_unknown_dates_show_nothing_and_bad_precisions_are_refused():
    """No date renders as empty text; an unknown precision is an error, not a guess."""
    assert format_precise(None, "") == ""
    with pytest.raises(ValueError):
        PreciseDate(JULY_19, "fortnight")


def test_precise_date_is_stored_as_the_start_of_its_period():
    """PreciseDate rounds down to its period and knows its end (February of a leap year)."""
    date = PreciseDate(datetime.date(2024, 2, 20), "month")
    assert date.value == datetime.date(2024, 2, 1)
    assert date.end == datetime.date(2024, 2, 29)
    assert str(date) == "Feb 2024"
