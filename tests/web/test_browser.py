"""The pages in a real headless Chromium (Debian's package, driven by Playwright).

Each test fails on a console error or on any request to a host other than the test server, and
saves a screenshot of what it saw to test-artifacts/. In CI (CI=true) a missing Chromium fails
the tests instead of skipping them.
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
# What "drawn" means for each chart: its SVG traces exist.
CHART_TRACES = {
    "timeline-chart": "#timeline-chart .barlayer .point, #timeline-chart .scatterlayer .point",
    "flows-chart": "#flows-chart .sankey-link",
    "geo-chart": "#geo-chart .choroplethlocation, #geo-chart .scattergeo path.point",
}


def _unavailable(reason):
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"Browser tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for this module's tests."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    # Playwright's sync API keeps an event loop running in this thread, which Django takes for
    # async code; the ORM calls of the fixtures are synchronous all the same. Allowed only while
    # the browser runs, so no other test (nor a subprocess it starts) inherits the setting.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, article, request):
    """A fresh page on the live server that records console errors and off-site requests."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    own_host = urlsplit(live_server.url).netloc
    page.errors, page.foreign = [], []
    page.on(
        "console",
        lambda message: page.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    # A console error names no address; the failed response does.
    page.on(
        "response",
        lambda response: (
            page.errors.append(f"{response.status} {response.url}")
            if response.status >= 500
            else None
        ),
    )

    def check_request(req):
        parts = urlsplit(req.url)
        if parts.scheme in {"http", "https", "ws", "wss"} and parts.netloc != own_host:
            page.foreign.append(req.url)

    page.on("request", check_request)
    page.base = live_server.url
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"
    assert page.foreign == [], f"requests to other hosts: {page.foreign}"


def wait_for_charts(page):
    # A selector, not wait_for_function: that evaluates its text with eval, which the page's
    # Content-Security-Policy refuses once the page has loaded its own scripts.
    # Charts are drawn as they scroll into view: bring each one in first.
    for chart in page.locator("figure.chart").all():
        chart.scroll_into_view_if_needed()
    page.wait_for_selector("body[data-charts-ready='true']", state="attached")
    for chart, traces in CHART_TRACES.items():
        # On a phone the Sankey is shown as its list ("list"), not drawn.
        if page.locator(f"#{chart}:not([data-drawn='list'])").count():
            assert page.locator(traces).count() > 0, f"{chart} drew no traces"


def test_overview_draws_every_chart(page):
    """The overview draws the timeline, the Sankey and the map from this server alone."""
    response = page.goto(page.base + "/")
    assert response.status == 200
    wait_for_charts(page)
    for chart in CHART_TRACES:
        assert page.locator(f"#{chart}").get_attribute("data-drawn") == "true"
    assert page.locator("[data-figure-key=deals]").inner_text().strip() == "13"


def test_follow_a_deal_from_the_timeline(page):
    """Clicking a deal's marker on the timeline opens that deal's page."""
    page.goto(page.base + "/")
    wait_for_charts(page)
    # Deals are circles (their SVG paths have arcs); stars and whisker caps have none.
    bar = page.locator('#timeline-chart .scatterlayer path.point[d*="A"]').last
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert "/deals/" in page.url
    assert page.locator("h2#status-heading").is_visible()


def test_follow_a_deal_from_the_list(page):
    """A deal's title in the latest-deals table leads to its page with parties and sources."""
    page.goto(page.base + "/")
    page.get_by_role(
        "link", name="LG Energy Solution to supply 46-series cylindrical cells"
    ).click()
    page.wait_for_url("**/deals/lges-chery-46-series-cells/")
    assert "46-series" in page.locator("h1").inner_text()
    assert page.locator(".party-list li").count() == 2
    assert page.locator("blockquote").count() >= 1


def test_filter_the_deals_list(page):
    """Ticking "signed" and applying shows only signed deals, the count matching the rows."""
    page.goto(page.base + "/deals/")
    page.locator("#deal-filter").get_by_label("signed", exact=True).check()
    page.locator("#deal-filter").get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/deals/?*status=signed*")
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    badges = page.locator(".data-table tbody .badge")
    assert badges.count() == total > 0
    assert set(badges.all_inner_texts()) == {"signed"}


def test_switch_to_korean(page):
    """The language switcher turns the interface and the company names Korean."""
    page.goto(page.base + "/deals/")
    page.get_by_label("Language").select_option("ko")
    page.locator(".language-switcher button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert (
        page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name="거래").is_visible()
    )
    assert page.get_by_text("LG에너지솔루션").first.is_visible()
    page.goto(page.base + "/")
    wait_for_charts(page)


