"""The chart module alone: query-shaped dicts in, Plotly figure dicts out. No database."""

import json

from django.utils import translation

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


# What every node of a crafted graph shares: no local names, no volume known.
NODE = {
    "name_ko": "",
    "name_zh": "",
    "hq_city": "",
    "merged": False,
    "volume_gwh": None,
    "deals_without_volume": 0,
}


def graph():
    node = NODE
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


def traces_named(figure, name):
    return [t for t in figure["data"] if t.get("name") == name]


def deal_markers(figure):
    """The timeline's deal points (not whiskers, terms or events)."""
    return [
        t
        for t in figure["data"]
        if t["type"] == "scatter" and t["mode"] == "markers" and t.get("legendgroup") != "events"
    ]


def test_month_precise_date_is_a_point_with_a_whisker_across_the_month():
    """A deal known to July 2025 is a marker mid-July with a whisker from 1 July to 1 August:
    uncertainty, not a month-long bar."""
    figure = charts.timeline_figure([deal_item()])
    assert not [t for t in figure["data"] if t["type"] == "bar"]
    (marker,) = deal_markers(figure)
    assert marker["x"] == ["2025-07-16"]
    (whisker,) = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert whisker["x"][:2] == ["2025-07-01", "2025-08-01"]
    assert whisker["hoverinfo"] == "skip"


def test_half_year_whisker_spans_six_months():
    """A deal known to H2 2025 has a whisker from July to the end of December."""
    item = deal_item(date="2025-07-01", date_end="2025-12-31", precision="half", label="H2 2025")
    figure = charts.timeline_figure([item])
    (whisker,) = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert whisker["x"][:2] == ["2025-07-01", "2026-01-01"]


def test_day_precise_date_is_a_marker_on_its_day_without_whisker():
    """Only a date known to the day is a bare point."""
    item = deal_item(precision="day", date="2025-07-10", date_end="2025-07-10", label="10 Jul")
    figure = charts.timeline_figure([item])
    assert [t["mode"] for t in figure["data"]] == ["markers"]
    assert figure["data"][0]["x"] == ["2025-07-10"]


def test_contract_term_is_a_pale_bar_from_start_to_end():
    """The term runs from its start to its end, drawn first and pale."""
    item = deal_item(term_start="2026-01-01", term_end="2031-12-31", term_end_label="2031")
    term = charts.timeline_figure([item])["data"][0]
    assert term["type"] == "bar" and term["base"] == ["2026-01-01"]
    assert term["marker"]["opacity"] < 0.5
    assert term["x"][0] == (6 * 365 + 1) * 86_400_000  # six whole years, 2028 a leap year


def test_a_term_known_only_in_years_is_drawn_hatched_from_the_deal_date_and_says_so():
    """Six years with no start (LG Energy Solution–Chery) is drawn from the announcement,
    hatched, and the hover says the start is not stated."""
    figure = charts.timeline_figure([deal_item(term_years=6)])
    (term,) = [t for t in figure["data"] if t["type"] == "bar"]
    assert term["base"] == ["2025-07-01"]
    assert term["marker"]["pattern"]["shape"] == "/"
    assert "start not stated" in term["hovertext"][0]


def test_each_hover_names_which_date_it_shows():
    """A deal placed at its start says "Start", one at its announcement says "Announced"."""
    started = deal_item(slug="s", title="Started", date_kind="start")
    announced = deal_item(slug="a", title="Announced", date_kind="announced")
    hovers = " ".join(
        h
        for t in deal_markers(charts.timeline_figure([started, announced]))
        for h in t["hovertext"]
    )
    assert "Start (announcement not dated): Jul 2025" in hovers
    assert "Announced: Jul 2025" in hovers


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
    colours = {t["name"]: t["marker"]["line"]["color"] for t in deal_markers(figure)}
    assert colours["signed"] == charts.STATUS_COLORS["signed"]
    assert colours["in talks · unconfirmed"] == charts.STATUS_COLORS["in_talks"]
    assert any(["/deals/b/"] in trace["customdata"] for trace in deal_markers(figure))


