"""The filters of each table, declared; they run no queries of their own.

Every filter is a plain GET parameter, so a filtered view is a URL that can be
bookmarked and shared: `/transfers/?destination=cecot&claim_status=reported`.
Records are named by slug in those URLs, not by database id.

Choice filters show facet counts beside their options: each filter set names
its facets (`facet_names`), and cases/facets.py counts them.
"""

import django_filters
from django import forms
from django.core.validators import slug_re
from django.utils.translation import gettext_lazy as _

from . import presentation
from .kinds import KINDS_BY_NAME
from .models import (
    Actor,
    Agreement,
    Citation,
    ClaimStatus,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)
from .querysets import SEARCH_TEXT_MAX_LENGTH, clean_search_text
from .search import Search

# The label of the option that turns a choice filter off.
ANY_LABEL = _("Any")


def visible(model):
    """A filter's options: only the records the requesting user may see, so a
    draft is never offered (nor accepted) as a choice. Evaluated per request."""

    def options(request):
        return model.objects.visible_to(getattr(request, "user", None))

    return options


class SearchFilter(django_filters.CharFilter):
    """The table's text search box: the same word matching as the header
    search (QuerySet.search), over the kind's main text fields."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Text contains"))
        kwargs.setdefault("max_length", SEARCH_TEXT_MAX_LENGTH)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "search"}))
        super().__init__(**kwargs)

    def filter(self, queryset, value):
        # Only control characters or spaces: nothing to search for, so no filter.
        if not clean_search_text(value):
            return queryset
        # Linked records are matched only as far as the reader may see them
        # (a draft speaker's name must not find their statements). One Search
        # per value, so the table and each facet share its look-ups.
        user = getattr(getattr(self.parent, "request", None), "user", None)
        if getattr(self, "_searched", None) != value:
            self._searched, self._search = value, Search(value, user)
        return queryset.search(self._search, user)


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DateFromFilter(django_filters.DateFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "date")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", _("Dated on or after"))
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)


class DateToFilter(django_filters.DateFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "date")
        kwargs.setdefault("lookup_expr", "lte")
        kwargs.setdefault("label", _("Dated on or before"))
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)


def record_choice(model, field_name, label, **kwargs):
    """Choose one related record by slug, from those the user may see."""
    return django_filters.ModelChoiceFilter(
        field_name=field_name,
        label=label,
        queryset=visible(model),
        to_field_name="slug",
        empty_label=ANY_LABEL,
        **kwargs,
    )


def claim_status_choice():
    return django_filters.ChoiceFilter(
        choices=ClaimStatus.choices, label=_("Claim status"), empty_label=ANY_LABEL
    )


class ValueChoiceFilter(django_filters.CharFilter):
    """A CharFilter whose options are values the records hold; `value_label`
    words a value for the reader (a country in their language), where the
    value itself stays as held."""

    def __init__(self, *args, value_label=str, **kwargs):
        self.value_label = value_label
        super().__init__(*args, **kwargs)


def value_choice(label, max_length=100, value_label=str):
    """Choose one of the values the visible records hold (e.g. a country): the
    options come from the facet counts, any other value simply matches nothing."""
    return ValueChoiceFilter(
        label=label, max_length=max_length, widget=forms.Select, value_label=value_label
    )


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters are facets (cases/facets.py counts
    them): it only filters, and tells a facet what the rows are once every
    *other* active filter is applied.

    `facet_names` names the filters to count, in the order they are listed.
    """

    # The filters to count, by name.
    facet_names = ()
    # Those of them whose columns one index covers together: counted in one
    # query where no other filter narrows them (cases/facets.py,
    # counted_together), where the database can (PostgreSQL).
    facets_counted_together = ()

    def active_values(self):
        """The valid, non-empty filter values, by filter name."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {
            name: value
            for name, value in self.form.cleaned_data.items()
            if value not in django_filters.constants.EMPTY_VALUES
        }

    def queryset_filtered_except(self, skipped_name):
        """The visible records narrowed by every active filter but one, or
        None when no other filter is active."""
        others = {
            name: value for name, value in self.active_values().items() if name != skipped_name
        }
        if not others:
            return None
        queryset = self.queryset
        for name, value in others.items():
            queryset = self.filters[name].filter(queryset, value)
        return queryset


class TransferFilter(FacetedFilterSet):
    q = SearchFilter()
    destination = record_choice(Facility, "destination", _("Destination facility"))
    agreement = record_choice(Agreement, "agreement", _("Agreement"))
    date_after = DateFromFilter()
    date_before = DateToFilter()
    claim_status = claim_status_choice()

    facet_names = ("destination", "agreement", "claim_status")
    # Migration 0025 indexes the three columns together.
    facets_counted_together = facet_names

    class Meta:
        model = Transfer
        fields = []


class DetaineeGroupFilter(FacetedFilterSet):
    q = SearchFilter()
    affiliation = record_choice(
        Actor, "alleged_affiliations", _("Alleged affiliation"), distinct=True
    )
    accusation = django_filters.CharFilter(
        lookup_expr="icontains", label=_("Accusation contains"), max_length=SEARCH_TEXT_MAX_LENGTH
    )
    facility = record_choice(Facility, "facility", _("Held at"))
    claim_status = claim_status_choice()

    facet_names = ("affiliation", "facility", "claim_status")

    class Meta:
        model = DetaineeGroup
        fields = []


class AgreementFilter(FacetedFilterSet):
    q = SearchFilter()
    status = django_filters.ChoiceFilter(
        choices=Agreement.Status.choices, label=_("Status"), empty_label=ANY_LABEL
    )
    party = record_choice(Actor, "parties", _("Party"), distinct=True)
    claim_status = claim_status_choice()

    facet_names = ("status", "party", "claim_status")

    class Meta:
        model = Agreement
        fields = []


class ActorFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Actor.Kind.choices, label=_("Kind"), empty_label=ANY_LABEL
    )
    country = value_choice(_("Country"), value_label=presentation.country_text)
    claim_status = claim_status_choice()

    facet_names = ("kind", "country", "claim_status")

    class Meta:
        model = Actor
        fields = []


class FacilityFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Facility.Kind.choices, label=_("Kind"), empty_label=ANY_LABEL
    )
    country = value_choice(_("Country"), value_label=presentation.country_text)
    claim_status = claim_status_choice()

    facet_names = ("kind", "country", "claim_status")

    class Meta:
        model = Facility
        fields = []


class EventFilter(FacetedFilterSet):
    q = SearchFilter()
    occurrence = django_filters.ChoiceFilter(
        choices=Event.Occurrence.choices, label=_("Occurrence"), empty_label=ANY_LABEL
    )
    facility = record_choice(Facility, "facility", _("Facility"))
    participant = record_choice(Actor, "participants", _("Participant"), distinct=True)
    date_after = DateFromFilter()
    date_before = DateToFilter()
    claim_status = claim_status_choice()

    facet_names = ("occurrence", "facility", "participant", "claim_status")

    class Meta:
        model = Event
        fields = []


class StatementFilter(FacetedFilterSet):
    q = SearchFilter()
    speaker = record_choice(Actor, "speaker", _("Speaker"))
    kind = django_filters.ChoiceFilter(
        choices=Statement.Kind.choices, label=_("Kind"), empty_label=ANY_LABEL
    )
    claim_status = claim_status_choice()

    facet_names = ("speaker", "kind", "claim_status")

    class Meta:
        model = Statement
        fields = []


class SourceFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Source.Kind.choices, label=_("Kind"), empty_label=ANY_LABEL
    )

    facet_names = ("kind",)

    class Meta:
        model = Source
        fields = []


class RecordKeyFilter(django_filters.CharFilter):
    """Citations of one record, named "<kind>:<slug>" ("transfer:handover-of-17")
    as the corrections log names one: a record the reader may not see, or a
    name that is none, matches nothing."""

    def filter(self, queryset, value):
        value = str(value or "").strip()
        if not value:
            return queryset
        name, _sep, slug = value.partition(":")
        kind = KINDS_BY_NAME.get(name)
        if kind is None or not slug_re.match(slug):
            return queryset.none()
        user = getattr(getattr(self.parent, "request", None), "user", None)
        record = kind.model.objects.visible_to(user).filter(slug=slug).first()
        if record is None:
            return queryset.none()
        for target in Citation.TARGET_FIELDS:
            if Citation._meta.get_field(target).related_model is kind.model:
                return queryset.filter(**{target: record})
        # A source's own quotes.
        return queryset.filter(source=record)


class CitationFilter(FacetedFilterSet):
    """The quotes of one source (`?source=<slug>`), of one record
    (`?record=<kind>:<slug>`), or attributed to a report (`?attributed_to=`),
    as far as the reader may see them."""

    source = record_choice(Source, "source", _("Quoted from"))
    record = RecordKeyFilter(label=_("Quoted for"), max_length=300)
    attributed_to = record_choice(Source, "attributed_to", _("Attributed to"))

    class Meta:
        model = Citation
        fields = []
