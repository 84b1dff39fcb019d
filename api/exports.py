"""Lists as CSV (streamed), XLSX and GeoJSON, with the same filters as the JSON pages.

Exports are not paginated: they hold every row that matches the filters, read from the database
in chunks so memory stays flat. The deals CSV and XLSX read every row in a single query (a
server-side cursor on PostgreSQL); the other lists cost a few prefetch queries per chunk.
"""

import csv
import datetime
import io
import itertools
import json
import operator
import re
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from api.renderers import CSV_MEDIA_TYPE, GEOJSON_MEDIA_TYPE, XLSX_MEDIA_TYPE
from partnerships import edges
from partnerships.models import DEAL_FIELDS
from publishing import dataset

CHUNK_SIZE = 500
# Rows fetched from the database at a time, and bytes of CSV sent at a time: large enough that
# the per-fetch and per-write costs vanish, small enough that memory stays flat.
EXPORT_CHUNK_SIZE = 2000
CSV_BLOCK_SIZE = 64 * 1024
# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _csv_cell(value):
    kind = type(value)
    # Text, nulls and whole numbers first, without _cell: an export has millions of cells.
    if kind is str:
        return "'" + value if value.startswith(FORMULA_PREFIXES) else value
    if value is None:
        return ""
    if kind is int or kind is bool:
        return value
    value = _cell(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def queryset_rows(queryset, columns):
    """The header and, lazily, one row per object, read in chunks."""
    header = [name for name, _ in columns]

    def rows():
        for obj in queryset.iterator(chunk_size=CHUNK_SIZE):
            yield [getter(obj) for _, getter in columns]

    return header, rows()


def dict_rows(items, columns):
    """The header and rows of a list of dicts (an aggregate), by key."""
    return list(columns), ([item.get(key) for key in columns] for item in items)


def csv_blocks(header, rows, prefix=""):
    """CSV text written while the rows are read, in blocks of about 64 KB (one write per line
    would cost more than the line), each cell escaped by `_csv_cell`."""
    buffer = io.StringIO(prefix)
    buffer.seek(len(prefix))
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= CSV_BLOCK_SIZE:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def primed(rows):
    """`rows` with the first one read now, in the view: a database that is down fails the
    request here, where it becomes a 503 (config.middleware), not halfway through a streamed
    200 that can only end in a broken download."""
    rows = iter(rows)
    first = next(rows, None)
    return rows if first is None else itertools.chain([first], rows)


def filter_query(params) -> str:
    """The filter a download was asked with, as a query string without its `format`."""
    params = params.copy()
    params.pop("format", None)
    return params.urlencode()


def table_response(export, header, rows, filename, query=""):
    """A list or aggregate as `export` ("csv" or "xlsx")."""
    if export == "csv":
        return csv_response(header, rows, filename)
    return xlsx_response(header, rows, filename, query=query)


def csv_response(header, rows, filename):
    """A CSV streamed while the rows are read (`csv_blocks`)."""
    response = StreamingHttpResponse(
        csv_blocks(header, primed(rows)), content_type=f"{CSV_MEDIA_TYPE}; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_too_many(queryset) -> str | None:
    """Why a list cannot be a workbook, or None: more rows than `XLSX_MAX_ROWS`. A workbook is
    a zip written at the end, built at ~2,000 rows/s, so 60,000 deals would outlast the
    worker's timeout; the CSV streams any number. One bounded count query."""
    limit = settings.XLSX_MAX_ROWS
    if queryset.order_by()[: limit + 1].count() <= limit:
        return None
    return _(
        "More than %(limit)s rows match, too many for a workbook: download them as CSV "
        "(format=csv) or narrow the filter."
    ) % {"limit": f"{limit:,}"}


ABOUT_SHEET = "About"


def xlsx_response(header, rows, filename, query=""):
    """An Excel workbook; write-only mode keeps memory flat while building it, and the rows are
    at most `XLSX_MAX_ROWS` (`xlsx_too_many`), so the file stays about a megabyte.

    The licence and the data's last update travel inside the file: in its document properties
    (File → Info) and on a second sheet, "About", after the data, so a reader that takes the
    first sheet (pandas' default) still gets the table alone. `query` is the filter asked."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=filename[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_excel_cell(value) for value in row])
    lines = dataset.about(query)
    about = book.create_sheet(title=ABOUT_SHEET)
    for name, value in lines:
        about.append([name, _excel_cell(value)])
    book.properties.title = f"{dataset.TITLE}: {filename}"
    book.properties.description = dict(lines)["notice"]
    book.properties.keywords = f"licence {dataset.LICENCE['name']}; {dataset.LICENCE['url']}"
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_MEDIA_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


# Characters a workbook's XML cannot hold: openpyxl raises on control characters (U+0007 in a
# name) but writes U+FFFE and U+FFFF, and then no spreadsheet opens the file.
EXCEL_ILLEGAL = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff]")


def _excel_cell(value):
    value = _cell(value)
    if isinstance(value, str):
        # Stored text may hold them (written before they were refused, or past the services).
        return EXCEL_ILLEGAL.sub("", value)
    if isinstance(value, list | dict):
        return EXCEL_ILLEGAL.sub("", json.dumps(value, ensure_ascii=False))
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)  # Excel has no time zones
    return value


def geojson_response(collection, filename):
    """A FeatureCollection carrying its licence and the data's last update as members of its
    own beside `features` (`license`, `data_updated_at`), which GIS tools pass over."""
    updated_at = dataset.last_updated()
    collection = {
        **collection,
        "license": dataset.licence_member(),
        "data_updated_at": updated_at.isoformat(timespec="seconds") if updated_at else None,
    }
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type=GEOJSON_MEDIA_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.geojson"'
    return response


def _point(company):
    if company.hq_latitude is None or company.hq_longitude is None:
        return None
    return [float(company.hq_longitude), float(company.hq_latitude)]


def companies_geojson(queryset):
    """Companies with known headquarters as points; the others are left out (counted)."""
    features, unplaced = [], 0
    for company in queryset.iterator(chunk_size=CHUNK_SIZE):
        point = _point(company)
        if point is None:
            unplaced += 1
            continue
        features.append(
            {
                "type": "Feature",
                "id": company.slug,
                "geometry": {"type": "Point", "coordinates": point},
                "properties": {
                    "slug": company.slug,
                    "name": company.name,
                    "name_ko": company.name_ko,
                    "name_zh": company.name_zh,
                    "country": company.country.code,
                    "chain_role": company.chain_role,
                    "hq_city": company.hq_city,
                    "deal_count": getattr(company, "deal_count", None),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}


def deals_geojson(rows):
    """Each deal row (`Deal.objects.for_list()`) as lines between its parties' headquarters
    (deliverer → customer), drawn as in the supply graph; deals with fewer than two placed
    parties are left out (counted)."""
    features, unplaced = [], 0
    for deal in rows:
        lines = [
            (source, target)
            for source, target in edges.deal_edges(deal["parties"])
            if None not in (source["lon"], source["lat"], target["lon"], target["lat"])
        ]
        if not lines:
            unplaced += 1
            continue
        for source, target in lines:
            features.append(
                {
                    "type": "Feature",
                    "id": f"{deal['slug']}:{source['slug']}:{target['slug']}",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [
                            [source["lon"], source["lat"]],
                            [target["lon"], target["lat"]],
                        ],
                    },
                    # Named as the supply graph's edges name them (`deal_slug`, `source_role`)
                    # and the deal's fields (`announced_display`).
                    "properties": {
                        "deal_slug": deal["slug"],
                        # The title readers see (`titles.deal_title`), as the graph's edges.
                        "deal_title": deal["display_title"],
                        "status": deal["status"],
                        "kind": deal["kind"],
                        "product": deal["product"],
                        "volume_gwh": _cell(deal["volume_gwh"]),
                        "announced_display": deal["announced_display"],
                        "source_name": source["name"],
                        "source_role": source["role"],
                        "source_country": source["country"],
                        "target_name": target["name"],
                        "target_role": target["role"],
                        "target_country": target["country"],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features, "unplaced": unplaced}


# --- deals: every row from one query --------------------------------------------------------


def _deal_keys():
    """The deal row's keys the export writes first, named as the deal's JSON names them: its id
    and own fields (`DEAL_FIELDS`), the title readers see after the slug, the announcement's
    label after the announcement."""
    yield "id"
    for name in DEAL_FIELDS:
        yield name
        if name == "slug":
            yield "display_title"
        elif name == "announced_estimated":
            yield "announced_display"


DEAL_KEYS = tuple(_deal_keys())
DEAL_HEADER = [
    *DEAL_KEYS,
    "suppliers",
    "customers",
    "parties",
    "countries",
    "vehicle_models",
    "source",
    "source_url",
    "quote",
    "updated_at",
]
_own_values = operator.itemgetter(*DEAL_KEYS)


def _names(parties, wanted):
    return "; ".join(party["name"] for party in parties if party["role"] == wanted)


def _deal_row(row):
    """A deal row (`querysets.deal_row`) as the values of `DEAL_HEADER`."""
    parties = row["parties"]
    return [
        *_own_values(row),
        _names(parties, "supplier"),
        _names(parties, "customer"),
        "; ".join(f"{p['name']} ({p['country']}, {p['role']})" for p in parties),
        "-".join(sorted({party["country"] for party in parties})),
        "; ".join(vehicle["name"] for vehicle in row["vehicle_models"]),
        row["source_title"],
        row["source_url"],
        row["quote"],
        row["updated_at"],
    ]


def deal_table(queryset):
    """The header and, lazily, the rows of a deal export, streamed from a single query."""
    rows = queryset.for_export().iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return list(DEAL_HEADER), map(_deal_row, rows)


# --- columns: (header, getter) ---------------------------------------------------------------


COMPANY_COLUMNS = [
    ("id", lambda c: c.pk),
    ("slug", lambda c: c.slug),
    ("name", lambda c: c.name),
    ("name_ko", lambda c: c.name_ko),
    ("name_zh", lambda c: c.name_zh),
    ("country", lambda c: c.country.code),
    ("chain_role", lambda c: c.chain_role),
    ("parent", lambda c: c.parent.slug if c.parent_id else ""),
    ("parent_tie", lambda c: c.parent_tie),
    ("parent_share_percent", lambda c: c.parent_share_percent),
    ("state_owned", lambda c: c.state_owned),
    ("hq_city", lambda c: c.hq_city),
    ("hq_city_ko", lambda c: c.hq_city_ko),
    ("hq_latitude", lambda c: c.hq_latitude),
    ("hq_longitude", lambda c: c.hq_longitude),
    ("aliases", lambda c: "; ".join(a.name for a in c.aliases.all())),
    ("deal_count", lambda c: c.deal_count),
    ("deals_agreed", lambda c: c.deals_agreed),
    ("deals_under_discussion", lambda c: c.deals_under_discussion),
]

STAKE_COLUMNS = [
    # Named as the JSON: `owner` and `owned` are the companies' slugs here.
    ("id", lambda o: o.pk),
    ("slug", lambda o: o.slug),
    ("owner", lambda o: o.owner.slug),
    ("owned", lambda o: o.owned.slug),
    ("tie", lambda o: o.tie),
    ("share_percent", lambda o: o.share_percent),
    ("since_on", lambda o: o.since_on),
    ("since_precision", lambda o: o.since_precision),
    ("since_estimated", lambda o: o.since_estimated),
    ("since_display", lambda o: o.since_display),
    ("until_on", lambda o: o.until_on),
    ("until_precision", lambda o: o.until_precision),
    ("until_estimated", lambda o: o.until_estimated),
    ("until_display", lambda o: o.until_display),
    ("current", lambda o: o.current),
    ("controlling", lambda o: o.controlling),
    ("note", lambda o: o.note),
    # Nothing reaches a reader without its source: the sentences that state the stake.
    ("citation_count", lambda o: len(o.citations.all())),
    ("source", lambda o: o.citations.all()[0].source.title if o.citations.all() else ""),
    ("source_url", lambda o: o.citations.all()[0].source.url if o.citations.all() else ""),
]

VEHICLE_MODEL_COLUMNS = [
    ("id", lambda v: v.pk),
    ("slug", lambda v: v.slug),
    ("name", lambda v: v.name),
    ("maker", lambda v: v.maker.name),
    ("segment", lambda v: v.segment),
    ("powertrain", lambda v: v.powertrain),
    ("launch_on", lambda v: v.launch_on),
    ("launch_precision", lambda v: v.launch_precision),
    ("battery_supplier", lambda v: v.battery_supplier.name if v.battery_supplier_id else ""),
    ("chemistry", lambda v: v.chemistry),
    ("cell_format", lambda v: v.cell_format),
    ("production_site", lambda v: v.production_site),
    ("deal_count", lambda v: v.deal_count),
]

SOURCE_COLUMNS = [
    ("id", lambda s: s.pk),
    ("slug", lambda s: s.slug),
    ("kind", lambda s: s.kind),
    ("title", lambda s: s.title),
    ("publisher", lambda s: s.publisher),
    ("url", lambda s: s.url),
    ("language", lambda s: s.language),
    ("published_on", lambda s: s.published_on),
    ("published_precision", lambda s: s.published_precision),
    # A count, so not `citations` (the JSON's list of them): named like `deal_count`.
    ("citation_count", lambda s: len(s.citations.all())),
]

CONTEXT_EVENT_COLUMNS = [
    ("id", lambda e: e.pk),
    ("slug", lambda e: e.slug),
    ("title", lambda e: e.title),
    ("kind", lambda e: e.kind),
    ("country", lambda e: e.country.code or ""),
    ("occurred_on", lambda e: e.occurred_on),
    ("occurred_precision", lambda e: e.occurred_precision),
    ("occurred_display", lambda e: e.occurred_display),
    ("description", lambda e: e.description),
]


# --- aggregates as tables --------------------------------------------------------------------


def stats_rows(result):
    items = [
        {"group": group.removeprefix("by_"), **item}
        for group in ("by_status", "by_year", "by_country_pair", "by_product")
        for item in result[group]
    ]
    columns = ["group", "key", "label", "deals", "volume_gwh", "deals_without_volume"]
    return dict_rows(items, columns)


def supply_graph_rows(result):
    names = {node["id"]: node["name"] for node in result["nodes"]}
    items = [
        {
            **edge,
            "source_name": names.get(edge["source"], ""),
            "target_name": names.get(edge["target"], ""),
            "vehicle_models": "; ".join(v["name"] for v in edge["vehicle_models"]),
        }
        for edge in result["edges"]
    ]
    return dict_rows(
        items,
        [
            "deal_slug",
            "deal_title",
            "source",
            "source_name",
            "source_role",
            "target",
            "target_name",
            "target_role",
            "status",
            "kind",
            "product",
            "volume_gwh",
            "vehicle_models",
        ],
    )


def timeline_rows(result):
    items = [
        {
            **item,
            "parties": "; ".join(
                f"{p['name']} ({p['country']}, {p['role']})" for p in item.get("parties", [])
            ),
        }
        for item in result["items"]
    ]
    return dict_rows(
        items,
        [
            "kind",
            "slug",
            "title",
            "date",
            "date_end",
            "precision",
            "label",
            "estimated",
            "status",
            "term_start",
            "term_end",
            "term_end_estimated",
            "parties",
            "volume_gwh",
            "source_title",
            "quote",
        ],
    )
