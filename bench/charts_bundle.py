"""The overview's JavaScript, old against new, in one run on this machine.

    .venv/bin/python bench/charts_bundle.py [--runs 5] [--cpu-slowdown 4]

"Old" is the full plotly.js the site served before (the file the `plotly` Python package ships,
the same release); "new" is static/vendor/plotly/plotly-custom.min.js (scripts/build_plotly).
For each it reports the JavaScript the overview transfers (raw and gzipped at level 6, as
GZipMiddleware sends it) and, in headless Chromium (Debian's, via Playwright), the time from
navigation to the first chart drawn and to every chart drawn, over `--runs` cold loads each,
alternating old and new so that a busy machine slows both alike. The overview's HTML is the
real page (the founding article in a throwaway SQLite database), saved once with its script tag
pointing at either bundle and served from a local directory. Results go to
bench/charts_bundle.json and bench/charts_bundle.md.
"""

import argparse
import functools
import gzip
import http.server
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
NEW = "vendor/plotly/plotly-custom.min.js"
OLD = "vendor/plotly/plotly.min.js"


def overview_html(workdir: Path) -> str:
    """The overview as a first visitor gets it, from a fresh database with the article's facts."""
    os.environ.pop("DATABASE_URL", None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        TESTING="1",
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        SECRET_KEY=os.environ.get("SECRET_KEY", "bench-only"),  # noqa: S106 (throwaway db)
        SQLITE_PATH=str(workdir / "bench.sqlite3"),
        LOG_LEVEL="WARNING",
        ALLOWED_HOSTS="testserver",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    response = Client().get("/")
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def js_bytes(site: Path, html: str) -> dict:
    """The scripts the page loads, raw and gzipped."""
    import re

    scripts = re.findall(r'<script src="/static/([^"]+)"', html)
    raw = sum((site / "static" / path).stat().st_size for path in scripts)
    zipped = sum(gz((site / "static" / path).read_bytes()) for path in scripts)
    return {"scripts": scripts, "raw": raw, "gzip": zipped}


def serve(directory: Path):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def time_load(browser, url: str, cpu_slowdown: float) -> dict:
    """Milliseconds from navigation to the first chart drawn and to all of them drawn."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if cpu_slowdown > 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": cpu_slowdown})
    page.goto(url, wait_until="commit")
    # The timeline is below the fold: charts draw as they come into view, so bring it in.
    page.locator("#timeline-chart").scroll_into_view_if_needed()
    page.wait_for_selector("#timeline-chart[data-drawn]", state="attached", timeout=120_000)
    first = page.evaluate("performance.now()")
    for figure in page.locator("figure.chart").all():
        figure.scroll_into_view_if_needed()
    page.wait_for_selector("body[data-charts-ready='true']", state="attached", timeout=120_000)
    every = page.evaluate("performance.now()")
    context.close()
    return {"first_chart_ms": round(first), "all_charts_ms": round(every)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--cpu-slowdown", type=float, default=4, help="Chromium CPU throttling")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        html = overview_html(tmp)
        site = tmp / "site"
        shutil.copytree(ROOT / "static", site / "static")
        import plotly

        full = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        shutil.copy(full, site / "static" / OLD)
        (site / "new.html").write_text(html)
        (site / "old.html").write_text(html.replace(NEW, OLD))
        sizes = {
            "old": js_bytes(site, (site / "old.html").read_text()),
            "new": js_bytes(site, html),
        }
        server = serve(site)
        base = f"http://127.0.0.1:{server.server_address[1]}"
        timings = {"old": [], "new": []}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            time_load(browser, f"{base}/new.html", 1)  # warms the disk cache of the machine
            for _run in range(args.runs):
                for name in ("old", "new"):
                    timings[name].append(
                        time_load(browser, f"{base}/{name}.html", args.cpu_slowdown)
                    )
            browser.close()
        server.shutdown()

    result = {"runs": args.runs, "cpu_slowdown": args.cpu_slowdown, "variants": {}}
    for name in ("old", "new"):
        first = [t["first_chart_ms"] for t in timings[name]]
        every = [t["all_charts_ms"] for t in timings[name]]
        result["variants"][name] = {
            **sizes[name],
            "first_chart_ms_median": statistics.median(first),
            "all_charts_ms_median": statistics.median(every),
            "first_chart_ms": first,
            "all_charts_ms": every,
        }
    old, new = result["variants"]["old"], result["variants"]["new"]
    lines = [
        f"Overview JavaScript, old (full plotly.js) against new (custom bundle): {args.runs} cold "
        f"loads each, alternating, Chromium CPU slowed {args.cpu_slowdown:g}×.",
        "",
        "| | JS raw | JS gzipped | first chart drawn (median) | all charts drawn (median) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, variant in (("old", old), ("new", new)):
        lines.append(
            f"| {name} | {variant['raw'] / 1024:,.0f} KB | {variant['gzip'] / 1024:,.0f} KB "
            f"| {variant['first_chart_ms_median']:,.0f} ms "
            f"| {variant['all_charts_ms_median']:,.0f} ms |"
        )
    lines.append(
        f"| new / old | {new['raw'] / old['raw']:.2f} | {new['gzip'] / old['gzip']:.2f} "
        f"| {new['first_chart_ms_median'] / old['first_chart_ms_median']:.2f} "
        f"| {new['all_charts_ms_median'] / old['all_charts_ms_median']:.2f} |"
    )
    (ROOT / "bench" / "charts_bundle.json").write_text(json.dumps(result, indent=2) + "\n")
    (ROOT / "bench" / "charts_bundle.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
