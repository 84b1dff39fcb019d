"""Webhooks: a signed POST to each subscribed address when a matching deal is created or changed.

How an edit reaches a subscriber: a deal is saved (admin, API, draft approval) → after the
transaction commits, `deal_saved` queues `tasks.notify_deal_change(deal id, version)` → that
task records one `WebhookDelivery` per active subscription whose filter matches the deal (once per
deal version: a unique constraint) and queues `tasks.deliver` for each → `deliver` POSTs the JSON
body with `X-Webhook-Signature: sha256=<HMAC-SHA256(secret, body)>`; a failure is retried with
exponential backoff up to `WEBHOOK_MAX_ATTEMPTS`, and after `WEBHOOK_PAUSE_AFTER` failed attempts
in a row the subscription is paused until staff resume it.

A published deal that is deleted or unpublished leaves a tombstone (`withdrawals`), told the
same way as `deal.deleted` / `deal.unpublished` to the subscriptions whose filter matched its last
published state: `deal_pre_save`/`deal_pre_delete` record it in the writing transaction, and
after the commit `tasks.notify_withdrawal` records and queues the deliveries.

Addresses come only from subscriptions staff entered in the admin; redirects are not followed.
"""

import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from partnerships import titles
from partnerships.filters import DealFilter
from partnerships.models import Deal
from publishing import withdrawals
from publishing.models import DealWithdrawal, WebhookDelivery, WebhookSubscription

USER_AGENT = "korea-china-partnerships-webhooks/1"


def max_attempts() -> int:
    return getattr(settings, "WEBHOOK_MAX_ATTEMPTS", 5)


def pause_after() -> int:
    return getattr(settings, "WEBHOOK_PAUSE_AFTER", 10)


def backoff_seconds(attempt: int) -> int:
    """Seconds before retry `attempt` (1, 2, ...): 30 s, 60 s, 120 s, ..."""
    return getattr(settings, "WEBHOOK_BACKOFF_SECONDS", 30) * 2 ** (attempt - 1)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def matches(subscription: WebhookSubscription, deal_id: int) -> bool:
    """Whether the deal passes the subscription's filter (the deals page's vocabulary)."""
    # An unpublished deal (not yet cited) is news to nobody.
    deals = Deal.objects.filter(pk=deal_id, published=True)
    filterset = DealFilter(QueryDict(subscription.filter), queryset=deals)
    # A filter that no longer validates (a company since renamed) matches nothing.
    return filterset.is_valid() and filterset.qs.exists()


def _payload(deal: Deal, event: str) -> dict:
    return {
        "event": event,
        "deal": {
            "id": deal.pk,
            "slug": deal.slug,
            # Subscribers read English: the headline while it holds, else built from the facts.
            "display_title": titles.deal_title(deal, "en"),
            "title": deal.title,
            "title_status": deal.title_status,
            "status": deal.status,
            "kind": deal.kind,
            "product": deal.product,
            "volume_gwh": None if deal.volume_gwh is None else float(deal.volume_gwh),
            "version": deal.version,
            "updated_at": deal.updated_at.isoformat(),
            "url": reverse("dashboard:deal-detail", args=[deal.slug]),
            "api_url": reverse("api:deal-detail", args=[deal.slug]),
        },
    }


def deal_saved(sender, instance, created, raw=False, **kwargs):
    """post_save of Deal (infrastructure only): once the write commits, queue the notification.
    Fixture loading (`raw`) notifies nobody. A save that unpublished the deal (`deal_pre_save`
    kept its last published state) leaves a tombstone instead."""
    if raw:
        return
    from publishing import tasks

    last_published = instance.__dict__.pop("_last_published", None)
    if last_published is not None:
        withdrawal = withdrawals.record(
            deal=last_published,
            event=DealWithdrawal.Event.UNPUBLISHED,
            reason=instance.unpublished_reason,
        )
        transaction.on_commit(lambda: tasks.notify_withdrawal.delay(withdrawal.pk))
        return
    event = "deal.created" if created else "deal.changed"
    deal_id, version = instance.pk, instance.version
    transaction.on_commit(lambda: tasks.notify_deal_change.delay(deal_id, version, event))


def deal_pre_save(sender, instance, raw=False, **kwargs):
    """pre_save of Deal: a save that leaves an existing deal unpublished reads the stored row
    (one query, only for unpublished saves) to learn whether readers could see it until now."""
    if raw or instance.pk is None or instance.published:
        return
    stored = Deal.objects.filter(pk=instance.pk, published=True).first()
    if stored is not None:
        instance.__dict__["_last_published"] = stored


def deal_pre_delete(sender, instance, **kwargs):
    """pre_delete of Deal: a published deal's tombstone, recorded while its parties are still
    there (every pre_delete runs before the cascade deletes), told after the commit."""
    stored = Deal.objects.filter(pk=instance.pk, published=True).first()
    if stored is None:
        return
    from publishing import tasks

    withdrawal = withdrawals.record(deal=stored, event=DealWithdrawal.Event.DELETED)
    transaction.on_commit(lambda: tasks.notify_withdrawal.delay(withdrawal.pk))


