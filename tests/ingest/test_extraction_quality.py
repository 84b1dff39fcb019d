"""How well the reading does, scored against curated facts (what `score_extraction` prints)."""

import pytest
from django.core.management import call_command

from ingest import scoring
from partnerships.models import Source

FOUNDING_SLUG = "000-e2c2a161a104c2fc"


def by_field(scores):
    return {row.field: row for row in scores}


@pytest.mark.django_db
def test_founding_article_recall_of_deals_and_gwh(article):
    """On the founding article, with its companies known, at least 90% of the curated deals
    (company pairs) and GWh figures are found."""
    scores = by_field(scoring.score_source(Source.objects.get(slug=FOUNDING_SLUG)))
    assert scores["deals"].expected >= 10
    assert scores["deals"].recall >= 0.9
    assert scores["volume_gwh"].recall >= 0.9
    assert scores["roles"].recall >= 0.9


@pytest.mark.parametrize(
    ("name", "deal_recall"),
    [
        ("01_materials_and_cells", 1.0),
        ("02_joint_development", 1.0),
        ("03_joint_venture_and_foil", 1.0),
        # Written after the fixes and scored once, untuned: the honest out-of-sample figure.
        ("04_held_out_recycling_and_sodium", 0.66),
    ],
)
def test_own_test_articles_keep_their_scores(name, deal_recall, settings):
    """The test articles written apart from the founding one keep the deal recall reported in
    the README, so a change that helps one article cannot quietly hurt the others."""
    cases = dict(scoring.load_cases(settings.BASE_DIR / "fixtures" / "ingest_eval"))
    scores = by_field(scoring.score_case(cases[name]))
    assert scores["deals"].recall >= deal_recall
    assert scores["companies"].recall == 1.0


@pytest.mark.django_db
def test_score_command_prints_precision_and_recall(article, capsys):
    """`manage.py score_extraction` prints precision and recall per field for each article."""
    call_command("score_extraction")
    out = capsys.readouterr().out
    assert f"source {FOUNDING_SLUG}" in out
    assert "case 02_joint_development" in out
    assert "volume_gwh" in out and "recall" in out


@pytest.mark.django_db
def test_score_command_rejects_unknown_sources():
    """Naming a source that does not exist is a clear command error."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no-such-source"):
        call_command("score_extraction", "--source", "no-such-source")
