"""The filters of each table, declared; they run no queries of their own.

Every filter is a plain GET parameter, so a filtered view is a URL that can be
bookmarked and shared: `/transfers/?destination=cecot&claim_status=reported`.
Records are named by slug in those URLs, not by database id.

Choice filters show facet counts beside their options (see FacetedFilterSet).
"""

import django_filters
from django import forms
from django.conf import settings
from django.db import OperationalError, connections, transaction
from django.db.models import Count, Max, Value
from django.forms.models import ModelChoiceField

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
from .querysets import SEARCH_TEXT_MAX_LENGTH, clean_search_text
from .search import Search

# The label of the option that turns a choice filter off.
ANY_LABEL = "Any"


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
        kwargs.setdefault("label", "Text contains")
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
        kwargs.setdefault("label", "Dated on or after")
        kwargs.setdefault("widget", date_input())
        super().__init__(**kwargs)


class DateToFilter(django_filters.DateFilter):
    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "date")
        kwargs.setdefault("lookup_expr", "lte")
        kwargs.setdefault("label", "Dated on or before")
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
        choices=ClaimStatus.choices, label="Claim status", empty_label=ANY_LABEL
    )


def value_choice(label, max_length=100):
    """Choose one of the values the visible records hold (e.g. a country): the
    options come from the facet counts, any other value simply matches nothing."""
    return django_filters.CharFilter(label=label, max_length=max_length, widget=forms.Select)


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose choice filters show how many rows each option would
    give, taking the other active filters into account (as Datasette does).

    `facets` names the filters to count. Each is counted with one grouped
    query over the visible records narrowed by every *other* active filter;
    the options offered are the values the visible records hold (plus the one
    selected), so neither an option nor a count can reveal a draft.
    """

    facets = ()

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
        """{option value: number of matching rows} for the values the visible records hold."""
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
        if by_key:
            names = field.related_model._default_manager.filter(pk__in=counts).values_list(
                "pk", filter_.extra["to_field_name"]
            )
            counts = {name: counts[pk] for pk, name in names}
        return {str(value): count for value, count in counts.items()}

    def bounded_facet_counts(self, name):
        """facet_counts(), or None when it takes longer than
        FACET_TIME_LIMIT_MS (on PostgreSQL), so one slow facet cannot hold
        the page, as Datasette's facet time limit does. The limit applies to
        this one query, inside a savepoint, and is then put back."""
        connection = connections[self.queryset.db]
        limit = getattr(settings, "FACET_TIME_LIMIT_MS", 200)
        if connection.vendor != "postgresql" or not limit:
            return self.facet_counts(name)
        try:
            with transaction.atomic(using=self.queryset.db), connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                (previous,) = cursor.fetchone()
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(limit)])
                counts = self.facet_counts(name)
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
                return counts
        except OperationalError:
            # Cancelled by the time limit: the savepoint's rollback undid it.
            return None

    def show_facet_counts(self):
        """Put each facet's counts beside its options (runs the facet queries).
        A facet whose counts took too long shows its options without counts."""
        self.facets_without_counts = []
        for name in self.facets:
            counts = self.bounded_facet_counts(name)
            field = self.form.fields[name]
            if counts is None:
                self.facets_without_counts.append(field.label)
                field.help_text = "Counts took too long to compute and are not shown."
                continue
            selected = str(self.data.get(name, "")) if self.is_bound else ""
            if isinstance(field, ModelChoiceField):
                # One query for the labels of the related records the user may see.
                labels = [
                    (
                        str(getattr(record, field.to_field_name or "pk")),
                        field.label_from_instance(record),
                    )
                    for record in field.queryset
                ]
            elif isinstance(field, forms.ChoiceField):
                labels = [(str(value), label) for value, label in field.choices if value != ""]
            else:
                values = set(counts) | ({selected} if selected else set())
                labels = [(value, value) for value in sorted(values, key=str.casefold)]
            field.widget.choices = [("", ANY_LABEL)] + [
                (value, f"{label} ({counts.get(value, 0)})")
                for value, label in labels
                if value in counts or value == selected
            ]

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
    destination = record_choice(Facility, "destination", "Destination facility")
    agreement = record_choice(Agreement, "agreement", "Agreement")
    date_after = DateFromFilter()
    date_before = DateToFilter()
    claim_status = claim_status_choice()

    facets = ("destination", "agreement", "claim_status")

    class Meta:
        model = Transfer
        fields = []


class DetaineeGroupFilter(FacetedFilterSet):
    q = SearchFilter()
    affiliation = record_choice(Actor, "alleged_affiliations", "Alleged affiliation", distinct=True)
    accusation = django_filters.CharFilter(
        lookup_expr="icontains", label="Accusation contains", max_length=SEARCH_TEXT_MAX_LENGTH
    )
    facility = record_choice(Facility, "facility", "Held at")
    claim_status = claim_status_choice()

    facets = ("affiliation", "facility", "claim_status")

    class Meta:
        model = DetaineeGroup
        fields = []


class AgreementFilter(FacetedFilterSet):
    q = SearchFilter()
    status = django_filters.ChoiceFilter(
        choices=Agreement.Status.choices, label="Status", empty_label=ANY_LABEL
    )
    party = record_choice(Actor, "parties", "Party", distinct=True)
    claim_status = claim_status_choice()

    facets = ("status", "party", "claim_status")

    class Meta:
        model = Agreement
        fields = []


class ActorFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Actor.Kind.choices, label="Kind", empty_label=ANY_LABEL
    )
    country = value_choice("Country")
    claim_status = claim_status_choice()

    facets = ("kind", "country", "claim_status")

    class Meta:
        model = Actor
        fields = []


class FacilityFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Facility.Kind.choices, label="Kind", empty_label=ANY_LABEL
    )
    country = value_choice("Country")
    claim_status = claim_status_choice()

    facets = ("kind", "country", "claim_status")

    class Meta:
        model = Facility
        fields = []


class EventFilter(FacetedFilterSet):
    q = SearchFilter()
    occurrence = django_filters.ChoiceFilter(
        choices=Event.Occurrence.choices, label="Occurrence", empty_label=ANY_LABEL
    )
    facility = record_choice(Facility, "facility", "Facility")
    participant = record_choice(Actor, "participants", "Participant", distinct=True)
    date_after = DateFromFilter()
    date_before = DateToFilter()
    claim_status = claim_status_choice()

    facets = ("occurrence", "facility", "participant", "claim_status")

    class Meta:
        model = Event
        fields = []


class StatementFilter(FacetedFilterSet):
    q = SearchFilter()
    speaker = record_choice(Actor, "speaker", "Speaker")
    kind = django_filters.ChoiceFilter(
        choices=Statement.Kind.choices, label="Kind", empty_label=ANY_LABEL
    )
    claim_status = claim_status_choice()

    facets = ("speaker", "kind", "claim_status")

    class Meta:
        model = Statement
        fields = []


class SourceFilter(FacetedFilterSet):
    q = SearchFilter()
    kind = django_filters.ChoiceFilter(
        choices=Source.Kind.choices, label="Kind", empty_label=ANY_LABEL
    )

    facets = ("kind",)

    class Meta:
        model = Source
        fields = []
