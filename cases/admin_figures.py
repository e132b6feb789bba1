"""Admin for figures that disagree: an inline on the records whose figures
sources can disagree on (see cases.models.ReportedFigure). Kept apart from
cases/admin.py so the record admins only list it among their inlines."""

from collections import Counter

from django import forms
from django.contrib import admin

from .models import FIGURE_FIELDS, Citation, ReportedFigure


class ReportedFigureFormSet(forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        target = self.fk.name
        # A figure is supported by one of this record's own quotes.
        # A record being added has no citations yet.
        citations = (
            Citation.objects.filter(**{target: self.instance}).select_related("source")
            if self.instance.pk
            else Citation.objects.none()
        )
        form.fields["citation"].queryset = citations
        form.fields["field"].choices = [
            choice for choice in form.fields["field"].choices if choice[0] in FIGURE_FIELDS[target]
        ]

    def clean(self):
        super().clean()
        relied_on = Counter(
            form.cleaned_data["field"]
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and form.cleaned_data.get("relied_on")
        )
        if any(count > 1 for count in relied_on.values()):
            raise forms.ValidationError(
                "Mark one figure per value as the one the newsroom relies on."
            )


class ReportedFigureInline(admin.TabularInline):
    model = ReportedFigure
    formset = ReportedFigureFormSet
    extra = 0
    fields = ["field", "stated", "number", "citation", "relied_on", "relied_on_reason"]
    verbose_name_plural = (
        "Figures the sources give (add one per source when they disagree; "
        "save the record's citations first)"
    )


def figure_inline_for(target_field, formset=ReportedFigureFormSet):
    """One inline per kind of record, as for citations; `formset` adds the
    checks every inline of a record shares (cases/admin.py)."""
    return type(
        f"{target_field.title().replace('_', '')}FigureInline",
        (ReportedFigureInline,),
        {"fk_name": target_field, "formset": formset},
    )
