"""The pages through Django's test client: status, content and query counts."""

import datetime
import gc
import json
from decimal import Decimal

import pytest
from django.db.models import Q
from django.urls import reverse

from partnerships.models import Citation, Company, Deal
from tests.budgets import BUDGETS
from tests.factories import (
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    StatusChangeFactory,
    supply_deal,
)
from tests.web.reading import csv_rows, figure

pytestmark = pytest.mark.django_db

EVIL = "</script><script>alert(1)</script>"


# --- overview -------------------------------------------------------------------------------


def test_overview_shows_headline_figures_latest_deals_and_charts(client, article):
    """The front page counts the article's deals and embeds the three charts as JSON data."""
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure-key="deals"' in html
    assert response.context["overview"]["headline"]["deals"] == Deal.objects.count()
    assert "LG Energy Solution to supply 46-series" in html
    for element_id in ("timeline-data", "flows-data", "geo-data"):
        assert figure(response, element_id)["data"]


def test_overview_costs_the_queries_the_readme_states(client, article, django_assert_num_queries):
    """The front page costs its budget cold (after a write) and on a repeat visit, however
    many deals there are."""
    cold, stored = BUDGETS["/"]
    for n in range(2):
        with django_assert_num_queries(cold):
            client.get(reverse("dashboard:overview"))
        with django_assert_num_queries(stored):
            client.get(reverse("dashboard:overview"))
        for extra in range(15):
            supply_deal(title=f"Extra {n}-{extra}")


def test_overview_filter_by_status_kind_and_year(client, article):
    """The overview's filter narrows the figures and both maps."""
    response = client.get(reverse("dashboard:overview"), {"status": "signed", "year": "2025"})
    assert response.status_code == 200
    # A deal's year is its announcement's, else its start's: the timeline's date.
    in_2025 = Q(announced_on__year=2025) | Q(announced_on=None, start_on__year=2025)
    expected = Deal.objects.filter(in_2025, status="signed").count()
    assert response.context["overview"]["headline"]["deals"] == expected
    edges = {t["name"] for t in figure(response, "geo-data")["data"] if t.get("mode") == "lines"}
    assert edges == {"signed"}


def test_overview_with_a_bad_filter_says_so(client, article):
    """An unknown status is a visible error and a 400, not an empty dashboard."""
    response = client.get(reverse("dashboard:overview"), {"status": "maybe"})
    assert response.status_code == 400
    assert "Some filters could not be used" in response.content.decode()


# --- deals list -----------------------------------------------------------------------------


def test_deal_list_filters_with_the_api_vocabulary(client, article):
    """`status_group=agreed` shows exactly the signed, active and completed deals."""
    response = client.get(reverse("dashboard:deal-list"), {"status_group": "agreed"})
    assert response.status_code == 200
    shown = {deal["slug"] for deal in response.context["deals"]}
    assert shown == set(Deal.objects.filter(status__in=Deal.AGREED).values_list("slug", flat=True))


def test_deal_list_bad_filter_is_a_form_error(client, article):
    """`min_volume_gwh=abc` and an unknown company show messages and answer 400."""
    response = client.get(
        reverse("dashboard:deal-list"), {"min_volume_gwh": "abc", "company": "nobody"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "min_volume_gwh" in html
    assert "nobody" in html


def test_deal_list_sorts_by_volume(client, article):
    """Sorting by largest volume puts the 30 GWh deal first and unknown volumes last."""
    response = client.get(reverse("dashboard:deal-list"), {"ordering": "-gwh"})
    deals = list(response.context["deals"])
    assert deals[0]["volume_gwh"] == Decimal("30")
    assert deals[-1]["volume_gwh"] is None


def test_deal_list_pages_through_many_deals(client, db):
    """Thirty deals make two pages of 25 and 5."""
    for n in range(30):
        DealFactory(title=f"Deal {n:02}")
    first = client.get(reverse("dashboard:deal-list"))
    second = client.get(reverse("dashboard:deal-list"), {"page": 2})
    assert len(first.context["deals"]) == 25
    assert len(second.context["deals"]) == 5
    assert 'rel="next"' in first.content.decode()


def test_deal_list_query_count_is_constant(client, db, django_assert_max_num_queries):
    """Twenty-five deals with parties cost no more queries than one."""
    supply_deal()
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("dashboard:deal-list"))
    for _ in range(24):
        supply_deal()
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("dashboard:deal-list"))


