"""Plotly figures built from the aggregated reads of `queries.py`.

Pure functions: plain dicts in (the shapes `queries.timeline` and `queries.supply_graph` return),
plain figure dicts out, ready for `json_script`. No database, no request, no plotly.py objects, so
they are tested without a browser and cost nothing to import. Each figure has a twin `*_rows`
function giving the same data as CSV rows, so a chart and its download never disagree.
"""

import datetime
import html
from collections import defaultdict

from django.utils.translation import gettext as _
from django_countries import countries

from partnerships.dates import format_precise
from partnerships.models import DealStatus, PartyRole

# Okabe–Ito colours: told apart by people with the common colour-vision deficiencies, and dark
# enough against white for the 3:1 contrast that graphics need.
STATUS_COLORS = {
    "reported": "#999999",
    "in_talks": "#E69F00",
    "signed": "#0072B2",
    "active": "#009E73",
    "completed": "#56B4E9",
    "not_finalized": "#CC79A7",
    "cancelled": "#D55E00",
}
STATUS_ORDER = list(STATUS_COLORS)
EVENT_COLOR = "#444444"
FONT = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans KR', 'Noto Sans CJK KR', sans-serif"
)

# Sankey columns, left to right: who supplies whom.
COLUMN_OF_ROLE = {
    "battery_materials": 0,
    "components": 0,
    "battery_cells": 1,
    "automaker": 2,
}
VEHICLE_COLUMN = 3
GEO_LABELS = 8
AXIS_LABEL = 48


def _name(item: dict, language: str) -> str:
    """A company's name in the viewer's language, the English one beside it when they differ."""
    english = item.get("name") or ""
    local = ""
    if language.startswith("ko"):
        local = item.get("name_ko") or ""
    elif language.startswith("zh"):
        local = item.get("name_zh") or ""
    return f"{local} ({english})" if local and local != english else english


def _esc(value) -> str:
    """Plotly renders hover and label text as a small HTML subset: names must stay text."""
    return html.escape(str(value), quote=False)


def _blank(value):
    return "" if value is None else value


def _bucket_volume(bucket) -> str:
    """A year's volume in a hover: the known sum, and how many deals have none."""
    if not bucket:
        return ""
    known = bucket["volume_gwh"]
    text = _("volume not known") if known is None else _gwh(known)
    if known is not None and bucket["deals_without_volume"]:
        text += " " + _("(+%(count)s without a volume)") % {"count": bucket["deals_without_volume"]}
    return text


def _gwh(value) -> str:
    if value is None:
        return _("volume not known")
    return _("%(gwh)s GWh") % {"gwh": f"{value:g}"}


def _day_after(iso: str) -> str:
    """Bars end where the next period begins, so a month covers the whole of its last day."""
    return (datetime.date.fromisoformat(iso) + datetime.timedelta(days=1)).isoformat()


def _span_ms(start: str, end_inclusive: str) -> int:
    days = (datetime.date.fromisoformat(end_inclusive) - datetime.date.fromisoformat(start)).days
    return (days + 1) * 86_400_000


def _base_layout(**extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": "#1f2933"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "margin": {"l": 10, "r": 10, "t": 40, "b": 40},
        "hoverlabel": {"align": "left"},
        "legend": {"orientation": "h", "y": -0.15},
    }
    layout.update(extra)
    return layout


def _status_label(status: str) -> str:
    return str(dict(DealStatus.choices).get(status, status))


def _party_line(parties: list[dict], language: str) -> str:
    roles = dict(PartyRole.choices)
    return "<br>".join(
        f"{_esc(_name(p, language))} · {_esc(roles.get(p.get('role', ''), p.get('role', '')))}"
        for p in parties
    )


