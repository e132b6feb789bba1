"""The whole tracker as a Frictionless Data Package, one per data version.

At /data/datapackage.json: a Data Package (v2) with one CSV per kind of
record (the same rows and columns as each table's CSV export, published
records only), one of every citation (with its Web Annotation selector and
a text-fragment link, cases/annotations.py) and one of the corrections log,
each with a Table Schema (types, the choices a column holds, primary keys,
foreign keys between the tables); the licence and the sources named. The same
files come as one zip, /data/tracker-<version>.zip.

A package is built once per data version (cases/data_version.py), to files
in DATA_PACKAGE_DIR, and every request after that reads the files: the first
request after an edit builds it (or `manage.py build_datapackage` does,
after a batch of edits); while one process builds, the others serve the
latest package built. The last DATA_PACKAGES_KEPT versions are kept, so a
client halfway through downloading one version's files still finds them.
"""

import csv
import fcntl
import json
import re
import shutil
import tempfile
import zipfile
from datetime import UTC
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.urls import path
from django.utils.cache import patch_cache_control

from . import annotations, exports, presentation, response_cache
from .kinds import KINDS, KINDS_BY_MODEL
from .models import ApiToken, Source, StatedDate
from .querysets import corrections_log, count_each, describe_corrections

PACKAGE_NAME = "deportations-to-el-salvador-tracker"
DESCRIPTOR = "datapackage.json"
# A version's name: when the data last changed and its token's start, so
# versions sort by time and each names one state of the data.
VERSION_FORMAT = "%Y%m%dT%H%M%S%f"
# What version_name() makes, and the files a version holds. A name of any
# other shape is no version and is never looked up on disk (one longer than
# the file system allows raised there: a 500, found by make fuzz).
VERSION_NAME = re.compile(r"\d{8}T\d{12}-[0-9a-f]{1,8}")
RESOURCE_FILE = re.compile(r"[a-z0-9_-]{1,64}\.csv")
CORRECTIONS_CHUNK = 500
LOCK_FILE = ".building.lock"

TYPES = {
    models.BooleanField: "boolean",
    models.IntegerField: "integer",
    models.PositiveIntegerField: "integer",
    models.DateField: "date",
    models.DateTimeField: "datetime",
}
STATED_DATE_PATTERN = r"\d{4}(-\d{2}(-\d{2})?)?"

CITATION_FIELDS = (
    ("record_kind", "string", "The kind of record the quote supports (a resource's name)."),
    ("record_slug", "string", "The record's slug in that resource."),
    ("record_url", "string", "The record's page."),
    ("quote", "string", "The source's words, verbatim."),
    ("supports", "string", "The record's fields the quote supports, '; '-separated."),
    ("source", "string", "The source's title."),
    ("source_publisher", "string", "Who published the source."),
    ("source_slug", "string", "The source's slug in the sources resource."),
    ("source_url", "string", "The source's page on the tracker."),
    ("paragraph", "integer", "The paragraph of the source's text the quote is in, from 1."),
    ("attributed_to", "string", "The report the source attributes the words to, if any."),
    ("selector_exact", "string", "W3C Web Annotation TextQuoteSelector: the exact words."),
    ("selector_prefix", "string", "TextQuoteSelector: the text just before them."),
    ("selector_suffix", "string", "TextQuoteSelector: the text just after them."),
    (
        "text_fragment_url",
        "string",
        "The source's public URL opened at the quote (#:~:text=), where it has one.",
    ),
)
CORRECTION_FIELDS = (
    ("corrected_at", "datetime", "When the change was made public."),
    ("change_kind", "string", "Correction, clarification or update."),
    ("record_kind", "string", "The kind of record changed."),
    ("record_slug", "string", "Its slug; empty for a record taken off the tracker."),
    ("record_url", "string", "Its page; empty for a record taken off the tracker."),
    ("record_name", "string", "Its name (its last published title, if withdrawn)."),
    ("withdrawn", "boolean", "Whether the change took the record off the tracker."),
    ("reason", "string", "Why, as the newsroom gave it."),
    ("changes", "string", "What changed, field: before → after, '; '-separated."),
)


class SiteAddress:
    """What exports.RecordURLs needs of a request: absolute addresses on
    the site the package is built for."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/")

    def build_absolute_uri(self, location):
        return f"{self.base_url}{location}"


def package_version(versions):
    """The version of what the package holds: every table's but the API
    tokens' (issuing one changes no record), or None before any."""
    if versions is None:
        return None
    return versions.of(table for table in versions.tables if table != ApiToken._meta.db_table)


