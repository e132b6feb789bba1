"""Admin, built for correcting records quickly and accountably.

Every change is kept by django-simple-history with its author and time; an
edit to an existing record must say why, and that reason is stored with the
history entry (and so with any correction shown later to the public).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, transaction
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject

from .admin_figures import ReportedFigureFormSet, figure_inline_for
from .admin_provenance import (
    CitationSupportsFormMixin,
    CitationSupportsInlineMixin,
    ProvenanceAdminMixin,
    ProvenanceCitationFormSet,
)
from .history import (
    EMPTY,
    NAMES_RECORDS,
    PUBLIC_CHANGE_KINDS,
    REMOVED,
    ChangeKind,
    changed_facts,
    classify_change,
    field_label,
    in_reader_words,
    is_public,
    label_in_reader_words,
    minor_edit_error,
    records_a_row_names,
    related_label,
    relation_change,
    stored_label,
    value_in_words,
)
from .models import (
    Actor,
    Agreement,
    AgreementParty,
    ApiToken,
    Citation,
    ClaimStatus,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
    normalize_source_text,
)

admin.site.site_header = _("Deportation tracker: records")
admin.site.site_title = _("Deportation tracker admin")
admin.site.index_title = _("Correct and add records")

CREATED_REASON = "Created in admin"
PUBLISHED_NOTICE = _(
    "The kind of change and its reason are published on the public corrections log "
    "(/corrections/) with what changed, unless this is a minor edit, which only the "
    "record's history keeps."
)


def latest_version(instance):
    """The id of the newest history row of `instance`: its version token."""
    if not instance.pk:
        return None
    return instance.history.values_list("history_id", flat=True).first()


def hold_for_this_save(instance):
    """Hold the record's row until this save's transaction ends, so the
    version check and the save are one step: of two admins saving the same
    version at the same instant, the second waits, then sees the first's
    save and is refused. PostgreSQL: the row lock of SELECT … FOR UPDATE.
    SQLite has no row locks, and needs none: its transactions begin
    IMMEDIATE (settings.DATABASES), so saves already run one at a time.
    Outside a transaction (a form checked on its own) there is nothing to
    hold; admin's change view is one."""
    connection = transaction.get_connection()
    if instance.pk and connection.in_atomic_block and connection.features.has_select_for_update:
        list(type(instance)._base_manager.select_for_update().filter(pk=instance.pk).values("pk"))


