"""The deals CSV streamed from one query: the same cells as the deal rows, whatever the size."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import exports
from partnerships.dates import format_precise
from partnerships.models import Deal
from tests.factories import (
    CitationFactory,
    CompanyFactory,
    DealPartyFactory,
    SourceFactory,
    StatusChangeFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/deals/?format=csv"


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def expected_rows():
    """The export's cells as the deal rows of the list (`Deal.objects.for_list()`) give them."""
    rows = {}
    for deal in Deal.objects.for_list():
        parties = deal["parties"]
        rows[deal["slug"]] = {
            "title": deal["title"],
            "volume_gwh": "" if deal["volume_gwh"] is None else str(float(deal["volume_gwh"])),
            "announced_display": format_precise(deal["announced_on"], deal["announced_precision"]),
            "suppliers": "; ".join(p["name"] for p in parties if p["role"] == "supplier"),
            "customers": "; ".join(p["name"] for p in parties if p["role"] == "customer"),
            "parties": "; ".join(f"{p['name']} ({p['country']}, {p['role']})" for p in parties),
            "countries": "-".join(sorted({p["country"] for p in parties})),
            "vehicle_models": "; ".join(v["name"] for v in deal["vehicle_models"]),
            "source": deal["source_title"],
            "source_url": deal["source_url"],
            "quote": deal["quote"],
            "updated_at": deal["updated_at"].isoformat(),
        }
    return rows


def test_article_csv_has_the_same_cells_as_the_deal_rows(api, article):
    """The founding article's CSV: every deal, in list order, with the same parties, vehicle
    models and quoted sentence as the deal rows the pages and the GeoJSON read."""
    rows = read_csv(api.get(URL))
    expected = expected_rows()
    assert [row["slug"] for row in rows] == list(expected)
    for row in rows:
        assert {key: row[key] for key in expected[row["slug"]]} == expected[row["slug"]]
    chery = next(row for row in rows if row["slug"] == "lges-chery-46-series-cells")
    assert chery["parties"] == (
        "Chery Automobile (CN, customer); LG Energy Solution (KR, supplier)"
    )
    assert chery["countries"] == "CN-KR" and chery["volume_gwh"] == "8.0"
    assert chery["announced_display"] == "16 Jun 2025" and chery["term_years"] == "6"
    elecxio = next(row for row in rows if row["slug"] == "byd-beijing-hyundai-elecxio")
    assert elecxio["vehicle_models"] == "Elexio"
    assert elecxio["quote"].startswith("It is known that Beijing Hyundai")


def _deals(count):
    for _ in range(count):
        deal = supply_deal()
        deal.vehicle_models.add(VehicleModelFactory())
        CitationFactory(deal=deal)
        StatusChangeFactory(deal=deal)


def _queries(api):
    with CaptureQueriesContext(connection) as captured:
        rows = read_csv(api.get(URL))
    return len(captured), len(rows)


def test_csv_query_count_does_not_grow_with_the_deals(api, monkeypatch):
    """5 deals or 60, each with parties, a vehicle model, a citation and a status step, fetched
    10 at a time: the export costs the same two queries (the data version for the ETag, then
    every row)."""
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 10)
    _deals(5)
    small, rows = _queries(api)
    assert rows == 5
    _deals(55)
    large, rows = _queries(api)
    assert rows == 60
    assert small == large <= 2


