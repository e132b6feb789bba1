"""The filters of each table, declared; they run no queries of their own.

Every filter is a plain GET parameter, so a filtered view is a URL that can be
bookmarked and shared: `/transfers/?destination=cecot&claim_status=reported`.
Records are named by slug in those URLs, not by database id.

Choice filters show facet counts beside their options (see FacetedFilterSet).
"""

import hashlib
from dataclasses import dataclass

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError
from django.db.models import Count, Max, Value
from django.forms.models import ModelChoiceField
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import data_version
from .models import (
    Actor,
    Agreement,
    ClaimStatus,
    DetaineeGroup,
    Event,
    Facility,
    Source,
    Statement,
    Transfer,
)
from .querysets import SEARCH_TEXT_MAX_LENGTH, clean_search_text, sees_drafts
from .search import Search
from .time_limit import QueryTimeLimit

# The label of the option that turns a choice filter off.
ANY_LABEL = _("Any")
SLOW_FACET_HELP = _("Counts took too long to compute and are not shown.")
# Facet counts are keyed by the data version, so these only bound memory:
# an edit makes the old counts unreachable at once.
FACET_CACHE_SECONDS = 600
# A facet that ran out of time is shown without counts this long before it
# is tried again, so a slow facet does not cost every request its time limit.
SLOW_FACET_RETRY_SECONDS = 60


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    # None when the facet's counts took too long (or for "Any").
    count: int | None
    selected: bool


@dataclass(frozen=True)
class Facet:
    """One facet as data: what the template lists beside a choice filter."""

    name: str
    label: str
    options: list
    timed_out: bool


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


