"""The server-rendered pages. Thin: a filter from `filters.py`, a read from the models' QuerySet
methods (`querysets.py`) or an aggregate, a figure from `charts.py`, a template. A filter that
does not validate is shown on the page with a 400."""

import re

from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from api import exports
from dashboard import aggregates, charts, graph, paging, selectors
from dashboard.forms import CompareForm, DealFilterForm, OverviewFilterForm
from partnerships import freshness
from partnerships.filters import (
    CompanyFilter,
    DealFilter,
    SourceFilter,
    VehicleModelFilter,
    current_names,
)
from partnerships.models import Company, Deal, Source, VehicleModel

SLUG = re.compile(r"[-\w]{1,80}")


def _language():
    return get_language() or "en"


def _deal_filter(request, *extra):
    """The deals filter of a page; a parameter that is neither a filter nor one of `extra` (the
    page's own, such as `page`) is an error naming the ones the page takes."""
    return DealFilter(request.GET, queryset=Deal.objects.published(), extra_parameters=extra)


def _chart_stamp(request):
    """What every saved chart (image or CSV) says about itself: the filter it was drawn under,
    where it comes from, when, and under which licence the data may be reused."""
    asked = [
        f"{key}={','.join(values)}"
        for key, values in request.GET.lists()
        if any(values) and key not in {"page", "for_company"}
    ]
    if company := request.GET.get("for_company"):
        asked.insert(0, f"company={company}")
    return {
        "filter": _("Filter: %(filter)s") % {"filter": "; ".join(asked)}
        if asked
        else _("Filter: none (every deal)"),
        "credit": _("Source: %(site)s · drawn %(date)s · data licence: CC BY 4.0")
        % {
            "site": request.build_absolute_uri(request.path),
            "date": timezone.now().date().isoformat(),
        },
    }


def _status(filterset):
    return 200 if filterset.is_valid() else 400


