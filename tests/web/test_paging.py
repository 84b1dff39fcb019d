"""List pages count their rows only up to a cap and page with previous, next and first links."""

import re

import pytest
from django.urls import reverse

from dashboard import paging
from tests.factories import CompanyFactory, DealFactory, SourceFactory, VehicleModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_cap(monkeypatch):
    """A cap of 10 rows, so that a few dozen rows are 'more than the cap'."""
    monkeypatch.setattr(paging, "COUNT_LIMIT", 10)


def page_links(html):
    """The pager's links by their rel: {"first": "?", "prev": "?page=1", ...}."""
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S)
    return dict(re.findall(r'rel="(\w+)" href="([^"]*)"', nav.group(0))) if nav else {}


def test_over_the_cap_the_deals_list_says_more_than_and_pages_on(client, small_cap):
    """With 60 deals and a cap of 10, the list says 'More than 10 deals match' and still pages
    through every deal with next and previous links."""
    for n in range(60):
        DealFactory(title=f"Deal {n:02}")
    first = client.get(reverse("dashboard:deal-list"))
    html = first.content.decode()
    assert "More than 10 deals match." in html
    assert 'data-capped="true"' in html
    assert "Download the matching deals as CSV" in html
    assert first.context["total_capped"] is True
    assert page_links(html) == {"next": "?page=2"}
    assert "Page 1<" in html  # no "of N": the last page is not known
    shown = [deal["title"] for deal in first.context["deals"]]
    for number in (2, 3):
        page = client.get(reverse("dashboard:deal-list"), {"page": number})
        shown += [deal["title"] for deal in page.context["deals"]]
    assert sorted(shown) == [f"Deal {n:02}" for n in range(60)]
    last = client.get(reverse("dashboard:deal-list"), {"page": 3}).content.decode()
    assert page_links(last) == {"first": "?", "prev": "?page=2"}


def test_under_the_cap_the_total_is_exact_with_the_last_page(client):
    """Thirty deals are counted exactly and make 'Page 1 of 2'."""
    for n in range(30):
        DealFactory(title=f"Deal {n:02}")
    response = client.get(reverse("dashboard:deal-list"))
    html = response.content.decode()
    assert response.context["total"] == 30
    assert "30 deals match." in html
    assert "Page 1 of 2" in html
    assert "Download these 30 deals as CSV" in html


def test_pager_keeps_the_filter_and_sorting(client, small_cap):
    """The next link carries the filter and the order; the CSV link carries them without the
    page."""
    for n in range(60):
        DealFactory(title=f"Deal {n:02}", status="signed")
    params = {"status": "signed", "ordering": "title", "page": 2}
    html = client.get(reverse("dashboard:deal-list"), params).content.decode()
    links = page_links(html)
    assert links["next"] == "?status=signed&amp;ordering=title&amp;page=3"
    assert links["prev"] == "?status=signed&amp;ordering=title&amp;page=1"
    assert 'href="/deals/export.csv?status=signed&amp;ordering=title"' in html


def test_a_page_past_the_end(client, small_cap):
    """Past a known last page the last page shows; past a capped total the page is empty and
    links back to the first."""
    for n in range(8):
        DealFactory(title=f"Deal {n}")
    exact = client.get(reverse("dashboard:deal-list"), {"page": 9})
    assert exact.context["page"].number == 1
    assert len(exact.context["deals"]) == 8
    for n in range(8, 30):
        DealFactory(title=f"Deal {n}")
    capped = client.get(reverse("dashboard:deal-list"), {"page": 9})
    assert capped.status_code == 200
    assert list(capped.context["deals"]) == []
    assert page_links(capped.content.decode())["first"] == "?"


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("dashboard:deal-list", DealFactory),
        ("dashboard:company-list", CompanyFactory),
        ("dashboard:vehicle-list", VehicleModelFactory),
        ("dashboard:source-list", SourceFactory),
    ],
)
def test_an_enormous_page_number_is_an_empty_page_not_an_error(client, small_cap, url, make):
    """?page=2000000000000000000 past a capped total answers an empty page, not a 500."""
    make.create_batch(12)
    response = client.get(reverse(url), {"page": "2000000000000000000"})
    assert response.status_code == 200
    assert response.context["page"].number == paging.MAX_PAGE
    assert list(response.context["page"]) == []


@pytest.mark.parametrize("value", ["abc", "0", "-3", "", "1e9"])
def test_a_malformed_page_number_is_the_first_page(client, value):
    """?page=abc (or 0, or negative) shows the first page rather than an error."""
    DealFactory()
    response = client.get(reverse("dashboard:deal-list"), {"page": value})
    assert response.status_code == 200
    assert response.context["page"].number == 1


@pytest.mark.parametrize(
    ("url", "make", "text"),
    [
        ("dashboard:company-list", CompanyFactory, "More than 10 companies"),
        ("dashboard:vehicle-list", VehicleModelFactory, "More than 10 models"),
        ("dashboard:source-list", SourceFactory, "More than 10 sources"),
    ],
)
def test_the_other_lists_are_capped_too(client, small_cap, url, make, text):
    """Companies, vehicle models and sources say 'More than 10' and still page on."""
    make.create_batch(30)
    response = client.get(reverse(url))
    assert text in response.content.decode()
    assert len(response.context["page"]) == 25
    assert page_links(response.content.decode()) == {"next": "?page=2"}
    second = client.get(reverse(url), {"page": 2})
    assert len(second.context["page"]) >= 5


def test_the_company_list_shows_deal_counts_on_its_page(client):
    """The companies list still shows each company's deal count, in name order."""
    from tests.factories import supply_deal

    supplier = CompanyFactory(name="Aaa Cells")
    for _ in range(3):
        supply_deal(supplier=supplier)
    response = client.get(reverse("dashboard:company-list"))
    companies = list(response.context["companies"])
    assert companies[0] == supplier
    assert companies[0].deal_count == 3
    assert [c.name for c in companies] == sorted(c.name for c in companies)


def test_capped_list_pages_cost_the_same_queries_at_any_size(
    client, small_cap, django_assert_max_num_queries
):
    """Five deals or forty, over the cap or under it: the same number of queries."""
    for _ in range(5):
        DealFactory()
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("dashboard:deal-list"))
    for _ in range(35):
        DealFactory()
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("dashboard:deal-list"), {"page": 2})


def test_korean_pager_and_capped_total(client, small_cap):
    """In Korean the capped total and the pager read Korean."""
    for _ in range(30):
        DealFactory()
    client.cookies["django_language"] = "ko"
    html = client.get(reverse("dashboard:deal-list"), {"page": 3}).content.decode()
    assert "거래 10건 이상이 조건에 맞습니다." in html
    assert "처음" in html and "3쪽" in html
