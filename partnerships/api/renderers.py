"""Export formats chosen by `?format=` or the Accept header.

A successful export never reaches these renderers: the list views build a streamed CSV, an
XLSX or a GeoJSON response themselves (see `exports.py`). What does reach them is an error
(a 400 for a bad filter, say), which a client should be able to read, so it is sent as JSON.
"""

import json

from rest_framework.renderers import BaseRenderer
from rest_framework.utils.encoders import JSONEncoder

CSV_MEDIA_TYPE = "text/csv"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON_MEDIA_TYPE = "application/geo+json"


class ExportRenderer(BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, cls=JSONEncoder, ensure_ascii=False).encode()


class CSVRenderer(ExportRenderer):
    media_type = CSV_MEDIA_TYPE
    format = "csv"


class XLSXRenderer(ExportRenderer):
    media_type = XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None


class GeoJSONRenderer(ExportRenderer):
    media_type = GEOJSON_MEDIA_TYPE
    format = "geojson"
