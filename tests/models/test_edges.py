"""The stored supplier-map edges always equal what the one-deal rule draws from the parties."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command

from partnerships import edges, services
from partnerships.models import Company, Deal, DealEdge, DealParty, PartyRole, StatusChange
from tests.factories import CompanyFactory, supply_deal

pytestmark = pytest.mark.django_db


def expected_edges():
    """Every deal's edges by `edges.deal_edges`, with the deal's columns beside them."""
    wanted = Counter()
    for deal in Deal.objects.all():
        parties = list(DealParty.objects.filter(deal=deal).values("company_id", "role"))
        when = deal.announced_on or deal.start_on
        for source, target in edges.deal_edges(parties):
            wanted[
                (deal.pk, source["company_id"], target["company_id"], source["role"])
                + (target["role"], deal.status, deal.kind, deal.product, deal.volume_gwh)
                + (when.year if when else None,)
            ] += 1
    return wanted


def stored_edges():
    return Counter(
        DealEdge.objects.values_list(
            "deal_id",
            "source_id",
            "target_id",
            "source_role",
            "target_role",
            "status",
            "kind",
            "product",
            "volume_gwh",
            "year",
        ).order_by()
    )


def test_the_founding_article_s_edges_follow_the_rule(article):
    """Every deal of the article, as `load_fixtures` leaves it, has exactly the rule's edges."""
    assert stored_edges() == expected_edges()
    assert DealEdge.objects.exists()


def test_loading_fixtures_twice_keeps_one_set_of_edges():
    """load_fixtures derives the edges of what it loaded, and loading again doubles none."""
    call_command("load_fixtures", verbosity=0)
    call_command("load_fixtures", verbosity=0)
    assert stored_edges() == expected_edges()


def test_synthetic_deals_keep_the_rule_through_creates_edits_and_deletes():
    """Random synthetic deals, then random writes through the services and plain saves and
    deletes (as the admin does): after each, the table equals the rule."""
    call_command("generate_synthetic", deals=60, seed=7, verbosity=0)
    assert stored_edges() == expected_edges()
    rng = random.Random(11)
    companies = list(Company.objects.order_by("pk"))
    roles = list(PartyRole.values)
    for step in range(40):
        deal = rng.choice(list(Deal.objects.order_by("pk")))
        action = step % 6
        if action == 0:  # new parties with random roles
            chosen = rng.sample(companies, rng.randint(1, 4))
            parties = [services.PartyInput(c, rng.choice(roles)) for c in chosen]
            services.deal_update(deal=deal, fields={}, parties=parties)
        elif action == 1:  # volume and date
            gwh = rng.choice([None, Decimal("1.5"), Decimal("30")])
            services.deal_update(deal=deal, fields={"volume_gwh": gwh})
        elif action == 2:  # a status step
            step_row = StatusChange.objects.filter(deal=deal).order_by("-effective_on").first()
            taken = set(StatusChange.objects.filter(deal=deal).values_list("status", flat=True))
            free = [s for s in ("signed", "cancelled", "active") if s not in taken]
            if step_row is not None and free:
                services.deal_record_status(
                    deal=deal,
                    status=rng.choice(free),
                    effective_on=step_row.effective_on,
                    effective_precision=step_row.effective_precision,
                    source=step_row.source,
                    quote=step_row.quote,
                )
        elif action == 3:  # one party removed, as the admin's inline does
            party = deal.parties.order_by("?").first()
            if party is not None and deal.parties.count() > 1:
                party.delete()
        elif action == 4:
            services.deal_delete(deal=deal)
        else:
            supply_deal(supplier=rng.choice(companies), customer=CompanyFactory())
        assert stored_edges() == expected_edges(), step


def test_a_rebuild_repairs_a_damaged_table(article):
    """`rebuild` (the migration's and the benchmark's path) writes the rule's edges again."""
    DealEdge.objects.all().delete()
    assert edges.rebuild() == sum(expected_edges().values())
    assert stored_edges() == expected_edges()
