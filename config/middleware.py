"""Answers that protect the site when a request or a part of it is bad.

- A request body larger than `REQUEST_MAX_BYTES` is refused with 413 before anything reads it:
  the API's parsers read the stream directly, so Django's own upload limits do not cover it.
- When the database cannot be reached (restarting, down, out of connections) the request gets a
  fast 503 with Retry-After instead of a 500 page or a hung worker. Django closes a broken
  connection at the end of the request (CONN_HEALTH_CHECKS), so the next request connects
  afresh and the site recovers by itself.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5


def _wants_json(request):
    return request.path_info.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


def plain_page(title, message, status):
    """A page that needs neither templates nor the database, which may be what is failing."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
        f"<p>{escape(message)}</p></body></html>"
    )
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def service_unavailable(request):
    """503 with Retry-After, as JSON for the API and as a small page for people."""
    message = _("The database is unavailable for a moment. Please try again in a few seconds.")
    if _wants_json(request):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = plain_page(_("Temporarily unavailable"), message, 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class RequestSizeLimitMiddleware:
    """413 for a body over `REQUEST_MAX_BYTES`, whoever would have parsed it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.REQUEST_MAX_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit and length > limit:
            message = _(
                "The request is too large (%(size)s bytes); the limit is %(limit)s bytes."
            ) % {"size": length, "limit": limit}
            if _wants_json(request):
                return JsonResponse({"detail": message}, status=413)
            return plain_page(_("Request too large"), message, 413)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection during a view or its template into a 503."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_UNAVAILABLE):
            return None
        logger.warning(
            "Database unavailable for %s %s: %s", request.method, request.path, exception
        )
        return service_unavailable(request)


def server_error(request, *args, **kwargs):
    """handler500: a database outage met outside a view (a middleware saving the session, say)
    still gets the 503; anything else gets Django's usual 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return service_unavailable(request)
    return defaults.server_error(request, *args, **kwargs)


class PageGZipMiddleware(GZipMiddleware):
    """Gzips the HTML pages (the overview's, with its figures, from 91 KB to 15 KB). The API's
    JSON and the CSV downloads are left as they are: some clients ask for gzip and cannot read
    it back; static files are compressed by WhiteNoise in production. Django masks the CSRF token
    per response, which keeps BREACH from reading it through the compressed size."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
