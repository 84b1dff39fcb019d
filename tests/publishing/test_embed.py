"""Embeddable charts: each at its own address with the filter, framable there and only there,
with a source line."""

import pytest


@pytest.mark.parametrize("chart", ["timeline", "flows", "geography"])
def test_embed_page_allows_framing_and_names_its_source(client, article, chart):
    """The embed page may be framed by any site; it carries the chart, the filter and a source
    line with the licence and a link back."""
    response = client.get(f"/embed/{chart}/", {"status": "signed"})
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    html = response.content.decode()
    assert "data-source-line" in html and "CC-BY-4.0" in html
    assert "status=signed" in html and 'id="embed-data"' in html


def test_other_pages_still_refuse_framing(client, article):
    """The overview and the API keep X-Frame-Options DENY and frame-ancestors 'none'."""
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_embed_refuses_unknown_charts_and_filters(client, article):
    assert client.get("/embed/pie/").status_code == 404
    assert client.get("/embed/flows/", {"stauts": "x"}).status_code == 400


def test_embedded_flows_carry_their_text_and_become_a_list_on_a_phone(client, article):
    """An embedded chart has its text twin; the Sankey's is marked to stand in for it when the
    frame is narrow, the timeline's is not."""
    flows = client.get("/embed/flows/").content.decode()
    assert "The chart as text" in flows and "chart-list-on-narrow" in flows
    assert "LG Energy Solution → Chery Automobile: 8 GWh" in flows
    timeline = client.get("/embed/timeline/").content.decode()
    assert "The chart as text" in timeline and "chart-list-on-narrow" not in timeline
