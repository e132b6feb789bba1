"""Field-level provenance: which citation supports which shown value.

A citation names the fields of its record that its quote supports
(`Citation.supports`); a record names the values the newsroom infers rather
than reads in a source, each with its reason (`inferences`; an inferred date
keeps its own `date_is_inferred` and `date_inference`). Every shown field that
holds a value must have one or the other. The fields to check are the record's
kind's `supported_fields` (cases/kinds.py), never a list of our own.

This module sits below the models (their `clean()` calls it), so it cannot
import the registry of kinds, which names the models: the registry hands each
kind to `register_kind()` instead, as admin's `site.register` does, and the
app's `ready()` imports it before any record is checked.

Admin refuses a save that would leave a value unsupported
(cases/admin_provenance.py), and `load_seed` refuses a seed that does.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Manager, QuerySet

# {model: its Kind}, filled by cases/kinds.py through register_kind().
_KINDS_BY_MODEL = {}


def register_kind(kind):
    """Let the checks below read what `kind` shows (its fields and their labels)."""
    _KINDS_BY_MODEL[kind.model] = kind


def _kind_of(record_or_model):
    model = record_or_model if isinstance(record_or_model, type) else type(record_or_model)
    try:
        return _KINDS_BY_MODEL[model]
    except KeyError:
        raise LookupError(
            f"{model.__name__} has no kind registered: is cases.kinds imported (the app's ready())?"
        ) from None


def _is_empty(value):
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, Manager):
        return not value.exists()
    if isinstance(value, QuerySet):
        return not value.exists()
    if isinstance(value, list | tuple | set | dict):
        return not value
    return False


def holds_value(record, name, submitted=None):
    """Whether the record's field `name` holds a value a reader would see.

    Empty strings, None and empty relations (many-to-many, or reverse foreign
    keys such as an agreement's `party_roles`) hold none. A stated count or
    date holds one when the source's words are kept even without a number or a
    date ("hundreds", "the most recent operation"): that is what the page shows.

    `submitted` maps field names to values not saved yet (a form's
    many-to-many choices, an inline's rows), which take the place of the
    saved ones."""
    submitted = submitted or {}
    names = (name, f"{name}_stated")
    for field_name in names:
        if field_name in submitted:
            value = submitted[field_name]
        elif field_name == name or hasattr(record, field_name):
            if record.pk is None and _is_relation(record, field_name):
                # An unsaved record has no relations yet; only submitted ones count.
                continue
            value = getattr(record, field_name, None)
        else:
            continue
        if not _is_empty(value):
            return True
    return False


def _is_relation(record, name):
    try:
        field = record._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return field.many_to_many or field.one_to_many


def inference_reason(record, name):
    """Why the newsroom infers the field's value, or "" when it does not."""
    reason = (getattr(record, "inferences", None) or {}).get(name, "")
    if isinstance(reason, str) and reason.strip():
        return reason.strip()
    if name == "date" and getattr(record, "date_is_inferred", False):
        return (getattr(record, "date_inference", "") or "").strip()
    return ""


def supporting_citations(citations):
    """{field name: [citations supporting it]}, each list in citation order."""
    supported = {}
    for citation in citations:
        for name in citation.supports or ():
            supported.setdefault(name, []).append(citation)
    return supported


def unsupported_fields(record, citations, submitted=None):
    """The fields of the record's kind that hold a value but have neither a
    citation supporting them nor an inference with its reason, in the order
    the kind shows them."""
    supported = supporting_citations(citations)
    return [
        name
        for name in _kind_of(record).supported_fields
        if name not in supported
        and not inference_reason(record, name)
        and holds_value(record, name, submitted)
    ]


def field_label(model, name):
    """The label a reader sees for the field (the kind's label for it)."""
    kind = _kind_of(model)
    for shown in kind.fields:
        if shown.name == name:
            return shown.label
    return str(model._meta.get_field(name).verbose_name).capitalize()


def unsupported_message(model, name):
    return (
        f"{field_label(model, name)}: no citation supports this value "
        "and it is not marked as an inference"
    )


def supports_errors(model, supports):
    """Errors for a citation's `supports` list, given its record's model
    (None when not known yet: admin's inline then offers only valid names)."""
    if not isinstance(supports, list) or not all(isinstance(name, str) for name in supports):
        return {"supports": "List the names of the fields this quote supports."}
    if model is None or model not in _KINDS_BY_MODEL:
        return {}
    allowed = _kind_of(model).supported_fields
    bad = [name for name in supports if name not in allowed]
    if bad:
        return {
            "supports": f"A {model._meta.verbose_name} has no field “{bad[0]}” that a citation "
            f"supports; choose from: {', '.join(allowed)}."
        }
    return {}


def inference_errors(record):
    """Errors for a record's `inferences`: known field names, each with a reason."""
    inferences = record.inferences
    if not isinstance(inferences, dict):
        return {"inferences": "Give each inferred field with the reason it follows."}
    kind = _kind_of(record)
    # The newsroom's own classifications (an actor's or a facility's kind)
    # need no citation, but where the source does not state them they are
    # marked as inferred like any other value, so none reads as the source's.
    allowed = (*kind.supported_fields, *(shown.name for shown in kind.fields))
    for name, reason in inferences.items():
        if name not in allowed:
            return {
                "inferences": f"A {record._meta.verbose_name} has no field “{name}” to infer; "
                f"choose from: {', '.join(dict.fromkeys(allowed))}."
            }
        if not isinstance(reason, str) or not reason.strip():
            return {"inferences": f"Say why “{name}” follows from the source."}
    spanish = getattr(record, "inferences_es", None) or {}
    if not isinstance(spanish, dict):
        return {"inferences_es": "Give each reason's Spanish with the field it is for."}
    for name, reason in spanish.items():
        # A Spanish reason is the Spanish of an English one: never a reason
        # of its own that English readers would not see.
        if name not in inferences:
            return {
                "inferences_es": f"“{name}” has no reason above to be the Spanish of; "
                f"give the English reason first."
            }
        if not isinstance(reason, str):
            return {"inferences_es": f"Write the Spanish of the reason for “{name}” as text."}
    return {}
