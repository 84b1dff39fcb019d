"""Fuzzing over stored data: whatever is in the database, no page breaks.

Every kind of row is written through the API with values schemathesis generates from the
OpenAPI schema, and hand-picked hostile rows are stored beside them the way old data or another
program could have left them (past the API's checks): a context event on 9999-12-31, a U+0007
in a name, digit-only and upper-case slugs, a 30,000-year term, extreme coordinates and volumes,
right-to-left overrides, formula-looking titles. Then every page, chart CSV and export (CSV,
XLSX, GeoJSON) is loaded in English and Korean: none may answer 500.
"""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    ContextEvent,
    Deal,
    DealParty,
    Source,
    StatusChange,
    VehicleModel,
)

from .test_schemathesis import fuzz_token, keep_test_connection, schema  # noqa: F401 - fixtures

GENERATED_PER_RESOURCE = 4
RESOURCES = ["companies", "sources", "vehicle-models", "context-events", "deals"]
LANGUAGES = ["en", "ko"]
BELL = "\x07"


def _deal_parties(body):
    """Generated parties name companies that do not exist; two real ones let deals through."""
    if isinstance(body, dict):
        body["parties"] = [
            {"company": "catl", "role": "supplier"},
            {"company": "hyundai-motor", "role": "customer"},
        ]
        body.pop("status_change", None)


def seed_generated(data, token):
    """Rows of every kind, written through the API from schema-generated bodies."""
    stored = {}
    for resource in RESOURCES:
        operation = schema[f"/api/v1/{resource}/"]["POST"]
        strategy = operation.as_strategy(
            generation_mode=GenerationMode.POSITIVE, media_type="application/json"
        )
        created = 0
        for _ in range(GENERATED_PER_RESOURCE):
            case = data.draw(strategy)
            if resource == "deals":
                _deal_parties(case.body)
            response = case.call(headers={"Authorization": f"Token {token}"})
            assert response.status_code < 500, (resource, case.body, response.text[:500])
            created += response.status_code == 201
        stored[resource] = created
    return stored


def seed_hostile():
    """Rows the API would refuse now, stored past it, as older data or another tool could."""
    source = Source.objects.create(
        slug="SRC-Hostile",
        title=f'=HYPERLINK("http://x"){BELL}',
        publisher="\u202eevil",
        text=f"Bell{BELL} Battery will supply cells to Kia.\x0c Page two\x1b[31m.",
        published_on=datetime.date(9999, 12, 31),
        published_precision="day",
    )
    bell = Company.objects.create(
        slug="12345",
        name=f"Bell{BELL} Battery",
        name_ko=f"벨{BELL}배터리",
        name_zh=f"铃{BELL}",
        country="KR",
        chain_role="battery_cells",
        description="a\x1b[31mred\x00?".replace("\x00", ""),
        founded_on=datetime.date(1, 1, 1),
        founded_precision="year",
        hq_city="\u202e",
        hq_latitude=Decimal("90"),
        hq_longitude=Decimal("180"),
    )
    upper = Company.objects.create(
        slug="CATL-Shouting", name="CATL shouting", country="CN", chain_role="automaker",
        hq_latitude=Decimal("-90"), hq_longitude=Decimal("-180"),
    )  # fmt: skip
    CompanyAlias.objects.create(company=bell, name=f"Ding{BELL}")
    deal = Deal.objects.create(
        slug="9999",
        title=f"-cmd{BELL} deal",
        kind="supply",
        status="signed",
        product="battery_cells",
        volume_gwh=Decimal("9999999.999"),
        vehicle_count=2_147_483_647,
        term_years=30_000,
        announced_on=datetime.date(9999, 12, 31),
        announced_precision="day",
        start_on=datetime.date(9999, 7, 1),
        start_precision="half",
        notes=BELL * 3,
    )
    DealParty.objects.create(deal=deal, company=bell, role="supplier", note=BELL)
    DealParty.objects.create(deal=deal, company=upper, role="customer")
    StatusChange.objects.create(
        deal=deal,
        status="signed",
        effective_on=datetime.date(9999, 12, 31),
        effective_precision="day",
        source=source,
        quote=f"Bell{BELL} Battery will supply cells to Kia.",
    )
    ended = Deal.objects.create(
        slug="ancient", title="Ancient", kind="supply", status="completed", product="other",
        start_on=datetime.date(1, 1, 1), start_precision="day",
        end_on=datetime.date(9999, 12, 31), end_precision="year",
    )  # fmt: skip
    DealParty.objects.create(deal=ended, company=bell, role="partner")
    DealParty.objects.create(deal=ended, company=upper, role="partner")
    endless = Deal.objects.create(
        slug="endless", title="Endless", kind="supply", status="signed", product="other",
        announced_on=datetime.date(2025, 2, 1), announced_precision="month", term_years=30_000,
    )  # fmt: skip
    DealParty.objects.create(deal=endless, company=bell, role="supplier")
    DealParty.objects.create(deal=endless, company=upper, role="customer")
    vehicle = VehicleModel.objects.create(
        slug="V-1", maker=upper, name=f"\u202eV{BELL}", battery_supplier=bell,
        launch_on=datetime.date(9999, 12, 31), launch_precision="day",
    )  # fmt: skip
    deal.vehicle_models.add(vehicle)
    event = ContextEvent.objects.create(
        slug="end-of-days", title=f"End{BELL}", kind="policy", country="KR",
        occurred_on=datetime.date(9999, 12, 31), occurred_precision="year",
        description="\x1b]0;title\x07",
    )  # fmt: skip
    Citation.objects.create(
        source=source, company=bell, quote=f"Bell{BELL} Battery will supply cells to Kia."
    )
    Citation.objects.create(source=source, context_event=event, quote="Page two")
    # Shown to readers as if cited and approved: hostile data that made it through.
    Company.objects.filter(pk__in=[bell.pk, upper.pk]).update(published=True)
    Deal.objects.filter(pk__in=[deal.pk, ended.pk, endless.pk]).update(published=True)
    VehicleModel.objects.filter(pk=vehicle.pk).update(published=True)
    return {"company": bell, "upper": upper, "deal": deal, "vehicle": vehicle, "source": source}