def test_csv_quotes_the_primary_sentence(api):
    """Source and quote: a citation of the whole deal first, else the first citation by source,
    else the newest status step, else nothing."""
    first, second = SourceFactory(title="First"), SourceFactory(title="Second")
    whole = supply_deal(slug="whole")
    CitationFactory(deal=whole, source=first, quote="About the volume.", field="volume_gwh")
    CitationFactory(deal=whole, source=second, quote="About the whole deal.")
    fields = supply_deal(slug="fields")
    CitationFactory(deal=fields, source=second, quote="Second's.", field="status")
    CitationFactory(deal=fields, source=first, quote="First's.", field="volume_gwh")
    history = supply_deal(slug="history")
    StatusChangeFactory(
        deal=history, source=first, quote="Talks began.", effective_on=datetime.date(2024, 3, 1)
    )
    StatusChangeFactory(
        deal=history, source=second, quote="Signed.", effective_on=datetime.date(2025, 3, 1)
    )
    supply_deal(slug="unsourced")
    rows = {row["slug"]: (row["source"], row["quote"]) for row in read_csv(api.get(URL))}
    assert rows == {
        "whole": ("Second", "About the whole deal."),
        "fields": ("First", "First's."),
        "history": ("Second", "Signed."),
        "unsourced": ("", ""),
    }


def test_csv_lists_parties_by_role_then_name(api):
    """Parties by role, then company name; countries once each, sorted."""
    deal = supply_deal(
        supplier=CompanyFactory(name="Zeta Cells"),
        customer=CompanyFactory(name="Alpha Motors", country="CN"),
    )
    for name, country in [("Kappa Partners", "JP"), ("Beta Partners", "CN")]:
        DealPartyFactory(
            deal=deal, company=CompanyFactory(name=name, country=country), role="partner"
        )
    deal.vehicle_models.add(VehicleModelFactory(name="Model Y"), VehicleModelFactory(name="EV3"))
    (row,) = read_csv(api.get(URL))
    assert row["parties"] == (
        "Alpha Motors (CN, customer); Beta Partners (CN, partner); "
        "Kappa Partners (JP, partner); Zeta Cells (KR, supplier)"
    )
    assert row["suppliers"] == "Zeta Cells" and row["customers"] == "Alpha Motors"
    assert row["countries"] == "CN-JP-KR"
    assert row["vehicle_models"] == "EV3; Model Y"


def test_csv_neutralises_formulas_in_every_text_cell(api):
    """Names, titles, vehicle models, sources and quotes that a spreadsheet would run as a
    formula are written as text."""
    evil = CompanyFactory(name="=cmd|' /C calc'!A0")
    deal = supply_deal(title="+SUM(1)", supplier=evil, customer=evil)
    deal.vehicle_models.add(VehicleModelFactory(name="@Model"))
    StatusChangeFactory(deal=deal, source=SourceFactory(title="-Source"), quote="=1+1")
    (row,) = read_csv(api.get(URL))
    assert row["title"] == "'+SUM(1)"
    assert row["suppliers"] == "'=cmd|' /C calc'!A0"
    assert row["parties"].startswith("'=cmd|' /C calc'!A0 (KR, customer); ")
    assert row["vehicle_models"] == "'@Model"
    assert (row["source"], row["quote"]) == ("'-Source", "'=1+1")


def test_csv_is_sent_in_blocks_of_whole_lines(api, monkeypatch):
    """The export is streamed in blocks (not a response built in memory, nor a write per line),
    each ending on a line break, that add up to every row."""
    monkeypatch.setattr(exports, "CSV_BLOCK_SIZE", 2000)
    _deals(30)
    response = api.get(URL)
    assert response.streaming
    blocks = [block.decode() for block in response.streaming_content]
    assert len(blocks) > 2
    assert all(block.endswith("\r\n") for block in blocks)
    assert all(len(block) >= 2000 for block in blocks[:-1])
    rows = list(csv.DictReader(io.StringIO("".join(blocks))))
    assert len(rows) == Deal.objects.count() == 30


def test_export_rows_are_the_list_rows(article):
    """One row shape: every deal row the export reads in one query equals the row the lists
    read in four, parties, vehicle models, citations and primary quote included."""
    exported = list(Deal.objects.for_export())
    listed = list(Deal.objects.for_list())
    assert len(exported) == len(listed) == Deal.objects.count() > 10
    assert exported == listed
