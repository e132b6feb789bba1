"""The newsroom's roles, each a Group made by migration 0003_roles, with
permissions derived from what admin shows (grant_role_permissions, after
every migrate), so a model added later is never left out.

- Journalists read the dashboard; they see drafts only when the setting
  JOURNALISTS_SEE_DRAFTS is on (see PublishableQuerySet.visible_to).
- Editors also see drafts and export PDF briefs.
- Admins also add and change records in admin, with their history; they
  must be staff to reach admin, which `manage.py assign_role` sees to.

Superusers hold every permission whatever their groups.
"""

from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

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


class RoleError(Exception):
    """A role that cannot be given; the message says what to do."""


def give_role(user, role):
    """Put `user` in the group of `role` (a key of ROLES) and in no other
    role's group; staff exactly when the role needs admin (or a superuser).
    Returns the names of the role groups they were in before."""
    role = role.strip().lower()
    if role not in ROLES:
        raise RoleError(f"Unknown role {role!r}. Choose one of: {', '.join(ROLES)}.")
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLES.values())}
    if missing := set(ROLES.values()) - set(groups):
        raise RoleError(
            f"The role groups {', '.join(sorted(missing))} do not exist. "
            "Run `manage.py migrate`, which creates them."
        )
    group_name = ROLES[role]
    previous = sorted(user.groups.filter(name__in=ROLES.values()).values_list("name", flat=True))
    user.groups.remove(*[groups[name] for name in previous if name != group_name])
    user.groups.add(groups[group_name])
    staff = group_name in STAFF_ROLES or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return previous


def shown_models(admin_site=admin.site, app_label="cases"):
    """(records, parts): the app's models admin shows as pages of their own,
    and those it shows as rows inside another's page (inlines)."""
    records, parts = set(), set()
    for model, model_admin in admin_site._registry.items():
        if model._meta.app_label != app_label:
            continue
        records.add(model)
        parts.update(inline.model for inline in model_admin.inlines)
    return records, parts


def role_codenames(admin_site=admin.site):
    """{group name: {(app label, codename)}}: each role's permissions, read
    from what admin shows. Journalists view every model; editors also see
    drafts and export briefs; admins also add and change every model and
    its history, and delete rows that are parts of a record (a wrong
    citation, a party, a figure). Deleting a whole record stays with
    superusers: a record that should not be seen is set back to draft."""
    records, parts = shown_models(admin_site)
    shown = records | parts
    histories = [model.history.model for model in shown if hasattr(model, "history")]

    def codes(action, models):
        return {(model._meta.app_label, f"{action}_{model._meta.model_name}") for model in models}

    journalists = codes("view", shown)
    editors = journalists | {
        tuple(VIEW_DRAFT_RECORDS.split(".")),
        tuple(EXPORT_PDF_BRIEFS.split(".")),
    }
    admins = (
        editors
        | codes("add", shown)
        | codes("change", shown)
        | codes("delete", parts)
        # The edit history, and reverting from it (used if
        # SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is ever turned on).
        | codes("view", histories)
        | codes("change", histories)
    )
    return {JOURNALISTS: journalists, EDITORS: editors, ADMINS: admins}


def grant_role_permissions(using="default", **kwargs):
    """After every migrate: each role group holds exactly its derived
    permissions. A role is declared here, not edited by hand in admin (a
    change there is undone at the next migrate); groups that are not roles
    are left alone. Connected in CasesConfig.ready() after auth's own
    post-migrate step, which creates the permissions."""
    # A migrate that stops short of the app's models (tests of old migrations).
    if not ContentType.objects.using(using).filter(app_label="cases").exists():
        return
    for group_name, codenames in role_codenames().items():
        wanted = Q()
        for app_label, codename in codenames:
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        permissions = list(
            Permission.objects.using(using).filter(wanted).select_related("content_type")
        )
        found = {(p.content_type.app_label, p.codename) for p in permissions}
        if missing := codenames - found:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group, _ = Group.objects.using(using).get_or_create(name=group_name)
        group.permissions.set(permissions)