def test_keyboard_reaches_the_content_first(page):
    """The first Tab stop is the skip link, which moves focus to the main content."""
    page.goto(page.base + "/companies/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.parametrize(
    "path",
    [
        "/companies/",
        "/companies/catl/",
        "/vehicles/",
        "/vehicles/kia-pv5/",
        "/sources/",
        "/search/?q=%ED%98%84%EB%8C%80",
    ],
)
def test_other_pages_render_cleanly(page, path):
    """Companies, vehicles, sources and search load without errors or foreign requests."""
    response = page.goto(page.base + path)
    assert response.status == 200
    assert page.locator("main h1").is_visible()
    if page.locator("[data-figure]").count():
        wait_for_charts(page)


def test_source_page_links_marked_sentences_to_facts(page):
    """A marked sentence in the article jumps to the facts it states."""
    page.goto(page.base + "/deals/lges-chery-46-series-cells/")
    page.locator("#sources-heading ~ .source-block a").first.click()
    page.wait_for_url("**/sources/**")
    mark = page.locator(".source-text mark a").first
    mark.click()
    assert "#fact-" in page.url


def test_a_chart_saves_as_an_image_and_its_data_as_csv(page):
    """The timeline's buttons download a PNG of the chart and the CSV of its data."""
    page.goto(page.base + "/")
    wait_for_charts(page)
    with page.expect_download() as image:
        page.locator("[data-save-image=timeline-chart][data-format=png]").click()
    assert image.value.suggested_filename == "timeline.png"
    assert Path(image.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as vector:
        page.locator("[data-save-image=timeline-chart][data-format=svg]").click()
    assert vector.value.suggested_filename == "timeline.svg"
    svg = Path(vector.value.path()).read_text(encoding="utf-8")
    # The saved image names itself, its filter, source, date and licence.
    assert "Deals at their announcement" in svg and "CC BY 4.0" in svg
    with page.expect_download() as data:
        page.locator("#timeline-chart-caption").get_by_role("link", name="Data (CSV)").click()
    assert data.value.suggested_filename == "timeline.csv"
    assert "lges-chery-46-series-cells" in Path(data.value.path()).read_text(encoding="utf-8-sig")


# --- phone and desktop widths -----------------------------------------------------------------

WIDTHS = [390, 1440]
PAGES = [
    "/",
    "/deals/",
    "/companies/",
    "/companies/catl/",
    "/vehicles/",
    "/sources/",
    "/search/?q=CATL",
    "/methodology/",
    "/data-dictionary/",
]


@pytest.fixture
def sized(browser, live_server, article, request):
    """A page at a given width (its parameter), failing on console errors like `page`."""
    width = request.node.callspec.params["width"]
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: page.errors.append(message.text) if message.type == "error" else None,
    )
    page.base = live_server.url
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert page.errors == [], f"console errors: {page.errors}"


def page_of_its_own(browser, width, locale, height=900):
    """A page in a context of its own (its viewport and language), recording uncaught errors in
    `page.errors`; the caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale=locale)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return context, page


def overlaps(a, b):
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_and_no_chart_is_wider_than_its_box(sized, path, width):
    """At 390 px (a phone) and 1440 px, the page is no wider than the window and every chart
    fits inside its figure."""
    sized.goto(sized.base + path)
    if sized.locator("[data-figure]").count():
        wait_for_charts(sized)
    scroll_width = sized.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"
    for chart in sized.locator("figure.chart").all():
        box = chart.bounding_box()
        for svg in chart.locator(".main-svg").all():
            inner = svg.bounding_box()
            if inner:  # a Sankey shown as its list on a phone has no box
                assert inner["x"] + inner["width"] <= box["x"] + box["width"] + 1


@pytest.mark.parametrize("width", WIDTHS)
def test_map_labels_never_overlap(sized, width):
    """Co-located companies are one marker with one label; no two labels on the map overlap,
    and none runs past the map's edge (where the map would cut it)."""
    sized.goto(sized.base + "/")
    wait_for_charts(sized)
    labels = [
        label.bounding_box()
        for label in sized.locator("#geo-chart .geo .scattergeo text").all()
        if label.is_visible() and (label.text_content() or "").strip()
    ]
    assert len(labels) >= 3
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlaps(a, b)
    frame = sized.locator("#geo-chart .geo .layer.bg").bounding_box()
    for label in labels:
        assert frame["x"] - 1 <= label["x"]
        assert label["x"] + label["width"] <= frame["x"] + frame["width"] + 1


