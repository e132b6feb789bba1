"""Fill the database with clearly synthetic records, at newsroom scale, for
load testing and benchmarks.

Synthetic records are marked, never mixed with the seed or with real work:
every one has a slug (citations: a key) starting with "synthetic-", says
"Synthetic" in its title or name, and cites the one synthetic source. That
marker is what `manage.py remove_synthetic` deletes by, so do not give a real
record a slug starting with "synthetic-".

Speed comes from set-based inserts: each kind is inserted with bulk_create
(which returns primary keys on PostgreSQL and SQLite 3.35+), many-to-many
links through their through models, and history rows with
bulk_history_create. Work is done in chunks of --batch-size transfers, one
transaction each, so memory stays bounded whatever the size.
"""

import argparse
import random
import time
from collections import Counter
from datetime import date, timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries, transaction

from cases.models import (
    Actor,
    Agreement,
    AgreementParty,
    Citation,
    ClaimStatus,
    Designation,
    DetaineeGroup,
    Event,
    Facility,
    PublicationStatus,
    Source,
    Statement,
    Transfer,
)

SYNTHETIC_PREFIX = "synthetic-"
SYNTHETIC_SOURCE_SLUG = "synthetic-data"
SYNTHETIC_SOURCE_TITLE = "Synthetic records for load testing (not real)"
CHANGE_REASON = "Synthetic data for load testing"

# A word found in about one record in ten thousand (the first record of each
# kind, then every 10,000th), so a benchmark can search for a rare term.
RARE_TOKEN = "zephyrine"
RARE_EVERY = 10_000

# The synthetic source's text: this many numbered paragraphs, each quoted
# whole by citations. No paragraph is part of another ("paragraph 1:" is not
# in "paragraph 17:"), so each quote is found in exactly one paragraph.
SOURCE_PARAGRAPHS = 500

# Rows per INSERT statement, to keep each statement's size reasonable.
ROWS_PER_INSERT = 1000

FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 12, 31)

# Ordinary words the text fields are made of, so a search has common terms.
_VOCABULARY_TEXT = """
account action address administration agency agent airport airline appeal area
arrival authority bail border boat bus camp capital case cell center charge
check city claim client coast committee community complaint condition contact
contract control country county court crew crime custody day deadline decision
delay department deportee deputy detainee detention document driver duty
embassy emergency escort evidence exchange family fee file flight force form
friend group guard hearing help home hospital hotel hour house identity
inmate inquiry interview island journey judge jury lawyer leader letter list
lawsuit manager market meeting member message migrant minister month morning
mother name nation network night notice number officer office operation order
paper parent park partner passenger payment people permit phone plane police
policy port prison process program protest question record region release
report request road route rule schedule school season security sentence
service shelter ship shift site source spokesperson staff state station status
street system team terminal time town track trial trip truck unit van visa
visit voice warden week witness worker year advocate agreement bus deal
airport runway cargo cabin gate hangar ticket manifest roster registry
processing intake transfer handover custody expulsion removal return
escort convoy checkpoint corridor highway bridge river valley mountain desert
northern southern eastern western central local regional national federal
early late recent previous next final first second third several many few
large small long short quick slow quiet busy full empty new old young elderly
official public private legal formal informal secret open closed joint
military civilian medical social financial political economic criminal
confirmed reported described announced questioned denied scheduled delayed
cancelled approved signed extended suspended reviewed appealed released
transferred detained deported returned received processed interviewed charged
arrived departed landed boarded waited moved carried held kept sent
brother sister daughter son uncle cousin neighbor teacher farmer mechanic
cook nurse student pastor builder painter fisherman vendor
morning afternoon evening weekend holiday winter spring summer autumn
monday tuesday wednesday thursday friday saturday sunday
"""
VOCABULARY = tuple(dict.fromkeys(_VOCABULARY_TEXT.split()))

COUNTRIES = [
    "United States",
    "El Salvador",
    "Honduras",
    "Guatemala",
    "Venezuela",
    "Mexico",
    "Costa Rica",
    "Panama",
    "Colombia",
    "Nicaragua",
]
NATIONALITIES = ["Venezuelan", "Salvadoran", "Honduran", "Guatemalan", "Mexican", "Colombian", ""]
COUNT_WORDS = ["hundreds", "dozens", "several", "a few dozen", "more than a hundred", "scores"]
SPELLED_NUMBERS = ["zero", "one", "two", "three", "four", "five", "six"]
SPELLED_NUMBERS += ["seven", "eight", "nine", "ten", "eleven", "twelve"]
UNDATED_WORDING = [
    "the most recent operation",
    "earlier this year",
    "last month",
    "in recent weeks",
    "the previous weekend",
    "an earlier flight",
]
MEDIA = ["Truth Social", "X", "a press conference", "a television interview", "a radio interview"]


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return value


