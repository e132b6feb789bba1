from django.urls import reverse

from tracker.site_mode import site_is_closed

# The header's navigation: every table, the timeline and the corrections log.
NAVIGATION = [
    ("Agreements", "cases:agreement_list"),
    ("Transfers", "cases:transfer_list"),
    ("Detainee groups", "cases:detaineegroup_list"),
    ("Actors", "cases:actor_list"),
    ("Facilities", "cases:facility_list"),
    ("Events", "cases:event_list"),
    ("Statements", "cases:statement_list"),
    ("Sources", "cases:source_list"),
    ("Timeline", "cases:timeline"),
    ("Corrections", "cases:corrections"),
]


def navigation(request):
    return {
        "nav_items": [{"label": label, "url": reverse(name)} for label, name in NAVIGATION],
        # The login and logout pages word themselves for an open or a closed site.
        "site_is_closed": site_is_closed(),
    }
