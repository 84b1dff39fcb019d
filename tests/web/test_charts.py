"""The chart module alone: query-shaped dicts in, Plotly figure dicts out. No database."""

import json

from dashboard import charts


def deal_item(**overrides):
    item = {
        "kind": "deal",
        "slug": "alpha-beta",
        "title": "Alpha supplies Beta",
        "url": "/deals/alpha-beta/",
        "date": "2025-07-01",
        "date_end": "2025-07-31",
        "precision": "month",
        "label": "Jul 2025",
        "estimated": False,
        "status": "signed",
        "status_label": "signed",
        "term_start": None,
        "term_end": None,
        "parties": [
            {"name": "Alpha Cells", "name_ko": "알파셀", "name_zh": "", "role": "supplier"},
            {"name": "Beta Motors", "name_ko": "", "name_zh": "贝塔", "role": "customer"},
        ],
        "volume_gwh": 8.0,
        "source_title": "Battery news",
        "quote": "Alpha will supply Beta.",
    }
    item.update(overrides)
    return item


def graph():
    node = {"name_ko": "", "name_zh": "", "hq_city": "", "merged": False, "gwh": 0.0}
    return {
        "nodes": [
            {**node, "id": 1, "slug": "foil", "name": "Foil Co", "country": "KR",
             "chain_role": "battery_materials", "lat": 37.5, "lon": 127.0, "deal_count": 1},
            {**node, "id": 2, "slug": "cells", "name": "Cell Co", "country": "CN",
             "chain_role": "battery_cells", "lat": 26.6, "lon": 119.5, "deal_count": 2},
            {**node, "id": 3, "slug": "cars", "name": "Car Co", "name_ko": "카컴퍼니",
             "country": "KR", "chain_role": "automaker", "lat": 37.5, "lon": 127.0,
             "deal_count": 2},
            {**node, "id": 4, "slug": "rival", "name": "Rival Cars", "country": "CN",
             "chain_role": "automaker", "lat": None, "lon": None, "deal_count": 1},
        ],
        "edges": [
            {"deal_slug": "d1", "deal_title": "Foil deal", "source": 1, "target": 2,
             "source_role": "supplier", "target_role": "customer", "status": "signed",
             "kind": "supply", "product": "foil", "volume_gwh": None, "vehicle_models": []},
            {"deal_slug": "d2", "deal_title": "Cell deal", "source": 2, "target": 3,
             "source_role": "supplier", "target_role": "customer", "status": "in_talks",
             "kind": "supply", "product": "battery_cells", "volume_gwh": 30.0,
             "vehicle_models": [{"slug": "pv5", "name": "PV5", "maker_id": 3}]},
            {"deal_slug": "d3", "deal_title": "Joint car", "source": 3, "target": 4,
             "source_role": "developer", "target_role": "developer", "status": "active",
             "kind": "joint_development", "product": "vehicles", "volume_gwh": None,
             "vehicle_models": []},
        ],
    }  # fmt: skip


def test_month_precise_announcement_is_drawn_as_the_whole_month():
    """A deal known to July 2025 is a bar from 1 July across all 31 days, never a point."""
    figure = charts.timeline_figure([deal_item()])
    bars = [t for t in figure["data"] if t["type"] == "bar"]
    assert len(bars) == 1
    assert bars[0]["base"] == ["2025-07-01"]
    assert bars[0]["x"] == [31 * 86_400_000]
    assert not [t for t in figure["data"] if t["type"] == "scatter"]


def test_half_year_announcement_spans_six_months():
    """A deal known to H2 2025 covers July to December."""
    item = deal_item(date="2025-07-01", date_end="2025-12-31", precision="half", label="H2 2025")
    bar = charts.timeline_figure([item])["data"][0]
    assert bar["x"] == [184 * 86_400_000]