def version_name(version):
    return f"{version.changed_at.astimezone(UTC):{VERSION_FORMAT}}-{version.token[:8]}"


def resource_name(kind):
    return kind.url_prefix


# --- Table Schemas ------------------------------------------------------------------


def _column_schema(kind, column):
    """The Table Schema field of one column of a kind's CSV export."""
    model = kind.model
    field = {"name": column, "type": "string"}
    try:
        model_field = model._meta.get_field(column)
    except FieldDoesNotExist:
        model_field = None
    if column == "citation_count":
        field["type"] = "integer"
    elif column == "url" or column.endswith("_url"):
        field["format"] = "uri"
    elif model_field is not None and not model_field.is_relation:
        if column == "date" and issubclass(model, StatedDate):
            # At the precision the source gives: a year, a month or a day.
            field["constraints"] = {"pattern": STATED_DATE_PATTERN}
            field["description"] = "ISO 8601 at the date's precision (date_precision)."
        else:
            field["type"] = next(
                (name for cls, name in TYPES.items() if type(model_field) is cls), "string"
            )
        if model_field.choices and field["type"] == "string":
            field["constraints"] = {"enum": [str(value) for value, _ in model_field.choices]}
        if model_field.verbose_name:
            field.setdefault("title", str(model_field.verbose_name))
    if column == "slug":
        field["constraints"] = {"required": True, "unique": True}
    return field


def _foreign_keys(kind, columns):
    """A link to one record (`destination_url`) is a foreign key to the url
    column of its kind's resource."""
    keys = []
    for column in columns:
        if not column.endswith("_url") or column == "url":
            continue
        try:
            model_field = kind.model._meta.get_field(column.removesuffix("_url"))
        except FieldDoesNotExist:
            continue
        target = KINDS_BY_MODEL.get(model_field.related_model)
        if model_field.many_to_one and target is not None:
            keys.append(
                {
                    "fields": [column],
                    "reference": {"resource": resource_name(target), "fields": ["url"]},
                }
            )
    return keys


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def kind_schema(kind, columns):
    fields = [_column_schema(kind, column) for column in columns]
    for field in fields:
        # The record's page, unless the kind has a URL of its own (a
        # source's public address), which the export writes there instead.
        if field["name"] == "url" and not _has_field(kind.model, "url"):
            field["constraints"] = {"required": True, "unique": True}
    return {
        "fields": fields,
        "primaryKey": ["slug"],
        "foreignKeys": _foreign_keys(kind, columns),
        "missingValues": [""],
    }


def _fixed_schema(fields, **extra):
    return {
        "fields": [
            {"name": name, "type": kind, "description": description}
            for name, kind, description in fields
        ],
        "missingValues": [""],
        **extra,
    }


# --- Building -------------------------------------------------------------------------


def _write_csv(path, header, rows):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def _citation_row(kind, row, citation):
    selector = citation.get("selector") or {}
    return [
        resource_name(kind),
        row["slug"],
        row["url"],
        exports.as_spreadsheet_text(citation["quote"]),
        "; ".join(citation["supports"]),
        exports.as_spreadsheet_text(citation["source"]),
        exports.as_spreadsheet_text(citation["source_publisher"]),
        citation["source_slug"],
        citation["source_url"],
        citation["paragraph"] or "",
        exports.as_spreadsheet_text(citation["attributed_to"] or ""),
        exports.as_spreadsheet_text(selector.get("exact", "")),
        exports.as_spreadsheet_text(selector.get("prefix", "")),
        exports.as_spreadsheet_text(selector.get("suffix", "")),
        citation.get("text_fragment_url") or "",
    ]


def _write_kind(folder, kind, user, urls, citation_rows, texts):
    """The kind's CSV (its table's CSV export, published records), and its
    citations added to `citation_rows`. Returns its CSV header."""
    header = exports.csv_header(kind, kind.model, with_drafts=False)
    queryset = kind.model.objects.visible_to(user).order_by("slug")
    records = exports.records_with_shown_relations(queryset, kind, user)

    def rows():
        for record in records:
            row = annotations.annotate_citations(
                exports.record_data(record, kind, urls, False), record, texts
            )
            citation_rows.extend(_citation_row(kind, row, c) for c in row["citations"])
            yield exports.csv_row(row, header)

    _write_csv(folder / f"{resource_name(kind)}.csv", header, rows())
    return header


