"""The company page stays bounded for a company with thousands of deals: paged deals, counts per
status, the top partners named and the rest counted per country, in a fixed number of queries."""

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse

from dashboard import selectors
from partnerships.models import Company, DealParty, VehicleModel
from tests.factories import (
    CompanyFactory,
    DealFactory,
    DealPartyFactory,
    VehicleModelFactory,
    supply_deal,
)
from tests.web.reading import csv_rows, figure

pytestmark = pytest.mark.django_db


def page(client, company, **params):
    cache.clear()
    return client.get(reverse("dashboard:company-detail", args=[company.slug]), params)


@pytest.fixture
def giant(db):
    """A battery maker with deals with 4 Chinese and 3 Japanese automakers, 'Big Motors' having
    most deals, and one statuses mix."""
    giant = CompanyFactory(name="Giant Cells", country="KR", hq_latitude=37.5, hq_longitude=127)
    big = CompanyFactory(name="Big Motors", country="CN", chain_role="automaker")
    for n in range(5):
        supply_deal(supplier=giant, customer=big, title=f"Big {n}", status="signed")
    for n in range(4):
        customer = CompanyFactory(name=f"China Auto {n}", country="CN", chain_role="automaker")
        supply_deal(supplier=giant, customer=customer, title=f"CN {n}", status="in_talks")
    for n in range(3):
        customer = CompanyFactory(name=f"Japan Auto {n}", country="JP", chain_role="automaker")
        supply_deal(supplier=giant, customer=customer, title=f"JP {n}", status="active")
    return giant


def test_top_partners_are_named_and_the_rest_counted_per_country(client, giant, monkeypatch):
    """With room for 3 partners, Big Motors comes first, and the other five are 'and 2 more
    partners in China', 'and 3 more partners in Japan'."""
    monkeypatch.setattr(selectors, "PARTNER_LIMIT", 3)
    response = page(client, giant)
    assert response.status_code == 200
    partners = response.context["partners"]
    assert [p["company"].name for p in partners] == ["Big Motors", "China Auto 0", "China Auto 1"]
    assert partners[0]["deals"] == 5
    html = response.content.decode()
    assert "The 3 with most deals of 8 partners:" in html
    assert "and 2 more partners in China" in html
    assert "and 3 more partners in Japan" in html


def test_the_maps_draw_the_top_partners_and_merge_the_rest(client, giant, monkeypatch):
    """The Sankey has the company, its 3 named partners and one node per other country; the
    merged links still add up to every deal."""
    monkeypatch.setattr(selectors, "PARTNER_LIMIT", 3)
    response = page(client, giant)
    sankey = figure(response, "flows-data")["data"][0]
    labels = sankey["node"]["label"]
    assert set(labels) == {
        "Giant Cells",
        "Big Motors",
        "China Auto 0",
        "China Auto 1",
        "Others (China)",
        "Others (Japan)",
    }
    assert sum(sankey["link"]["value"]) == 12 * 5  # every deal's 5 GWh
    geo = figure(response, "geo-data")["data"]
    choropleth = geo[0]
    # Every company drawn, merged or not, counts for its country.
    assert dict(zip(choropleth["locations"], choropleth["z"], strict=True)) == {
        "KOR": 1,
        "CHN": 5,
        "JPN": 3,
    }


def test_deals_are_counted_per_status_and_paged(client, giant):
    """The page counts 12 deals by status, shows 25 deals a page and links to the next."""
    for n in range(20):
        supply_deal(supplier=giant, title=f"More {n:02}", status="reported")
    response = page(client, giant)
    html = response.content.decode()
    counts = {row["status"]: row["deals"] for row in response.context["status_counts"]}
    assert counts == {"reported": 20, "in_talks": 4, "signed": 5, "active": 3}
    assert 'data-total="32"' in html and "32 deals:" in html
    assert len(response.context["deals"]) == 25
    assert "Page 1 of 2" in html
    second = page(client, giant, page=2)
    assert len(second.context["deals"]) == 7
    assert 'rel="prev"' in second.content.decode()


def test_vehicle_models_are_limited_with_links_to_the_rest(client, monkeypatch):
    """With room for 2 models, a maker of 3 lists 2 and links to all it makes."""
    monkeypatch.setattr(selectors, "VEHICLE_LIMIT", 2)
    maker = CompanyFactory(chain_role="automaker")
    VehicleModelFactory.create_batch(3, maker=maker)
    html = page(client, maker).content.decode()
    assert "The first 2 of 3 vehicle models." in html
    assert f'href="/vehicles/?maker={maker.slug}"' in html
    assert f'href="/vehicles/?battery_supplier={maker.slug}"' in html


