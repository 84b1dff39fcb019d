"""Investment, yearly capacity, plant site and equity shares: stored with their units, refused
without them, and shown by the API and the CSV export."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from partnerships.models import Deal, DealParty
from tests.factories import DealFactory, supply_deal

pytestmark = pytest.mark.django_db


def assert_db_rejects(callable_):
    with pytest.raises(DatabaseError), transaction.atomic():
        callable_()


@pytest.mark.parametrize(
    "fields",
    [
        {"investment_amount": Decimal("100")},  # no currency
        {"investment_currency": "KRW"},  # no amount
        {"investment_amount": Decimal("0"), "investment_currency": "KRW"},
        {"capacity_value": Decimal("20")},  # no unit
        {"capacity_value": Decimal("-1"), "capacity_unit": "t"},
        {"site_latitude": Decimal("91"), "site_longitude": Decimal("10")},
        {"site_latitude": Decimal("36")},  # no longitude
    ],
)
def test_figures_need_their_units(fields):
    """An amount without its currency, a capacity without its unit, half a coordinate: refused
    by the database and explained by validation."""
    deal = DealFactory()
    assert_db_rejects(lambda: Deal.objects.filter(pk=deal.pk).update(**fields))
    for name, value in fields.items():
        setattr(deal, name, value)
    with pytest.raises(ValidationError):
        deal.full_clean()


@pytest.mark.parametrize("share", [Decimal("0"), Decimal("100.5")])
def test_equity_share_is_a_percentage(share):
    deal = supply_deal()
    party = deal.parties.first()
    assert_db_rejects(lambda: DealParty.objects.filter(pk=party.pk).update(equity_share=share))


@pytest.fixture
def venture():
    deal = supply_deal(
        investment_amount=Decimal("350000000000"),
        investment_currency="KRW",
        capacity_value=Decimal("30000"),
        capacity_unit="t",
        site_name="Changsha",
        site_latitude=Decimal("28.228"),
        site_longitude=Decimal("112.939"),
    )
    party = deal.parties.first()
    party.equity_share = Decimal("60")
    party.save()
    return deal


def test_api_shows_money_capacity_site_and_shares(client, venture):
    """List and detail carry the figures with their units, and each party's share."""
    for url in ("/api/v1/deals/", f"/api/v1/deals/{venture.slug}/"):
        body = client.get(url).json()
        deal = body["results"][0] if "results" in body else body
        assert deal["investment_amount"] == 350000000000
        assert deal["investment_currency"] == "KRW"
        assert (deal["capacity_value"], deal["capacity_unit"]) == (30000, "t")
        assert deal["site_name"] == "Changsha" and deal["site_latitude"] == 28.228
        assert sorted(p["equity_share"] or 0 for p in deal["parties"]) == [0, 60]


def test_csv_export_has_the_figures(client, venture):
    response = client.get("/api/v1/deals/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["investment_amount"].startswith("350000000000")
    assert rows[0]["investment_currency"] == "KRW"
    assert rows[0]["capacity_unit"] == "t" and rows[0]["site_name"] == "Changsha"


def test_deal_page_shows_money_capacity_site_and_shares(client, venture):
    """The deal's page gives the figures with their units and each party's share."""
    html = client.get(venture.get_absolute_url()).content.decode()
    assert "350,000,000,000 KRW" in html
    assert "30,000 t" in html
    assert "Changsha" in html and "60% held" in html
    korean = client.get(venture.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "연간 생산능력" in korean and "지분 60%" in korean
