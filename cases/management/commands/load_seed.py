"""Load the article's records from fixtures/seed.json, once.

Loading is idempotent (records are matched by natural key), but reloading
would overwrite any correction an admin has made since, so it needs --force.
Each loaded record gets a history entry, so its history starts at the seed.
"""

from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.db import transaction

from cases.models import Source

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed.json"
SEED_SOURCE_SLUG = "article-bukele-white-house-visit"


class Command(BaseCommand):
    help = "Load the seed records taken from the article (once; --force to reload)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Reload even if the seed is already there, overwriting corrections to seeded records.",
        )

    def handle(self, *args, force=False, verbosity=1, **options):
        if Source.objects.filter(slug=SEED_SOURCE_SLUG).exists() and not force:
            if verbosity:
                self.stdout.write("The seed is already loaded; nothing to do (--force reloads).")
            return
        reason = "Reloaded from the seed" if force else "Loaded from the seed (the article)"
        with transaction.atomic():
            loaded = self.load(SEED_PATH)
            for model, objects in loaded.items():
                history = getattr(model, "history", None)
                if history is not None:
                    history.bulk_history_create(objects, default_change_reason=reason, update=force)
        total = sum(len(objects) for objects in loaded.values())
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {total} seed records from {SEED_PATH.name}.")
            )

    def load(self, path):
        """What loaddata does, keeping hold of the saved objects for their history."""
        loaded = defaultdict(list)
        deferred = []
        with path.open(encoding="utf-8") as stream:
            for deserialized in serializers.deserialize(
                "json", stream, handle_forward_references=True
            ):
                deserialized.save()
                loaded[type(deserialized.object)].append(deserialized.object)
                if deserialized.deferred_fields:
                    deferred.append(deserialized)
        for deserialized in deferred:
            deserialized.save_deferred_fields()
        return loaded
