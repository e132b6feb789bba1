"""Figures that disagree: when two sources give different counts for one
transfer, every surface shows both, each with its source; the newsroom may
rely on one, with a public reason, and tables then sort by it and say so.

The second source is fictional, written here for the tests and never added to
the seed: "Fictional Daily — test only" counts 238 people on the transfer the
article says moved "hundreds"."""

import csv
import html
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from cases.models import Citation, ReportedFigure, Source, Transfer
from tests.factories import make_citation, make_source, make_transfer
from tests.test_admin import admin_client, change_form_data  # noqa: F401 (a fixture)
from tests.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

FICTIONAL_TITLE = "Fictional Daily — test only"
FICTIONAL_TEXT = (
    "This source is invented for the tests of the deportation tracker.\n"
    "Fictional Daily counted 238 people on the flight to El Salvador."
)
FICTIONAL_QUOTE = "Fictional Daily counted 238 people on the flight"
REASON = "Fictional Daily counted the passenger list; the article gives no number."
TRANSFER = "deportation-of-hundreds"


def add_fictional_count(transfer):
    """A second, fictional source with a conflicting count, and the two figures."""
    fictional = make_source(
        slug="fictional-daily",
        title=FICTIONAL_TITLE,
        publisher="Fictional Daily",
        text=FICTIONAL_TEXT,
    )
    article_quote = Citation.objects.get(transfer=transfer, quote__contains="hundreds of migrants")
    fictional_quote = make_citation(transfer, source=fictional, quote=FICTIONAL_QUOTE)
    figures = [
        ReportedFigure(transfer=transfer, field="count", stated="hundreds", citation=article_quote),
        ReportedFigure(
            transfer=transfer, field="count", stated="238", number=238, citation=fictional_quote
        ),
    ]
    for figure in figures:
        figure.full_clean()
        figure.save()
    return figures


@pytest.fixture
def transfer(seed):
    transfer = Transfer.objects.get(slug=TRANSFER)
    add_fictional_count(transfer)
    return transfer


@pytest.fixture
def relied_on(transfer):
    figure = transfer.figures.get(stated="238")
    figure.relied_on = True
    figure.relied_on_reason = REASON
    figure.full_clean()
    figure.save()
    return figure


def article_title():
    return Citation.objects.get(
        transfer__slug=TRANSFER, quote__contains="hundreds of migrants"
    ).source.title


def table_url(**params):
    url = reverse("cases:transfer_list")
    return url + ("?" + "&".join(f"{key}={value}" for key, value in params.items()))


def first_row_title(response):
    return response.context["table"].page.object_list[0].record.title


# --- Every surface shows both figures with their sources ----------------------------


def test_record_page_shows_both_figures_side_by_side_with_their_sources(client, transfer):
    page = html.unescape(client.get(transfer.get_absolute_url()).content.decode())

    assert "Sources disagree:" in page
    assert "hundreds" in page and "(the source states no number)" in page
    assert "238" in page
    assert FICTIONAL_TITLE in page
    assert article_title() in page
    assert reverse("cases:source_detail", args=["fictional-daily"]) in page
    assert "The newsroom has not chosen which figure to rely on." in page


def test_table_cell_shows_both_figures_and_what_the_row_is_sorted_by(client, transfer):
    page = html.unescape(client.get(table_url(sort="-count")).content.decode())

    side_by_side = (
        f"hundreds (“{article_title()}”, which states no number); 238 (“{FICTIONAL_TITLE}”)"
    )
    assert side_by_side in page
    assert "Sorted by the record's figure, hundreds" in page


def test_csv_and_json_exports_carry_every_figure_with_its_source(client, transfer):
    rows = json.loads(b"".join(client.get(table_url(_export="json")).streaming_content).decode())
    row = next(row for row in rows if row["slug"] == TRANSFER)
    assert row["count"] is None and row["count_stated"] == "hundreds"
    by_words = {figure["stated"]: figure for figure in row["count_figures"]}
    assert by_words["238"]["number"] == 238
    assert by_words["238"]["source"] == FICTIONAL_TITLE
    assert by_words["238"]["quote"] == FICTIONAL_QUOTE
    assert by_words["hundreds"]["number"] is None
    assert by_words["hundreds"]["source"] == article_title()
    assert not any(figure["relied_on"] for figure in row["count_figures"])

    content = b"".join(client.get(table_url(_export="csv")).streaming_content).decode()
    csv_row = next(row for row in csv.DictReader(io.StringIO(content)) if row["slug"] == TRANSFER)
    assert FICTIONAL_TITLE in csv_row["count_figures"]
    assert article_title() in csv_row["count_figures"]
    assert "238" in csv_row["count_figures"]


def test_record_brief_shows_both_figures_with_their_sources(brief_client, transfer):
    text = pdf_text(brief_client.get(f"{transfer.get_absolute_url()}brief.pdf"))

    assert "Sources disagree:" in text
    assert "238" in text
    assert FICTIONAL_TITLE in text
    assert article_title() in text
    assert "The newsroom has not chosen which figure to rely on." in text


def test_records_whose_sources_agree_read_as_before(client, seed):
    """One figure per source, all the same: nothing to set side by side."""
    transfer = Transfer.objects.get(slug="handover-of-17-to-cecot")
    quote = Citation.objects.filter(transfer=transfer, quote__contains="17").first()
    ReportedFigure.objects.create(
        transfer=transfer, field="count", stated="17", number=17, citation=quote
    )
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "Sources disagree" not in page


# --- Relying on one figure -----------------------------------------------------