def timeline_figure(items: list[dict], language: str = "en") -> dict:
    """Deals at their announcement dates, contract terms as bars, context events as markers.

    A date known only to the month, quarter, half-year or year is drawn as a bar across that
    whole period and labelled as such ("Jul 2025"), never as a point on one day. Each deal is one
    row; its term (start to end) is a paler bar behind the announcement. Colour is the status.
    """
    deals = [item for item in items if item.get("kind") == "deal"]
    events = [item for item in items if item.get("kind") == "event"]
    deals.sort(key=lambda d: (d["date"], d.get("title", "")))
    events.sort(key=lambda e: e["date"])

    # Each context event has its own row, so their titles never overlap.
    rows = [f"◆ {e['title']}" for e in events]
    traces: list[dict] = []
    by_status: dict[str, list[dict]] = defaultdict(list)
    for deal in deals:
        by_status[deal.get("status", "")].append(deal)

    def hover(deal: dict) -> str:
        lines = [
            f"<b>{_esc(deal['title'])}</b>",
            _party_line(deal.get("parties", []), language),
            _("Announced: %(date)s") % {"date": _esc(deal.get("label", ""))},
            _gwh(deal.get("volume_gwh")),
            _("Status: %(status)s") % {"status": _esc(deal.get("status_label", ""))},
        ]
        if deal.get("term_start"):
            lines.append(
                _("Term: %(start)s – %(end)s")
                % {
                    "start": _esc(deal.get("term_start_label") or deal["term_start"]),
                    "end": _esc(deal.get("term_end_label") or deal.get("term_end") or "?"),
                }
            )
        if deal.get("source_title"):
            lines.append(_("Source: %(source)s") % {"source": _esc(deal["source_title"])})
        return "<br>".join(line for line in lines if line)

    statuses = sorted(by_status, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)
    for status in statuses:
        group = by_status[status]
        color = STATUS_COLORS.get(status, "#666666")
        label = group[0].get("status_label") or _status_label(status)
        # Terms first so the announcement bars draw on top of them.
        terms = [d for d in group if d.get("term_start") and d.get("term_end")]
        if terms:
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": _("%(status)s – term") % {"status": label},
                    "legendgroup": status,
                    "showlegend": False,
                    "y": [d["title"] for d in terms],
                    "base": [d["term_start"] for d in terms],
                    "x": [_span_ms(d["term_start"], d["term_end"]) for d in terms],
                    "marker": {"color": color, "opacity": 0.28, "line": {"width": 0}},
                    "width": 0.35,
                    "customdata": [[d.get("url", "")] for d in terms],
                    "hovertext": [hover(d) for d in terms],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                }
            )
        spans = [d for d in group if d.get("precision") != "day"]
        points = [d for d in group if d.get("precision") == "day"]
        if spans:
            traces.append(
                {
                    "type": "bar",
                    "orientation": "h",
                    "name": label,
                    "legendgroup": status,
                    "y": [d["title"] for d in spans],
                    "base": [d["date"] for d in spans],
                    "x": [_span_ms(d["date"], d["date_end"]) for d in spans],
                    "marker": {"color": color, "line": {"width": 0}},
                    "width": 0.7,
                    "customdata": [[d.get("url", "")] for d in spans],
                    "hovertext": [hover(d) for d in spans],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                }
            )
        if points:
            traces.append(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": label,
                    "legendgroup": status,
                    "showlegend": not spans,
                    "y": [d["title"] for d in points],
                    "x": [d["date"] for d in points],
                    "marker": {"color": color, "size": 13, "symbol": "diamond"},
                    "customdata": [[d.get("url", "")] for d in points],
                    "hovertext": [hover(d) for d in points],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                }
            )
    if events:
        event_hover = [
            "<br>".join(
                line
                for line in (
                    f"<b>{_esc(e['title'])}</b>",
                    _esc(e.get("label", "")),
                    _esc(e.get("description", ""))[:200],
                )
                if line
            )
            for e in events
        ]
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Context events"),
                "y": rows,
                "x": [
                    e["date"]
                    if e.get("precision") == "day"
                    else _midpoint(e["date"], e.get("date_end") or e["date"])
                    for e in events
                ],
                "marker": {"color": EVENT_COLOR, "size": 12, "symbol": "star"},
                "customdata": [[e.get("url", "")] for e in events],
                "hovertext": event_hover,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
        # A coarse event date is a shaded band over its whole period, like a deal's.
        shapes = [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": e["date"],
                "x1": _day_after(e.get("date_end") or e["date"]),
                "y0": 0,
                "y1": 1,
                "fillcolor": "rgba(68,68,68,0.07)",
                "line": {"width": 0},
                "layer": "below",
            }
            for e in events
            if e.get("precision") != "day"
        ]
    else:
        shapes = []

    category_order = rows + [d["title"] for d in deals]
    # Long titles are cut on the axis (the hover has them whole) so a phone keeps room to draw.
    short = [t if len(t) <= AXIS_LABEL else t[: AXIS_LABEL - 1] + "…" for t in category_order]
    height = max(260, 90 + 34 * len(category_order))
    layout = _base_layout(
        barmode="overlay",
        height=height,
        shapes=shapes,
        xaxis={"type": "date", "gridcolor": "#e4e7eb", "title": {"text": _("Date")}},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(reversed(category_order)),
            "tickvals": category_order,
            "ticktext": [_esc(label) for label in short],
            "automargin": True,
        },
        margin={"l": 10, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return {"data": traces, "layout": layout}


def _midpoint(start: str, end: str) -> str:
    a, b = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    return (a + (b - a) / 2).isoformat()


def timeline_rows(items: list[dict]) -> list[list]:
    """The timeline's data as CSV rows, header first, one row per deal or event drawn."""
    rows = [
        [
            "kind",
            "slug",
            "title",
            "date_from",
            "date_to",
            "precision",
            "date_label",
            "status",
            "term_start",
            "term_end",
            "volume_gwh",
            "parties",
            "source",
        ]
    ]
    for item in items:
        rows.append(
            [
                item.get("kind", ""),
                item.get("slug", ""),
                item.get("title", ""),
                item.get("date", ""),
                item.get("date_end", ""),
                item.get("precision", ""),
                item.get("label", ""),
                item.get("status", ""),
                item.get("term_start") or "",
                item.get("term_end") or "",
                "" if item.get("volume_gwh") is None else item["volume_gwh"],
                "; ".join(
                    f"{p.get('name', '')} ({p.get('role', '')})" for p in item.get("parties", [])
                ),
                item.get("source_title", ""),
            ]
        )
    return rows


def timeline_buckets_figure(buckets: list[dict], language: str = "en") -> dict:
    """Deals per year, stacked by status: the timeline when there are too many deals to draw
    one by one (`queries.timeline_summary`'s buckets). The hover gives the year's GWh too."""
    years = sorted({b["year"] for b in buckets})
    by_status: dict[str, dict[int, dict]] = defaultdict(dict)
    for bucket in buckets:
        by_status[bucket["status"]][bucket["year"]] = bucket
    traces = []
    for status in sorted(
        by_status, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99
    ):
        cells = [by_status[status].get(year) for year in years]
        label = next(c for c in cells if c).get("status_label") or _status_label(status)
        traces.append(
            {
                "type": "bar",
                "name": label,
                "x": [str(year) for year in years],
                "y": [c["deals"] if c else 0 for c in cells],
                "marker": {"color": STATUS_COLORS.get(status, "#666666")},
                "hovertext": [
                    "<br>".join(
                        [
                            f"<b>{year}</b> · {_esc(label)}",
                            _("%(count)s deals") % {"count": f"{c['deals']:,}" if c else 0},
                            _bucket_volume(c),
                        ]
                    )
                    for year, c in zip(years, cells, strict=True)
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    layout = _base_layout(
        barmode="stack",
        height=360,
        xaxis={"type": "category", "title": {"text": _("Year")}},
        yaxis={"title": {"text": _("Deals")}, "gridcolor": "#e4e7eb", "automargin": True},
        margin={"l": 10, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return {"data": traces, "layout": layout}


def timeline_bucket_rows(buckets: list[dict]) -> list[list]:
    """The yearly timeline's data as CSV rows, header first."""
    rows = [["year", "status", "deals", "volume_gwh", "deals_without_volume"]]
    rows += [
        [b["year"], b["status"], b["deals"], _blank(b["volume_gwh"]), b["deals_without_volume"]]
        for b in buckets
    ]
    return rows


def _node_columns(graph: dict) -> dict:
    """Each company's Sankey column: by its role in the chain, else by its neighbours' columns,
    else by its role in its deals (a customer sits right of its suppliers)."""
    columns = {}
    for node in graph["nodes"]:
        if node.get("chain_role") in COLUMN_OF_ROLE:
            columns[node["id"]] = COLUMN_OF_ROLE[node["chain_role"]]
    for _pass in range(3):
        for edge in graph["edges"]:
            source, target = edge["source"], edge["target"]
            if source not in columns and target in columns:
                columns[source] = max(columns[target] - 1, 0)
            elif target not in columns and source in columns:
                columns[target] = min(columns[source] + 1, 2)
    customers = {edge["target"] for edge in graph["edges"] if edge.get("target_role") == "customer"}
    for node in graph["nodes"]:
        columns.setdefault(node["id"], 2 if node["id"] in customers else 1)
    return columns


def sankey_figure(graph: dict, language: str = "en") -> dict:
    """Materials suppliers → battery makers → automakers → vehicle models.

    A link's width is the deal's GWh where the source gives it, else one deal; links counted by
    deals are drawn paler and say so in their hover, and the title says which weighting is used.
    Only links that run left to right are drawn (a joint development between two automakers is
    not a flow); the geographic map shows every partnership.
    """
    columns = _node_columns(graph)
    nodes = {node["id"]: node for node in graph["nodes"]}
    labels, index, xs = [], {}, []

    def node_index(key, label, column):
        if key not in index:
            index[key] = len(labels)
            labels.append(label)
            xs.append(column)
        return index[key]

    link_sums: dict[tuple, dict] = {}

    def add_link(source, target, gwh, deal, count):
        entry = link_sums.setdefault(
            (source, target), {"gwh": 0.0, "deals": 0, "counted": 0, "titles": []}
        )
        # An edge to a merged "Others" node already sums several deals (`deal_count`).
        entry["deals"] += count
        if gwh is None:
            entry["counted"] += count
        else:
            entry["gwh"] += gwh
        entry["titles"].append(deal)

    for edge in graph["edges"]:
        source, target = nodes.get(edge["source"]), nodes.get(edge["target"])
        if source is None or target is None:
            continue
        source_col, target_col = columns[source["id"]], columns[target["id"]]
        if source_col >= target_col:
            continue
        s = node_index(("c", source["id"]), _name(source, language), source_col)
        t = node_index(("c", target["id"]), _name(target, language), target_col)
        count = edge.get("deal_count", 1)
        add_link(s, t, edge.get("volume_gwh"), edge.get("deal_title", ""), count)
        for vehicle in edge.get("vehicle_models", []):
            maker = vehicle.get("maker_id") or target["id"]
            maker_node = nodes.get(maker, target)
            m = node_index(("c", maker_node["id"]), _name(maker_node, language), 2)
            v = node_index(("v", vehicle["slug"]), vehicle["name"], VEHICLE_COLUMN)
            add_link(m, v, edge.get("volume_gwh"), edge.get("deal_title", ""), count)

    sources, targets, values, colors, hovers = [], [], [], [], []
    any_gwh = any_count = False
    for (s, t), entry in link_sums.items():
        sources.append(s)
        targets.append(t)
        if entry["counted"] == 0:
            values.append(entry["gwh"])
            colors.append("rgba(0,114,178,0.45)")
            any_gwh = True
            weight = _gwh(entry["gwh"])
        else:
            # One unit per deal whose volume is unknown, added to any known GWh on the link.
            values.append(entry["gwh"] + entry["counted"])
            colors.append("rgba(153,153,153,0.45)")
            any_count = True
            weight = _("%(deals)d deal(s), %(unknown)d without a known volume") % {
                "deals": entry["deals"],
                "unknown": entry["counted"],
            }
        hovers.append(
            f"{_esc(labels[s])} → {_esc(labels[t])}<br>{_esc(weight)}<br>"
            + "<br>".join(_esc(title) for title in entry["titles"][:5])
        )

    if any_gwh and any_count:
        weighting = _("Link width: GWh where known (blue); one per deal otherwise (grey)")
    elif any_gwh:
        weighting = _("Link width: GWh")
    else:
        weighting = _("Link width: number of deals (volumes not known)")

    # Fixed columns keep the chain readable; rows are spread evenly inside each column.
    per_column: dict[int, list[int]] = defaultdict(list)
    for i, column in enumerate(xs):
        per_column[column].append(i)
    ys = [0.5] * len(labels)
    for members in per_column.values():
        for rank, i in enumerate(members):
            ys[i] = 0.02 + 0.96 * (rank + 0.5) / len(members)
    node_x = [0.01 + 0.98 * column / VEHICLE_COLUMN for column in xs]
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {
            "label": [_esc(label) for label in labels],
            "x": node_x,
            "y": ys,
            "pad": 14,
            "thickness": 16,
            "color": [_COLUMN_COLORS[column] for column in xs],
            "line": {"color": "#ffffff", "width": 0.5},
            "hovertemplate": "%{label}<extra></extra>",
        },
        "link": {
            "source": sources,
            "target": targets,
            "value": values,
            "color": colors,
            "customdata": hovers,
            "hovertemplate": "%{customdata}<extra></extra>",
        },
    }
    column_titles = [
        _("Materials"),
        _("Battery makers"),
        _("Automakers"),
        _("Vehicle models"),
    ]
    annotations = [
        {
            "x": column / VEHICLE_COLUMN,
            "y": 1.06,
            "xref": "paper",
            "yref": "paper",
            "text": f"<b>{title}</b>",
            "showarrow": False,
            "xanchor": ("left", "center", "center", "right")[column],
            "font": {"size": 12},
        }
        for column, title in enumerate(column_titles)
        if column in per_column
    ]
    height = max(320, 60 + 36 * max((len(m) for m in per_column.values()), default=1))
    layout = _base_layout(
        height=height,
        annotations=annotations,
        margin={"l": 10, "r": 10, "t": 50, "b": 30},
        meta={"weighting": weighting},
    )
    return {"data": [trace] if sources else [], "layout": layout}


_COLUMN_COLORS = {0: "#8c6d31", 1: "#0072B2", 2: "#009E73", 3: "#6b7280"}


def geo_figure(graph: dict, language: str = "en") -> dict:
    """Companies at their headquarters, partners joined by lines coloured by status, countries
    shaded by how many of the shown companies are based there."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    placed = {
        key: node
        for key, node in nodes.items()
        if node.get("lat") is not None and node.get("lon") is not None
    }
    traces: list[dict] = []

    per_country: dict[str, int] = defaultdict(int)
    merged = graph.get("others", {})
    for node in graph["nodes"]:
        if node.get("country"):
            # A merged "Others (KR)" node stands for several companies of that country.
            size = merged.get(node["country"], {}).get("companies", 1) if node.get("merged") else 1
            per_country[node["country"]] += size
    if per_country:
        codes = sorted(per_country)
        traces.append(
            {
                "type": "choropleth",
                "locationmode": "ISO-3",
                "locations": [countries.alpha3(code) or code for code in codes],
                "z": [per_country[code] for code in codes],
                "text": [_esc(countries.name(code) or code) for code in codes],
                "colorscale": [[0, "#e8f1f8"], [1, "#8fb8d8"]],
                "showscale": False,
                "marker": {"line": {"color": "#ffffff", "width": 0.5}},
                "hovertemplate": "%{text}: %{z}<extra></extra>",
                "name": _("Companies per country"),
                "showlegend": False,
            }
        )

    by_status: dict[str, list[dict]] = defaultdict(list)
    for edge in graph["edges"]:
        if edge["source"] in placed and edge["target"] in placed:
            by_status[edge.get("status", "")].append(edge)
    statuses = sorted(by_status, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)
    for status in statuses:
        lons, lats, texts = [], [], []
        for edge in by_status[status]:
            a, b = placed[edge["source"]], placed[edge["target"]]
            label = _esc(edge.get("deal_title", ""))
            lons += [a["lon"], b["lon"], None]
            lats += [a["lat"], b["lat"], None]
            texts += [label, label, None]
        traces.append(
            {
                "type": "scattergeo",
                "mode": "lines",
                "lon": lons,
                "lat": lats,
                "text": texts,
                "hoverinfo": "text",
                "line": {"color": STATUS_COLORS.get(status, "#666666"), "width": 2},
                "opacity": 0.8,
                "name": by_status[status][0].get("status_label") or _status_label(status),
            }
        )

    if placed:
        points = sorted(placed.values(), key=lambda p: -p.get("deal_count", 0))
        # Headquarters cluster (Seoul, Shanghai): only the busiest few carry a label on the map,
        # every one has its name on hover.
        labelled = {id(p) for p in points[:GEO_LABELS]}
        traces.append(
            {
                "type": "scattergeo",
                "mode": "markers+text",
                "lon": [p["lon"] for p in points],
                "lat": [p["lat"] for p in points],
                "text": [_esc(_name(p, language)) if id(p) in labelled else "" for p in points],
                "textposition": "top center",
                "textfont": {"size": 10, "color": "#1f2933"},
                "customdata": [[p.get("url", "")] for p in points],
                "hovertext": [
                    "<br>".join(
                        line
                        for line in (
                            f"<b>{_esc(_name(p, language))}</b>",
                            _esc(p.get("hq_city", "")),
                            _("%(count)d deal(s)") % {"count": p.get("deal_count", 0)},
                            _gwh(p["gwh"]) if p.get("gwh") else "",
                        )
                        if line
                    )
                    for p in points
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {
                    "size": [8 + min(p.get("deal_count", 1), 12) * 2 for p in points],
                    "color": "#1f2933",
                    "line": {"color": "#ffffff", "width": 1},
                },
                "name": _("Companies"),
            }
        )

    layout = _base_layout(
        height=520,
        margin={"l": 0, "r": 0, "t": 10, "b": 10},
        geo={
            "scope": "world",
            "resolution": 110,
            "projection": {"type": "natural earth"},
            "fitbounds": "locations" if placed else False,
            "showcountries": True,
            "countrycolor": "#c5ccd3",
            "showland": True,
            "landcolor": "#f5f7fa",
            "showocean": True,
            "oceancolor": "#ffffff",
            "showframe": False,
            "coastlinecolor": "#c5ccd3",
        },
        legend={"orientation": "h", "y": 0, "x": 0, "bgcolor": "rgba(255,255,255,0.8)"},
    )
    return {"data": traces, "layout": layout}


def supply_rows(graph: dict) -> list[list]:
    """The supplier maps' data as CSV rows, header first: one row per partnership drawn."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    rows = [
        [
            "deal",
            "deal_title",
            "from_company",
            "from_country",
            "from_role",
            "to_company",
            "to_country",
            "to_role",
            "status",
            "kind",
            "product",
            "volume_gwh",
            "deal_count",
            "vehicle_models",
        ]
    ]
    for edge in graph["edges"]:
        a, b = nodes.get(edge["source"], {}), nodes.get(edge["target"], {})
        rows.append(
            [
                edge.get("deal_slug", ""),
                edge.get("deal_title", ""),
                a.get("name", ""),
                a.get("country", ""),
                edge.get("source_role", ""),
                b.get("name", ""),
                b.get("country", ""),
                edge.get("target_role", ""),
                edge.get("status", ""),
                edge.get("kind", ""),
                edge.get("product", ""),
                "" if edge.get("volume_gwh") is None else edge["volume_gwh"],
                edge.get("deal_count", 1),
                "; ".join(v.get("name", "") for v in edge.get("vehicle_models", [])),
            ]
        )
    return rows


def period_label(iso: str, precision: str, language: str = "en") -> str:
    """The label a chart shows for a date of known precision (never finer than known)."""
    return format_precise(datetime.date.fromisoformat(iso), precision, language)
