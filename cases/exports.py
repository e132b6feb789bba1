"""CSV and JSON exports of a table: data, not display strings.

Each row carries the record's values typed (ISO dates beside their precision
and whether they are inferred; counts as numbers, with the source's words
beside them, and, where sources disagree on a count, every source's figure
with which one the newsroom relies on and why; related records by slug,
name and absolute URL), its claim
status, and in JSON its citations (quote, source, paragraph, the fields each
supports). The CSV has one row per record and a companion export,
`citations.csv`, with one row per citation, keyed by the record's slug.

The fields are the ones cases/kinds.py declares for the kind's pages, so an
export cannot drop what a page shows.

Exports stream: rows are written as they are read from the database, in
chunks, so memory stays flat however many rows match and the first byte
leaves at once. An export is bounded in time (EXPORT_TIME_LIMIT_S), and at
most EXPORT_SLOTS large ones stream at once (cases/export_slots.py), so
exports cannot hold the server from other readers: past the time limit the
export ends with a last line that says it is incomplete and how
many rows it holds (CSV: a row starting "# "; JSON: a last object with
"export_incomplete"), never silently cut.
"""

import csv
import json
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import export_slots, presentation
from .pagination import count_up_to
from .querysets import (
    lean_chunks,
    list_total,
    load_keys_of,
    load_lists_of,
    sees_drafts,
    shown_relation,
)

# The `_export` values a table offers, and their link labels.
FORMATS = {"csv": "CSV", "json": "JSON", "citations.csv": "Citations (CSV)"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "citations.csv": "text/csv; charset=utf-8",
}
# Rows read from the database at a time (with their related records).
CHUNK_SIZE = 500
# A spreadsheet runs a cell that starts like a formula; a quote from a source
# must open as text, so such cells get a leading apostrophe (OWASP's advice
# for CSV injection). JSON is data, and left as is.
SPREADSHEET_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_spreadsheet_text(value):
    if isinstance(value, str) and value.startswith(SPREADSHEET_FORMULA_STARTS):
        return f"'{value}"
    return value


# --- One record as data --------------------------------------------------------


def choice_label(record, name):
    """What record.get_<name>_display() says (read from a table of labels per
    language: cases.models.ChoiceLabels)."""
    return getattr(record, f"get_{name}_display")()


class RecordURLs:
    """Absolute addresses of records for one export: each kind's address is
    reversed once and the slug set in it. reverse() for every link (a row, its
    related records, its sources) was a third of an export's time."""

    # Stands for the slug in the reversed address; a slug itself, so the URL
    # pattern takes it.
    SLUG_MARK = "--slug--"

    def __init__(self, request):
        self.request = request
        self.addresses = {}

    def citations_of(self, record):
        """The address of the table of every quote of `record` (cases/views.py,
        CitationListView): a source's own quotes, or the quotes a record rests on."""
        if record._meta.model_name == "source":
            params = {"source": record.slug}
        else:
            params = {"record": f"{record._meta.model_name}:{record.slug}"}
        path = f"{reverse('cases:citation_list')}?{urlencode(params)}"
        return self.request.build_absolute_uri(path)

    def __call__(self, record):
        model = type(record)
        if model not in self.addresses:
            path = reverse(model.detail_url_name, kwargs={"slug": self.SLUG_MARK})
            self.addresses[model] = self.request.build_absolute_uri(path).split(self.SLUG_MARK)
        before, after = self.addresses[model]
        # Slugs are ASCII letters, digits, hyphens and underscores: nothing to quote.
        return f"{before}{record.slug}{after}"


def _link(record, urls):
    return {
        "slug": record.slug,
        "name": presentation.record_label(record, None),
        "url": urls(record),
    }