def test_relying_on_a_figure_changes_the_sort_and_the_pages_say_so(client, transfer):
    before = client.get(table_url(sort="-count"))
    assert first_row_title(before) != transfer.title

    relied = transfer.figures.get(stated="238")
    relied.relied_on = True
    relied.relied_on_reason = REASON
    relied.full_clean()
    relied.save()

    transfer.refresh_from_db()
    assert (transfer.count, transfer.count_stated) == (238, "238")
    after = client.get(table_url(sort="-count"))
    assert first_row_title(after) == transfer.title
    table = after.content.decode()
    assert "Sorted by 238, the figure the newsroom relies on." in table
    # The other figure stays beside it.
    assert "which states no number" in table

    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "The newsroom relies on 238:" in page
    assert REASON in page
    assert "The newsroom relies on this" in page
    assert "hundreds" in page


def test_the_choice_is_public_in_every_surface_and_in_the_records_history(
    client, brief_client, relied_on
):
    transfer = relied_on.transfer
    rows = json.loads(b"".join(client.get(table_url(_export="json")).streaming_content))
    row = next(row for row in rows if row["slug"] == TRANSFER)
    assert row["count"] == 238
    chosen = [figure for figure in row["count_figures"] if figure["relied_on"]]
    assert [(figure["stated"], figure["relied_on_reason"]) for figure in chosen] == [
        ("238", REASON)
    ]

    text = pdf_text(brief_client.get(f"{transfer.get_absolute_url()}brief.pdf"))
    assert "The newsroom relies on 238:" in text
    assert REASON in text

    reason = transfer.history.first().history_change_reason
    assert FICTIONAL_TITLE in reason and REASON in reason


def test_relying_on_another_figure_replaces_the_first_choice(relied_on):
    transfer = relied_on.transfer
    hundreds = transfer.figures.get(stated="hundreds")
    hundreds.relied_on = True
    hundreds.relied_on_reason = "The fictional count could not be checked."
    hundreds.save()

    assert list(transfer.figures.filter(relied_on=True)) == [hundreds]
    transfer.refresh_from_db()
    assert (transfer.count, transfer.count_stated) == (None, "hundreds")


# --- What a figure must be ------------------------------------------------------


def test_a_figure_must_be_in_its_quote_and_from_the_records_own_citations(seed):
    transfer = Transfer.objects.get(slug=TRANSFER)
    quote = Citation.objects.get(transfer=transfer, quote__contains="hundreds of migrants")
    with pytest.raises(ValidationError) as not_in_quote:
        ReportedFigure(
            transfer=transfer, field="count", stated="300", number=300, citation=quote
        ).full_clean()
    assert "stated" in not_in_quote.value.message_dict

    other = make_transfer()
    with pytest.raises(ValidationError) as other_record:
        ReportedFigure(
            transfer=other, field="count", stated="hundreds", citation=quote
        ).full_clean()
    assert "citation" in other_record.value.message_dict


def test_relying_on_a_figure_needs_a_reason(transfer):
    figure = transfer.figures.get(stated="238")
    figure.relied_on = True
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "relied_on_reason" in error.value.message_dict


def test_a_figure_from_a_draft_source_is_not_shown_to_the_public(staff_client, transfer):
    Source.objects.filter(slug="fictional-daily").update(publication_status="draft")

    public = Client().get(transfer.get_absolute_url()).content.decode()
    assert "Sources disagree" not in public
    assert FICTIONAL_TITLE not in public
    assert "Sources disagree" in staff_client.get(transfer.get_absolute_url()).content.decode()


def test_a_figure_from_a_draft_source_cannot_be_relied_on(transfer):
    Source.objects.filter(slug="fictional-daily").update(publication_status="draft")
    figure = transfer.figures.get(stated="238")
    figure.relied_on = True
    figure.relied_on_reason = REASON
    with pytest.raises(ValidationError) as error:
        figure.full_clean()
    assert "publish it before relying on its figure" in str(error.value)


# --- Admin -----------------------------------------------------------------------


def test_admin_marks_the_relied_on_figure_with_a_reason_in_the_inline(admin_client, transfer):  # noqa: F811
    url = reverse("admin:cases_transfer_change", args=[transfer.pk])
    data = change_form_data(admin_client.get(url))
    index = next(
        key.split("-")[1]
        for key, value in data.items()
        if key.startswith("figures-") and key.endswith("-stated") and value == "238"
    )
    data[f"figures-{index}-relied_on"] = "on"
    data.update(change_reason="Rely on the counted figure", change_kind="correction")

    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "Say why the newsroom relies on this figure" in refused.content.decode()

    data[f"figures-{index}-relied_on_reason"] = REASON
    assert admin_client.post(url, data).status_code == 302
    transfer.refresh_from_db()
    assert transfer.count == 238
    assert transfer.figures.get(relied_on=True).relied_on_reason == REASON


def test_admin_cannot_rely_on_two_figures_for_one_value(admin_client, transfer):  # noqa: F811
    url = reverse("admin:cases_transfer_change", args=[transfer.pk])
    data = change_form_data(admin_client.get(url))
    for key in [key for key in data if key.startswith("figures-") and key.endswith("-stated")]:
        prefix = key.rsplit("-", 1)[0]
        data[f"{prefix}-relied_on"] = "on"
        data[f"{prefix}-relied_on_reason"] = REASON
    data.update(change_reason="Rely on both", change_kind="correction")

    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Mark one figure per value" in response.content.decode()
    assert not transfer.figures.filter(relied_on=True).exists()
