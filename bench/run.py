"""Benchmark every page and API endpoint against PostgreSQL at several dataset sizes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnerships_bench SECRET_KEY=x \\
        .venv/bin/python bench/run.py

For each size it replaces the synthetic dataset (`generate_synthetic --replace`), then:

- in-process with Django's test client: p50/p95 server time, query count and response size of
  each endpoint, uncached (cache cleared before every request) and, for the overview, cached;
- the floor: the very queries Django ran, replayed on a raw psycopg connection, rows serialised
  with orjson; the ratio says what the framework costs on top of the database;
- the CSV export: rows per second and peak RSS growth while it streams;
- gunicorn on loopback under wrk at 16 and 64 connections on the deals API and the overview.

Results go to bench/results.json and bench/results.md. Not part of the test suite: it needs
minutes and a quiet machine. It deletes only synthetic rows; still, point it at a database of
its own.
"""

import argparse
import datetime
import gc
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A production-like configuration: DEBUG off, PostgreSQL, no HTTPS redirect (plain loopback), no
# anonymous throttle (the load generator is one client), local-memory cache unless REDIS_URL.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("API_ANON_RATE", "100000000/minute")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
os.environ.pop("DEBUG", None)

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
import psycopg  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import translation  # noqa: E402

from bench.management.commands.generate_synthetic import (  # noqa: E402
    delete_synthetic,
    generate_synthetic,
)
from bench.synthetic import Sizes  # noqa: E402
from dashboard import aggregates  # noqa: E402
from partnerships import columns  # noqa: E402
from partnerships.models import Company, Deal  # noqa: E402

RESULTS_DIR = ROOT / "bench"
BUDGETS_AT = 200_000
TIME_BUDGET_S = 20


def machine():
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpu_model": cpu,
        "memory_gb": round(total_kb / 1024 / 1024, 1),
        "postgresql": pg_version,
        "python": platform.python_version(),
        "django": django.get_version(),
        "kernel": platform.release(),
        "load_average_at_start": round(os.getloadavg()[0], 2),
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def rss_kb(field):
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"{field}:\s+(\d+)", status).group(1))


def reset_peak_rss():
    """Linux: writing 5 to clear_refs resets VmHWM, so the next peak is this request's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def body_of(response):
    if response.streaming:
        size = 0
        lines = 0
        for part in response.streaming_content:
            size += len(part)
            lines += part.count(b"\n")
        return size, lines
    return len(response.content), response.content.count(b"\n")


class Floor:
    """The same queries on a bare psycopg connection, rows serialised by orjson."""

    def __init__(self):
        settings = connection.settings_dict
        self.connection = psycopg.connect(
            dbname=settings["NAME"],
            user=settings["USER"] or None,
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or None,
            port=settings["PORT"] or None,
            autocommit=True,
        )

    def run(self, statements):
        started = time.perf_counter()
        size = 0
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.encode())
                if cursor.description is not None:
                    size += len(orjson.dumps(cursor.fetchall(), default=_default))
        return time.perf_counter() - started, size


def _default(value):
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError


DECLARE_CURSOR = re.compile(
    r'^\s*DECLARE\s+"?\w+"?\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+', re.S
)


def replayable(sql):
    """The SELECT of a captured statement, or None. A streamed read (`.iterator()`, the
    exports) is captured as the server-side cursor's DECLARE … FOR SELECT: its SELECT counts."""
    sql = DECLARE_CURSOR.sub("", sql, count=1)
    head = sql.lstrip().split(None, 1)[0].upper()
    return sql if head in {"SELECT", "WITH"} else None


