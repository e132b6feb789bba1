"""Statements get a full-text index now that search() builds their search
vector from the statement's own fields (text, medium, date_stated) and matches
the speaker's name through the actors' own indexes. PostgreSQL only, as in
0004; nothing on SQLite."""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

STATEMENT_SEARCH_FIELDS = ("text", "medium", "date_stated")


class StatementSearchIndex(migrations.operations.base.Operation):
    reversible = True
    reduces_to_sql = True

    index = GinIndex(
        SearchVector(*STATEMENT_SEARCH_FIELDS, config="english"), name="statement_search_fts"
    )

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            # As in 0004: building it may take longer than the web statement timeout.
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            schema_editor.add_index(to_state.apps.get_model(app_label, "statement"), self.index)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.remove_index(
                from_state.apps.get_model(app_label, "statement"), self.index
            )

    def describe(self):
        return "Create the statements' full-text index (PostgreSQL only)"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_postgres_performance_indexes"),
    ]

    operations = [StatementSearchIndex()]
