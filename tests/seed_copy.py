"""The seed, loaded for real once per test process, then copied in.

`load_seed` validates every record as admin would (full_clean, every shown
value supported) and saves each one, about a thousand queries: 0.5 s to 2 s a
test on a 2-core machine, and about 400 tests ask for the seed. So the first
test in a process that wants the seed runs the command itself, inside a
transaction that is then rolled back, and keeps the rows it wrote; every test
after that gets those same rows inserted with one bulk insert per table (the
data-version triggers fire as for any write).

The copy is only used where it is exactly what the command would leave:
into tables of the app that are still empty. A test that made records of its
own before asking for the seed (which the command would have to match by
natural key) gets the command itself, as does a process where the command
wrote anywhere outside the app. tests/test_seed.py checks the copy against
the command."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from cases.data_version import VERSION_TABLE

# None: not taken yet; False: cannot be used in this process; else {model: rows}.
_copy = None


def app_models():
    """The app's tables the seed may write to: records, links, citations and
    their history (the data version is kept by the triggers)."""
    return [
        model
        for model in apps.get_app_config("cases").get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table != VERSION_TABLE
    ]


def other_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.app_label != "cases"
        and model._meta.db_table in connection.introspection.table_names()
    ]


def empty(models):
    return not any(model._base_manager.exists() for model in models)


def rows(model):
    fields = [field.attname for field in model._meta.concrete_fields]
    return list(model._base_manager.order_by("pk").values(*fields))


def take_copy():
    """Run the command in a transaction that is rolled back, and keep what it wrote."""
    others = other_models()
    counts_before = {model: model._base_manager.count() for model in others}
    with transaction.atomic():
        call_command("load_seed", verbosity=0)
        copy = {model: rows(model) for model in app_models()}
        outside = [m for m in others if m._base_manager.count() != counts_before[m]]
        transaction.set_rollback(True)
    return False if outside else {model: found for model, found in copy.items() if found}


def restore(copy):
    with transaction.atomic():
        for model, found in copy.items():
            objects = model._base_manager.bulk_create([model(**row) for row in found])
            # bulk_create stamps auto_now fields with the copy's own time:
            # put back the times load_seed wrote (the seed's own).
            stamped = [
                field.attname
                for field in model._meta.concrete_fields
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            ]
            if stamped:
                for obj, row in zip(objects, found, strict=True):
                    for name in stamped:
                        setattr(obj, name, row[name])
                model._base_manager.bulk_update(objects, stamped)
        # PostgreSQL's sequences do not move for rows inserted with their ids.
        statements = connection.ops.sequence_reset_sql(no_style(), list(copy))
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def load_seed():
    """What `call_command("load_seed")` leaves in the database, quickly."""
    global _copy
    models = app_models()
    if not empty(models):
        call_command("load_seed", verbosity=0)
        return
    if _copy is None:
        _copy = take_copy()
    if _copy:
        restore(_copy)
    else:
        call_command("load_seed", verbosity=0)