class VersionCheckedForm(forms.ModelForm):
    """Refuses a save made on a form loaded before someone else saved the same
    record, so nobody silently undoes another's edit. The token is the id of
    the record's newest history row when the form was loaded."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Also on a bound form, so the token alone never makes a row "changed".
        self.initial["version"] = str(latest_version(self.instance) or "")

    def clean(self):
        cleaned_data = super().clean()
        loaded = (cleaned_data.get("version") or "").strip()
        hold_for_this_save(self.instance)
        current = latest_version(self.instance)
        if self.instance.pk and loaded and current is not None and loaded != str(current):
            raise forms.ValidationError(
                format_html(
                    _(
                        '{refused} <a href="{url}">Open the current version</a> and make your '
                        "edit again.{details}"
                    ),
                    refused=_(
                        "This record was saved by someone else after you opened this form, so "
                        "your save was refused rather than undo their changes."
                    ),
                    url=self.current_version_url(),
                    details=conflict_details(self, loaded),
                ),
                code="stale",
            )
        return cleaned_data

    def current_version_url(self):
        opts = self.instance._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[self.instance.pk])


def conflict_details(form, loaded_version):
    """What changed since `loaded_version`, and what this form would change,
    as HTML: both sides of the conflict, for the admin to redo the edit."""
    instance = form.instance
    history = instance.history.model
    try:
        loaded = history.objects.get(history_id=int(loaded_version), id=instance.pk)
    except (ValueError, history.DoesNotExist):
        return ""
    newer = list(
        instance.history.filter(history_date__gte=loaded.history_date)
        .exclude(history_id=loaded.history_id)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    meanwhile = [
        f"{row.history_user or 'someone'} ({row.get_history_change_kind_display()}: "
        f"{row.history_change_reason or 'no reason given'})"
        for row in newer
    ]
    span = []
    if newer:
        # The fields over the whole span, so a field changed twice shows once,
        # then every linked record or citation changed on the way.
        relation_changes = [change for row in newer for change in row.history_relation_changes]
        span = [
            change
            for change in describe_history_changes(newer[-1], previous=loaded)
            if change not in relation_changes
        ] + relation_changes
    yours = []
    for name in form.changed_data:
        if name in ("version", "change_reason", "change_kind"):
            continue
        field = form.fields[name]
        value = form.cleaned_data.get(name)
        if hasattr(value, "__iter__") and not isinstance(value, str):
            text = ", ".join(related_label(item) for item in value) or EMPTY
        elif isinstance(value, models.Model):
            text = related_label(value)
        else:
            text = str(value) if value not in (None, "") else EMPTY
        yours.append((str(field.label or name), text))
    return format_html(
        "<br>Changed meanwhile by {}: {}.<br>Your form, not saved: {}.",
        "; ".join(meanwhile) or "someone",
        format_html_join("; ", "{}: {} → {}", ((c["field"], c["before"], c["after"]) for c in span))
        or "linked records or citations",
        format_html_join("; ", "{}: {}", yours) or "no field changes",
    )


def describe_history_changes(row, previous=None):
    """A history row's changes as [{"field", "before", "after"}] in words: its
    own fields against `previous` (by default the row before it), then the
    linked records and citations admin saved with it."""
    if previous is None:
        previous = row.prev_record
    changes = []
    if previous is not None:
        model = row.instance_type
        delta = row.diff_against(previous, foreign_keys_are_objs=True)
        for change in delta.changes:
            field = model._meta.get_field(change.field)
            if field.is_relation:
                before, after = (
                    related_label(None if isinstance(v, DeletedObject) else v)
                    for v in (change.old, change.new)
                )
            else:
                before, after = value_in_words(field, change.old), value_in_words(field, change.new)
            changes.append(
                {
                    "field": field_label(model, change.field),
                    "before": in_reader_words(before),
                    "after": in_reader_words(after),
                }
            )
    return changes + [
        {
            **change,
            "field": label_in_reader_words(change["field"]),
            "before": in_reader_words(change["before"]),
            "after": in_reader_words(change["after"]),
        }
        for change in row.history_relation_changes or []
    ]


class CorrectionForm(VersionCheckedForm):
    """Asks what kind of change this is and why, which history keeps beside the
    change and the public log shows."""

    change_kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=[("", _("Choose…")), *ChangeKind.choices],
        required=False,
        help_text=_(
            "Correction: a fact was wrong. Clarification: it was misleading. "
            "Update: new information. Minor edit: a typo or the like, kept in the history "
            "with its reason but not published."
        ),
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Required when changing an existing record, its linked records or its "
            "citations. Say what was wrong and what source supports the change. "
            "In English or in Spanish."
        ),
    )
    # A revert changes the record to an earlier version even though its form,
    # filled with that version, shows no change against it.
    is_revert = False

    def clean(self):
        cleaned_data = super().clean()
        reason = cleaned_data.get("change_reason", "").strip()
        kind = cleaned_data.get("change_kind", "")
        edited = [
            name
            for name in self.changed_data
            if name not in ("change_reason", "change_kind", "version")
        ]
        if self.instance.pk and (edited or self.is_revert):
            if not reason:
                self.add_error(
                    "change_reason",
                    _("Say why this record is being changed; the reason is kept in its history."),
                )
            if not kind:
                self.add_error(
                    "change_kind",
                    _(
                        "Choose the kind of change: correction, clarification, update or minor "
                        "edit."
                    ),
                )
        if self.instance.pk and kind == ChangeKind.MINOR:
            facts = self.changed_facts()
            if facts:
                self.add_error("change_kind", minor_edit_error(facts))
        # Kept on the instance, where the inline formsets (citations) look for
        # them and simple-history reads the reason when the record is saved.
        self.instance._change_reason = reason
        self.instance._change_kind = kind or None
        return cleaned_data

    def changed_facts(self):
        """Labels of the fact fields this form would change on a published
        record, against the record as saved now (a revert's form starts from
        the old version, so its own initial values would show no change)."""
        model = type(self.instance)
        saved = model._default_manager.filter(pk=self.instance.pk).first()
        if saved is None or not is_public(saved):
            return []
        before, after, relations = {}, {}, []
        for name, value in self.cleaned_data.items():
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue  # the form's own fields: version, kind, reason
            if field.many_to_many:
                saved_pks = {item.pk for item in getattr(saved, name).all()}
                if saved_pks != {item.pk for item in value or ()}:
                    relations.append(capfirst(str(field.verbose_name)))
            elif field.concrete:
                before[field.attname] = field.value_from_object(saved)
                after[field.attname] = value.pk if isinstance(value, models.Model) else value
        return changed_facts(model, before, after) + relations


def change_reason_from(form, change):
    reason = form.cleaned_data.get("change_reason", "").strip()
    return reason or ("" if change else CREATED_REASON)


class ReasonRequiredInlineFormSet(BaseInlineFormSet):
    """An inline row (a citation, a designation) changed on an existing record
    needs the reason and kind given at the top of the record's form."""

    def clean(self):
        super().clean()
        if not self.instance.pk:
            return
        touched = any(form.has_changed() or self._should_delete_form(form) for form in self.forms)
        if not touched:
            return
        kind = getattr(self.instance, "_change_kind", None)
        if not (getattr(self.instance, "_change_reason", "") and kind):
            raise forms.ValidationError(
                _(
                    "Give the kind of change and the reason at the top of the form: "
                    "a change to these rows is a change to the record."
                ),
                code="reason_required",
            )
        if kind == ChangeKind.MINOR and is_public(self.instance):
            # Citations, parties, designations and figures are all facts.
            raise minor_edit_error([capfirst(str(self.model._meta.verbose_name_plural))])


