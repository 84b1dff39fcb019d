"""EXPLAIN ANALYZE of the real queries behind each endpoint, to choose indexes from.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/partnerships_bench SECRET_KEY=x \\
        .venv/bin/python bench/explain.py [--min-ms 5] [--output bench/explain.txt]

Runs each endpoint once in-process, captures the SQL Django sent, and prints the plan of every
query slower than --min-ms (with buffers), slowest first per endpoint. Use it on a database
filled by `generate_synthetic --deals 200000`; record conclusions in bench/INDEXES.md.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("API_ANON_RATE", "100000000/minute")
os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import is_replayable, pick_examples  # noqa: E402


def endpoints():
    deal, giant, export_after = pick_examples()
    filters = "country_pair=KR-CN&status_group=agreed&min_gwh=1"
    return [
        ("overview", "/"),
        ("deals page", "/deals/"),
        ("deal page", f"/deals/{deal}/"),
        ("company page", f"/companies/{giant}/"),
        ("API deals list", "/api/v1/deals/"),
        ("API deals list, filtered", f"/api/v1/deals/?{filters}"),
        ("API deals list, search", "/api/v1/deals/?q=energy"),
        ("API deal detail", f"/api/v1/deals/{deal}/"),
        ("API supply-graph", "/api/v1/supply-graph/"),
        ("API timeline", "/api/v1/timeline/"),
        ("API stats", "/api/v1/stats/"),
        ("API CSV export", f"/api/v1/deals/?format=csv&announced_after={export_after}"),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-ms", type=float, default=5.0)
    parser.add_argument("--only", help="Substring of the endpoint names to explain.")
    parser.add_argument("--output", help="Write here instead of stdout.")
    args = parser.parse_args()
    client = Client()
    out = []
    for name, url in endpoints():
        if args.only and args.only not in name:
            continue
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                for _ in response.streaming_content:
                    pass
        statements = [q["sql"] for q in captured.captured_queries if is_replayable(q["sql"])]
        out.append(f"## {name}: {url} ({len(captured)} queries)\n")
        plans = []
        seen = set()
        with connection.cursor() as cursor:
            for sql in statements:
                if sql in seen:
                    continue
                seen.add(sql)
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else plan
                total = plan["Execution Time"] + plan.get("Planning Time", 0)
                if total >= args.min_ms:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    text = "\n".join(row[0] for row in cursor.fetchall())
                    plans.append((total, sql, text))
        for total, sql, text in sorted(plans, key=lambda item: -item[0]):
            out.append(f"### {total:.1f} ms\n\n```sql\n{sql[:1500]}\n```\n\n```\n{text}\n```\n")
    report = "\n".join(out)
    if args.output:
        Path(args.output).write_text(report)
    else:
        print(report)


if __name__ == "__main__":
    main()