def _field_data(record, shown, urls):
    """{column: typed value} for one shown field (cases.kinds.ShownField)."""
    name = shown.name
    if shown.shows == "stated_date":
        return {
            "date": presentation.stated_date_iso(record),
            "date_precision": record.date_precision if record.date else None,
            "date_is_inferred": record.date_is_inferred,
            "date_inference": record.date_inference,
            "date_stated": record.date_stated,
        }
    if shown.shows == "stated_count":
        return {
            name: getattr(record, name),
            f"{name}_stated": getattr(record, f"{name}_stated"),
            f"{name}_figures": _figures_data(record, name, urls),
        }
    if shown.shows in ("choice", "occurrence"):
        return {
            name: getattr(record, name),
            f"{name}_label": choice_label(record, name),
        }
    if shown.shows == "lines":
        return {name: [line.strip() for line in getattr(record, name).splitlines() if line.strip()]}
    if shown.shows == "day":
        value = getattr(record, name)
        return {name: value.isoformat() if value else None}
    if shown.shows == "record":
        related = shown_relation(record, name)
        return {name: _link(related, urls) if related is not None else None}
    if shown.shows in ("records", "groups"):
        related = {item.pk: item for item in shown_relation(record, name)}.values()
        return {name: [_link(item, urls) for item in related]}
    if shown.shows == "party_roles":
        return {
            name: [
                {**_link(party.actor, urls), "role": party.role}
                for party in shown_relation(record, name)
            ]
        }
    if shown.shows == "designations":
        return {
            name: [
                {
                    "label": designation.label,
                    "designated_by": (
                        _link(designation.designated_by, urls)
                        if designation.designated_by is not None
                        else None
                    ),
                    "claim_status": designation.claim_status,
                }
                for designation in shown_relation(record, name)
            ]
        }
    return {name: getattr(record, name)}


def _figures_data(record, name, urls):
    """Where sources disagree on a count, every figure with its source and
    quote, and which one the newsroom relies on and why (the count beside it
    holds that one); an empty list where they do not."""
    return [
        {
            "stated": figure.stated,
            "number": figure.number,
            "label": presentation.figure_text(figure)
            + (f", relied on: {figure.relied_on_reason}" if figure.relied_on else ""),
            "source": figure.citation.source.title,
            "source_publisher": figure.citation.source.publisher,
            "source_url": urls(figure.citation.source),
            "quote": figure.citation.quote,
            "paragraph": figure.citation.paragraph,
            "relied_on": figure.relied_on,
            "relied_on_reason": figure.relied_on_reason if figure.relied_on else "",
        }
        for figure in presentation.disagreeing_figures(record, name)
    ]


def _citation_data(citation, urls):
    source = citation.source
    return {
        "quote": citation.quote,
        "source": source.title,
        "source_publisher": source.publisher,
        "source_url": urls(source),
        "paragraph": citation.paragraph,
        "supports": list(getattr(citation, "supports", None) or []),
        "attributed_to": citation.attributed_to.title if citation.attributed_to else None,
    }


def _claim_data(record, urls):
    """The claim status and who stands behind it, typed: the claimant (the
    actor the source attributes the claim to, by name and slug), where it
    was said, and the report the quotes attribute it to, each None where the
    source does not say (cases.presentation.claim_attribution words them)."""
    claimant, medium = presentation.claimant_and_medium(record)
    source = presentation.claim_source(record)
    return {
        "claim_status": record.claim_status,
        "claim_status_label": choice_label(record, "claim_status"),
        "claimed_by": _link(claimant, urls) if claimant is not None else None,
        "claimed_by_slug": claimant.slug if claimant is not None else None,
        "claim_medium": medium or None,
        "claim_source": _link(source, urls) if source is not None else None,
        "claim_source_slug": source.slug if source is not None else None,
        "claim_attribution": presentation.claim_attribution(record),
    }


def record_data(record, kind, urls, with_drafts):
    """One record as typed data, its citations included."""
    row = {
        "slug": record.slug,
        "url": urls(record),
        kind.title_field: getattr(record, kind.title_field),
    }
    if hasattr(record, "claim_status"):
        row.update(_claim_data(record, urls))
    for shown in kind.fields:
        row.update(_field_data(record, shown, urls))
    if kind.lead_field:
        row[kind.lead_field] = getattr(record, kind.lead_field)
    if hasattr(record, "inferences"):
        row["inferences"] = record.inferences or {}
        # The reasons as the reader reads them (Spanish where the newsroom
        # wrote it), as claim_status_label is the status in their words.
        row["inferences_label"] = presentation.inference_reasons(record)
    if with_drafts:
        # Only those who see drafts learn which rows are drafts.
        row["publication_status"] = record.publication_status
    row["citations"] = [
        _citation_data(citation, urls) for citation in shown_relation(record, "citations")
    ]
    # A row holds at most RECORD_LIST_LIMIT quotes; the rest are a table of their own.
    total = list_total(record, "citations")
    row["citations_total"] = total if total is not None else len(row["citations"])
    if total is not None:
        # Counted as a table counts its rows: past TABLE_COUNT_CAP, "at least".
        row["citations_total"] = min(total, settings.TABLE_COUNT_CAP)
        row["citations_total_is_capped"] = total > settings.TABLE_COUNT_CAP
        row["citations_url"] = urls.citations_of(record)
    return row


