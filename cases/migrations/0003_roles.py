"""The newsroom's roles as groups with their permissions (see cases/roles.py).

Names are written out here rather than imported, so this migration keeps
doing what it did when it was written, whatever later code says.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import migrations

# Every model of the app as it stands at this migration.
CASE_MODELS = [
    "source",
    "citation",
    "actor",
    "designation",
    "facility",
    "agreement",
    "agreementparty",
    "detaineegroup",
    "transfer",
    "event",
    "statement",
]
# Rows admin edits as parts of a record (inlines): removing a wrong citation
# is a correction of the record. Deleting a whole record stays with
# superusers; a record that should not be seen is set back to draft.
INLINE_MODELS = ["citation", "designation", "agreementparty"]

JOURNALIST_PERMISSIONS = [f"view_{model}" for model in CASE_MODELS]
EDITOR_PERMISSIONS = [*JOURNALIST_PERMISSIONS, "view_draft_records", "export_pdf_briefs"]
ADMIN_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    *[f"add_{model}" for model in CASE_MODELS],
    *[f"change_{model}" for model in CASE_MODELS],
    *[f"delete_{model}" for model in INLINE_MODELS],
    # The edit history, and reverting to an earlier version from it (used if
    # SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS is ever turned on).
    *[f"view_historical{model}" for model in CASE_MODELS],
    *[f"change_historical{model}" for model in CASE_MODELS],
]
ROLES = {
    "Journalists": JOURNALIST_PERMISSIONS,
    "Editors": EDITOR_PERMISSIONS,
    "Admins": ADMIN_PERMISSIONS,
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations have run; the
    # groups need them now, on a fresh database too.
    create_permissions(
        global_apps.get_app_config("cases"),
        apps=apps,
        using=schema_editor.connection.alias,
        verbosity=0,
    )
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for group_name, codenames in ROLES.items():
        permissions = list(
            Permission.objects.using(db).filter(
                content_type__app_label="cases", codename__in=codenames
            )
        )
        missing = set(codenames) - {permission.codename for permission in permissions}
        if missing:
            raise RuntimeError(f"Permissions missing for {group_name}: {sorted(missing)}")
        group, _ = Group.objects.using(db).get_or_create(name=group_name)
        group.permissions.add(*permissions)


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.using(schema_editor.connection.alias).filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cases", "0002_newsroom_permissions"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