def test_a_not_finalized_30_gwh_deal_is_drawn_as_unconfirmed_in_every_chart():
    """Hyundai–CALB's 30 GWh, not finalized: a hollow marker on the timeline, a hollow link in
    the flows (however wide), a dotted line on the map, "unconfirmed" in every legend."""
    item = deal_item(status="not_finalized", status_label="not finalized", volume_gwh=30.0)
    (marker,) = deal_markers(charts.timeline_figure([item]))
    assert marker["marker"]["color"] == "#ffffff"
    assert marker["name"] == "not finalized · unconfirmed"

    data = graph()
    data["edges"][1].update(status="not_finalized", vehicle_models=[])
    sankey = charts.sankey_figure(data)["data"][0]["link"]
    labels = charts.sankey_figure(data)["data"][0]["node"]["label"]
    i = [
        n
        for n, (s, t) in enumerate(zip(sankey["source"], sankey["target"], strict=True))
        if (labels[s], labels[t]) == ("Cell Co", "Car Co")
    ][0]
    assert sankey["value"][i] == 30.0
    assert sankey["color"][i].endswith(",0.15)")  # a pale wash, however wide
    signed = [c for c in sankey["color"] if c.endswith(",0.7)")]
    assert signed  # while confirmed links are solid
    assert "unconfirmed" in sankey["customdata"][i]

    lines = [t for t in charts.geo_figure(data)["data"] if t.get("mode") == "lines"]
    dotted = {t["name"]: t["line"]["dash"] for t in lines}
    assert dotted["not finalized / denied · unconfirmed"] == "dot"
    assert dotted["signed"] == "solid"


def test_timeline_hover_names_parties_gwh_status_and_source():
    """Hovering a deal shows who, how many GWh, its status and its source."""
    hover = deal_markers(charts.timeline_figure([deal_item()]))[0]["hovertext"][0]
    for text in ("Alpha Cells", "Beta Motors", "8 GWh", "signed", "Battery news", "Jul 2025"):
        assert text in hover


def test_long_titles_stand_whole_above_their_rows():
    """A 77-character title is wrapped onto lines, never cut."""
    title = "Hyundai Motor in talks with CALB on a reported 30 GWh battery supply contract"
    figure = charts.timeline_figure([deal_item(title=title)])
    (label,) = [a["text"] for a in figure["layout"]["annotations"]]
    assert label.replace("<br>", " ") == title
    assert "…" not in label


def test_timeline_hover_uses_the_viewers_language_with_english_beside():
    """In Korean, a company with a Korean name shows it, the English name beside it."""
    hover = deal_markers(charts.timeline_figure([deal_item()], language="ko"))[0]["hovertext"][0]
    assert "알파셀 (Alpha Cells)" in hover