# --- Streaming -------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns what it is given, so
    csv.writer can feed a streaming response."""

    def write(self, value):
        return value


LINKED = ("record", "records", "groups", "party_roles")


def csv_header(kind, model, with_drafts):
    """The CSV columns of a kind, in the order of its JSON keys: a link's
    URL (or a list's URLs) beside its name; citations in citations.csv."""
    columns = ["slug", "url", kind.title_field]
    if hasattr(model, "claim_status"):
        columns += [
            "claim_status",
            "claim_status_label",
            "claimed_by",
            "claimed_by_slug",
            "claim_medium",
            "claim_source",
            "claim_source_slug",
            "claim_attribution",
        ]
    for shown in kind.fields:
        name = shown.name
        if shown.shows == "stated_date":
            columns += [
                "date",
                "date_precision",
                "date_is_inferred",
                "date_inference",
                "date_stated",
            ]
        elif shown.shows == "stated_count":
            columns += [name, f"{name}_stated", f"{name}_figures"]
        elif shown.shows in ("choice", "occurrence"):
            columns += [name, f"{name}_label"]
        elif shown.shows == "record":
            columns += [name, f"{name}_url"]
        elif shown.shows in LINKED:
            columns += [name, f"{name}_urls"]
        else:
            columns.append(name)
    if kind.lead_field:
        columns.append(kind.lead_field)
    if hasattr(model, "inferences"):
        columns += ["inferences", "inferences_label"]
    if with_drafts:
        columns.append("publication_status")
    columns.append("citation_count")
    return list(dict.fromkeys(columns))


def _csv_cell(value):
    """A typed value as a CSV cell: a link as its name, a list as its items'
    names (or labels), '; '-separated."""
    if type(value) is str:
        # Most cells: the checks below in the order they end for text.
        return f"'{value}" if value.startswith(SPREADSHEET_FORMULA_STARTS) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "name" in value:
            return as_spreadsheet_text(value["name"])
        return as_spreadsheet_text("; ".join(f"{key}: {text}" for key, text in value.items()))
    if isinstance(value, list):
        names = [
            (item.get("name") or item.get("label", "")) if isinstance(item, dict) else str(item)
            for item in value
        ]
        return as_spreadsheet_text("; ".join(names))
    return as_spreadsheet_text(value)


def csv_row(row, header):
    cells = {name: _csv_cell(value) for name, value in row.items() if name != "citations"}
    for name, value in row.items():
        if type(value) is dict:
            if "url" in value:
                cells[f"{name}_url"] = value["url"]
        elif type(value) is list and all(
            isinstance(item, dict) and "url" in item for item in value
        ):
            cells[f"{name}_urls"] = "; ".join(item["url"] for item in value)
    cells["citation_count"] = row["citations_total"]
    if row.get("citations_total_is_capped"):
        cells["citation_count"] = f"{row['citations_total']}+"
    return [cells.get(name, "") for name in header]


def records_with_shown_relations(queryset, kind, user):
    """The rows of `queryset` (filtered and sorted as the table is), with
    the related records the kind's fields show and the citations, as far as
    `user` may see them, in chunks."""
    relations = [
        shown.name
        for shown in kind.fields
        if shown.shows in ("record", "records", "groups", "party_roles", "designations")
    ]
    # A transfer's or a group's figures that sources disagree on travel too.
    relations += ["citations", "figures"]
    # The table's rows without the records its cells join to them: an
    # export reads each related record once per chunk, not once per row
    # that names it (a join).
    records = queryset.prefetch_related(None).select_related(None).without_unshown_fields()
    model = records.model
    names = [name for name in records.detail_relations if name in relations]
    keys = [name for name in names if model._meta.get_field(name).many_to_one]
    for chunk in lean_chunks(records, CHUNK_SIZE):
        load_keys_of(chunk, keys, user)
        # Each chunk's lists are read together, at most RECORD_LIST_LIMIT
        # of each per record, and the longer ones counted together
        # (load_lists_of): a few queries per chunk, not per row.
        load_lists_of(chunk, names, user)
        yield from chunk


def _stream_csv(header, rows, stopped):
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)
    if stopped:
        yield writer.writerow([f"# {incomplete_message(stopped[0])}"])


