"""Celery tasks for the catalogue's periodic data checks. Thin: each calls one service.

Every task is acknowledged late and retried with backoff on a transient error (a database or
broker connection); `TRANSIENT_ERRORS` is shared with the ingestion and dashboard tasks.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from partnerships import maintenance

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
MAX_RETRIES = 5


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def flag_stale_talks() -> int:
    """Daily: deals in talks whose newest source is older than STALE_TALKS_MONTHS get flagged."""
    return len(maintenance.deals_flag_stale_talks(months=settings.STALE_TALKS_MONTHS))


@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=MAX_RETRIES,
)
def update_completeness() -> int:
    """Daily: each deal's completeness score, shown in the admin list and the API."""
    return maintenance.deals_update_completeness()
