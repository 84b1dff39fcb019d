"""Bad input gets a clear 400 or 413, never a 500; Korean, Chinese, emoji and right-to-left text
come back exactly as sent, from the API, the pages and the admin."""

import json
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils.html import escape

from partnerships.models import Company, Deal, Source
from tests.factories import CompanyFactory, SourceFactory, UserFactory, supply_deal

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
LONG_NAME = "L" * 10_000

# Hangul with a compatibility jamo, Simplified and Traditional Chinese, emoji with a ZWJ
# sequence, a skin tone and a flag, Arabic and Hebrew with bidi controls, combining accents.
WORLD_TEXT = {
    "name": "Hyundai 현대 ㅎ 🚗⚡ 宁德時代 — שלום عربي",
    "name_ko": "현대자동차그룹 🔋 (주)",
    "name_zh": "宁德时代新能源科技 寧德時代 👩‍🔬🏳️‍🌈",
    "description": (
        "شركة السيارات الكهربائية \u202bעברית ועוד\u202c — e\u0301 n\u0303; 한국어 설명; "
        "中文说明; emoji 🇰🇷🇨🇳 👍🏽 🧑‍🤝‍🧑; tab\tand newline\nkept"
    ),
    "hq_city": "울산 / 宁德 / القاهرة",
}