def synthetic_data_present():
    """Whether any synthetic record is in the database (the marker slugs)."""
    prefixed = {"slug__startswith": SYNTHETIC_PREFIX}
    return (
        Source.objects.filter(slug=SYNTHETIC_SOURCE_SLUG).exists()
        or Transfer.objects.filter(**prefixed).exists()
        or Actor.objects.filter(**prefixed).exists()
        or Citation.objects.filter(key__startswith=SYNTHETIC_PREFIX).exists()
    )


def source_paragraphs(count=SOURCE_PARAGRAPHS):
    return [
        f"Synthetic paragraph {number}: generated for load testing; describes no real event."
        for number in range(1, count + 1)
    ]


class Command(BaseCommand):
    help = (
        "Fill the database with clearly synthetic records for load testing: actors, "
        "facilities, agreements, transfers with detainee groups (every 4th with a subgroup), "
        "events, statements, one citation each, and history rows. Every synthetic record's "
        f"slug (a citation's key) starts with '{SYNTHETIC_PREFIX}' and all cite the source "
        f"'{SYNTHETIC_SOURCE_SLUG}'; remove them with `BENCH=1 manage.py remove_synthetic`. Text is "
        f"built from {len(VOCABULARY)} ordinary words; the rare word '{RARE_TOKEN}' "
        f"appears in about 1 in {RARE_EVERY:,} records (the first of each kind, then every "
        f"{RARE_EVERY:,}th) for searching a rare term. Each chunk of --batch-size transfers is "
        "committed on its own; if a run is interrupted, rerun with --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--transfers",
            type=positive_int,
            default=1000,
            help="Number of synthetic transfers; other kinds scale with it (default 1000).",
        )
        parser.add_argument(
            "--random-seed",
            type=int,
            default=1,
            help="Seed for the random choices; the same seed gives the same data (default 1).",
        )
        parser.add_argument(
            "--batch-size",
            type=positive_int,
            default=5000,
            help="Transfers (with their groups, events, statements) per transaction (default 5000).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Remove existing synthetic data first instead of refusing.",
        )

    def handle(self, *args, transfers, random_seed, batch_size, replace, verbosity=1, **options):
        if not connection.features.can_return_rows_from_bulk_insert:
            raise CommandError(
                "This database cannot return primary keys from bulk inserts; "
                "use PostgreSQL or SQLite 3.35 or newer."
            )
        if synthetic_data_present():
            if not replace:
                raise CommandError(
                    "Synthetic data is already present. Run `BENCH=1 manage.py remove_synthetic` "
                    "first, or pass --replace to remove it and generate it again."
                )
            call_command("remove_synthetic", verbosity=verbosity, stdout=self.stdout)

        started = time.monotonic()
        generator = SyntheticData(random.Random(random_seed), transfers)
        with transaction.atomic():
            _lift_statement_timeout()
            generator.create_reference_records()
        for start in range(0, transfers, batch_size):
            stop = min(start + batch_size, transfers)
            with transaction.atomic():
                _lift_statement_timeout()
                generator.create_transfers(start, stop)
            # With DEBUG on, Django keeps the SQL of recent queries; bulk
            # inserts are large, so memory would grow with every chunk.
            reset_queries()
            if verbosity:
                self.stdout.write(
                    f"  {stop:,}/{transfers:,} transfers ({time.monotonic() - started:.1f} s)"
                )

        elapsed = time.monotonic() - started
        if verbosity:
            width = max(len(table) for table in generator.rows)
            for table, count in sorted(generator.rows.items()):
                self.stdout.write(f"  {table:<{width}}  {count:>10,}")
            total = sum(generator.rows.values())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created {total:,} synthetic rows for {transfers:,} transfers "
                    f"in {elapsed:.1f} s."
                )
            )
        refresh_planner_statistics()


