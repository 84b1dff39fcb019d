"""Request parsers that refuse hostile JSON with a 400 instead of failing with a 500."""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """DRF's JSON parser catches malformed JSON but not JSON nested so deeply that decoding it
    exhausts Python's recursion limit; that is a bad request too."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the data is nested too deeply.")) from None
