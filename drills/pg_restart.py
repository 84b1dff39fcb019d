"""Fault drill: PostgreSQL restarted under load. The site should answer fast 503s (with
Retry-After) while the database is away, no 500 and no hung request, and recover by itself.

    .venv/bin/python drills/pg_restart.py [--rate 10] [--seconds 30] [--restart-at 8]

RESTARTS THE MACHINE'S POSTGRESQL CLUSTER (`pg_ctlcluster ... restart`): every other user of it
loses its connections. Run it alone. Sets up its own database (`partnerships_drill`) and
gunicorn on 127.0.0.1, sends reads (pages and API) and a few writes on a fixed schedule,
restarts PostgreSQL once, and reports: how many requests got 503 and how fast, whether any got
anything else (500, a connection error), when the first request succeeded again after the
restart, and whether every acknowledged write is stored. Figures go to var/drills/pg_restart.json.
"""

import argparse
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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
from load_test import READS


def restart_postgresql(events):
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    events["restart_started"] = time.monotonic()
    subprocess.run(  # noqa: S603 - fixed command
        ["/usr/bin/pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        timeout=60,
        capture_output=True,
    )
    events["restart_finished"] = time.monotonic()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=10, help="requests per second")
    parser.add_argument("--seconds", type=float, default=30, help="how long to send")
    parser.add_argument("--restart-at", type=float, default=8, help="seconds into the load")
    parser.add_argument("--dry-run", action="store_true", help="the load without the restart")
    args = parser.parse_args()
    if not (0 < args.rate <= 100 and 0 < args.seconds <= 120):
        sys.exit("Keep the rate at most 100/s and the duration at most 120 s.")

    env = drill_env()
    print("Setting up the drill database and static files…", flush=True)
    fresh_database(env)
    token = editor_token(env)
    port = free_port()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(env, port, OUT_DIR / "pg_restart_gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    run_id = uuid.uuid4().hex[:8]
    events, results = {}, []
    try:
        for _, path in READS:
            request(base + path, token=token)
        total = int(args.rate * args.seconds)
        print(f"Sending {total} requests over {args.seconds:.0f} s; restart at "
              f"{args.restart_at:.0f} s…", flush=True)  # fmt: skip
        restarter = None
        with ThreadPoolExecutor(max_workers=64) as pool:
            started = time.monotonic()
            futures = []
            for i in range(total):
                at = i / args.rate
                delay = started + at - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                if restarter is None and at >= args.restart_at and not args.dry_run:
                    restarter = threading.Thread(target=restart_postgresql, args=(events,))
                    restarter.start()
                if i % 10 == 9:
                    slug = f"restart-{run_id}-{i}"
                    body = {"slug": slug, "title": f"Restart drill {i}", "kind": "market"}
                    call = (base + "/api/v1/context-events/", "POST", body, token)
                    kind = ("write", slug)
                else:
                    page_or_api, path = READS[i % len(READS)]
                    call = (base + path, "GET", None, token)
                    kind = (page_or_api, None)
                sent = time.monotonic()
                futures.append((kind, sent, pool.submit(request, *call)))
            for kind, sent, future in futures:
                results.append((kind, sent, future.result(timeout=60)))
        if restarter is not None:
            restarter.join(timeout=60)
        acknowledged = [slug for (k, slug), _, r in results if k == "write" and r["status"] == 201]
        found = sum(
            request(f"{base}/api/v1/context-events/{slug}/", token=token)["status"] == 200
            for slug in acknowledged
        )
    finally:
        stop(server)

    if args.dry_run:
        statuses = Counter(r["status"] for _, _, r in results)
        print(f"Dry run, no restart: {dict(statuses)}")
        sys.exit(0 if set(statuses) <= {200, 201} else 1)
    restart_at = events["restart_started"]
    statuses = Counter(r["status"] for _, _, r in results)
    unavailable = [(sent, r) for _, sent, r in results if r["status"] == 503]
    other_errors = [
        (r["status"], r.get("error") or r.get("body", "")[:200])
        for _, _, r in results
        if r["status"] not in {200, 201, 503}
    ]
    last_failure = max((sent for sent, _ in unavailable), default=restart_at)
    first_success_after = min(
        (sent for _, sent, r in results if sent > last_failure and r["status"] in {200, 201}),
        default=None,
    )
    report = {
        "rate_per_second": args.rate,
        "seconds": args.seconds,
        "requests": len(results),
        "statuses": dict(statuses),
        "restart_command_seconds": round(events["restart_finished"] - restart_at, 2),
        "requests_503": len(unavailable),
        "retry_after_present": all(r.get("retry_after") for _, r in unavailable),
        "latency_503_ms": {
            "p50": round(percentile([r["seconds"] * 1000 for _, r in unavailable], 0.5) or 0, 1),
            "max": round(max((r["seconds"] * 1000 for _, r in unavailable), default=0), 1),
        },
        "other_errors": len(other_errors),
        "other_error_samples": other_errors[:10],
        "seconds_from_restart_to_last_503": round(last_failure - restart_at, 2),
        "seconds_from_restart_to_recovery": (
            round(first_success_after - restart_at, 2) if first_success_after else None
        ),
        "writes_acknowledged": len(acknowledged),
        "writes_found_afterwards": found,
    }
    path = write_report("pg_restart", report)
    print("\n| figure | value |\n| --- | --- |")
    for key, value in report.items():
        if key != "other_error_samples":
            print(f"| {key.replace('_', ' ')} | {value} |")
    print(f"\nReport: {path}")
    ok = (
        not other_errors
        and first_success_after is not None
        and report["retry_after_present"]
        and found == len(acknowledged)
        and report["latency_503_ms"]["max"] < 5000
    )
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
