"""CSV and JSON exports of the tables: the rows the page shows, across all its
pages, in its order, as typed data with their citations, streamed, and never
a draft for the public."""

import csv
import io
import json

import pytest

from tests.factories import (
    make_actor,
    make_agreement,
    make_citation,
    make_facility,
    make_group,
    make_source,
    make_transfer,
)

LIST_URLS = [
    "/transfers/",
    "/detainee-groups/",
    "/agreements/",
    "/actors/",
    "/facilities/",
    "/events/",
    "/statements/",
    "/sources/",
]


def body(response):
    # Exports stream: rows are written as they are read.
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def json_rows(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(body(response))


def slugs(rows):
    return [row["slug"] for row in rows]


@pytest.mark.parametrize("url", LIST_URLS)
def test_every_table_exports_csv_and_json_with_the_same_rows(client, seed, url):
    page = client.get(url)
    assert page.status_code == 200
    as_csv = client.get(url, {"_export": "csv"})
    as_json = client.get(url, {"_export": "json"})
    assert 'attachment; filename="' in as_csv["Content-Disposition"]
    from_csv = slugs(csv_rows(as_csv))
    assert from_csv == slugs(json_rows(as_json))
    assert len(from_csv) == page.context["table"].paginator.count


def test_cecot_filter_exports_the_handover_only(client, seed):
    query = {"destination": "cecot"}
    assert slugs(csv_rows(client.get("/transfers/", {**query, "_export": "csv"}))) == [
        "handover-of-17-to-cecot"
    ]
    assert slugs(json_rows(client.get("/transfers/", {**query, "_export": "json"}))) == [
        "handover-of-17-to-cecot"
    ]


def test_tren_de_aragua_filter_exports_the_hundreds(client, seed):
    query = {"affiliation": "tren-de-aragua"}
    expected = ["hundreds-of-deported-migrants"]
    assert slugs(csv_rows(client.get("/detainee-groups/", {**query, "_export": "csv"}))) == expected
    assert (
        slugs(json_rows(client.get("/detainee-groups/", {**query, "_export": "json"}))) == expected
    )


def test_status_filter_and_search_export_safe_third_country(client, seed):
    for query in ({"status": "under_consideration"}, {"q": "Safe Third Country"}):
        for export_format, read in (("csv", csv_rows), ("json", json_rows)):
            response = client.get("/agreements/", {**query, "_export": export_format})
            assert slugs(read(response)) == ["safe-third-country"]


def test_export_values_are_typed_data_with_their_citations(client, seed):
    rows = json_rows(client.get("/transfers/", {"destination": "cecot", "_export": "json"}))
    assert len(rows) == 1
    handover = rows[0]
    assert handover["title"] == "Handover of 17 alleged criminals to CECOT"
    assert handover["url"] == "http://testserver/transfers/handover-of-17-to-cecot/"
    # No date is invented: the source's words, and no ISO date.
    assert handover["date"] is None
    assert handover["date_stated"] == "the most recent operation"
    assert handover["count"] == 17
    assert handover["count_stated"] == "17"
    assert handover["destination"]["slug"] == "cecot"
    assert handover["destination"]["url"] == "http://testserver/facilities/cecot/"
    assert handover["agreement"] is None
    assert handover["claim_status"] == "reported"
    # Anonymous readers are not told which rows are drafts: they see none.
    assert "publication_status" not in handover
    quotes = [citation["quote"] for citation in handover["citations"]]
    assert any("17 alleged" in quote for quote in quotes)
    assert all(citation["paragraph"] for citation in handover["citations"])
    groups = json_rows(client.get("/detainee-groups/", {"_export": "json"}))
    hundreds = next(row for row in groups if row["slug"] == "hundreds-of-deported-migrants")
    assert hundreds["size"] is None
    assert hundreds["size_stated"] == "hundreds"
    assert hundreds["claim_status"] == "alleged"
    assert [actor["name"] for actor in hundreds["alleged_affiliations"]] == [
        "MS-13",
        "Tren de Aragua",
    ]
    assert "<" not in json.dumps(groups)


def test_inferred_dates_export_as_iso_with_precision_and_inference(client, seed):
    events = json_rows(client.get("/events/", {"_export": "json"}))
    meeting = next(row for row in events if row["slug"] == "white-house-meeting-april-14")
    assert meeting["date"] == "2025-04-14"
    assert meeting["date_precision"] == "day"
    assert meeting["date_is_inferred"] is True
    assert meeting["date_inference"]
    assert meeting["occurrence"] == "scheduled"
    rows = {row["slug"]: row for row in csv_rows(client.get("/events/", {"_export": "csv"}))}
    assert rows["white-house-meeting-april-14"]["date"] == "2025-04-14"
    assert rows["white-house-meeting-april-14"]["date_is_inferred"] == "true"
    assert rows["white-house-meeting-april-14"]["occurrence"] == "scheduled"


def test_citations_export_has_a_row_per_quote_keyed_by_record(client, seed):
    rows = csv_rows(client.get("/transfers/", {"_export": "citations.csv"}))
    assert {row["record_slug"] for row in rows} == {
        "handover-of-17-to-cecot",
        "deportation-of-hundreds",
    }
    assert all(
        row["quote"] and row["source_url"].startswith("http://testserver/sources/") for row in rows
    )


def test_export_holds_every_page_in_the_pages_order(client, db):
    for number in range(60):
        make_actor(slug=f"actor-{number:02d}", name=f"Actor {number:02d}")
    rows = csv_rows(
        client.get("/actors/", {"sort": "-name", "per_page": "10", "page": "3", "_export": "csv"})
    )
    assert slugs(rows) == [f"actor-{number:02d}" for number in reversed(range(60))]


def test_export_links_on_the_page_keep_filters_and_sort_but_not_the_page(client, seed):
    html = client.get(
        "/transfers/?destination=cecot&sort=-title&page=1&per_page=10"
    ).content.decode()
    assert 'href="/transfers/?destination=cecot&amp;sort=-title&amp;_export=csv"' in html
    assert 'href="/transfers/?destination=cecot&amp;sort=-title&amp;_export=json"' in html


@pytest.fixture
def drafts(db):
    prison = make_facility(slug="prison", name="Prison")
    make_transfer(slug="public-transfer", destination=prison)
    make_transfer(slug="draft-transfer", destination=prison, publication_status="draft")
    make_group(slug="draft-group", publication_status="draft")


@pytest.mark.parametrize("export_format", ["csv", "json"])
def test_draft_transfer_is_hidden_from_anonymous_export(client, drafts, export_format):
    read = csv_rows if export_format == "csv" else json_rows
    response = client.get("/transfers/", {"destination": "prison", "_export": export_format})
    assert slugs(read(response)) == ["public-transfer"]
    assert b"draft-transfer" not in body(client.get("/transfers/", {"_export": export_format}))
    groups = client.get("/detainee-groups/", {"_export": export_format})
    assert b"draft-group" not in body(groups)


def test_staff_export_includes_drafts_and_says_so(staff_client, drafts):
    rows = json_rows(staff_client.get("/transfers/", {"_export": "json"}))
    publication = {row["slug"]: row["publication_status"] for row in rows}
    assert publication == {"public-transfer": "published", "draft-transfer": "draft"}


def test_internal_notes_never_reach_an_export(staff_client, db):
    make_transfer(slug="noted", internal_note="Call the source back before publishing")
    for export_format in ("csv", "json", "citations.csv"):
        response = staff_client.get("/transfers/", {"_export": export_format})
        assert b"Call the source back" not in body(response)


@pytest.mark.parametrize("export_format", ["xlsx", "yaml", "ods", "latex", "pdf", "CSV", ""])
def test_unsupported_export_format_gives_the_page(client, seed, export_format):
    response = client.get("/transfers/", {"_export": export_format})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_export_with_an_invalid_filter_is_empty_not_an_error(client, seed):
    response = client.get("/transfers/", {"destination": "nowhere", "_export": "csv"})
    assert response.status_code == 200
    assert csv_rows(response) == []


def test_csv_cells_that_look_like_formulas_open_as_text(client, db):
    make_actor(name='=HYPERLINK("http://evil.example","click")', slug="formula-actor")
    names = [row["name"] for row in csv_rows(client.get("/actors/?_export=csv"))]
    assert '\'=HYPERLINK("http://evil.example","click")' in names
    data = json_rows(client.get("/actors/?_export=json"))
    assert any(row["name"].startswith("=HYPERLINK") for row in data)


def test_every_seeded_record_round_trips_with_typed_values_and_its_citations(client, seed):
    import datetime

    from cases.kinds import KINDS

    for kind in KINDS:
        url = f"/{kind.url_prefix}/"
        as_json = {row["slug"]: row for row in json_rows(client.get(url, {"_export": "json"}))}
        as_csv = {row["slug"]: row for row in csv_rows(client.get(url, {"_export": "csv"}))}
        citations = csv_rows(client.get(url, {"_export": "citations.csv"}))
        for record in kind.model.objects.all():
            row = as_json[record.slug]
            quotes = sorted(citation.quote for citation in record.citations.all())
            assert sorted(citation["quote"] for citation in row["citations"]) == quotes
            # Each says which of the record's fields it supports (a quote that
            # only names an actor supports no field but its name).
            assert all(isinstance(citation["supports"], list) for citation in row["citations"])
            assert int(as_csv[record.slug]["citation_count"]) == len(quotes)
            assert sorted(
                c["quote"] for c in citations if c["record_slug"] == record.slug
            ) == sorted(
                quote if not quote.startswith(("=", "+", "-", "@")) else f"'{quote}"
                for quote in quotes
            )
            if "date" in row and row["date"]:
                parsed = (
                    datetime.date.fromisoformat(row["date"]) if len(row["date"]) == 10 else None
                )
                assert parsed == record.date or row["date_precision"] != "day"
                assert row["date"] == as_csv[record.slug]["date"]
            for name in ("count", "size"):
                if name in row:
                    assert row[name] is None or isinstance(row[name], int)
                    assert as_csv[record.slug][name] == (
                        "" if row[name] is None else str(row[name])
                    )


def test_an_export_past_its_time_limit_ends_saying_it_is_incomplete(client, seed, settings):
    # Every row is past a limit of zero seconds, so the export stops at once
    # and says so rather than ending as if it held every row.
    settings.EXPORT_TIME_LIMIT_S = -1
    text = body(client.get("/transfers/", {"_export": "csv"})).decode()
    assert text.splitlines()[-1].startswith("# Export incomplete: it stopped after 0 rows")
    rows = json_rows(client.get("/transfers/", {"_export": "json"}))
    assert rows[-1]["export_incomplete"] is True
    assert rows[-1]["rows"] == 0


def test_exports_stream_with_flat_memory(client, db, settings):
    import tracemalloc

    # Tracing every allocation slows the export down; the time limit is not
    # what this test is about.
    settings.EXPORT_TIME_LIMIT_S = 600
    from cases.models import Transfer

    def peak_for(count):
        Transfer.objects.all().delete()
        Transfer.objects.bulk_create(
            Transfer(
                slug=f"t-{number}",
                title=f"Fictional transfer {number}",
                count_stated="dozens",
                publication_status="published",
            )
            for number in range(count)
        )
        response = client.get("/transfers/", {"_export": "csv"})
        assert response.streaming
        tracemalloc.start()
        rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert rows == count + 1
        return peak

    small, large = peak_for(1_000), peak_for(10_000)
    # Ten times the rows, not ten times the memory: rows are read in chunks
    # and written as they are read. 10,000 rows stay under 30 MB.
    assert large < 3 * small
    assert large < 30 * 1024 * 1024


@pytest.mark.parametrize("url", LIST_URLS)
def test_every_address_in_an_export_is_the_records_own(client, seed, url):
    # Exports set each slug in its kind's address, reversed once per export:
    # every address must still be exactly the record's get_absolute_url().
    from cases.kinds import KINDS

    models = {kind.model for kind in KINDS}
    expected = {
        f"http://testserver{record.get_absolute_url()}"
        for model in models
        for record in model.objects.all()
    }
    found = set()

    def addresses(value):
        if isinstance(value, dict):
            for item in value.values():
                # (A source's own "url" is its address on the web, not here.)
                if isinstance(item, str) and item.startswith("http://testserver/"):
                    found.add(item)
                else:
                    addresses(item)
        elif isinstance(value, list):
            for item in value:
                addresses(item)

    addresses(json_rows(client.get(url, {"_export": "json"})))
    assert found
    assert found <= expected


@pytest.mark.parametrize("language", ["en", "es"])
def test_choice_labels_are_each_fields_own_words_in_each_language(db, language):
    """get_<field>_display() reads a table of labels per language
    (cases.models.ChoiceLabels), not Django's dict of every lazy label per
    call: the same words, in English and Spanish, and a value no choice names
    passes through."""
    from django.utils import translation

    from cases.exports import choice_label
    from cases.kinds import KINDS

    with translation.override(language):
        for kind in KINDS:
            record = kind.model()
            for field in kind.model._meta.concrete_fields:
                if not field.choices:
                    continue
                labels = {value: str(label) for value, label in field.flatchoices}
                for value in [*labels, "not-a-choice"]:
                    setattr(record, field.name, value)
                    words = labels.get(value, value)
                    assert getattr(record, f"get_{field.name}_display")() == words, value
                    assert choice_label(record, field.name) == words, (kind.name, value)


def _rows_by_slug(client, export_format, **headers):
    response = client.get("/transfers/", {"_export": export_format}, **headers)
    rows = csv_rows(response) if export_format == "csv" else json_rows(response)
    return {row["slug"]: row for row in rows}


def test_export_rows_name_related_records_as_each_reader_may_see_them(
    client, staff_user, db, monkeypatch
):
    # Rows are read in chunks, each related record once per chunk however
    # many rows name it (issue 25): two chunks here, one facility named twice.
    monkeypatch.setattr("cases.exports.CHUNK_SIZE", 2)
    cecot = make_facility(name="Centro de Confinamiento", short_name="CECOT")
    unannounced = make_facility(name="Unannounced prison", publication_status="draft")
    deal = make_agreement(title="Safe third country deal", title_es="Acuerdo de tercer país")
    spokesman = make_actor(name="Hidden spokesman", publication_status="draft")
    ice = make_actor(name="ICE")
    office = make_actor(name="Unnamed office", publication_status="draft")
    group = make_group(name="Deported men", name_es="Hombres deportados")
    first = make_transfer(
        title="A first transfer",
        destination=cecot,
        agreement=deal,
        claimed_by=spokesman,
        claim_status="alleged",
        groups=[group],
        inferences={"count": "Counted from the list"},
        inferences_es={"count": "Contado de la lista"},
    )
    first.sent_by.set([ice, office])
    make_citation(first, source=make_source(title="The report"), quote="Second paragraph")
    second = make_transfer(title="B second transfer", destination=cecot)
    third = make_transfer(title="C third transfer", destination=unannounced)
    spanish = {"HTTP_ACCEPT_LANGUAGE": "es"}

    rows = _rows_by_slug(client, "json", **spanish)
    assert list(rows) == [first.slug, second.slug, third.slug]
    row = rows[first.slug]
    assert row["destination"]["name"] == "Centro de Confinamiento (CECOT)"
    assert rows[second.slug]["destination"] == row["destination"]
    assert rows[third.slug]["destination"] is None
    assert row["agreement"]["name"] == "Acuerdo de tercer país"
    assert row["claim_status_label"] == "Presunto"
    assert row["claimed_by"] is None
    assert row["claim_attribution"] == ""
    assert [actor["name"] for actor in row["sent_by"]] == ["ICE"]
    assert [group["name"] for group in row["groups"]] == ["Hombres deportados"]
    assert row["inferences_label"] == {"count": "Contado de la lista"}
    assert [citation["source"] for citation in row["citations"]] == ["The report"]
    assert "publication_status" not in row
    cells = _rows_by_slug(client, "csv", **spanish)[first.slug]
    assert cells["destination"] == "Centro de Confinamiento (CECOT)"
    assert cells["agreement"] == "Acuerdo de tercer país"
    assert cells["claim_status_label"] == "Presunto"
    assert cells["sent_by"] == "ICE"
    assert cells["citation_count"] == "1"
    english = _rows_by_slug(client, "json")[first.slug]
    assert english["agreement"]["name"] == "Safe third country deal"
    assert english["claim_status_label"] == "Alleged"
    assert english["groups"][0]["name"] == "Deported men"

    # Editors see the drafts: the hidden claimant, actor and facility.
    client.force_login(staff_user)
    rows = _rows_by_slug(client, "json", **spanish)
    row = rows[first.slug]
    assert row["claimed_by"]["name"] == "Hidden spokesman"
    assert "Hidden spokesman" in row["claim_attribution"]
    assert [actor["name"] for actor in row["sent_by"]] == ["ICE", "Unnamed office"]
    assert rows[third.slug]["destination"]["name"] == "Unannounced prison"
    assert row["publication_status"] == "published"
    cells = _rows_by_slug(client, "csv", **spanish)
    assert cells[first.slug]["sent_by"] == "ICE; Unnamed office"
    assert cells[third.slug]["destination"] == "Unannounced prison"