def withdrawal_payload(withdrawal: DealWithdrawal) -> dict:
    """`{event, deal, withdrawal}`: `deal` in the shape of the other events, as readers last saw
    it (its `version` the last they saw); its addresses are null, since they no longer answer."""
    deal = withdrawal.snapshot
    return {
        "event": withdrawal.event,
        "deal": {
            "id": withdrawal.deal_id,
            "slug": withdrawal.slug,
            "display_title": titles.deal_title(deal, "en"),
            "title": deal["title"],
            "title_status": deal.get("title_status", ""),
            "status": deal["status"],
            "kind": deal["kind"],
            "product": deal["product"],
            "volume_gwh": None if deal["volume_gwh"] is None else float(deal["volume_gwh"]),
            "version": withdrawal.last_version,
            "updated_at": deal["updated_at"],
            "url": None,
            "api_url": None,
        },
        "withdrawal": {
            "id": withdrawal.pk,
            "at": withdrawal.withdrawn_at.isoformat(),
            "reason": withdrawal.reason,
        },
    }


def withdrawal_record(*, withdrawal_id: int) -> list[int]:
    """One pending delivery per active subscription whose filter matched the deal's last
    published state, at most once per tombstone; returns the new deliveries' ids."""
    withdrawal = DealWithdrawal.objects.filter(pk=withdrawal_id).first()
    if withdrawal is None:
        return []
    payload = withdrawal_payload(withdrawal)
    created = []
    for subscription in WebhookSubscription.objects.filter(active=True):
        if not withdrawals.matches(
            withdrawal.snapshot, withdrawals.compile_filter(subscription.filter)
        ):
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    event=withdrawal.event,
                    deal_id=withdrawal.deal_id,
                    deal_version=withdrawal.last_version,
                    payload=payload,
                    withdrawal=withdrawal,
                )
        except IntegrityError:
            continue  # this tombstone was announced already
        created.append(delivery.pk)
    return created


def deal_change_record(*, deal_id: int, version: int, event: str) -> list[int]:
    """One pending delivery per active subscription that the deal matches, at most once per
    version of the deal; returns the new deliveries' ids."""
    deal = Deal.objects.filter(pk=deal_id).first()
    if deal is None or deal.version != version:
        # Deleted, or changed again since: the newer version's own notification tells it.
        return []
    payload = _payload(deal, event)
    created = []
    for subscription in WebhookSubscription.objects.filter(active=True):
        if not matches(subscription, deal_id):
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    subscription=subscription,
                    event=event,
                    deal_id=deal_id,
                    deal_version=version,
                    payload=payload,
                )
        except IntegrityError:
            continue  # this version was announced already
        created.append(delivery.pk)
    return created


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is an answer, not a new address to post to


_opener = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    timeout = getattr(settings, "WEBHOOK_TIMEOUT_SECONDS", 5)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def delivery_attempt(*, delivery_id: int) -> bool | None:
    """POST one delivery once. True: delivered; False: failed, to be retried; None: nothing to
    do (delivered already, given up, or its subscription paused)."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.state != WebhookDelivery.State.PENDING:
            return None
        subscription = delivery.subscription
        if not subscription.active:
            return None
        body = json.dumps(
            {**delivery.payload, "delivery": delivery.pk}, ensure_ascii=False, sort_keys=True
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Webhook-Event": delivery.event,
            "X-Webhook-Delivery": str(delivery.pk),
            "X-Webhook-Signature": signature(subscription.secret, body),
        }
        status, error = None, ""
        try:
            status = _post(subscription.url, body, headers)
        except (OSError, ValueError) as problem:  # refused, timed out, unreachable
            error = str(problem)[:300]
        delivery.attempts += 1
        delivery.last_attempt_at = timezone.now()
        delivery.response_status = status
        ok = status is not None and 200 <= status < 300
        if ok:
            delivery.state, delivery.error = WebhookDelivery.State.DELIVERED, ""
            subscription.consecutive_failures = 0
        else:
            delivery.error = error or f"HTTP {status}"
            subscription.consecutive_failures += 1
            if delivery.attempts >= max_attempts():
                delivery.state = WebhookDelivery.State.FAILED
            if subscription.consecutive_failures >= pause_after():
                subscription.active = False
                subscription.paused_reason = (
                    f"Paused after {subscription.consecutive_failures} failed attempts in a row;"
                    f" last: {delivery.error}"
                )[:300]
                delivery.state = WebhookDelivery.State.FAILED
        delivery.save()
        subscription.save(update_fields=["consecutive_failures", "active", "paused_reason"])
        if ok:
            return True
        return False if delivery.state == WebhookDelivery.State.PENDING else None
