"""Celery tasks of the webhooks. Thin: each takes ids and calls `webhooks`."""

from celery import shared_task

from partnerships.tasks import MAX_RETRIES, TRANSIENT_ERRORS
from publishing import webhooks
from publishing.models import WebhookDelivery

RETRYING = {
    "acks_late": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "max_retries": MAX_RETRIES,
}


@shared_task(**RETRYING)
def notify_deal_change(deal_id: int, version: int, event: str) -> int:
    """Record the deliveries of one deal change and queue each; returns how many."""
    delivery_ids = webhooks.deal_change_record(deal_id=deal_id, version=version, event=event)
    for delivery_id in delivery_ids:
        deliver.delay(delivery_id)
    return len(delivery_ids)


@shared_task(**RETRYING)
def notify_withdrawal(withdrawal_id: int) -> int:
    """Record the deliveries of one deleted or unpublished deal and queue each."""
    delivery_ids = webhooks.withdrawal_record(withdrawal_id=withdrawal_id)
    for delivery_id in delivery_ids:
        deliver.delay(delivery_id)
    return len(delivery_ids)


@shared_task(**RETRYING)
def deliver(delivery_id: int) -> bool | None:
    """POST one delivery; after a failure, queue the next attempt with exponential backoff.

    The next attempt is a new task with a countdown rather than Celery's `retry`, so the attempt
    count and backoff live in the delivery log (and, without a broker, the attempts run at once)."""
    outcome = webhooks.delivery_attempt(delivery_id=delivery_id)
    if outcome is False:
        attempts = WebhookDelivery.objects.values_list("attempts", flat=True).get(pk=delivery_id)
        deliver.apply_async((delivery_id,), countdown=webhooks.backoff_seconds(attempts))
    return outcome
