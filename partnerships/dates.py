"""Dates known only to a month, a quarter, a half-year or a year.

A precise date is stored as two columns: the first day of the period it names, and the period's
size. News says "earlier this month" or "by 2026"; we keep exactly that much and never show more.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import models
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    HALF = "half", _("half-year")
    YEAR = "year", _("year")


def period_start(value: datetime.date, precision: str) -> datetime.date:
    """The first day of the period of `precision` that contains `value`."""
    if precision == Precision.DAY:
        return value
    if precision == Precision.MONTH:
        return value.replace(day=1)
    if precision == Precision.QUARTER:
        return value.replace(month=(value.month - 1) // 3 * 3 + 1, day=1)
    if precision == Precision.HALF:
        return value.replace(month=1 if value.month <= 6 else 7, day=1)
    if precision == Precision.YEAR:
        return value.replace(month=1, day=1)
    raise ValueError(f"unknown precision {precision!r}")


def period_end(value: datetime.date, precision: str) -> datetime.date:
    """The last day of the period of `precision` that contains `value`."""
    start = period_start(value, precision)
    months = {
        Precision.DAY: 0,
        Precision.MONTH: 1,
        Precision.QUARTER: 3,
        Precision.HALF: 6,
        Precision.YEAR: 12,
    }[Precision(precision)]
    if months == 0:
        return start
    month_index = start.month - 1 + months - 1
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def format_precise(value: datetime.date | None, precision: str, language: str = "en") -> str:
    """Show a date no finer than it is known: "10 Jul 2025", "Jul 2025", "Q3 2025", "H2 2025"."""
    if value is None or not precision:
        return ""
    korean = language.startswith("ko")
    if precision == Precision.DAY:
        return (
            f"{value.year}년 {value.month}월 {value.day}일"
            if korean
            else (f"{value.day} {calendar.month_abbr[value.month]} {value.year}")
        )
    if precision == Precision.MONTH:
        return (
            f"{value.year}년 {value.month}월"
            if korean
            else (f"{calendar.month_abbr[value.month]} {value.year}")
        )
    if precision == Precision.QUARTER:
        quarter = (value.month - 1) // 3 + 1
        return f"{value.year}년 {quarter}분기" if korean else f"Q{quarter} {value.year}"
    if precision == Precision.HALF:
        half = 1 if value.month <= 6 else 2
        if korean:
            return f"{value.year}년 {'상' if half == 1 else '하'}반기"
        return f"H{half} {value.year}"
    return f"{value.year}년" if korean else str(value.year)


@dataclass(frozen=True)
class PreciseDate:
    """A date and how precisely it is known; what the models' `*_on`/`*_precision` pairs hold."""

    value: datetime.date
    precision: str

    def __post_init__(self):
        Precision(self.precision)
        object.__setattr__(self, "value", period_start(self.value, self.precision))

    @property
    def end(self) -> datetime.date:
        return period_end(self.value, self.precision)

    def __str__(self):
        return format_precise(self.value, self.precision)


def precision_constraints(prefix: str, model_name: str) -> list[models.BaseConstraint]:
    """Constraints that keep a `<prefix>_on`/`<prefix>_precision` pair consistent.

    The database holds that a precision is one of the known ones and that a date has a precision
    exactly when it has a value. That the date is the first day of its period is kept by
    `clean()`, since the check would need date functions that SQLite lacks.
    """
    on, precision = f"{prefix}_on", f"{prefix}_precision"
    return [
        models.CheckConstraint(
            condition=models.Q(**{f"{precision}__in": [*Precision.values, ""]}),
            name=f"{model_name}_{prefix}_precision_valid",
            violation_error_message=_("Unknown date precision."),
        ),
        models.CheckConstraint(
            condition=(
                models.Q(**{f"{on}__isnull": True, precision: ""})
                | (models.Q(**{f"{on}__isnull": False}) & ~models.Q(**{precision: ""}))
            ),
            name=f"{model_name}_{prefix}_precision_with_date",
            violation_error_message=_("A date needs its precision, and a precision its date."),
        ),
    ]


def clean_precise_pair(instance, prefix: str) -> dict:
    """Model validation for a date pair: the message the admin shows, and the date rounded down
    to the start of its period so that "July 2025" is always stored as 2025-07-01."""
    value = getattr(instance, f"{prefix}_on")
    precision = getattr(instance, f"{prefix}_precision")
    errors = {}
    if value is None and precision:
        errors[f"{prefix}_on"] = _("Give the date, or clear its precision.")
    elif value is not None and not precision:
        errors[f"{prefix}_precision"] = _("Say how precisely this date is known.")
    elif value is not None:
        setattr(instance, f"{prefix}_on", period_start(value, precision))
    return errors


def deal_date():
    """The one date a deal is placed and counted by, everywhere (timeline, year filter, stats'
    years, CSVs): its announcement, else its start."""
    return Coalesce("announced_on", "start_on")


def deal_year():
    """The year a deal counts in (`deal_date`), for filters and aggregates."""
    return ExtractYear(deal_date())