def refresh_planner_statistics():
    """ANALYZE after a bulk load or removal, so the query planner knows how
    many rows each table and index holds. SQLite never gathers statistics by
    itself: without them, at 100,000 transfers it read a transfer's detainee
    groups by scanning all 125,000 published groups rather than through the
    link table, and a 1,000-row export took 20 s instead of 0.4 s (make bench,
    issue 15). PostgreSQL's autovacuum would get there, but later.

    On PostgreSQL, VACUUM too: until the new rows are marked all-visible, a
    covering index cannot answer alone, and the planner read all 100,000
    transfers for each facet count instead of its index (issue 25). VACUUM
    cannot run in a transaction (a test's, say): there, ANALYZE alone."""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
            cursor.execute("VACUUM (ANALYZE)")
            cursor.execute("RESET statement_timeout")
        return
    with transaction.atomic():
        _lift_statement_timeout()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _lift_statement_timeout():
    # The statement timeout in settings protects web requests; a bulk load
    # is a maintenance job whose large statements may rightly take longer.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 0")


class SyntheticData:
    """Builds and inserts the synthetic records; `rows` counts what it wrote,
    by table."""

    def __init__(self, rng, transfers):
        self.rng = rng
        self.transfers = transfers
        self.rows = Counter()
        self.paragraphs = source_paragraphs()
        self.source = None
        # Primary keys of the reference records, drawn on for every transfer.
        self.actor_ids = self.state_ids = self.government_ids = []
        self.organisation_ids = self.speaker_ids = []
        self.facility_ids = self.agreement_ids = []

    # --- Inserting ------------------------------------------------------------

    def insert(self, model, objects):
        """bulk_create, plus the history rows where the model keeps history
        (bulk_create skips save() and so the history signals)."""
        if not objects:
            return objects
        created = model.objects.bulk_create(objects, batch_size=ROWS_PER_INSERT)
        self.rows[model._meta.db_table] += len(created)
        history = getattr(model, "history", None)
        if history is not None:
            history.bulk_history_create(
                created, batch_size=ROWS_PER_INSERT, default_change_reason=CHANGE_REASON
            )
            self.rows[history.model._meta.db_table] += len(created)
        return created

    def link(self, model, field_name, pairs):
        """Insert many-to-many links (record, related record or its primary
        key) through the field's through model."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        from_column = f"{field.m2m_field_name()}_id"
        to_column = f"{field.m2m_reverse_field_name()}_id"
        links = [
            through(**{from_column: record.pk, to_column: getattr(related, "pk", related)})
            for record, related in pairs
        ]
        self.insert(through, links)

    def cite(self, target_field, records):
        """One citation per record, quoting one whole paragraph of the
        synthetic source at its number, so Citation.quote_errors() passes."""
        citations = []
        for record in records:
            number = self.rng.randint(1, len(self.paragraphs))
            citations.append(
                Citation(
                    key=f"{record.slug}-citation",
                    source=self.source,
                    quote=self.paragraphs[number - 1],
                    paragraph=number,
                    **{target_field: record},
                )
            )
        self.insert(Citation, citations)

    # --- Field values ---------------------------------------------------------

    def words(self, low, high, *, index=None):
        chosen = self.rng.choices(VOCABULARY, k=self.rng.randint(low, high))
        if index is not None and index % RARE_EVERY == 0:
            chosen.insert(self.rng.randrange(len(chosen) + 1), RARE_TOKEN)
        return " ".join(chosen)

    def phrase(self, low=2, high=4):
        return " ".join(self.rng.choices(VOCABULARY, k=self.rng.randint(low, high))).capitalize()

    def publication_status(self):
        if self.rng.random() < 0.02:
            return PublicationStatus.DRAFT
        return PublicationStatus.PUBLISHED

    def claim_status(self, weights):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def stated_date(self):
        """Day-precise dates over 2019-2026, about 10% undated with the
        source's wording instead, a few with an inferred year."""
        roll = self.rng.random()
        if roll < 0.10:
            return {"date": None, "date_stated": self.rng.choice(UNDATED_WORDING)}
        day = FIRST_DAY + timedelta(days=self.rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        if roll < 0.15:
            return {
                "date": day,
                "date_stated": f"{day:%A, %B} {day.day}",
                "date_is_inferred": True,
                "date_inference": "Synthetic: the source names the weekday and day; "
                "the year follows from its context.",
            }
        return {"date": day, "date_stated": f"{day:%A, %B} {day.day}, {day.year}"}

    def stated_count(self, low, high):
        """(number, words) obeying validate_stated_count: digits with the
        same number, or words only (about 10%) with no number."""
        if self.rng.random() < 0.10:
            return None, self.rng.choice(COUNT_WORDS)
        number = self.rng.randint(low, high)
        return number, str(number)

    def subgroup_size(self, parent_size):
        if parent_size is None:
            return None, "several of them"
        number = self.rng.randint(1, max(1, parent_size // 3))
        if number < len(SPELLED_NUMBERS) and self.rng.random() < 0.3:
            # Words for a number ("six") are kept with the number, as in the seed.
            return number, SPELLED_NUMBERS[number]
        return number, str(number)

    # --- Actors, facilities, agreements -----------------------------------------

    def create_reference_records(self):
        n = self.transfers
        self.source = self.insert(
            Source,
            [
                Source(
                    slug=SYNTHETIC_SOURCE_SLUG,
                    title=SYNTHETIC_SOURCE_TITLE,
                    kind=Source.Kind.OTHER,
                    publication_status=PublicationStatus.PUBLISHED,
                    description="Generated by `manage.py synthesize` to test the tracker at "
                    "scale. Nothing in it, or in the records citing it, is real.",
                    text="\n".join(self.paragraphs),
                )
            ],
        )[0]
        self.create_actors(max(50, n // 200))
        self.create_facilities(max(10, n // 2000))
        self.create_agreements(max(10, n // 500))

    def create_actors(self, total):
        rng = self.rng
        governments = [
            Actor(
                slug=f"synthetic-government-{i}",
                name=f"Synthetic government {i} ({COUNTRIES[i % len(COUNTRIES)]})",
                kind=Actor.Kind.GOVERNMENT,
                country=COUNTRIES[i % len(COUNTRIES)],
                description=self.words(8, 20, index=i),
                publication_status=self.publication_status(),
            )
            for i in range(max(3, total // 16))
        ]
        self.insert(Actor, governments)

        plan = (
            [Actor.Kind.GOVERNMENT_OFFICE] * max(6, total // 5)
            + [Actor.Kind.CRIMINAL_ORGANIZATION] * max(4, total // 10)
            + [Actor.Kind.NGO] * max(3, total // 12)
            + [Actor.Kind.MEDIA_OUTLET] * max(3, total // 16)
            + [Actor.Kind.OTHER] * max(1, total // 50)
        )
        plan += [Actor.Kind.PERSON] * max(0, total - len(governments) - len(plan))
        others = []
        for i, kind in enumerate(plan):
            actor = Actor(
                slug=f"synthetic-actor-{i}",
                name=f"Synthetic {Actor.Kind(kind).label.lower()} {i}: {self.phrase(1, 2)}",
                kind=kind,
                description=self.words(8, 20, index=i),
                claim_status=self.claim_status({ClaimStatus.REPORTED: 9, ClaimStatus.CONFIRMED: 1}),
                publication_status=self.publication_status(),
            )
            if kind == Actor.Kind.GOVERNMENT_OFFICE:
                government = rng.choice(governments)
                actor.part_of = government
                actor.country = government.country
            elif kind == Actor.Kind.PERSON:
                actor.role = f"Synthetic {self.phrase(1, 2).lower()} official"
                actor.country = rng.choice(COUNTRIES)
            others.append(actor)
        self.insert(Actor, others)

        actors = governments + others
        self.actor_ids = [actor.pk for actor in actors]
        self.state_ids = [
            actor.pk
            for actor in actors
            if actor.kind in (Actor.Kind.GOVERNMENT, Actor.Kind.GOVERNMENT_OFFICE)
        ]
        self.organisation_ids = [
            actor.pk for actor in others if actor.kind == Actor.Kind.CRIMINAL_ORGANIZATION
        ]
        self.speaker_ids = [
            actor.pk
            for actor in actors
            if actor.kind not in (Actor.Kind.CRIMINAL_ORGANIZATION, Actor.Kind.OTHER)
        ]
        self.government_ids = [actor.pk for actor in governments]

        designations = []
        for organisation_id in self.organisation_ids:
            designations.append(
                Designation(
                    actor_id=organisation_id,
                    label="Foreign Terrorist Organization (synthetic)",
                    designated_by_id=rng.choice(self.government_ids),
                )
            )
            if rng.random() < 0.3:
                designations.append(
                    Designation(
                        actor_id=organisation_id,
                        label="Transnational criminal organization (synthetic)",
                        designated_by_id=rng.choice(self.government_ids),
                        claim_status=ClaimStatus.ALLEGED,
                    )
                )
        self.insert(Designation, designations)
        self.cite("actor", actors)

    def create_facilities(self, total):
        kinds = self.rng.choices(list(Facility.Kind), weights=[6, 2, 1, 1], k=total)
        facilities = []
        for i, kind in enumerate(kinds):
            country = "El Salvador" if self.rng.random() < 0.7 else self.rng.choice(COUNTRIES)
            facilities.append(
                Facility(
                    slug=f"synthetic-facility-{i}",
                    name=f"Synthetic {Facility.Kind(kind).label.lower()} {i}: {self.phrase(1, 2)}",
                    short_name=f"SYN{i}" if kind == Facility.Kind.PRISON else "",
                    kind=kind,
                    country=country,
                    location=f"{self.phrase(1, 2)}, {country}",
                    description=self.words(10, 25, index=i),
                    publication_status=self.publication_status(),
                )
            )
        self.insert(Facility, facilities)
        self.facility_ids = [facility.pk for facility in facilities]
        self.cite("facility", facilities)

    def create_agreements(self, total):
        rng = self.rng
        agreements = []
        for i in range(total):
            status = rng.choice(list(Agreement.Status))
            tentative = status in (Agreement.Status.UNDER_CONSIDERATION, Agreement.Status.PROPOSED)
            agreements.append(
                Agreement(
                    slug=f"synthetic-agreement-{i}",
                    title=f"Synthetic agreement {i}: {self.phrase(2, 4)}",
                    status=status,
                    claim_status=ClaimStatus.PROPOSED
                    if tentative
                    else self.claim_status(
                        {ClaimStatus.REPORTED: 6, ClaimStatus.CONFIRMED: 3, ClaimStatus.DISPUTED: 1}
                    ),
                    summary=self.words(15, 40, index=i),
                    financial_terms=self.words(6, 15) if rng.random() < 0.4 else "",
                    publication_status=self.publication_status(),
                )
            )
        self.insert(Agreement, agreements)
        parties = []
        for agreement in agreements:
            sender, receiver = rng.sample(self.government_ids, 2)
            parties.append(
                AgreementParty(
                    agreement_id=agreement.pk,
                    actor_id=sender,
                    role="Sends deported migrants (synthetic)",
                )
            )
            parties.append(
                AgreementParty(
                    agreement_id=agreement.pk,
                    actor_id=receiver,
                    role="Receives deported migrants (synthetic)",
                )
            )
        self.insert(AgreementParty, parties)
        self.agreement_ids = [agreement.pk for agreement in agreements]
        self.cite("agreement", agreements)

    # --- Transfers and what hangs off them ----------------------------------------

    def create_transfers(self, start, stop):
        """Transfers start..stop-1, each with a detainee group (every 4th also
        a subgroup), every 10th with an event and every 5th with a statement."""
        rng = self.rng
        transfers, groups, subgroups, events, statements = [], [], [], [], []
        transfer_groups, sent_by, received_by, affiliations = [], [], [], []
        participants, event_agreements, statement_transfers, statement_agreements = [], [], [], []

        for i in range(start, stop):
            count, count_stated = self.stated_count(10, 400)
            destination_id = rng.choice(self.facility_ids) if rng.random() < 0.85 else None
            transfer = Transfer(
                slug=f"synthetic-transfer-{i}",
                title=f"Synthetic transfer {i}: {self.phrase(3, 6)}",
                summary=self.words(15, 40, index=i),
                from_country="United States" if rng.random() < 0.9 else rng.choice(COUNTRIES),
                to_country="El Salvador" if rng.random() < 0.8 else rng.choice(COUNTRIES),
                destination_id=destination_id,
                agreement_id=rng.choice(self.agreement_ids) if rng.random() < 0.6 else None,
                count=count,
                count_stated=count_stated,
                claim_status=self.claim_status(
                    {
                        ClaimStatus.REPORTED: 60,
                        ClaimStatus.CONFIRMED: 25,
                        ClaimStatus.ALLEGED: 10,
                        ClaimStatus.DISPUTED: 5,
                    }
                ),
                publication_status=self.publication_status(),
                **self.stated_date(),
            )
            transfers.append(transfer)
            sent_by += [(transfer, actor) for actor in self.sample_ids(self.state_ids, 1, 2)]
            received_by += [(transfer, actor) for actor in self.sample_ids(self.state_ids, 1, 2)]

            group = self.group(
                f"synthetic-group-{i}",
                f"Synthetic group {i}",
                i,
                count,
                count_stated,
                destination_id,
            )
            groups.append(group)
            transfer_groups.append((transfer, group))
            affiliations += [(group, org) for org in self.sample_ids(self.organisation_ids, 1, 2)]
            if i % 4 == 3:
                size, size_stated = self.subgroup_size(count)
                subgroup = self.group(
                    f"synthetic-subgroup-{i}",
                    f"Synthetic subgroup {i}",
                    i,
                    size,
                    size_stated,
                    destination_id,
                )
                subgroup.parent = group
                subgroups.append(subgroup)
                transfer_groups.append((transfer, subgroup))
                affiliations += [
                    (subgroup, org) for org in self.sample_ids(self.organisation_ids, 1, 1)
                ]

            if i % 10 == 9:
                number = i // 10
                event = Event(
                    slug=f"synthetic-event-{number}",
                    title=f"Synthetic event {number}: {self.phrase(3, 6)}",
                    summary=self.words(15, 40, index=number),
                    occurrence=rng.choices(list(Event.Occurrence), weights=[1, 8, 1])[0],
                    facility_id=rng.choice(self.facility_ids) if rng.random() < 0.4 else None,
                    location=self.phrase(1, 3),
                    claim_status=self.claim_status(
                        {ClaimStatus.REPORTED: 8, ClaimStatus.CONFIRMED: 2}
                    ),
                    publication_status=self.publication_status(),
                    **self.stated_date(),
                )
                events.append(event)
                participants += [(event, actor) for actor in self.sample_ids(self.actor_ids, 2, 3)]
                if rng.random() < 0.3:
                    event_agreements.append((event, rng.choice(self.agreement_ids)))

            if i % 5 == 4:
                number = i // 5
                statement = Statement(
                    slug=f"synthetic-statement-{number}",
                    speaker_id=rng.choice(self.speaker_ids),
                    text=f"Synthetic statement: {self.words(8, 25, index=number)}",
                    kind=rng.choices(list(Statement.Kind), weights=[7, 3])[0],
                    medium=rng.choice(MEDIA) if rng.random() < 0.3 else "",
                    facility_id=rng.choice(self.facility_ids) if rng.random() < 0.15 else None,
                    claim_status=self.claim_status(
                        {ClaimStatus.REPORTED: 8, ClaimStatus.CONFIRMED: 2}
                    ),
                    publication_status=self.publication_status(),
                    **self.stated_date(),
                )
                if events and rng.random() < 0.3:
                    statement.event = rng.choice(events)
                statements.append(statement)
                if rng.random() < 0.5:
                    statement_transfers.append((statement, transfer))
                if rng.random() < 0.2:
                    statement_agreements.append((statement, rng.choice(self.agreement_ids)))

        # Parents before what refers to them: groups before subgroups, events
        # before statements. Objects assigned to a foreign key before they had
        # a primary key get it at insert time.
        self.insert(Transfer, transfers)
        self.insert(DetaineeGroup, groups)
        self.insert(DetaineeGroup, subgroups)
        self.insert(Event, events)
        self.insert(Statement, statements)

        self.link(Transfer, "sent_by", sent_by)
        self.link(Transfer, "received_by", received_by)
        self.link(Transfer, "groups", transfer_groups)
        self.link(DetaineeGroup, "alleged_affiliations", affiliations)
        self.link(Event, "participants", participants)
        self.link(Event, "agreements", event_agreements)
        self.link(Statement, "transfers", statement_transfers)
        self.link(Statement, "agreements", statement_agreements)

        self.cite("transfer", transfers)
        self.cite("detainee_group", groups + subgroups)
        self.cite("event", events)
        self.cite("statement", statements)

    def group(self, slug, name, index, size, size_stated, facility_id):
        rng = self.rng
        return DetaineeGroup(
            slug=slug,
            name=f"{name}: {size_stated} {self.phrase(1, 3).lower()}",
            size=size,
            size_stated=size_stated,
            accusation=self.words(5, 15, index=index),
            alleged_by_id=rng.choice(self.state_ids) if rng.random() < 0.5 else None,
            nationality=rng.choice(NATIONALITIES),
            facility_id=facility_id,
            claim_status=self.claim_status(
                {ClaimStatus.ALLEGED: 85, ClaimStatus.REPORTED: 10, ClaimStatus.DISPUTED: 5}
            ),
            publication_status=self.publication_status(),
        )

    def sample_ids(self, ids, low, high):
        return self.rng.sample(ids, self.rng.randint(low, high))