# Detail pages of these models are loaded for every row the test stored (the founding
# article's rows have their own page tests).
DETAILED = {
    Deal: ("/deals/{}/", "/api/v1/deals/{}/"),
    Company: ("/companies/{}/", "/api/v1/companies/{}/"),
    VehicleModel: ("/vehicles/{}/", "/api/v1/vehicle-models/{}/"),
    Source: ("/sources/{}/", "/api/v1/sources/{}/"),
    ContextEvent: ("/api/v1/context-events/{}/",),
}


def addresses(before):
    """Every page, chart CSV and export; the detail pages of every row stored since `before`."""
    paths = ["/", "/deals/", "/companies/", "/vehicles/", "/sources/", "/search/?q=Bell"]
    paths += ["/deals/export.csv", "/?year=9999", "/deals/?year=9999&ordering=-announced"]
    for chart in ("timeline", "flows", "geography"):
        paths.append(f"/charts/{chart}.csv")
        paths += [f"/charts/{chart}.csv?for_company={slug}" for slug in ("12345", "CATL-Shouting")]
    for model, templates in DETAILED.items():
        new = model.objects.exclude(pk__in=before[model]).values_list("slug", flat=True)
        paths += [template.format(slug) for slug in new for template in templates]
    for resource in RESOURCES:
        formats = ["json", "csv", "xlsx"] + (
            ["geojson"] if resource in {"deals", "companies"} else []
        )
        paths += [f"/api/v1/{resource}/?format={f}" for f in formats]
    for aggregate in ("stats", "supply-graph", "timeline"):
        paths += [f"/api/v1/{aggregate}/?format={f}" for f in ("json", "csv", "xlsx")]
        paths.append(f"/api/v1/{aggregate}/?year=9999")
    return paths


@pytest.mark.django_db
@settings(
    max_examples=1,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_no_page_or_export_breaks_on_stored_data(data, fuzz_token):  # noqa: F811 - a fixture
    """Generated and hostile rows of every kind stored; every page, chart CSV and export in
    both languages answers without a 500."""
    before = {model: set(model.objects.values_list("pk", flat=True)) for model in DETAILED}
    seeded = seed_generated(data, fuzz_token)
    assert sum(seeded.values()) >= len(RESOURCES), seeded  # the API took generated rows
    seed_hostile()
    paths = addresses(before)
    broken = []
    for language in LANGUAGES:
        client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE=language)
        for path in paths:
            response = client.get(path)
            if response.status_code >= 500:
                broken.append((language, path, response.status_code))
            elif response.streaming:
                b"".join(response.streaming_content)  # a stream can fail halfway too
    # The locale middleware leaves the last request's language active in this thread.
    translation.deactivate()
    assert len(paths) > 50
    assert broken == []
