"""A deal readers could see that is deleted or unpublished is told to whoever followed it: a
signed `deal.deleted` / `deal.unpublished` webhook (to a receiver this test starts on 127.0.0.1)
and a tombstone in the Atom feed, both for the filters the deal's last published state matched."""

import datetime
import hashlib
import hmac
import json
import xml.etree.ElementTree as ET

import pytest
from django.db import transaction
from django.http import QueryDict

from partnerships import services
from partnerships.filters import DealFilter
from partnerships.models import Deal, VehicleModel
from publishing import withdrawals
from publishing.models import DealWithdrawal, WebhookDelivery, WebhookSubscription
from tests.factories import CompanyFactory, supply_deal
from tests.publishing.test_feeds_webhooks import ATOM, Receiver

TOMBSTONES = "{http://purl.org/atompub/tombstones/1.0}"


@pytest.fixture
def receiver():
    started = Receiver()
    yield started
    started.close()


@pytest.fixture
def hooks_now(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.WEBHOOK_BACKOFF_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_PAUSE_AFTER = 5


def filters_of_every_kind():
    """A filter of each kind `DealFilter` takes, with the article's names in them."""
    vehicle = VehicleModel.objects.filter(deals__published=True).order_by("slug").first()
    return [
        "company=CATL",
        "company=catl&role=supplier",
        "company=LGES&role=supplier",
        "group=hyundai-motor-group",
        "group=geely-automobile",
        "role=customer",
        "country=KR",
        "country=中国",
        "country_pair=KR-CN",
        "country_pair=KR-KR",
        "kind=supply",
        "kind=joint_venture,investment",
        "status=signed,active",
        "status_group=discussion",
        "status_group=agreed",
        "product=battery_cells",
        "min_volume_gwh=5",
        "max_volume_gwh=10",
        "min_gwh=5&max_volume_gwh=40",
        "announced_after=2025-06-15",
        "announced_before=2024-12-31",
        "announced_after=2025-01-01&announced_before=2025-06-30",
        "year=2025",
        "year=2024",
        f"vehicle_model={vehicle.slug}",
        "q=Hyundai CALB",
        "q=LG Chery",
        "q=46 series",
        "q=현대 CATL",
        "q=battery",
        "q=cathode",
        "ordering=-volume_gwh&status=signed",
    ]


def test_every_deal_filter_has_a_tombstone_rule():
    """A filter added to the deals page without a rule for tombstones fails here."""
    assert withdrawals.rule_names() == set(withdrawals.RULES)


def test_a_snapshot_matches_a_filter_exactly_when_the_live_deal_does(article):
    """For every published deal of the article and a filter of each kind, the tombstone's rule
    says what the deals page's filter says of the live row."""
    # Besides the article's: two Korean parties, a joint venture announced in a month of 2024.
    extra = supply_deal(
        supplier=CompanyFactory(country="KR"),
        customer=CompanyFactory(country="KR", chain_role="automaker"),
        kind="joint_venture",
        status="in_talks",
        announced_on=datetime.date(2024, 3, 1),
        announced_precision="month",
    )
    Deal.objects.filter(pk=extra.pk).update(published=True)
    queries = filters_of_every_kind()
    covered = {name for query in queries for name in QueryDict(query)}
    assert withdrawals.rule_names() - {"ordering"} <= covered | {"min_gwh", "max_gwh"}
    deals = list(Deal.objects.filter(published=True))
    snapshots = {deal.pk: withdrawals.snapshot(deal) for deal in deals}
    sizes = []
    for query in queries:
        filterset = DealFilter(QueryDict(query), queryset=Deal.objects.filter(published=True))
        assert filterset.is_valid(), (query, filterset.errors)
        expected = set(filterset.qs.values_list("pk", flat=True))
        wanted = withdrawals.compile_filter(query)
        found = {pk for pk, snapshot in snapshots.items() if withdrawals.matches(snapshot, wanted)}
        assert found == expected, query
        sizes.append(len(expected))
    # The filters tell deals apart: most match some deals and leave others out.
    assert sum(0 < size < len(deals) for size in sizes) >= len(queries) - 1, sizes


def _signed(receiver, subscription):
    headers, body = receiver.received[-1]
    expected = hmac.new(subscription.secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Webhook-Signature"] == f"sha256={expected}"
    return headers, json.loads(body)


def test_a_deleted_deal_is_told_to_the_subscriptions_that_followed_it(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """Deleting a deal POSTs one signed `deal.deleted` to each subscription whose filter its
    last published state matched, with its id, slug and last version; others hear nothing."""
    following = WebhookSubscription.objects.create(url=receiver.url, filter="company=CATL")
    WebhookSubscription.objects.create(url=receiver.url, filter="company=LGES")
    deal = Deal.objects.get(slug="catl-kia-pv5-cells")
    version = deal.version
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_delete(deal=deal)
    assert len(receiver.received) == 1
    headers, payload = _signed(receiver, following)
    assert headers["X-Webhook-Event"] == payload["event"] == "deal.deleted"
    assert payload["deal"]["slug"] == "catl-kia-pv5-cells"
    assert payload["deal"]["version"] == version and payload["deal"]["url"] is None
    assert payload["withdrawal"]["id"] == DealWithdrawal.objects.get().pk
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "delivered" and delivery.subscription == following
    # The same tombstone announced again (a duplicate task) sends nothing more.
    from publishing import tasks

    assert tasks.notify_withdrawal(DealWithdrawal.objects.get().pk) == 0
    assert len(receiver.received) == 1


def test_a_deletion_is_retried_after_a_500(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """A tombstone's delivery goes through the same retries as any other event."""
    receiver.statuses = [500]
    WebhookSubscription.objects.create(url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_delete(deal=Deal.objects.get(slug="lges-chery-46-series-cells"))
    assert len(receiver.received) == 2 and receiver.received[0][1] == receiver.received[1][1]
    assert WebhookDelivery.objects.get().attempts == 2


def test_an_unpublished_deal_is_told_with_its_reason(
    article, receiver, hooks_now, django_capture_on_commit_callbacks
):
    """A deal withdrawn because a company it names lost its last citation is a
    `deal.unpublished` with the reason; deleting it afterwards tells nobody again."""
    subscription = WebhookSubscription.objects.create(url=receiver.url)
    deal = Deal.objects.filter(published=True).order_by("slug").first()
    company = min(
        (party.company for party in deal.parties.all()),
        key=lambda company: company.deal_parties.count(),
    )
    withdrawn = set(
        Deal.objects.filter(published=True, parties__company=company).values_list("slug", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        for citation in list(company.citations.all()):
            services.citation_delete(citation=citation)
    deal.refresh_from_db()
    assert not deal.published
    told = [
        _payload
        for _headers, _payload in map(lambda r: (r[0], json.loads(r[1])), receiver.received)
    ]
    assert {p["deal"]["slug"] for p in told} == withdrawn
    assert {p["event"] for p in told} == {"deal.unpublished"}
    assert company.name in told[0]["withdrawal"]["reason"]
    _signed(receiver, subscription)
    with django_capture_on_commit_callbacks(execute=True):
        services.deal_delete(deal=deal)
    assert len(receiver.received) == len(withdrawn)  # it was no longer published


def test_a_rolled_back_deletion_leaves_no_tombstone(article):
    """The tombstone is written in the deleting transaction and goes with it."""
    with pytest.raises(RuntimeError), transaction.atomic():
        services.deal_delete(deal=Deal.objects.get(slug="catl-kia-pv5-cells"))
        assert DealWithdrawal.objects.count() == 1
        raise RuntimeError
    assert not DealWithdrawal.objects.exists()


def test_the_feed_shows_a_tombstone_to_the_filters_that_followed_the_deal(client, article):
    """After a deletion, a feed whose filter matched the deal has a "Deleted" entry and an
    RFC 6721 `at:deleted-entry` naming the deal's last entry; another filter's feed has
    neither, and the deal's own entries are gone."""
    deal = Deal.objects.get(slug="catl-kia-pv5-cells")
    last_entry = f"{deal.get_absolute_url()}#version-{deal.version}"
    services.deal_delete(deal=deal)
    root = ET.fromstring(client.get("/feeds/deals.atom", {"company": "CATL"}).content)  # noqa: S314
    first = next(root.iter(f"{ATOM}entry"))
    assert first.find(f"{ATOM}title").text.startswith("Deleted: ")
    assert first.find(f"{ATOM}category").get("term") == "deal.deleted"
    assert first.find(f"{ATOM}id").text.endswith(f"#withdrawn-{DealWithdrawal.objects.get().pk}")
    tombstones = list(root.iter(f"{TOMBSTONES}deleted-entry"))
    assert [t.get("ref") for t in tombstones] == [last_entry]
    other = ET.fromstring(client.get("/feeds/deals.atom", {"company": "LGES"}).content)  # noqa: S314
    assert not list(other.iter(f"{TOMBSTONES}deleted-entry"))
    titles = [e.find(f"{ATOM}title").text for e in other.iter(f"{ATOM}entry")]
    assert not any(title.startswith("Deleted: ") for title in titles)
