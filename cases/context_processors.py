from functools import lru_cache

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
        "nav_items": _nav_items(get_script_prefix(), get_urlconf()),
        # The login and logout pages word themselves for an open or a closed site.
        "site_is_closed": site_is_closed(),
    }


@lru_cache(maxsize=8)
def _nav_items(script_prefix, urlconf):
    """The header's links, reversed once per address the site is served at
    (ten reverse() calls were 2% of a record page's time, issue 25); the
    labels stay lazy, so each page words them in its reader's language."""
    tables = [(kind.title, f"cases:{kind.name}_list") for kind in KINDS]
    return tuple(
        {"label": label, "url": reverse(name, urlconf=urlconf)}
        for label, name in [*tables, *OTHER_PAGES]
    )
