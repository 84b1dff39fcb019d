"""Lists as CSV, XLSX and GeoJSON, chosen by ?format= or Accept, honouring the filters."""

import csv
import io
import json
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from partnerships.models import Deal
from tests.factories import (
    CompanyFactory,
    ContextEventFactory,
    SourceFactory,
    VehicleModelFactory,
    supply_deal,
)

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def deals():
    seoul = {"hq_latitude": Decimal("37.56650"), "hq_longitude": Decimal("126.97800")}
    ningde = {"hq_latitude": Decimal("26.66170"), "hq_longitude": Decimal("119.52280")}
    catl = CompanyFactory(slug="catl", name="CATL", name_zh="宁德时代", country="CN", **ningde)
    kia = CompanyFactory(slug="kia", name="Kia", name_ko="기아", chain_role="automaker", **seoul)
    lges = CompanyFactory(slug="lges", name="LG Energy Solution", **seoul)
    supply_deal(slug="catl-kia", supplier=catl, customer=kia, volume_gwh=Decimal("8"))
    supply_deal(slug="lges-kia", supplier=lges, customer=kia, status="in_talks")
    supply_deal(slug="unplaced", title="=HYPERLINK(1)", status="in_talks")


def read_csv(response):
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_deals_csv_streamed_with_filters(api, deals):
    """?format=csv streams every matching deal with its parties and Korean/Chinese names."""
    response = api.get("/api/v1/deals/?format=csv&company=kia&status=signed")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="deals.csv"' in response["Content-Disposition"]
    assert response["ETag"]
    rows = read_csv(response)
    assert [row["slug"] for row in rows] == ["catl-kia"]
    assert rows[0]["suppliers"] == "CATL" and rows[0]["customers"] == "Kia"
    assert rows[0]["volume_gwh"] == "8.0" and rows[0]["countries"] == "CN-KR"


def test_csv_by_accept_header_and_not_paginated(api, deals):
    """Accept: text/csv gives the CSV too, with all rows rather than one page."""
    response = api.get("/api/v1/deals/?limit=1", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"].startswith("text/csv")
    assert len(read_csv(response)) == 3


def test_csv_neutralises_formulas(api, deals):
    """A title that looks like a spreadsheet formula is exported as text."""
    rows = read_csv(api.get("/api/v1/deals/?format=csv&q=HYPERLINK"))
    assert rows[0]["title"] == "'=HYPERLINK(1)"


def test_deals_xlsx(api, deals):
    """?format=xlsx gives an Excel workbook of the matching deals."""
    for response in (
        api.get("/api/v1/deals/?format=xlsx&status=in_talks"),
        api.get("/api/v1/deals/?status=in_talks", HTTP_ACCEPT=XLSX),
    ):
        assert response["Content-Type"] == XLSX
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.values)
        assert rows[0][:4] == ("id", "slug", "display_title", "title")
        assert {row[1] for row in rows[1:]} == {"lges-kia", "unplaced"}


@pytest.mark.parametrize(
    "path", ["companies", "vehicle-models", "sources", "context-events", "deals"]
)
def test_every_list_exports_csv_and_xlsx(api, deals, path):
    """Every list is available as CSV and as XLSX."""
    SourceFactory()
    ContextEventFactory()
    VehicleModelFactory()
    rows = read_csv(api.get(f"/api/v1/{path}/?format=csv"))
    assert rows and rows[0]["slug"]
    book = load_workbook(io.BytesIO(api.get(f"/api/v1/{path}/?format=xlsx").content))
    assert len(list(book.active.values)) == len(rows) + 1


def test_companies_geojson(api, deals):
    """Companies with known headquarters are GeoJSON points with their names."""
    response = api.get("/api/v1/companies/?country=KR", HTTP_ACCEPT="application/geo+json")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    features = {f["properties"]["slug"]: f for f in collection["features"]}
    assert set(features) == {"kia", "lges"}
    assert features["kia"]["geometry"] == {"type": "Point", "coordinates": [126.978, 37.5665]}
    assert features["kia"]["properties"]["name_ko"] == "기아"
    assert collection["unplaced"] >= 1


def test_deals_geojson_lines(api, deals):
    """Deals are lines from the supplier's to the customer's headquarters, filters honoured."""
    collection = json.loads(api.get("/api/v1/deals/?format=geojson&country=CN").content)
    assert [f["properties"]["deal_slug"] for f in collection["features"]] == ["catl-kia"]
    line = collection["features"][0]
    assert line["geometry"]["coordinates"] == [[119.5228, 26.6617], [126.978, 37.5665]]
    assert (
        line["properties"]["source_name"] == "CATL"
        and line["properties"]["target_role"] == "customer"
    )


def test_geojson_is_only_for_companies_and_deals(api, deals):
    """Asking a list without places for GeoJSON is refused rather than answered wrongly."""
    response = api.get("/api/v1/sources/?format=geojson")
    assert response.status_code == 400
    assert "csv, json, xlsx" in response.json()["format"][0]
    assert api.get("/api/v1/stats/?format=pdf").status_code == 400
    assert api.get("/api/v1/deals/some-deal/?format=csv").status_code == 400
    assert api.get("/api/v1/sources/", HTTP_ACCEPT="application/geo+json").status_code == 406


def test_export_query_count_is_bounded(api, deals, django_assert_max_num_queries):
    """An export reads rows in chunks: a few queries, not one per deal."""
    for _ in range(10):
        supply_deal()
    with django_assert_max_num_queries(7):
        rows = read_csv(api.get("/api/v1/deals/?format=csv"))
    assert len(rows) == Deal.objects.count()


def test_xlsx_of_more_rows_than_a_workbook_takes_says_to_take_the_csv(api, deals, settings):
    """Past XLSX_MAX_ROWS the workbook is refused with a 400 naming `format` and the way out
    (the CSV, which streams any number); at the limit it is served."""
    settings.XLSX_MAX_ROWS = 2
    refused = api.get("/api/v1/deals/?format=xlsx")
    assert refused.status_code == 400
    assert "CSV" in refused.json()["format"][0]
    assert api.get("/api/v1/deals/?format=xlsx&status=in_talks").status_code == 200
    assert len(read_csv(api.get("/api/v1/deals/?format=csv"))) == 3


def test_xlsx_drops_control_characters_stored_in_text(api, deals):
    """A control character in a stored name (U+0007) cannot go into a workbook: it is left
    out there, the rest of the name kept, instead of a 500 for every reader."""
    CompanyFactory(slug="bell", name="Bell\x07 Battery\x1b")
    # Not control characters, and openpyxl writes them, but no spreadsheet opens such a file.
    CompanyFactory(slug="nonchar", name="Non\uffffchar\ufffe")
    Deal.objects.filter(slug="catl-kia").update(title="Ding\x07 deal")
    for path in ("companies", "deals"):
        response = api.get(f"/api/v1/{path}/?format=xlsx")
        assert response.status_code == 200
        values = {
            v for row in load_workbook(io.BytesIO(response.content)).active.values for v in row
        }
        assert {"Bell Battery", "Ding deal"} & values
    companies = api.get("/api/v1/companies/?format=xlsx")
    cells = {v for row in load_workbook(io.BytesIO(companies.content)).active.values for v in row}
    assert "Nonchar" in cells