def measure(client, floor, name, url, iterations, clear_cache, headers=None):
    headers = headers or {}
    if not clear_cache:
        client.get(url, **headers)  # fills the cache, so that what is captured is a cached answer
    # The first request, under query capture, also warms up (imports, templates, connection).
    with CaptureQueriesContext(connection) as captured:
        if clear_cache:
            cache.clear()
            columns.forget_masks()  # a filter's deals are computed again, as after a write
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        size, lines = body_of(response)
        first = (time.perf_counter() - started, time.process_time() - cpu_started)
    statements = [query["sql"] for query in captured.captured_queries]
    status = response.status_code
    times = []
    cpu = []
    if first[0] > TIME_BUDGET_S:
        # Far over any budget: one sample says enough, and more would take many minutes.
        times, cpu = [first[0]], [first[1]]
    # A slow endpoint gets fewer rounds than asked, so that a 200k run ends in minutes.
    deadline = time.monotonic() + TIME_BUDGET_S
    for _ in range(iterations if not times else 0):
        if times and time.monotonic() > deadline:
            break
        if clear_cache:
            cache.clear()
            columns.forget_masks()  # a filter's deals are computed again, as after a write
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        body_of(response)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    floor_times = []
    replay = [select for select in map(replayable, statements) if select]
    deadline = time.monotonic() + TIME_BUDGET_S
    for _ in range(iterations):
        if floor_times and time.monotonic() > deadline:
            break
        elapsed, _size = floor.run(replay)
        floor_times.append(elapsed)
    result = {
        "endpoint": name,
        "url": url,
        "status": status,
        "cached": not clear_cache,
        "iterations": len(times),
        "p50_ms": round(statistics.median(times) * 1000, 2),
        "p95_ms": round(percentile(times, 0.95) * 1000, 2),
        "cpu_p50_ms": round(statistics.median(cpu) * 1000, 2),
        "queries": len(statements),
        "bytes": size,
        "floor_p50_ms": round(statistics.median(floor_times) * 1000, 2),
        "floor_p95_ms": round(percentile(floor_times, 0.95) * 1000, 2),
    }
    result["ratio_p95"] = round(result["p95_ms"] / max(result["floor_p95_ms"], 0.01), 1)
    return result


