"""The analyst's pages: methodology and data dictionary, data releases, the feed of changed
deals and embeddable charts."""

import base64

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from dashboard import selectors
from partnerships import freshness
from partnerships.filters import DealFilter
from partnerships.models import Deal
from publishing import dataset, methodology, releases
from publishing.feeds import DealFeed
from publishing.models import Release, ReleaseFile


@require_safe
def methodology_page(request):
    """What each status, kind, role, precision and "estimated" mean, and how facts are sourced
    and reviewed; the vocabularies are read from the models."""
    context = {"vocabularies": methodology.VOCABULARIES, "licence": methodology.LICENCE}
    return render(request, "publishing/methodology.html", context)


@require_safe
def data_dictionary(request):
    """Every published field of every table, with its type, help text and allowed values."""
    context = {
        "tables": methodology.dictionary(),
        "vocabularies": methodology.VOCABULARIES,
        "licence": methodology.LICENCE,
    }
    return render(request, "publishing/data_dictionary.html", context)


@require_safe
def release_list(request):
    """Every data release, newest first, with what changed and how to cite it."""
    releases = Release.objects.order_by("-number")
    return render(request, "publishing/release_list.html", {"releases": releases})


@require_safe
def release_detail(request, number):
    """One release: its files with checksums, what changed since the previous, cite this."""
    release = get_object_or_404(Release, number=number)
    context = {
        "release": release,
        "files": release.files.defer("content"),
        "cite": releases.cite_text(release, request.build_absolute_uri(release.get_absolute_url())),
        "tables": release.changes.get("tables", {}),
    }
    return render(request, "publishing/release_detail.html", context)


@require_safe
def release_file(request, number, name):
    """One file of a release, as stored (its SHA-256 is on the release's page)."""
    release_file = get_object_or_404(ReleaseFile, release__number=number, name=name)
    response = HttpResponse(bytes(release_file.content), content_type=release_file.media_type)
    response["Content-Disposition"] = f'attachment; filename="{release_file.name}"'
    response["Digest"] = f"sha-256={base64.b64encode(bytes.fromhex(release_file.sha256)).decode()}"
    return response


@require_safe
def release_zip(request, number):
    """The whole package of a release in one zip."""
    release = get_object_or_404(Release, number=number)
    response = HttpResponse(releases.package_zip(release), content_type="application/zip")
    name = f"korea-china-partnerships-release-{release.number}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _deal_filter(request, *extra):
    return DealFilter(request.GET, queryset=Deal.objects.published(), extra_parameters=extra)


def _filter_errors(filterset):
    lines = (f"{field}: {' '.join(errors)}" for field, errors in filterset.errors.items())
    return HttpResponse("\n".join(lines), status=400, content_type="text/plain; charset=utf-8")


@require_safe
def deal_feed(request):
    """Atom feed of new and changed deals under any filter of the deals page; a filter it
    cannot use is a 400 saying why."""
    filterset = _deal_filter(request)
    if not filterset.is_valid():
        return _filter_errors(filterset)
    return DealFeed()(request, filterset=filterset)


EMBEDDABLE = {
    "timeline": ("timeline_figure", _("Deals over time, by status")),
    "flows": ("flows_figure", _("Flows: materials → battery makers → automakers → vehicle models")),
    "geography": ("geo_figure", _("Geography: headquarters and partnerships")),
}


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
@require_safe
def embed_chart(request, chart):
    """One chart alone, for an iframe on another site: the filter in its address, its title,
    and a source line with the licence, the date and a link back. Framing is allowed on these
    pages only (X-Frame-Options exempt, CSP frame-ancestors *)."""
    if chart not in EMBEDDABLE:
        raise Http404
    filterset = _deal_filter(request)
    key, title = EMBEDDABLE[chart]
    context = {"chart": chart, "title": title, "filterset": filterset}
    if not filterset.is_valid():
        return render(request, "publishing/embed.html", context, status=400)
    version = freshness.current()
    figures = selectors.overview_figures(filterset.qs, get_language() or "en", version)
    query = request.GET.urlencode()
    context.update(
        figure=figures[key],
        # The chart's text (for screen readers, and a Sankey's list on a phone) rides along.
        text=figures.get(key.replace("_figure", "_text")),
        narrow_list=chart == "flows",
        query=query,
        page_url=request.build_absolute_uri(
            reverse("dashboard:overview") + (f"?{query}" if query else "")
        ),
        updated_at=version.changed_at,
        licence=dataset.LICENCE,
    )
    return render(request, "publishing/embed.html", context)
