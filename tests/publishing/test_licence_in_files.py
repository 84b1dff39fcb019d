"""The licence and the data's last update travel with every export, inside the file where the
format has room (XLSX, GeoJSON), in the headers where it has none (CSV stays a plain table),
and on every answer of the JSON API."""

import csv
import io
import json

import pytest
from django.utils.http import http_date
from openpyxl import load_workbook

from partnerships import freshness
from publishing import dataset

LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _updated_iso():
    return freshness.current().changed_at.isoformat(timespec="seconds")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deals/?format=xlsx&status=signed",
        "/api/v1/companies/?format=xlsx",
        "/api/v1/stats/?format=xlsx",
        "/api/v1/timeline/?format=xlsx",
    ],
)
def test_a_workbook_names_its_licence_and_last_update_inside(api, article, path):
    """The data is the first sheet, untouched; an "About" sheet and the document properties
    give the licence, its address, the data's last update and the filter asked."""
    response = api.get(path)
    assert response.status_code == 200, response.content
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[-1] == "About" and len(book.sheetnames) == 2
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["license"] == "CC-BY-4.0" and about["license_url"] == LICENCE_URL
    assert about["data_updated_at"] == _updated_iso()
    assert about["filter"] == (path.split("?", 1)[1].replace("format=xlsx", "").strip("&") or None)
    assert "CC-BY-4.0" in book.properties.description
    assert LICENCE_URL in book.properties.keywords
    first = next(book[book.sheetnames[0]].iter_rows(values_only=True))
    assert "About" not in first and "license" not in first  # the table's own header


@pytest.mark.parametrize(
    "path", ["/api/v1/deals/?format=geojson", "/api/v1/companies/?format=geojson"]
)
def test_geojson_carries_license_and_last_update_members(api, article, path):
    """A FeatureCollection holds `license` (as a data package's `licenses` entry) and
    `data_updated_at` beside its features."""
    collection = json.loads(api.get(path).content)
    assert collection["type"] == "FeatureCollection" and collection["features"]
    assert collection["license"] == {
        "name": "CC-BY-4.0",
        "title": dataset.LICENCE["title"],
        "path": LICENCE_URL,
    }
    assert collection["data_updated_at"] == _updated_iso()


def test_csv_stays_a_plain_table_with_the_notice_in_its_headers(api, article):
    """The API's CSV starts with its header row (no comment line to trip a reader); the licence
    and last update are in `Link`, `X-Data-Licence` and `X-Data-Last-Updated`."""
    response = api.get("/api/v1/deals/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:2] == ["id", "slug"] and len(rows) > 1
    assert all(len(row) == len(rows[0]) for row in rows)
    assert f'<{LICENCE_URL}>; rel="license"' in response["Link"]
    assert response["X-Data-Last-Updated"] == response["Last-Modified"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/deals/",
        "/api/v1/stats/",
        "/api/v1/supply-graph/",
        "/api/v1/timeline/",
        "/api/v1/companies/catl/",
        "/api/v1/releases/",
    ],
)
def test_every_json_answer_links_its_licence(api, article, path):
    """JSON lists, aggregates and details link the licence (`rel="license"`); lists and
    aggregates also state the data's last update, the same time as their Last-Modified."""
    response = api.get(path)
    assert response.status_code == 200, path
    assert f'<{LICENCE_URL}>; rel="license"' in response["Link"]
    assert response["X-Data-Licence"] == "CC-BY-4.0"
    if "Last-Modified" in response:
        assert response["X-Data-Last-Updated"] == response["Last-Modified"]
        assert response["Last-Modified"] == http_date(freshness.current().changed_at.timestamp())