def _csv_response(filename, rows, about=()):
    """A CSV download (rows with the header first), streamed in blocks as the rows are read.
    Excel reads UTF-8 (Korean and Chinese names) only with the byte-order mark. `about` lines
    come first as "# " comments (pandas: `comment="#"`): what the data is and whence."""
    rows = iter(rows)
    comments = "".join(
        "# " + " ".join(str(line).split()) + "\r\n" for line in about
    )  # one line each, whatever the filter holds
    blocks = exports.csv_blocks(next(rows), exports.primed(rows), prefix="\ufeff" + comments)
    response = StreamingHttpResponse(blocks, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filter_errors(filterset):
    """A download's answer to a filter it cannot use: which parameter, and why."""
    lines = (f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


def _page(request, rows, counted):
    """The page of `rows` that `?page=N` asks for, with the total of `counted` counted up to
    `paging.COUNT_LIMIT`: two queries plus the rows' prefetches, however many rows match."""
    total, capped = paging.capped_count(counted)
    page = paging.get_page(rows, paging.page_number(request.GET.get("page")), total, capped)
    return {"page": page, "total": total, "total_capped": capped}


def _filtered_list(request, filter_class, template, name):
    """A filtered, paged list page; a filter it cannot use is shown and answers 400.

    The page's ids are read first, in the list's order, and only those rows get the list's
    annotations (deal counts): annotated before the LIMIT, every company's deals would be
    counted to show 25 of them (0.5 s at 200,000 deals)."""
    model = filter_class.Meta.model
    filterset = filter_class(
        request.GET, queryset=model.objects.readable(), extra_parameters=["page"]
    )
    context = {"filterset": filterset}
    if filterset.is_valid():
        order = filterset.qs.for_list().query.order_by
        ids = filterset.qs.order_by(*order).values_list("pk", flat=True)
        context.update(_page(request, ids, filterset.qs))
        page = context["page"]
        rows = model.objects.filter(pk__in=page.object_list).for_list().in_bulk()
        page.object_list = [rows[pk] for pk in page.object_list if pk in rows]
        context[name] = page.object_list
    return render(request, template, context, status=_status(filterset))


@require_safe
def overview(request):
    """Headline figures, latest deals, the timeline and the two supplier maps, one filter.

    The figures are computed once per filter, language and data version
    (`selectors.overview_figures`); an unfiltered visit skips the filter form altogether.
    """
    filterset = _deal_filter(request) if request.GET else None
    context = {"form": OverviewFilterForm(request.GET or None), "filterset": filterset}
    if filterset is not None and not filterset.is_valid():
        return render(request, "web/overview.html", context, status=400)
    deals = filterset.qs if filterset is not None else Deal.objects.published()
    context.update(
        overview=selectors.overview_figures(deals, _language(), freshness.current()),
        latest_deals=deals.for_list()[:6],
        chart_stamp=_chart_stamp(request),
    )
    return render(request, "web/overview.html", context)


# The deal filters a saved address may use that the page's form has no field for.
UNFORMED_FILTERS = {
    "group": gettext_lazy("Company group"),
    "vehicle_model": gettext_lazy("Vehicle model"),
}


def _applied(params, form):
    """The names of the filters an address applies, as the page names them: said beside the
    folded filter, so that a phone reader sees the list is narrowed. A sort is no filter."""
    labels = {name: field.label for name, field in form.fields.items()} | UNFORMED_FILTERS
    return [
        label
        for name, label in labels.items()  # in the order the form shows them
        if name != "ordering" and any(params.getlist(name))
    ]


@require_safe
def deal_list(request):
    """Deals filtered by the API's vocabulary, sorted and paged, with their CSV beside them."""
    filterset = _deal_filter(request, "page")
    # A saved address may use a parameter's old name (`min_gwh`): the form shows it renamed.
    shown = current_names(request.GET, DealFilter)
    form = DealFilterForm(shown or None)
    context = {"form": form, "filterset": filterset, "applied_filters": _applied(shown, form)}
    if filterset.is_valid():
        context.update(_page(request, filterset.qs.for_list(), filterset.qs))
        context["deals"] = context["page"].object_list
    return render(request, "web/deal_list.html", context, status=_status(filterset))


@require_safe
def deal_list_csv(request):
    """The deals list as CSV: the same filter and order, every matching row, the same columns."""
    filterset = _deal_filter(request)
    if not filterset.is_valid():
        return _filter_errors(filterset)
    rows = selectors.deal_list_csv(filterset.qs)
    return _csv_response("deals.csv", rows)


def _chart_about(request, name):
    """The comment lines a chart's CSV starts with: title, filter, source, date, licence."""
    titles = {
        "timeline": _(
            "Deals at their announcement (else start), contract terms and context events"
        ),
        "timeline-by-year": _("Deals per year and status"),
        "flows": _("Flows: materials → battery makers → automakers → vehicle models"),
        "geography": _("Geography: headquarters and partnerships, lines coloured by status"),
    }
    stamp = _chart_stamp(request)
    return [titles[name], stamp["filter"], stamp["credit"]]


@require_safe
def chart_csv(request, chart):
    """The data behind a chart, under the same filter as the chart."""
    filterset = _deal_filter(request, "for_company")
    if not filterset.is_valid():
        return _filter_errors(filterset)
    deals = filterset.qs
    if company := request.GET.get("for_company"):
        if not SLUG.fullmatch(company):
            # NUL and other characters no slug holds: PostgreSQL would refuse the query.
            message = _("for_company: not a company's slug.")
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        company = get_object_or_404(Company.objects.readable(), slug=company)
        if chart in {"flows", "geography"}:
            # The company page's maps: its top partners, the others summed per country.
            supply = selectors.company_graph_for(company, deals)
            rows = charts.supply_rows(supply, coordinates=chart == "geography")
            return _csv_response(f"{chart}.csv", rows, _chart_about(request, chart))
        deals = selectors.deals_of_company(company, deals)
    name = chart
    if chart == "timeline":
        drawn = aggregates.timeline_chart(deals, _language())
        rows = drawn["rows"]
        if drawn["per_year"]:
            # Other columns under another name, so a script cannot take one for the other.
            name = "timeline-by-year"
    elif chart in {"flows", "geography"}:
        # Every edge: the chart draws the strongest, its CSV lists those it leaves out too.
        supply = graph.supply_graph(deals, limit=aggregates.MAP_LIMIT, max_edges=graph.EVERY_EDGE)
        rows = charts.supply_rows(supply, coordinates=chart == "geography")
    else:
        raise Http404
    return _csv_response(f"{name}.csv", rows, _chart_about(request, name))


@require_safe
def deal_detail(request, slug):
    """Parties, product, volume, term, vehicles, status history, sources and change history."""
    # Editors also open deals readers do not see yet, marked as such (`deal.published`).
    deals = Deal.objects.for_detail(include_unpublished=request.user.is_staff)
    deal = get_object_or_404(deals.named(slug))
    context = {
        "deal": deal,
        "parties": list(deal.parties.all()),
        "citations_by_source": selectors.citations_by_source(
            [*deal.citations.all(), *selectors.steps_as_citations(deal.status_history.all())]
        ),
        "versions": selectors.deal_versions(deal),
        "compare_form": CompareForm(deal=deal) if request.user.is_staff else None,
    }
    return render(request, "web/deal_detail.html", context)


@staff_member_required
@require_safe
def deal_compare(request, slug):
    """Two versions of a deal's record side by side, for an editor: which fields changed."""
    deal = get_object_or_404(Deal, slug=slug)
    form = CompareForm(request.GET, deal=deal)
    context = {"deal": deal, "form": form}
    if form.is_valid():
        context["older"], context["newer"], context["changes"] = selectors.deal_diff(
            form.cleaned_data["a"], form.cleaned_data["b"]
        )
    return render(request, "web/deal_compare.html", context, status=200 if form.is_valid() else 400)


@require_safe
def company_list(request):
    return _filtered_list(request, CompanyFilter, "web/company_list.html", "companies")


@require_safe
def company_detail(request, slug):
    """A company's deals (paged), partners, parent and subsidiaries, vehicles and its supplier
    map; a giant with 20,000 deals costs the same queries as a company with one."""
    company = selectors.company_for_page(slug)
    context = {
        "company": company,
        **selectors.company_page(company, _language(), freshness.current()),
    }
    # The status counts sum to the exact total, so this list needs no count of its own.
    page = paging.get_page(
        selectors.deals_of_company(company).for_list(),
        paging.page_number(request.GET.get("page")),
        context["deal_total"],
    )
    context.update(page=page, deals=page.object_list, chart_stamp=_chart_stamp(request))
    return render(request, "web/company_detail.html", context)


@require_safe
def vehicle_list(request):
    return _filtered_list(request, VehicleModelFilter, "web/vehicle_list.html", "vehicles")


@require_safe
def vehicle_detail(request, slug):
    vehicle = get_object_or_404(VehicleModel.objects.for_list(), slug=slug)
    context = {
        "vehicle": vehicle,
        "deals": vehicle.deals.for_list(),
        "citations_by_source": selectors.citations_by_source(
            vehicle.citations.select_related("source")
        ),
        "successors": vehicle.successors.all(),
    }
    return render(request, "web/vehicle_detail.html", context)


@require_safe
def source_list(request):
    return _filtered_list(request, SourceFilter, "web/source_list.html", "sources")


@require_safe
def source_detail(request, slug):
    """The article's text with each cited sentence marked and linked to the facts it states."""
    source = get_object_or_404(Source, slug=slug)
    context = {"source": source, **selectors.source_marks(source, freshness.current())}
    return render(request, "web/source_detail.html", context)


@require_safe
def search(request):
    """Companies, deals and vehicle models whose names match, in English, Korean or Chinese."""
    text = request.GET.get("q", "").strip()
    context = {"q": text}
    if len(text) > 100:
        context["error"] = _("Search for at most 100 characters.")
        return render(request, "web/search.html", context, status=400)
    if "\x00" in text:
        # PostgreSQL refuses NUL in text; a browser never sends one.
        context.update(q=text.replace("\x00", ""), error=_("The search contains a NUL character."))
        return render(request, "web/search.html", context, status=400)
    if text:
        context.update(selectors.search(text))
    return render(request, "web/search.html", context)
