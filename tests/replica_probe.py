"""Run by tests/test_replicas.py in a subprocess whose DATABASE_URL is a
throwaway PostgreSQL primary and DATABASE_REPLICA_URLS its streaming replica
(the test suite's own settings have no replica). With the replica's replay
paused, it changes a record on the primary and asks the site, through
Django's test client, what each kind of reader gets; it prints what it saw
as JSON for the test to judge."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402

from cases.models import Facility  # noqa: E402

NEW_NAME = "Renamed while the replica lags (fictional)"


def token(alias):
    """Every table's version on that server, as one string."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT string_agg(table_name || '=' || token, ',' ORDER BY table_name) "
            "FROM cases_tableversion"
        )
        return cursor.fetchone()[0]


def replay(action):
    with connections["replica1"].cursor() as cursor:
        cursor.execute(f"SELECT pg_wal_replay_{action}()")


def wait_for_replica():
    deadline = time.monotonic() + 30
    while token("replica1") != token("default"):
        if time.monotonic() > deadline:
            sys.exit("The replica did not catch up in 30 s.")
        time.sleep(0.1)


def page(client, url, **extra):
    response = client.get(url, **extra)
    return {
        "status": response.status_code,
        "etag": response.get("ETag", ""),
        "renamed": NEW_NAME in response.content.decode(),
        "logged_in": "Log out" in response.content.decode(),
    }


def main():
    facility = Facility.objects.filter(publication_status="published").order_by("pk").first()
    url = facility.get_absolute_url()
    admin = get_user_model().objects.create_superuser("probe-admin", password="probe password 26")
    wait_for_replica()
    seen = {"replica_token_before": token("replica1")}
    replay("pause")
    try:
        # Written straight to the primary: the replica, paused, does not have it.
        Facility.objects.filter(pk=facility.pk).update(name=NEW_NAME)
        seen["primary_token_after"] = token("default")
        seen["replica_token_paused"] = token("replica1")
        seen["anonymous"] = page(Client(), url)
        # Again: served from the page cache this time, under the same version.
        seen["anonymous_again"] = page(Client(), url)
        pinned = Client()
        pinned.cookies["pin_primary"] = "y"
        seen["pinned"] = page(pinned, url)
        # A log-in (a POST) writes the session on the primary and pins the
        # browser; the session is found on the next page although the
        # replica has never seen it.
        login = Client()
        answer = login.post(
            "/accounts/login/", {"username": "probe-admin", "password": "probe password 26"}
        )
        seen["login_status"] = answer.status_code
        seen["login_pins"] = "pin_primary" in answer.cookies
        del login.cookies["pin_primary"]
        seen["logged_in_unpinned"] = page(login, url)
        admin_client = Client()
        admin_client.force_login(admin)
        change = admin_client.get(f"/admin/cases/facility/{facility.pk}/change/")
        seen["admin_change_form_renamed"] = NEW_NAME in change.content.decode()
        # Lockouts are read where they are written: on the primary.
        attacker = Client()
        wrong = {"username": "probe-admin", "password": "wrong"}
        seen["failed_logins"] = [
            attacker.post("/accounts/login/", wrong).status_code for _ in range(6)
        ]
    finally:
        replay("resume")
    wait_for_replica()
    seen["replica_token_resumed"] = token("replica1")
    seen["anonymous_resumed"] = page(Client(), url)
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
