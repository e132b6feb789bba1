from django.urls import reverse

# The header's navigation: every table, plus the timeline.
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
]


def navigation(request):
    return {"nav_items": [{"label": label, "url": reverse(name)} for label, name in NAVIGATION]}