def test_context_events_have_their_own_rows_stars_and_whiskers():
    """An event known to April 2025 is a star in its own row, with a whisker over April; deals
    are never stars."""
    event = {"kind": "event", "slug": "tariffs", "title": "Tariffs", "url": "",
             "date": "2025-04-01", "date_end": "2025-04-30", "precision": "month",
             "label": "Apr 2025", "description": ""}  # fmt: skip
    figure = charts.timeline_figure([deal_item(), event])
    stars = [t for t in figure["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert stars[0]["y"] == ["event:tariffs"]
    assert stars[0]["name"] == "Context events"
    assert all(t["marker"]["symbol"] != "star" for t in deal_markers(figure))
    whiskers = [t for t in figure["data"] if t.get("mode") == "lines+markers"]
    assert ["2025-04-01", "2025-05-01"] in [w["x"][:2] for w in whiskers]
    labels = [a["text"] for a in figure["layout"]["annotations"]]
    assert "★ Tariffs" in labels


def test_names_are_escaped_in_hover_text():
    """A company called <script> is shown as text by Plotly, never as markup."""
    item = deal_item(parties=[{"name": "<script>alert(1)</script>", "role": "supplier"}])
    hover = deal_markers(charts.timeline_figure([item]))[0]["hovertext"][0]
    assert "<script>" not in hover
    assert "&lt;script&gt;" in hover


def sankey_links(figure):
    trace = figure["data"][0]
    labels = trace["node"]["label"]
    return {
        (labels[s], labels[t]): v
        for s, t, v in zip(
            trace["link"]["source"], trace["link"]["target"], trace["link"]["value"], strict=True
        )
    }


def test_sankey_runs_from_materials_to_cells_to_vehicles_and_automakers():
    """Nodes sit in columns left to right and every link runs left to right."""
    trace = charts.sankey_figure(graph())["data"][0]
    labels, xs = trace["node"]["label"], trace["node"]["x"]
    column = {label: x for label, x in zip(labels, xs, strict=True)}
    assert column["Foil Co"] < column["Cell Co"] < column["PV5"]
    for source, target in zip(trace["link"]["source"], trace["link"]["target"], strict=True):
        assert xs[source] < xs[target]


def test_sankey_labels_a_node_in_the_readers_language_alone_and_hovers_the_whole_name():
    """In Korean a label is the Korean name alone (a vehicle model's, its name), short enough
    for its column; the hover and the link hovers name the company in both languages."""
    data = graph()
    data["nodes"][1]["name_ko"] = "셀컴퍼니"
    with translation.override("ko"):
        trace = charts.sankey_figure(data, "ko")["data"][0]
    labels = trace["node"]["label"]
    assert "셀컴퍼니" in labels and "셀컴퍼니 (Cell Co)" not in labels
    assert "PV5" in labels and "PV5 · 카컴퍼니 (Car Co)" not in labels  # its maker: in the hover
    assert "Foil Co" in labels  # no Korean name: the English one
    hovers = {url_and_name[1] for url_and_name in trace["node"]["customdata"]}
    assert "PV5 · 카컴퍼니 (Car Co)" in hovers
    assert trace["node"]["hovertemplate"] == "%{customdata[1]}<extra></extra>"
    link_hovers = trace["link"]["customdata"]
    assert any(h.startswith("셀컴퍼니 (Cell Co) → PV5 · 카컴퍼니 (Car Co)") for h in link_hovers)


def test_a_vehicle_model_follows_the_deal_that_supplies_it():
    """Kona's cells come from CATL: Kona hangs off the CATL deal, and CALB's 30 GWh to the same
    automaker flows into the automaker, never into Kona."""
    data = graph()
    node = NODE
    data["nodes"].append(
        {**node, "id": 5, "slug": "calb", "name": "CALB", "country": "CN",
         "chain_role": "battery_cells", "lat": 30.6, "lon": 114.3, "deal_count": 1}
    )  # fmt: skip
    data["edges"][1].update(
        deal_title="Cell Co cells for Kona",
        status="active",
        volume_gwh=None,
        vehicle_models=[{"slug": "kona", "name": "Kona", "maker_id": 3}],
    )
    data["edges"].append(
        {"deal_slug": "calb", "deal_title": "CALB 30 GWh", "source": 5, "target": 3,
         "source_role": "supplier", "target_role": "customer", "status": "not_finalized",
         "kind": "supply", "product": "battery_cells", "volume_gwh": 30.0,
         "vehicle_models": []}
    )  # fmt: skip
    links = sankey_links(charts.sankey_figure(data))
    assert links[("CALB", "Car Co")] == 30.0
    assert links[("Cell Co", "Kona")] == 1
    assert not [pair for pair in links if pair[1].startswith("Kona") and pair[0] != "Cell Co"]
    lines = charts.flows_text(data)["lines"]
    assert lines[0]["text"].startswith("Cell Co → Kona · Car Co")  # confirmed first
    assert lines[-1]["style"] == "unconfirmed"


def test_deals_sum_into_one_link_only_when_ends_status_and_product_agree():
    """Two deals between the same companies stay two links when their statuses differ (the
    signed 8 GWh contract is never merged with the separate deal in talks)."""
    data = graph()
    data["edges"].append({**data["edges"][1], "deal_slug": "d4", "deal_title": "More talks",
                          "status": "signed", "volume_gwh": 8.0, "vehicle_models": []})  # fmt: skip
    data["edges"][1]["vehicle_models"] = []
    trace = charts.sankey_figure(data)["data"][0]
    hovers = trace["link"]["customdata"]
    assert len([h for h in hovers if h.startswith("Cell Co → Car Co")]) == 2
    assert any("<b>8 GWh</b>" in h and "signed" in h for h in hovers)


def test_sankey_leaves_out_links_between_companies_of_one_column():
    """A joint development between two automakers is not a supply flow."""
    figure = charts.sankey_figure(graph())
    assert "Rival Cars" not in figure["data"][0]["node"]["label"]
    # ... and says so rather than dropping it silently.
    assert figure["layout"]["meta"]["left_out"] == 1
    assert "(Joint car) are not flows" in charts.flows_text(graph())["summary"]


def test_sankey_weights_by_gwh_where_known_and_by_deal_count_otherwise_and_says_so():
    """The 30 GWh link is 30 wide, the deal without a volume counts one, the title says which."""
    figure = charts.sankey_figure(graph())
    links = sankey_links(figure)
    assert links[("Cell Co", "PV5")] == 30.0
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
    points = [t for t in figure["data"] if t.get("mode") == "markers+text"][0]
    # Foil Co and Car Co share a place: one hollow marker, both named in its hover and list.
    assert len(points["lon"]) == 2
    assert figure["layout"]["meta"]["unplaced"] == ["Rival Cars"]  # no coordinates, said so
    (cluster,) = figure["layout"]["meta"]["clusters"]
    assert {c["name"] for c in cluster["companies"]} == {"Foil Co", "Car Co"}
    assert ["/companies/cells/"] in points["customdata"]  # a single company opens its page


def test_a_map_marker_never_shows_an_unknown_volume_as_zero():
    """A company's hover gives the sum of its known volumes and names the deals without one."""
    data = graph()
    cells = next(n for n in data["nodes"] if n["slug"] == "cells")
    cells.update(volume_gwh=None, deals_without_volume=2)
    figure = charts.geo_figure(data)
    points = [t for t in figure["data"] if t.get("mode") == "markers+text"][0]
    hover = next(h for h in points["hovertext"] if "Cell Co" in h)
    assert "volume not known" in hover and "0 GWh" not in hover
    cells.update(volume_gwh=30.0, deals_without_volume=1)
    points = [t for t in charts.geo_figure(data)["data"] if t.get("mode") == "markers+text"][0]
    hover = next(h for h in points["hovertext"] if "Cell Co" in h)
    assert "30 GWh, and 1 deal(s) of unknown volume" in hover


def test_a_korean_map_names_cities_in_korean_where_it_can():
    """A marker's hover and the clustered list give the city in Korean to a Korean reader."""
    data = graph()
    for node in data["nodes"]:
        node["hq_city"] = "Seoul"
    next(n for n in data["nodes"] if n["slug"] == "cells")["hq_city_ko"] = "서울"
    points = [t for t in charts.geo_figure(data, "ko")["data"] if t.get("mode") == "markers+text"]
    hover = next(h for h in points[0]["hovertext"] if "Cell Co" in h)
    assert "서울" in hover and "Seoul" not in hover
    english = [t for t in charts.geo_figure(data)["data"] if t.get("mode") == "markers+text"]
    assert "Seoul" in next(h for h in english[0]["hovertext"] if "Cell Co" in h)


def test_geo_map_opens_on_korea_and_china_with_a_button_for_the_rest():
    """A Swedish company does not pull the first view to Europe: it is one button away."""
    data = graph()
    data["nodes"][3].update(lat=59.3, lon=18.1, name="Nordic Cells")
    geo = charts.geo_figure(data)["layout"]
    assert geo["geo"]["lonaxis"]["range"][0] > 100
    (menu,) = geo["updatemenus"]
    wide = menu["buttons"][1]["args"][0]["geo.lonaxis.range"]
    assert wide[0] < 18.1 < wide[1]


def test_geography_csv_carries_coordinates_and_says_what_is_off_the_map():
    """geography.csv has each end's place and whether the map could draw the line."""
    rows = charts.supply_rows(graph(), coordinates=True)
    header = rows[0]
    assert header[-7:] == ["from_city", "from_lat", "from_lon", "to_city", "to_lat", "to_lon",
                           "on_map"]  # fmt: skip
    by_deal = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert (by_deal["d1"]["from_lat"], by_deal["d1"]["to_lon"]) == (37.5, 119.5)
    assert by_deal["d3"]["on_map"] == "no"
    assert rows != charts.supply_rows(graph())


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
    assert supply[2][14] == "PV5"
    undated = deal_item(slug="u", date=None, date_end=None, precision="", label="", date_kind="")
    rows = charts.timeline_rows([deal_item(), undated])
    assert rows[2][1] == "u" and rows[2][4] == ""  # listed, with no date
    assert "1 of them with no known date" in charts.timeline_text([deal_item(), undated])["summary"]
    assert [t for t in charts.timeline_figure([undated])["data"]] == []


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


def test_a_korean_reader_gets_the_built_title_with_the_english_headline_beside():
    """A timeline row reads the title its item carries (`titles.deal_title`, built in Korean);
    the hover and the text list keep the editor's English headline beside it."""
    item = deal_item(
        title="알파셀, Beta Motors에 배터리 셀 공급 (체결)", headline="Alpha supplies Beta"
    )
    with translation.override("ko"):
        figure = charts.timeline_figure([item], language="ko")
        (label,) = [a["text"] for a in figure["layout"]["annotations"]]
        hover = deal_markers(figure)[0]["hovertext"][0]
        text = charts.timeline_text([item], language="ko")
    assert label.replace("<br>", " ") == "알파셀, Beta Motors에 배터리 셀 공급 (체결)"
    assert hover.startswith(
        "<b>알파셀, Beta Motors에 배터리 셀 공급 (체결)</b><br>Alpha supplies Beta"
    )
    assert "알파셀, Beta Motors에 배터리 셀 공급 (체결) (Alpha supplies Beta)" in json.dumps(
        text, ensure_ascii=False
    )
    english = charts.timeline_figure([deal_item()], language="en")
    assert english["layout"]["annotations"][0]["text"] == "Alpha supplies Beta"
    assert deal_markers(english)[0]["hovertext"][0].startswith("<b>Alpha supplies Beta</b><br>")


def test_a_market_named_in_english_reads_in_korean_with_the_english_beside():
    """ "China" on a deal page reads "중국 (China)" to a Korean reader; unknown words stay."""
    from dashboard.templatetags.dashboard import place

    with translation.override("ko"):
        assert place("China, Europe") == "중국 (China), Europe"
    with translation.override("en"):
        assert place("China") == "China"


def test_the_yearly_text_never_gives_an_unknown_volume_as_zero():
    """ "confirmed 1 (volume not known)", not "1 confirmed deals (0.0 GWh)"."""
    buckets = [
        {"year": 2025, "status": "signed", "deals": 1, "volume_gwh": None,
         "deals_without_volume": 1},
        {"year": 2025, "status": "in_talks", "deals": 2, "volume_gwh": 30.0,
         "deals_without_volume": 0},
        {"year": 2024, "status": "active", "deals": 2, "volume_gwh": 8.0,
         "deals_without_volume": 1},
        {"year": 2023, "status": "in_talks", "deals": 1, "volume_gwh": None,
         "deals_without_volume": 1},
    ]  # fmt: skip
    lines = [line["text"] for line in charts.timeline_buckets_text(buckets)["lines"]]
    assert lines == [
        "2023: confirmed 0; other statuses 1",
        "2024: confirmed 2 (8 GWh, and 1 deal(s) of unknown volume); other statuses 0",
        "2025: confirmed 1 (volume not known); other statuses 2",
    ]


def test_an_edge_summing_deals_is_counted_in_the_readers_language():
    """A map line or flow standing for several deals says so in Korean to a Korean reader."""
    edge = {"deal_count": 3, "deal_title": "3 deals", "deal_titles": {}}
    assert charts._edge_title(edge, "en") == "3 deals"
    with translation.override("ko"):
        assert charts._edge_title(edge, "ko") == "거래 3건"


def test_what_the_map_leaves_out_is_named_in_the_readers_language():
    """The companies off the map are listed by their Korean names for a Korean reader, and a
    merged node as the other companies of its country, never "Others (CN)"."""
    data = graph()
    data["nodes"].append(
        {**NODE, "id": "others-CN", "slug": "", "name": "Others (CN)", "merged": True,
         "country": "CN", "chain_role": "", "lat": None, "lon": None, "deal_count": 2}
    )  # fmt: skip
    data["nodes"][3]["name_ko"] = "라이벌카"
    with translation.override("ko"):
        unplaced = charts.geo_figure(data, "ko")["layout"]["meta"]["unplaced"]
    assert unplaced == ["라이벌카 (Rival Cars)", "그 밖의 기업 (중국)"]


def test_the_yearly_timeline_keeps_its_context_events():
    """Past the deals drawn one by one, events still stand as stars over their year's bar (the
    overview of the whole set showed none), and the text lists them."""
    buckets = [
        {"year": 2025, "status": "signed", "deals": 4, "volume_gwh": None,
         "deals_without_volume": 4},
        {"year": 2024, "status": "signed", "deals": 2, "volume_gwh": None,
         "deals_without_volume": 2},
    ]  # fmt: skip
    events = [
        {"kind": "event", "title": "Inauguration", "date": "2025-06-04", "label": "4 Jun 2025"},
        {"kind": "event", "title": "Tariffs", "date": "2025-04-03", "label": "3 Apr 2025"},
        {"kind": "event", "title": "Summit", "date": "2023-11-01", "label": "Nov 2023"},
    ]
    figure = charts.timeline_buckets_figure(buckets, events=events)
    [stars] = [t for t in figure["data"] if t["type"] == "scatter"]
    assert stars["x"] == ["2023", "2025", "2025"] and stars["y"] == [1, 5, 6]
    assert figure["data"][0]["x"] == ["2023", "2024", "2025"]  # a year of events alone shows
    assert "Inauguration" in stars["hovertext"][2]
    text = [line["text"] for line in charts.timeline_buckets_text(buckets, events=events)["lines"]]
    assert text[-1] == "★ Inauguration — 4 Jun 2025"
