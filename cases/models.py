"""The case records: who did what, under which agreement, to whom, as sourced.

Journalistic care is built into the shape of the data:
- every record carries a claim status, so an accusation stays "alleged" and a
  proposal stays "proposed";
- counts keep the words the source used ("hundreds") and a number only where
  the source states one;
- dates keep their precision, the source's own wording, and whether (and why)
  any part of them was inferred;
- every fact is tied to verbatim quotes (`Citation`) that are checked against
  the source's text.
"""

import hashlib
import re
import secrets
import unicodedata
import uuid
from functools import cache, cached_property

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.functional import classproperty
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import provenance, querysets, roles
from .history import ChangeHistory


class ClaimStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REPORTED = "reported", _("Reported")
    ALLEGED = "alleged", _("Alleged")
    DISPUTED = "disputed", _("Disputed")
    PROPOSED = "proposed", _("Proposed")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


# ---------------------------------------------------------------------------
# Shared parts
# ---------------------------------------------------------------------------


@cache
def _choice_labels(field, language):
    return {value: str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """get_<field>_display() from a table of each field's labels per language.

    Django's own rebuilds a dict of every choice on each call, hashing, and so
    translating, each lazy label: on a table page of 25 rows that was most of
    the page's 1,300 gettext calls (issue 25's profile). Same result, looked up.
    """

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return _choice_labels(field, get_language()).get(value, value)


def home_page_indexes(name, key_figures=True):
    """The indexes the home page reads each kind by (issue 25): its newest
    published change ("updated"), and its key figures, a handful among
    100,000 rows that each home page would otherwise find by reading them all
    (PostgreSQL took 170 ms for the key figures and 130 ms for the newest
    changes at 100,000 transfers, nothing cached)."""
    indexes = [
        models.Index(fields=["publication_status", "updated_at"], name=f"{name}_newest"),
    ]
    if key_figures:
        indexes.append(
            models.Index(
                fields=["publication_status"],
                condition=models.Q(is_key_figure=True),
                name=f"{name}_key_figures",
            )
        )
    return indexes


class PublishableRecord(ChoiceLabels, models.Model):
    """What every record shown on the dashboard has: a stable slug, a
    publication status, timestamps and an edit history."""

    slug = models.SlugField(
        verbose_name=_("slug"),
        max_length=120,
        unique=True,
        help_text=_(
            "Stable part of the record's URL. Changing it breaks links others have shared."
        ),
    )
    publication_status = models.CharField(
        verbose_name=_("publication status"),
        max_length=10,
        choices=PublicationStatus.choices,
        # A record an admin has just started is not ready for the public.
        default=PublicationStatus.DRAFT,
        db_index=True,
    )
    internal_note = models.TextField(
        verbose_name=_("internal note"),
        blank=True,
        help_text=_("For the newsroom only; never shown on the public pages."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    history = HistoricalRecords(inherit=True, bases=[ChangeHistory])

    class Meta:
        abstract = True

    def get_absolute_url(self):
        return reverse(self.detail_url_name, kwargs={"slug": self.slug})

    @classproperty
    def detail_url_name(cls):
        """The URL pattern of the record's page. cases/urls.py names one per
        kind after the kind's name, which is its model's name, so no model
        repeats it (this module sits below the registry and cannot ask it)."""
        return f"cases:{cls._meta.model_name}_detail"

    def natural_key(self):
        return (self.slug,)

    @property
    def is_published(self):
        return self.publication_status == PublicationStatus.PUBLISHED


def get_language_code():
    """The reader's language without its region ("es" for "es-sv")."""
    return (get_language() or "en").split("-")[0]


def spanish_version(field_label, long=False):
    """A second, optional field for the Spanish of a field the newsroom writes
    (issue 16). A second field rather than a translation library: one
    language more, nothing to install, and the history and the corrections
    log see it as any other field."""
    options = {
        # The field's own label ("title", "summary"...) is in the catalogue
        # through the field it is the Spanish of.
        "verbose_name": format_lazy(_("{field} in Spanish"), field=_(field_label)),
        "blank": True,
        "help_text": _(
            "Optional: the newsroom's Spanish for this text, shown to readers "
            "who read Spanish. Never a translation of a quote."
        ),
    }
    if long:
        return models.TextField(**options)
    return models.CharField(max_length=300, **options)


class Wording:
    """The newsroom's wording in the reader's language (a record's, or an
    agreement party's role)."""

    def wording(self, name):
        """(text, language tag) of field `name` for the reader: its Spanish
        version when the reader reads Spanish and an admin wrote one, else the
        record's own English."""
        if name in self.spanish_versions and get_language_code() == "es":
            spanish = getattr(self, f"{name}_es", "")
            if spanish.strip():
                return spanish, "es"
        return getattr(self, name), "en"


class CaseRecord(PublishableRecord):
    """A record whose facts can be contested, and so carries a claim status."""

    claim_status = models.CharField(
        verbose_name=_("claim status"),
        max_length=10,
        choices=ClaimStatus.choices,
        default=ClaimStatus.REPORTED,
        db_index=True,
        help_text=_(
            "How far the sources stand behind this record: keep accusations "
            "'alleged' and proposals 'proposed' until a source says otherwise."
        ),
    )
    inferences = models.JSONField(
        verbose_name=_("inferences"),
        default=dict,
        blank=True,
        help_text=_(
            "Values the newsroom infers rather than reads in a source: "
            "{field name: why it follows}. Every other shown value needs a citation "
            "that supports it (see cases/provenance.py)."
        ),
    )
    inferences_es = models.JSONField(
        verbose_name=_("inferences in Spanish"),
        default=dict,
        blank=True,
        help_text=_(
            "Optional: the newsroom's Spanish for each reason above, for the same "
            "field names, shown to readers who read Spanish."
        ),
    )
    is_key_figure = models.BooleanField(
        _("key figure"),
        default=False,
        help_text=_("Summed up among the key figures at the top of the home page and the dossier."),
    )

    # The newsroom's own wording that may have a Spanish version, held in a
    # field named `<field>_es` (see spanish_version()). Quotes and sources'
    # words never do: they stay as the source said them.
    spanish_versions = ()

    class Meta:
        abstract = True

    wording = Wording.wording

    def inference(self, name):
        """(reason, language tag) of the newsroom's inference of field `name`
        for the reader, "" when it infers none: its Spanish version when the
        reader reads Spanish and an admin wrote one, else its English."""
        reason = (self.inferences or {}).get(name, "")
        if reason and get_language_code() == "es":
            spanish = (self.inferences_es or {}).get(name, "")
            if isinstance(spanish, str) and spanish.strip():
                return spanish, "es"
        return reason, "en"

    def clean(self):
        super().clean()
        errors = provenance.inference_errors(self)
        if errors:
            raise ValidationError(errors)


class ClaimedBy(models.Model):
    """Who a source says makes a record's claim: "according to CBS News", "Bukele
    himself has confirmed". Where a kind already names someone (a statement's
    speaker, a detainee group's accuser) that field is its claimant instead
    (cases/kinds.py, Kind.claimant_field)."""

    claimed_by = models.ForeignKey(
        "Actor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)s_claims",
        verbose_name=_("claimed by"),
        help_text=_(
            "Who the source attributes this claim to (the person, government or outlet "
            "that says so), if it says. Not where it was said: a platform is a medium, not a "
            "claimant. Leave empty when the source states it in its own voice."
        ),
    )

    class Meta:
        abstract = True


class StatedDate(models.Model):
    """A date as a source gives it: possibly partial, possibly inferred.

    The article gives no year, for example; 2025 follows from "Monday, April 14"
    and "his current term", so the year is stored as inferred, with the reason.
    """

    date = models.DateField(
        verbose_name=_("date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leave empty when the source gives no date; do not guess."),
    )
    date_precision = models.CharField(
        verbose_name=_("date precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How much of the date is known: a month-precise date is stored as its 1st."),
    )
    date_is_inferred = models.BooleanField(
        verbose_name=_("date is inferred"),
        default=False,
        help_text=_("Tick when any part of the date is not stated by the source."),
    )
    date_inference = models.TextField(
        verbose_name=_("date inference"),
        blank=True,
        help_text=_("Why the inferred part of the date follows from the source."),
    )
    date_inference_es = spanish_version("date inference", long=True)
    date_stated = models.CharField(
        verbose_name=_("date stated"),
        max_length=200,
        blank=True,
        help_text=_(
            'The source\'s own words for when ("this Monday, April 14", '
            '"the most recent operation").'
        ),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = {}
        if self.date_is_inferred and not self.date:
            errors["date_is_inferred"] = "Only a date that is given can be marked as inferred."
        if self.date_is_inferred and not self.date_inference.strip():
            errors["date_inference"] = "Say why the date follows from the source."
        if self.date and self.date_precision == DatePrecision.MONTH and self.date.day != 1:
            errors["date"] = "A date known only to the month is stored as the 1st of that month."
        if (
            self.date
            and self.date_precision == DatePrecision.YEAR
            and (self.date.month, self.date.day) != (1, 1)
        ):
            errors["date"] = "A date known only to the year is stored as 1 January."
        if errors:
            raise ValidationError(errors)


def validate_stated_count(count, count_stated, count_field):
    """A number is kept only where the source states one; the words are always kept."""
    stated = count_stated.strip()
    if not stated:
        return {f"{count_field}_stated": "Give the size in the source's own words."}
    if stated.isdigit() and count != int(stated):
        return {count_field: f"The source states {stated}; store that number."}
    return {}


# ---------------------------------------------------------------------------
# Sources and citations
# ---------------------------------------------------------------------------


class Source(PublishableRecord):
    class Kind(models.TextChoices):
        NEWS_ARTICLE = "news_article", _("News article")
        NEWS_REPORT = "news_report", _("News report")
        SOCIAL_MEDIA_POST = "social_media_post", _("Social media post")
        OFFICIAL_STATEMENT = "official_statement", _("Official statement")
        NGO_REPORT = "ngo_report", _("NGO report or statement")
        OTHER = "other", _("Other")

    title = models.CharField(verbose_name=_("title"), max_length=300)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=20, choices=Kind.choices, db_index=True
    )
    publisher = models.CharField(
        verbose_name=_("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty when the source does not name one."),
    )
    published_on = models.DateField(verbose_name=_("published on"), null=True, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    accessed_on = models.DateField(
        _("date accessed"),
        null=True,
        blank=True,
        help_text=_("When the newsroom read and copied it (pages change after publication)."),
    )
    language = models.CharField(
        verbose_name=_("language"),
        max_length=35,
        blank=True,
        help_text=_('As a language tag: "en", "es".'),
    )
    # The newsroom's words about the source; its title is the source's own.
    description = models.TextField(verbose_name=_("description"), blank=True)
    description_es = spanish_version("description", long=True)
    text = models.TextField(
        verbose_name=_("text"),
        blank=True,
        help_text=_(
            "The full text, where we hold it, pasted in once: quotation marks, dashes "
            "and spacing are normalized when it is saved, then it is kept as it is. Citations of "
            "this source are checked against it word for word; paragraphs are its non-blank "
            "lines, numbered from 1."
        ),
    )

    spanish_versions = ("description",)

    objects = querysets.SourceQuerySet.as_manager()

    wording = Wording.wording

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["publication_status", "title"]),
            *home_page_indexes("source", key_figures=False),
        ]
        # Newsroom-wide permissions, granted to roles (see cases/roles.py and
        # the "roles" migration). Django ties every permission to a model; they
        # sit here, on the kind every other record cites, because a model of
        # their own would be a table with no rows, or an unmanaged model that
        # code walking every model's table would trip over.
        permissions = [
            ("view_draft_records", "Can see draft records on the dashboard"),
            ("export_pdf_briefs", "Can export PDF briefs"),
        ]

    def __str__(self):
        return self.title

    @cached_property
    def paragraphs(self):
        return [line for line in self.text.splitlines() if line.strip()]

    @property
    def holds_text(self):
        return bool(self.text.strip())

    def orphaned_quotes(self, new_text):
        """The citations of this source whose quote `new_text` no longer holds
        word for word: why a source's text, once cited, is frozen."""
        if not self.pk:
            return []
        paragraphs = [line for line in new_text.splitlines() if line.strip()]
        return [
            citation
            for citation in Citation.objects.filter(source=self).order_by("paragraph", "pk")
            if not any(citation.quote in paragraph for paragraph in paragraphs)
        ]

    def clean(self):
        super().clean()
        if not self.pk:
            return
        stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        if stored is None or stored == self.text:
            return
        orphaned = self.orphaned_quotes(self.text)
        if orphaned:
            quotes = "; ".join(f"“{citation.quote}” ({citation.record})" for citation in orphaned)
            raise ValidationError(
                {
                    "text": f"This change would leave {len(orphaned)} quote"
                    f"{'s' if len(orphaned) != 1 else ''} citing words the source no longer "
                    f"holds: {quotes}. Change or remove those citations first."
                }
            )


def _normalise_for_comparison(text):
    """Fold the differences that make a pasted quote look right but not match:
    typographic quotation marks and runs of white space."""
    text = re.sub(r"[\u201c\u201d\u201e\u00ab\u00bb]", '"', text)
    text = re.sub(r"[\u2018\u2019\u201a]", "'", text)
    return re.sub(r"\s+", " ", text).strip()


# How a source's text is normalized once, when it is pasted in: the same
# quotation marks, dashes and spaces whatever page or editor it was copied
# from, so quotes can be checked word for word. Guillemets stay: in Spanish or
# French they are the quotation marks themselves, not a typographic variant.
_TEXT_REPLACEMENTS = str.maketrans(
    {
        **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\uff02", '"'),
        **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\uff07", "'"),
        **dict.fromkeys("\u2010\u2011\u2212", "-"),
        **dict.fromkeys("\u2012\u2013", "\u2013"),
        **dict.fromkeys("\u2014\u2015", "\u2014"),
        **dict.fromkeys("\u00a0\u2002\u2003\u2007\u2008\u2009\u200a\u202f\u3000\t", " "),
        **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff\u00ad", None),
    }
)


def normalize_source_text(text):
    """The source's text as stored: Unicode NFC, straight quotation marks,
    one kind of each dash, single spaces, trimmed lines, and at most one blank
    line between paragraphs. Idempotent, so saving again changes nothing."""
    text = unicodedata.normalize("NFC", text).translate(_TEXT_REPLACEMENTS)
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# The kinds of record a citation can support, one nullable key each (rather
# than a generic relation), so the database enforces each link and the seed can
# name records by slug.
CITATION_TARGET_FIELDS = (
    "actor",
    "facility",
    "agreement",
    "transfer",
    "detainee_group",
    "event",
    "statement",
)


def _exactly_one_of(field_names):
    return models.Q(
        *[
            models.Q(**{f"{name}__isnull": name != chosen for name in field_names})
            for chosen in field_names
        ],
        _connector=models.Q.OR,
    )


def new_citation_key():
    return f"citation-{uuid.uuid4().hex[:12]}"


class Citation(ChoiceLabels, models.Model):
    """A verbatim quote from a source that supports one record."""

    TARGET_FIELDS = CITATION_TARGET_FIELDS

    # The seed names its citations; ones added in admin get a random key.
    key = models.SlugField(
        verbose_name=_("key"), max_length=120, unique=True, default=new_citation_key, editable=False
    )
    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    quote = models.TextField(
        verbose_name=_("quote"),
        help_text=_("Copied word for word from the source, quotation marks included."),
    )
    paragraph = models.PositiveIntegerField(
        verbose_name=_("paragraph"),
        null=True,
        blank=True,
        help_text=_(
            "Paragraph number in the source (non-blank lines, from 1). "
            "Filled in automatically when the quote is found in the source's text."
        ),
    )
    attributed_to = models.ForeignKey(
        Source,
        verbose_name=_("attributed to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attributions",
        help_text=_(
            "The report the quoted text attributes this fact to, if any "
            "(e.g. the article citing CBS News)."
        ),
    )
    note = models.CharField(verbose_name=_("note"), max_length=300, blank=True)
    supports = models.JSONField(
        verbose_name=_("supports"),
        default=list,
        blank=True,
        help_text=_(
            "The record's fields this quote supports (e.g. a transfer's count and "
            "destination). A value no citation supports must be marked as an inference."
        ),
    )

    actor = models.ForeignKey(
        "Actor",
        verbose_name=_("actor"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    facility = models.ForeignKey(
        "Facility",
        verbose_name=_("facility"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    agreement = models.ForeignKey(
        "Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    transfer = models.ForeignKey(
        "Transfer",
        verbose_name=_("transfer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    detainee_group = models.ForeignKey(
        "DetaineeGroup",
        verbose_name=_("detainee group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    event = models.ForeignKey(
        "Event",
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )
    statement = models.ForeignKey(
        "Statement",
        verbose_name=_("statement"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="citations",
    )

    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    history = HistoricalRecords(bases=[ChangeHistory])

    objects = querysets.CitationQuerySet.as_manager()

    class Meta:
        ordering = ["paragraph", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [
            models.CheckConstraint(
                name="citation_supports_exactly_one_record",
                condition=_exactly_one_of(CITATION_TARGET_FIELDS),
                violation_error_message="A citation supports exactly one record.",
            )
        ]

    def __str__(self):
        where = f", para. {self.paragraph}" if self.paragraph else ""
        return f"“{self.quote[:80]}” ({self.source}{where})"

    def save(self, *args, **kwargs):
        # Quotes are checked on every save, not only in forms, so no code path
        # can store a quote that its source does not contain, nor claim to
        # support a field its record does not have.
        errors = self.quote_errors() | self.supports_errors()
        if errors:
            raise ValidationError(errors)
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.key,)

    @property
    def record(self):
        for name in self.TARGET_FIELDS:
            record = getattr(self, name)
            if record is not None:
                return record
        return None

    def clean(self):
        # "Exactly one record" is the check constraint's job: full_clean()
        # validates it, and admin inlines rightly skip it while the parent is new.
        super().clean()
        errors = self.quote_errors() | self.supports_errors()
        if errors:
            raise ValidationError(errors)

    @property
    def record_model(self):
        """The kind of record this citation supports, without fetching it (None
        while the record is not chosen or not yet saved)."""
        for name in self.TARGET_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return self._meta.get_field(name).related_model
        return None

    def supports_errors(self):
        return provenance.supports_errors(self.record_model, self.supports)

    def quote_errors(self):
        """Check the quote against the source's text, and fill in the paragraph
        number where it is missing and the quote is found."""
        quote = self.quote
        if not quote.strip():
            return {"quote": "A citation needs a quote."}
        if not self.source_id or not self.source.holds_text:
            # We cannot check what we do not hold; the editor vouches for it.
            return {}
        paragraphs = self.source.paragraphs
        found_in = [number for number, text in enumerate(paragraphs, 1) if quote in text]
        if not found_in:
            close = _normalise_for_comparison(quote) in _normalise_for_comparison(self.source.text)
            hint = (
                ' It nearly matches: check quotation marks (“ ” versus ") and spacing.'
                if close
                else ""
            )
            return {
                "quote": f"This quote is not found word for word in “{self.source}”.{hint} "
                "Paste the exact text of the source."
            }
        if self.paragraph is None:
            self.paragraph = found_in[0]
        elif self.paragraph not in found_in:
            where = ", ".join(str(number) for number in found_in)
            return {
                "paragraph": f"The quote is not in paragraph {self.paragraph} of “{self.source}”; "
                f"it is in paragraph {where}."
            }
        return {}


# ---------------------------------------------------------------------------
# Actors and places
# ---------------------------------------------------------------------------


class Actor(CaseRecord):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        GOVERNMENT = "government", _("Government")
        GOVERNMENT_OFFICE = "government_office", _("Government office")
        CRIMINAL_ORGANIZATION = "criminal_organization", _("Criminal organization")
        NGO = "ngo", _("Non-governmental organization")
        MEDIA_OUTLET = "media_outlet", _("Media outlet")
        OTHER = "other", _("Other")

    name = models.CharField(verbose_name=_("name"), max_length=200)
    kind = models.CharField(
        verbose_name=_("kind"), max_length=25, choices=Kind.choices, db_index=True
    )
    role = models.CharField(
        _("role or title"),
        max_length=300,
        blank=True,
        help_text=_("As the source gives it."),
    )
    country = models.CharField(verbose_name=_("country"), max_length=100, blank=True, db_index=True)
    aliases = models.TextField(
        verbose_name=_("aliases"),
        blank=True,
        help_text=_("Other names the sources use, one per line."),
    )
    part_of = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parts",
        help_text=_("The government or organisation this office belongs to."),
    )
    description = models.TextField(verbose_name=_("description"), blank=True)
    description_es = spanish_version("description", long=True)
    role_es = spanish_version("role")

    spanish_versions = ("description", "role")

    objects = querysets.ActorQuerySet.as_manager()

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name"]
        indexes = [models.Index(fields=["publication_status", "name"]), *home_page_indexes("actor")]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]


class Designation(ChoiceLabels, models.Model):
    """A formal label one actor put on another (e.g. Foreign Terrorist Organization)."""

    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.CASCADE, related_name="designations"
    )
    label = models.CharField(verbose_name=_("label"), max_length=200)
    designated_by = models.ForeignKey(
        Actor,
        verbose_name=_("designated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="designations_made",
    )
    claim_status = models.CharField(
        verbose_name=_("claim status"),
        max_length=10,
        choices=ClaimStatus.choices,
        default=ClaimStatus.REPORTED,
    )

    history = HistoricalRecords(bases=[ChangeHistory])

    objects = querysets.DesignationQuerySet.as_manager()

    class Meta:
        ordering = ["label"]
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        constraints = [
            models.UniqueConstraint(fields=["actor", "label"], name="unique_designation_per_actor")
        ]

    def __str__(self):
        by = f" by {self.designated_by}" if self.designated_by_id else ""
        return f"{self.label}{by}"

    def natural_key(self):
        return (*self.actor.natural_key(), self.label)

    natural_key.dependencies = ["cases.actor"]


class Facility(CaseRecord):
    class Kind(models.TextChoices):
        PRISON = "prison", _("Prison")
        MILITARY_BASE = "military_base", _("Military base")
        GOVERNMENT_BUILDING = "government_building", _("Government building")
        OTHER = "other", _("Other")

    name = models.CharField(verbose_name=_("name"), max_length=200)
    short_name = models.CharField(
        verbose_name=_("short name"), max_length=50, blank=True, help_text=_("E.g. an acronym.")
    )
    aliases = models.TextField(
        verbose_name=_("aliases"),
        blank=True,
        help_text=_("Other names the sources use, one per line."),
    )
    kind = models.CharField(
        verbose_name=_("kind"), max_length=25, choices=Kind.choices, db_index=True
    )
    country = models.CharField(verbose_name=_("country"), max_length=100, blank=True, db_index=True)
    location = models.CharField(
        verbose_name=_("location"),
        max_length=200,
        blank=True,
        help_text=_("Where it is, in the source's words."),
    )
    description = models.TextField(verbose_name=_("description"), blank=True)
    description_es = spanish_version("description", long=True)

    spanish_versions = ("description",)

    objects = querysets.FacilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["publication_status", "name"]),
            *home_page_indexes("facility"),
        ]

    def __str__(self):
        return f"{self.name} ({self.short_name})" if self.short_name else self.name

    @property
    def alias_list(self):
        return [alias.strip() for alias in self.aliases.splitlines() if alias.strip()]


# ---------------------------------------------------------------------------
# Agreements, transfers and the people moved
# ---------------------------------------------------------------------------


class Agreement(CaseRecord, ClaimedBy):
    class Status(models.TextChoices):
        UNDER_CONSIDERATION = "under_consideration", _("Under consideration")
        PROPOSED = "proposed", _("Proposed")
        REACHED = "reached", _("Reached")
        IN_EFFECT = "in_effect", _("In effect")
        ENDED = "ended", _("Ended")

    title = models.CharField(verbose_name=_("title"), max_length=300)
    title_es = spanish_version("title")
    status = models.CharField(
        verbose_name=_("status"), max_length=25, choices=Status.choices, db_index=True
    )
    summary = models.TextField(verbose_name=_("summary"), blank=True)
    summary_es = spanish_version("summary", long=True)
    financial_terms = models.TextField(
        verbose_name=_("financial terms"),
        blank=True,
        help_text=_("As stated by the source; leave empty if none are stated."),
    )
    financial_terms_es = spanish_version("financial_terms", long=True)
    parties = models.ManyToManyField(
        Actor, verbose_name=_("parties"), through="AgreementParty", related_name="agreements"
    )

    spanish_versions = ("title", "summary", "financial_terms")

    objects = querysets.AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["title"]
        indexes = [
            models.Index(fields=["publication_status", "title"]),
            *home_page_indexes("agreement"),
        ]

    def __str__(self):
        return self.wording("title")[0]


class AgreementParty(ChoiceLabels, models.Model):
    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="party_roles"
    )
    actor = models.ForeignKey(
        Actor, verbose_name=_("actor"), on_delete=models.PROTECT, related_name="agreement_roles"
    )
    role = models.CharField(
        verbose_name=_("role"),
        max_length=200,
        help_text=_("The party's part in the agreement, as the source describes it."),
    )
    role_es = spanish_version("role")

    history = HistoricalRecords(bases=[ChangeHistory])

    spanish_versions = ("role",)
    wording = Wording.wording

    objects = querysets.AgreementPartyQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "actor__name"]
        verbose_name = _("agreement party")
        verbose_name_plural = _("agreement parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "actor", "role"], name="unique_agreement_party_role"
            )
        ]

    def __str__(self):
        return f"{self.actor} – {self.role}"

    def natural_key(self):
        return (self.agreement.slug, self.actor.slug, self.role)

    natural_key.dependencies = ["cases.agreement", "cases.actor"]


class DetaineeGroup(CaseRecord):
    name = models.CharField(verbose_name=_("name"), max_length=200)
    # The name of a group is the newsroom's description of it.
    name_es = spanish_version("name")
    size = models.PositiveIntegerField(
        verbose_name=_("size"),
        null=True,
        blank=True,
        help_text=_("Only where the source states a number."),
    )
    size_stated = models.CharField(
        verbose_name=_("size stated"),
        max_length=100,
        help_text=_('The size in the source\'s words ("17", "hundreds").'),
    )
    accusation = models.TextField(
        verbose_name=_("accusation"),
        blank=True,
        help_text=_("What they are accused of, as stated."),
    )
    alleged_affiliations = models.ManyToManyField(
        Actor,
        verbose_name=_("alleged affiliations"),
        blank=True,
        related_name="alleged_member_groups",
        help_text=_("Organisations the group is alleged to belong to."),
    )
    alleged_by = models.ForeignKey(
        Actor,
        verbose_name=_("alleged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allegations_made",
        help_text=_("Who makes the accusation; leave empty when the source does not say."),
    )
    nationality = models.CharField(
        verbose_name=_("nationality"), max_length=100, blank=True, db_index=True
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="detainee_groups",
        help_text=_("Where the group is held, if the source says."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subgroups",
        help_text=_("The larger group this one is part of."),
    )

    spanish_versions = ("name",)

    objects = querysets.DetaineeGroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("detainee group")
        verbose_name_plural = _("detainee groups")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["publication_status", "name"]),
            *home_page_indexes("detainee_group"),
        ]

    def __str__(self):
        return self.wording("name")[0]

    def clean(self):
        super().clean()
        errors = validate_stated_count(self.size, self.size_stated, "size")
        if self.parent_id and self.parent_id == self.pk:
            errors["parent"] = "A group cannot be part of itself."
        if errors:
            raise ValidationError(errors)


class Transfer(CaseRecord, ClaimedBy, StatedDate):
    title = models.CharField(verbose_name=_("title"), max_length=300)
    title_es = spanish_version("title")
    summary = models.TextField(verbose_name=_("summary"), blank=True)
    summary_es = spanish_version("summary", long=True)
    from_country = models.CharField(
        verbose_name=_("from country"), max_length=100, blank=True, db_index=True
    )
    to_country = models.CharField(
        verbose_name=_("to country"), max_length=100, blank=True, db_index=True
    )
    sent_by = models.ManyToManyField(
        Actor, verbose_name=_("sent by"), blank=True, related_name="transfers_sent"
    )
    received_by = models.ManyToManyField(
        Actor, verbose_name=_("received by"), blank=True, related_name="transfers_received"
    )
    destination = models.ForeignKey(
        Facility,
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        help_text=_("The facility the detainees were taken to, if the source says."),
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        help_text=_("Only where a source ties the transfer to the agreement."),
    )
    groups = models.ManyToManyField(
        DetaineeGroup, verbose_name=_("groups"), blank=True, related_name="transfers"
    )
    count = models.PositiveIntegerField(
        verbose_name=_("count"),
        null=True,
        blank=True,
        help_text=_("Only where the source states a number."),
    )
    count_stated = models.CharField(
        verbose_name=_("count stated"),
        max_length=100,
        help_text=_('The number moved, in the source\'s words ("17", "hundreds").'),
    )

    spanish_versions = ("title", "summary", "date_inference")

    objects = querysets.TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["-date", "title"]
        indexes = [
            models.Index(fields=["publication_status", "date"]),
            *home_page_indexes("transfer"),
        ]

    def __str__(self):
        return self.wording("title")[0]

    def clean(self):
        super().clean()
        errors = validate_stated_count(self.count, self.count_stated, "count")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------
# What happened and what was said
# ---------------------------------------------------------------------------


class Event(CaseRecord, ClaimedBy, StatedDate):
    class Occurrence(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        OCCURRED = "occurred", _("Occurred")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(verbose_name=_("title"), max_length=300)
    title_es = spanish_version("title")
    summary = models.TextField(verbose_name=_("summary"), blank=True)
    summary_es = spanish_version("summary", long=True)
    occurrence = models.CharField(
        verbose_name=_("occurrence"),
        max_length=10,
        choices=Occurrence.choices,
        default=Occurrence.OCCURRED,
        help_text=_("Whether the source reports it as having happened or as still to come."),
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    location = models.CharField(
        verbose_name=_("location"),
        max_length=200,
        blank=True,
        help_text=_("Where, in the source's words."),
    )
    participants = models.ManyToManyField(
        Actor, verbose_name=_("participants"), blank=True, related_name="events"
    )
    agreements = models.ManyToManyField(
        Agreement, verbose_name=_("agreements"), blank=True, related_name="events"
    )

    spanish_versions = ("title", "summary", "date_inference")

    objects = querysets.EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "title"]
        indexes = [models.Index(fields=["publication_status", "date"]), *home_page_indexes("event")]

    def __str__(self):
        return self.wording("title")[0]


class Statement(CaseRecord, StatedDate):
    class Kind(models.TextChoices):
        DIRECT_QUOTE = "direct_quote", _("Direct quote")
        PARAPHRASE = "paraphrase", _("Paraphrase")

    speaker = models.ForeignKey(
        Actor, verbose_name=_("speaker"), on_delete=models.PROTECT, related_name="statements"
    )
    text = models.TextField(
        verbose_name=_("text"),
        help_text=_(
            "What was said: the exact words for a direct quote, the source's "
            "wording for a paraphrase."
        ),
    )
    kind = models.CharField(
        verbose_name=_("kind"),
        max_length=15,
        choices=Kind.choices,
        default=Kind.DIRECT_QUOTE,
        db_index=True,
    )
    medium = models.CharField(
        verbose_name=_("medium"),
        max_length=200,
        blank=True,
        help_text=_("Where it was said or published (e.g. Truth Social), if the source says."),
    )
    facility = models.ForeignKey(
        Facility,
        verbose_name=_("facility"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="statements",
    )
    transfers = models.ManyToManyField(
        Transfer,
        verbose_name=_("transfers"),
        blank=True,
        related_name="statements",
        help_text=_("Transfers it is about."),
    )
    agreements = models.ManyToManyField(
        Agreement,
        verbose_name=_("agreements"),
        blank=True,
        related_name="statements",
        help_text=_("Agreements it is about."),
    )

    # Its words are the speaker's (or the source's): only the newsroom's
    # reason for an inferred date has a Spanish version.
    spanish_versions = ("date_inference",)

    objects = querysets.StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        # Not by the speaker's name: the speaker may be a draft the reader
        # may not see (StatementQuerySet sorts by a visible speaker's name).
        ordering = ["-date", "slug"]
        indexes = [
            models.Index(fields=["publication_status", "date"]),
            *home_page_indexes("statement"),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 80 else f"{self.text[:77]}…"
        return f"{self.speaker}: {text}"


class FormerAddress(models.Model):
    """A record's old address, kept when the record moved to another kind
    (the cooperation of paragraph 9, once filed as an agreement, is an
    event): a link shared before the move answers with a permanent redirect
    to the record's new page, as far as the reader may see it."""

    kind = models.CharField(
        verbose_name=_("kind"), max_length=30, help_text=_("The kind the record was filed under.")
    )
    slug = models.SlugField(verbose_name=_("slug"), max_length=120)
    moved_to_kind = models.CharField(verbose_name=_("moved to kind"), max_length=30)
    moved_to_slug = models.SlugField(verbose_name=_("moved to slug"), max_length=120)
    reason = models.TextField(
        verbose_name=_("reason"), help_text=_("Why it moved, as the corrections log says it.")
    )

    objects = querysets.FormerAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("former address")
        verbose_name_plural = _("former addresses")
        ordering = ["kind", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="unique_former_address")
        ]

    def __str__(self):
        return f"{self.kind}/{self.slug} → {self.moved_to_kind}/{self.moved_to_slug}"

    def natural_key(self):
        return (self.kind, self.slug)


class TableVersion(models.Model):
    """One row per table of this app, changed with every write to that table,
    in the same transaction (database triggers: see cases/data_version.py).
    Cached pages, feeds and facet counts are keyed by the versions of the
    tables they read (cases/response_cache.py), so a change committed by any
    path (admin, a revert, a bulk action, QuerySet.update, a command) makes
    every cached page that showed the old data unreachable at once, and only
    those: an edit to an event leaves the transfers tables cached."""

    table_name = models.CharField(verbose_name=_("table name"), max_length=63, primary_key=True)
    token = models.CharField(verbose_name=_("token"), max_length=64)
    changed_at = models.DateTimeField(verbose_name=_("changed at"))

    class Meta:
        verbose_name = _("table version")

    def __str__(self):
        return f"{self.table_name}: {self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


# ---------------------------------------------------------------------------
# Figures that disagree
# ---------------------------------------------------------------------------

# The records whose figures sources can disagree on, one nullable key each (as
# Citation has), and the stated counts of each kind a figure can be for.
FIGURE_FIELDS = {"transfer": ("count",), "detainee_group": ("size",)}


class ReportedFigure(ChoiceLabels, models.Model):
    """One source's figure for a value a record shows (the number moved on a
    transfer, the size of a group), in the source's words and supported by
    one of the record's citations.

    When sources disagree ("hundreds" in one, 238 in another) the record keeps
    every figure, each with its quote, and every surface shows them side by
    side. An admin may mark one as the figure the newsroom relies on, with a
    public reason; that figure is then copied into the record's own field, so
    sorts and filters (which read that field) use it, and the copy is saved
    with the reason in the record's history, i.e. on the corrections log."""

    transfer = models.ForeignKey(
        Transfer,
        verbose_name=_("transfer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
    )
    detainee_group = models.ForeignKey(
        DetaineeGroup,
        verbose_name=_("detainee group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
    )
    field = models.CharField(
        _("figure for"),
        max_length=30,
        choices=[("count", "Number moved"), ("size", "Size")],
        help_text=_("Which of the record's values this figure is for."),
    )
    stated = models.CharField(
        _("as stated"),
        max_length=100,
        help_text=_(
            'The figure in the source\'s own words ("238", "hundreds"), found in the quote.'
        ),
    )
    number = models.PositiveIntegerField(
        verbose_name=_("number"),
        null=True,
        blank=True,
        help_text=_("Only where the source states a number."),
    )
    citation = models.ForeignKey(
        Citation,
        verbose_name=_("citation"),
        on_delete=models.PROTECT,
        related_name="figures",
        help_text=_("The quote, among this record's citations, that gives this figure."),
    )
    relied_on = models.BooleanField(
        _("the newsroom relies on it"),
        default=False,
        help_text=_(
            "Tick one figure per value; it becomes the record's own value, which "
            "tables sort and filter by. Published with its reason."
        ),
    )
    relied_on_reason = models.TextField(
        _("why the newsroom relies on it"),
        blank=True,
        help_text=_("Shown to the public beside the figures, and kept in the record's history."),
    )
    created_at = models.DateTimeField(verbose_name=_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(verbose_name=_("updated at"), auto_now=True)

    history = HistoricalRecords()

    objects = querysets.ReportedFigureQuerySet.as_manager()

    class Meta:
        ordering = ["field", "citation__source__title", "id"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(tuple(FIGURE_FIELDS)),
                name="figure_for_exactly_one_record",
                violation_error_message="A figure is for exactly one record.",
            ),
            models.CheckConstraint(
                condition=~models.Q(relied_on=True, relied_on_reason=""),
                name="relied_on_figure_has_reason",
                violation_error_message="Say why the newsroom relies on this figure.",
            ),
        ]

    def __str__(self):
        return f"{self.stated} ({self.citation.source})" if self.citation_id else self.stated

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.relied_on:
            self.make_relied_on()

    @property
    def record(self):
        for name in FIGURE_FIELDS:
            record = getattr(self, name)
            if record is not None:
                return record
        return None

    def _target(self):
        """(key name, record id) of the record this figure is for, or (None, None)."""
        for name in FIGURE_FIELDS:
            if getattr(self, f"{name}_id"):
                return name, getattr(self, f"{name}_id")
        return None, None

    def clean(self):
        super().clean()
        errors = {}
        target, record_id = self._target()
        if target and self.field and self.field not in FIGURE_FIELDS[target]:
            errors["field"] = "This kind of record has no such figure."
        if self.stated.strip():
            errors.update(validate_stated_count(self.number, self.stated, "number"))
        if self.relied_on and not self.relied_on_reason.strip():
            errors["relied_on_reason"] = "Say why the newsroom relies on this figure; it is public."
        if self.citation_id and target:
            citation = self.citation
            if getattr(citation, f"{target}_id") != record_id:
                errors["citation"] = "Choose one of this record's own citations."
            elif self.relied_on and not citation.source.is_published:
                # The record's own count is public: it cannot come from a
                # source the public may not see yet.
                errors["relied_on"] = (
                    f"“{citation.source}” is a draft; publish it before relying on its figure."
                )
            elif self.stated.strip() and self.stated.strip() not in citation.quote:
                errors["stated"] = (
                    f"“{self.stated.strip()}” is not in the quote; give the figure in the "
                    "words the quote uses."
                )
        if errors:
            raise ValidationError(errors)

    def make_relied_on(self):
        """Make this the one figure the newsroom relies on for its value, and
        copy it into the record's field (saved with the reason, so the choice
        reaches the record's history and the public corrections log)."""
        target, record_id = self._target()
        others = ReportedFigure.objects.filter(**{f"{target}_id": record_id}, field=self.field)
        others.exclude(pk=self.pk).filter(relied_on=True).update(relied_on=False)
        record = self._meta.get_field(target).related_model.objects.get(pk=record_id)
        name = self.field
        if (getattr(record, name), getattr(record, f"{name}_stated")) == (self.number, self.stated):
            return
        setattr(record, name, self.number)
        setattr(record, f"{name}_stated", self.stated)
        record._change_reason = (
            f"The newsroom relies on “{self.stated}” ({self.citation.source}): "
            f"{self.relied_on_reason.strip()}"
        )
        record.save()


# ---------------------------------------------------------------------------
# Read API tokens
# ---------------------------------------------------------------------------


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A newsroom account's key to the read API (cases/api.py), sent as
    `Authorization: Bearer <token>`. The API reads with the token's role
    (cases/roles.py): a journalist's, an editor's or an admin's view of the
    records, drafts included where that role sees them. Admins issue and
    revoke tokens in admin; only a digest is stored (the token is shown once,
    when issued), so a copy of the database gives no one a working token.

    A random 256-bit token needs no slow hash: SHA-256 of it cannot be
    guessed back, and looking it up must be quick on every request."""

    name = models.CharField(
        max_length=100, help_text="Who or what uses it, e.g. “Data desk notebook”."
    )
    role = models.CharField(
        max_length=20,
        choices=[(key, group) for key, group in roles.ROLES.items()],
        default="journalist",
        help_text="What the token sees: journalists published records (and drafts "
        "while JOURNALISTS_SEE_DRAFTS is on), editors and admins drafts too.",
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The token's first characters, so an admin can tell tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    issued_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token):
        return hashlib.sha256(token.encode()).hexdigest()

    def issue(self):
        """Give this (unsaved) token its secret; returns the secret, which
        is never stored and cannot be shown again."""
        token = secrets.token_urlsafe(32)
        self.digest = self.digest_of(token)
        self.prefix = token[:8]
        return token