CITATION_COLUMNS = (
    "record_slug",
    "record_url",
    "quote",
    "supports",
    "source",
    "source_publisher",
    "source_url",
    "paragraph",
    "attributed_to",
)


def incomplete_message(rows):
    return _(
        "Export incomplete: it stopped after %(rows)s rows at the time limit of "
        "%(seconds)s s. Narrow the filters (for example by date) and export the rest separately."
    ) % {
        "rows": number_format(rows, force_grouping=True),
        "seconds": settings.EXPORT_TIME_LIMIT_S,
    }


def _within_time_limit(records, stopped):
    """`records` (the lines of an export: rows, or quotes), until the export
    has run EXPORT_TIME_LIMIT_S; then `stopped` is given the number written.
    Checked before each line: a row carries at most RECORD_LIST_LIMIT quotes
    (bound_lists), so no one line can run far past the limit."""
    deadline = time.monotonic() + settings.EXPORT_TIME_LIMIT_S
    for written, record in enumerate(records):
        if time.monotonic() > deadline:
            stopped.append(written)
            return
        yield record


class ExportResponse(StreamingHttpResponse):
    """A streaming export that gives its slot back (if it took one) when the
    server closes it: at its end, or when the reader goes away mid-stream."""

    def __init__(self, *args, slot, **kwargs):
        super().__init__(*args, **kwargs)
        self.slot = slot

    def close(self):
        try:
            super().close()
        finally:
            if self.slot is not None:
                self.slot.release()


def busy_response():
    """Every export slot is taken: say so, and when to try again."""
    message = _(
        "Too many exports are running on this server right now. Try again in a minute, "
        "or narrow the filters so the export is smaller."
    )
    return HttpResponse(
        message + "\n",
        status=503,
        content_type="text/plain; charset=utf-8",
        # By then every export running now has ended.
        headers={"Retry-After": str(settings.EXPORT_TIME_LIMIT_S)},
    )


def export_size(queryset, user):
    """How much an export of `queryset` streams, counted no further than
    EXPORT_SLOT_ROWS: its rows and the quotes they carry. A table of five
    sources quoted 255,750 times is a large export, not a small one
    (issue 28): its rows are few, but each is heavy. (A row carries at most
    RECORD_LIST_LIMIT quotes; counting them all only errs towards a slot.)"""
    cap = settings.EXPORT_SLOT_ROWS
    rows = count_up_to(queryset, cap)
    if rows > cap:
        return rows
    citations = queryset.model._meta.get_field("citations")
    quotes = citations.related_model.objects.visible_to(user).filter(
        **{f"{citations.field.name}__in": queryset.order_by().values("pk")}
    )
    return rows + count_up_to(quotes, cap - rows)


