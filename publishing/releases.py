"""Data releases: the whole dataset as a Frictionless data package, numbered, dated, citable.

`release_publish` reads every published table into one CSV each, describes them in
`datapackage.json` (Table Schema: types, titles and help texts from the models, allowed values,
primary and foreign keys, licence), records each file's SHA-256 and size, and lists what changed
since the previous release by comparing the rows. The columns are the data dictionary's
(`methodology.dictionary`), so the pages and the package describe the same fields.

Sources are released without their full text (the articles belong to their publishers); the
quoted sentences are in `citations`.
"""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal

from django.db import models, transaction
from django.db.models import Max, Q
from django.utils import timezone

from partnerships import freshness
from partnerships.models import Deal
from publishing import dataset
from publishing.methodology import DICTIONARY_MODELS, HIDDEN_FIELDS
from publishing.models import Release, ReleaseFile

# Resource names, one per table, in the package's order.
RESOURCE_NAMES = {
    "deal": "deals",
    "dealparty": "deal_parties",
    "statuschange": "status_changes",
    "company": "companies",
    "companyalias": "company_aliases",
    "ownership": "stakes",
    "vehiclemodel": "vehicle_models",
    "source": "sources",
    "citation": "citations",
    "contextevent": "context_events",
}
# Left out of a release: the articles' full text belongs to their publishers.
NOT_RELEASED = {("source", "text")}
CHANGES_LISTED = 20  # slugs or ids listed per table and kind of change


def _frictionless_type(field) -> str:
    if field.is_relation:
        return "integer"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.DecimalField | models.FloatField):
        return "number"
    if isinstance(field, models.IntegerField | models.AutoField):
        return "integer"
    return "string"


def _columns(model):
    """The released fields of a model: its id, then the data dictionary's fields."""
    fields = [model._meta.pk]
    for field in model._meta.get_fields():
        if field.auto_created or not field.concrete or field.name in HIDDEN_FIELDS:
            continue
        if field.many_to_many:  # released as their own tables (deal_parties, ...)
            continue
        if (model._meta.model_name, field.name) in NOT_RELEASED:
            continue
        fields.append(field)
    return fields


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _schema_field(model, field) -> dict:
    described = {
        "name": field.attname,
        "type": _frictionless_type(field),
        "title": str(field.verbose_name),
    }
    if field.help_text:
        described["description"] = str(field.help_text)
    constraints = {}
    if field.primary_key or not (field.null or getattr(field, "blank", False)):
        constraints["required"] = True
    choices = [value for value, _label in field.choices or [] if value != ""]
    if choices and not field.is_relation:
        constraints["enum"] = choices
    if constraints:
        described["constraints"] = constraints
    return described


def _readable(model):
    """The rows of `model` a reader may see: published ones, and those of published records (an
    unsourced deal, company or vehicle model is in no release, nor are its parties or citations)."""
    rows = model._default_manager.all()
    names = {field.name for field in model._meta.concrete_fields}
    if "published" in names:
        rows = rows.filter(published=True)
    for parent in ("deal", "company", "vehicle_model", "ownership"):
        if parent in names:
            rows = rows.filter(
                Q(**{f"{parent}__isnull": True}) | Q(**{f"{parent}__published": True})
            )
    return rows


def _table(model) -> tuple[dict, bytes]:
    """A model's rows as CSV bytes and its Table Schema."""
    columns = _columns(model)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([field.attname for field in columns])
    rows = _readable(model).order_by("pk").values_list(*[field.attname for field in columns])
    for row in rows.iterator(chunk_size=2000):
        writer.writerow([_cell(value) for value in row])
    schema = {
        "fields": [_schema_field(model, field) for field in columns],
        "primaryKey": [model._meta.pk.attname],
        "missingValues": [""],
    }
    foreign_keys = []
    for field in columns:
        target = field.related_model._meta.model_name if field.is_relation else None
        if target in RESOURCE_NAMES:
            resource = RESOURCE_NAMES[target]
            if target == model._meta.model_name:
                resource = ""  # a reference within the same table
            foreign_keys.append(
                {"fields": field.attname, "reference": {"resource": resource, "fields": "id"}}
            )
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema, buffer.getvalue().encode()


def _deal_vehicle_models() -> tuple[dict, bytes]:
    """The many-to-many table of deals and the vehicle models they name."""
    through = Deal.vehicle_models.through
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "deal_id", "vehiclemodel_id"])
    links = through.objects.filter(deal__published=True, vehiclemodel__published=True)
    for row in links.order_by("pk").values_list("pk", "deal_id", "vehiclemodel_id"):
        writer.writerow(row)
    schema = {
        "fields": [
            {"name": "id", "type": "integer", "constraints": {"required": True}},
            {"name": "deal_id", "type": "integer", "constraints": {"required": True}},
            {"name": "vehiclemodel_id", "type": "integer", "constraints": {"required": True}},
        ],
        "primaryKey": ["id"],
        "missingValues": [""],
        "foreignKeys": [
            {"fields": "deal_id", "reference": {"resource": "deals", "fields": "id"}},
            {
                "fields": "vehiclemodel_id",
                "reference": {"resource": "vehicle_models", "fields": "id"},
            },
        ],
    }
    return schema, buffer.getvalue().encode()


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _rows_by_key(content: bytes) -> tuple[dict, int | None]:
    """{id: row} of a released CSV, and the index of its slug column (None without one)."""
    reader = csv.reader(io.StringIO(content.decode()))
    header = next(reader, [])
    slug = header.index("slug") if "slug" in header else None
    return {row[0]: row for row in reader if row}, slug


