"""Every download and every API answer states the data's licence; downloads also say when the
data last changed."""

from django.utils.http import http_date

from publishing import dataset

API_PREFIX = "/api/v1/"


def add_link(response, link: str) -> None:
    """Add one value to the response's `Link` header, keeping those already there."""
    current = response.get("Link")
    response["Link"] = f"{current}, {link}" if current else link


class DataLicenceMiddleware:
    """A response sent as an attachment (CSV, XLSX, GeoJSON, a release's files) gets a
    `Link: <…>; rel="license"` header, `X-Data-Licence` and `X-Data-Last-Updated`; every answer
    of the API (`/api/v1/`, JSON included) gets the `Link` and `X-Data-Licence`, and
    `X-Data-Last-Updated` where it already knows the time (lists and aggregates: their
    Last-Modified), so a detail costs no query more.

    Headers rather than a comment line in the CSV: a comment row would break every CSV reader
    and the "the CSV is the list" promise. GeoJSON (its `license` and `data_updated_at`
    members) and XLSX (its "About" sheet and document properties) carry the notice inside the
    file as well (`api.exports`), and a release's `datapackage.json` names its licence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        attachment = "attachment" in response.get("Content-Disposition", "")
        if not attachment and not request.path.startswith(API_PREFIX):
            return response
        add_link(response, f'<{dataset.LICENCE["url"]}>; rel="license"')
        response["X-Data-Licence"] = dataset.LICENCE["name"]
        # Conditional answers already name the data's time; other downloads read it (the
        # data version, read once per request).
        updated = response.get("Last-Modified")
        if updated is None and attachment and (changed := dataset.last_updated()) is not None:
            updated = http_date(changed.timestamp())
        if updated:
            response["X-Data-Last-Updated"] = updated
        return response
