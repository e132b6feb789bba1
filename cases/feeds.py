"""Atom feeds for readers who follow the case: newly published records of
every kind, and the corrections log. Feed readers do not log in, so both show
what an anonymous reader sees: published records only, never a draft."""

from django.contrib.auth.models import AnonymousUser
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import presentation
from .kinds import KINDS
from .querysets import corrections_log, describe_corrections
from .templatetags.reader import claim_attribution
from .templatetags.records import excerpt, kind_name, record_label

TRACKER_NAME = gettext_lazy("Deportation tracker: U.S.–El Salvador")
# Entries per feed: feed readers poll often, so the newest are enough.
FEED_ENTRIES = 50


def _anonymous():
    return AnonymousUser()


class PublishedRecordsFeed(Feed):
    feed_type = Atom1Feed
    # No parameter changes a feed (cases/response_cache.py).
    params_read = frozenset()

    # Methods, not attributes: worded in the reader's language at request time.
    def title(self):
        return _("%(tracker)s: newly published records") % {"tracker": TRACKER_NAME}

    def subtitle(self):
        return _(
            "Records of every kind as they are published, newest first, each with its claim status."
        )

    def link(self):
        return reverse("cases:home")

    def items(self):
        reader = _anonymous()
        newest = [
            record
            for model in [kind.model for kind in KINDS]
            for record in model.objects.visible_to(reader)
            .newly_published()
            .for_listing(reader)
            .with_claim_attribution(reader)[:FEED_ENTRIES]
        ]
        newest.sort(key=lambda record: record.published_at, reverse=True)
        return newest[:FEED_ENTRIES]

    def item_title(self, record):
        return _("%(kind)s: %(record)s") % {
            "kind": kind_name(record).capitalize(),
            "record": record_label(record),
        }

    def item_description(self, record):
        # The caveats a page shows travel with the entry: status, whose claim
        # it is, the date as the source gives it.
        lines = []
        status = getattr(record, "get_claim_status_display", None)
        if status:
            attribution = claim_attribution(record)
            status_line = _("Claim status: %(status)s") % {"status": status()}
            lines.append(status_line + (f", {attribution}" if attribution else ""))
        if hasattr(record, "date_stated"):
            lines.append(_("Date: %(date)s") % {"date": presentation.stated_date_text(record)})
        text = excerpt(record, 60)
        if text:
            lines.append(text)
        # Atom's summary is HTML: a record's words are text, never markup.
        return escape(" · ".join(lines))

    def item_pubdate(self, record):
        return record.published_at

    def item_updateddate(self, record):
        # A seeded record can carry an older change time than its publication.
        return max(record.updated_at, record.published_at)


class CorrectionsFeed(Feed):
    feed_type = Atom1Feed
    params_read = frozenset()

    def title(self):
        return _("%(tracker)s: corrections") % {"tracker": TRACKER_NAME}

    def subtitle(self):
        return _("Every change to a published record, newest first: what changed and why.")

    def link(self):
        return reverse("cases:corrections")

    def items(self):
        reader = _anonymous()
        rows = corrections_log(
            [model.objects.visible_to(reader) for model in [kind.model for kind in KINDS]],
            withdrawals=True,
        )
        return describe_corrections(rows[:FEED_ENTRIES], reader)

    def item_title(self, correction):
        # Named by its kind, as the log names it: a clarification is not a
        # correction.
        if correction.record is None:
            return _("%(change)s: %(kind)s “%(title)s” withdrawn") % {
                "change": correction.kind_label,
                "kind": correction.withdrawn_kind._meta.verbose_name,
                "title": correction.withdrawn_title,
            }
        return _("%(change)s to %(kind)s: %(record)s") % {
            "change": correction.kind_label,
            "kind": kind_name(correction.record),
            "record": record_label(correction.record),
        }

    def item_description(self, correction):
        reason = correction.reason or _("No reason was given.")
        changes = "; ".join(
            _("%(field)s: %(before)s → %(after)s") % change for change in correction.changes
        )
        description = _("Changed: %(fields)s. Why: %(reason)s") % {
            "fields": changes or ", ".join(str(name) for name in correction.changed_fields),
            "reason": reason,
        }
        # Atom's summary is HTML: the words of records and reasons are text.
        return escape(description)

    def item_link(self, correction):
        if correction.record is None:
            return reverse("cases:corrections")
        return presentation.corrections_url(correction.record)

    def get_feed(self, obj, request):
        self._site_root = request.build_absolute_uri("/")
        return super().get_feed(obj, request)

    def item_guid(self, correction):
        # Several corrections share a link (the record's log), so each entry's
        # id adds the moment of the change to it.
        moment = correction.corrected_at.strftime("%Y%m%dT%H%M%S%f")
        return f"{self._site_root.rstrip('/')}{self.item_link(correction)}#at-{moment}"

    item_guid_is_permalink = False

    def item_pubdate(self, correction):
        return correction.corrected_at

    # Atom requires an <updated> on every entry.
    item_updateddate = item_pubdate