def _changes(previous: bytes | None, current: bytes) -> dict:
    """Rows added, changed and removed between two CSVs of one table, by id."""
    new, slug = _rows_by_key(current)
    old, _slug = _rows_by_key(previous) if previous is not None else ({}, slug)

    def named(rows):
        keys = sorted(rows, key=lambda key: int(key) if key.isdigit() else key)
        return [rows[key][slug] if slug is not None else key for key in keys[:CHANGES_LISTED]]

    added = {key: row for key, row in new.items() if key not in old}
    removed = {key: row for key, row in old.items() if key not in new}
    changed = {key: row for key, row in new.items() if key in old and old[key] != row}
    return {
        "added": len(added),
        "changed": len(changed),
        "removed": len(removed),
        "added_first": named(added),
        "changed_first": named(changed),
        "removed_first": named(removed),
    }


def cite_text(release: Release, address: str = "") -> str:
    """How to cite a release."""
    published = timezone.localdate(release.published_at).isoformat()
    text = (
        f"{dataset.TITLE}, data release {release.number} ({published}), "
        f"{dataset.LICENCE['title']} ({dataset.LICENCE['name']})."
    )
    return f"{text} {address}" if address else text


def _descriptor(release: Release, resources: list[dict]) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": f"korea-china-partnerships-release-{release.number}",
        "title": f"{dataset.TITLE}, release {release.number}",
        "version": f"{release.number}.0.0",
        "created": release.published_at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "description": (
            "Korea–China partnerships in electric vehicles and batteries: companies, deals with"
            " their parties and status history, vehicle models, sources and the sentences that"
            " state each fact. Unknown volumes are empty, never 0; see the methodology."
        ),
        "licenses": [
            {
                "name": dataset.LICENCE["name"],
                "title": dataset.LICENCE["title"],
                "path": dataset.LICENCE["url"],
            }
        ],
        "x_data_version": release.data_version,
        "x_data_last_updated": _cell(release.data_updated_at),
        "x_cite_as": cite_text(release),
        "resources": resources,
    }


@transaction.atomic
def release_publish(*, notes: str = "", user=None) -> Release:
    """Publish the next numbered release of the whole dataset; returns it with its files."""
    version = freshness.current()
    previous = Release.objects.select_for_update().order_by("-number").first()
    number = (Release.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    release = Release.objects.create(
        number=number,
        notes=notes,
        published_by=user,
        data_version=version.number,
        data_updated_at=version.changed_at,
    )
    tables = [(RESOURCE_NAMES[m._meta.model_name], _table(m)) for m in DICTIONARY_MODELS]
    tables.append(("deal_vehicle_models", _deal_vehicle_models()))
    previous_files = (
        {f.name: bytes(f.content) for f in previous.files.all()} if previous is not None else {}
    )
    resources, files, changes, counts = [], [], {}, {}
    for name, (schema, content) in tables:
        path = f"{name}.csv"
        digest = sha256(content)
        resources.append(
            {
                "name": name,
                "path": path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "bytes": len(content),
                "hash": f"sha256:{digest}",
                "schema": schema,
            }
        )
        files.append(ReleaseFile(release=release, name=path, media_type="text/csv",
                                 sha256=digest, size=len(content), content=content))  # fmt: skip
        counts[name] = content.count(b"\n") - 1
        changes[name] = _changes(previous_files.get(path) if previous else None, content)
    descriptor = json.dumps(_descriptor(release, resources), ensure_ascii=False, indent=2)
    descriptor = descriptor.encode()
    files.append(
        ReleaseFile(release=release, name="datapackage.json", media_type="application/json",
                    sha256=sha256(descriptor), size=len(descriptor), content=descriptor)
    )  # fmt: skip
    sums = "".join(f"{f.sha256}  {f.name}\n" for f in sorted(files, key=lambda f: f.name))
    sums = sums.encode()
    files.append(
        ReleaseFile(release=release, name="SHA256SUMS", media_type="text/plain",
                    sha256=sha256(sums), size=len(sums), content=sums)
    )  # fmt: skip
    ReleaseFile.objects.bulk_create(files)
    release.row_counts = counts
    release.changes = {"previous": previous.number if previous else None, "tables": changes}
    release.save(update_fields=["row_counts", "changes"])
    return release


def package_zip(release: Release) -> bytes:
    """Every file of a release in one zip, under a folder named after it."""
    folder = f"korea-china-partnerships-release-{release.number}"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for release_file in release.files.order_by("name"):
            stamp = release.published_at.astimezone(datetime.UTC).timetuple()[:6]
            info = zipfile.ZipInfo(f"{folder}/{release_file.name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, bytes(release_file.content))
    return buffer.getvalue()
