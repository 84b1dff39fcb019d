"""Migration 0016 turns every company's parent into a stake, keeping existing databases working:
a cited parent becomes a published controlling stake with its citations; an unsourced one an
unpublished stake, and the company's derived owner is cleared."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("partnerships", "0015_ownership_stakes")]
AFTER = [("partnerships", "0016_parents_to_stakes")]
TEXT = "Alpha Group owns 60% of Beta Motors. Gamma is Delta's brand."


@pytest.fixture(autouse=True)
def latest_afterwards(transactional_db):
    """Every app back at its latest migration after the test, passed or failed: the tests
    after it expect today's schema."""
    yield
    migrate(None)


def migrate(targets):
    """Migrate to `targets` (None: every app's latest migration)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_parents_become_stakes_with_their_citations():
    """Beta Motors' cited parent is a published controlling stake with the parent's share and the
    citation copied onto it; Gamma's uncited parent an unpublished one, its owner cleared."""
    apps = migrate(BEFORE)
    Company = apps.get_model("partnerships", "Company")
    Source = apps.get_model("partnerships", "Source")
    Citation = apps.get_model("partnerships", "Citation")
    DataVersion = apps.get_model("partnerships", "DataVersion")
    version = DataVersion.objects.get_or_create(pk=1)[0].value

    def company(slug, **fields):
        return Company.objects.create(slug=slug, name=slug.title(), country="KR", **fields)

    alpha, delta = company("alpha", published=True), company("delta", published=True)
    beta = company(
        "beta",
        published=True,
        parent=alpha,
        parent_tie="subsidiary",
        parent_share_percent=Decimal("60"),
    )
    gamma = company("gamma", published=True, parent=delta, parent_tie="brand")
    source = Source.objects.create(slug="s", title="S", text=TEXT)
    Citation.objects.create(
        source=source,
        company=beta,
        field="parent_share_percent",
        quote="Alpha Group owns 60% of Beta Motors.",
    )
    Citation.objects.create(source=source, company=beta, field="", quote="Gamma is Delta's brand.")

    apps = migrate(AFTER)
    Company = apps.get_model("partnerships", "Company")
    Ownership = apps.get_model("partnerships", "Ownership")
    DataVersion = apps.get_model("partnerships", "DataVersion")
    cited = Ownership.objects.get(owned_id=beta.pk)
    assert (cited.owner_id, cited.tie, cited.share_percent) == (
        alpha.pk,
        "subsidiary",
        Decimal("60"),
    )
    assert cited.controlling and cited.until_on is None and cited.published
    assert cited.slug == "alpha-in-beta"
    assert [(c.field, c.quote) for c in cited.citations.all()] == [
        ("share_percent", "Alpha Group owns 60% of Beta Motors.")
    ]
    assert Company.objects.get(pk=beta.pk).parent_id == alpha.pk
    uncited = Ownership.objects.get(owned_id=gamma.pk)
    assert not uncited.published and "No citation" in uncited.unpublished_reason
    assert Company.objects.get(pk=gamma.pk).parent_id is None
    assert DataVersion.objects.get(pk=1).value > version
    # Back again: the controlling stakes are parents once more, and the stakes are gone.
    apps = migrate(BEFORE)
    Company = apps.get_model("partnerships", "Company")
    assert Company.objects.get(pk=gamma.pk).parent_id == delta.pk
    assert not apps.get_model("partnerships", "Ownership").objects.exists()
