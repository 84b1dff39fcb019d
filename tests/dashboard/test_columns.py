"""The deals' columns in memory (`partnerships/columns.py`): every deal filter gives the same
deals read by the columns as read by the database, and a write is counted at once."""

import datetime
import random
from decimal import Decimal

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from dashboard import aggregates, graph, selectors, timeline
from partnerships import columns, freshness, services
from partnerships.filters import STATUS_GROUPS, DealFilter
from partnerships.models import Company, Deal, PartyRole, VehicleModel

pytestmark = pytest.mark.django_db


def random_filter(rng, companies, models):
    """A random combination of one to four of the deal filters, values drawn from the data."""
    choices = {
        "company": lambda: rng.choice(companies).slug,
        "group": lambda: rng.choice(companies).slug,
        "role": lambda: rng.choice(PartyRole.values),
        "country": lambda: rng.choice(["KR", "CN", "JP", "US", "DE"]),
        "country_pair": lambda: rng.choice(["KR-CN", "CN-KR", "KR-KR", "CN-CN", "KR-JP"]),
        "kind": lambda: ",".join(rng.sample(Deal.Kind.values, rng.randint(1, 3))),
        "status": lambda: ",".join(rng.sample(Deal.Status.values, rng.randint(1, 3))),
        "status_group": lambda: rng.choice(list(STATUS_GROUPS)),
        "product": lambda: ",".join(rng.sample(Deal.Product.values, rng.randint(1, 2))),
        "min_volume_gwh": lambda: rng.choice(["0", "1", "2.5", "10", "0.001", "3.14159"]),
        "max_volume_gwh": lambda: rng.choice(["0", "1", "5.5", "20", "100.0005"]),
        "announced_after": lambda: rng.choice(["2019-01-01", "2022-07-15", "2024-03-31"]),
        "announced_before": lambda: rng.choice(["2020-12-31", "2023-06-30", "2025-01-01"]),
        "year": lambda: str(rng.randint(2016, 2027)),
        "vehicle_model": lambda: rng.choice(models).slug,
    }
    return query({name: choices[name]() for name in rng.sample(sorted(choices), rng.randint(1, 4))})


def query(values: dict) -> QueryDict:
    params = QueryDict(mutable=True)
    for name, value in values.items():
        params[name] = value
    return params


def masked_ids(deals_qs):
    c = columns.current()
    return set(c.deal_id[columns.mask_of(deals_qs, c)].tolist())


def test_every_filter_reads_the_same_deals_from_the_columns_as_from_the_database():
    """200 random combinations of the deal filters on random synthetic deals: the columns
    evaluate each one themselves (no fallback to the database) and find exactly the published
    deals the database finds."""
    call_command("generate_synthetic", deals=400, seed=5, verbosity=0)
    rng = random.Random(8)
    companies = list(Company.objects.order_by("pk"))
    models = list(VehicleModel.objects.order_by("pk"))
    matched = 0
    for _ in range(200):
        params = random_filter(rng, companies, models)
        filterset = DealFilter(params, queryset=Deal.objects.all())
        if not filterset.is_valid():  # dates the wrong way round: refused, nothing to count
            assert set(filterset.errors) == {"announced_before"}, filterset.errors
            continue
        deals = filterset.qs
        assert columns.rebuilds(deals), params
        expected = set(deals.published().values_list("pk", flat=True))
        assert masked_ids(deals) == expected, params
        matched += bool(expected)
    assert matched > 60  # the combinations are not all empty


def test_a_text_search_is_read_from_the_database():
    """A filter the columns cannot read (a text search) makes no guess: its deals are the ids
    the database finds."""
    call_command("generate_synthetic", deals=80, seed=2, verbosity=0)
    company = Company.objects.filter(deal_parties__isnull=False).first()
    params = query({"q": company.name, "status_group": "agreed"})
    deals = DealFilter(params, queryset=Deal.objects.all()).qs
    assert not columns.rebuilds(deals)
    assert masked_ids(deals) == set(deals.published().values_list("pk", flat=True))
    # Kept with the copy: the page's other aggregates of the same filter do not ask again.
    with CaptureQueriesContext(connection) as captured:
        columns.mask_of(deals, columns.current(freshness.current()))
    assert len(captured) == 1  # the data version alone


def test_a_filter_added_by_hand_is_not_lost():
    """A queryset narrowed outside the predicates (a hand-written filter after a recorded one)
    is read from the database, never as the predicates alone."""
    call_command("generate_synthetic", deals=60, seed=3, verbosity=0)
    recorded = Deal.objects.where(columns.Among("status", ("signed", "active")))
    narrowed = recorded.filter(volume_gwh__gt=5)
    assert columns.rebuilds(recorded) and not columns.rebuilds(narrowed)
    assert masked_ids(narrowed) == set(narrowed.published().values_list("pk", flat=True))
    assert masked_ids(narrowed) < masked_ids(recorded)