def test_day_precise_announcement_is_a_marker_on_its_day():
    """Only a date known to the day is drawn as a point."""
    item = deal_item(precision="day", date="2025-07-10", date_end="2025-07-10", label="10 Jul")
    traces = charts.timeline_figure([item])["data"]
    assert [t["type"] for t in traces] == ["scatter"]
    assert traces[0]["x"] == ["2025-07-10"]


def test_contract_term_is_a_bar_from_start_to_end_behind_the_announcement():
    """The term runs from its start to its end, drawn first and paler."""
    item = deal_item(term_start="2026-01-01", term_end="2031-12-31", term_end_label="2031")
    traces = charts.timeline_figure([item])["data"]
    term, announcement = traces[0], traces[1]
    assert term["base"] == ["2026-01-01"]
    assert term["marker"]["opacity"] < announcement["marker"].get("opacity", 1)
    assert term["x"][0] == (6 * 365 + 1) * 86_400_000  # six whole years, 2028 a leap year


def test_timeline_colours_by_status_and_links_to_the_deal():
    """Each status has its own colour and every deal point carries its page's address."""
    figure = charts.timeline_figure(
        [
            deal_item(),
            deal_item(
                slug="b", title="Other", status="in_talks", status_label="in talks", url="/deals/b/"
            ),
        ]
    )
    colours = {t["name"]: t["marker"]["color"] for t in figure["data"]}
    assert colours["signed"] == charts.STATUS_COLORS["signed"]
    assert colours["in talks"] == charts.STATUS_COLORS["in_talks"]
    assert any(["/deals/b/"] in trace["customdata"] for trace in figure["data"])


def test_timeline_hover_names_parties_gwh_status_and_source():
    """Hovering a deal shows who, how many GWh, its status and its source."""
    hover = charts.timeline_figure([deal_item()])["data"][0]["hovertext"][0]
    for text in ("Alpha Cells", "Beta Motors", "8 GWh", "signed", "Battery news", "Jul 2025"):
        assert text in hover


def test_timeline_hover_uses_the_viewers_language_with_english_beside():
    """In Korean, a company with a Korean name shows it, the English name beside it."""
    hover = charts.timeline_figure([deal_item()], language="ko")["data"][0]["hovertext"][0]
    assert "알파셀 (Alpha Cells)" in hover


