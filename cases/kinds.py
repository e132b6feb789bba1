"""The eight kinds of record, named once.

Every surface that lists or shows records (URLs, navigation, home, search,
timeline, dossier, corrections log, exports, management commands, tests) loops
over KINDS; nothing looks a class or a template up by a string built from a
model's name. What each kind shows is declared here too, field by field, and
rendered by cases/presentation.py on every surface, so a caveat cannot exist
on one surface and not on another.
"""

from dataclasses import dataclass, field

from django.utils.module_loading import import_string
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import provenance, querysets
from .models import Actor, Agreement, DetaineeGroup, Event, Facility, Source, Statement, Transfer


@dataclass(frozen=True)
class ShownField:
    """One value a record shows, with how it reads (`shows`, a presenter in
    cases/presentation.py) and whether a citation must support it.

    `name` is a model field or a relation (a foreign key, a many-to-many, or
    a reverse relation such as an agreement's `party_roles`). Labels (a
    record's name or title) and the newsroom's own classifications (claim
    status, kind of actor) are not facts a source must state; every other
    shown value is, and must be supported by a citation or marked as the
    newsroom's inference with its reason (see cases/provenance.py)."""

    name: str
    label: str
    shows: str = "text"
    needs_support: bool = True
    # What an empty value says; never a guess.
    empty: str = _("Not stated in the source")
    # Shown on the page only when it has a value (an actor's aliases).
    hide_empty: bool = False
    # A table column's heading, where the column's room or meaning asks for
    # shorter words than the label ("Destination" for "Destination facility").
    column: str = ""

    @property
    def column_label(self):
        """The heading of this value's column in the kind's table (cases/tables.py)."""
        return self.column or self.label


# Compared and hashed by identity (each kind is declared once): the default
# hash would hash every field, lazy translated labels included, and the
# caches keyed by kind (cases/response_cache.py) hash it on every request.
@dataclass(frozen=True, eq=False)
class Kind:
    model: type
    url_prefix: str
    # Dotted paths, not classes: tables and filter sets render the kinds'
    # fields (cases/presentation.py), so they sit above this registry and
    # are imported only when a surface asks for them.
    table_path: str
    filterset_path: str
    fields: tuple
    # The record's name, as a field: its heading, never needing support.
    title_field: str
    # A paragraph of the newsroom's words shown under the heading, if any.
    lead_field: str | None = None
    # Whether the lead paragraph states facts a citation must support.
    lead_needs_support: bool = True
    on_timeline: bool = False
    # The anchor of the dossier's section it is printed in (cases/dossier.py
    # SECTIONS); empty for a kind left out of the dossier.
    dossier_section: str = ""
    # Relations listed under the fields, as (relation, heading, empty text);
    # a section with no empty text is left out when it has nothing to list.
    related: tuple = field(default=())
    # Where a related list stops (RECORD_LIST_LIMIT), the table that lists
    # it whole: (relation, kind name of its table, the table's filter that
    # takes this record's slug).
    related_tables: tuple = field(default=())
    # The table page's opening sentence.
    intro: str = ""
    # A kind's page and brief differ from the others' only where it truly
    # looks different (a source shows its text).
    page_template: str = "cases/record_base.html"
    brief_template: str = "cases/pdf/record_brief.html"
    # Its section's heading in the dossier, where not its plural name.
    dossier_title: str = ""
    # The choice field its records are grouped by in the dossier (an actor's
    # kind: people, governments, ...), where not under its own name.
    dossier_groups_by: str | None = None
    # For a kind that is someone's words (a statement): the relation naming
    # who said them. Such a record is named by its speaker and its words
    # (presentation.record_label), headed "Statement by <speaker>", and its
    # words read in the records' language, never the interface's.
    speaker_field: str | None = None
    # The field that gives the language the record's title is written in (a
    # source's own), for its page's heading; None where the title is the
    # newsroom's wording.
    title_language_field: str | None = None
    # Whether the record holds a text of its own that its page shows in
    # numbered paragraphs, each quote marked where a record cites it (a source).
    shows_text: bool = False
    # How a key figure on the home page words a record of this kind: a key
    # of presentation.FIGURES ("moved": how many moved where and when).
    figure: str = "label"
    # The relation naming who the source says makes the record's claim (its
    # claimant, shown with its claim status on every surface and exported
    # as claimed_by): a statement's speaker, a detainee group's accuser, or
    # a record's own "claimed by"; None for a kind without a claim status.
    claimant_field: str | None = None
    # The field naming where the claim was made (a platform such as Truth
    # Social): shown as the medium, never as the claimant.
    medium_field: str | None = None
    # Fields of this kind that only its own record's page shows, besides
    # OWN_PAGE_FIELDS and the lead paragraph (see link_columns).
    own_page_fields: tuple = ()

    @property
    def name(self):
        """The model's name ("detaineegroup"): URL names and CSS classes."""
        return self.model._meta.model_name

    @property
    def in_dossier(self):
        return bool(self.dossier_section)

    @property
    def table(self):
        """The django-tables2 table listing this kind."""
        return import_string(self.table_path)

    @property
    def filterset(self):
        """The django-filter filter set of this kind's table."""
        return import_string(self.filterset_path)

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def label_plural(self):
        return self.model._meta.verbose_name_plural

    @property
    def title(self):
        return capfirst(self.label_plural)

    def field(self, name):
        for shown in self.fields:
            if shown.name == name:
                return shown
        raise KeyError(f"{self.name} shows no field {name!r}")

    @property
    def link_columns(self):
        """The columns of this kind's table that another kind's page, table,
        export or API response may show of a record it names (its label,
        slug, status, claim and whatever else a link or a cell reads): all
        but the prose and bookkeeping only the record's own page shows. An
        edit that changes none of them leaves the other kinds' cached pages
        in place (cases/data_version.py, link versions);
        tests/test_link_versions.py proves those pages unchanged by such an edit."""
        own_page = {*OWN_PAGE_FIELDS, *self.own_page_fields}
        if self.lead_field:
            own_page |= {self.lead_field, f"{self.lead_field}_es"}
        return tuple(
            field.column
            for field in self.model._meta.concrete_fields
            if field.name not in own_page or field.name == self.title_field
        )

    @property
    def supported_fields(self):
        """Names of the shown fields a citation must support when they hold a value."""
        names = [shown.name for shown in self.fields if shown.needs_support]
        if self.lead_field and self.lead_needs_support:
            names.append(self.lead_field)
        return tuple(names)