def test_volume_bounds_compare_the_stored_decimals_exactly():
    """At least 2.5 keeps 2.5 and drops 2.499; at most 2.5 the reverse; an unknown volume drops
    out of both, as in the database."""
    call_command("generate_synthetic", deals=20, seed=4, verbosity=0)
    deals = list(Deal.objects.order_by("pk")[:3])
    for deal, gwh in zip(deals, [Decimal("2.5"), Decimal("2.499"), None], strict=True):
        Deal.objects.filter(pk=deal.pk).update(volume_gwh=gwh, published=True)
    freshness.bump()
    ids = {deal.pk for deal in deals}
    at_least = masked_ids(Deal.objects.where(columns.VolumeAtLeast(Decimal("2.5")))) & ids
    at_most = masked_ids(Deal.objects.where(columns.VolumeAtMost(Decimal("2.5")))) & ids
    assert at_least == {deals[0].pk}
    assert at_most == {deals[0].pk, deals[1].pk}
    # A bound finer than the stored thousandths: at least 3.1415 keeps 3.142, not 3.141.
    for deal, gwh in zip(deals, [Decimal("3.141"), Decimal("3.142"), None], strict=True):
        Deal.objects.filter(pk=deal.pk).update(volume_gwh=gwh)
    freshness.bump()
    bound = Decimal("3.1415")
    for predicate, expected in (
        (columns.VolumeAtLeast(bound), {deals[1].pk}),
        (columns.VolumeAtMost(bound), {deals[0].pk}),
    ):
        narrowed = Deal.objects.where(predicate)
        assert masked_ids(narrowed) & ids == expected
        assert set(narrowed.values_list("pk", flat=True)) & ids == expected


def test_a_write_is_counted_at_once():
    """The copy is kept for one data version: an edit of a deal's volume and status, made
    through the services, shows in the very next company figures, timeline and graph."""
    call_command("generate_synthetic", deals=30, seed=6, verbosity=0)
    deal = Deal.objects.filter(published=True, parties__isnull=False).first()
    company = deal.parties.first().company
    before = columns.current()
    counts = {row["status"]: row for row in selectors.company_status_counts(company)}
    services.deal_update(deal=deal, fields={"volume_gwh": Decimal("123.456")})
    after = columns.current()
    assert after is not before and after.version == freshness.current().tag
    position = int(np.searchsorted(after.deal_id, deal.pk))
    assert after.milli_gwh[position] == 123456
    again = {row["status"]: row for row in selectors.company_status_counts(company)}
    old = counts[deal.status]["volume_gwh"] or 0
    assert again[deal.status]["volume_gwh"] != old
    drawn = graph.supply_graph(Deal.objects.filter(pk=deal.pk), limit=None)
    assert sum(edge["volume_gwh"] or 0 for edge in drawn["edges"]) == pytest.approx(
        123.456 * len(drawn["edges"])
    )
    year = (deal.announced_on or deal.start_on).year if deal.announced_on or deal.start_on else None
    summary = timeline.timeline_summary(Deal.objects.filter(pk=deal.pk))
    buckets = summary["buckets"] if year else summary["undated_by_status"]
    assert buckets[0]["volume_gwh"] == pytest.approx(123.456)


def test_the_worker_leaves_the_columns_for_the_web_processes():
    """The rebuild after a write reads the columns once and leaves them in the cache, where a
    web process without a current copy of its own finds them without reading the tables."""
    call_command("generate_synthetic", deals=20, seed=9, verbosity=0)
    timings = aggregates.refresh()
    assert "deal-columns" in timings
    version = freshness.current()
    assert cache.get(columns.cache_key(version)) is not None
    columns.forget()
    with CaptureQueriesContext(connection) as captured:
        columns.current(version)
    assert len(captured) == 0
    assert "deal-columns" not in aggregates.refresh()  # nothing changed: nothing read


def test_a_deal_announced_in_a_period_overlaps_a_later_bound():
    """`announced_after` counts a deal announced "in 2025" (year precision) for any bound in
    2025, as the database does."""
    call_command("generate_synthetic", deals=10, seed=1, verbosity=0)
    deal = Deal.objects.order_by("pk").first()
    Deal.objects.filter(pk=deal.pk).update(
        announced_on=datetime.date(2025, 1, 1), announced_precision="year", published=True
    )
    freshness.bump()
    later = Deal.objects.where(columns.AnnouncedFrom(datetime.date(2025, 7, 1)))
    assert deal.pk in masked_ids(later)
    assert deal.pk in set(later.values_list("pk", flat=True))
    next_year = Deal.objects.where(columns.AnnouncedFrom(datetime.date(2026, 1, 1)))
    assert deal.pk not in masked_ids(next_year)


def test_unpublished_deals_are_never_counted():
    """A deal readers may not see yet is in the columns (editors' copy is the same) but in no
    aggregate's deals, filtered or not."""
    call_command("generate_synthetic", deals=20, seed=10, verbosity=0)
    deal = Deal.objects.filter(parties__isnull=False).order_by("pk").first()
    Deal.objects.filter(pk=deal.pk).update(published=False)
    freshness.bump()
    assert deal.pk not in masked_ids(Deal.objects.all())
    assert deal.pk not in masked_ids(Deal.objects.where(columns.Among("status", (deal.status,))))
    assert deal.pk in set(columns.current().deal_id.tolist())


def test_a_process_never_goes_back_to_an_older_copy():
    """A request that read the version just before a write gets the copy of its version, but
    the process keeps the newer one for the readers after it."""
    call_command("generate_synthetic", deals=10, seed=12, verbosity=0)
    older = freshness.current()
    columns.current(older)
    freshness.bump()
    newer = freshness.current()
    assert columns.current(newer).number == newer.number
    assert columns.current(older).number == older.number
    assert columns._copy["columns"].number == newer.number
