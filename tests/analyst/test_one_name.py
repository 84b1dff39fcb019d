"""One name per concept: a parameter, an ordering, a field and an export column that mean the
same thing are spelt the same, and the old names of renamed parameters keep working for a
release, answered with a `Deprecation` header and marked deprecated in the schema."""

import csv
import io
import json

import pytest
from django.urls import reverse

from api import exports
from api.serializers import DealSerializer, GraphEdgeSerializer
from partnerships.models import Deal


def slugs(response):
    assert response.status_code == 200, response.content
    return {deal["slug"] for deal in response.json()["results"]}


def test_volume_filters_are_named_after_the_volume_field(api, article):
    """`min_volume_gwh` filters the `volume_gwh` field; the current name sends no deprecation."""
    response = api.get("/api/v1/deals/", {"min_volume_gwh": "8"})
    expected = set(
        Deal.objects.filter(published=True, volume_gwh__gte=8).values_list("slug", flat=True)
    )
    assert expected and slugs(response) == expected
    assert "Deprecation" not in response
    assert "min_volume_gwh" in str(api.get("/api/v1/deals/", {"stauts": "x"}).json()["stauts"])


@pytest.mark.parametrize(
    ("path", "old", "used"),
    [
        ("/api/v1/deals/", {"min_gwh": "8"}, "min_gwh"),
        ("/api/v1/deals/", {"max_gwh": "8", "format": "csv"}, "max_gwh"),
        ("/api/v1/stats/", {"min_gwh": "8"}, "min_gwh"),
        ("/api/v1/deals/", {"ordering": "-gwh"}, "ordering=-gwh"),
    ],
)
def test_old_names_answer_with_a_deprecation_header(api, article, path, old, used):
    """An old name is answered as asked (never a 400 for an existing script), with RFC 9745's
    `Deprecation`, a link to the docs and the names to change."""
    response = api.get(path, old)
    if response.streaming:
        # Read to the end, as a server does: the CSV's server-side cursor closes in this test.
        response.getvalue()
    assert response.status_code == 200
    assert response["Deprecation"].startswith("@")
    assert response["X-Deprecated-Parameters"] == used
    assert 'rel="deprecation"' in response["Link"] and 'rel="license"' in response["Link"]


def test_old_and_new_names_find_the_same_deals(api, article):
    """`min_gwh`/`max_gwh` and `min_volume_gwh`/`max_volume_gwh` list the same deals."""
    old = api.get("/api/v1/deals/", {"min_gwh": "1", "max_gwh": "20"})
    new = api.get("/api/v1/deals/", {"min_volume_gwh": "1", "max_volume_gwh": "20"})
    assert slugs(old) == slugs(new) and slugs(new)


def test_schema_marks_old_names_deprecated_with_an_example(api, db):
    """The schema lists `min_gwh` as deprecated and every volume parameter with an example."""
    schema = api.get("/api/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/deals/"]["get"]["parameters"]}
    for name in ("min_gwh", "max_gwh"):
        assert parameters[name]["deprecated"] is True
        assert "volume_gwh" in parameters[name]["description"]
        assert "example" in parameters[name]
    for name in ("min_volume_gwh", "max_volume_gwh"):
        assert not parameters[name].get("deprecated")
        assert "example" in parameters[name] and parameters[name]["description"]


def test_a_saved_page_address_with_an_old_name_fills_the_renamed_box(client, article):
    """`/deals/?min_gwh=8` filters as `min_volume_gwh=8` and shows 8 in the volume box."""
    old = client.get(reverse("dashboard:deal-list"), {"min_gwh": "8"})
    new = client.get(reverse("dashboard:deal-list"), {"min_volume_gwh": "8"})
    assert old.status_code == new.status_code == 200
    assert [d["slug"] for d in old.context["deals"]] == [d["slug"] for d in new.context["deals"]]
    assert 'name="min_volume_gwh"' in old.content.decode()
    assert old.context["form"]["min_volume_gwh"].value() == "8"


def test_feed_takes_the_old_names(client, article):
    """The feed (and so a webhook's filter) takes old names as the deals page does."""
    assert client.get("/feeds/deals.atom", {"min_gwh": "8"}).status_code == 200
    assert client.get("/feeds/deals.atom", {"min_volume_gwh": "8"}).status_code == 200


def _csv_header(response):
    return next(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_export_columns_share_the_json_names(api, client, article):
    """A column named like a JSON field is that field: the formatted date is
    `announced_display` in the API's and the page's CSV as in the JSON; a count of citations
    is `citation_count`, never `citations` (the JSON's list); an event's `occurred_display`."""
    json_fields = set(DealSerializer.Meta.fields)
    header = _csv_header(api.get("/api/v1/deals/", {"format": "csv"}))
    assert "announced_display" in header and "announced" not in header
    page_header = next(csv.reader(io.StringIO(
        b"".join(client.get(reverse("dashboard:deal-list-csv")).streaming_content)
        .decode().lstrip("\ufeff")
    )))  # fmt: skip
    assert "announced_display" in page_header and "announced" not in page_header
    # Every deal column the JSON also has keeps the JSON's name: the rest are flattened lists.
    flattened = {"suppliers", "customers", "parties", "countries", "vehicle_models"}
    flattened |= {"source", "source_url", "quote"}
    assert set(header) - json_fields <= flattened
    assert "citation_count" in [name for name, _getter in exports.SOURCE_COLUMNS]
    assert "occurred_display" in [name for name, _getter in exports.CONTEXT_EVENT_COLUMNS]


def test_geojson_lines_use_the_supply_graph_names(api, article):
    """A deal's GeoJSON line names its ends as the supply graph's edges do."""
    collection = json.loads(api.get("/api/v1/deals/", {"format": "geojson"}).content)
    edge_names = set(GraphEdgeSerializer().fields) | set(DealSerializer.Meta.fields)
    ends = {f"{end}_{part}" for end in ("source", "target") for part in ("name", "country")}
    for feature in collection["features"]:
        assert set(feature["properties"]) <= edge_names | ends, feature["properties"].keys()
