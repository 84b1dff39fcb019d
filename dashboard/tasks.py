"""Celery task that keeps the dashboard's precomputed aggregates current."""

import logging

from celery import shared_task

from dashboard import aggregates
from partnerships.tasks import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=2)
def refresh_aggregates() -> int:
    """After writes (debounced) and every few minutes: rebuild the precomputed aggregates of
    the whole dataset and the deals' columns they count over (`aggregates.refresh`). Returns how
    many it built."""
    timings = aggregates.refresh()
    logger.info("aggregates rebuilt: %s", timings)
    return len(timings)
