from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Case records"

    def ready(self):
        # The registry of kinds tells provenance what each model shows, which
        # every record's clean() checks (cases/provenance.py): load it before
        # any record is saved, from a command or a test as well as a request.
        from . import kinds  # noqa: F401
        from .search_index import check_sqlite_search_index, register_sqlite_functions

        # SQLite's search triggers stem the Spanish versions with a Python
        # function: every connection needs it before it writes a record.
        connection_created.connect(
            register_sqlite_functions, dispatch_uid="register_sqlite_search_functions"
        )

        # A later migration that rebuilds a table on SQLite drops its search
        # triggers; put them back after every migrate (see search_index.py).
        post_migrate.connect(
            check_sqlite_search_index, sender=self, dispatch_uid="check_sqlite_search_index"
        )

        from . import response_cache

        # Every table of the app gets its data-version trigger, including
        # tables added by later migrations, and every kind its link
        # version's (see cases/data_version.py).
        post_migrate.connect(
            response_cache.install_version_triggers,
            sender=self,
            dispatch_uid="install_data_version_triggers",
        )

        from . import roles, sqlite_indexes

        # The role groups' permissions follow what admin shows, models added
        # since migration 0003 included (cases/roles.py).
        post_migrate.connect(
            roles.grant_role_permissions, sender=self, dispatch_uid="grant_role_permissions"
        )

        # Likewise the SQLite sort and facet indexes (cases/sqlite_indexes.py).
        post_migrate.connect(
            sqlite_indexes.restore_after_migrate, sender=self, dispatch_uid="restore_sqlite_indexes"
        )
