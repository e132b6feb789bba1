"""Issue 23: the Spanish of the newsroom's inference reasons (inferences_es),
of an inferred date's reason (date_inference_es) and of a source's
description; and, on SQLite, the vocabulary of published records' names that
"did you mean" matches a misspelt word against (cases/search.py), kept by
triggers beside the search index's. Field lists are written out, as in 0011
and 0020."""

from django.db import migrations, models

from cases import search_index

# Each kind's name fields and their Spanish versions, as of 0020.
VOCABULARY_NAMES = {
    "source": (("title",), ()),
    "actor": (("name", "aliases"), ()),
    "facility": (("name", "short_name", "aliases"), ()),
    "agreement": (("title",), ("title_es",)),
    "transfer": (("title",), ("title_es",)),
    "detaineegroup": (("name",), ("name_es",)),
    "event": (("title",), ("title_es",)),
}


class SearchVocabulary(migrations.operations.base.Operation):
    """SQLite only: PostgreSQL suggests through its trigram indexes (0011, 0020)."""

    reversible = True
    reduces_to_sql = True

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        kinds = [(f"cases_{kind}", *fields) for kind, fields in VOCABULARY_NAMES.items()]
        for statement in search_index.sqlite_vocabulary_rebuild_sql(kinds):
            schema_editor.execute(statement)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "sqlite":
            return
        for kind in VOCABULARY_NAMES:
            for statement in search_index.sqlite_vocabulary_drop_sql(f"cases_{kind}"):
                schema_editor.execute(statement)
        schema_editor.execute(f'DROP TABLE IF EXISTS "{search_index.VOCABULARY_TABLE}"')

    def describe(self):
        return "The SQLite vocabulary of published names, for did-you-mean"


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0022_home_page_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="actor",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="agreement",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="detaineegroup",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="facility",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalactor",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalagreement",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicaldetaineegroup",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalevent",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalfacility",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalsource",
            name="description_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="description in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalstatement",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicalstatement",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicaltransfer",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="historicaltransfer",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="source",
            name="description_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="description in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="statement",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="transfer",
            name="date_inference_es",
            field=models.TextField(
                blank=True,
                help_text="Optional: the newsroom's Spanish for this text, shown to readers who read Spanish. Never a translation of a quote.",
                verbose_name="date inference in Spanish",
            ),
        ),
        migrations.AddField(
            model_name="transfer",
            name="inferences_es",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="Optional: the newsroom's Spanish for each reason above, for the same field names, shown to readers who read Spanish.",
                verbose_name="inferences in Spanish",
            ),
        ),
        SearchVocabulary(),
    ]
