"""Build the data package of the current data version now, rather than on
the first request for it after an edit (cases/datapackage.py).

    manage.py build_datapackage --base-url https://tracker.example.org

Records' addresses in the package are absolute, on the site named by
--base-url. Building a version already built changes nothing.
"""

from django.core.management.base import BaseCommand, CommandError

from cases import data_version, datapackage


class Command(BaseCommand):
    help = "Build the data package (CSV, descriptor and zip) of the current data version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="The site's address, for the records' links (default: http://127.0.0.1:8000).",
        )

    def handle(self, *args, base_url, **options):
        if not base_url.startswith(("http://", "https://")):
            raise CommandError(f"--base-url must start with http:// or https://; got {base_url!r}")
        versions = data_version.read()
        if versions is None:
            raise CommandError("There is no data version yet: run `manage.py migrate` first.")
        version = datapackage.package_version(versions)
        folder = datapackage.build(version, datapackage.SiteAddress(base_url))
        self.stdout.write(f"Data package {folder.name} in {folder}")
