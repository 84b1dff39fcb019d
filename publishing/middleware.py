"""Every download states the data's licence and when the data last changed."""

from django.utils.http import http_date

from publishing import dataset


class DataLicenceMiddleware:
    """A response sent as an attachment (CSV, XLSX, GeoJSON, a release's files) gets a
    `Link: <…>; rel="license"` header, `X-Data-Licence` and `X-Data-Last-Updated`.

    Headers rather than a comment line in the CSV: a comment row would break every CSV reader
    and the "the CSV is the list" promise. GeoJSON and XLSX carry the notice inside the file as
    well, and a release's `datapackage.json` names its licence."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "attachment" in response.get("Content-Disposition", ""):
            response["Link"] = f'<{dataset.LICENCE["url"]}>; rel="license"'
            response["X-Data-Licence"] = dataset.LICENCE["name"]
            # Conditional answers already name the data's time; others read it (one query).
            updated = response.get("Last-Modified")
            if updated is None and (changed := dataset.last_updated()) is not None:
                updated = http_date(changed.timestamp())
            if updated:
                response["X-Data-Last-Updated"] = updated
        return response
