"""Plotly figures built from the aggregates of `dashboard/` (`timeline.py`, `graph.py`).

Pure functions: plain dicts in (the shapes `timeline.timeline` and `graph.supply_graph` return),
plain figure dicts out, ready for `json_script`. No database, no request, no plotly.py objects, so
they are tested without a browser and cost nothing to import. Each figure has a twin `*_rows`
function giving the same data as CSV rows, so a chart and its download never disagree.
"""

import datetime
import functools
import html
import textwrap
from collections import Counter, defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override
from django_countries import countries

from partnerships.countries import country_name
from partnerships.dates import Precision, format_precise
from partnerships.models import DealStatus, PartyRole, local_name, local_text

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
# The headline's split: only confirmed deals look like the headline; the rest is drawn apart.
CONFIRMED = ("signed", "active", "completed")
UNCONFIRMED = ("reported", "in_talks", "not_finalized")
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
LABEL_WIDTH = 44  # characters per line of a timeline title: fits a 390 px phone
# Characters per line of a Sankey label: an automaker's label (right of its node) and a vehicle
# model's (left of its node, in the last column) meet between the two columns.
SANKEY_LABEL_WIDTH = 16


def _name(item: dict, language: str, with_english: bool = True) -> str:
    """A company's name in the viewer's language, the English one beside it when they differ
    (unless `with_english` is False: a chart label, the English name in its hover); a graph's
    merged node ("others-KR") as the other companies of its country."""
    if item.get("merged") and str(item.get("id", "")).startswith("others-"):
        return _("Others (%(country)s)") % {"country": country_name(item.get("country", ""))}
    english, local = local_name(item, language)
    if not with_english:
        return local or english
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
    day = datetime.date.fromisoformat(iso)
    if day == datetime.date.max:  # a stored 9999-12-31 has no next day: end within it
        return f"{iso}T23:59:59"
    return (day + datetime.timedelta(days=1)).isoformat()


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


_STATUS_LABELS = dict(DealStatus.choices)  # lazy: translated when read


def _status_label(status: str) -> str:
    return str(_STATUS_LABELS.get(status, status))


def _party_line(parties: list[dict], language: str) -> str:
    roles = dict(PartyRole.choices)
    return "<br>".join(
        f"{_esc(_name(p, language))} · {_esc(roles.get(p.get('role', ''), p.get('role', '')))}"
        for p in parties
    )


def status_style(status: str) -> str:
    """How a status is drawn: "confirmed" solid, "unconfirmed" hollow or hatched, "ended"
    crossed out; every chart draws the same three apart."""
    if status in CONFIRMED:
        return "confirmed"
    if status in UNCONFIRMED:
        return "unconfirmed"
    return "ended"


def _legend_name(status: str, label: str = "") -> str:
    """A status as the legend names it, saying when it is not confirmed."""
    label = label or _status_label(status)
    style = status_style(status)
    if style == "unconfirmed":
        return _("%(status)s · unconfirmed") % {"status": label}
    if style == "ended":
        return _("%(status)s · ended") % {"status": label}
    return label


def _status_order(statuses) -> list:
    return sorted(statuses, key=lambda s: STATUS_ORDER.index(s) if s in STATUS_ORDER else 99)


def _wrap(text: str, width: int, max_lines: int | None = None) -> str:
    """A label broken onto lines of at most `width` characters (escaped, joined by <br>), so
    long titles stay whole on a phone instead of being cut; past `max_lines` it ends in "…"
    (where the whole text is in the hover)."""
    lines = textwrap.wrap(text, width, max_lines=max_lines, placeholder=" …")
    return "<br>".join(_esc(line) for line in lines or [""])


def date_kind_label(kind: str) -> str:
    """Which date a timeline item stands at, as every hover and list names it."""
    return {
        "announced": _("Announced"),
        "start": _("Start (announcement not dated)"),
        "event": _("Date"),
    }.get(kind, _("No known date"))


def _deal_hover(deal: dict, language: str) -> str:
    lines = [
        f"<b>{_esc(deal['title'])}</b>",
        _esc(deal.get("headline", "")),
        _party_line(deal.get("parties", []), language),
        f"{_esc(date_kind_label(deal.get('date_kind', '')))}: {_esc(deal.get('label') or '–')}",
    ]
    if deal.get("precision") and deal["precision"] != "day":
        precision = dict(Precision.choices).get(deal["precision"], deal["precision"])
        lines.append(
            _("Known only to the %(precision)s: the whisker spans it")
            % {"precision": _esc(precision)}
        )
    lines.append(_gwh(deal.get("volume_gwh")))
    lines.append(
        _("Status: %(status)s")
        % {"status": _esc(_legend_name(deal.get("status", ""), deal.get("status_label", "")))}
    )
    term = _term_text(deal)
    if term:
        lines.append(_esc(term))
    if deal.get("source_title"):
        lines.append(_("Source: %(source)s") % {"source": _esc(deal["source_title"])})
    return "<br>".join(line for line in lines if line)


def _term_text(deal: dict) -> str:
    if deal.get("term_start"):
        return _("Term: %(start)s – %(end)s") % {
            "start": deal.get("term_start_label") or deal["term_start"],
            "end": deal.get("term_end_label") or deal.get("term_end") or "?",
        }
    if deal.get("term_years"):
        return _("Term: %(years)s years, start not stated (drawn from the %(date)s date)") % {
            "years": deal["term_years"],
            "date": date_kind_label(deal.get("date_kind", "")).lower(),
        }
    return ""


def _term_span(deal: dict):
    """(start, end inclusive, start known) of a deal's term, or None. A term given only in
    years is drawn from the deal's date, hatched, and its hover says so."""
    if deal.get("term_start") and deal.get("term_end"):
        return deal["term_start"], deal["term_end"], True
    if deal.get("term_years") and deal.get("date"):
        start = datetime.date.fromisoformat(deal["date"])
        # Capped at the calendar's last year: a stored term may be absurd, the chart must draw.
        year = min(start.year + int(deal["term_years"]), datetime.MAXYEAR)
        try:
            end = start.replace(year=year)
        except ValueError:  # 29 February
            end = start.replace(year=year, day=28)
        end = max(end - datetime.timedelta(days=1), start)
        return deal["date"], end.isoformat(), False
    return None


def _point_x(item: dict) -> str:
    """Where an item's marker sits: its day, or the middle of the period it is known to."""
    if item.get("precision") == "day":
        return item["date"]
    return _midpoint(item["date"], item.get("date_end") or item["date"])