def measure_export(client, floor, name, url, iterations):
    """Times and counts the export like any endpoint, then streams it in fresh processes for
    rows/s and the peak RSS growth: in this process, memory freed by earlier requests would
    hide the export's own growth."""
    result = measure(client, floor, name, url, iterations, clear_cache=True)
    probes = []
    for _ in range(min(iterations, 2)):
        output = subprocess.run(  # noqa: S603
            [sys.executable, str(Path(__file__).resolve()), "--probe-export", url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        probes.append(json.loads(output.strip().splitlines()[-1]))
    result["rows"] = probes[0]["rows"]
    result["rows_per_s"] = round(statistics.median(p["rows_per_s"] for p in probes))
    growths = [p["peak_rss_growth_mb"] for p in probes if p["peak_rss_growth_mb"] is not None]
    result["peak_rss_growth_mb"] = round(max(growths), 1) if growths else None
    return result


def probe_export(url):
    """One export streamed by a fresh process: rows/s and how far RSS peaked above its start."""
    client = Client()
    client.get("/api/v1/deals/?limit=1")  # imports, connection, URL resolver
    before = rss_kb("VmRSS")
    tracked = reset_peak_rss()
    started = time.perf_counter()
    response = client.get(url)
    _size, lines = body_of(response)
    elapsed = time.perf_counter() - started
    growth = (rss_kb("VmHWM") - before) / 1024 if tracked else None
    print(
        json.dumps(
            {"rows": lines - 1, "rows_per_s": (lines - 1) / elapsed, "peak_rss_growth_mb": growth}
        )
    )


def pick_examples():
    deal = (
        Deal.objects.filter(slug__startswith="syn-")
        .annotate(n=Count("parties"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    giant = (
        Company.objects.filter(slug__startswith="syn-")
        .annotate(n=Count("deal_parties"))
        .order_by("-n", "slug")
        .values_list("slug", flat=True)
        .first()
    )
    dated = list(
        Deal.objects.filter(announced_on__isnull=False)
        .order_by("-announced_on")
        .values_list("announced_on", flat=True)[:100_000]
    )
    export_after = dated[-1].isoformat() if dated else "2000-01-01"
    return deal, giant, export_after


def in_process(size, iterations, only=()):
    client = Client()
    floor = Floor()
    deal, giant, export_after = pick_examples()
    client.get("/api/v1/deals/?limit=1")  # imports and URL resolver, as a worker has at start
    gc.freeze()  # as config/wsgi.py does once the application is loaded
    filters = "country_pair=KR-CN&status_group=agreed&min_gwh=1"
    endpoints = [
        ("overview /", "/", True),
        ("deals page /deals/", "/deals/", True),
        ("deals page, filtered", f"/deals/?{filters}", True),
        ("deal page", f"/deals/{deal}/", True),
        ("company page (biggest)", f"/companies/{giant}/", True),
        ("API deals list", "/api/v1/deals/", True),
        ("API deals list, filtered", f"/api/v1/deals/?{filters}", True),
        ("API deals list, search", "/api/v1/deals/?q=energy", True),
        ("API deal detail", f"/api/v1/deals/{deal}/", True),
        ("API supply-graph", "/api/v1/supply-graph/", True),
        ("API supply-graph, filtered", f"/api/v1/supply-graph/?{filters}", True),
        ("API timeline", "/api/v1/timeline/", True),
        ("API timeline, filtered", f"/api/v1/timeline/?{filters}", True),
        ("API stats", "/api/v1/stats/", True),
        ("overview / (cached)", "/", False),
        ("API deals list (cached)", "/api/v1/deals/", False),
    ]
    results = []

    def wanted(name):
        return not only or any(part in name for part in only)

    endpoints = [item for item in endpoints if wanted(item[0])]
    for name, url, uncached in endpoints:
        count = iterations if not name.startswith("overview") or not uncached else iterations // 2
        results.append(measure(client, floor, name, url, max(3, count), clear_cache=uncached))
        print(f"  {size:>7} {name:<28} p95 {results[-1]['p95_ms']:>8} ms", flush=True)
    # Conditional GET: a client holding the ETag gets a 304 without the rows being read.
    etag = client.get("/api/v1/deals/").get("ETag")
    if etag and wanted("API deals list, If-None-Match"):
        headers = {"HTTP_IF_NONE_MATCH": etag}
        results.append(
            measure(
                client,
                floor,
                "API deals list, If-None-Match",
                "/api/v1/deals/",
                iterations,
                False,
                headers,
            )
        )
    export = f"/api/v1/deals/?format=csv&announced_after={export_after}"
    if wanted("API CSV export"):
        results.append(
            measure_export(client, floor, "API CSV export", export, 3 if size > 50_000 else 5)
        )
        print(
            f"  {size:>7} CSV export {results[-1]['rows']} rows {results[-1]['rows_per_s']} rows/s",
            flush=True,
        )
    floor.connection.close()
    return results


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_wrk(output):
    def grab(pattern, cast=float, default=None):
        match = re.search(pattern, output)
        return cast(match.group(1)) if match else default

    def ms(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    p99 = re.search(r"99%\s+([\d.]+(?:us|ms|s))", output)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    errors += grab(r"Non-2xx or 3xx responses: (\d+)", int, 0)
    return {
        "requests_per_s": grab(r"Requests/sec:\s+([\d.]+)"),
        "p99_ms": round(ms(p99.group(1)), 2) if p99 else None,
        "requests": grab(r"(\d+) requests in", int),
        "errors": errors,
    }


def under_load(seconds, workers):
    """gunicorn on loopback, wrk at 16 and 64 connections. None when wrk is not installed."""
    wrk = shutil.which("wrk")
    if not wrk:
        print("  wrk not found (apt-get install -y wrk): throughput skipped", flush=True)
        return None
    port = free_port()
    env = {**os.environ}
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    results = []
    try:
        base = f"http://127.0.0.1:{port}"
        # The master binds at once; the workers answer only once Django has loaded.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/api/v1/deals/", timeout=30) as answer:  # noqa: S310
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        for path in ("/api/v1/deals/", "/"):
            # Warm every worker: imports, connections, the overview's cache.
            subprocess.run(  # noqa: S603
                [wrk, "-t1", f"-c{workers * 2}", "-d5s", "--timeout", "10s", base + path],
                capture_output=True,
                check=False,
            )
            for connections in (16, 64):
                output = subprocess.run(  # noqa: S603
                    [
                        wrk,
                        "-t2",
                        f"-c{connections}",
                        f"-d{seconds}s",
                        "--timeout",
                        "10s",
                        "--latency",
                        base + path,
                    ],
                    capture_output=True,
                    text=True,
                    check=False,
                ).stdout
                result = {"path": path, "connections": connections, **parse_wrk(output)}
                # Sync workers finish requests whose client has gone; let them drain so the
                # next run does not start behind a queue.
                time.sleep(seconds)
                results.append(result)
                print(
                    f"  load {path:<16} c={connections:<3} {result['requests_per_s']} req/s "
                    f"p99 {result['p99_ms']} ms errors {result['errors']}",
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            # Workers still busy with slow requests past the graceful timeout.
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    return results


def budgets(results_by_size):
    """The issue's budgets, checked at the largest size measured (200k deals when run fully)."""
    size = max(results_by_size)
    rows = {item["endpoint"]: item for item in results_by_size[size]["endpoints"]}
    checks = []

    def check(label, value, limit, ok):
        checks.append({"budget": label, "value": value, "limit": limit, "met": bool(ok)})

    def p95(name):
        return rows[name]["p95_ms"] if name in rows else None

    def at_most(value, limit):
        return value is not None and value <= limit

    check("API list p95 (ms)", p95("API deals list"), 25, at_most(p95("API deals list"), 25))
    ratio = rows.get("API deals list", {}).get("ratio_p95")
    check("API list p95 / floor p95", ratio, 3, at_most(ratio, 3))
    check("overview uncached p95 (ms)", p95("overview /"), 150, at_most(p95("overview /"), 150))
    cached = p95("overview / (cached)")
    check("overview cached p95 (ms)", cached, 15, at_most(cached, 15))
    for name in ("API supply-graph", "API timeline"):
        check(f"{name} p95 (ms)", p95(name), 100, at_most(p95(name), 100))
    generated = results_by_size[size].get("generate", {})
    speed = generated.get("rows_per_s")
    check("generator rows/s", speed, 50_000, speed is not None and speed >= 50_000)
    export = rows.get("API CSV export", {})
    speed = export.get("rows_per_s")
    check("CSV export rows/s", speed, 20_000, speed is not None and speed >= 20_000)
    growth = export.get("peak_rss_growth_mb")
    check("CSV export peak RSS growth (MB)", growth, 50, growth is not None and growth < 50)
    sizes = sorted(results_by_size)
    for name in rows:
        if name == "API CSV export":
            continue  # exports read in fixed-size chunks: queries grow with rows by design
        counts = {
            s: next(
                (r["queries"] for r in results_by_size[s]["endpoints"] if r["endpoint"] == name),
                None,
            )
            for s in sizes
        }
        values = set(counts.values())
        check(f"queries of {name} equal at every size", counts, "equal", len(values) == 1)
    for load in results_by_size[size].get("load") or []:
        check(
            f"load {load['path']} c={load['connections']} errors",
            load["errors"],
            0,
            load["errors"] == 0 and (load["requests"] or 0) > 0,
        )
    return size, checks


def markdown(report):
    info = report["machine"]
    lines = [
        "# Benchmark results",
        "",
        f"Run {info['date']} on {info['cpus']} × {info['cpu_model']}, {info['memory_gb']} GB RAM, "
        f"PostgreSQL {info['postgresql']}, Python {info['python']}, Django {info['django']}; "
        f"load average at start {info['load_average_at_start']}.",
        "",
        "Server time is measured in-process (Django test client, full middleware stack, no "
        "network); *uncached* requests start from an empty cache (Django's cache cleared before "
        "each; the precomputed aggregates and the deals' columns in memory current, as the "
        "worker leaves them after a write — *filtered* aggregates are computed by the request "
        "itself, their filter evaluated again). *Floor*: the same SQL on a raw "
        "psycopg connection, rows serialised with orjson; ratio = p95 / floor p95 (for the "
        "aggregates counted in memory, the floor holds only the SQL they still run). *CPU*: CPU "
        "time of the Django process alone (excludes PostgreSQL), steadier than wall time on a "
        "busy machine.",
        "",
    ]
    for size, block in sorted(report["sizes"].items(), key=lambda item: int(item[0])):
        gen = block["generate"]
        made = (
            "Synthetic data reused from the previous run."
            if gen.get("reused")
            else f"Generated {gen['rows']:,} rows in {gen['seconds']} s "
            f"({gen['rows_per_s']:,} rows/s)."
        )
        measured = block.get("measured", {})
        refreshed = block.get("aggregates_refresh_ms")
        if refreshed:
            parts = ", ".join(f"{k} {v:,}" for k, v in refreshed.items() if k != "total")
            made += (
                f" Aggregates precomputed in {refreshed['total']:,} ms ({parts} ms), as the "
                "worker does after writes."
                if parts
                else " The precomputed aggregates were current already."
            )
        lines += [
            f"## {int(size):,} deals",
            "",
            f"Measured {measured.get('date', '?')}, load average {measured.get('load_average')}. "
            + made,
            "",
            "| endpoint | p50 ms | p95 ms | CPU p50 ms | queries | bytes | floor p95 ms | ratio |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in block["endpoints"]:
            lines.append(
                f"| {row['endpoint']} | {row['p50_ms']} | {row['p95_ms']} | {row['cpu_p50_ms']} | "
                f"{row['queries']} | "
                f"{row['bytes']:,} | {row['floor_p95_ms']} | {row['ratio_p95']} |"
            )
        export = next((r for r in block["endpoints"] if r["endpoint"] == "API CSV export"), None)
        lines.append("")
        if export:
            lines += [
                f"CSV export: {export['rows']:,} rows, {export['rows_per_s']:,} rows/s, peak RSS "
                f"growth {export['peak_rss_growth_mb']} MB.",
                "",
            ]
        if block.get("load"):
            lines += [
                "| load (gunicorn, wrk) | connections | requests/s | p99 ms | errors |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            for load in block["load"]:
                lines.append(
                    f"| {load['path']} | {load['connections']} | {load['requests_per_s']} | "
                    f"{load['p99_ms']} | {load['errors']} |"
                )
            lines.append("")
    size, checks = report["budgets"]
    lines += [f"## Budgets at {int(size):,} deals", "", "| budget | value | limit | met |"]
    lines.append("| --- | --- | --- | --- |")
    for item in checks:
        value = item["value"]
        if isinstance(value, dict):
            value = ", ".join(f"{k:,}: {v}" for k, v in value.items())
        lines.append(
            f"| {item['budget']} | {value} | {item['limit']} | {'yes' if item['met'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000,200000", help="Deal counts, comma-separated."
    )
    parser.add_argument("--iterations", type=int, default=30, help="Requests per endpoint.")
    parser.add_argument("--load-seconds", type=int, default=10, help="wrk duration per run.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-load", action="store_true", help="Skip the gunicorn/wrk part.")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep synthetic data already of the asked size."
    )
    parser.add_argument(
        "--only",
        type=lambda value: [part for part in value.split(",") if part],
        default=[],
        help="Measure only endpoints whose name contains one of these (comma-separated).",
    )
    parser.add_argument("--output", default=str(RESULTS_DIR / "results"), help="Path stem.")
    parser.add_argument("--probe-export", help=argparse.SUPPRESS)
    parser.add_argument(
        "--merge", action="store_true", help="Add to the sizes already in the results file."
    )
    args = parser.parse_args()
    if args.probe_export:
        return probe_export(args.probe_export)
    if connection.vendor != "postgresql":
        parser.error("set DATABASE_URL to a PostgreSQL database made for benchmarking")

    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not Deal.objects.filter(slug__startswith="syn-").exists():
        # load_fixtures gives every row without history a first version; with synthetic rows
        # present that would be a million history rows, so the article is loaded before them.
        call_command("load_fixtures", verbosity=0)
    report = {"machine": machine(), "sizes": {}}
    stem = Path(args.output)
    if args.merge and stem.with_suffix(".json").exists():
        earlier = json.loads(stem.with_suffix(".json").read_text())
        report["sizes"] = earlier["sizes"]
        report["machine"]["earlier_runs"] = [earlier["machine"]]
    sizes = [int(value) for value in args.sizes.split(",")]
    for size in sizes:
        if args.reuse and Deal.objects.filter(slug__startswith="syn-").count() == size:
            print(f"{size} deals: reusing the synthetic data in the database", flush=True)
            generated = {"reused": True}
        else:
            print(f"{size} deals: generating", flush=True)
            delete_synthetic()
            started = time.perf_counter()
            with translation.override("en"):
                rows = sum(generate_synthetic(Sizes.scaled(size), seed=args.seed).values())
            seconds = time.perf_counter() - started
            generated = {
                "seconds": round(seconds, 1),
                "rows": rows,
                "rows_per_s": round(rows / seconds),
            }
        # What the worker does after every write: precompute the unfiltered aggregates.
        started = time.perf_counter()
        refreshed = aggregates.refresh()
        refreshed["total"] = round((time.perf_counter() - started) * 1000)
        print(f"  aggregates precomputed in {refreshed['total']} ms", flush=True)
        cache.clear()
        block = {
            "aggregates_refresh_ms": refreshed,
            "measured": {
                "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "load_average": round(os.getloadavg()[0], 2),
            },
            "generate": generated,
            "endpoints": in_process(size, args.iterations, args.only),
        }
        if not args.no_load:
            block["load"] = under_load(args.load_seconds, args.workers)
        report["sizes"][str(size)] = block
        # Written after every size, so a long run that is stopped keeps what it measured.
        report["budgets"] = budgets({int(k): v for k, v in report["sizes"].items()})
        stem.with_suffix(".json").write_text(json.dumps(report, indent=2, default=str) + "\n")
        stem.with_suffix(".md").write_text(markdown(report))
        print(f"Wrote {stem.with_suffix('.md')} and {stem.with_suffix('.json')}", flush=True)


if __name__ == "__main__":
    main()