def test_context_events_have_their_own_rows_and_span_their_period():
    """An event known to April 2025 is a star with a shaded band over April."""
    event = {"kind": "event", "slug": "tariffs", "title": "Tariffs", "url": "",
             "date": "2025-04-01", "date_end": "2025-04-30", "precision": "month",
             "label": "Apr 2025", "description": ""}  # fmt: skip
    figure = charts.timeline_figure([deal_item(), event])
    stars = [t for t in figure["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert stars[0]["y"] == ["◆ Tariffs"]
    band = figure["layout"]["shapes"][0]
    assert (band["x0"], band["x1"]) == ("2025-04-01", "2025-05-01")


def test_names_are_escaped_in_hover_text():
    """A company called <script> is shown as text by Plotly, never as markup."""
    item = deal_item(parties=[{"name": "<script>alert(1)</script>", "role": "supplier"}])
    hover = charts.timeline_figure([item])["data"][0]["hovertext"][0]
    assert "<script>" not in hover
    assert "&lt;script&gt;" in hover


def test_sankey_runs_from_materials_to_cells_to_automakers_to_vehicles():
    """Nodes sit in four columns and every link runs left to right."""
    trace = charts.sankey_figure(graph())["data"][0]
    labels, xs = trace["node"]["label"], trace["node"]["x"]
    column = {label: x for label, x in zip(labels, xs, strict=True)}
    assert column["Foil Co"] < column["Cell Co"] < column["Car Co"] < column["PV5"]
    for source, target in zip(trace["link"]["source"], trace["link"]["target"], strict=True):
        assert xs[source] < xs[target]


def test_sankey_leaves_out_links_between_companies_of_one_column():
    """A joint development between two automakers is not a supply flow."""
    trace = charts.sankey_figure(graph())["data"][0]
    assert "Rival Cars" not in trace["node"]["label"]


def test_sankey_weights_by_gwh_where_known_and_by_deal_count_otherwise_and_says_so():
    """The 30 GWh link is 30 wide, the deal without a volume counts one, the title says which."""
    figure = charts.sankey_figure(graph())
    trace = figure["data"][0]
    labels = trace["node"]["label"]
    links = {
        (labels[s], labels[t]): v
        for s, t, v in zip(
            trace["link"]["source"], trace["link"]["target"], trace["link"]["value"], strict=True
        )
    }
    assert links[("Cell Co", "Car Co")] == 30.0
    assert links[("Foil Co", "Cell Co")] == 1
    assert "GWh where known" in figure["layout"]["meta"]["weighting"]


def test_sankey_weighting_label_when_no_volume_is_known():
    """With no known volume anywhere, the title says the widths count deals."""
    data = graph()
    for edge in data["edges"]:
        edge["volume_gwh"] = None
    weighting = charts.sankey_figure(data)["layout"]["meta"]["weighting"]
    assert weighting == "Link width: number of deals (volumes not known)"


def test_geo_map_places_companies_and_colours_lines_by_status():
    """Companies sit at their headquarters; each status's partnerships are one coloured line set."""
    figure = charts.geo_figure(graph())
    lines = [t for t in figure["data"] if t["type"] == "scattergeo" and t["mode"] == "lines"]
    colours = {t["line"]["color"] for t in lines}
    assert colours == {charts.STATUS_COLORS["signed"], charts.STATUS_COLORS["in_talks"]}
    points = [t for t in figure["data"] if t.get("mode", "").startswith("markers")][0]
    assert len(points["lon"]) == 3  # Rival Cars has no coordinates


def test_geo_map_shades_countries_by_iso3_code():
    """Countries are shaded by how many of the drawn companies are based there."""
    choropleth = charts.geo_figure(graph())["data"][0]
    assert choropleth["type"] == "choropleth"
    assert dict(zip(choropleth["locations"], choropleth["z"], strict=True)) == {"CHN": 2, "KOR": 2}


def test_figures_are_plain_json():
    """Every figure serialises to JSON as is, for json_script."""
    for figure in (
        charts.timeline_figure([deal_item()]),
        charts.sankey_figure(graph()),
        charts.geo_figure(graph()),
    ):
        json.dumps(figure)


def test_chart_rows_have_a_header_and_one_row_per_item():
    """The CSV behind each chart holds exactly what it draws."""
    timeline = charts.timeline_rows([deal_item(), deal_item(slug="b")])
    assert timeline[0][:3] == ["kind", "slug", "title"]
    assert len(timeline) == 3
    supply = charts.supply_rows(graph())
    assert len(supply) == 1 + len(graph()["edges"])
    assert supply[2][13] == "PV5"


def test_empty_input_draws_nothing():
    """A filter that matches nothing gives figures with no traces, not errors."""
    empty = {"nodes": [], "edges": []}
    assert charts.timeline_figure([])["data"] == []
    assert charts.sankey_figure(empty)["data"] == []
    assert charts.geo_figure(empty)["data"] == []


def test_a_merged_edge_counts_every_deal_it_stands_for():
    """An edge to "Others (KR)" that sums three deals of unknown volume is three wide."""
    data = graph()
    data["edges"][0].update(deal_count=3, merged=True, deal_title="3 deals")
    trace = charts.sankey_figure(data)["data"][0]
    labels = trace["node"]["label"]
    widths = {
        (labels[s], labels[t]): v
        for s, t, v in zip(
            trace["link"]["source"], trace["link"]["target"], trace["link"]["value"], strict=True
        )
    }
    assert widths[("Foil Co", "Cell Co")] == 3
