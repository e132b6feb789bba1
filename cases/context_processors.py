from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS
from .site_mode import site_is_closed

# After every kind's table, the header links these pages.
OTHER_PAGES = [
    (_("Timeline"), "cases:timeline"),
    (_("Corrections"), "cases:corrections"),
]


def navigation(request):
    tables = [(kind.title, f"cases:{kind.name}_list") for kind in KINDS]
    return {
        "nav_items": [
            {"label": label, "url": reverse(name)} for label, name in [*tables, *OTHER_PAGES]
        ],
        # The login and logout pages word themselves for an open or a closed site.
        "site_is_closed": site_is_closed(),
    }
