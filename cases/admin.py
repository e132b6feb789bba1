"""Admin, built for correcting records quickly and accountably.

Every change is kept by django-simple-history with its author and time; an
edit to an existing record must say why, and that reason is stored with the
history entry (and so with any correction shown later to the public).
"""

from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .admin_figures import figure_inline_for
from .admin_provenance import (
    CitationSupportsFormMixin,
    CitationSupportsInlineMixin,
    ProvenanceAdminMixin,
)
from .models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)

admin.site.site_header = "Deportation tracker: records"
admin.site.site_title = "Deportation tracker admin"
admin.site.index_title = "Correct and add records"

CREATED_REASON = "Created in admin"


class CorrectionForm(forms.ModelForm):
    """Adds the reason for a change, which history keeps beside the change."""

    change_reason = forms.CharField(
        label="Reason for this change",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when changing an existing record. Say what was wrong and "
        "what source supports the correction.",
    )

    def clean(self):
        cleaned_data = super().clean()
        edited = [name for name in self.changed_data if name != "change_reason"]
        if self.instance.pk and edited and not cleaned_data.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                "Say why this record is being changed; the reason is kept in its history.",
            )
        return cleaned_data


def change_reason_from(form, change):
    reason = form.cleaned_data.get("change_reason", "").strip()
    return reason or ("" if change else CREATED_REASON)


class HistoryAdmin(SimpleHistoryAdmin):
    """Admin for any model with history: records the reason with each save,
    including saves of inline rows such as citations."""

    form = CorrectionForm
    history_list_display = ["history_change_reason"]

    def save_model(self, request, obj, form, change):
        obj._change_reason = change_reason_from(form, change)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = change_reason_from(form, change)
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted._change_reason = reason
            deleted._history_user = request.user
            deleted.delete()
        for instance in instances:
            instance._change_reason = reason
            instance._history_user = request.user
            instance.save()
        formset.save_m2m()


class CitationInline(CitationSupportsInlineMixin, admin.StackedInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source", "attributed_to"]
    fields = ["source", "paragraph", "quote", "supports", "attributed_to", "note", "key"]
    readonly_fields = ["key"]


def citation_inline_for(target_field):
    """Citations attach to one kind of record each; one inline per kind."""
    return type(
        f"{target_field.title().replace('_', '')}CitationInline",
        (CitationInline,),
        {"fk_name": target_field},
    )


class RecordAdmin(ProvenanceAdminMixin, HistoryAdmin):
    list_filter = ["publication_status", "claim_status"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50
    save_on_top = True

    @admin.display(description="Citations")
    def citation_count(self, obj):
        return obj.citations.count()

    def view_on_site(self, obj):
        return obj.get_absolute_url()


@admin.register(Source)
class SourceAdmin(HistoryAdmin):
    list_display = ["title", "kind", "publisher", "published_on", "publication_status"]
    list_filter = ["kind", "publication_status"]
    search_fields = ["title", "publisher", "description"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Actor)
class ActorAdmin(RecordAdmin):
    class DesignationInline(admin.TabularInline):
        model = Designation
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
        extra = 0
        autocomplete_fields = ["actor"]

    list_display = ["title", "status", "claim_status", "publication_status", "updated_at"]
    list_filter = ["status", *RecordAdmin.list_filter]
    search_fields = ["title", "summary", "financial_terms"]
    prepopulated_fields = {"slug": ["title"]}
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
    autocomplete_fields = ["destination", "agreement", "groups", "sent_by", "received_by"]
    inlines = [citation_inline_for("transfer"), figure_inline_for("transfer")]


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
    inlines = [citation_inline_for("detainee_group"), figure_inline_for("detainee_group")]


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
    autocomplete_fields = ["facility", "participants", "agreements"]
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
    pass


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    form = CitationForm
    list_display = ["quote", "source", "paragraph", "record"]
    list_filter = ["source"]
    list_select_related = ["source", *Citation.TARGET_FIELDS]
    search_fields = ["quote", "note"]
    autocomplete_fields = ["source", "attributed_to", *Citation.TARGET_FIELDS]
    readonly_fields = ["key"]


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
