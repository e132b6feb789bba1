"""Admin for field-level provenance: which fields a citation supports, which
values the newsroom infers, and a refusal to save a value that has neither.

Kept apart from cases/admin.py so that admin stays a list of registrations;
the record admins and the citation inline mix these in.

Where the check runs, and why there: admin saves the record, then its
many-to-many fields, then its inlines (citations, an agreement's parties), so
no single saved state holds everything submitted until it is too late to
refuse without a half-saved record. The check therefore runs before anything
is saved, in the citation inline's formset `clean()`, the step where a
citation's `supports` is known. It reads the record's own submitted values
from the record form (handed over in `save_form`, which admin calls after
that form validates and before it validates the inlines) and the other
inlines' rows (handed over when admin creates the formsets). A refusal is an
ordinary validation error shown above the citations, where it is fixed:
nothing is saved, nothing has to be rolled back, and what was typed stays in
the form.
"""

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet

from .kinds import kind_of
from .provenance import field_label, unsupported_fields, unsupported_message


def supported_field_choices(model):
    """(name, label) of each field of the kind a citation can support, in the
    order the kind shows them."""
    return [(name, field_label(model, name)) for name in kind_of(model).supported_fields]


class InferencesField(forms.CharField):
    """The record's `inferences` as lines of “field: why it follows”, easier to
    read and write than JSON."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{name}: {reason}" for name, reason in value.items())
        return value

    def to_python(self, value):
        if isinstance(value, dict):
            return value
        inferences = {}
        for line in (value or "").splitlines():
            if not line.strip():
                continue
            name, colon, reason = line.partition(":")
            name = name.strip()
            if not colon or not name or " " in name:
                raise ValidationError(
                    "Write each inference on its own line as “field: why it follows”, "
                    f"e.g. “from_country: …” (not “{line.strip()[:60]}”)."
                )
            if name in inferences:
                raise ValidationError(f"“{name}” is given twice; give it once.")
            inferences[name] = reason.strip()
        return inferences


class SupportsTextField(forms.CharField):
    """A citation's `supports` as comma-separated field names, where the record
    (and so the list of fields to choose from) is picked in the same form."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return [
            name.strip() for name in (value or "").replace("\n", ",").split(",") if name.strip()
        ]


FIELD_MESSAGE = (
    "No citation supports this value and it is not marked as an inference: tick it under "
    "the citation that supports it, or say why the newsroom infers it."
)


def _kept_forms(formset):
    """The rows of a valid formset that will exist after saving."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data
        and not form.cleaned_data.get(DELETION_FIELD_NAME)
        and (form.instance.pk is not None or form.has_changed())
    ]


class ProvenanceCitationFormSet(BaseInlineFormSet):
    """Citations of one record; refuses the save if a value of the record
    would be left with neither a supporting citation nor an inference."""

    def clean(self):
        super().clean()
        record = self.instance
        record_form = getattr(record, "_provenance_form", None)
        if record_form is None or any(form.errors for form in self.forms):
            # The record's form or a citation has its own errors, shown first;
            # the check runs again on the next submission.
            return
        submitted = {}
        for name, value in record_form.cleaned_data.items():
            try:
                field = record._meta.get_field(name)
            except FieldDoesNotExist:  # a form-only field, such as the change reason
                continue
            if field.many_to_many:
                submitted[name] = list(value or ())
        for formset in getattr(record, "_provenance_formsets", ()):
            if formset is self or not hasattr(formset, "fk"):
                continue
            if not formset.is_valid():
                return
            submitted[formset.fk.remote_field.get_accessor_name()] = _kept_forms(formset)
        citations = [form.instance for form in _kept_forms(self)]
        missing = unsupported_fields(record, citations, submitted)
        for name in missing:
            # Beside the value too, where the eye goes first; the fix is made
            # below, in a citation's supports, or in the inferences box.
            if name in record_form.fields:
                record_form.add_error(name, FIELD_MESSAGE)
        if missing:
            raise ValidationError(
                [unsupported_message(type(record), name) for name in missing],
                code="unsupported",
            )


class CitationSupportsInlineMixin:
    """For the citation inline of a record admin: `supports` as checkboxes of
    the fields the parent kind shows, and the provenance check on save."""

    formset = ProvenanceCitationFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "supports":
            return forms.MultipleChoiceField(
                label="Supports",
                choices=supported_field_choices(self.parent_model),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text="Tick each value of the record this quote supports.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ProvenanceAdminMixin:
    """For the admin of a record kind with citations: `inferences` as lines of
    “field: why”, and the hand-over the citation formset's check reads."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "inferences":
            names = ", ".join(kind_of(self.model).supported_fields)
            return InferencesField(
                label="Inferred by the newsroom",
                required=False,
                help_text="Values no quote states but the newsroom infers, one per line as "
                "“field: why it follows from the source”. An inferred date is marked "
                f"with the date's own fields instead. Fields: {names}.",
            )
        if db_field.name == "inferences_es":
            return InferencesField(
                label=db_field.verbose_name,
                required=False,
                help_text="Optional: the newsroom's Spanish of each reason above, one per line "
                "as “field: por qué se deduce”, for the same fields.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        # Admin calls this once the record's form is valid and before it
        # validates the inlines: the citation formset's check reads the
        # submitted many-to-many values from this form.
        record = super().save_form(request, form, change)
        record._provenance_form = form
        return record

    def _create_formsets(self, request, obj, change):
        # No public hook hands one inline the others; the check needs an
        # agreement's party rows (and an actor's designations) as submitted.
        formsets, inline_instances = super()._create_formsets(request, obj, change)
        obj._provenance_formsets = formsets
        return formsets, inline_instances


class CitationSupportsFormMixin(forms.Form):
    """For the citation's own admin form (a ModelForm): the record is chosen in the same form,
    so `supports` is a list of names checked against that record's kind. A
    change that would leave a value of the record (or of the record the
    citation is moved away from) unsupported is refused; values that were
    unsupported before are left to the record's own page."""

    supports = SupportsTextField(
        required=False,
        help_text="The record's fields this quote supports, separated by commas "
        "(e.g. “count, destination, groups”). The record's own admin page offers them as "
        "checkboxes.",
    )

    def clean(self):
        cleaned_data = super().clean()
        model = self._meta.model
        chosen = [cleaned_data.get(name) for name in model.TARGET_FIELDS]
        new_record = next((record for record in chosen if record is not None), None)
        old = model.objects.get(pk=self.instance.pk) if self.instance.pk else None
        old_record = old.record if old else None
        for record in {new_record, old_record} - {None}:
            others = [c for c in record.citations.all() if c.pk != self.instance.pk]
            before = unsupported_fields(record, [*others, old] if record == old_record else others)
            edited = model(supports=cleaned_data.get("supports") or [])
            after = unsupported_fields(
                record, [*others, edited] if record == new_record else others
            )
            for name in after:
                if name not in before:
                    self.add_error(None, f"{record}: {unsupported_message(type(record), name)}")
        return cleaned_data
