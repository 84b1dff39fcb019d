"""Writes that touch several models. Keyword-only, atomic, validated before saving."""

from django.db import transaction

from .models import Deal, StatusChange


@transaction.atomic
def deal_sync_status(*, deal: Deal) -> Deal:
    """Make the deal's current status the newest entry of its status history.

    The history is the record; `Deal.status` is kept beside it so lists filter on one column.
    """
    latest = deal.status_history.order_by("-effective_on", "-id").first()
    if latest is not None and latest.status != deal.status:
        Deal.objects.filter(pk=deal.pk).update(status=latest.status)
        deal.status = latest.status
    return deal


@transaction.atomic
def deal_record_status(
    *,
    deal: Deal,
    status: str,
    effective_on,
    effective_precision: str,
    source,
    quote: str,
    effective_estimated: bool = False,
    note: str = "",
) -> StatusChange:
    """Append a step to a deal's status history, with its source, and update the deal."""
    change = StatusChange(
        deal=deal,
        status=status,
        effective_on=effective_on,
        effective_precision=effective_precision,
        effective_estimated=effective_estimated,
        source=source,
        quote=quote,
        note=note,
    )
    change.full_clean()
    change.save()
    deal_sync_status(deal=deal)
    return change
