"""Under the Content-Security-Policy the script-driven pages still work, in a real Chromium: the
API docs (Swagger UI) and the admin's inline rows and company autocomplete. The shared page
fixture fails a test on any console error, and a CSP violation is one."""

import pytest

from tests.factories import UserFactory
from tests.web import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = test_browser.browser
page = test_browser.page


def test_api_docs_render_under_the_policy(page):
    """/api/docs/ draws every operation from the schema, its script loaded as a file."""
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security" in m.text else 0)
    response = page.goto(page.base + "/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_selector(".opblock", timeout=20_000)
    assert page.locator(".opblock").count() >= 25
    page.locator(".opblock-summary").first.click()
    page.wait_for_selector(".opblock-body")
    assert violations == []


def test_admin_scripts_work_under_the_policy(page):
    """In the admin, "add another" adds an inline row and the company autocomplete searches,
    both by script, with no policy violation."""
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    page.goto(page.base + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(page.base + "/admin/partnerships/deal/add/")
    rows = page.locator("#parties-group tr.form-row:not(.empty-form)")
    before = rows.count()
    page.locator("#parties-group .add-row a").click()
    assert rows.count() == before + 1
    page.locator("#parties-group .select2-selection").first.click()
    page.keyboard.type("CATL")
    page.wait_for_selector(".select2-results__option:has-text('CATL')", timeout=20_000)
    page.locator("#id_title").press_sequentially("Alpha supplies Beta")
    assert page.input_value("#id_slug") == "alpha-supplies-beta"
