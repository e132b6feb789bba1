"""Keyset pagination for the read API: each page resumes after the last row
of the one before, by its sort value and primary key, never by an offset.

So a client paging through a whole table sees every row once even while rows
are added (a new row takes its place in the order; it never shifts the rows
after it onto a page already read), and a deep page costs what the first one
does. The `next` token is opaque to clients (base64 of the sort it was made
for and the last row's keys), and a token made for another sort is refused.

Rows with no value in the sort column come last, in either direction.
"""

import base64
import binascii
import json

from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime


class BadCursor(ValueError):
    """A `next` token this API did not give, or gave for another sort."""


def _encode(data):
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token):
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        return json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise BadCursor(token) from None


class Keyset:
    def __init__(self, model, field_name=None, descending=False):
        self.model = model
        self.field_name = field_name
        self.descending = descending
        self.after = None

    @property
    def signature(self):
        return f"{'-' if self.descending else ''}{self.field_name or ''}"

    def ordering(self):
        if self.field_name is None:
            return ("pk",)
        column = F(self.field_name)
        first = column.desc(nulls_last=True) if self.descending else column.asc(nulls_last=True)
        return (first, "pk")

    def resume(self, token):
        """Start after the row `token` names (an empty token: from the start)."""
        if not token:
            self.after = None
            return
        data = _decode(token)
        if not isinstance(data, dict) or data.get("s") != self.signature:
            raise BadCursor(token)
        pk, value = data.get("k"), data.get("v")
        if not isinstance(pk, int):
            raise BadCursor(token)
        if value is not None and self.field_name is not None:
            try:
                value = self.model._meta.get_field(self.field_name).to_python(value)
            except ValidationError:
                raise BadCursor(token) from None
        self.after = (pk, value)

    def _after_condition(self):
        pk, value = self.after
        if self.field_name is None:
            return Q(pk__gt=pk)
        name = self.field_name
        if value is None:
            return Q(**{f"{name}__isnull": True, "pk__gt": pk})
        beyond = f"{name}__lt" if self.descending else f"{name}__gt"
        return (
            Q(**{beyond: value}) | Q(**{name: value, "pk__gt": pk}) | Q(**{f"{name}__isnull": True})
        )

    def page_keys(self, queryset, size):
        """[(pk, sort value)] of up to size + 1 rows after the resumed one:
        one row more than a page, to tell whether there is a next page."""
        if self.after is not None:
            queryset = queryset.filter(self._after_condition())
        value = self.field_name or "pk"
        return list(queryset.order_by(*self.ordering()).values_list("pk", value)[: size + 1])

    def token_after(self, key):
        pk, value = key
        if self.field_name is None:
            value = None
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        return _encode({"s": self.signature, "k": pk, "v": value})

    # The corrections log pages by (time, kind's name, correction id), newest first.

    @staticmethod
    def encode_correction(key):
        moment, kind_name, correction_id = key
        return _encode(
            {"s": "corrections", "t": moment.isoformat(), "n": kind_name, "k": correction_id}
        )

    @staticmethod
    def decode_correction(token):
        if not token:
            return None
        data = _decode(token)
        if not isinstance(data, dict) or data.get("s") != "corrections":
            raise BadCursor(token)
        try:
            moment = parse_datetime(str(data.get("t", "")))
        except ValueError:
            moment = None
        if (
            moment is None
            or not isinstance(data.get("k"), int)
            or not isinstance(data.get("n"), str)
        ):
            raise BadCursor(token)
        return moment, data["n"], data["k"]
