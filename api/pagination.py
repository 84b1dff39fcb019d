"""Limit/offset pages without a COUNT over the whole filtered set, which grows with the data:
one row past the page tells whether there is a next one."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_LIMIT = 500


class PageParams(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, required=False)
    offset = serializers.IntegerField(min_value=0, max_value=10**9, required=False)


class LimitOffsetNoCountPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT
    limit_query_description = _("Rows per page, 1 to 500 (default 50).")

    def paginate_queryset(self, queryset, request, view=None):
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.request = request
        self.limit = params.validated_data.get("limit", self.default_limit)
        self.offset = params.validated_data.get("offset", 0)
        rows = list(queryset[self.offset : self.offset + self.limit + 1])
        self.has_next = len(rows) > self.limit
        return rows[: self.limit]

    def get_next_link(self):
        if not self.has_next:
            return None
        url = replace_query_param(
            self.request.build_absolute_uri(), self.limit_query_param, self.limit
        )
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response(
            {
                "limit": self.limit,
                "offset": self.offset,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        del response["properties"]["count"]
        response["required"] = ["limit", "offset", "next", "previous", "results"]
        response["properties"]["limit"] = {"type": "integer", "example": 50}
        response["properties"]["offset"] = {"type": "integer", "example": 0}
        return response