F = ShownField

# What only a record's own page shows of it, whatever its kind: the reasons
# behind its inferences and its bookkeeping (and its lead paragraph, see
# Kind.link_columns). Home, search, the timeline, the log and the dossier
# read every table whole, so they are not "another kind's page".
OWN_PAGE_FIELDS = (
    "internal_note",
    "created_at",
    "updated_at",
    "inferences",
    "inferences_es",
    "date_inference",
    "date_inference_es",
)

KINDS = (
    Kind(
        model=Agreement,
        own_page_fields=("financial_terms", "financial_terms_es"),
        intro=_(
            "The agreements between the United States and El Salvador, their status and their parties. A proposal stays proposed until a source says it was reached."
        ),
        url_prefix="agreements",
        table_path="cases.tables.AgreementTable",
        filterset_path="cases.filters.AgreementFilter",
        figure="status",
        claimant_field="claimed_by",
        title_field="title",
        lead_field="summary",
        dossier_section="arrangements",
        fields=(
            F("status", _("Status"), shows="choice"),
            F(
                "party_roles",
                _("Parties and their roles"),
                shows="party_roles",
                empty=_("None named"),
                # The table lists the parties without their roles.
                column=_("Parties"),
            ),
            F("financial_terms", _("Financial terms"), empty=_("None stated in the source")),
            F("claimed_by", _("Claimed by"), shows="record", hide_empty=True),
        ),
        related=(
            ("transfers", _("Transfers under it"), _("No source ties a transfer to it.")),
            ("events", _("Events"), _("No events recorded.")),
            ("statements", _("Statements about it"), _("No statements recorded.")),
        ),
        related_tables=(("transfers", "transfer", "agreement"),),
    ),
    Kind(
        model=Transfer,
        intro=_(
            "Each time people were moved to El Salvador, as the sources report it: when, from where, how many (in the sources' words), where to and under which agreement, each where the source says."
        ),
        url_prefix="transfers",
        table_path="cases.tables.TransferTable",
        filterset_path="cases.filters.TransferFilter",
        figure="moved",
        claimant_field="claimed_by",
        title_field="title",
        lead_field="summary",
        on_timeline=True,
        dossier_section="people-moved",
        fields=(
            F("date", _("Date"), shows="stated_date"),
            F("count", _("People moved"), shows="stated_count"),
            F("from_country", _("From"), shows="country"),
            F("to_country", _("To"), shows="country"),
            F(
                "destination",
                _("Destination facility"),
                shows="record",
                column=_("Destination"),
            ),
            F(
                "agreement",
                _("Agreement"),
                shows="record",
                empty=_("No source ties it to an agreement"),
            ),
            F("sent_by", _("Sent by"), shows="records"),
            F("received_by", _("Received by"), shows="records"),
            F("groups", _("Who was moved"), shows="groups", empty=_("No detainee groups recorded")),
            F("claimed_by", _("Claimed by"), shows="record", hide_empty=True),
        ),
        related=(("statements", _("Statements about it"), _("No statements recorded.")),),
    ),
    Kind(
        model=DetaineeGroup,
        intro=_(
            "The groups of people moved or held, with what they are accused of and the organisations they are alleged to belong to. An accusation stays alleged until a source says otherwise."
        ),
        url_prefix="detainee-groups",
        table_path="cases.tables.DetaineeGroupTable",
        filterset_path="cases.filters.DetaineeGroupFilter",
        figure="size",
        claimant_field="alleged_by",
        title_field="name",
        dossier_section="people-moved",
        fields=(
            F("size", _("Size"), shows="stated_count"),
            F(
                "accusation",
                _("Accused of"),
                shows="accusation",
                empty=_("None stated in the source"),
            ),
            F(
                "alleged_affiliations",
                _("Alleged affiliations"),
                shows="records",
                # One per row in the table's words, as the filter offers one.
                column=_("Alleged affiliation"),
            ),
            F("alleged_by", _("Accused by"), shows="record"),
            F("nationality", _("Nationality")),
            F("facility", _("Held at"), shows="record"),
            F("parent", _("Part of"), shows="record", hide_empty=True),
        ),
        related=(
            ("subgroups", _("Within this group"), None),
            ("transfers", _("Transfers"), _("No transfers recorded.")),
        ),
    ),
    Kind(
        model=Actor,
        intro=_("The people, governments, offices and organisations the records name."),
        url_prefix="actors",
        table_path="cases.tables.ActorTable",
        filterset_path="cases.filters.ActorFilter",
        title_field="name",
        lead_field="description",
        dossier_section="people-involved",
        dossier_title=_("People and organizations involved"),
        dossier_groups_by="kind",
        fields=(
            F("kind", _("Kind"), shows="choice", needs_support=False),
            F("role", _("Role or title"), hide_empty=True),
            F("country", _("Country"), shows="country"),
            F("aliases", _("Also called"), shows="lines", hide_empty=True),
            F("part_of", _("Part of"), shows="record", hide_empty=True),
            F("designations", _("Designations"), shows="designations", hide_empty=True),
        ),
        related=(
            ("parts", _("Its offices"), None),
            ("agreement_roles", _("Agreements"), _("Not a party to any recorded agreement.")),
            ("transfers_sent", _("Transfers it sent"), None),
            ("transfers_received", _("Transfers it received"), None),
            ("events", _("Events"), _("Not recorded as taking part in any event.")),
            ("statements", _("Statements"), _("No statements recorded.")),
            ("alleged_member_groups", _("Groups alleged to belong to it"), None),
            ("allegations_made", _("Groups it accuses"), None),
        ),
        related_tables=(
            ("agreement_roles", "agreement", "party"),
            ("events", "event", "participant"),
            ("statements", "statement", "speaker"),
            ("alleged_member_groups", "detaineegroup", "affiliation"),
        ),
    ),
    Kind(
        model=Facility,
        intro=_("The prisons, bases and buildings the records name."),
        url_prefix="facilities",
        table_path="cases.tables.FacilityTable",
        filterset_path="cases.filters.FacilityFilter",
        title_field="name",
        lead_field="description",
        fields=(
            F("short_name", _("Short name"), hide_empty=True),
            F("aliases", _("Also called"), shows="lines", hide_empty=True),
            F("kind", _("Kind"), shows="choice", needs_support=False),
            F("country", _("Country"), shows="country"),
            F("location", _("Location")),
        ),
        related=(
            ("transfers", _("Transfers to it"), _("No transfers recorded to this facility.")),
            (
                "detainee_groups",
                _("Detainee groups held here"),
                _("No detainee groups recorded here."),
            ),
            ("events", _("Events here"), _("No events recorded here.")),
            ("statements", _("Statements made here"), _("No statements recorded here.")),
        ),
        related_tables=(
            ("transfers", "transfer", "destination"),
            ("detainee_groups", "detaineegroup", "facility"),
            ("events", "event", "facility"),
        ),
    ),
    Kind(
        model=Event,
        intro=_(
            "What happened, or is scheduled to happen, with the date the source gives; undated events show the source's wording, never a made-up date."
        ),
        url_prefix="events",
        table_path="cases.tables.EventTable",
        filterset_path="cases.filters.EventFilter",
        figure="occurrence",
        claimant_field="claimed_by",
        title_field="title",
        lead_field="summary",
        on_timeline=True,
        dossier_section="what-happened",
        fields=(
            F("date", _("Date"), shows="stated_date"),
            F("occurrence", _("Occurrence"), shows="occurrence"),
            F("location", _("Location")),
            F("facility", _("Facility"), shows="record", empty=_("None recorded")),
            F("participants", _("Participants"), shows="records", empty=_("None recorded")),
            F("agreements", _("Agreements"), shows="records", hide_empty=True),
            F("claimed_by", _("Claimed by"), shows="record", hide_empty=True),
        ),
        related=(("statements", _("Statements made at it"), _("No statements recorded.")),),
    ),
    Kind(
        model=Statement,
        intro=_(
            "What was said, by whom: direct quotes word for word, paraphrases in the source's wording."
        ),
        url_prefix="statements",
        table_path="cases.tables.StatementTable",
        filterset_path="cases.filters.StatementFilter",
        speaker_field="speaker",
        claimant_field="speaker",
        medium_field="medium",
        title_field="text",
        on_timeline=True,
        dossier_section="who-said-what",
        fields=(
            F("text", _("What was said"), shows="statement"),
            F("speaker", _("Speaker"), shows="record"),
            F("kind", _("Kind"), shows="choice"),
            F("date", _("Date"), shows="stated_date"),
            F("medium", _("Where said or published")),
            F("event", _("Event"), shows="record", hide_empty=True),
            F("facility", _("Facility"), shows="record", hide_empty=True),
            F(
                "transfers",
                _("About transfers"),
                shows="records",
                empty=_("Not tied to a transfer"),
            ),
            F(
                "agreements",
                _("About agreements"),
                shows="records",
                empty=_("Not tied to an agreement"),
            ),
        ),
    ),
    Kind(
        model=Source,
        intro=_(
            "The reports the records come from. Every fact on this site is tied to a verbatim quote from one of them."
        ),
        url_prefix="sources",
        table_path="cases.tables.SourceTable",
        filterset_path="cases.filters.SourceFilter",
        title_language_field="language",
        shows_text=True,
        title_field="title",
        lead_field="description",
        # A source is what the others cite: it needs no citation of its own.
        lead_needs_support=False,
        page_template="cases/source_detail.html",
        brief_template="cases/pdf/source_brief.html",
        fields=(
            F("kind", _("Kind"), shows="choice", needs_support=False),
            F("publisher", _("Publisher"), needs_support=False, empty=_("Not named")),
            F(
                "published_on",
                _("Published"),
                shows="day",
                needs_support=False,
                empty=_("Not stated"),
                column=_("Published on"),
            ),
            F("url", _("URL"), shows="url", needs_support=False, hide_empty=True),
        ),
    ),
)

for _kind in KINDS:
    provenance.register_kind(_kind)
    querysets.register_kind(_kind)

KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
KINDS_BY_MODEL = {kind.model: kind for kind in KINDS}
TIMELINE_KINDS = tuple(kind for kind in KINDS if kind.on_timeline)
DOSSIER_KINDS = tuple(kind for kind in KINDS if kind.in_dossier)


def kind_of(record_or_model):
    """The Kind of a record or a model."""
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    return KINDS_BY_MODEL[model]
