"""Script injection, in a real Chromium: a payload put in every text field of every kind of row
is shown as text on every public page, in the admin and in chart hovers; nothing runs, no
dialog opens and the Content-Security-Policy reports no violation."""

import pytest
from django.db import models

from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    Deal,
    DealParty,
    Source,
    StatusChange,
    VehicleModel,
)
from tests.web import test_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Shared with the dashboard's browser tests: one Chromium, a page that fails the test on any
# console error (a CSP violation is one) or request to another host.
browser = test_browser.browser
page = test_browser.page

PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>&amp;"
HOSTILE_MODELS = [
    Company,
    CompanyAlias,
    CompanyIdentifier,
    Deal,
    DealParty,
    VehicleModel,
    Source,
    ContextEvent,
    Citation,
    StatusChange,
]
# Quotes must stay sentences of their source, `field` names a model field: neither is free text.
NOT_FREE_TEXT = {"slug", "quote", "field", "text"}


def free_text_fields(model):
    return [
        field.name
        for field in model._meta.fields
        if isinstance(field, models.CharField | models.TextField)
        and not isinstance(field, models.SlugField | models.URLField | models.EmailField)
        and not field.choices
        and field.editable
        and field.name not in NOT_FREE_TEXT
    ]


@pytest.fixture
def hostile(article):
    """The article with the payload (plus the row id, for unique names) in every free-text
    field of every row, and appended to every source's text."""
    filled = 0
    for model in HOSTILE_MODELS:
        names = free_text_fields(model)
        for row in model._default_manager.all():
            value = f"{PAYLOAD} #{row.pk}"
            model._default_manager.filter(pk=row.pk).update(**dict.fromkeys(names, value))
            filled += len(names)
    for source in Source.objects.all():
        Source.objects.filter(pk=source.pk).update(text=f"{source.text}\n\n{PAYLOAD}")
    assert filled > 300
    return {
        "deal": Deal.objects.order_by("pk").first(),
        "company": Company.objects.get(slug="catl"),
        "vehicle": VehicleModel.objects.order_by("pk").first(),
        "source": Source.objects.order_by("pk").first(),
    }


def visit(page, path, dialogs):
    response = page.goto(page.base + path)
    assert response.status == 200, path
    if page.locator("[data-figure]").count():
        # Charts are drawn as they scroll into view: bring each one in first.
        for chart in page.locator("figure.chart").all():
            chart.scroll_into_view_if_needed()
        page.wait_for_selector("body[data-charts-ready='true']", state="attached")
    injected = page.evaluate(
        """() => ({
            images: document.querySelectorAll('img[src="x"], img[onerror]').length,
            scripts: [...document.scripts].filter(
                s => s.type !== 'application/json' && s.textContent.includes('alert(')
            ).length,
            flagged: !!window.__xss,
        })"""
    )
    assert injected == {"images": 0, "scripts": 0, "flagged": False}, path
    assert dialogs == [], path


def shows_payload_as_text(page):
    return PAYLOAD in page.evaluate("document.body.innerText")


def test_public_pages_show_payloads_as_text(page, hostile):
    """Every public page shows the stored payloads as literal text and runs none of them."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    paths = [
        "/deals/",
        f"/deals/{hostile['deal'].slug}/",
        "/companies/",
        f"/companies/{hostile['company'].slug}/",
        "/vehicles/",
        f"/vehicles/{hostile['vehicle'].slug}/",
        "/sources/",
        f"/sources/{hostile['source'].slug}/",
        "/search/?q=alert",
    ]
    missing = []
    for path in paths:
        visit(page, path, dialogs)
        if not shows_payload_as_text(page):
            missing.append(path)
    assert missing == []


def test_chart_hovers_show_payloads_as_text(page, hostile):
    """Hovering the overview's timeline shows a deal's hostile title as text, not markup."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    visit(page, "/", dialogs)
    hover_text = page.evaluate(
        """() => {
            const chart = document.getElementById('timeline-chart');
            for (let c = 0; c < chart.data.length; c++) {
                const count = (chart.data[c].x || []).length;
                for (let p = 0; p < count; p++) {
                    window.Plotly.Fx.hover(chart, [{curveNumber: c, pointNumber: p}]);
                    const text = chart.querySelector('.hoverlayer').textContent;
                    if (text.includes('alert(')) { return text; }
                }
            }
            return '';
        }"""
    )
    assert "<script>alert(1)</script><img src=x onerror=alert(2)>&amp;" in hover_text
    assert page.locator("#timeline-chart .hoverlayer img, #timeline-chart script").count() == 0
    assert dialogs == []


def test_admin_pages_show_payloads_as_text(page, hostile, live_server):
    """The admin's lists and forms show the payloads as text and as field values."""
    from tests.factories import UserFactory

    UserFactory(username="boss", is_staff=True, is_superuser=True)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(page.base + "/admin/login/")
    page.fill("#id_username", "boss")
    page.fill("#id_password", "correct horse battery staple")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    missing = []
    for model in [Company, Deal, VehicleModel, Source, ContextEvent, Citation]:
        base = f"/admin/partnerships/{model._meta.model_name}/"
        visit(page, base, dialogs)
        if not shows_payload_as_text(page):
            missing.append(base)
        row = model._default_manager.order_by("pk").first()
        visit(page, f"{base}{row.pk}/change/", dialogs)
        field = free_text_fields(model)[0]
        if page.input_value(f"[name={field}]") != f"{PAYLOAD} #{row.pk}":
            missing.append(f"{base}{row.pk}/change/ {field}")
    # Staff-only pages outside the admin: the comparison of two versions of a deal.
    deal = hostile["deal"]
    deal.save()  # a second version, with the hostile values, to compare with the first
    older, newer = deal.history.order_by("history_date").values_list("history_id", flat=True)[:2]
    compare = f"/deals/{deal.slug}/compare/?a={older}&b={newer}"
    for path in ["/admin/partnerships/deal/?q=alert", compare]:
        visit(page, path, dialogs)
        if not shows_payload_as_text(page):
            missing.append(path)
    assert missing == []