def _correction_rows(user, urls):
    querysets = [kind.model.objects.visible_to(user) for kind in KINDS]
    log = corrections_log(querysets, withdrawals=True)
    offset = 0
    while True:
        page = list(log[offset : offset + CORRECTIONS_CHUNK])
        if not page:
            return
        offset += len(page)
        for correction in describe_corrections(page, user):
            record = correction.record
            model = type(record) if record is not None else correction.withdrawn_kind
            kind = KINDS_BY_MODEL.get(model)
            yield [
                correction.corrected_at.isoformat(),
                correction.kind,
                resource_name(kind) if kind else "",
                record.slug if record is not None else "",
                urls(record) if record is not None else "",
                exports.as_spreadsheet_text(
                    presentation.record_label(record, None)
                    if record is not None
                    else correction.withdrawn_title
                ),
                "true" if correction.withdrawn else "false",
                exports.as_spreadsheet_text(correction.reason),
                exports.as_spreadsheet_text(
                    "; ".join(
                        f"{change['field']}: {change['before']} → {change['after']}"
                        for change in correction.changes
                    )
                ),
            ]


def descriptor(version, name, headers, sources):
    resources = [
        {
            "name": resource_name(kind),
            "title": str(kind.title),
            "description": str(kind.intro),
            "path": f"{resource_name(kind)}.csv",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": kind_schema(kind, headers[kind.name]),
        }
        for kind in KINDS
    ]
    resources.append(
        {
            "name": "citations",
            "title": "Citations",
            "description": "Every quote that supports a published record, with where it is "
            "in its source.",
            "path": "citations.csv",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": _fixed_schema(
                CITATION_FIELDS,
                foreignKeys=[
                    {
                        "fields": ["source_slug"],
                        "reference": {"resource": "sources", "fields": ["slug"]},
                    }
                ],
            ),
        }
    )
    resources.append(
        {
            "name": "corrections",
            "title": "Corrections",
            "description": "Every public change to a published record, newest first, "
            "with its reason.",
            "path": "corrections.csv",
            "type": "table",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": _fixed_schema(CORRECTION_FIELDS),
        }
    )
    return {
        "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
        "name": PACKAGE_NAME,
        "title": "U.S. deportations to El Salvador: case tracker",
        "description": (
            "The tracker's published records (agreements, transfers, detainee groups, "
            "actors, facilities, events, statements, sources), every quote that supports "
            "them and the corrections log, as of data version " + name + "."
        ),
        "version": name,
        "created": version.changed_at.isoformat(),
        "licenses": [
            {
                "name": settings.DATA_LICENSE_NAME,
                "title": settings.DATA_LICENSE_TITLE,
                "path": settings.DATA_LICENSE_URL,
            }
        ],
        "sources": sources,
        "resources": resources,
    }


def build(version, site):
    """Write the package of `version` for the site at `site` (a request, or
    SiteAddress) into its folder, atomically; returns the folder."""
    name = version_name(version)
    root = Path(settings.DATA_PACKAGE_DIR)
    root.mkdir(parents=True, exist_ok=True)
    final = root / name
    if (final / DESCRIPTOR).exists():
        return final
    folder = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=root))
    try:
        user, urls = AnonymousUser(), exports.RecordURLs(site)
        headers, citation_rows, texts = {}, [], annotations.SourceTexts()
        for kind in KINDS:
            headers[kind.name] = _write_kind(folder, kind, user, urls, citation_rows, texts)
        _write_csv(folder / "citations.csv", [f[0] for f in CITATION_FIELDS], citation_rows)
        _write_csv(
            folder / "corrections.csv",
            [f[0] for f in CORRECTION_FIELDS],
            _correction_rows(user, urls),
        )
        sources = [
            {
                "title": source.title,
                "path": source.url or urls(source),
                **({"publisher": source.publisher} if source.publisher else {}),
            }
            for source in Source.objects.published().order_by("published_on", "title")
        ]
        document = descriptor(version, name, headers, sources)
        (folder / DESCRIPTOR).write_text(json.dumps(document, indent=2, ensure_ascii=False))
        with zipfile.ZipFile(folder / f"tracker-{name}.zip", "w", zipfile.ZIP_DEFLATED) as bundle:
            for file in sorted(folder.iterdir()):
                if file.suffix in (".csv", ".json"):
                    bundle.write(file, f"tracker-{name}/{file.name}")
        folder.chmod(0o755)
        try:
            folder.rename(final)
        except OSError:
            # Another process (the command, another server) built it first.
            if not (final / DESCRIPTOR).exists():
                raise
            shutil.rmtree(folder, ignore_errors=True)
            return final
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _prune(root, keep=final)
    return final


