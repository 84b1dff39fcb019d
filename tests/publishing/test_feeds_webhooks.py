"""The Atom feed honours the deals page's filters; webhooks fire once per change with a valid
signature, retry after a 500 and pause after repeated failures, delivered to a receiver this
test starts on 127.0.0.1."""

import hashlib
import hmac
import json
import threading
import xml.etree.ElementTree as ET
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

import pytest

from partnerships import services
from partnerships.models import Deal
from publishing.models import WebhookDelivery, WebhookSubscription

ATOM = "{http://www.w3.org/2005/Atom}"


def entries(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own feed
    links = [entry.find(f"{ATOM}link").get("href") for entry in root.iter(f"{ATOM}entry")]
    return [urlparse(link).path for link in links]


def test_feed_honours_the_filter(client, article):
    """The feed lists the deals the same filter shows on the deals page, and only those."""
    everything = entries(client.get("/feeds/deals.atom"))
    assert len(everything) == Deal.objects.count()
    catl = entries(client.get("/feeds/deals.atom", {"company": "CATL", "status": "signed"}))
    expected = {d.get_absolute_url() for d in Deal.objects.filter(parties__company__slug="catl")}
    assert catl and set(catl) <= expected
    assert set(catl) == {
        d.get_absolute_url()
        for d in Deal.objects.filter(parties__company__slug="catl", status="signed")
    }
    assert client.get("/feeds/deals.atom", {"stauts": "signed"}).status_code == 400


def test_feed_shows_a_change_as_a_new_entry(client, article):
    """A changed deal comes first, with an entry id that names its new version."""
    deal = Deal.objects.get(slug="ecopro-catl-cathode")
    services.deal_update(deal=deal, fields={"volume_gwh": Decimal("4")})
    root = ET.fromstring(client.get("/feeds/deals.atom").content)  # noqa: S314 - our own feed
    first = next(root.iter(f"{ATOM}entry"))
    assert urlparse(first.find(f"{ATOM}link").get("href")).path == deal.get_absolute_url()
    assert first.find(f"{ATOM}id").text.endswith(f"#version-{deal.version + 1}")
    assert "4 GWh" in first.find(f"{ATOM}summary").text


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers the next status queued
    (200 once the queue is empty)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.close()


@pytest.fixture
def hooks_now(settings):
    """Tasks run in-process (no broker) and retries wait no time."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOK_BACKOFF_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_PAUSE_AFTER = 5


def change(deal, gwh, capture):
    with capture(execute=True):
        return services.deal_update(deal=deal, fields={"volume_gwh": Decimal(gwh)})


def test_webhook_fires_once_per_change_with_a_valid_signature(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """One signed POST per change of a matching deal; none for a deal the filter leaves out."""
    subscription = WebhookSubscription.objects.create(url=receiver.url, filter="company=CATL")
    catl_deal = Deal.objects.get(slug="catl-kia-pv5-cells")
    other = Deal.objects.get(slug="lges-chery-46-series-cells")
    change(catl_deal, "7", django_capture_on_commit_callbacks)
    change(other, "9", django_capture_on_commit_callbacks)
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    expected = hmac.new(subscription.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == f"sha256={expected}"
    payload = json.loads(body)
    assert payload["event"] == "deal.changed"
    assert payload["deal"]["slug"] == "catl-kia-pv5-cells" and payload["deal"]["volume_gwh"] == 7
    # The same version announced again (a duplicate task) sends nothing more.
    from publishing import tasks

    catl_deal.refresh_from_db()
    assert tasks.notify_deal_change(catl_deal.pk, catl_deal.version, "deal.changed") == 0
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 1


def test_webhook_retries_after_a_500(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """A 500 is retried (with backoff) and the delivery log shows both attempts."""
    receiver.statuses = [500]
    WebhookSubscription.objects.create(url=receiver.url)
    change(Deal.objects.get(slug="catl-kia-pv5-cells"), "7", django_capture_on_commit_callbacks)
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]  # the same signed body
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.attempts == 2
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_webhook_pauses_after_repeated_failures(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """After WEBHOOK_PAUSE_AFTER failed attempts in a row the subscription pauses and later
    changes are not sent to it."""
    receiver.statuses = [500] * 100
    subscription = WebhookSubscription.objects.create(url=receiver.url)
    deal = Deal.objects.get(slug="catl-kia-pv5-cells")
    change(deal, "7", django_capture_on_commit_callbacks)  # 3 attempts, given up
    deal.refresh_from_db()
    change(deal, "8", django_capture_on_commit_callbacks)  # 2 more: 5 in a row, paused
    subscription.refresh_from_db()
    assert not subscription.active and "5 failed attempts" in subscription.paused_reason
    assert len(receiver.received) == 5
    deal.refresh_from_db()
    change(deal, "9", django_capture_on_commit_callbacks)
    assert len(receiver.received) == 5
    assert list(WebhookDelivery.objects.values_list("state", flat=True)) == ["failed", "failed"]


def test_webhook_filter_must_be_a_valid_deals_filter(admin_client, db):
    """Staff enter the address and filter; a filter the deals page refuses is refused."""
    response = admin_client.post(
        "/admin/publishing/webhooksubscription/add/",
        {
            "url": "http://127.0.0.1:9/hook",
            "filter": "stauts=signed",
            "secret": "s",
            "active": "on",
        },
    )
    assert response.status_code == 200 and "stauts" in response.content.decode()
    response = admin_client.post(
        "/admin/publishing/webhooksubscription/add/",
        {
            "url": "http://127.0.0.1:9/hook",
            "filter": "status=signed",
            "secret": "s",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert WebhookSubscription.objects.get().created_by.is_superuser
