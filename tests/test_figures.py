"""Figures that disagree, kept side by side (issue 13, point 5: the data model
and admin only; surfaces show them through the presentation layer).

The second source is FICTIONAL (see tests/test_second_source.py)."""

import pytest
from django.urls import reverse

from cases.models import Citation, Figure, Transfer
from tests.test_admin import change_form_data
from tests.test_admin_corrections import admin_client  # noqa: F401  (fixture)
from tests.test_second_source import add_fictional_source

pytestmark = pytest.mark.django_db


def add_figure_rows(data, *rows):
    prefix = "figures"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    for offset, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{total + offset}-{name}"] = value
    data[f"{prefix}-TOTAL_FORMS"] = total + len(rows)
    return data


def test_two_sources_figures_are_kept_side_by_side_and_one_relied_on_with_a_reason(
    admin_client,  # noqa: F811
    seed,
):
    source = add_fictional_source(admin_client)
    transfer = Transfer.objects.get(slug="deportation-of-hundreds")
    article_quote = transfer.citations.exclude(source=source).first()
    fictional_quote = Citation.objects.create(
        source=source, quote='"238 people" were flown', transfer=transfer
    )
    url = reverse("admin:cases_transfer_change", args=[transfer.pk])
    rows = [
        {"field": "transfer.count", "value_stated": "hundreds", "citation": article_quote.pk},
        {
            "field": "transfer.count",
            "value_stated": "238",
            "value": "238",
            "citation": fictional_quote.pk,
            "relied_on": "on",
        },
    ]
    data = add_figure_rows(change_form_data(admin_client.get(url)), *rows)
    data.update(change_reason="A second source counts them", change_kind="update")

    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "Say why the newsroom relies on this figure" in refused.content.decode()

    data["figures-1-relied_on_reason"] = "The fictional ledger counted names on the manifest"
    assert admin_client.post(url, data).status_code == 302
    figures = list(transfer.figures.order_by("pk"))
    assert [(f.value_stated, f.citation.source_id, f.relied_on) for f in figures] == [
        ("hundreds", article_quote.source_id, False),
        ("238", source.pk, True),
    ]
    # The change is a correction like any other: on the record's history.
    assert transfer.history.first().history_change_reason == "A second source counts them"


def test_a_figure_must_cite_a_quote_about_the_same_record(admin_client, seed):  # noqa: F811
    transfer, other = Transfer.objects.all()[:2]
    figure = Figure(
        transfer=transfer,
        field="transfer.count",
        value_stated="hundreds",
        citation=other.citations.first(),
    )
    with pytest.raises(Exception, match="supports this same record"):
        figure.full_clean()
