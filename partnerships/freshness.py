"""The one freshness rule: a data version, bumped inside every writing transaction.

`DataVersion` is a single row whose `value` grows by one with each write to the catalogue. The
bump is an `UPDATE ... SET value = value + 1` issued by a signal receiver on every catalogue
model's save, delete and many-to-many change, so the admin, the API, draft approval and fixture
loading all move it without knowing about it, and it commits or rolls back with the write.
Readers build every cache key, precomputed aggregate (`AggregateSnapshot.data_version`) and ETag
from the number they read (`current()`, one query): once a write has committed, the next reader
reads a new number, so no key of the old data can answer it.

Writes that bypass the ORM's signals (`QuerySet.update()`, `bulk_create`, COPY) call `bump()`
themselves.
"""

import hashlib
from contextvars import ContextVar
from typing import NamedTuple

from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal

from partnerships.models import (
    Citation,
    Company,
    CompanyAlias,
    CompanyIdentifier,
    ContextEvent,
    DataVersion,
    Deal,
    DealParty,
    Ownership,
    Source,
    StatusChange,
    VehicleModel,
)

# What a reader can see: a change to any of these is a change of the data.
CATALOGUE_MODELS = (
    Company,
    CompanyAlias,
    CompanyIdentifier,
    Deal,
    DealParty,
    Ownership,
    StatusChange,
    Source,
    VehicleModel,
    ContextEvent,
    Citation,
)


# Sent after each bump, inside the writing transaction: for work to queue once it commits (the
# dashboard's aggregates rebuild), never for work that must be part of the write.
data_changed = Signal()


class Version(NamedTuple):
    number: int
    changed_at: object  # datetime of the last write; None before the first

    @property
    def tag(self) -> str:
        """The version as it goes into cache keys and ETags. The number alone could repeat
        where the cache outlives the database (a restored backup, a test's rolled-back
        transaction) and hand out another state's answers; the time of the bump cannot."""
        stamp = int(self.changed_at.timestamp() * 1_000_000) if self.changed_at else 0
        return f"{self.number}.{stamp}"


# Within one request the version is read once: the page's cache keys, its ETag and its
# footer's "last updated" share that read. A write in the request forgets it (`bump`). Outside
# requests (workers, commands) there is no memo, so a long-lived process never reads an old one.
_request_memo: ContextVar[dict | None] = ContextVar("data_version_memo", default=None)


def current() -> Version:
    """The data version as committed now: one query (once per request)."""
    memo = _request_memo.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    row = DataVersion.objects.filter(pk=1).values_list("value", "changed_at").first()
    version = Version(*row) if row else Version(0, None)
    if memo is not None:
        memo["version"] = version
    return version


def _request_started(**kwargs):
    _request_memo.set({})


def _request_finished(**kwargs):
    _request_memo.set(None)


def bump() -> None:
    """Count one more write, in the caller's transaction (the row stays locked until it ends,
    so concurrent writers commit their numbers in order)."""
    with transaction.atomic():
        moved = DataVersion.objects.filter(pk=1).update(value=F("value") + 1, changed_at=Now())
        if not moved:  # a database emptied by flush: the row comes back
            DataVersion.objects.bulk_create([DataVersion(pk=1)], ignore_conflicts=True)
            DataVersion.objects.filter(pk=1).update(value=F("value") + 1, changed_at=Now())
    memo = _request_memo.get()
    if memo is not None:
        memo.clear()
    data_changed.send(sender=DataVersion)


def key(name: str, *parts, version: Version) -> str:
    """A cache key for `name` with `parts` (a filter, a language...) at `version`: every key
    of an older version is unreachable once the version moves."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"v{version.tag}:{name}:{digest}"


def _on_write(sender, action=None, **kwargs):
    # m2m_changed is sent before and after each change; count the change once.
    if action is None or action.startswith("post_"):
        bump()


# Run once by AppConfig.ready, before mutmut forks a process per mutant, so no test could run a
# mutant of it (scripts/mutation); the tests of every write see the wiring.
def connect_signals() -> None:  # pragma: no mutate block
    request_started.connect(_request_started, dispatch_uid="freshness-request-started")
    request_finished.connect(_request_finished, dispatch_uid="freshness-request-finished")
    for model in CATALOGUE_MODELS:
        uid = f"freshness-{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _on_write, sender=Deal.vehicle_models.through, dispatch_uid="freshness-deal-vehicles"
    )
