"""ETag and Last-Modified for lists and aggregates, from the data version (`freshness.current()`,
one query), so a script or dashboard polling an unchanged query gets a 304 without the rows
being read, and any committed write changes every ETag at once."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import get_language

from partnerships import freshness


class ConditionalGet:
    """The validators of one GET: compute first, answer 304 if the client is up to date, else
    stamp the response with them."""

    def __init__(self, request):
        self.version = version = freshness.current()
        media_type = getattr(request, "accepted_media_type", "") or ""
        key = "|".join([request.get_full_path(), media_type, get_language() or ""])
        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        self.etag = f'"v{version.tag}-{digest}"'
        changed = version.changed_at
        self.last_modified = int(changed.timestamp()) if changed else None
        self.not_modified = get_conditional_response(
            request, etag=self.etag, last_modified=self.last_modified
        )

    def stamp(self, response):
        response["ETag"] = self.etag
        if self.last_modified is not None:
            response["Last-Modified"] = http_date(self.last_modified)
        response["Vary"] = "Accept, Accept-Language, Cookie, Authorization"
        return response


class ConditionalListMixin:
    """Lists answer If-None-Match / If-Modified-Since before reading any row."""

    def list(self, request, *args, **kwargs):
        conditional = ConditionalGet(request)
        if conditional.not_modified is not None:
            return conditional.stamp(conditional.not_modified)
        return conditional.stamp(self.build_list(request))
