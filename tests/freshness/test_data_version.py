"""The one freshness rule: every committed write moves the data version, and every stored
answer (snapshots, cached figures, ETags) is read only at the version it was computed for."""

import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from partnerships import freshness, services
from partnerships.models import Company, Deal, StatusChange
from tests.factories import CompanyFactory, VehicleModelFactory, supply_deal

pytestmark = pytest.mark.django_db

DEAL = "lges-chery-46-series-cells"


@pytest.fixture
def api():
    return APIClient()


def observe(api, client, company):
    """What a reader sees after a first visit has stored every answer: the stats (API), the
    stats' ETag, the overview's figures and the company page's figures."""
    url = reverse("dashboard:company-detail", args=[company.slug])
    for _warm in range(2):
        stats = api.get("/api/v1/stats/")
        overview = client.get("/").context["overview"]
        page = client.get(url).context
    return {
        "etag": stats["ETag"],
        "stats": stats.json(),
        "overview": overview,
        "company": {key: page[key] for key in ("status_counts", "partner_total", "partners")},
    }


def _gwh(deal):
    services.deal_update(deal=deal, fields={"volume_gwh": (deal.volume_gwh or 0) + Decimal(9)})


def _status(deal):
    step = StatusChange.objects.filter(deal=deal).order_by("-effective_on").first()
    services.deal_record_status(
        deal=deal,
        status="cancelled",
        effective_on=step.effective_on,
        effective_precision=step.effective_precision,
        source=step.source,
        quote=step.quote,
    )


def _party(deal):
    parties = [services.PartyInput(p.company, p.role, p.note) for p in deal.parties.all()]
    newcomer = CompanyFactory(country="JP", name="Newcomer Materials")
    services.deal_update(
        deal=deal, fields={}, parties=[*parties, services.PartyInput(newcomer, "partner")]
    )


def _citation(deal):
    cited = deal.citations.select_related("source").order_by("id").first()
    field = "market" if cited.field != "market" else "product"
    citation = services.CitationInput(source=cited.source, quote=cited.quote, field=field)
    services.deal_update(deal=deal, fields={}, citations=[citation])


@pytest.mark.parametrize(
    ("edit", "changes"),
    [
        (_gwh, {"stats", "overview", "company"}),
        (_status, {"stats", "overview", "company"}),
        (_party, {"stats", "overview", "company"}),
        (_citation, set()),  # shown on the deal's page, which reads it live
    ],
    ids=["gwh", "status", "party", "citation"],
)
def test_an_edit_reaches_stats_overview_company_page_and_etag(article, api, client, edit, changes):
    """After an edit commits, every stored answer of the old data is left behind: the ETag
    moves, and the stats, overview and company page show the change on the next read."""
    deal = Deal.objects.get(slug=DEAL)
    company = Company.objects.get(slug="lg-energy-solution")
    before_version = freshness.current().number
    before = observe(api, client, company)
    edit(deal)
    assert freshness.current().number > before_version
    after = observe(api, client, company)
    assert after["etag"] != before["etag"]
    for view in changes:
        assert after[view] != before[view], view


def test_every_catalogue_write_moves_the_version_and_a_rollback_does_not():
    """Saves, deletes and vehicle-model links each move the number, inside their transaction."""
    start = freshness.current().number
    deal = supply_deal()  # a deal and two companies and parties: five saves
    assert freshness.current().number == start + 5
    with pytest.raises(RuntimeError), transaction.atomic():
        deal.title = "Never saved"
        deal.save()
        raise RuntimeError
    assert freshness.current().number == start + 5
    deal.parties.first().delete()
    assert freshness.current().number == start + 6


def test_loading_fixtures_moves_the_version():
    """Raw saves by loaddata move it too: a restored database is not served from old keys."""
    start = freshness.current().number
    call_command("load_fixtures", verbosity=0)
    assert freshness.current().number > start


def test_the_version_comes_back_after_its_row_is_lost():
    """A flushed database (the row gone) starts counting again at the next write."""
    from partnerships.models import DataVersion

    DataVersion.objects.all().delete()
    assert freshness.current() == freshness.Version(0, None)
    supply_deal()
    assert freshness.current().number > 0


def test_cache_keys_name_the_version():
    """The same name and parts give the same key at one version and another at the next."""
    one, two = freshness.Version(1, None), freshness.Version(2, None)
    assert freshness.key("stats", "a", version=one) == freshness.key("stats", "a", version=one)
    assert freshness.key("stats", "a", version=one) != freshness.key("stats", "a", version=two)
    assert freshness.key("stats", "a", version=one) != freshness.key("stats", "b", version=one)


def test_a_request_reads_the_version_once_and_again_after_its_own_write(
    django_assert_num_queries,
):
    """Within a request the version is read once and shared; a write in that request makes
    the next read see the new number. Outside a request every call reads the database."""
    freshness.bump()
    # The receivers of request_started/finished (the signals themselves would close the
    # test's database connection); the budgets' tests cover the wiring.
    freshness._request_started()
    try:
        with django_assert_num_queries(1):
            before = freshness.current()
            assert freshness.current() == before
        CompanyFactory()
        after = freshness.current()
        assert after.number > before.number
    finally:
        freshness._request_finished()
    with django_assert_num_queries(2):
        freshness.current()
        freshness.current()


def test_linking_a_vehicle_model_moves_the_version_once():
    """A deal's vehicle models are part of what readers see: linking one outside the services
    (a shell, a data migration) moves the number, once for the change, not per signal sent."""
    deal = supply_deal()
    vehicle = VehicleModelFactory()
    start = freshness.current().number
    deal.vehicle_models.add(vehicle)
    assert freshness.current().number == start + 1
    deal.vehicle_models.remove(vehicle)
    assert freshness.current().number == start + 2


def test_a_number_given_back_by_a_rollback_is_taken_again_at_another_time():
    """A write that rolls back gives its number back and the next write takes it again; the
    time of the bump tells the two states apart, so no key or ETag of the rolled-back state is
    handed out for the committed one."""
    freshness.bump()
    with pytest.raises(RuntimeError), transaction.atomic():
        freshness.bump()
        rolled_back = freshness.current()
        raise RuntimeError
    time.sleep(0.01)  # the database's clock counts milliseconds
    freshness.bump()
    again = freshness.current()
    assert again.number == rolled_back.number
    assert again.changed_at > rolled_back.changed_at
    assert again.tag != rolled_back.tag
    assert freshness.key("stats", version=again) != freshness.key("stats", version=rolled_back)


def test_a_bump_is_one_update_of_the_counter():
    """Every saved row pays for a bump, so it is one statement on the counter's row: the
    re-creation after a flush is only for a database without the row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    freshness.bump()
    with CaptureQueriesContext(connection) as queries:
        freshness.bump()
    counter = [q["sql"] for q in queries if "partnerships_dataversion" in q["sql"]]
    assert len(counter) == 1 and counter[0].upper().startswith("UPDATE")
