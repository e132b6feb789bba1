"""The newsroom's roles, each a Group made by migration 0003_roles.

- Journalists read the dashboard; they see drafts only when the setting
  JOURNALISTS_SEE_DRAFTS is on (see PublishableQuerySet.visible_to).
- Editors also see drafts and export PDF briefs.
- Admins also add and change records in admin, with their history; they
  must be staff to reach admin, which `manage.py assign_role` sees to.

Superusers hold every permission whatever their groups.
"""

# Permissions not tied to one kind of record (declared on Source's Meta).
VIEW_DRAFT_RECORDS = "cases.view_draft_records"
EXPORT_PDF_BRIEFS = "cases.export_pdf_briefs"

JOURNALISTS = "Journalists"
EDITORS = "Editors"
ADMINS = "Admins"

# The name `assign_role` takes -> the group, from fewest rights to most.
ROLES = {"journalist": JOURNALISTS, "editor": EDITORS, "admin": ADMINS}
# Roles whose members need admin, and so must be staff.
STAFF_ROLES = {ADMINS}