def value_choice(label, max_length=100):
    """Choose one of the values the visible records hold (e.g. a country): the
    options come from the facet counts, any other value simply matches nothing."""
    return django_filters.CharFilter(label=label, max_length=max_length, widget=forms.Select)


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters show how many rows each option would
    give, taking the other active filters into account (as Datasette does).

    `facet_names` names the filters to count. Each is counted with one grouped
    query over the visible records narrowed by every *other* active filter;
    the options offered are the values the visible records hold (plus the one
    selected), so neither an option nor a count can reveal a draft.
    """

    # The filters to count, by name.
    facet_names = ()

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

    def facet_path(self, name):
        """The field path a facet groups by: a related record's slug, or the value itself."""
        filter_ = self.filters[name]
        to_field_name = filter_.extra.get("to_field_name")
        return f"{filter_.field_name}__{to_field_name}" if to_field_name else filter_.field_name

    def facet_counts(self, name):
        """[(option value, label, number of matching rows)] for the values the
        visible records hold, in the order the options are listed."""
        path = self.facet_path(name)
        filter_ = self.filters[name]
        field = self.queryset.model._meta.get_field(filter_.field_name)
        # A foreign key is grouped by its own column, with no join, and its
        # ids named by slug afterwards: at 100,000 rows that is several times
        # faster than grouping by the joined slug. Each record is counted
        # once per group anyway, except through a many-to-many relation.
        by_key = field.many_to_one and path != filter_.field_name
        group_by = filter_.field_name if by_key else path
        distinct = field.many_to_many or field.one_to_many
        narrowed = self.queryset_filtered_except(name)
        visible = self.queryset.order_by().prefetch_related(None).values(group_by)
        if narrowed is None:
            rows = visible.annotate(matching=Count("pk", distinct=distinct)).order_by()
        else:
            # One statement: the rows the other filters leave, counted, and
            # every value the visible records hold, counted 0, so an option
            # the other filters empty still shows "(0)". (Counting the whole
            # table with FILTER (WHERE id IN narrowed) probes a hash of the
            # narrowed ids once per row: 4x slower at 100,000 rows.)
            matching = (
                narrowed.order_by()
                .prefetch_related(None)
                .values(group_by)
                # The other filters may join a many-to-many relation.
                .annotate(matching=Count("pk", distinct=True))
                .order_by()
            )
            held = visible.annotate(matching=Max(Value(0))).order_by()
            rows = matching.union(held, all=True)
        counts = {}
        for row in rows:
            value = row[group_by]
            # Records with no value (e.g. no destination) have no option to count.
            if value not in (None, ""):
                counts[value] = max(counts.get(value, 0), row["matching"])
        return self.facet_options(name, counts, by_key)

    def facet_options(self, name, counts, by_key=False):
        """[(value, label, count)] for the counted values, in the order the
        form lists them; related records are named in one query, as far as
        the reader may see them."""
        form_field = self.form.fields[name]
        if isinstance(form_field, ModelChoiceField):
            key_field = form_field.to_field_name or "pk"
            lookup = "pk__in" if by_key else f"{key_field}__in"
            records = form_field.queryset.filter(**{lookup: list(counts)})
            return [
                (
                    str(getattr(record, key_field)),
                    form_field.label_from_instance(record),
                    counts[record.pk if by_key else getattr(record, key_field)],
                )
                for record in records
            ]
        counts = {str(value): count for value, count in counts.items()}
        if isinstance(form_field, forms.ChoiceField):
            return [
                (str(value), label, counts[str(value)])
                for value, label in form_field.choices
                if str(value) in counts
            ]
        return [(value, value, counts[value]) for value in sorted(counts, key=str.casefold)]

    def facet_cache_key(self, name):
        """Facet counts depend on the other active filters, the data and which
        records the reader sees: cached under those, never across an edit."""
        request = getattr(self, "request", None)
        version = data_version.for_request(request) if request is not None else None
        if version is None:
            return None
        others = sorted(
            (other, str(self.data.get(other))) for other in self.active_values() if other != name
        )
        sees = "drafts" if sees_drafts(getattr(request, "user", None)) else "public"
        digest = hashlib.md5(repr(others).encode(), usedforsecurity=False).hexdigest()
        # The options' labels are in the reader's language.
        language = get_language() or ""
        model = self.queryset.model._meta.label_lower
        return f"facet:{model}:{name}:{sees}:{language}:{version.token}:{digest}"

    def facets(self):
        """Each facet as data (see Facet): options with counts, or without
        when the counts took longer than FACET_TIME_LIMIT_MS. The limit is
        set once for all of them (cases/time_limit.py); counts are cached
        per filter combination and data version."""
        if hasattr(self, "_facets"):
            return self._facets
        results = {}
        limit = getattr(settings, "FACET_TIME_LIMIT_MS", 200)
        keys = {name: self.facet_cache_key(name) for name in self.facet_names}
        cached = cache.get_many([key for key in keys.values() if key])
        to_count = [name for name in self.facet_names if keys[name] not in cached]
        if to_count:
            with QueryTimeLimit(self.queryset.db, limit) as time_limit:
                for name in to_count:
                    try:
                        with time_limit.attempt():
                            results[name] = self.facet_counts(name)
                    except OperationalError:
                        # Cut short by the time limit: shown without counts.
                        results[name] = None
            fresh = {keys[name]: results[name] for name in to_count if keys[name]}
            cache.set_many(
                {key: value for key, value in fresh.items() if value is not None},
                FACET_CACHE_SECONDS,
            )
            # A facet that took too long is not counted again for a while.
            cache.set_many(
                {key: value for key, value in fresh.items() if value is None},
                SLOW_FACET_RETRY_SECONDS,
            )
        results.update(
            {name: cached[keys[name]] for name in self.facet_names if keys[name] in cached}
        )
        self._facets = [self.facet_result(name, results[name]) for name in self.facet_names]
        return self._facets

    def facet_result(self, name, options):
        form_field = self.form.fields[name]
        selected = str(self.data.get(name, "")) if self.is_bound else ""
        timed_out = options is None
        if timed_out:
            options = [(value, label, None) for value, label in self.uncounted_options(name)]
        listed = {value for value, _label, _count in options}
        if selected and selected not in listed and name in self.active_values():
            # Chosen, but held by no visible record: still shown, counted 0.
            chosen = self.active_values()[name]
            label = (
                form_field.label_from_instance(chosen)
                if isinstance(form_field, ModelChoiceField)
                else self._display_value(form_field, chosen, selected)
            )
            options = [*options, (selected, label, None if timed_out else 0)]
        return Facet(
            name=name,
            label=form_field.label,
            timed_out=timed_out,
            options=[FacetOption(value="", label=ANY_LABEL, count=None, selected=not selected)]
            + [
                FacetOption(value=value, label=label, count=count, selected=value == selected)
                for value, label, count in options
            ],
        )

    def uncounted_options(self, name):
        """The options of a facet whose counts took too long: every choice
        the reader may pick, without numbers."""
        form_field = self.form.fields[name]
        if isinstance(form_field, ModelChoiceField):
            key_field = form_field.to_field_name or "pk"
            return [
                (str(getattr(record, key_field)), form_field.label_from_instance(record))
                for record in form_field.queryset
            ]
        if isinstance(form_field, forms.ChoiceField):
            return [(str(value), label) for value, label in form_field.choices if value != ""]
        return []

    def show_facet_counts(self):
        """Count the facets (runs their queries), for the template to show
        beside the options; a facet whose counts took too long says so."""
        facets = self.facets()
        self.facets_without_counts = [facet.label for facet in facets if facet.timed_out]
        for facet in facets:
            if facet.timed_out:
                self.form.fields[facet.name].help_text = SLOW_FACET_HELP

    def fields_with_facets(self):
        """[(bound form field, its Facet or None)], in the form's order, for
        the filter form template."""
        facets = {facet.name: facet for facet in self.facets()}
        return [(field, facets.get(field.name)) for field in self.form]

    def active_filters(self):
        """What the GET parameters ask for, for the "active filters" list:
        (name, label, value as shown, whether it was understood)."""
        if not self.is_bound:
            return []
        valid = self.active_values()
        active = []
        for name, field in self.form.fields.items():
            raw = self.data.get(name, "")
            if not str(raw).strip():
                continue
            if name in valid:
                shown = self._display_value(field, valid[name], raw)
                active.append((name, field.label, shown, True))
            elif name in self.form.errors:
                active.append((name, field.label, str(raw), False))
        return active

    @staticmethod
    def _display_value(field, value, raw):
        if isinstance(field, ModelChoiceField):
            return field.label_from_instance(value)
        if isinstance(field, forms.ChoiceField):
            return dict(field.choices).get(value, raw)
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return str(value)


class TransferFilter(FacetedFilterSet):
    q = SearchFilter()
    destination = record_choice(Facility, "destination", _("Destination facility"))
    agreement = record_choice(Agreement, "agreement", _("Agreement"))
    date_after = DateFromFilter()
    date_before = DateToFilter()
    claim_status = claim_status_choice()

    facet_names = ("destination", "agreement", "claim_status")

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
    country = value_choice(_("Country"))
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
    country = value_choice(_("Country"))
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
