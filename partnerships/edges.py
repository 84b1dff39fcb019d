"""The supplier maps' edges, stored: one `DealEdge` per line a deal draws, kept by the write path.

The rule (`deal_edges`) is written once, here, in Python: each party that delivers (supplier,
manufacturer) to each customer; any other party from the deal's hub, its first party by role
priority. `sync` rewrites a deal's edges from its parties; it runs inside the transaction that
saves the deal or changes its parties (the receivers below, connected by the app), so the maps
never read edges of a write that did not commit, and a committed write is drawn at once. The
supply graph, the flows, the company page's maps read the table (`dashboard/graph.py`), like
the Land Matrix keeps its deals' top investors on save rather than per request.

Writes that send no signal call `sync` themselves (`services.deal_sync_status`), and bulk loads
call `rebuild` (the benchmark's COPY, `load_fixtures`, the migration that made the table).
"""

from django.apps import apps as global_apps
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from partnerships.models import Deal, DealEdge, DealParty, PartyRole

# Who is drawn where on an edge: the party that delivers comes first.
UPSTREAM_ROLES = (PartyRole.SUPPLIER, PartyRole.MANUFACTURER)
ROLE_PRIORITY = {
    role: index
    for index, role in enumerate(
        [
            PartyRole.SUPPLIER,
            PartyRole.MANUFACTURER,
            PartyRole.DEVELOPER,
            PartyRole.INVESTOR,
            PartyRole.PARTNER,
            PartyRole.CUSTOMER,
        ]
    )
}
DEAL_COLUMNS = ("id", "status", "kind", "product", "volume_gwh", "announced_on", "start_on")
REBUILD_CHUNK = 5000  # deals per read and insert in `rebuild`


def deal_edges(parties):
    """Pairs of parties (dicts with `company_id` and `role`) to draw: each deliverer to each
    customer, other parties from the hub."""
    ordered = sorted(parties, key=lambda p: (ROLE_PRIORITY.get(p["role"], 99), p["company_id"]))
    upstream = [p for p in ordered if p["role"] in UPSTREAM_ROLES]
    downstream = [p for p in ordered if p["role"] == PartyRole.CUSTOMER]
    pairs = [(u, d) for u in upstream for d in downstream if u["company_id"] != d["company_id"]]
    covered = {id(p) for pair in pairs for p in pair}
    hub = ordered[0] if ordered else None
    for party in ordered[1:]:
        if id(party) not in covered and party["company_id"] != hub["company_id"]:
            pairs.append((hub, party))
    return pairs


def _edges(deal, parties, edge_model):
    when = deal["announced_on"] or deal["start_on"]
    return [
        edge_model(
            deal_id=deal["id"],
            source_id=source["company_id"],
            target_id=target["company_id"],
            source_role=source["role"],
            target_role=target["role"],
            status=deal["status"],
            kind=deal["kind"],
            product=deal["product"],
            volume_gwh=deal["volume_gwh"],
            year=when.year if when else None,
        )
        for source, target in deal_edges(parties)
    ]


def _build(deal_ids, deal_model, party_model, edge_model):
    parties = {pk: [] for pk in deal_ids}
    for row in (
        party_model.objects.filter(deal_id__in=deal_ids)
        .values("deal_id", "company_id", "role")
        .order_by("deal_id", "id")
    ):
        parties[row["deal_id"]].append(row)
    edges = []
    for deal in deal_model.objects.filter(pk__in=deal_ids).values(*DEAL_COLUMNS):
        edges += _edges(deal, parties[deal["id"]], edge_model)
    return edges


@transaction.atomic
def sync(deal_ids) -> None:
    """Rewrite the edges of these deals from their parties (four queries)."""
    deal_ids = list(deal_ids)
    DealEdge.objects.filter(deal_id__in=deal_ids).delete()
    DealEdge.objects.bulk_create(_build(deal_ids, Deal, DealParty, DealEdge))


def rebuild(*, deal_ids=None, apps=global_apps) -> int:
    """Rewrite the edges of `deal_ids` (every deal when None) in chunks, so memory stays flat
    however many there are; `apps` lets a migration pass its historical models. Returns how
    many edges it wrote."""
    deal_model = apps.get_model("partnerships", "Deal")
    party_model = apps.get_model("partnerships", "DealParty")
    edge_model = apps.get_model("partnerships", "DealEdge")
    ids = deal_model.objects.order_by("pk").values_list("pk", flat=True)
    if deal_ids is not None:
        ids = ids.filter(pk__in=deal_ids)
    ids, written = list(ids), 0
    with transaction.atomic():
        for start in range(0, len(ids), REBUILD_CHUNK):
            chunk = ids[start : start + REBUILD_CHUNK]
            edge_model.objects.filter(deal_id__in=chunk).delete()
            edges = _build(chunk, deal_model, party_model, edge_model)
            edge_model.objects.bulk_create(edges, batch_size=REBUILD_CHUNK)
            written += len(edges)
    return written


# --- kept by the write path ----------------------------------------------------------------------


def _deal_saved(sender, instance, raw=False, **kwargs):
    # loaddata saves raw: a dump carries its edges, and load_fixtures rebuilds after loading.
    if not raw:
        sync([instance.pk])


def _party_changed(sender, instance, raw=False, origin=None, **kwargs):
    if raw or isinstance(origin, Deal):  # a deleted deal takes its edges with it
        return
    sync([instance.deal_id])


# Run once by AppConfig.ready, before mutmut forks a process per mutant, so no test could run a
# mutant of it (scripts/mutation); the tests of every write see the wiring.
def connect_signals() -> None:  # pragma: no mutate block
    post_save.connect(_deal_saved, sender=Deal, dispatch_uid="edges-deal-saved")
    post_save.connect(_party_changed, sender=DealParty, dispatch_uid="edges-party-saved")
    post_delete.connect(_party_changed, sender=DealParty, dispatch_uid="edges-party-deleted")