def export_response(request, kind, queryset, export_format):
    """A streaming download of `queryset` (a table's filtered, sorted rows).
    An export of more than EXPORT_SLOT_ROWS rows first takes one of the
    server's export slots (cases/export_slots.py); a smaller one is over in
    about the time of a page, and streams at once."""
    slot = None
    if export_size(queryset, request.user) > settings.EXPORT_SLOT_ROWS:
        slot = export_slots.take_slot()
        if slot is None:
            return busy_response()
    user = request.user
    with_drafts = sees_drafts(user)
    stopped = []
    urls = RecordURLs(request)
    data = (
        record_data(record, kind, urls, with_drafts)
        for record in records_with_shown_relations(queryset, kind, user)
    )
    # The time limit is checked before each line written: a record's row,
    # or one quote in citations.csv, however many quotes one record has.
    if export_format == "json":
        content = _stream_json(_within_time_limit(data, stopped), stopped)
    elif export_format == "csv":
        header = csv_header(kind, queryset.model, with_drafts)
        rows = (csv_row(row, header) for row in data)
        content = _stream_csv(header, _within_time_limit(rows, stopped), stopped)
    else:
        rows = _citation_rows(data)
        content = _stream_csv(CITATION_COLUMNS, _within_time_limit(rows, stopped), stopped)
    response = ExportResponse(content, content_type=CONTENT_TYPES[export_format], slot=slot)
    # Whether the time limit cut it: a cut export is never cached (export_cache.py).
    response.was_cut = lambda: bool(stopped)
    filename = slugify(kind.label_plural)
    if export_format == "citations.csv":
        filename += "-citations"
    extension = "json" if export_format == "json" else "csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def _stream_json(rows, stopped):
    yield "["
    index = -1
    for index, row in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(row, cls=DjangoJSONEncoder)
    if stopped:
        last = {
            "export_incomplete": True,
            "rows": stopped[0],
            "message": incomplete_message(stopped[0]),
        }
        yield ("," if index >= 0 else "") + "\n" + json.dumps(last)
    yield "\n]\n"


def _citation_rows(rows):
    """One row per citation: the record it supports, the quote and where it
    is from. A record with more than RECORD_LIST_LIMIT quotes is followed by
    a line that says how many more and where they all are."""
    for row in rows:
        for citation in row["citations"]:
            yield _citation_line(row["slug"], row["url"], citation)
        more = row["citations_total"] - len(row["citations"])
        if more > 0:
            more = f"{more:,}+" if row.get("citations_total_is_capped") else f"{more:,}"
            yield [f"# {more_quotes_message(row['slug'], more, row['citations_url'])}"]


def more_quotes_message(slug, more, url):
    return _(
        "%(record)s has %(more)s more quotes than an export row holds; all of them: %(url)s"
    ) % {"record": slug, "more": more, "url": url}


def _citation_line(record_slug, record_url, citation):
    return [
        record_slug,
        record_url,
        as_spreadsheet_text(citation["quote"]),
        "; ".join(citation["supports"]),
        as_spreadsheet_text(citation["source"]),
        as_spreadsheet_text(citation["source_publisher"]),
        citation["source_url"],
        citation["paragraph"] or "",
        as_spreadsheet_text(citation["attributed_to"] or ""),
    ]


# --- A table of quotes (cases/views.py, CitationListView) -----------------------


def citations_export_response(request, queryset, export_format):
    """A streaming download of quotes (a table of one source's or one
    record's quotes): CSV with the columns of a table's citations.csv, or
    JSON with the record each quote supports. Bounded as a table's export
    is: a slot past EXPORT_SLOT_ROWS quotes, cut at the time limit with the
    "incomplete" line."""
    slot = None
    if count_up_to(queryset, settings.EXPORT_SLOT_ROWS) > settings.EXPORT_SLOT_ROWS:
        slot = export_slots.take_slot()
        if slot is None:
            return busy_response()
    stopped = []
    urls = RecordURLs(request)
    citations = _within_time_limit(queryset.iterator(chunk_size=CHUNK_SIZE), stopped)
    rows = (_quote_row(citation, urls) for citation in citations)
    if export_format == "json":
        content = _stream_json(rows, stopped)
        extension = "json"
    else:
        export_format = "csv"
        lines = (_citation_line(row["record_slug"], row["record_url"], row) for row in rows)
        content = _stream_csv(CITATION_COLUMNS, lines, stopped)
        extension = "csv"
    response = ExportResponse(content, content_type=CONTENT_TYPES[export_format], slot=slot)
    response["Content-Disposition"] = f'attachment; filename="quotes.{extension}"'
    return response


def _quote_row(citation, urls):
    record = citation.record
    return {
        "record_kind": record._meta.model_name if record is not None else None,
        "record_slug": record.slug if record is not None else "",
        "record_url": urls(record) if record is not None else "",
        **_citation_data(citation, urls),
    }
