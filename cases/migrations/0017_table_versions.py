"""One version per table instead of one for all the data (issue 25): a page
is cached under the versions of the tables it reads, so an edit recomputes
only the pages that show what it touched (cases/data_version.py,
cases/response_cache.py).

The triggers are rewritten to bump the written table's own row before the
old single-row table goes, so no write ever fires a trigger that names a
table no longer there.
"""

from django.db import migrations, models

from cases import data_version


def install_triggers(apps, schema_editor):
    data_version.install_triggers(schema_editor.connection, apps.get_app_config("cases"))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_spanish_versions'),
    ]

    operations = [
        migrations.CreateModel(
            name='TableVersion',
            fields=[
                ('table_name', models.CharField(max_length=63, primary_key=True, serialize=False)),
                ('token', models.CharField(max_length=64)),
                ('changed_at', models.DateTimeField()),
            ],
            options={
                'verbose_name': 'table version',
            },
        ),
        migrations.RunPython(install_triggers, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='DataVersion',
        ),
    ]