def test_every_article_company_shows_all_its_partners_and_vehicles(client, article):
    """For the founding article's companies nothing is cut: every partner with its deal count,
    every vehicle model, every partner on the maps, and no 'more partners' line."""
    for company in Company.objects.all():
        response = page(client, company)
        assert response.status_code == 200
        deals = DealParty.objects.filter(company=company).values("deal")
        expected = {}
        for party in DealParty.objects.filter(deal__in=deals).exclude(company=company):
            expected[party.company.name] = expected.get(party.company.name, 0) + 1
        shown = {p["company"].name: p["deals"] for p in response.context["partners"]}
        assert shown == expected, company.slug
        assert response.context["more_partners"] == []
        vehicles = VehicleModel.objects.filter(Q(maker=company) | Q(battery_supplier=company))
        assert len(response.context["vehicles"]) == vehicles.count()
        assert response.context["deal_total"] == len(response.context["deals"])
        # The maps' data (a company without a known headquarters is not placed on the map,
        # a joint development is no flow in the Sankey, but both are in the data).
        maps = client.get(
            reverse("dashboard:chart-csv", args=["flows"]), {"for_company": company.slug}
        )
        rows = csv_rows(maps)[1:]
        drawn = {row[2] for row in rows} | {row[5] for row in rows}
        assert drawn == (set(expected) | {company.name} if expected else set()), company.slug


def test_a_single_deal_edge_names_its_deal_and_vehicle(client, article):
    """Kia's map still names the CATL deal and draws the PV5 it is for."""
    response = page(client, Company.objects.get(slug="kia"))
    sankey = figure(response, "flows-data")["data"][0]
    assert "PV5" in sankey["node"]["label"]
    assert ["/vehicles/kia-pv5/", "PV5 · Kia"] in sankey["node"]["customdata"]  # maker in the hover
    assert any("Kia PV5" in hover for hover in sankey["link"]["customdata"])


def test_the_map_csv_matches_the_page(client, giant, monkeypatch):
    """The maps' CSV for a company lists its named partners' deals and the merged rest."""
    monkeypatch.setattr(selectors, "PARTNER_LIMIT", 3)
    response = client.get(
        reverse("dashboard:chart-csv", args=["flows"]), {"for_company": giant.slug}
    )
    rows = csv_rows(response)
    header, rows = rows[0], rows[1:]
    by = {(row[header.index("to_company")], row[header.index("status")]): row for row in rows}
    big = by[("Big Motors", "signed")]
    assert big[header.index("deal_count")] == "5"
    assert by[("Others (JP)", "active")][header.index("deal_count")] == "3"
    assert sum(int(row[header.index("deal_count")]) for row in rows) == 12


def test_the_page_draws_the_strongest_links_and_says_what_it_leaves_out(client, giant, monkeypatch):
    """With room for 2 links, the maps draw Big Motors' 5 signed deals and one more; the note
    under each chart and their texts count the 6 links (6 deals) left out, and the CSV lists
    every one of the 12 deals."""
    monkeypatch.setattr(selectors, "COMPANY_MAP_EDGES", 2)
    response = page(client, giant)
    sankey = figure(response, "flows-data")
    assert sankey["layout"]["meta"]["omitted"]["edges"] == 6
    assert sum(len(trace.get("customdata", [])) for trace in figure(response, "geo-data")["data"])
    html = response.content.decode()
    note = "Not drawn: the weakest 6 partnership line(s), 6 deal(s) in all; the CSV lists them."
    assert html.count(f'<p class="chart-note" data-omitted="6">{note}</p>') == 2  # both charts
    for text in ("flows_text", "geo_text"):
        assert response.context[text]["summary"].endswith(note)
    drawn = response.context["flows_text"]["lines"]
    assert "Big Motors" in drawn[0]["text"] and len(drawn) == 2
    rows = csv_rows(
        client.get(reverse("dashboard:chart-csv", args=["flows"]), {"for_company": giant.slug})
    )
    assert sum(int(row[rows[0].index("deal_count")]) for row in rows[1:]) == 12


def test_a_map_within_its_bound_has_no_omission_note(client, giant):
    response = page(client, giant)
    assert figure(response, "flows-data")["layout"]["meta"]["omitted"] is None
    assert "Not drawn:" not in response.content.decode()


def test_company_page_costs_the_same_queries_for_a_giant(client, django_assert_max_num_queries):
    """A company with one deal and one with 40 deals and 40 partners cost the same queries."""
    small = CompanyFactory()
    supply_deal(supplier=small)
    VehicleModelFactory(maker=small)
    with django_assert_max_num_queries(21) as one:
        page(client, small)
    big = CompanyFactory()
    for n in range(40):
        deal = supply_deal(supplier=big, status=["signed", "active", "in_talks"][n % 3])
        DealPartyFactory(deal=deal, role="investor")
        VehicleModelFactory(battery_supplier=big)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = page(client, big, page=2)
    assert response.context["deal_total"] == 40


def test_a_cached_company_page_shows_an_edit_at_once(client, giant, django_assert_max_num_queries):
    """A second visit reads the partners from the cache; a new deal shows on the next visit."""
    url = reverse("dashboard:company-detail", args=[giant.slug])
    cache.clear()
    client.get(url)
    with django_assert_max_num_queries(10):
        assert client.get(url).context["deal_total"] == 12
    supply_deal(supplier=giant, title="Fresh deal")
    response = client.get(url)
    assert response.context["deal_total"] == 13
    assert "Fresh deal" in response.content.decode()


