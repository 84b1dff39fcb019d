"""What the charts cost to send: the JavaScript bundle's budget, and compressed pages."""

import gzip
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from dashboard import charts
from tests.web.test_charts import deal_item, graph

STATIC = Path(settings.BASE_DIR, "static")
BUDGET = 600 * 1024  # JavaScript transferred gzipped on the overview
ENTRY = Path(settings.BASE_DIR, "frontend", "plotly-entry.js")


def overview_scripts(client):
    html = client.get(reverse("dashboard:overview")).content.decode()
    return re.findall(r'<script src="/static/([^"]+)"', html)


def test_the_overview_sends_at_most_600_kb_of_javascript_gzipped(client, article):
    """Every script the overview loads, gzipped as the server sends it, stays within budget,
    and the full plotly.js is not among them."""
    scripts = overview_scripts(client)
    assert "vendor/plotly/plotly-custom.min.js" in scripts
    assert "vendor/plotly/plotly.min.js" not in scripts
    sent = sum(len(gzip.compress((STATIC / path).read_bytes(), 6)) for path in scripts)
    assert sent <= BUDGET, f"{sent / 1024:.0f} KB gzipped"


def test_the_bundle_holds_every_trace_type_the_charts_draw():
    """A trace type charts.py draws but the custom bundle lacks would draw nothing."""
    bundled = set(re.findall(r"plotly\.js/lib/(\w+)'", ENTRY.read_text()))
    drawn = {
        trace["type"]
        for figure in (
            charts.timeline_figure([deal_item(term_years=6)]),
            charts.timeline_buckets_figure(
                [
                    {
                        **deal_item(),
                        "year": 2025,
                        "deals": 1,
                        "volume_gwh": 1,
                        "deals_without_volume": 0,
                    }
                ]
            ),
            charts.sankey_figure(graph()),
            charts.geo_figure(graph()),
        )
        for trace in figure["data"]
    }
    assert drawn <= bundled
    assert "plotly.js" in (STATIC / "vendor/plotly/plotly-custom.min.js").read_text()[:200]


def test_pages_are_sent_compressed(client, article):
    """A browser that accepts gzip gets the overview's HTML gzipped."""
    response = client.get(reverse("dashboard:overview"), headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert len(gzip.decompress(body)) > 3 * len(body)


def test_the_api_and_csv_are_not_gzipped(client, article):
    """Only pages are compressed: a client asking for gzip gets JSON and CSV as they are."""
    api = client.get("/api/v1/deals/", headers={"accept-encoding": "gzip"})
    assert "Content-Encoding" not in api
    csv = client.get(
        reverse("dashboard:chart-csv", args=["flows"]), headers={"accept-encoding": "gzip"}
    )
    assert "Content-Encoding" not in csv
