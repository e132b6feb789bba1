"""The pages several browser tests walk through: every table, and a seeded
record's page of each kind."""

TABLES = [
    "actor_list",
    "facility_list",
    "agreement_list",
    "transfer_list",
    "detaineegroup_list",
    "event_list",
    "statement_list",
    "source_list",
]
DETAILS = [
    ("transfer_detail", "handover-of-17-to-cecot"),
    ("agreement_detail", "safe-third-country"),
    ("detaineegroup_detail", "hundreds-of-deported-migrants"),
    ("actor_detail", "nayib-bukele"),
    ("facility_detail", "cecot"),
    ("event_detail", "white-house-meeting-april-14"),
    ("statement_detail", "bukele-another-step-against-terrorism"),
    ("source_detail", "article-bukele-white-house-visit"),
]