def test_korean_company_page_counts_the_rest_in_korean(client, giant, monkeypatch):
    """In Korean, the remaining partners are counted per country in Korean."""
    monkeypatch.setattr(selectors, "PARTNER_LIMIT", 3)
    client.cookies["django_language"] = "ko"
    html = page(client, giant).content.decode()
    assert "그 밖에" in html and "파트너 3곳" in html
    assert "거래 12건" in html


def test_a_deal_with_a_single_party_has_no_partner(client):
    """A company alone on a deal has that deal counted but no partner and no map."""
    company = CompanyFactory()
    DealPartyFactory(deal=DealFactory(), company=company)
    response = page(client, company)
    assert response.context["deal_total"] == 1
    assert response.context["partners"] == []
    assert "No partners recorded." in response.content.decode()
    assert response.context["flows_figure"] is None


def test_a_company_with_two_roles_in_a_deal_counts_its_partner_once(client):
    """A supplier that also co-develops counts its one customer deal once, GWh once."""
    maker = CompanyFactory(name="Cell Maker")
    buyer = CompanyFactory(name="Car Maker", country="CN")
    deal = supply_deal(supplier=maker, customer=buyer, volume_gwh=5)
    DealPartyFactory(deal=deal, company=maker, role="developer")
    response = page(client, maker)
    [partner] = response.context["partners"]
    assert (partner["name"], partner["deals"], partner["volume_gwh"]) == ("Car Maker", 1, 5.0)


def test_a_company_map_draws_only_the_links_the_whole_graph_draws(client):
    """Two customers of one supplier are not linked to each other on either's map."""
    cells = CompanyFactory(name="Cells")
    first, second = CompanyFactory(name="First Motors"), CompanyFactory(name="Second Motors")
    deal = supply_deal(supplier=cells, customer=first)
    DealPartyFactory(deal=deal, company=second, role="customer")
    graph = selectors.company_graph(
        first, selectors.company_partners(first), selectors.company_status_counts(first)
    )
    pairs = {(edge["source"], edge["target"]) for edge in graph["edges"]}
    assert pairs == {(cells.pk, first.pk)}


def test_company_page_shows_owners_with_shares_dates_and_sources(client, coverage):
    """Renault Korea's page lists its three current owners with their shares, since when, and
    the reports that state them, then the ended stakes; Geely Automobile's page lists its stake
    among its holdings. In Korean too."""
    html = client.get(reverse("dashboard:company-detail", args=["renault-korea"])).content.decode()
    owners = html[
        html.index('data-owners="5"') : html.index("data-holdings")
        if "data-holdings" in html
        else None
    ]
    for slug, share in [
        ("renault-group-in-renault-korea", "52.82%"),
        ("geely-automobile-in-renault-korea", "34.02%"),
        ("samsung-card-in-renault-korea", "13.13%"),
    ]:
        line = owners[owners.index(f'data-stake="{slug}"') :].split("</li>")[0]
        assert share in line and "since May 2022" in line and "Yonhap News Agency" in line, line
    assert owners.index('renault-group-in-renault-korea"') < owners.index(
        "renault-group-in-renault-korea-before-geely"
    )
    ended = owners[owners.index('data-stake="renault-group-in-renault-korea-before-geely"') :]
    assert "80.04%" in ended.split("</li>")[0] and "ended" in ended.split("</li>")[0]
    assert "controlling" in owners.split('data-stake="geely-automobile')[0]
    geely = client.get(reverse("dashboard:company-detail", args=["geely-automobile"]))
    assert 'data-stake="geely-automobile-in-renault-korea"' in geely.content.decode()
    korean = client.get(
        reverse("dashboard:company-detail", args=["renault-korea"]), HTTP_ACCEPT_LANGUAGE="ko"
    ).content.decode()
    assert "52.82%" in korean and "2022년 5월" in korean


def test_a_korean_reader_reads_the_city_in_korean_where_it_is_known(client):
    """The headquarters city is shown in Korean to a Korean reader where the Korean name is
    stored, in English otherwise, and always in English to an English reader."""
    busan = CompanyFactory(name="Harbour Motors", hq_city="Busan", hq_city_ko="부산")
    gothenburg = CompanyFactory(name="North Cars", hq_city="Gothenburg")
    client.cookies["django_language"] = "ko"
    lede = figure_free_lede(page(client, busan))
    assert "부산" in lede and "Busan" not in lede
    assert "Gothenburg" in figure_free_lede(page(client, gothenburg))
    client.cookies["django_language"] = "en"
    lede = figure_free_lede(page(client, busan))
    assert "Busan" in lede and "부산" not in lede


def figure_free_lede(response):
    html = response.content.decode()
    start = html.index('<p class="lede">')
    return html[start : html.index("</p>", start)]
