"""`load_seed --update`: bring a database loaded from an earlier seed to the
seed as it is now, through the corrections log, never around it.

A three-way comparison, field by field: the seed now, the database now, and
the value the seed last wrote (the newest history row a seed load or revision
wrote). A field the database still holds as the seed last wrote it takes the
seed's new value; a field someone has corrected since is left as they left
it, and reported. Each record whose facts change is saved once, with the
kind of change and the reason fixtures/seed_changes.json gives for it, so
the change is public on /corrections/ like an editor's; its citations' and
linked records' changes are listed in the same entry, as admin lists an
inline's. Records the seed adds are published with an entry of their own
(an update); a record that moved to another kind (the seed's
FormerAddress rows) is withdrawn from its old kind with the reason, removed
from it, and its new record says where it came from; its old address then
redirects to the new one.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.core import serializers
from django.utils.text import capfirst

from cases.history import EMPTY, ChangeKind, classify_change, relation_change
from cases.kinds import KINDS_BY_MODEL, KINDS_BY_NAME
from cases.models import AgreementParty, Citation, Designation, FormerAddress, PublicationStatus

# The reasons of the history rows a seed load or revision writes: the value
# such a row holds is the seed's, so a field that still holds it was not
# corrected since. ("Loaded from the seed" rows are not corrections; a
# revision's rows are, so they carry the reason readers see.)
SEED_LOAD_REASONS = ("Loaded from the seed", "Reloaded from the seed")
REVISION_PREFIX = "Seed revision: "
# What a seed revision never overwrites: the newsroom's own notes, and when
# the seed says a record was written.
NOT_REVISED = ("internal_note", "created_at", "updated_at")
DEFAULT_CHANGE = {
    "kind": ChangeKind.CORRECTION,
    "reason": "Brought in line with the article after a fact-check against it.",
}
# A change that only gives the newsroom's wording its Spanish version (the
# `<field>_es` fields) is an update of its own: a record's reason for
# correcting its facts does not explain a translation. seed_changes.json
# words it under "spanish_versions".
SPANISH_CHANGE = {
    "kind": ChangeKind.UPDATE,
    "reason": "The newsroom's Spanish version of its own wording; the English is unchanged.",
}


def is_spanish_version(model_field):
    return model_field.name.endswith("_es")


@dataclass
class Revision:
    """What the revision does to one record: its field and relation changes
    and what it leaves alone."""

    record: object
    fields: list = field(default_factory=list)
    relations: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    # (many-to-many name, the seed's pks), set once the record is saved.
    m2m: list = field(default_factory=list)
    added: bool = False
    # Whether every change to the record and its rows gives a text its
    # Spanish version (and nothing else).
    only_spanish: bool = True


def owner_of(obj):
    """The record a row belongs to on the log: a citation's record, a party's
    agreement, a designation's actor; a record is its own."""
    if isinstance(obj, Citation):
        return obj.record
    if isinstance(obj, AgreementParty):
        return obj.agreement
    if isinstance(obj, Designation):
        return obj.actor
    # A former address is no record of its own: its move is its record's.
    return obj if type(obj) in KINDS_BY_MODEL else None


def citation_words(citation):
    """A citation on the log: its quote and source, and the values it supports
    (a revision may change only those)."""
    supports = ", ".join(citation.supports or ()) or "nothing"
    return f"{citation} supporting: {supports}"


def record_key(record):
    kind = KINDS_BY_MODEL.get(type(record))
    return f"{kind.name if kind else record._meta.model_name}:{record.slug}"


def seed_base(obj):
    """The newest history row a seed load or revision wrote for `obj`, and
    every row written after it, newest first."""
    history = getattr(obj, "history", None)
    if history is None:
        return None, []
    later = []
    for row in history.order_by("-history_date", "-history_id"):
        reason = row.history_change_reason or ""
        if reason.startswith(SEED_LOAD_REASONS) or (
            reason.startswith(REVISION_PREFIX) and row.history_user_id is None
        ):
            return row, later
        later.append(row)
    return None, later


def revisable_fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in NOT_REVISED and f.editable
    ]