@pytest.mark.parametrize(
    ("width", "locale"), [(1440, "en-GB"), (1440, "ko-KR"), (830, "en-GB"), (768, "en-GB")]
)
def test_flows_labels_never_overlap_on_the_whole_dataset(
    browser, live_server, coverage, width, locale
):
    """On the data `scripts/serve` loads, in English and in Korean, no two of the Sankey's
    labels overlap, down to the narrowest screen that draws it: a label is the name in the
    reader's language alone (the English one beside it, in Korean, ran into the next column),
    on two lines at most, the whole name in its hover. Narrower (a tablet held upright), the
    Sankey is its list."""
    context, page = page_of_its_own(browser, width, locale)
    try:
        page.goto(live_server.url + "/")
        page.locator("#flows-chart").scroll_into_view_if_needed()
        page.wait_for_selector("#flows-chart[data-drawn]", state="attached")
        drawn = page.locator("#flows-chart").get_attribute("data-drawn")
        labels = [
            (label.text_content(), label.bounding_box())
            for label in page.locator("#flows-chart .sankey .node-label").all()
            if label.is_visible() and (label.text_content() or "").strip()
        ]
        name = f"flows_whole_dataset_{width}_{locale}"
        page.screenshot(path=str(_artifact(name)), full_page=True)
    finally:
        context.close()
    assert page.errors == []
    if width < 820:
        assert drawn == "list" and labels == []
        return
    assert drawn == "true" and len(labels) >= 20
    if locale.startswith("ko"):
        assert "LG에너지솔루션" in {text for text, _box in labels}
    for i, (text_a, a) in enumerate(labels):
        for text_b, b in labels[i + 1 :]:
            assert not overlaps(a, b), f"{text_a!r} overlaps {text_b!r}"


def _artifact(name):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.parametrize("width", [390])
def test_phone_overview_lists_flows_and_folds_the_filter(sized, width):
    """At 390 px the Sankey is its readable list, the filter folded, the story told up top."""
    sized.goto(sized.base + "/")
    wait_for_charts(sized)
    assert sized.locator("#flows-chart").get_attribute("data-drawn") == "list"
    flows = sized.locator("#flows-chart-text")
    assert flows.locator("li").first.is_visible()
    assert "LG Energy Solution → Chery Automobile: 8 GWh — signed" in flows.inner_text()
    # Never drawn, so no image to save (the buttons did nothing): only its data is offered.
    saves = sized.locator('[data-save-image="flows-chart"]')
    assert saves.count() == 2 and not saves.first.is_visible()
    # The timeline's axis title fits its chart, and no mode bar sits on a legend.
    chart = sized.locator("#timeline-chart")
    chart.scroll_into_view_if_needed()
    sized.wait_for_function("document.querySelector('#timeline-chart').dataset.drawn")
    box = chart.bounding_box()
    for title in chart.locator(".g-xtitle text, .g-ytitle text").all():
        inner = title.bounding_box()
        assert (
            box["x"] - 1 <= inner["x"]
            and inner["x"] + inner["width"] <= box["x"] + box["width"] + 1
        )
    assert sized.locator(".modebar").count() == 0
    # The headline figures are on the first screen: the folded filter no longer pushes them down.
    sized.evaluate("window.scrollTo(0, 0)")
    assert sized.locator(".figure-grid").bounding_box()["y"] < 600
    assert not sized.locator(".filter-bar").is_visible()
    sized.locator(".filter-toggle summary").click()
    assert sized.locator(".filter-bar").is_visible()


