import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count

from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    Deal,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
)

pytestmark = pytest.mark.django_db

HANGUL = re.compile(r"[\uac00-\ud7a3]")
HAN = re.compile(r"[\u4e00-\u9fff]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def generate(deals=300, seed=7, **sizes):
    call_command("generate_synthetic", deals=deals, seed=seed, verbosity=0, stdout=None, **sizes)


def snapshot():
    """Everything a user would see of the synthetic deals, by slug, independent of ids."""
    deals = [
        (
            deal.slug,
            deal.title,
            deal.kind,
            deal.status,
            deal.product,
            deal.volume_gwh,
            deal.announced_on,
            deal.announced_precision,
            sorted((party.company.slug, party.role) for party in deal.parties.all()),
            [
                (step.status, step.effective_on, step.source.slug)
                for step in deal.status_history.all()
            ],
            sorted(model.slug for model in deal.vehicle_models.all()),
        )
        for deal in Deal.objects.filter(slug__startswith="syn-")
        .order_by("slug")
        .prefetch_related("parties__company", "status_history__source", "vehicle_models")
    ]
    companies = list(
        Company.objects.filter(slug__startswith="syn-")
        .order_by("slug")
        .values_list("slug", "name", "name_ko", "name_zh", "country", "hq_latitude", "parent__slug")
    )
    sources = list(
        Source.objects.filter(slug__startswith="syn-").order_by("slug").values_list("slug", "text")
    )
    return deals, companies, sources


def test_same_seed_gives_the_same_dataset():
    """Generating twice with one seed gives the same companies, deals, parties and sources."""
    generate(seed=11)
    first = snapshot()
    call_command("generate_synthetic", delete=True, verbosity=0)
    generate(seed=11)
    assert snapshot() == first
    call_command("generate_synthetic", deals=300, seed=12, replace=True, verbosity=0)
    assert snapshot() != first


def test_sizes_scale_from_the_deal_count():
    """--deals 400 makes 400 deals, 20 companies, 40 vehicle models and 100 sources."""
    generate(deals=400)
    assert Deal.objects.filter(slug__startswith="syn-").count() == 400
    assert Company.objects.filter(slug__startswith="syn-").count() == 20
    assert VehicleModel.objects.filter(slug__startswith="syn-").count() == 40
    assert Source.objects.filter(slug__startswith="syn-").count() == 100


def test_every_row_is_slugged_and_the_article_is_untouched(article):
    """Synthetic rows are slugged syn-; the article's own facts stay as they were."""
    before = set(Deal.objects.values_list("slug", "status", "volume_gwh"))
    counts = {model: model.objects.count() for model in (Company, Deal, Source, VehicleModel)}
    generate()
    for model in (Company, Deal, Source, VehicleModel):
        rows = model.objects.filter(slug__startswith="syn-")
        assert rows.exists()
        # Every new row is a synthetic one: the generator leaves no row without the prefix.
        assert model.objects.exclude(slug__startswith="syn-").count() == counts[model]
    assert (
        set(
            Deal.objects.exclude(slug__startswith="syn-").values_list(
                "slug", "status", "volume_gwh"
            )
        )
        == before
    )


def test_delete_removes_every_synthetic_row_and_nothing_else(article):
    """--delete brings the database back to the article's facts alone."""
    models = (
        Company,
        CompanyAlias,
        Ownership,
        Deal,
        DealParty,
        StatusChange,
        Citation,
        Source,
        VehicleModel,
    )
    before = {model: model.objects.count() for model in models}
    generate()
    assert Deal.objects.count() > before[Deal]
    call_command("generate_synthetic", delete=True, verbosity=0)
    assert {model: model.objects.count() for model in models} == before


def test_fixtures_are_never_written():
    """Generating leaves fixtures/ byte for byte as it was, with no synthetic slug in it."""
    folder = Path(settings.BASE_DIR, "fixtures")

    def digest():
        return {
            path: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }

    before = digest()
    generate()
    assert digest() == before
    for path in folder.glob("*.yaml"):
        assert "syn-" not in path.read_text(encoding="utf-8")


def test_quotes_are_sentences_of_their_sources():
    """Every status step and citation quotes a sentence that is in its source's text."""
    generate()
    steps = StatusChange.objects.filter(deal__slug__startswith="syn-").select_related("source")
    citations = Citation.objects.filter(source__slug__startswith="syn-").select_related("source")
    assert steps.exists() and citations.exists()
    for row in [*steps, *citations]:
        assert row.quote in row.source.text


def test_deals_are_complete_and_valid():
    """Each deal has 2+ parties, a status history ending in its status, and passes validation."""
    generate()
    deals = Deal.objects.filter(slug__startswith="syn-").prefetch_related(
        "parties", "status_history"
    )
    for deal in deals:
        assert len(deal.parties.all()) >= 2
        history = list(deal.status_history.all())
        assert history and history[-1].status == deal.status
        assert len({party.company_id for party in deal.parties.all()}) == len(deal.parties.all())
        deal.full_clean()
    assert deals.filter(volume_gwh__isnull=True).exists()
    assert deals.filter(volume_gwh__isnull=False).exists()
    precisions = set(deals.values_list("announced_precision", flat=True))
    assert {"day", "month", "quarter", "year"} <= precisions
    assert Citation.objects.filter(deal__slug__startswith="syn-", field="volume_gwh").exists()


def test_companies_have_native_names_and_places():
    """Korean companies carry Hangul names, Chinese ones Han characters, Japanese a kana/kanji
    alias; every company has headquarters coordinates in Asia."""
    generate(deals=2000)
    companies = Company.objects.filter(slug__startswith="syn-")
    korean = companies.filter(country="KR")
    chinese = companies.filter(country="CN")
    japanese = companies.filter(country="JP")
    assert korean.exists() and chinese.exists() and japanese.exists()
    assert all(HANGUL.search(name) for name in korean.values_list("name_ko", flat=True))
    assert all(HAN.search(name) for name in chinese.values_list("name_zh", flat=True))
    for company in japanese.prefetch_related("aliases"):
        assert any(JAPANESE.search(alias.name) for alias in company.aliases.all())
    for company in companies:
        company.full_clean()
        assert -11 < company.hq_latitude < 46 and 68 < company.hq_longitude < 146
    assert companies.filter(parent__isnull=False).exists()
    # Each owner column is its company's controlling stake, cited by a synthetic source.
    stakes = Ownership.objects.filter(slug__startswith="syn-", controlling=True)
    assert stakes.count() == companies.filter(parent__isnull=False).count()
    for stake in stakes.select_related("owned"):
        assert stake.owned.parent_id == stake.owner_id and stake.published
        assert stake.citations.get().quote in stake.citations.get().source.text


def test_partner_counts_are_skewed_like_real_markets():
    """A few giant companies take a large share of all deals; most take a handful."""
    generate(deals=3000)
    counts = sorted(
        Company.objects.filter(slug__startswith="syn-")
        .annotate(n=Count("deal_parties"))
        .values_list("n", flat=True),
        reverse=True,
    )
    top = counts[: max(1, len(counts) // 20)]
    assert sum(top) > 0.3 * sum(counts)
    assert counts[len(counts) // 2] < counts[0] / 10


def test_refuses_to_add_to_existing_synthetic_data():
    """A second run without --replace stops with a message instead of doubling the data."""
    generate(deals=50)
    with pytest.raises(CommandError, match="--replace"):
        generate(deals=50)


def test_rejects_a_non_positive_size():
    """--deals 0 is refused with a message."""
    with pytest.raises(CommandError, match="at least 1"):
        generate(deals=0)
