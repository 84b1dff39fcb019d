"""The periodic data checks: flag talks that went quiet, score how complete each deal is, and
warm the cached overview. Each returns what it changed, for the task's log and the tests."""

import datetime

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerships import freshness
from partnerships.dates import format_precise
from partnerships.models import Citation, Deal, StatusChange

# Completeness: the share of these facts a deal has, each worth the same.
COMPLETENESS_PARTS = ("sources", "volume", "term", "parties", "dates")


def months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30]
    last += [31, 31, 30, 31, 30, 31]
    return datetime.date(year, month, min(day.day, last[month - 1]))


def _newest_source_dates(deals):
    """{deal id: publication date of its newest source}, from citations and status history."""
    cited = Citation.objects.filter(deal=OuterRef("pk")).order_by()
    stepped = StatusChange.objects.filter(deal=OuterRef("pk")).order_by()
    rows = deals.annotate(
        cited=Subquery(
            cited.values("deal").annotate(d=Max("source__published_on")).values("d")[:1]
        ),
        stepped=Subquery(
            stepped.values("deal").annotate(d=Max("source__published_on")).values("d")[:1]
        ),
    ).values_list("pk", "cited", "stepped")
    return {pk: max((d for d in (a, b) if d), default=None) for pk, a, b in rows}


def deals_flag_stale_talks(*, months: int, today: datetime.date | None = None) -> list[int]:
    """Flag for review each deal in talks whose newest source is older than `months` months."""
    today = today or timezone.localdate()
    cutoff = months_before(today, months)
    talks = Deal.objects.filter(status=Deal.Status.IN_TALKS)
    flagged = []
    for pk, newest in _newest_source_dates(talks).items():
        if newest is not None and newest >= cutoff:
            continue
        if newest is None:
            reason = _("In talks, with no dated source.")
        else:
            reason = _(
                "In talks, and the newest source (%(date)s) is over %(months)s months old."
            ) % {
                "date": format_precise(newest, "month"),
                "months": months,
            }
        with transaction.atomic():
            changed = (
                Deal.objects.filter(pk=pk)
                .exclude(needs_review=True, review_reason=reason)
                .update(needs_review=True, review_reason=reason[:300])
            )
            if changed:
                freshness.bump()  # update() sends no signal; the API shows the flag
                flagged.append(pk)
    return flagged


def deals_update_completeness(deal_ids=None) -> int:
    """Store each deal's completeness (0–100) where it changed; returns how many changed.

    The write services score the deals they touch (`deal_ids`) in their own transaction, so a
    deal is scored from its first save; the daily task scores them all as a safety net.
    Writes with `update()`: a computed score is no edit, so it neither raises the deal's version
    nor adds a history entry.
    """
    deals = Deal.objects.all() if deal_ids is None else Deal.objects.filter(pk__in=deal_ids)
    rows = deals.annotate(
        citation_count=Count("citations", distinct=True),
        company_count=Count("parties__company", distinct=True),
    ).values_list(
        "pk",
        "completeness",
        "citation_count",
        "company_count",
        "volume_gwh",
        "vehicle_count",
        "term_years",
        "end_on",
        "announced_on",
        "start_on",
    )
    by_score: dict[int, list[int]] = {}
    for pk, current, cited, companies, gwh, vehicles, term, end, announced, start in rows:
        parts = [
            cited > 0,
            gwh is not None or vehicles is not None,
            term is not None or end is not None,
            companies >= 2,
            announced is not None or start is not None,
        ]
        score = round(100 * sum(parts) / len(COMPLETENESS_PARTS))
        if score != current:
            by_score.setdefault(score, []).append(pk)
    with transaction.atomic():
        for score, pks in by_score.items():
            Deal.objects.filter(pk__in=pks).update(completeness=score)
        if by_score:
            freshness.bump()  # update() sends no signal; the API shows the score
    return sum(len(pks) for pks in by_score.values())
