"""Every company's parent becomes a stake (`Ownership`): the parent as owner, with its tie and
share, marked controlling (the chain followed it), and the company's citations of its parent,
tie and share copied onto the stake. A stake is published only when cited (and both companies
are); `Company.parent`, now derived from the stakes, keeps only published controlling stakes,
so an unsourced parent link leaves the readers' pages and stays in the admin, marked.
"""

from django.db import migrations
from django.db.models import F
from django.utils import timezone

# The company's citations that state its parent link, and the stake's fact each one states.
PARENT_FIELDS = {"parent": "", "parent_tie": "tie", "parent_share_percent": "share_percent"}


def stake_slug(owner_slug, owned_slug, taken):
    base = f"{owner_slug}-in-{owned_slug}"[:72].rstrip("-")
    slug, number = base, 1
    while slug.lower() in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug.lower())
    return slug


def parents_to_stakes(apps, schema_editor):
    Company = apps.get_model("partnerships", "Company")
    Ownership = apps.get_model("partnerships", "Ownership")
    Citation = apps.get_model("partnerships", "Citation")
    DataVersion = apps.get_model("partnerships", "DataVersion")
    taken = {slug.lower() for slug in Ownership.objects.values_list("slug", flat=True)}
    children = Company.objects.filter(parent__isnull=False).select_related("parent")
    moved = 0
    for company in children.order_by("id").iterator():
        parent = company.parent
        stake = Ownership.objects.create(
            slug=stake_slug(parent.slug, company.slug, taken),
            owner_id=parent.pk,
            owned_id=company.pk,
            tie=company.parent_tie or "subsidiary",
            share_percent=company.parent_share_percent,
            controlling=True,
        )
        cited = False
        for citation in Citation.objects.filter(company=company, field__in=PARENT_FIELDS):
            Citation.objects.get_or_create(
                source_id=citation.source_id,
                quote=citation.quote,
                field=PARENT_FIELDS[citation.field],
                ownership=stake,
                defaults={"claim": citation.claim},
            )
            cited = True
        reasons = []
        if not cited:
            reasons.append("No citation states this stake yet.")
        for side in (parent, company):
            if not side.published:
                reasons.append(f"{side.name} is not published.")
        Ownership.objects.filter(pk=stake.pk).update(
            published=not reasons, unpublished_reason=" ".join(reasons)[:300]
        )
        if reasons:
            Company.objects.filter(pk=company.pk).update(
                parent=None, parent_tie="", parent_share_percent=None
            )
        moved += 1
    if moved:
        # Cache keys and ETags derive from the data version: readers must see the change.
        DataVersion.objects.filter(pk=1).update(value=F("value") + 1, changed_at=timezone.now())


def stakes_to_parents(apps, schema_editor):
    Company = apps.get_model("partnerships", "Company")
    Ownership = apps.get_model("partnerships", "Ownership")
    Citation = apps.get_model("partnerships", "Citation")
    for stake in Ownership.objects.filter(controlling=True, until_on__isnull=True):
        Company.objects.filter(pk=stake.owned_id).update(
            parent_id=stake.owner_id,
            parent_tie=stake.tie,
            parent_share_percent=stake.share_percent,
        )
    Citation.objects.filter(ownership__isnull=False).delete()
    Ownership.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("partnerships", "0015_ownership_stakes")]

    operations = [migrations.RunPython(parents_to_stakes, stakes_to_parents)]
