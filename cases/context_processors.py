from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS
from .site_mode import site_is_closed

# After every kind's table, the header links these pages.
OTHER_PAGES = [
    (_("Timeline"), "cases:timeline"),
    (_("Corrections"), "cases:corrections"),
]


def navigation(request):
    return {
        "nav_items": _nav_items(),
        # The login and logout pages word themselves for an open or a closed site.
        "site_is_closed": site_is_closed(),
    }


# {(script prefix, URL conf): the header's links}: reversed once per address
# the site is served at (ten reverse() calls were 2% of a record page's
# time, issue 25). The labels stay lazy, so each page words them in its
# reader's language.
_NAV_ITEMS = {}


def _nav_items():
    key = (get_script_prefix(), get_urlconf(settings.ROOT_URLCONF))
    if key not in _NAV_ITEMS:
        tables = [(kind.title, f"cases:{kind.name}_list") for kind in KINDS]
        _NAV_ITEMS[key] = tuple(
            {"label": label, "url": reverse(name)} for label, name in [*tables, *OTHER_PAGES]
        )
    return _NAV_ITEMS[key]