def timeline_figure(items: list[dict], language: str = "en") -> dict:
    """One row per deal at its one date (announced, else start: the hover says which), context
    events in rows of their own, contract terms as pale bars.

    Uncertainty is drawn as uncertainty: a date known only to the month, quarter, half-year or
    year is a marker in the middle of that period with a whisker across it (never a bar that
    reads as a duration); a day is a marker alone. Confirmed deals are filled circles,
    unconfirmed ones hollow circles, ended ones crosses; context events are stars. Titles stand
    whole above their rows (wrapped, never cut). Undated items are not drawn; the page lists
    them.
    """
    deals = [item for item in items if item.get("kind") == "deal" and item.get("date")]
    events = [item for item in items if item.get("kind") == "event" and item.get("date")]
    deals.sort(key=lambda d: (d["date"], d.get("title", "")))
    events.sort(key=lambda e: e["date"])

    def row(item):
        return f"{item.get('kind')}:{item.get('slug') or item.get('title')}"

    traces: list[dict] = []
    by_status: dict[str, list[dict]] = defaultdict(list)
    for deal in deals:
        by_status[deal.get("status", "")].append(deal)

    terms = [(d, _term_span(d)) for d in deals]
    terms = [(d, span) for d, span in terms if span]
    for known in (True, False):
        group = [(d, span) for d, span in terms if span[2] is known]
        if not group:
            continue
        trace = {
            "type": "bar",
            "orientation": "h",
            "name": _("Contract term") if known else _("Contract term, start not stated"),
            "y": [row(d) for d, _span in group],
            "base": [span[0] for _d, span in group],
            "x": [_span_ms(span[0], span[1]) for _d, span in group],
            "marker": {
                "color": [STATUS_COLORS.get(d.get("status"), "#666666") for d, _span in group],
                "opacity": 0.22,
                "line": {"width": 0},
            },
            "width": 0.45,
            "customdata": [[d.get("url", "")] for d, _span in group],
            "hovertext": [_deal_hover(d, language) for d, _span in group],
            "hovertemplate": "%{hovertext}<extra></extra>",
        }
        if not known:
            trace["marker"]["pattern"] = {"shape": "/", "solidity": 0.3}
        traces.append(trace)

    for status in _status_order(by_status):
        group = by_status[status]
        color = STATUS_COLORS.get(status, "#666666")
        name = _legend_name(status, group[0].get("status_label", ""))
        style = status_style(status)
        coarse = [d for d in group if d.get("precision") != "day"]
        if coarse:
            # The whisker: from the first to the last day of the period the date is known to.
            xs, ys = [], []
            for deal in coarse:
                xs += [deal["date"], _day_after(deal["date_end"]), None]
                ys += [row(deal), row(deal), None]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": name,
                    "legendgroup": status,
                    "showlegend": False,
                    "x": xs,
                    "y": ys,
                    "line": {"color": color, "width": 2},
                    "marker": {
                        "symbol": "line-ns",
                        "size": 10,
                        "line": {"color": color, "width": 2},
                    },
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "legendgroup": status,
                "y": [row(d) for d in group],
                "x": [_point_x(d) for d in group],
                "marker": {
                    "color": "#ffffff" if style == "unconfirmed" else color,
                    "size": 12,
                    "symbol": {"confirmed": "circle", "unconfirmed": "circle", "ended": "x"}[style],
                    "line": {"color": color, "width": 2.5 if style == "unconfirmed" else 1},
                },
                "customdata": [[d.get("url", "")] for d in group],
                "hovertext": [_deal_hover(d, language) for d in group],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )

    if events:
        coarse = [e for e in events if e.get("precision") != "day"]
        if coarse:
            xs, ys = [], []
            for event in coarse:
                xs += [event["date"], _day_after(event.get("date_end") or event["date"]), None]
                ys += [row(event), row(event), None]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": _("Context events"),
                    "legendgroup": "events",
                    "showlegend": False,
                    "x": xs,
                    "y": ys,
                    "line": {"color": EVENT_COLOR, "width": 2},
                    "marker": {
                        "symbol": "line-ns",
                        "size": 10,
                        "line": {"color": EVENT_COLOR, "width": 2},
                    },
                    "hoverinfo": "skip",
                }
            )
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Context events"),
                "legendgroup": "events",
                "y": [row(e) for e in events],
                "x": [_point_x(e) for e in events],
                "marker": {"color": EVENT_COLOR, "size": 14, "symbol": "star"},
                "customdata": [[e.get("url", "")] for e in events],
                "hovertext": [
                    "<br>".join(
                        line
                        for line in (
                            f"<b>{_esc(e['title'])}</b>",
                            f"{_esc(date_kind_label('event'))}: {_esc(e.get('label', ''))}",
                            _esc(e.get("description", ""))[:200],
                        )
                        if line
                    )
                    for e in events
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )

    ordered = events + deals
    labels = [
        _wrap(("★ " if item["kind"] == "event" else "") + item["title"], LABEL_WIDTH)
        for item in ordered
    ]
    lines = max((label.count("<br>") + 1 for label in labels), default=1)
    row_height = 30 + 15 * lines
    # Titles stand above their rows across the plot's width, so the dates keep the whole width
    # of a phone rather than sharing it with a column of labels.
    annotations = [
        {
            "xref": "paper",
            "x": 0,
            "yref": "y",
            "y": row(item),
            "yshift": 8,
            "xanchor": "left",
            "yanchor": "bottom",
            "align": "left",
            "text": label,
            "showarrow": False,
            "font": {"size": 12, "color": "#1f2933"},
        }
        for item, label in zip(ordered, labels, strict=True)
    ]
    layout = _base_layout(
        height=max(220, 110 + row_height * len(ordered)),
        annotations=annotations,
        xaxis={"type": "date", "gridcolor": "#e4e7eb", "automargin": True},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": list(reversed([row(item) for item in ordered])),
            "showticklabels": False,
            "showgrid": False,
            "range": [-0.5, len(ordered) - 0.3],
            "fixedrange": True,
        },
        margin={"l": 8, "r": 8, "t": 10, "b": 30},
        legend={"orientation": "h", "y": 1, "yanchor": "bottom", "x": 0},
        meta={"drawn": len(deals), "events": len(events)},
    )
    return {"data": traces, "layout": layout}