def test_deal_csv_holds_exactly_the_filtered_list(client, article):
    """The CSV download has the list's rows, in the list's order, under the same filter."""
    params = {"country_pair": "KR-CN", "ordering": "title"}
    page = client.get(reverse("dashboard:deal-list"), params)
    rows = csv_rows(client.get(reverse("dashboard:deal-list-csv"), params))
    assert rows[0][:3] == ["slug", "display_title", "title"]
    assert [row[0] for row in rows[1:]] == [deal["slug"] for deal in page.context["deals"]]


def test_deal_csv_with_bad_filter_is_400(client, db):
    """A CSV request with an invalid filter explains itself instead of an empty file."""
    response = client.get(reverse("dashboard:deal-list-csv"), {"status": "nope"})
    assert response.status_code == 400
    assert b"status" in response.content


# --- deal page ------------------------------------------------------------------------------


def test_deal_page_shows_parties_volume_term_status_and_sources(client, article):
    """The LGES–Chery deal page has both parties, 8 GWh, six years and the quoted sentence."""
    response = client.get(reverse("dashboard:deal-detail", args=["lges-chery-46-series-cells"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "LG Energy Solution" in html and "Chery Automobile" in html
    assert "8 GWh" in html
    assert "(6 years)" in html
    assert "Status history" in html
    assert "has entered into a supply contract for 46 series" in html
    assert "Change history" in html


def test_deal_page_dates_are_never_finer_than_known(client, article):
    """A deal announced in June 2025, known to the month, reads "Jun 2025", not a day."""
    html = client.get(reverse("dashboard:deal-detail", args=["ecopro-catl-cathode"])).content
    assert b"Jun 2025" in html
    assert b"1 Jun 2025" not in html


def test_deal_page_query_count(client, article, django_assert_num_queries):
    """A deal page costs the queries the README states."""
    with django_assert_num_queries(BUDGETS["/deals/{deal}/"][0]):
        client.get(reverse("dashboard:deal-detail", args=["calb-hyundai-motor-30gwh"]))


def test_unknown_deal_is_404(client, db):
    """A deal that does not exist is a 404 page."""
    assert client.get(reverse("dashboard:deal-detail", args=["no-such-deal"])).status_code == 404


def test_editor_compares_two_versions_of_a_deal(staff_client, db):
    """After an edit, an editor picks the two versions and sees the volume change."""
    deal = supply_deal(volume_gwh=Decimal("5"))
    deal.volume_gwh = Decimal("8")
    deal.save()
    older, newer = deal.history.order_by("history_date")
    page = staff_client.get(reverse("dashboard:deal-detail", args=[deal.slug]))
    assert b"Compare two versions" in page.content
    response = staff_client.get(
        reverse("dashboard:deal-compare", args=[deal.slug]),
        {"a": newer.history_id, "b": older.history_id},
    )
    assert response.status_code == 200
    changes = {change["field"]: change for change in response.context["changes"]}
    assert changes["volume (GWh)"]["old"] == Decimal("5.000")
    assert changes["volume (GWh)"]["new"] == Decimal("8.000")


def test_comparing_a_version_with_itself_is_a_form_error(staff_client, db):
    """Picking the same version twice asks for two different ones."""
    deal = supply_deal()
    record = deal.history.first()
    response = staff_client.get(
        reverse("dashboard:deal-compare", args=[deal.slug]),
        {"a": record.history_id, "b": record.history_id},
    )
    assert response.status_code == 400
    assert b"Pick two different versions" in response.content


def test_visitors_cannot_compare_versions(client, db):
    """Only staff compare versions; a visitor is sent to sign in."""
    deal = supply_deal()
    response = client.get(reverse("dashboard:deal-compare", args=[deal.slug]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
    page = client.get(reverse("dashboard:deal-detail", args=[deal.slug]))
    assert b"Compare two versions" not in page.content


# --- companies, vehicles, sources -----------------------------------------------------------


def test_company_page_shows_deals_partners_family_vehicles_and_map(client, article):
    """Kia's page: its deals with CATL, its parent group, its models and a supplier map."""
    response = client.get(reverse("dashboard:company-detail", args=["kia"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hyundai Motor Group" in html  # parent
    assert "CATL" in html  # partner
    assert "PV5" in html  # vehicle
    assert figure(response, "geo-data")["data"]
    subsidiaries = client.get(reverse("dashboard:company-detail", args=["hyundai-motor-group"]))
    assert "Kia" in subsidiaries.content.decode()


def test_company_list_searches_korean_and_chinese_names(client, article):
    """The companies list finds CATL by 宁德时代 and Kia by 기아."""
    zh = client.get(reverse("dashboard:company-list"), {"q": "宁德时代"})
    assert [c.slug for c in zh.context["companies"]] == ["catl"]
    ko = client.get(reverse("dashboard:company-list"), {"q": "기아"})
    assert "kia" in [c.slug for c in ko.context["companies"]]


def test_vehicle_pages(client, article):
    """The vehicle list has the PV5; its page names Kia, CATL as supplier and its deal."""
    listing = client.get(reverse("dashboard:vehicle-list"))
    assert listing.status_code == 200
    assert b"PV5" in listing.content
    page = client.get(reverse("dashboard:vehicle-detail", args=["kia-pv5"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Kia" in html and "CATL" in html
    assert "CATL supplies prismatic NCM batteries for the Kia PV5" in html


def test_source_page_marks_cited_sentences_and_links_them_to_facts(client, article):
    """The article's text carries <mark>ed sentences linking to the facts they state."""
    source = Citation.objects.filter(deal__slug="lges-chery-46-series-cells").first().source
    response = client.get(reverse("dashboard:source-detail", args=[source.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<mark") >= 5
    assert 'href="#fact-1"' in html and 'id="fact-1"' in html
    assert reverse("dashboard:deal-detail", args=["lges-chery-46-series-cells"]) in html


def test_detail_pages_cost_few_queries(client, article, django_assert_num_queries):
    """Company, vehicle and source pages each cost a fixed number of queries: the company page
    its budget on a cold cache; the source page reads the data version its marks are cached
    under."""
    source = Citation.objects.filter(deal__slug="lges-chery-46-series-cells").first().source
    for url, queries in (
        (reverse("dashboard:company-detail", args=["catl"]), BUDGETS["/companies/{company}/"][0]),
        # Each page reads the data version once for its footer's "last updated".
        (reverse("dashboard:vehicle-detail", args=["kia-pv5"]), 8),
        # The source page's marks are cached under that same read of the version; its deals'
        # parties are read in one query, for their titles.
        (reverse("dashboard:source-detail", args=[source.slug]), 5),
    ):
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_search_finds_companies_deals_and_vehicles_in_three_languages(client, article):
    """현대, 奇瑞 and "Kona" each find what they name."""
    ko = client.get(reverse("dashboard:search"), {"q": "현대"})
    assert "hyundai-motor" in [c.slug for c in ko.context["companies"]]
    assert ko.context["deals"]
    zh = client.get(reverse("dashboard:search"), {"q": "奇瑞"})
    assert [c.slug for c in zh.context["companies"]] == ["chery-automobile"]
    assert "lges-chery-46-series-cells" in [d["slug"] for d in zh.context["deals"]]
    en = client.get(reverse("dashboard:search"), {"q": "Kona"})
    assert [v.slug for v in en.context["vehicles"]] == ["hyundai-kona"]


def test_search_rejects_overlong_text(client, db):
    """A search of more than 100 characters is a 400 with a message."""
    response = client.get(reverse("dashboard:search"), {"q": "x" * 101})
    assert response.status_code == 400
    assert b"at most 100 characters" in response.content


# --- safety and languages ------------------------------------------------------------------


def test_script_in_a_company_name_renders_as_text_everywhere(client, db):
    """A company named </script><script>alert(1)</script> never becomes markup or script."""
    evil = CompanyFactory(name=EVIL, slug="evil")
    deal = supply_deal(supplier=evil, title=EVIL)
    pages = [
        reverse("dashboard:overview"),
        reverse("dashboard:deal-list"),
        reverse("dashboard:deal-detail", args=[deal.slug]),
        reverse("dashboard:company-list"),
        reverse("dashboard:company-detail", args=["evil"]),
        reverse("dashboard:search") + "?q=script",
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert EVIL not in response.content.decode(), url
        assert "<script>alert(1)" not in response.content.decode(), url
    timeline = figure(client.get(reverse("dashboard:overview")), "timeline-data")
    assert any(
        EVIL in json.dumps(trace) or "&lt;/script&gt;" in json.dumps(trace)
        for trace in timeline["data"]
    )


def test_korean_interface_shows_korean_names_with_english_beside(client, article):
    """In Korean the menu is Korean, and LG Energy Solution reads LG에너지솔루션 with the English
    name beside it."""
    client.cookies["django_language"] = "ko"
    response = client.get(reverse("dashboard:deal-list"))
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "거래" in html and "기업" in html
    korean = '<span lang="ko">LG에너지솔루션</span>'
    assert f'{korean} <span class="name-en" lang="en">LG Energy Solution</span>' in html
    assert "2025년 6월" in html


def test_language_switcher_sets_korean(client, db):
    """Posting the switcher's form turns the interface Korean."""
    response = client.post(reverse("set_language"), {"language": "ko", "next": "/deals/"})
    assert response.status_code == 302
    assert "개요" in client.get(reverse("dashboard:overview")).content.decode()


# --- one query module, one set of numbers --------------------------------------------------

FILTERS = [
    {},
    {"status": "signed"},
    {"status_group": "discussion"},
    {"country_pair": "KR-CN"},
    {"company": "catl"},
    {"year": "2025"},
    {"kind": "supply", "min_volume_gwh": "1"},
    {"kind": "supply", "min_gwh": "1"},
]


@pytest.mark.parametrize("params", FILTERS)
def test_same_filter_same_counts_in_list_figures_charts_csv_and_api(client, article, params):
    """A filter counts the same deals in the list, the headline figure, the timeline, the CSV
    and the API."""
    listing = client.get(reverse("dashboard:deal-list"), params)
    total = listing.context["total"]
    overview = client.get(reverse("dashboard:overview"), params)
    assert overview.context["overview"]["headline"]["deals"] == total
    timeline = csv_rows(client.get(reverse("dashboard:chart-csv", args=["timeline"]), params))
    timeline_deals = {row[1] for row in timeline[1:] if row[0] == "deal"}
    undated = [row for row in timeline[1:] if row[0] == "deal" and not row[4]]
    # Undated deals are counted and listed too: the CSV holds every deal, the page says how
    # many have no date, and the stats' "undated" year counts the same.
    assert len(timeline_deals) == total
    assert len(undated) == overview.context["overview"]["undated_count"]
    assert len(csv_rows(client.get(reverse("dashboard:deal-list-csv"), params))) - 1 == total
    api = client.get("/api/v1/deals/", {**params, "limit": 500}).json()
    assert len(api["results"]) == total
    stats = client.get("/api/v1/stats/", params).json()
    assert sum(item["deals"] for item in stats["by_status"]) == total
    stats_undated = sum(item["deals"] for item in stats["by_year"] if item["key"] is None)
    assert stats_undated == len(undated)


def test_chart_csv_of_the_maps_lists_each_partnership(client, article):
    """The maps' CSV has one row per drawn partnership with both companies named."""
    rows = csv_rows(client.get(reverse("dashboard:chart-csv", args=["flows"]), {"company": "catl"}))
    assert rows[0][:3] == ["deal", "deal_title", "from_company"]
    assert all("CATL" in (row[2], row[5]) for row in rows[1:])
    assert client.get(reverse("dashboard:chart-csv", args=["nothing"])).status_code == 404


def test_status_history_lists_each_step_with_its_source(client, db):
    """Two recorded steps show in date order, each with its quote."""
    deal = DealFactory(status="in_talks")
    DealPartyFactory(deal=deal)
    StatusChangeFactory(
        deal=deal,
        status="in_talks",
        effective_on=datetime.date(2025, 6, 1),
        quote="Beta Motors is a state-owned automaker.",
    )
    StatusChangeFactory(deal=deal, status="signed", effective_on=datetime.date(2025, 7, 1))
    html = client.get(reverse("dashboard:deal-detail", args=[deal.slug])).content.decode()
    history = html[html.index("Status history") :]
    assert history.index("Jun 2025") < history.index("Jul 2025")
    assert "Beta Motors is a state-owned automaker." in html


def test_company_names_in_lists_follow_language(client, db):
    """A company without a Korean name shows its English name in Korean too."""
    Company.objects.all().delete()
    CompanyFactory(name="Plain Co", name_ko="")
    client.cookies["django_language"] = "ko"
    html = client.get(reverse("dashboard:company-list")).content.decode()
    assert "<span>Plain Co</span>" in html


def test_maps_stay_legible_with_hundreds_of_companies(client, db):
    """With 240 companies, the maps draw the top 40 and merge the rest into one node per
    country, and the page says so."""
    for n in range(120):
        supply_deal(
            supplier=CompanyFactory(country="KR", hq_latitude=37.5, hq_longitude=127.0),
            customer=CompanyFactory(country="CN", chain_role="automaker"),
            title=f"Deal {n}",
        )
    response = client.get(reverse("dashboard:overview"))
    assert response.status_code == 200
    sankey = figure(response, "flows-data")["data"][0]
    assert len(sankey["node"]["label"]) <= 42
    assert "Others (South<br>Korea)" in sankey["node"]["label"]  # wrapped; whole in the hover
    markers = [t for t in figure(response, "geo-data")["data"] if t.get("mode") == "markers+text"]
    assert len(markers[0]["lon"]) <= 40
    assert "Smaller companies are merged per country" in response.content.decode()
    choropleth = figure(response, "geo-data")["data"][0]
    assert dict(zip(choropleth["locations"], choropleth["z"], strict=True)) == {
        "KOR": 120,
        "CHN": 120,
    }


def test_a_chart_csv_names_its_chart_filter_source_date_and_licence(client, article):
    """A chart's CSV starts with comment lines saying what it is, under which filter, from
    where, when, and under which licence; the header follows."""
    response = client.get(reverse("dashboard:chart-csv", args=["geography"]), {"status": "signed"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    comments = [line for line in text.splitlines() if line.startswith("# ")]
    assert comments[0] == "# Geography: headquarters and partnerships, lines coloured by status"
    assert comments[1] == "# Filter: status=signed"
    assert "CC BY 4.0" in comments[2] and "http://testserver/charts/geography.csv" in comments[2]
    assert text.splitlines()[3].startswith("deal,deal_title,from_company")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/deals/",
        "/deals/lges-chery-46-series-cells/",
        "/deals/export.csv",
        "/companies/",
        "/companies/catl/",
        "/vehicles/",
        "/vehicles/kia-pv5/",
        "/sources/",
        "/search/?q=CATL",
        "/charts/flows.csv",
        "/methodology/",
        "/data-dictionary/",
        "/releases/",
        "/feeds/deals.atom",
        "/embed/flows/",
    ],
)
def test_every_page_answers_head_as_it_answers_get(client, article, path):
    """A link checker or a crawler asks with HEAD: every page answers it with 200 and the
    content type a GET gets, not 405 as `require_GET` did."""
    response = client.head(path)
    assert response.status_code == 200
    got = client.get(path)
    assert response["Content-Type"] == got["Content-Type"]
    if got.streaming:
        b"".join(got.streaming_content)
    # The test client drops a streamed HEAD body unread: on PostgreSQL its rows come from a
    # server-side cursor, which must be closed before this test's transaction is rolled back
    # (closed later, in the next test, it aborts that test's transaction).
    del response
    gc.collect()


def test_the_note_on_undated_deals_says_where_the_chart_puts_them(client, coverage):
    """Counted per year (the whole dataset), the undated deals stand in the chart's last
    column, and the note says so; drawn one by one (a narrower filter), they cannot be placed,
    and the note says they are not drawn. Either way the chart and the note agree."""
    for params, drawn in [({}, True), ({"company": "catl"}, False)]:
        response = client.get(reverse("dashboard:overview"), params)
        overview = response.context["overview"]
        assert overview["undated_count"], params
        assert overview["timeline_per_year"] is drawn
        columns = {x for trace in overview["timeline_figure"]["data"] for x in trace["x"] or []}
        assert ("No known date" in columns) is drawn
        page = response.content.decode()
        assert ("last column, “No known date”" in page) is drawn
        assert ("but not drawn" in page) is not drawn


def test_the_deals_filter_names_what_it_applies_beside_its_heading(client, article):
    """Folded on a phone, the filter still says the list is narrowed, and by what; a sort is
    no filter, and an unfiltered list says nothing."""
    url = reverse("dashboard:deal-list")
    page = client.get(url, {"status": "signed", "country_pair": "KR-CN", "ordering": "title"})
    assert page.context["applied_filters"] == ["Status", "Country pair"]
    assert "2 applied: Status, Country pair" in page.content.decode()
    assert client.get(url, {"ordering": "title"}).context["applied_filters"] == []
    assert "data-applied-filters" not in client.get(url).content.decode()
    # A filter the form has no field for narrows the list too, and is named.
    named = client.get(url, {"vehicle_model": "kia-pv5"}).context["applied_filters"]
    assert [str(label) for label in named] == ["Vehicle model"]


def test_a_filter_that_needs_correcting_stays_open_on_a_phone(client, article):
    """The filter folds on a narrow screen unless the filter set refused a value: then the
    field that needs correcting is shown, not folded away."""
    url = reverse("dashboard:deal-list")
    assert "data-fold-on-narrow" in client.get(url, {"status": "signed"}).content.decode()
    refused = client.get(url, {"country_pair": "KR-XX"})
    assert refused.status_code == 400
    assert "data-fold-on-narrow" not in refused.content.decode()
