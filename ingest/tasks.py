"""Celery tasks of ingestion. Thin: take an id, load the row, call a service.

Queued with `transaction.on_commit` (see `ingest.services.ingestion_enqueue`), so a worker never
reads a row that is not committed. Acknowledged late (settings), so a task whose worker dies is
delivered again; a transient error (database or broker connection) is retried with backoff; any
other error marks the run failed with its message, visible in the admin, and the article stays.
"""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded, TimeLimitExceeded
from django.conf import settings

from ingest.models import IngestionRun
from ingest.services import ingestion_execute, ingestion_mark
from partnerships.tasks import MAX_RETRIES, TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _timed_out(seconds) -> str:
    return (
        f"Stopped after {seconds} s, the time limit for reading one article "
        "(INGEST_TIME_LIMIT): the text is too long or too unusual to read into drafts."
    )


class IngestionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Past the hard limit the task's process is killed and the worker calls this: the run
        says why it stopped instead of staying "running" for ever."""
        if isinstance(exc, TimeLimitExceeded) and args:
            run = IngestionRun.objects.filter(pk=args[0]).first()
            if run is not None and run.status != IngestionRun.Status.DONE:
                error = _timed_out(self.time_limit)
                ingestion_mark(run=run, status=IngestionRun.Status.FAILED, error=error)
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(
    bind=True,
    base=IngestionTask,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.INGEST_TIME_LIMIT,
    time_limit=settings.INGEST_HARD_TIME_LIMIT,
)
def ingest_source(self, run_id: int) -> int:
    """Read one ingestion run's article into drafts; returns how many drafts are new."""
    try:
        run = IngestionRun.objects.select_related("source").get(pk=run_id)
    except IngestionRun.DoesNotExist:
        logger.warning("ingestion run %s is gone; nothing to do", run_id)
        return 0
    try:
        return ingestion_execute(run=run).drafts_created
    except TRANSIENT_ERRORS as error:
        if self.request.retries < self.max_retries:
            countdown = min(2**self.request.retries * 5, 300)
            ingestion_mark(
                run=run,
                status=IngestionRun.Status.QUEUED,
                error=f"Retrying in {countdown}s after {_describe(error)}",
            )
            raise self.retry(exc=error, countdown=countdown) from error
        ingestion_mark(run=run, status=IngestionRun.Status.FAILED, error=_describe(error))
        raise
    except SoftTimeLimitExceeded:
        ingestion_mark(
            run=run, status=IngestionRun.Status.FAILED, error=_timed_out(self.soft_time_limit)
        )
        raise
    except Exception as error:
        ingestion_mark(run=run, status=IngestionRun.Status.FAILED, error=_describe(error))
        raise