class SeedUpdate:
    def __init__(self, seed_path, changes_path, stdout):
        self.seed_path = seed_path
        changes = self._read_changes(changes_path)
        self.changes = changes.get("records", {})
        self.spanish_change = {**SPANISH_CHANGE, **changes.get("spanish_versions", {})}
        self.stdout = stdout
        self.revisions = {}
        self.touched = defaultdict(list)

    @staticmethod
    def _read_changes(path):
        if path is None or not path.exists():
            return {}
        return json.loads(path.read_text("utf-8"))

    def change_for(self, record, only_spanish=False):
        if only_spanish:
            return self.spanish_change
        return {**DEFAULT_CHANGE, **self.changes.get(record_key(record), {})}

    def revision(self, record):
        key = (type(record), record.pk)
        if key not in self.revisions:
            self.revisions[key] = Revision(record)
        return self.revisions[key]

    def _deserialize(self):
        with self.seed_path.open(encoding="utf-8") as stream:
            yield from serializers.deserialize("json", stream, handle_forward_references=True)

    # --- The passes ---------------------------------------------------------------

    def run(self):
        created = self.add_new_objects()
        seen = self.revise_existing(created)
        self.drop_stale_citations(seen)
        moved = self.move_records()
        self.write_revisions(moved)
        return self.touched

    def add_new_objects(self):
        """Save what the seed holds and the database does not, with a first
        history row as a seed load writes it."""
        created, deferred = set(), []
        for deserialized in self._deserialize():
            obj = deserialized.object
            model = type(obj)
            if obj.pk is not None and model._base_manager.filter(pk=obj.pk).exists():
                continue
            deserialized.save()
            created.add((model, obj.pk))
            if deserialized.deferred_fields:
                deferred.append(deserialized)
            self.touched[model].append(obj)
        for deserialized in deferred:
            deserialized.save_deferred_fields()
        for model, pk in created:
            obj = model._base_manager.get(pk=pk)
            if hasattr(model, "history"):
                model.history.bulk_history_create(
                    [obj], default_change_reason="Loaded from the seed (a revision)"
                )
            owner = owner_of(obj)
            if owner is None:
                continue
            if owner is obj:
                self.revision(obj).added = True
            elif (type(owner), owner.pk) not in created:
                self.revision(owner).only_spanish = False
                self.revision(owner).relations.append(
                    relation_change(
                        capfirst(str(model._meta.verbose_name)),
                        EMPTY,
                        str(obj),
                        after_records=[r for r in (getattr(obj, "source", None),) if r],
                    )
                )
        return created

    def revise_existing(self, created):
        """Take the seed's new values where the database still holds the
        seed's last ones."""
        seen = set()
        for deserialized in self._deserialize():
            obj = deserialized.object
            model = type(obj)
            seen.add((model, obj.pk))
            if (model, obj.pk) in created or obj.pk is None:
                continue
            current = model._base_manager.get(pk=obj.pk)
            base, later = seed_base(current)
            changed, kept = [], []
            for model_field in revisable_fields(model):
                name = model_field.attname
                new, now = getattr(obj, name), getattr(current, name)
                if new == now:
                    continue
                if base is not None and getattr(base, name) != now:
                    kept.append(model_field)
                    continue
                setattr(current, name, new)
                changed.append(model_field)
            m2m_changes = []
            for name, pks in (deserialized.m2m_data or {}).items():
                manager = getattr(current, name)
                before = list(manager.all())
                if {r.pk for r in before} == set(pks):
                    continue
                label = capfirst(str(model._meta.get_field(name).verbose_name))
                if any(
                    change.get("field") == label
                    for row in later
                    for change in (row.history_relation_changes or [])
                ):
                    kept.append(model._meta.get_field(name))
                    continue
                m2m_changes.append((name, label, before, pks))
            if not (changed or kept or m2m_changes):
                continue
            owner = owner_of(current)
            if owner is None:
                continue
            revision = self.revision(owner)
            revision.kept += [
                f"{capfirst(str(f.verbose_name))}" + ("" if owner is current else f" ({current})")
                for f in kept
            ]
            if not (changed or m2m_changes):
                continue
            only_spanish = not m2m_changes and all(map(is_spanish_version, changed))
            revision.only_spanish = revision.only_spanish and only_spanish
            if owner is current:
                revision.record = current
                revision.fields += [capfirst(str(f.verbose_name)) for f in changed]
            else:
                before = model._base_manager.get(pk=current.pk)
                change = self.change_for(owner, only_spanish)
                current._change_reason = REVISION_PREFIX + change["reason"]
                current._change_kind = change["kind"]
                current.save()
                revision.relations.append(
                    relation_change(
                        capfirst(str(model._meta.verbose_name)),
                        citation_words(before),
                        citation_words(current),
                        [before.source],
                        [current.source],
                    )
                    if isinstance(current, Citation)
                    else relation_change(
                        capfirst(str(model._meta.verbose_name)), str(before), str(current)
                    )
                )
                self.touched[model].append(current)
            for name, label, before, pks in m2m_changes:
                related = model._meta.get_field(name).related_model
                after = list(related._base_manager.filter(pk__in=pks))
                revision.m2m.append((name, pks))
                revision.relations.append(
                    relation_change(
                        label,
                        ", ".join(str(r) for r in before) or EMPTY,
                        ", ".join(str(r) for r in after) or EMPTY,
                        before,
                        after,
                        names="records",
                    )
                )
        return seen

    def drop_stale_citations(self, seen):
        """A quote the seed once cited for a record and cites no longer (the
        P20 quote that names no gang) is removed, with its record's entry
        saying so; quotes added in admin (random keys) are the newsroom's."""
        seed_citations = Citation.objects.exclude(key__startswith="citation-")
        kept_pks = {pk for model, pk in seen if model is Citation}
        for citation in seed_citations.exclude(pk__in=kept_pks):
            base, later = seed_base(citation)
            if later:
                # Corrected in admin since: the newsroom's now.
                continue
            owner = citation.record
            if owner is None or (type(owner), owner.pk) not in seen:
                continue
            change = self.change_for(owner)
            self.revision(owner).only_spanish = False
            self.revision(owner).relations.append(
                relation_change(
                    capfirst(str(Citation._meta.verbose_name)),
                    str(citation),
                    "(removed)",
                    before_records=[citation.source],
                )
            )
            citation._change_reason = REVISION_PREFIX + change["reason"]
            citation._change_kind = change["kind"]
            citation.delete()

    def move_records(self):
        """Each FormerAddress of the seed whose old record is still there: the
        old record withdrawn (public, with the reason) and removed; its new
        record's entry says where it came from. {new record key: (old
        address, reason)}."""
        moved = {}
        for address in FormerAddress.objects.all():
            old_kind = KINDS_BY_NAME.get(address.kind)
            new_kind = KINDS_BY_NAME.get(address.moved_to_kind)
            if old_kind is None or new_kind is None:
                continue
            old = old_kind.model._base_manager.filter(slug=address.slug).first()
            new = new_kind.model._base_manager.filter(slug=address.moved_to_slug).first()
            if old is None or new is None:
                continue
            reason = REVISION_PREFIX + address.reason
            if old.is_published:
                old.publication_status = PublicationStatus.DRAFT
                old._change_reason = reason
                old._change_kind = ChangeKind.CORRECTION
                old.save()
            old._change_reason = reason
            old._change_kind = ChangeKind.CORRECTION
            old.delete()
            self.revisions.pop((type(old), old.pk), None)
            revision = self.revision(new)
            revision.added = False
            revision.only_spanish = False
            revision.relations.append(
                relation_change(
                    "Kind of record",
                    f"{capfirst(str(old_kind.label))} ({old.get_absolute_url()})",
                    capfirst(str(new_kind.label)),
                )
            )
            moved[(type(new), new.pk)] = address.reason
        return moved

    def write_revisions(self, moved):
        """One history row per revised record: its fields, with the reason
        and kind of change, and its relation changes in words."""
        for key, revision in self.revisions.items():
            record = revision.record
            if not (revision.fields or revision.relations or revision.added):
                if revision.kept:
                    self.report(record, [], revision.kept)
                continue
            spanish = revision.only_spanish and not revision.added
            change = self.change_for(record, spanish)
            if key in moved:
                change = {"kind": ChangeKind.CORRECTION, "reason": moved[key]}
            elif revision.added:
                change = {"kind": ChangeKind.UPDATE, **self.changes.get(record_key(record), {})}
                change.setdefault("reason", "Added from the article.")
                revision.relations.append(
                    relation_change(
                        capfirst(str(type(record)._meta.verbose_name)),
                        EMPTY,
                        str(record),
                        after_records=[record],
                    )
                )
            record._change_reason = REVISION_PREFIX + change["reason"]
            record._change_kind = change["kind"]
            record.save()
            for name, pks in revision.m2m:
                getattr(record, name).set(pks)
            latest = record.history.first()
            if revision.relations:
                previous = record.history.filter(history_id=latest.history_previous_id).first()
                latest.history_relation_changes = revision.relations
                latest.history_is_public_change = classify_change(latest, previous)
                latest.save(update_fields=["history_relation_changes", "history_is_public_change"])
            self.touched[type(record)].append(record)
            self.report(
                record, revision.fields + [c["field"] for c in revision.relations], revision.kept
            )

    def report(self, record, changed, kept):
        line = f"{record_key(record)}"
        if changed:
            line += f": revised {', '.join(dict.fromkeys(changed))}"
        if kept:
            line += f"; kept the newsroom's correction of {', '.join(kept)}"
        self.stdout.write(line)
