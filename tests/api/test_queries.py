"""The shared reads behind the API, the pages and the charts: the deal rows and details of
`partnerships.querysets`, and the aggregates of `partnerships.queries`."""

import datetime
from decimal import Decimal

import pytest
from django.http import Http404
from django.shortcuts import get_object_or_404

from partnerships import queries
from partnerships.models import Company, Deal
from tests.factories import (
    CitationFactory,
    CompanyFactory,
    StatusChangeFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db


def make_deals(n):
    supplier = CompanyFactory(country="KR")
    deals = []
    for i in range(n):
        deal = supply_deal(
            supplier=supplier,
            customer=CompanyFactory(country="CN", chain_role="automaker"),
            volume_gwh=Decimal("2.5"),
            status="signed" if i % 2 else "in_talks",
            announced_on=datetime.date(2024 + i % 2, 3, 1),
        )
        deal.vehicle_models.add(VehicleModelFactory())
        CitationFactory(deal=deal)
        StatusChangeFactory(deal=deal)
        deals.append(deal)
    return deals


def test_deals_for_list_constant_queries(django_assert_num_queries):
    """Listing 2 or 20 deal rows with parties, vehicles, citations and the primary quote costs
    the same 4 queries."""
    for n in (2, 20):
        Deal.objects.all().delete()
        make_deals(n)
        with django_assert_num_queries(4):
            rows = list(Deal.objects.for_list())
        assert len(rows) == n
        for row in rows:
            assert row["parties"][0]["name"] and row["vehicle_models"][0]["maker"]["name"]
            assert row["citations"][0]["source"]["title"] == row["source_title"]


def test_lean_rows_are_the_rows_without_vehicle_models_and_citations(django_assert_num_queries):
    """`for_list(lean=True)`: the same rows in two queries, the two lists left out (absent,
    not empty, so no reader takes them for "none")."""
    make_deals(3)
    full = list(Deal.objects.for_list())
    with django_assert_num_queries(2):
        lean = list(Deal.objects.for_list(lean=True))
    assert all("vehicle_models" not in row and "citations" not in row for row in lean)
    for row in full:
        del row["vehicle_models"], row["citations"]
    assert lean == full


def test_deals_for_list_orders_newest_first_with_id_tiebreak():
    """Deals come newest announced first, undated ones last, equal dates by id."""
    a = supply_deal(announced_on=datetime.date(2024, 1, 1), title="Same")
    b = supply_deal(announced_on=datetime.date(2024, 1, 1), title="Same")
    c = supply_deal(announced_on=datetime.date(2025, 1, 1))
    d = supply_deal(announced_on=None, announced_precision="")
    assert [row["id"] for row in Deal.objects.for_list()] == [c.pk, a.pk, b.pk, d.pk]


def test_deal_detail_by_slug_or_id_and_404():
    """A deal is found by slug or id; an unknown one is a 404."""
    deal = supply_deal()
    StatusChangeFactory(deal=deal)
    deals = Deal.objects.for_detail()
    assert get_object_or_404(deals.named(deal.slug)).pk == deal.pk
    assert get_object_or_404(deals.named(str(deal.pk))).pk == deal.pk
    assert len(get_object_or_404(deals.named(deal.slug)).status_history.all()) == 1
    with pytest.raises(Http404):
        get_object_or_404(deals.named("no-such-deal"))


def test_company_family_chain_and_subsidiaries():
    """A company's parent chain and subsidiaries come from one query."""
    geely = CompanyFactory(name="Geely", country="CN")
    volvo = CompanyFactory(name="Volvo Cars", parent=geely, parent_tie="subsidiary")
    polestar = CompanyFactory(name="Polestar", parent=volvo, parent_tie="brand")
    family = queries.CompanyFamily()
    assert [c["name"] for c in family.parent_chain(polestar.pk)] == ["Volvo Cars", "Geely"]
    assert [c["name"] for c in family.subsidiaries(geely.pk)] == ["Volvo Cars"]


def test_companies_for_list_counts_deals():
    """Each company carries its number of deals, agreed and under discussion."""
    supplier = make_deals(4)[0].parties.get(role="supplier").company
    hub = Company.objects.for_list().get(pk=supplier.pk)
    assert (hub.deal_count, hub.deals_agreed, hub.deals_under_discussion) == (4, 2, 2)