def _midpoint(start: str, end: str) -> str:
    a, b = datetime.date.fromisoformat(start), datetime.date.fromisoformat(end)
    return (a + (b - a) / 2).isoformat()


def timeline_rows(items: list[dict]) -> list[list]:
    """The timeline's data as CSV rows, header first, one row per deal or event: those drawn,
    and the undated deals the chart lists beside it (no date). `date_kind` names the date."""
    rows = [
        [
            "kind",
            "slug",
            "title",
            "date_kind",
            "date_from",
            "date_to",
            "precision",
            "date_label",
            "status",
            "confirmed",
            "term_start",
            "term_end",
            "term_years",
            "volume_gwh",
            "parties",
            "source",
        ]
    ]
    for item in items:
        kind = item.get("kind", "")
        rows.append(
            [
                kind,
                item.get("slug", ""),
                item.get("title", ""),
                "event" if kind == "event" else item.get("date_kind", ""),
                item.get("date") or "",
                item.get("date_end") or "",
                item.get("precision", ""),
                item.get("label", ""),
                item.get("status", ""),
                "" if kind == "event" else status_style(item.get("status", "")),
                item.get("term_start") or "",
                item.get("term_end") or "",
                item.get("term_years") or "",
                "" if item.get("volume_gwh") is None else item["volume_gwh"],
                "; ".join(
                    f"{p.get('name', '')} ({p.get('role', '')})" for p in item.get("parties", [])
                ),
                item.get("source_title", ""),
            ]
        )
    return rows


