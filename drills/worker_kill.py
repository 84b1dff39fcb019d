"""Fault drill: a Celery worker killed in the middle of reading an article. The task must run
again by itself and leave exactly the drafts one clean run leaves: none lost, none doubled.

    .venv/bin/python drills/worker_kill.py

Uses the machine's Redis (127.0.0.1:6379, database 15, a queue of its own) and an SQLite file
under var/drills/, so nothing else is disturbed. Two scenarios:

1. The worker's pool process is killed (SIGKILL, as the kernel's OOM killer would): the task is
   handed back at once (task_reject_on_worker_lost) and run again by the respawned process.
2. The whole worker is killed (SIGKILL to the main process and its pool): the task was never
   acknowledged (acks_late), so Redis hands it to the next worker once its visibility timeout
   (CELERY_VISIBILITY_TIMEOUT, 10 s here, 900 s by default) has passed.

Each article is large enough (about 200 kB) that reading it takes seconds, so the kill lands
mid-task. Figures go to var/drills/worker_kill.json.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "drills"
DATABASE = OUT_DIR / "worker_kill.sqlite3"
QUEUE = f"drill-{uuid.uuid4().hex[:8]}"
ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "SQLITE_PATH": str(DATABASE),
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/15",
    "CELERY_VISIBILITY_TIMEOUT": "10",
    "TESTING": "1",
    "PYTHONPATH": str(BASE_DIR),
}
DEADLINE_SECONDS = 120


def start_worker(log):
    return subprocess.Popen(  # noqa: S603 - fixed command
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            f"--queues={QUEUE}",
            f"--hostname={QUEUE}-{time.monotonic_ns()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--logfile={log}",
        ],
        cwd=BASE_DIR,
        env={**os.environ, **ENV},
        start_new_session=True,
    )


def wait_for(condition, what, seconds=DEADLINE_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return time.monotonic()
        time.sleep(0.1)
    raise SystemExit(f"Timed out after {seconds} s waiting for {what}.")


def pool_children(worker):
    out = subprocess.run(  # noqa: S603 - fixed command
        ["/usr/bin/pgrep", "-P", str(worker.pid)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in out.stdout.split()]


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def big_article(tag):
    text = Path(BASE_DIR / "fixtures" / "sources" / "000_e2c2a161a104c2fc.txt").read_text()
    return {
        "title": f"Worker drill {tag}",
        "kind": "article",
        "publisher": "Drill",
        "text": f"Drill {tag}.\n\n" + "\n\n".join([text] * 60),
    }


def expected_drafts(source):
    """How many drafts one clean reading of the article makes: distinct candidates."""
    from ingest.extract import extract
    from ingest.matching import CompanyIndex
    from ingest.services import _published

    extraction = extract(source.text, _published(source), CompanyIndex.from_database())
    return len({c.fingerprint for c in extraction.companies}) + len(
        {d.fingerprint for d in extraction.deals}
    )


def scenario(name, kill, log):
    from django.db.models import Count

    from ingest.models import Draft, IngestionRun
    from partnerships import services

    article = big_article(f"{name}-{uuid.uuid4().hex[:6]}")
    worker = start_worker(log)
    workers = [worker]
    try:
        wait_for(lambda: log.exists() and "ready." in log.read_text(), "the worker to start")
        source, _ = services.source_submit(fields=article)
        run = IngestionRun.objects.get(source=source)

        def running():
            run.refresh_from_db()
            return run.status == IngestionRun.Status.RUNNING

        wait_for(running, "the task to start")
        time.sleep(0.5)
        killed_at = time.monotonic()
        run.refresh_from_db()
        state_at_kill = run.status
        if kill == "pool":
            for pid in pool_children(worker):
                os.kill(pid, signal.SIGKILL)
        else:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            worker = start_worker(log)
            workers.append(worker)

        def finished():
            run.refresh_from_db()
            return run.status in (IngestionRun.Status.DONE, IngestionRun.Status.FAILED) and (
                run.attempts >= 2
            )

        done_at = wait_for(finished, "the task to run again")
        drafts = Draft.objects.filter(source=source)
        doubled = drafts.values("fingerprint").annotate(n=Count("id")).filter(n__gt=1).count()
        result = {
            "kill": kill,
            "status_when_killed": state_at_kill,
            "final_status": run.status,
            "error": run.error,
            "attempts": run.attempts,
            "seconds_from_kill_to_done": round(done_at - killed_at, 2),
            "drafts": drafts.count(),
            "drafts_expected": expected_drafts(source),
            "fingerprints_doubled": doubled,
            "runs_for_source": IngestionRun.objects.filter(source=source).count(),
        }
        result["ok"] = (
            result["final_status"] == IngestionRun.Status.DONE
            and result["status_when_killed"] == IngestionRun.Status.RUNNING
            and result["drafts"] == result["drafts_expected"]
            and doubled == 0
            and result["runs_for_source"] == 1
        )
        return result
    finally:
        for process in workers:
            stop(process)


def main():
    os.environ.update(ENV)
    sys.path.insert(0, str(BASE_DIR))
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    DATABASE.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    from config.celery import app

    call_command("migrate", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    app.conf.update(task_default_queue=QUEUE)
    results = []
    for name, kill in [("pool-process", "pool"), ("whole-worker", "all")]:
        print(f"Scenario: {name} killed mid-task…", flush=True)
        results.append({"scenario": name, **scenario(name, kill, OUT_DIR / f"worker_{name}.log")})
    import json

    (OUT_DIR / "worker_kill.json").write_text(json.dumps(results, indent=2))
    print("\n| scenario | state when killed | attempts | seconds to done | drafts | expected | "
          "doubled |\n| --- | --- | --- | --- | --- | --- | --- |")  # fmt: skip
    for r in results:
        print(f"| {r['scenario']} | {r['status_when_killed']} | {r['attempts']} | "
              f"{r['seconds_from_kill_to_done']} | {r['drafts']} | {r['drafts_expected']} | "
              f"{r['fingerprints_doubled']} |")  # fmt: skip
    ok = all(r["ok"] for r in results)
    print("PASS" if ok else f"FAIL: {results}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