def test_ten_megabyte_article_via_api_is_413(editor_api):
    """Posting a 10 MB article to the API is refused with 413 and a message; nothing is stored."""
    body = json.dumps({"slug": "huge", "title": "Huge", "text": "가" * (TEN_MB // 3 + 1)})
    response = editor_api.generic("POST", "/api/v1/sources/", body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
    assert not Source.objects.filter(slug="huge").exists()


def test_ten_megabyte_article_in_admin_is_413():
    """Submitting a 10 MB article on the admin's source form gets a 413 page, not a crash."""
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/partnerships/source/add/",
        {"title": "Huge", "slug": "huge", "kind": "article", "text": "x" * TEN_MB},
    )
    assert response.status_code == 413
    assert b"too large" in response.content
    assert not Source.objects.filter(slug="huge").exists()


def test_ten_thousand_character_name_via_api_is_400(editor_api):
    """A 10,000-character company name or deal title is a 400 naming the field."""
    response = editor_api.post(
        "/api/v1/companies/",
        {"slug": "long", "name": LONG_NAME, "country": "KR"},
        format="json",
    )
    assert response.status_code == 400
    assert "name" in response.json()
    deal = supply_deal()
    response = editor_api.patch(f"/api/v1/deals/{deal.slug}/", {"title": LONG_NAME}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()
    assert not Company.objects.filter(slug="long").exists()
    assert Deal.objects.get(pk=deal.pk).title == deal.title


def test_ten_thousand_character_name_in_admin_is_a_form_error():
    """The admin shows a form error for a 10,000-character company name and saves nothing."""
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/partnerships/company/add/",
        {
            "name": LONG_NAME,
            "slug": "long",
            "country": "KR",
            "chain_role": "other",
            "aliases-TOTAL_FORMS": "0",
            "aliases-INITIAL_FORMS": "0",
            "identifiers-TOTAL_FORMS": "0",
            "identifiers-INITIAL_FORMS": "0",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 200 characters" in response.content.decode()
    assert not Company.objects.filter(slug="long").exists()


@pytest.mark.parametrize(
    "value",
    [
        LONG_NAME,
        "\x00",
        "a\x00b",
        "%ED%A0%80%FF",
        "' OR 1=1 --",
        "%",
        "_",
        "\\",
        "<script>alert(1)</script>",
        "../../etc/passwd",
        "9" * 400,
        "-1",
        "2025-13-45",
    ],
)
def test_hostile_query_parameters_never_500(article, value):
    """Search boxes and filters answer 200 or 400 to hostile values, never 500."""
    client = Client(raise_request_exception=False)
    targets = [
        ("/search/", "q"),
        ("/deals/", "q"),
        ("/deals/", "status"),
        ("/deals/", "announced_after"),
        ("/deals/", "page"),
        ("/companies/", "q"),
        ("/companies/", "country"),
        ("/api/v1/deals/", "q"),
        ("/api/v1/deals/", "volume_gwh_min"),
        ("/api/v1/deals/", "limit"),
        ("/api/v1/deals/", "ordering"),
        ("/api/v1/companies/", "q"),
        ("/api/v1/companies/", "country"),
        ("/api/v1/stats/", "announced_after"),
        ("/api/v1/timeline/", "group_by"),
        ("/api/v1/supply-graph/", "min_gwh"),
        ("/api/v1/supply-graph/", "min_volume_gwh"),
    ]
    for path, name in targets:
        # Invalid UTF-8 cannot be a str: it arrives percent-encoded, as a browser sends it.
        raw = value if value.startswith("%ED") else quote(value, safe="")
        response = client.get(f"{path}?{name}={raw}")
        assert response.status_code in {200, 400}, (path, name, response.status_code)


@pytest.mark.parametrize("value", ["\x00", "a\x00b", "\ud800x"])
def test_unstorable_text_in_api_writes_is_400(editor_api, value):
    """A NUL character or a lone surrogate in a JSON body gets a 400, not a database error."""
    body = json.dumps({"slug": "odd", "name": f"Odd {value}", "country": "KR"})
    response = editor_api.generic(
        "POST", "/api/v1/companies/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert not Company.objects.filter(slug="odd").exists()


def test_malformed_json_is_400(editor_api):
    """A body that is not JSON, or JSON of the wrong shape, gets a 400 with a message."""
    for body in ["{", "[]", "null", '"text"', '{"name": ' + "[" * 5000 + "]" * 5000 + "}"]:
        response = editor_api.generic(
            "POST", "/api/v1/companies/", body, content_type="application/json"
        )
        assert response.status_code == 400, (body[:20], response.status_code)


def test_world_scripts_round_trip_through_the_api(editor_api):
    """Korean, Chinese, emoji and right-to-left text are stored and returned exactly."""
    source = SourceFactory()
    citation = {"source": source.slug, "quote": "Beta Motors is a state-owned automaker."}
    payload = {
        "slug": "world-motors",
        "country": "KR",
        "chain_role": "automaker",
        "citations": [citation],
        **WORLD_TEXT,
    }
    response = editor_api.post("/api/v1/companies/", payload, format="json")
    assert response.status_code == 201, response.content
    returned = editor_api.get("/api/v1/companies/world-motors/").json()
    stored = Company.objects.get(slug="world-motors")
    for field, value in WORLD_TEXT.items():
        assert returned[field] == value, field
        assert getattr(stored, field) == value, field
    listed = editor_api.get("/api/v1/companies/", {"q": "현대자동차그룹"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["slug"] for row in rows] == ["world-motors"]


def test_world_scripts_round_trip_through_the_admin():
    """Saved in the admin and opened again, the same text is in the form, unaltered."""
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    form = {
        "slug": "world-motors",
        "country": "KR",
        "chain_role": "automaker",
        **WORLD_TEXT,
        "aliases-TOTAL_FORMS": "1",
        "aliases-INITIAL_FORMS": "0",
        "aliases-0-name": "현대 🚗 عربي",
        "identifiers-TOTAL_FORMS": "0",
        "identifiers-INITIAL_FORMS": "0",
        "stakes-TOTAL_FORMS": "0",
        "stakes-INITIAL_FORMS": "0",
        "citations-TOTAL_FORMS": "0",
        "citations-INITIAL_FORMS": "0",
    }
    response = client.post("/admin/partnerships/company/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    company = Company.objects.get(slug="world-motors")
    for field, value in WORLD_TEXT.items():
        assert getattr(company, field) == value, field
    assert list(company.aliases.values_list("name", flat=True)) == ["현대 🚗 عربي"]
    page = client.get(f"/admin/partnerships/company/{company.pk}/change/").content.decode()
    assert escape(WORLD_TEXT["name_zh"]) in page
    assert escape(WORLD_TEXT["description"]) in page


def test_world_scripts_shown_on_public_pages():
    """The company page shows the names as stored; the page is UTF-8."""
    company = CompanyFactory(slug="world-motors", **WORLD_TEXT)
    response = Client().get(company.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert escape(WORLD_TEXT["name"]) in page
    assert escape(WORLD_TEXT["name_zh"]) in page


def test_nul_in_slugs_is_a_404_or_400(article, editor_api):
    """A NUL character in a slug, in the path, a filter or a reference in a body, is not found
    (404) or a field error (400); PostgreSQL never sees it."""
    for path in ["/api/v1/deals/a%00b/", "/api/v1/companies/catl%00/", "/api/v1/sources/%00/"]:
        assert editor_api.get(path).status_code == 404, path
        assert editor_api.patch(path, {}, format="json").status_code == 404, path
    for path, name in [
        ("/api/v1/supply-graph/", "vehicle_model"),
        ("/api/v1/deals/", "company"),
        ("/api/v1/deals/", "vehicle_model"),
    ]:
        response = editor_api.get(f"{path}?{name}=catl%00")
        assert response.status_code == 400, (path, name, response.status_code)
    response = editor_api.patch(
        "/api/v1/deals/lges-chery-46-series-cells/",
        {"parties": [{"company": "catl\x00", "role": "supplier"}], "vehicle_models": ["a\x00"]},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("chart", ["timeline", "flows", "geography"])
def test_a_nul_in_for_company_is_a_400(client, chart):
    """`?for_company=%00` (no slug holds it; PostgreSQL refuses it in a query) is a 400 naming
    the parameter, not a 500."""
    response = client.get(f"/charts/{chart}.csv?for_company=%00")
    assert response.status_code == 400
    assert b"for_company" in response.content


# --- input that breaks rendering is refused at the door --------------------------------------


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "/api/v1/context-events/",
            {"slug": "end", "title": "End", "kind": "policy", "occurred_on": "9999-12-31"},
            "occurred_on",
        ),
        ("/api/v1/companies/", {"slug": "bell", "name": "Bell\x07", "country": "KR"}, "name"),
        ("/api/v1/companies/", {"slug": "bell", "name": "Non\uffff", "country": "KR"}, "name"),
        ("/api/v1/companies/", {"slug": "1", "name": "One", "country": "KR"}, "slug"),
        (
            "/api/v1/companies/",
            {"slug": "esc", "name": "Esc", "country": "KR", "description": "a\x1b[31mred"},
            "description",
        ),
    ],
)
def test_values_that_break_pages_are_refused_by_the_api(editor_api, path, body, field):
    """A date outside 1800–2100, a control character in text and a digit-only slug are each a
    400 naming the field; nothing is stored."""
    response = editor_api.post(path, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert not Company.objects.filter(slug=body["slug"]).exists()


def test_a_slug_differing_only_in_capitals_is_refused(editor_api):
    """`CATL` beside `catl` is one company to a reader: the second is a 400."""
    CompanyFactory(slug="catl", name="CATL")
    response = editor_api.post(
        "/api/v1/companies/", {"slug": "CATL", "name": "CATL again", "country": "CN"}, format="json"
    )
    assert response.status_code == 400, response.content
    assert "other capitals" in json.dumps(response.json())
    assert Company.objects.filter(slug__iexact="catl").count() == 1


def test_a_control_character_in_the_admin_is_a_form_error():
    """The admin refuses a company name with U+0007 with a message on the field."""
    client = Client()
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/partnerships/company/add/",
        {
            "name": "Bell\x07",
            "slug": "bell",
            "country": "KR",
            "chain_role": "other",
            **{
                f"{prefix}-{count}_FORMS": "0"
                for prefix in ("aliases", "identifiers", "citations")
                for count in ("TOTAL", "INITIAL")
            },
        },
    )
    assert response.status_code == 200
    assert "control character (U+0007)" in response.content.decode()
    assert not Company.objects.filter(slug="bell").exists()


def test_an_article_loses_its_control_characters_not_its_text(editor_api):
    """An article pasted with form feeds, a vertical tab and a bell is stored with a space for
    each, so no two words are joined (found live: "supply\fagreement" stored as one word, and
    the deal it named was not read)."""
    response = editor_api.post(
        "/api/v1/sources/",
        {"title": "Pasted", "text": "Page one.\x0cPage two\x07ends. A supply\x0bagreement."},
        format="json",
    )
    assert response.status_code == 201, response.content
    text = Source.objects.get(title="Pasted").text
    assert text == "Page one. Page two ends. A supply agreement."


def test_a_submitted_article_titled_with_a_year_gets_a_slug_with_a_letter(editor_api):
    """An article titled "2025" is not given the slug "2025", which addresses the id 2025."""
    response = editor_api.post(
        "/api/v1/sources/", {"title": "2025", "text": "A year in batteries."}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "source-2025"
