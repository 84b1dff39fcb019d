"""The whole pipeline through a real Celery worker process and the machine's real Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app
from ingest import services as ingest_services
from ingest.models import Draft, IngestionRun
from partnerships import services
from partnerships.models import Deal

pytestmark = pytest.mark.django_db(transaction=True)

WAIT_SECONDS = 60


def worker_database_env():
    """Environment that points a subprocess at this test run's database."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        assert "memory" not in str(name), "the worker needs a file database"
        return {"SQLITE_PATH": str(name)}
    parts = urlsplit(os.environ["DATABASE_URL"])
    return {"DATABASE_URL": urlunsplit(parts._replace(path=f"/{name}"))}


@pytest.fixture
def worker(broker, tmp_path):
    """A `celery -A config worker` process on its own queue, and this process's Celery
    app sending to it through Redis instead of running tasks in-process."""
    yield from run_worker(broker, tmp_path)


def run_worker(broker, tmp_path, pool="solo", extra_env=None):
    """The `worker` fixture's body; `pool` prefork enforces time limits (solo cannot)."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        **worker_database_env(),
        "CELERY_BROKER_URL": broker,
        "TESTING": "1",
        "PYTHONPATH": str(settings.BASE_DIR),
        **(extra_env or {}),
    }
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            f"--queues={queue}",
            f"--hostname={queue}@%h",
            "--loglevel=INFO",
            f"--logfile={log}",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    saved = {
        key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")
    }
    app.conf.update(broker_url=broker, task_always_eager=False, task_default_queue=queue)
    _forget_connections()
    try:
        _wait_until(lambda: log.exists() and "ready." in log.read_text(), process, log)
        yield process, log
    finally:
        app.conf.update(saved)
        _forget_connections()
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _forget_connections():
    """Drop the app's cached producer pool and queue routing, built for the settings before."""
    app._pool = None
    app.__dict__.pop("amqp", None)


def _wait_until(condition, process, log: Path, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        if process.poll() is not None:
            pytest.fail(f"The worker exited ({process.returncode}):\n{_tail(log)}")
        time.sleep(0.2)
    pytest.fail(f"Timed out after {seconds}s waiting for the worker:\n{_tail(log)}")


def _tail(log: Path):
    return log.read_text()[-3000:] if log.exists() else "(no log)"


def test_an_article_is_read_by_the_real_worker_and_approved(
    worker, known_companies, article_fields
):
    """An article submitted here is read by a separate worker process through Redis: its run
    goes queued → done, drafts appear, an approved draft becomes a deal, and submitting the
    same article again queues nothing and creates no drafts."""
    process, log = worker
    source, created = services.source_submit(fields=article_fields)
    assert created
    run = IngestionRun.objects.get(source=source)
    assert run.task_id, "the task was sent to the broker, not run in-process"

    def done():
        run.refresh_from_db()
        return run.status in (IngestionRun.Status.DONE, IngestionRun.Status.FAILED)

    _wait_until(done, process, log)
    assert run.status == IngestionRun.Status.DONE, run.error
    assert run.started_at is not None and run.drafts_created > 0
    assert "ingest_source" in log.read_text()

    count = Draft.objects.filter(source=source).count()
    assert count == run.drafts_created
    again, created = services.source_submit(fields=article_fields)
    assert again == source and not created
    assert IngestionRun.objects.filter(source=source).count() == 1

    draft = Draft.objects.filter(source=source, kind="deal").order_by("id").first()
    ingest_services.draft_approve(draft=draft)
    assert Deal.objects.filter(parties__company__slug="dragon-motors").exists()


def test_a_run_read_again_by_the_worker_adds_no_drafts(worker, known_companies, article_fields):
    """Reading an article a second time on the worker finds its drafts and adds none."""
    process, log = worker
    source, _ = services.source_submit(fields=article_fields)
    first = IngestionRun.objects.get(source=source)
    _wait_until(lambda: IngestionRun.objects.get(pk=first.pk).status == "done", process, log)
    count = Draft.objects.filter(source=source).count()

    second = ingest_services.ingestion_enqueue(source=source)
    _wait_until(lambda: IngestionRun.objects.get(pk=second.pk).status == "done", process, log)
    assert Draft.objects.filter(source=source).count() == count
    assert IngestionRun.objects.get(pk=second.pk).drafts_created == 0


@pytest.mark.parametrize(
    ("language", "text", "names", "money"),
    [
        (
            "ko",
            "국내 배터리 소재기업 한결소재와 중국 배터리업체 푸젠하이촨전지가 합작법인을 세우기로 "
            "지난달 합의했다. 양사는 2000억원을 투자해 연산 2만t 규모의 양극재 공장을 짓는다.",
            {"한결소재", "푸젠하이촨전지"},
            ("200000000000.00", "KRW"),
        ),
        (
            "zh",
            "浙江瑞丰锂能与韩国罗莱能源上个月签署合资协议，双方计划总投资18亿元，在江苏常州建设"
            "年产能12GWh的电池工厂。",
            {"浙江瑞丰锂能", "罗莱能源"},
            ("1800000000.00", "CNY"),
        ),
    ],
)
def test_korean_and_chinese_articles_through_the_real_worker(
    worker, article_fields, language, text, names, money
):
    """A Korean and a Chinese article about companies the database has never seen: the worker
    proposes both companies by their native names and a joint venture between them, with its
    money in its currency and the month it was agreed."""
    process, log = worker
    fields = {**article_fields, "url": f"https://news.example.org/{language}", "text": text}
    fields.update(language=language, published_on=__import__("datetime").date(2026, 5, 14))
    source, _ = services.source_submit(fields=fields)
    run = IngestionRun.objects.get(source=source)
    _wait_until(lambda: IngestionRun.objects.get(pk=run.pk).status != "queued", process, log)
    _wait_until(
        lambda: IngestionRun.objects.get(pk=run.pk).status in ("done", "failed"), process, log
    )
    run.refresh_from_db()
    assert run.status == IngestionRun.Status.DONE, run.error
    proposed = set(
        Draft.objects.filter(source=source, kind="company").values_list("company_name", flat=True)
    )
    assert proposed == names
    deals = Draft.objects.filter(source=source, kind="deal")
    assert {d.deal_kind for d in deals} == {"joint_venture"}
    assert {frozenset(p.name for p in d.parties.all()) for d in deals} == {frozenset(names)}
    assert any((str(d.investment_amount), d.investment_currency) == money for d in deals), [
        (d.investment_amount, d.investment_currency) for d in deals
    ]
    assert any(d.status_on and d.status_on.month == 4 for d in deals)