def timeline_buckets_figure(
    buckets: list[dict],
    language: str = "en",
    undated: list[dict] | None = None,
    events: list[dict] | None = None,
) -> dict:
    """Deals per year, stacked by status: the timeline when there are too many deals to draw
    one by one (`timeline.timeline_summary`'s buckets). A deal's year is that of its
    announcement, else its start; the deals with neither stand in a last column of their own
    (`undated`), so the chart counts every deal the filter matches. Unconfirmed statuses are
    hatched. The hover gives the year's GWh too. Context events (timeline items of kind
    "event") stand as stars over their year's bar, as on the timeline of single deals."""
    undated, events = undated or [], [e for e in events or [] if e.get("date")]
    no_date = _("No known date")
    event_years = {int(e["date"][:4]) for e in events}
    years = [str(year) for year in sorted({b["year"] for b in buckets} | event_years)]
    if undated:
        years.append(no_date)
    by_status: dict[str, dict[str, dict]] = defaultdict(dict)
    for bucket in buckets:
        by_status[bucket["status"]][str(bucket["year"])] = bucket
    for bucket in undated:
        by_status[bucket["status"]][no_date] = bucket
    traces = []
    for status in _status_order(by_status):
        cells = [by_status[status].get(year) for year in years]
        label = next(c for c in cells if c).get("status_label") or _status_label(status)
        traces.append(
            {
                "type": "bar",
                "name": _legend_name(status, label),
                "x": years,
                # None, not 0: an empty outlined bar would draw a line on top of the stack.
                "y": [c["deals"] if c else None for c in cells],
                "marker": _bar_marker(status),
                "hovertext": [
                    "<br>".join(
                        [
                            f"<b>{_esc(year)}</b> · {_esc(_legend_name(status, label))}",
                            _("%(count)s deals") % {"count": f"{c['deals']:,}" if c else 0},
                            _bucket_volume(c),
                        ]
                    )
                    for year, c in zip(years, cells, strict=True)
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    if events:
        totals = defaultdict(int)
        for bucket in buckets:
            totals[str(bucket["year"])] += bucket["deals"]
        stacked = defaultdict(int)  # events already over a year: the next stands above them
        xs, ys, hovers = [], [], []
        for event in sorted(events, key=lambda e: e["date"]):
            year = event["date"][:4]
            xs.append(year)
            ys.append(totals[year] + 1 + stacked[year])
            stacked[year] += 1
            hovers.append(f"<b>★ {_esc(event['title'])}</b><br>{_esc(event.get('label', ''))}")
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": _("Context events"),
                "x": xs,
                "y": ys,
                "marker": {"symbol": "star", "size": 13, "color": "#1f2933"},
                "hovertext": hovers,
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    layout = _base_layout(
        barmode="stack",
        height=360,
        # Automargin: where the years are set at an angle (a tablet), the axis title moves
        # below them, and the last label ("No known date") is not cut at the edge.
        xaxis={
            "type": "category",
            "title": {"text": _("Year of the deal (announced, else started)")},
            "automargin": True,
        },
        yaxis={"title": {"text": _("Deals")}, "gridcolor": "#e4e7eb", "automargin": True},
        margin={"l": 10, "r": 20, "t": 20, "b": 40},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return {"data": traces, "layout": layout}


def _bar_marker(status: str) -> dict:
    """A bar of a status: solid when confirmed, hatched over white when not."""
    color = STATUS_COLORS.get(status, "#666666")
    if status_style(status) == "confirmed":
        return {"color": color}
    shape = "/" if status_style(status) == "unconfirmed" else "x"
    return {
        "color": "#ffffff",
        "line": {"color": color, "width": 1.5},
        "pattern": {"shape": shape, "fgcolor": color, "bgcolor": "#ffffff", "solidity": 0.35},
    }


def timeline_bucket_rows(buckets: list[dict], undated: list[dict] | None = None) -> list[list]:
    """The yearly timeline's data as CSV rows, header first; undated deals with an empty year."""
    rows = [["year", "status", "confirmed", "deals", "volume_gwh", "deals_without_volume"]]
    rows += [
        [
            _blank(b["year"]),
            b["status"],
            status_style(b["status"]),
            b["deals"],
            _blank(b["volume_gwh"]),
            b["deals_without_volume"],
        ]
        for b in [*buckets, *(undated or [])]
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


def _rgba(color: str, alpha: float) -> str:
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


def _legend_line(statuses) -> str:
    """The statuses drawn, as one annotation under a chart that has no legend of its own (a
    Sankey): a filled square for confirmed, a hollow one for the rest."""
    items = []
    for status in _status_order(statuses):
        mark = "■" if status_style(status) == "confirmed" else "□"
        color = STATUS_COLORS.get(status, "#666666")
        items.append(f'<span style="color:{color}">{mark}</span> {_esc(_legend_name(status))}')
    return "<br>".join("   ".join(items[i : i + 3]) for i in range(0, len(items), 3))


def flow_links(graph: dict, language: str = "en") -> dict:
    """The flows of the Sankey, one per deal (deals summed only when both ends, status and
    product agree), from materials suppliers to battery makers to automakers; a deal naming
    vehicle models runs from its supplier to each model (named with its maker), so that no
    volume flows into a car it does not power. Returns nodes (label, short label, column, url)
    and links (source, target, status, product, GWh, deals, deals without a volume, titles)."""
    columns = _node_columns(graph)
    nodes = {node["id"]: node for node in graph["nodes"]}
    found_nodes: list[dict] = []
    index: dict = {}

    def node_index(key, label, column, url="", short=""):
        if key not in index:
            index[key] = len(found_nodes)
            found_nodes.append(
                {"label": label, "short": short or label, "column": column, "url": url}
            )
        return index[key]

    def company_index(node, column):
        # Named once per node: a map of a thousand edges meets each node many times.
        key = ("c", node["id"])
        if key in index:
            return index[key]
        short = _name(node, language, with_english=False)
        return node_index(key, _name(node, language), column, _company_url(node), short)

    links: dict[tuple, dict] = {}
    left_out: list[str] = []

    def add(source, target, edge, gwh, count):
        status, product = edge.get("status", ""), edge.get("product", "")
        entry = links.setdefault(
            (source, target, status, product),
            {
                "source": source,
                "target": target,
                "status": status,
                "product": product,
                "gwh": 0.0,
                "deals": 0,
                "unknown": 0,
                "titles": [],
            },
        )
        entry["deals"] += count
        if gwh is None:
            entry["unknown"] += count
        else:
            entry["gwh"] += gwh
        entry["titles"].append(_edge_title(edge, language))

    for edge in graph["edges"]:
        source, target = nodes.get(edge["source"]), nodes.get(edge["target"])
        if source is None or target is None:
            continue
        source_col, target_col = columns[source["id"]], columns[target["id"]]
        if source_col >= target_col:
            left_out.append(_edge_title(edge, language))
            continue
        s = company_index(source, source_col)
        count = edge.get("deal_count", 1)
        gwh = edge.get("volume_gwh")
        vehicles = edge.get("vehicle_models", [])
        if not vehicles:
            t = company_index(target, target_col)
            add(s, t, edge, gwh, count)
            continue
        for vehicle in vehicles:
            v = index.get(("v", vehicle["slug"]))
            if v is None:
                maker = nodes.get(vehicle.get("maker_id")) or target
                label = f"{vehicle['name']} · {_name(maker, language)}"
                short = vehicle["name"]  # its maker is beside it in the hover
                url = reverse("dashboard:vehicle-detail", args=[vehicle["slug"]])
                v = node_index(("v", vehicle["slug"]), label, VEHICLE_COLUMN, url, short)
            # The source gives one volume for the deal: its models share it evenly on the chart.
            add(s, v, edge, None if gwh is None else gwh / len(vehicles), count)
    return {"nodes": found_nodes, "links": list(links.values()), "left_out": left_out}


def supplier_maps(graph: dict, language: str = "en") -> dict:
    """The supplier map as a Sankey and on the globe, each with its text: the flows and the map
    figure built once, their texts reading the same."""
    flows = flow_links(graph, language)
    geo = geo_figure(graph, language)
    return {
        "flows_figure": sankey_figure(graph, language, flows),
        "flows_text": flows_text(graph, language, flows),
        "geo_figure": geo,
        "geo_text": geo_text(graph, language, geo),
    }


def _edge_title(edge: dict, language: str) -> str:
    """A graph edge's deal title in the reader's language (`titles.deal_title`, computed with
    the graph for each interface language); an edge that sums several deals is counted in the
    reader's language ("3 deals", "거래 3건")."""
    if edge.get("deal_count", 1) > 1:
        return _deals_counted(edge["deal_count"], language)
    return edge.get("deal_titles", {}).get(language.split("-")[0]) or edge.get("deal_title", "")


@functools.lru_cache(maxsize=1024)
def _deals_counted(count: int, language: str) -> str:
    """ "3 deals" in `language`: a map of a thousand summed edges asks for a few counts."""
    with override(language):
        return ngettext("%(count)d deal", "%(count)d deals", count) % {"count": count}


def _company_url(node: dict) -> str:
    if not node.get("slug") or node.get("merged"):
        return ""
    return reverse("dashboard:company-detail", args=[node["slug"]])


def _flow_weight(link: dict, drawn: bool = True) -> str:
    if link["unknown"] == 0:
        return _gwh(link["gwh"])
    if link["unknown"] == link["deals"]:
        return _("volume not known (drawn one deal wide)") if drawn else _gwh(None)
    return _("%(gwh)s, and %(unknown)d deal(s) of unknown volume") % {
        "gwh": _gwh(link["gwh"]),
        "unknown": link["unknown"],
    }


def _known_volume(node: dict) -> str:
    """A map node's volume for its hover: the sum of the known volumes, naming the deals whose
    volume is unknown rather than counting them as 0."""
    unknown = node.get("deals_without_volume", 0)
    if node.get("volume_gwh") is None:
        return _gwh(None) if unknown else ""
    if not unknown:
        return _gwh(node["volume_gwh"])
    return _("%(gwh)s, and %(unknown)d deal(s) of unknown volume") % {
        "gwh": _gwh(node["volume_gwh"]),
        "unknown": unknown,
    }


def sankey_figure(graph: dict, language: str = "en", flows: dict | None = None) -> dict:
    """Materials suppliers → battery makers → automakers → vehicle models (`flow_links`).

    A link's width is its GWh where the source gives it, else one per deal; its colour is its
    status: confirmed deals solid, unconfirmed ones a pale wash of their colour (and
    "unconfirmed" in the hover and the legend line), so the eye never takes a deal in talks for a
    signed one. Only links that run left to right are drawn (a joint development between two
    automakers is not a flow; `layout.meta.left_out` counts them); the map shows every one.
    The weakest edges beyond the graph's bound are not drawn (`layout.meta.omitted`).
    `flows` is `flow_links(graph, language)` when the caller has it already.
    """
    flows = flow_links(graph, language) if flows is None else flows
    nodes, links = flows["nodes"], flows["links"]
    sources, targets, values, colors, hovers = [], [], [], [], []
    any_gwh = any_count = False
    for link in links:
        color = STATUS_COLORS.get(link["status"], "#666666")
        solid = status_style(link["status"]) == "confirmed"
        sources.append(link["source"])
        targets.append(link["target"])
        values.append(link["gwh"] + link["unknown"])
        any_gwh = any_gwh or link["unknown"] < link["deals"]
        any_count = any_count or link["unknown"] > 0
        colors.append(_rgba(color, 0.7 if solid else 0.15))
        titles = link["titles"]
        hovers.append(
            "<br>".join(
                [
                    f"{_esc(nodes[link['source']]['label'])} → "
                    f"{_esc(nodes[link['target']]['label'])}",
                    f"<b>{_esc(_flow_weight(link))}</b>",
                    _("Status: %(status)s") % {"status": _esc(_legend_name(link["status"]))},
                    *(_esc(title) for title in titles[:5]),
                ]
                + (
                    [_("and %(count)d more") % {"count": len(titles) - 5}]
                    if len(titles) > 5
                    else []
                )
            )
        )

    if any_gwh and any_count:
        weighting = _("Link width: GWh where known; one per deal where the volume is not known")
    elif any_gwh:
        weighting = _("Link width: GWh")
    else:
        weighting = _("Link width: number of deals (volumes not known)")

    # Fixed columns keep the chain readable; rows are spread evenly inside each column.
    per_column: dict[int, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        per_column[node["column"]].append(i)
    ys = [0.5] * len(nodes)
    for members in per_column.values():
        for rank, i in enumerate(members):
            ys[i] = 0.02 + 0.96 * (rank + 0.5) / len(members)
    trace = {
        "type": "sankey",
        "arrangement": "snap",
        "node": {
            "label": [_wrap(node["short"], SANKEY_LABEL_WIDTH, 2) for node in nodes],
            "x": [0.01 + 0.98 * node["column"] / VEHICLE_COLUMN for node in nodes],
            "y": ys,
            "pad": 14,
            "thickness": 16,
            "color": [_COLUMN_COLORS[node["column"]] for node in nodes],
            "line": {"color": "#ffffff", "width": 0.5},
            # The whole name (with the English one beside a Korean label) in the hover.
            "customdata": [[node["url"], _esc(node["label"])] for node in nodes],
            "hovertemplate": "%{customdata[1]}<extra></extra>",
        },
        "link": {
            "source": sources,
            "target": targets,
            "value": values,
            # plotly.js takes one outline for every link (an array of colours is not drawn), so
            # status shows in the fill alone: solid when confirmed, a pale wash when not.
            "color": colors,
            "line": {"color": "rgba(255,255,255,0.6)", "width": 0.5},
            "customdata": hovers,
            "hovertemplate": "%{customdata}<extra></extra>",
        },
    }
    column_titles = [_("Materials"), _("Battery makers"), _("Automakers"), _("Vehicle models")]
    # Column heads sit in the top margin, above the first node of each column.
    annotations = [
        {
            "x": column / VEHICLE_COLUMN,
            "y": 1,
            "yshift": 10,
            "xref": "paper",
            "yref": "paper",
            "yanchor": "bottom",
            "text": f"<b>{title}</b>",
            "showarrow": False,
            "xanchor": ("left", "center", "center", "right")[column],
            "font": {"size": 11},
        }
        for column, title in enumerate(column_titles)
        if column in per_column
    ]
    statuses = {link["status"] for link in links}
    if statuses:
        annotations.append(
            {
                "x": 0,
                "y": 0,
                "yshift": -10,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "top",
                "align": "left",
                "text": _legend_line(statuses),
                "showarrow": False,
                "font": {"size": 12},
            }
        )
    legend_lines = (len(statuses) + 2) // 3
    height = max(320, 60 + 36 * max((len(m) for m in per_column.values()), default=1))
    layout = _base_layout(
        height=height + 20 * legend_lines,
        annotations=annotations,
        margin={"l": 10, "r": 10, "t": 40, "b": 20 + 20 * legend_lines},
        meta={
            "weighting": weighting,
            "left_out": len(flows["left_out"]),
            "omitted": _omitted(graph),
        },
    )
    return {"data": [trace] if sources else [], "layout": layout}


_COLUMN_COLORS = {0: "#8c6d31", 1: "#0072B2", 2: "#009E73", 3: "#6b7280"}


def _clusters(placed: list[dict], language: str, radius: float = 0.1) -> list[dict]:
    """Companies grouped by where they sit, busiest first: a company joins the first group whose
    busiest member is within `radius` degrees of latitude (1.5 × that of longitude). The map
    sets `radius` from the span it shows, so markers that would sit on top of each other (four
    Seoul companies, Seoul and Pyeongtaek on a whole-country view) are one marker with one
    readable label and a list, not labels drawn over each other."""
    groups: list[list[dict]] = []
    for node in sorted(placed, key=lambda n: (-n.get("deal_count", 0), n.get("name", ""))):
        for group in groups:
            anchor = group[0]
            if (
                abs(anchor["lat"] - node["lat"]) <= radius
                and abs(anchor["lon"] - node["lon"]) <= radius * 1.5
            ):
                group.append(node)
                break
        else:
            groups.append([node])
    clusters = []
    for members in groups:
        cities = Counter(local_text(m, "hq_city", language) for m in members if m.get("hq_city"))
        city = cities.most_common(1)[0][0] if cities else ""
        if len(members) == 1:
            label = _name(members[0], language)
        elif len(cities) == 1 and len(members) == cities[city]:
            label = _("%(city)s · %(count)d companies") % {"city": city, "count": len(members)}
        elif len(members) == 2:
            label = " / ".join(_name(m, language) for m in members)
        else:
            label = _("around %(city)s · %(count)d companies") % {
                "city": city or _name(members[0], language),
                "count": len(members),
            }
        clusters.append(
            {
                "lat": sum(m["lat"] for m in members) / len(members),
                "lon": sum(m["lon"] for m in members) / len(members),
                "city": city,
                "members": members,
                "deal_count": sum(m.get("deal_count", 0) for m in members),
                "label": label,
            }
        )
    clusters.sort(key=lambda c: (-c["deal_count"], c["label"]))
    return clusters


def _view(points: list[dict], pad: float = 2.0) -> dict:
    """The map's ranges around `points` (lon/lat), padded and widened towards the map's shape,
    so the view fits the data rather than the world (or the whole of every shaded country)."""
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    lat_span = max(lats) - min(lats) + 2 * pad
    # Mercator stretches latitude: about twice the span in longitude fills a landscape map.
    lon_span = max(max(lons) - min(lons) + 2 * pad, 2.0 * lat_span)
    lon_mid = (max(lons) + min(lons)) / 2
    return {
        "lonaxis.range": [lon_mid - lon_span / 2, lon_mid + lon_span / 2],
        "lataxis.range": [max(min(lats) - pad, -85), min(max(lats) + pad, 85)],
    }


def cluster_radius(points: list[dict]) -> float:
    """How close (degrees) two companies' markers may sit before they merge: a fourteenth of the
    span the map first shows, at least the ~10 km of one city."""
    home = [p for p in points if _in_east_asia(p)] or points
    if not home:
        return 0.1
    lat_span = max(p["lat"] for p in home) - min(p["lat"] for p in home)
    lon_span = max(p["lon"] for p in home) - min(p["lon"] for p in home)
    return max(0.1, max(lat_span, lon_span / 1.5) / 14)


def _in_east_asia(point: dict) -> bool:
    return 70 <= point["lon"] <= 150 and 0 <= point["lat"] <= 55


def geo_figure(graph: dict, language: str = "en") -> dict:
    """Companies at their headquarters (co-located ones clustered), partners joined by lines
    coloured by status (unconfirmed ones dotted), countries shaded by how many of the shown
    companies are based there.

    The view opens on Korea and China, fitted to the companies there; a button widens it to
    every company (Europe, America). What cannot be placed (no coordinates, or a merged
    "Others" node) is counted in `layout.meta.unplaced`, which the page states under the map.
    """
    nodes = {node["id"]: node for node in graph["nodes"]}
    placed = {
        key: node
        for key, node in nodes.items()
        if node.get("lat") is not None and node.get("lon") is not None
    }
    unplaced = [node for key, node in nodes.items() if key not in placed]
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
    unplaced_edges = 0
    for edge in graph["edges"]:
        if edge["source"] in placed and edge["target"] in placed:
            by_status[edge.get("status", "")].append(edge)
        else:
            unplaced_edges += edge.get("deal_count", 1)
    clusters = _clusters(list(placed.values()), language, cluster_radius(list(placed.values())))
    # Lines end at the marker that stands for each company.
    at = {member["id"]: c for c in clusters for member in c["members"]}
    for status in _status_order(by_status):
        lons, lats = [], []
        for edge in by_status[status]:
            a, b = at[edge["source"]], at[edge["target"]]
            lons += [a["lon"], b["lon"], None]
            lats += [a["lat"], b["lat"], None]
        name = _legend_name(status, by_status[status][0].get("status_label", ""))
        color = STATUS_COLORS.get(status, "#666666")
        traces.append(
            {
                "type": "scattergeo",
                "mode": "lines",
                "lon": lons,
                "lat": lats,
                # The line's ends are the companies' markers: hovering or clicking there is
                # about the company; the deal is at the line's middle (below).
                "hoverinfo": "skip",
                "line": {
                    "color": color,
                    "width": 2.5 if status_style(status) == "confirmed" else 2,
                    # Unconfirmed partnerships are dotted, so they never read as signed ones.
                    "dash": "solid" if status_style(status) == "confirmed" else "dot",
                },
                "opacity": 0.85,
                "name": name,
                "legendgroup": status,
            }
        )
        middles = [
            (edge, at[edge["source"]], at[edge["target"]])
            for edge in by_status[status]
            if at[edge["source"]] is not at[edge["target"]]
        ]
        traces.append(
            {
                "type": "scattergeo",
                "mode": "markers",
                "lon": [(a["lon"] + b["lon"]) / 2 for _e, a, b in middles],
                "lat": [(a["lat"] + b["lat"]) / 2 for _e, a, b in middles],
                "marker": {"size": 7, "color": color, "opacity": 0.6, "symbol": "diamond"},
                "customdata": [
                    [
                        reverse("dashboard:deal-detail", args=[e["deal_slug"]])
                        if e.get("deal_slug")
                        else ""
                    ]
                    for e, _a, _b in middles
                ],
                "hovertext": [
                    "<br>".join(
                        [
                            f"<b>{_esc(_edge_title(e, language))}</b>",
                            f"{_esc(a['label'])} – {_esc(b['label'])}",
                            _esc(name),
                            _gwh(e.get("volume_gwh")),
                        ]
                    )
                    for e, a, b in middles
                ],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "name": name,
                "legendgroup": status,
                "showlegend": False,
            }
        )

    if clusters:
        labelled = {id(c) for c in clusters[:GEO_LABELS]}

        def hover(cluster):
            head = f"<b>{_esc(cluster['label'])}</b>"
            if len(cluster["members"]) == 1:
                node = cluster["members"][0]
                return "<br>".join(
                    line
                    for line in (
                        head,
                        _esc(local_text(node, "hq_city", language)),
                        _("%(count)d deal(s)") % {"count": node.get("deal_count", 0)},
                        _known_volume(node),
                        _("Click to open its page"),
                    )
                    if line
                )
            names = [
                f"{_esc(_name(m, language))} · "
                + _("%(count)d deal(s)") % {"count": m.get("deal_count", 0)}
                for m in cluster["members"]
            ]
            return "<br>".join([head, *names, _("Each is linked in the list under the map")])

        traces.append(
            {
                "type": "scattergeo",
                "mode": "markers+text",
                "lon": [c["lon"] for c in clusters],
                "lat": [c["lat"] for c in clusters],
                "text": [_esc(c["label"]) if id(c) in labelled else "" for c in clusters],
                "textposition": "top center",
                "textfont": {"size": 11, "color": "#1f2933"},
                "customdata": [
                    [_company_url(c["members"][0]) if len(c["members"]) == 1 else ""]
                    for c in clusters
                ],
                "hovertext": [hover(c) for c in clusters],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "marker": {
                    "size": [8 + min(c["deal_count"], 12) * 2 for c in clusters],
                    "color": ["#1f2933" if len(c["members"]) == 1 else "#ffffff" for c in clusters],
                    "line": {"color": "#1f2933", "width": 2},
                },
                "name": _("Companies (hollow: several at one place)"),
            }
        )

    geo = {
        "scope": "world",
        "resolution": 110,
        "projection": {"type": "mercator"},
        "showcountries": True,
        "countrycolor": "#c5ccd3",
        "showland": True,
        "landcolor": "#f5f7fa",
        "showocean": True,
        "oceancolor": "#ffffff",
        "showframe": False,
        "coastlinecolor": "#c5ccd3",
    }
    updatemenus = []
    points = list(placed.values())
    if points:
        asia = [p for p in points if _in_east_asia(p)] or points
        home, everything = _view(asia), _view(points)
        for key, value in home.items():
            axis, _attr = key.split(".")
            geo[axis] = {"range": value}
        if len(asia) < len(points):
            outside = len(points) - len(asia)
            updatemenus.append(
                {
                    "type": "buttons",
                    "direction": "right",
                    # Above the map, in its top margin: never over a label.
                    "x": 0,
                    "y": 1,
                    "xanchor": "left",
                    "yanchor": "bottom",
                    "pad": {"b": 4},
                    "showactive": True,
                    "active": 0,
                    "bgcolor": "#ffffff",
                    "font": {"size": 12},
                    "buttons": [
                        {
                            "label": _("Korea and China"),
                            "method": "relayout",
                            "args": [{f"geo.{k}": v for k, v in home.items()}],
                        },
                        {
                            "label": _("All (+%(count)d elsewhere)") % {"count": outside},
                            "method": "relayout",
                            "args": [{f"geo.{k}": v for k, v in everything.items()}],
                        },
                    ],
                }
            )

    layout = _base_layout(
        height=480,
        margin={"l": 0, "r": 0, "t": 40 if updatemenus else 10, "b": 10},
        geo=geo,
        updatemenus=updatemenus,
        legend={"orientation": "h", "y": 0, "x": 0, "bgcolor": "rgba(255,255,255,0.8)"},
        meta={
            "omitted": _omitted(graph),
            "unplaced": [_name(node, language) for node in unplaced],
            "unplaced_deals": unplaced_edges,
            "clusters": [
                {
                    "label": c["label"],
                    "companies": [
                        {
                            "name": _name(m, language),
                            "url": _company_url(m),
                            "city": local_text(m, "hq_city", language),
                        }
                        for m in c["members"]
                    ],
                }
                for c in clusters
                if len(c["members"]) > 1
            ],
        },
    )
    return {"data": traces, "layout": layout}


def geo_text(graph: dict, language: str = "en", figure: dict | None = None) -> dict:
    """The map in words: where the companies sit, grouped by place, and what it cannot place.
    `figure` is `geo_figure(graph, language)` when the caller has it already."""
    figure = geo_figure(graph, language) if figure is None else figure
    meta = figure["layout"]["meta"]
    nodes = {node["id"]: node for node in graph["nodes"]}
    placed = [n for n in nodes.values() if n.get("lat") is not None and n.get("lon") is not None]
    clusters = _clusters(placed, language, cluster_radius(placed))
    lines = [
        {
            "text": f"{c['city'] or c['label']}: "
            + ", ".join(_name(m, language) for m in c["members"]),
            "style": "",
            "status": "",
        }
        for c in clusters
    ]
    summary = _(
        "%(companies)d companies at %(places)d places; %(edges)d partnerships drawn (%(split)s)."
    ) % {
        "companies": len(placed),
        "places": len(clusters),
        "edges": sum(
            1
            for e in graph["edges"]
            if nodes.get(e["source"], {}).get("lat") is not None
            and nodes.get(e["target"], {}).get("lat") is not None
        ),
        "split": _count_split(
            [
                e.get("status", "")
                for e in graph["edges"]
                if nodes.get(e["source"], {}).get("lat") is not None
                and nodes.get(e["target"], {}).get("lat") is not None
            ]
        ),
    }
    if meta["unplaced"]:
        summary += " " + geo_missing_text(meta)
    if meta["omitted"]:
        summary += " " + meta["omitted"]["note"]
    return {"summary": summary, "lines": lines}


def _omitted(graph: dict) -> dict | None:
    """What a map leaves out beyond its bound (the graph's `edges_omitted`), with the note said
    under the chart and in its text."""
    omitted = graph.get("edges_omitted")
    if not omitted:
        return None
    note = _(
        "Not drawn: the weakest %(edges)s partnership line(s), %(deals)s deal(s) in all; the CSV "
        "lists them."
    ) % {"edges": f"{omitted['edges']:,}", "deals": f"{omitted['deals']:,}"}
    return {**omitted, "note": note}


def geo_missing_text(meta: dict) -> str:
    """What the map leaves out and why, for the note under it."""
    return _(
        "Not on the map (no known headquarters, or merged per country): %(names)s; "
        "%(deals)d deal(s) with them are in the flows and the CSV."
    ) % {"names": ", ".join(meta["unplaced"]), "deals": meta["unplaced_deals"]}


def supply_rows(graph: dict, coordinates: bool = False) -> list[list]:
    """The supplier maps' data as CSV rows, header first: one row per partnership. With
    `coordinates` (geography.csv), each end's headquarters and whether the map could draw it."""
    nodes = {node["id"]: node for node in graph["nodes"]}
    header = [
        "deal",
        "deal_title",
        "from_company",
        "from_country",
        "from_role",
        "to_company",
        "to_country",
        "to_role",
        "status",
        "confirmed",
        "kind",
        "product",
        "volume_gwh",
        "deal_count",
        "vehicle_models",
    ]
    if coordinates:
        header += ["from_city", "from_lat", "from_lon", "to_city", "to_lat", "to_lon", "on_map"]
    rows = [header]
    for edge in graph["edges"]:
        a, b = nodes.get(edge["source"], {}), nodes.get(edge["target"], {})
        row = [
            edge.get("deal_slug", ""),
            edge.get("deal_title", ""),
            a.get("name", ""),
            a.get("country", ""),
            edge.get("source_role", ""),
            b.get("name", ""),
            b.get("country", ""),
            edge.get("target_role", ""),
            edge.get("status", ""),
            status_style(edge.get("status", "")),
            edge.get("kind", ""),
            edge.get("product", ""),
            "" if edge.get("volume_gwh") is None else edge["volume_gwh"],
            edge.get("deal_count", 1),
            "; ".join(v.get("name", "") for v in edge.get("vehicle_models", [])),
        ]
        if coordinates:
            placed = all(n.get("lat") is not None and n.get("lon") is not None for n in (a, b))
            for node in (a, b):
                row += [
                    node.get("hq_city", ""),
                    "" if node.get("lat") is None else node["lat"],
                    "" if node.get("lon") is None else node["lon"],
                ]
            row.append("yes" if placed else "no")
        rows.append(row)
    return rows


def period_label(iso: str, precision: str, language: str = "en") -> str:
    """The label a chart shows for a date of known precision (never finer than known)."""
    return format_precise(datetime.date.fromisoformat(iso), precision, language)


# --- the charts as text --------------------------------------------------------------------------
# Each chart has its text twin: a summary sentence and one line per thing drawn. Screen readers
# read it instead of the SVG, and a phone too narrow for a Sankey shows the flows as this list.


def _count_split(statuses: list[str]) -> str:
    confirmed = sum(1 for status in statuses if status_style(status) == "confirmed")
    unconfirmed = sum(1 for status in statuses if status_style(status) == "unconfirmed")
    ended = len(statuses) - confirmed - unconfirmed
    text = _("%(confirmed)d confirmed, %(unconfirmed)d unconfirmed") % {
        "confirmed": confirmed,
        "unconfirmed": unconfirmed,
    }
    if ended:
        text += _(", %(ended)d ended") % {"ended": ended}
    return text


def timeline_text(items: list[dict], language: str = "en") -> dict:
    """The timeline in words: how many deals it draws and lists, then each at its named date."""
    deals = [item for item in items if item.get("kind") == "deal"]
    undated = [deal for deal in deals if not deal.get("date")]
    events = [item for item in items if item.get("kind") == "event"]
    summary = _(
        "%(deals)d deals (%(split)s), %(undated)d of them with no known date, and "
        "%(events)d context events."
    ) % {
        "deals": len(deals),
        "split": _count_split([deal.get("status", "") for deal in deals]),
        "undated": len(undated),
        "events": len(events),
    }
    lines = []
    for item in sorted(items, key=lambda i: (i.get("date") is None, i.get("date") or "")):
        kind = "event" if item["kind"] == "event" else item.get("date_kind", "")
        when = f"{date_kind_label(kind)}: {item.get('label') or '–'}"
        if item["kind"] == "event":
            lines.append({"text": f"★ {item['title']} — {when}", "style": "event", "status": ""})
            continue
        status = item.get("status", "")
        headline = item.get("headline")
        title = f"{item['title']} ({headline})" if headline else item["title"]
        parts = [title, when, _legend_name(status, item.get("status_label", ""))]
        parts.append(_gwh(item.get("volume_gwh")))
        term = _term_text(item)
        if term:
            parts.append(term)
        lines.append(
            {
                "text": " — ".join(parts),
                "style": status_style(status),
                "status": status,
                "url": item.get("url", ""),
            }
        )
    return {"summary": summary, "lines": lines}


def timeline_buckets_text(
    buckets: list[dict], undated: list[dict] | None = None, events: list[dict] | None = None
) -> dict:
    """The yearly timeline in words: deals per year, confirmed and not, with the confirmed
    deals' known volume (never 0 for a volume no source gives)."""
    # confirmed, other, known GWh of the confirmed (None: none known), confirmed without one
    per_year: dict = defaultdict(lambda: [0, 0, None, 0])
    for bucket in [*buckets, *(undated or [])]:
        entry = per_year[bucket["year"]]
        confirmed = status_style(bucket["status"]) == "confirmed"
        entry[0 if confirmed else 1] += bucket["deals"]
        if confirmed:
            if bucket.get("volume_gwh") is not None:
                entry[2] = (entry[2] or 0.0) + bucket["volume_gwh"]
            entry[3] += bucket.get("deals_without_volume", 0)

    def line(year, confirmed, other, gwh, unknown):
        values = {
            "year": year if year is not None else _("No known date"),
            "confirmed": f"{confirmed:,}",
            "volume": _known_volume({"volume_gwh": gwh, "deals_without_volume": unknown}),
            "other": f"{other:,}",
        }
        if not confirmed:
            return _("%(year)s: confirmed 0; other statuses %(other)s") % values
        return (
            _("%(year)s: confirmed %(confirmed)s (%(volume)s); other statuses %(other)s") % values
        )

    lines = [
        {"text": line(year, *entry), "style": "", "status": ""}
        for year, entry in sorted(
            per_year.items(), key=lambda item: (item[0] is None, item[0] or 0)
        )
    ]
    lines += [
        {"text": f"★ {event['title']} — {event.get('label', '')}", "style": "event", "status": ""}
        for event in sorted((e for e in events or [] if e.get("date")), key=lambda e: e["date"])
    ]
    total = sum(entry[0] + entry[1] for entry in per_year.values())
    summary = _("%(deals)s deals counted per year of announcement, else of start.") % {
        "deals": f"{total:,}"
    }
    return {"summary": summary, "lines": lines}


def flows_text(graph: dict, language: str = "en", flows: dict | None = None) -> dict:
    """The Sankey in words, confirmed flows first and largest first: who supplies whom, how many
    GWh, in what status. On a narrow phone this list stands in for the Sankey."""
    flows = flow_links(graph, language) if flows is None else flows
    nodes = flows["nodes"]
    links = sorted(
        flows["links"],
        key=lambda link: (
            status_style(link["status"]) != "confirmed",
            -(link["gwh"] if link["unknown"] < link["deals"] else -1),
            nodes[link["source"]]["label"],
        ),
    )
    confirmed = sum(link["gwh"] for link in links if status_style(link["status"]) == "confirmed")
    unconfirmed = sum(
        link["gwh"] for link in links if status_style(link["status"]) == "unconfirmed"
    )
    summary = _(
        "%(links)d flows (%(split)s): %(confirmed)s GWh confirmed, %(unconfirmed)s GWh unconfirmed."
    ) % {
        "links": len(links),
        "split": _count_split([link["status"] for link in links]),
        "confirmed": f"{confirmed:g}",
        "unconfirmed": f"{unconfirmed:g}",
    }
    if flows["left_out"]:
        summary += " " + _(
            "%(count)d partnership(s) between companies of one column (%(titles)s) are not "
            "flows: they are on the map and in the CSV."
        ) % {"count": len(flows["left_out"]), "titles": "; ".join(flows["left_out"][:3])}
    if graph.get("edges_omitted"):
        summary += " " + _omitted(graph)["note"]
    lines = [
        {
            "text": f"{nodes[link['source']]['label']} → {nodes[link['target']]['label']}: "
            f"{_flow_weight(link, drawn=False)} — {_legend_name(link['status'])}",
            "detail": "; ".join(link["titles"][:5]),
            "style": status_style(link["status"]),
            "status": link["status"],
        }
        for link in links
    ]
    return {"summary": summary, "lines": lines}