def built_versions(root=None):
    root = Path(root or settings.DATA_PACKAGE_DIR)
    if not root.is_dir():
        return []
    return sorted(
        (folder for folder in root.iterdir() if (folder / DESCRIPTOR).exists()),
        key=lambda folder: folder.name,
    )


def _prune(root, keep):
    # Oldest first: by when the data changed, to the microsecond (two edits
    # in one second must not sort by their random tokens).
    for folder in built_versions(root)[: -settings.DATA_PACKAGES_KEPT or None]:
        if folder != keep:
            shutil.rmtree(folder, ignore_errors=True)


class PackageNotBuilt(Exception):
    """No package of the data yet, and too many rows to build one within a
    request: `manage.py build_datapackage` builds it."""


def too_large_to_build_in_a_request():
    """Whether the published records outnumber DATA_PACKAGE_REQUEST_MAX_ROWS.
    Every row is written out with its related records and quotes: at 100,000
    transfers a build took 20 minutes, which no request may hold a worker for
    (issue 28, found by make fuzz's follow-up)."""
    published = [kind.model.objects.published() for kind in KINDS]
    return sum(count_each(published)) > settings.DATA_PACKAGE_REQUEST_MAX_ROWS


def current_package(request):
    """The folder of the current version's package, building it if no process
    has and the data is small enough; while another process builds it, or
    while a large database waits for `build_datapackage`, the latest one
    built (its descriptor names its version). PackageNotBuilt when none is."""
    version = package_version(response_cache.versions_for(request))
    if version is None:
        raise Http404("No data version yet: run migrate.")
    root = Path(settings.DATA_PACKAGE_DIR)
    final = root / version_name(version)
    if (final / DESCRIPTOR).exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    if too_large_to_build_in_a_request():
        return _latest_built(root)
    with (root / LOCK_FILE).open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            built = built_versions(root)
            if built:
                return built[-1]
            fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return build(version, request)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _latest_built(root):
    built = built_versions(root)
    if not built:
        raise PackageNotBuilt
    return built[-1]


# --- Serving ------------------------------------------------------------------------


def _immutable(response):
    # A version's files never change: a client or proxy may keep them.
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# How long a client is asked to wait for a package being built (seconds).
NOT_BUILT_RETRY_AFTER = 600


def answers_not_built(view):
    """A 503 with Retry-After, not a 500, while no package of a large
    database has been built yet (PackageNotBuilt)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PackageNotBuilt:
            response = HttpResponse(
                "The data package is being prepared. Please try again later.\n",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(NOT_BUILT_RETRY_AFTER)
            return response

    return wrapped


@answers_not_built
def package_descriptor(request):
    """The current version's descriptor, its resources' paths pointing into
    the version's own folder (/data/<version>/...), so a client that reads
    the files after the next edit still gets this version's."""
    folder = current_package(request)
    document = json.loads((folder / DESCRIPTOR).read_text())
    for resource in document["resources"]:
        resource["path"] = f"{folder.name}/{resource['path']}"
    response = HttpResponse(
        json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["ETag"] = f'"{folder.name}"'
    response["Link"] = f'</data/tracker-{folder.name}.zip>; rel="alternate"; type="application/zip"'
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _serve(folder, filename, content_type):
    file = folder / filename
    if not file.is_file():
        raise Http404("No such file in this data package.")
    response = FileResponse(file.open("rb"), content_type=content_type)
    if filename.endswith(".zip"):
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _immutable(response)


def _version_folder(request, version):
    if version == "latest":
        return current_package(request)
    folder = Path(settings.DATA_PACKAGE_DIR) / version
    if not VERSION_NAME.fullmatch(version) or not (folder / DESCRIPTOR).exists():
        raise Http404("No data package of this version (only the last few are kept).")
    return folder


@answers_not_built
def version_file(request, version, filename):
    """A file of one version's package: its descriptor or a CSV."""
    folder = _version_folder(request, version)
    if filename == DESCRIPTOR:
        return _serve(folder, filename, "application/json")
    if not RESOURCE_FILE.fullmatch(filename):
        raise Http404("No such file in this data package.")
    return _serve(folder, filename, "text/csv; charset=utf-8")


@answers_not_built
def package_zip(request, version):
    folder = _version_folder(request, version)
    return _serve(folder, f"tracker-{folder.name}.zip", "application/zip")


urlpatterns = [
    path(DESCRIPTOR, package_descriptor, name="datapackage"),
    path("tracker-<str:version>.zip", package_zip, name="datapackage_zip"),
    path("<str:version>/<str:filename>", version_file, name="datapackage_file"),
]
