"""Load test on loopback: mixed reads and writes against gunicorn for a fixed time at a fixed
rate, then every write is looked up again.

    .venv/bin/python drills/load_test.py [--rate 20] [--seconds 60] [--write-share 0.2]

Sets up its own PostgreSQL database (`partnerships_drill`, dropped and re-created), serves the
site with gunicorn (4 workers) on 127.0.0.1, and sends requests on a fixed schedule (open loop:
a slow answer does not slow the schedule). Reads are the public pages and the API (with an
editor's token, so the anonymous throttle does not apply); writes create companies and context
events through the API. Passes (exit 0) with zero errors and every acknowledged write found
afterwards; the figures go to var/drills/load_test.json and are printed as a table.
"""

import argparse
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from _support import (
    OUT_DIR,
    drill_env,
    editor_token,
    free_port,
    fresh_database,
    percentile,
    request,
    start_gunicorn,
    stop,
    write_report,
)

READS = [
    ("page", "/"),
    ("page", "/deals/"),
    ("page", "/deals/lges-chery-46-series-cells/"),
    ("page", "/companies/"),
    ("page", "/companies/catl/"),
    ("page", "/vehicles/"),
    ("page", "/sources/"),
    ("page", "/search/?q=CATL"),
    ("api", "/api/v1/deals/"),
    ("api", "/api/v1/deals/calb-hyundai-motor-30gwh/"),
    ("api", "/api/v1/companies/?country=KR"),
    ("api", "/api/v1/stats/"),
    ("api", "/api/v1/timeline/"),
    ("api", "/api/v1/supply-graph/"),
]


def plan(rate, seconds, write_share, run_id):
    """The whole schedule up front: (at seconds, kind, method, path, body)."""
    every = round(1 / write_share) if write_share else 0
    steps = []
    for i in range(int(rate * seconds)):
        at = i / rate
        if every and i % every == every - 1:
            n = i // every
            if n % 2 == 0:
                slug = f"load-{run_id}-{n}"
                body = {
                    "slug": slug,
                    "name": f"Load test {run_id} {n} 현대 宁德 🚗",
                    "country": "KR",
                }
                steps.append((at, "write", "POST", "/api/v1/companies/", body, slug))
            else:
                slug = f"load-event-{run_id}-{n}"
                body = {"slug": slug, "title": f"Load test event {n}", "kind": "market"}
                steps.append((at, "write", "POST", "/api/v1/context-events/", body, slug))
        else:
            kind, path = READS[i % len(READS)]
            steps.append((at, kind, "GET", path, None, None))
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=20, help="requests per second")
    parser.add_argument("--seconds", type=float, default=60, help="how long to send")
    parser.add_argument("--write-share", type=float, default=0.2, help="share of writes")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    if not (0 < args.rate <= 200 and 0 < args.seconds <= 300):
        sys.exit("Keep the rate at most 200/s and the duration at most 300 s.")

    env = drill_env()
    print("Setting up the drill database and static files…", flush=True)
    fresh_database(env)
    token = editor_token(env)
    port = free_port()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(env, port, OUT_DIR / "load_test_gunicorn.log", workers=args.workers)
    base = f"http://127.0.0.1:{port}"
    run_id = uuid.uuid4().hex[:8]
    steps = plan(args.rate, args.seconds, args.write_share, run_id)
    results = []
    try:
        # Warm each worker's caches and imports, as a running site would be.
        for _, path in READS:
            request(base + path, token=token)
        print(f"Sending {len(steps)} requests in {args.seconds:.0f} s to {base}…", flush=True)
        with ThreadPoolExecutor(max_workers=64) as pool:
            started = time.monotonic()
            futures = []
            for at, kind, method, path, body, slug in steps:
                delay = started + at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                future = pool.submit(request, base + path, method, body, token)
                futures.append((kind, method, path, slug, future))
            for kind, method, path, slug, future in futures:
                results.append((kind, method, path, slug, future.result(timeout=60)))
            elapsed = time.monotonic() - started
        written = [(path, slug) for kind, _, path, slug, r in results if kind == "write"]
        acknowledged = [
            (path, slug)
            for kind, _, path, slug, r in results
            if kind == "write" and r["status"] == 201
        ]
        found = sum(
            request(f"{base}{path}{slug}/", token=token)["status"] == 200
            for path, slug in acknowledged
        )
    finally:
        stop(server)

    statuses = Counter(r["status"] for *_, r in results)
    errors = [
        (method, path, r["status"], r.get("error") or r.get("body", "")[:200])
        for kind, method, path, _, r in results
        if not (200 <= r["status"] < 300)
    ]
    report = {
        "rate_per_second": args.rate,
        "seconds": args.seconds,
        "requests": len(results),
        "achieved_rate": round(len(results) / elapsed, 2),
        "elapsed_seconds": round(elapsed, 2),
        "gunicorn_workers": args.workers,
        "reads": sum(1 for k, *_ in results if k != "write"),
        "writes": len(written),
        "writes_acknowledged": len(acknowledged),
        "writes_found_afterwards": found,
        "statuses": dict(statuses),
        "errors": len(errors),
        "error_samples": errors[:10],
    }
    for label, kinds in [
        ("read", {"page", "api"}),
        ("page", {"page"}),
        ("api_read", {"api"}),
        ("write", {"write"}),
    ]:
        times = [r["seconds"] * 1000 for k, *_, r in results if k in kinds]
        report[f"{label}_ms"] = {
            "p50": round(percentile(times, 0.5), 1),
            "p95": round(percentile(times, 0.95), 1),
            "p99": round(percentile(times, 0.99), 1),
            "max": round(max(times), 1),
        }
    by_path = {}
    for _kind, method, path, _, r in results:
        by_path.setdefault(f"{method} {path}", []).append(r["seconds"] * 1000)
    report["p50_ms_by_path"] = {key: round(percentile(v, 0.5), 1) for key, v in by_path.items()}
    path = write_report("load_test", report)
    print("\n| figure | value |\n| --- | --- |")
    for key in ["requests", "elapsed_seconds", "achieved_rate", "reads", "writes",
                "writes_acknowledged", "writes_found_afterwards", "errors"]:  # fmt: skip
        print(f"| {key.replace('_', ' ')} | {report[key]} |")
    for label in ["page", "api_read", "write"]:
        ms = report[f"{label}_ms"]
        print(f"| {label.replace('_', ' ')} latency p50 / p95 / p99 / max (ms) | "
              f"{ms['p50']} / {ms['p95']} / {ms['p99']} / {ms['max']} |")  # fmt: skip
    print(f"\nStatuses: {dict(statuses)}. Report: {path}")
    ok = not errors and found == len(written) == len(acknowledged)
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