class DeletionForm(forms.Form):
    """Deleting a published record is a change to it like any other: its kind
    and reason are kept in the record's history."""

    # Taking a published record away is never a minor edit.
    change_kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=[(kind.value, kind.label) for kind in PUBLIC_CHANGE_KINDS],
    )
    change_reason = forms.CharField(
        label=_("Reason for deleting it"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Say why this published record is being deleted; the reason is kept."),
    )


class HistoryAdmin(SimpleHistoryAdmin):
    """Admin for any model with history: records the reason and kind with each
    save and each deletion of a published record, including saves of inline
    rows such as citations, refuses saves made on an outdated form, and shows
    the history as readable changes."""

    form = CorrectionForm
    object_history_list_template = "admin/cases/object_history_list.html"
    delete_confirmation_template = "admin/cases/delete_confirmation.html"
    history_list_display = []
    change_fields = ("change_kind", "change_reason")

    def _key_or_404(self, model, value):
        # django-simple-history filters the history by the ids as given: one
        # that is not a number ("x--y") raised a ValueError, a 500 (make fuzz).
        try:
            model._meta.pk.to_python(unquote(value))
        except ValidationError as error:
            raise Http404(_("No such record.")) from error

    def history_view(self, request, object_id, extra_context=None):
        self._key_or_404(self.model, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # One entry of a record's history: the record's id and the entry's.
        self._key_or_404(self.model, object_id)
        self._key_or_404(self.model.history.model, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def get_actions(self, request):
        # Deleting many records at once would ask no reason: records are
        # deleted one at a time, from their page, with a reason.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        needs_reason = obj is not None and getattr(obj, "is_published", False)
        form = None
        if needs_reason:
            form = DeletionForm(request.POST if request.method == "POST" else None)
            if request.method == "POST" and not form.is_valid():
                # Nothing is deleted: the confirmation page again, with the
                # form's errors (Django deletes on any POST with data).
                request.POST = request.POST.copy()
                request.POST.clear()
            elif form.is_bound:
                request._deletion_reason = (
                    form.cleaned_data["change_reason"].strip(),
                    form.cleaned_data["change_kind"],
                )
        return super().delete_view(
            request, object_id, {**(extra_context or {}), "deletion_form": form}
        )

    def delete_model(self, request, obj):
        reason = getattr(request, "_deletion_reason", None)
        if reason:
            obj._change_reason, obj._change_kind = reason
        super().delete_model(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("_simple_history"):
            # simple-history's revert view: a revert always needs a reason.
            form = type(form.__name__, (form,), {"is_revert": True})
        return form

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        rest = [
            (
                name,
                {
                    **options,
                    "fields": [
                        f for f in options["fields"] if f not in (*self.change_fields, "version")
                    ],
                },
            )
            for name, options in fieldsets
        ]
        hidden = (None, {"fields": ["version"], "classes": ["hidden-version"]})
        if obj is None:
            return [*rest, hidden]
        why = (
            _("Why this change"),
            {"fields": list(self.change_fields), "description": PUBLISHED_NOTICE},
        )
        return [why, *rest, hidden]

    def save_model(self, request, obj, form, change):
        obj._change_reason = change_reason_from(form, change)
        obj._change_kind = form.cleaned_data.get("change_kind") or None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        m2m_names = [
            field.name
            for field in obj._meta.many_to_many
            if field.name in form.fields and field.remote_field.through._meta.auto_created
        ]
        before = {name: list(getattr(obj, name).all()) for name in m2m_names} if change else {}
        super().save_related(request, form, formsets, change)
        if not change:
            return
        changes = []
        for name in m2m_names:
            after = list(getattr(obj, name).all())
            if {item.pk for item in after} != {item.pk for item in before[name]}:
                changes.append(
                    relation_change(
                        stored_label(type(obj)._meta.get_field(name).verbose_name),
                        ", ".join(related_label(item) for item in before[name]) or EMPTY,
                        ", ".join(related_label(item) for item in after) or EMPTY,
                        before[name],
                        after,
                        names=NAMES_RECORDS,
                    )
                )
        for formset in formsets:
            changes.extend(inline_changes(formset))
        # The row save_model wrote.
        latest = obj.history.first()
        previous = obj.history.filter(history_id=latest.history_previous_id).first()
        if changes:
            # Now it knows the linked records too, which can make it a public
            # correction.
            latest.history_relation_changes = changes
            latest.history_is_public_change = classify_change(latest, previous)
            latest.save(update_fields=["history_relation_changes", "history_is_public_change"])
        elif previous is not None and not latest.diff_against(previous).changes:
            # A save that changed nothing is no version: no history row, no
            # "Correction — —" in the history or on the log.
            latest.delete()

    def save_formset(self, request, form, formset, change):
        reason = change_reason_from(form, change)
        kind = form.cleaned_data.get("change_kind") or None
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted._change_reason = reason
            deleted._change_kind = kind
            deleted._history_user = request.user
            deleted.delete()
        for instance in instances:
            instance._change_reason = reason
            instance._change_kind = kind
            instance._history_user = request.user
            instance.save()
        formset.save_m2m()

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        # The oldest row on a page still has a row before it (on the next
        # page, or none): describe every row the same way.
        for row in historical_records:
            row.history_delta_changes = (
                describe_history_changes(row) if row.history_type == "~" else []
            )


def inline_changes(formset):
    """The rows an inline formset added, changed or removed, in words, with
    the records each names (see history.relation_change)."""
    model = formset.model
    label = stored_label(model._meta.verbose_name)
    changes = [
        relation_change(label, EMPTY, str(obj), after_records=records_a_row_names(obj))
        for obj in formset.new_objects
    ]
    for obj, _fields in formset.changed_objects:
        was = row_as_it_was(obj)
        changes.append(
            relation_change(
                label,
                str(was) if was is not None else EMPTY,
                str(obj),
                records_a_row_names(was) if was is not None else (),
                records_a_row_names(obj),
            )
        )
    changes += [
        relation_change(label, str(obj), REMOVED, before_records=records_a_row_names(obj))
        for obj in formset.deleted_objects
    ]
    return changes


def row_as_it_was(obj):
    """The row as it was before this save: its newest history row but one."""
    previous = obj.history.all()[1:2].first() if hasattr(obj, "history") else None
    return previous.instance if previous is not None else None


class FigureFormSet(ReportedFigureFormSet, ReasonRequiredInlineFormSet):
    """A record's reported figures: a change to them is a change to the
    record, with its kind and reason, and never a minor edit."""


class CitationInlineForm(VersionCheckedForm):
    pass


class CitationFormSet(ProvenanceCitationFormSet, ReasonRequiredInlineFormSet):
    """A record's citations: a change needs the record's reason and kind, and
    may not leave a shown value unsupported (cases/admin_provenance.py)."""


class CitationInline(CitationSupportsInlineMixin, admin.StackedInline):
    model = Citation
    form = CitationInlineForm
    formset = CitationFormSet
    extra = 0
    autocomplete_fields = ["source", "attributed_to"]
    fields = ["source", "paragraph", "quote", "supports", "attributed_to", "note", "key", "version"]
    readonly_fields = ["key"]


def citation_inline_for(target_field):
    """Citations attach to one kind of record each; one inline per kind."""
    return type(
        f"{target_field.title().replace('_', '')}CitationInline",
        (CitationInline,),
        {"fk_name": target_field},
    )


class BulkChangeForm(forms.Form):
    """What a bulk change asks, as the change form does: the new value, the
    kind of change and the reason, which the log publishes for each record."""

    # The version of each record as the admin saw it on this page, "pk:version"
    # pairs: a record saved by someone else since is left unchanged.
    versions = forms.CharField(widget=forms.HiddenInput)
    claim_status = forms.ChoiceField(label=_("New claim status"), choices=ClaimStatus.choices)
    # A claim status is a fact readers rely on: never a minor edit.
    change_kind = forms.ChoiceField(
        label=_("Kind of change"),
        choices=[(kind.value, kind.label) for kind in PUBLIC_CHANGE_KINDS],
    )
    change_reason = forms.CharField(
        label=_("Reason for this change"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def apply_claim_status(records, cleaned_data, user):
    """Set each record's claim status as the bulk form says, each in a
    transaction of its own holding the record; records saved by someone else
    since the form showed them are left as they are. Returns (how many
    changed, the names of those left)."""
    seen = dict(pair.split(":", 1) for pair in cleaned_data["versions"].split(",") if ":" in pair)
    changed, refused = 0, []
    for record in records:
        with transaction.atomic():
            hold_for_this_save(record)
            if str(latest_version(record)) != seen.get(str(record.pk)):
                refused.append(str(record))
                continue
            if record.claim_status == cleaned_data["claim_status"]:
                continue
            record.claim_status = cleaned_data["claim_status"]
            record._change_reason = cleaned_data["change_reason"].strip()
            record._change_kind = cleaned_data["change_kind"]
            record._history_user = user
            record.save()
            changed += 1
    return changed, refused


@admin.action(description=_("Change the claim status of the selected records…"))
def change_claim_status(modeladmin, request, queryset):
    """A bulk change (say a later source disputes several records) is a
    change to each record, with the same kind and reason as one made in its
    form; it is asked for on a page of its own before anything is saved."""
    if "apply" in request.POST:
        form = BulkChangeForm(request.POST)
    else:
        # The page shown: it carries each record's version as it is now.
        versions = ",".join(f"{record.pk}:{latest_version(record)}" for record in queryset)
        form = BulkChangeForm(initial={"versions": versions})
    if form.is_valid():
        changed, refused = apply_claim_status(queryset, form.cleaned_data, request.user)
        modeladmin.message_user(
            request,
            ngettext(
                "Changed the claim status of %(count)s record.",
                "Changed the claim status of %(count)s records.",
                changed,
            )
            % {"count": changed},
        )
        if refused:
            modeladmin.message_user(
                request,
                _(
                    "Not changed, because someone saved them after you chose them: %(records)s. "
                    "Open them to see what changed, then choose them again."
                )
                % {"records": "; ".join(refused)},
                level=messages.WARNING,
            )
        return None
    return TemplateResponse(
        request,
        "admin/cases/bulk_change.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Change the claim status of the selected records"),
            "opts": modeladmin.model._meta,
            "form": form,
            "records": queryset,
            "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
            "action": "change_claim_status",
            "published_notice": PUBLISHED_NOTICE,
        },
    )


class RecordAdmin(ProvenanceAdminMixin, HistoryAdmin):
    actions = [change_claim_status]
    list_filter = ["publication_status", "claim_status"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    save_on_top = True

    def view_on_site(self, obj):
        return obj.get_absolute_url()


class SourceForm(CorrectionForm):
    """A source as a newsroom adds one: its text pasted in once, normalized
    (quotation marks, dashes, spacing) so quotes can be checked word for word,
    then frozen where a change would orphan a quote (Source.clean)."""

    def clean_text(self):
        return normalize_source_text(self.cleaned_data.get("text", ""))


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    form = SourceForm
    list_display = ["title", "kind", "publisher", "published_on", "publication_status"]
    list_filter = ["kind", "publication_status", "language"]
    search_fields = ["title", "publisher", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["numbered_paragraphs", "created_at", "updated_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "kind",
                    "publisher",
                    "url",
                    "published_on",
                    "accessed_on",
                    "language",
                    "description",
                    "text",
                    "publication_status",
                    "internal_note",
                ]
            },
        ),
        ("Paragraphs to cite", {"fields": ["numbered_paragraphs"]}),
        ("Timestamps", {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description="Paragraphs")
    def numbered_paragraphs(self, obj):
        """Each paragraph with its number and a link that starts a citation
        of it, so a quote is taken from the text as stored."""
        if not obj or not obj.pk or not obj.holds_text:
            return "Save the source with its text to cite its paragraphs."
        add_url = reverse("admin:cases_citation_add")
        return format_html(
            '<ol class="source-paragraphs">{}</ol>',
            format_html_join(
                "",
                '<li value="{}">{} <a href="{}?source={}&amp;paragraph={}">Cite this paragraph</a></li>',
                (
                    (number, text, add_url, obj.pk, number)
                    for number, text in enumerate(obj.paragraphs, 1)
                ),
            ),
        )


@admin.register(Actor)
class ActorAdmin(RecordAdmin):
    class DesignationInline(admin.TabularInline):
        model = Designation
        formset = ReasonRequiredInlineFormSet
        fk_name = "actor"
        extra = 0
        autocomplete_fields = ["designated_by"]

    list_display = ["name", "kind", "role", "country", "claim_status", "publication_status"]
    list_filter = ["kind", "country", *RecordAdmin.list_filter]
    search_fields = ["name", "aliases", "role", "country"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["part_of"]
    list_select_related = ["part_of"]
    inlines = [DesignationInline, citation_inline_for("actor")]


@admin.register(Facility)
class FacilityAdmin(RecordAdmin):
    list_display = ["name", "short_name", "kind", "country", "claim_status", "publication_status"]
    list_filter = ["kind", "country", *RecordAdmin.list_filter]
    search_fields = ["name", "short_name", "aliases", "location"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [citation_inline_for("facility")]


@admin.register(Agreement)
class AgreementAdmin(RecordAdmin):
    class PartyInline(admin.TabularInline):
        model = AgreementParty
        formset = ReasonRequiredInlineFormSet
        extra = 0
        autocomplete_fields = ["actor"]

    list_display = ["title", "status", "claim_status", "publication_status", "updated_at"]
    list_filter = ["status", *RecordAdmin.list_filter]
    search_fields = ["title", "summary", "financial_terms"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["claimed_by"]
    inlines = [PartyInline, citation_inline_for("agreement")]


@admin.register(Transfer)
class TransferAdmin(RecordAdmin):
    list_display = [
        "title",
        "date",
        "date_stated",
        "count_stated",
        "destination",
        "agreement",
        "claim_status",
        "publication_status",
    ]
    list_filter = ["destination", "agreement", *RecordAdmin.list_filter]
    list_select_related = ["destination", "agreement"]
    search_fields = ["title", "summary", "date_stated"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = [
        "destination",
        "agreement",
        "groups",
        "sent_by",
        "received_by",
        "claimed_by",
    ]
    inlines = [
        citation_inline_for("transfer"),
        figure_inline_for("transfer", formset=FigureFormSet),
    ]


@admin.register(DetaineeGroup)
class DetaineeGroupAdmin(RecordAdmin):
    list_display = [
        "name",
        "size_stated",
        "facility",
        "parent",
        "claim_status",
        "publication_status",
    ]
    list_filter = ["facility", "alleged_affiliations", *RecordAdmin.list_filter]
    list_select_related = ["facility", "parent"]
    search_fields = ["name", "accusation", "size_stated", "nationality"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["alleged_affiliations", "alleged_by", "facility", "parent"]
    inlines = [
        citation_inline_for("detainee_group"),
        figure_inline_for("detainee_group", formset=FigureFormSet),
    ]


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = [
        "title",
        "date",
        "date_stated",
        "occurrence",
        "facility",
        "claim_status",
        "publication_status",
    ]
    list_filter = ["occurrence", "facility", *RecordAdmin.list_filter]
    list_select_related = ["facility"]
    search_fields = ["title", "summary", "location"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["facility", "participants", "agreements", "claimed_by"]
    inlines = [citation_inline_for("event")]


@admin.register(Statement)
class StatementAdmin(RecordAdmin):
    list_display = ["speaker", "text", "kind", "medium", "claim_status", "publication_status"]
    list_filter = ["kind", *RecordAdmin.list_filter]
    list_select_related = ["speaker"]
    search_fields = ["text", "speaker__name", "medium"]
    autocomplete_fields = ["speaker", "facility", "event", "transfers", "agreements"]
    inlines = [citation_inline_for("statement")]


class CitationForm(CitationSupportsFormMixin, CorrectionForm):
    """Offers the paragraphs of the citation's source to pick from, shows the
    picked one to copy the quote from, and checks the quote word for word
    (Citation.quote_errors), as before."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.cited_source = self._source()
        if self.cited_source is None or not self.cited_source.holds_text:
            return
        if "quote" not in self.fields:
            # Read-only (a role that may view citations, not change them): no form fields.
            return
        paragraphs = self.cited_source.paragraphs
        self.fields["paragraph"] = forms.TypedChoiceField(
            label="Paragraph",
            coerce=int,
            empty_value=None,
            required=False,
            choices=[("", "Found from the quote")]
            + [
                (number, f"{number}. {Truncator(text).chars(90)}")
                for number, text in enumerate(paragraphs, 1)
            ],
            # Admin renders help text as HTML: a source's title is text.
            help_text=format_html("Paragraphs of “{}”.", self.cited_source),
        )
        picked = self.initial.get("paragraph") or self.instance.paragraph
        try:
            picked = int(picked)
        except (TypeError, ValueError):
            return
        if 1 <= picked <= len(paragraphs):
            self.fields["quote"].help_text = format_html(
                'Copy the words from paragraph {}: <q class="paragraph-text">{}</q>',
                picked,
                paragraphs[picked - 1],
            )

    def _source(self):
        source_id = None
        if self.is_bound:
            source_id = self.data.get(self.add_prefix("source"))
        source_id = source_id or self.initial.get("source") or self.instance.source_id
        try:
            return Source.objects.filter(pk=int(source_id)).first() if source_id else None
        except (TypeError, ValueError):
            return None

    def clean_quote(self):
        quote = self.cleaned_data.get("quote", "")
        source = self.cited_source
        # A source normalized when pasted in is quoted the same way, so a
        # quote copied with curly quotation marks from the publisher's page
        # still matches; the seed's article keeps its text exactly as is.
        if (
            source is not None
            and source.holds_text
            and normalize_source_text(source.text) == source.text
        ):
            return normalize_source_text(quote)
        return quote


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    form = CitationForm
    list_display = ["quote", "source", "paragraph", "record"]
    list_filter = ["source"]
    list_select_related = ["source", *Citation.TARGET_FIELDS]
    search_fields = ["quote", "note"]
    autocomplete_fields = ["source", "attributed_to", *Citation.TARGET_FIELDS]
    readonly_fields = ["key"]

    def save_model(self, request, obj, form, change):
        was = Citation.objects.get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        record = obj.record
        if record is None or not (change or getattr(record, "is_published", False)):
            return
        # A citation is part of the record it supports: its change goes into
        # that record's history (and so onto the public log), with the reason.
        record._change_reason = change_reason_from(form, change) or "Citation added"
        record._change_kind = form.cleaned_data.get("change_kind") or (
            None if change else ChangeKind.UPDATE
        )
        record._history_user = request.user
        record.save()
        latest = record.history.first()
        previous = record.history.filter(history_id=latest.history_previous_id).first()
        latest.history_relation_changes = [
            relation_change(
                stored_label(Citation._meta.verbose_name),
                str(was) if was is not None else EMPTY,
                str(obj),
                records_a_row_names(was) if was is not None else (),
                records_a_row_names(obj),
            )
        ]
        latest.history_is_public_change = classify_change(latest, previous)
        latest.save(update_fields=["history_relation_changes", "history_is_public_change"])


@admin.register(Designation)
class DesignationAdmin(HistoryAdmin):
    list_display = ["actor", "label", "designated_by", "claim_status"]
    list_select_related = ["actor", "designated_by"]
    search_fields = ["label", "actor__name"]
    autocomplete_fields = ["actor", "designated_by"]


@admin.register(AgreementParty)
class AgreementPartyAdmin(HistoryAdmin):
    list_display = ["agreement", "actor", "role"]
    list_select_related = ["agreement", "actor"]
    search_fields = ["role", "actor__name", "agreement__title"]
    autocomplete_fields = ["agreement", "actor"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Issue and revoke read-API tokens (cases/api.py). The token is shown
    once, in the message after it is issued; only its digest is kept."""

    list_display = ("name", "role", "prefix", "issued_by", "created_at", "revoked_at")
    list_filter = ("role", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("name", "prefix")
    readonly_fields = ("prefix", "issued_by", "created_at", "revoked_at")
    actions = ("revoke",)

    def get_readonly_fields(self, request, obj=None):
        # A token's role is fixed once issued: issue a new one for another role.
        return (*self.readonly_fields, "role") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token = obj.issue()
        obj.issued_by = request.user
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            format_html(
                "Token issued for “{}”. Copy it now, it will not be shown again: "
                '<code class="api-token">{}</code> (send it as the header '
                "<code>Authorization: Bearer {}</code>).",
                obj.name,
                token,
                token,
            ),
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.active().update(revoked_at=timezone.now())
        self.message_user(request, f"{revoked} token(s) revoked; they no longer open the API.")
