"""The embed page and the company suggestions in a real Chromium, under the site's CSP."""

import pytest

from tests.web.test_browser import browser, page  # noqa: F401 (the shared fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_embedded_chart_draws_with_its_source_line(page):  # noqa: F811
    """/embed/flows/ draws its Sankey from this site's files alone and shows its source."""
    page.goto(f"{page.base}/embed/flows/?status=signed")
    page.wait_for_selector("#embed-chart .sankey-link", state="attached")
    assert "CC-BY-4.0" in page.locator("[data-source-line]").inner_text()


def test_company_box_suggests_names_as_you_type(page):  # noqa: F811
    """Typing in the deals page's company box fills its datalist from the API."""
    page.goto(f"{page.base}/deals/")
    page.fill("#id_company", "LG")
    page.wait_for_selector(
        "#company-suggestions option[value='LG Energy Solution']", state="attached"
    )
    page.fill("#id_company", "LG Energy Solution")
    page.click("#deal-filter button[type=submit]")
    page.wait_for_load_state()
    assert "company=LG+Energy+Solution" in page.url
    assert page.locator("a[href='/deals/lges-chery-46-series-cells/']").count() >= 1
