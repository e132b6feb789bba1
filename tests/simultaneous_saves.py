"""Post one record's admin change form from many threads at the same instant,
against the database DATABASE_URL names, and print each answer's status as
JSON. Run in a process of its own by tests/test_admin_corrections.py, so an
SQLite file is shared by real connections, as gunicorn's threads share it
(the test suite's own SQLite database is in memory)."""

import json
import os
import sys
import threading

import django
from django.db import connections


def post_at_once(clients, url, data):
    """Each client posts `data` to `url` at the same instant (a barrier
    releases the threads together), as "Desk N" giving role "Title N", each
    with the kind and reason a correction needs; the statuses, sorted."""
    start = threading.Barrier(len(clients))
    statuses = []

    def save(client, number):
        start.wait()
        form = {
            **data,
            "role": f"Title {number}",
            "change_kind": "correction",
            "change_reason": f"Desk {number}",
        }
        try:
            statuses.append(client.post(url, form).status_code)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [
        threading.Thread(target=save, args=(client, number))
        for number, client in enumerate(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(statuses)


def main(posts):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from cases import roles
    from cases.models import Actor
    from tests.test_admin import change_form_data

    setup_test_environment()  # responses carry their context, as in tests
    call_command("migrate", verbosity=0)
    call_command("load_seed", verbosity=0)
    user = get_user_model().objects.create_user("desk", password="not used by the test")
    roles.give_role(user, "admin")
    noem = Actor.objects.get(slug="kristi-noem")
    url = reverse("admin:cases_actor_change", args=[noem.pk])
    clients = []
    for _ in range(posts):
        client = Client()
        client.force_login(user)
        clients.append(client)
    data = change_form_data(clients[0].get(url))
    statuses = post_at_once(clients, url, data)
    saved = noem.history.filter(history_change_reason__startswith="Desk").count()
    print(json.dumps({"statuses": statuses, "saved": saved}))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    main(int(sys.argv[1]))