def test_a_company_marker_on_the_map_opens_its_page(page):
    """A marker standing for one company opens that company's page."""
    page.goto(page.base + "/")
    wait_for_charts(page)
    label = page.locator("#geo-chart .geo .scattergeo text").filter(has_text="CATL").first
    label.scroll_into_view_if_needed()
    box = label.bounding_box()
    # The marker sits just under its label ("top center").
    with page.expect_navigation():
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] + 9)
    assert page.url.endswith("/companies/catl/")


@pytest.mark.parametrize("width", [390, 768, 1440])
def test_the_deals_filter_folds_above_the_list_on_a_narrow_screen(sized, width):
    """Beside the list (wide) the filter is open; above it (a phone, a tablet held upright) it
    is folded under its heading, so the first deal is on the first screen, not two screens
    down, and a tap opens it."""
    sized.goto(sized.base + "/deals/?status=signed")
    first_deal = sized.locator(".data-table tbody tr").first.bounding_box()
    assert first_deal["y"] < 844, f"the first deal starts at {first_deal['y']} px"
    filters = sized.locator("#deal-filter")
    if width > 860:
        assert filters.is_visible()
        return
    assert not filters.is_visible()
    sized.locator("#filter-heading").click()
    assert filters.get_by_label("signed", exact=True).is_checked()


@pytest.mark.parametrize("locale", ["en-GB", "ko-KR"])
def test_a_phone_keeps_the_yearly_timeline_tall_enough_to_read(
    browser, live_server, coverage, locale
):
    """On the whole dataset the timeline counts deals per year; at 390 px its eight legend
    entries stand one to a line above the bars, and Plotly took their room from the plot (the
    bars were left some 50 px). The chart grows by its legend instead; the map, sized by its
    width, does not."""
    context, page = page_of_its_own(browser, 390, locale, height=844)
    try:
        page.goto(live_server.url + "/")
        wait_for_charts(page)
        assert page.locator("#timeline-chart .barlayer .point").count() > 0
        plot = page.locator("#timeline-chart .draglayer .nsewdrag").bounding_box()
        legend = page.locator("#timeline-chart .legend").bounding_box()
        geo = page.locator("#geo-chart").bounding_box()
        page.locator("#timeline-chart").screenshot(path=str(_artifact(f"yearly_390_{locale}")))
    finally:
        context.close()
    assert page.errors == []
    assert legend["height"] > 120  # the case: a line per entry
    assert plot["height"] >= 200, f"the bars have {plot['height']:.0f} px"
    assert geo["height"] <= 421


@pytest.mark.parametrize(
    ("width", "locale"), [(768, "en-GB"), (1024, "en-GB"), (1024, "ko-KR"), (1440, "en-GB")]
)
def test_no_table_hides_a_column_beside_the_filter_or_on_a_tablet(
    browser, live_server, coverage, width, locale
):
    """On the whole dataset, a table narrower than its columns (a tablet, a laptop where the
    deals list sits beside its filter) becomes one card per row, each value named, rather than
    scrolling its Status column out of sight inside its box. Where its columns fit with room to
    spare (its narrowest width as a table well inside its box), it stays a table: the company
    and vehicle lists at a tablet's width are not made cards by the deals' threshold."""
    context, page = page_of_its_own(browser, width, locale)
    try:
        for path in ("/deals/", "/", "/companies/", "/companies/catl/", "/vehicles/"):
            page.goto(live_server.url + path)
            boxes = page.evaluate(
                """() => [...document.querySelectorAll('.table-scroll')].map(box => {
                    const table = box.querySelector('table');
                    const cards = getComputedStyle(table.querySelector('thead')).position
                        === 'absolute';
                    const hidden = box.scrollWidth - box.clientWidth;
                    table.classList.remove('cards');
                    table.style.width = 'min-content';
                    const natural = table.scrollWidth;
                    table.style.width = '';
                    table.classList.add('cards');
                    return {cards, hidden, natural, width: box.clientWidth};
                })"""
            )
            assert boxes, path
            for box in boxes:
                assert box["hidden"] <= 1, f"{path} hides {box['hidden']} px at {width} px"
                if box["natural"] > box["width"]:
                    assert box["cards"], (path, box)
                if box["natural"] <= box["width"] - 40:
                    assert not box["cards"], (path, box)
    finally:
        context.close()
