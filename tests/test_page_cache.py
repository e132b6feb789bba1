"""The page cache for readers: the data version changes on every kind of
write, a cached page is never served across a change, and a reader who sees
drafts never shares pages with one who does not. Run against Redis too
(CACHE_URL, see .ci/run)."""

import os

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import data_version, roles
from cases.models import AgreementParty, Citation, Source, Transfer
from tests.factories import make_actor, make_agreement, make_facility, make_group, make_transfer
from tests.test_admin import _form_fields, change_form_data

pytestmark = pytest.mark.django_db


def token():
    return data_version.read().token


def queries(client, url, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **extra)
    return response, len(captured.captured_queries)


@pytest.fixture
def superuser_client(django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client = Client()
    client.force_login(admin)
    return client


# --- The version changes on every kind of write ---------------------------------


def test_every_table_of_the_app_has_the_version_trigger():
    assert data_version.tables_without_trigger(connection, apps.get_app_config("cases")) == []


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: make_transfer(), id="record created"),
        pytest.param(
            lambda: Transfer.objects.filter(pk=make_transfer().pk).update(title="Changed"),
            id="queryset update (admin actions, bulk)",
        ),
        pytest.param(lambda: make_transfer().delete(), id="record deleted"),
        pytest.param(
            lambda: make_transfer().groups.add(make_group()), id="many-to-many link added"
        ),
        pytest.param(
            lambda: AgreementParty.objects.create(
                agreement=make_agreement(), actor=make_actor(), role="Party"
            ),
            id="link through model",
        ),
        pytest.param(lambda: Source.objects.update(title="Renamed"), id="source"),
        pytest.param(
            lambda: Transfer.objects.bulk_create(
                [Transfer(slug="bulk-1", title="Bulk", count_stated="some")]
            ),
            id="bulk_create",
        ),
    ],
)
def test_data_version_changes_on_every_kind_of_write(write, seed):
    before = token()
    write()
    assert token() != before


def test_a_new_citation_changes_the_version(seed):
    citation = Citation.objects.first()
    before = token()
    Citation.objects.filter(pk=citation.pk).update(note="Checked again")
    assert token() != before


def test_a_history_revert_changes_the_version(seed):
    transfer = Transfer.objects.first()
    transfer.title = "Mistaken title"
    transfer._change_reason = "Mistake"
    transfer.save()
    before = token()
    transfer.history.earliest().instance.save()
    assert token() != before


def test_admin_bulk_action_changes_the_version(superuser_client, seed):
    # Admin's one bulk action on records (bulk delete is withdrawn: it would
    # ask no reason).
    group = make_group()
    before = token()
    chosen = {"action": "change_claim_status", "_selected_action": [group.pk]}
    url = reverse("admin:cases_detaineegroup_changelist")
    # The action's page carries the versions it showed (no lost edit).
    versions = superuser_client.post(url, chosen).context["form"].initial["versions"]
    response = superuser_client.post(
        url,
        {
            **chosen,
            "versions": versions,
            "apply": "yes",
            "claim_status": "disputed",
            "change_kind": "correction",
            "change_reason": "A fictional second source disputes it (test)",
        },
    )
    assert response.status_code == 302
    assert token() != before


def test_a_rolled_back_write_leaves_the_version_alone(seed):
    from django.db import transaction

    before = token()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_transfer()
        raise RuntimeError("abandon")
    assert token() == before


# --- Cached pages ----------------------------------------------------------------


def test_second_anonymous_request_is_served_from_the_cache(client, seed):
    first, first_queries = queries(client, "/transfers/")
    second, second_queries = queries(client, "/transfers/")
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    # Only the data version is read.
    assert second_queries == 1 < first_queries
    assert second["Content-Type"].startswith("text/html")
    assert "public" in second["Cache-Control"]
    assert second["ETag"] == first["ETag"]
    assert "Last-Modified" in second
    assert "Cookie" in second["Vary"]
    # Security headers are added to cached pages too.
    assert second["X-Frame-Options"] == "DENY"
    assert "Content-Security-Policy" in second


def test_a_record_changed_in_admin_shows_on_the_next_request(client, superuser_client, seed):
    transfer = Transfer.objects.published().first()
    client.get(transfer.get_absolute_url())
    assert client.get("/transfers/").status_code == 200
    url = reverse("admin:cases_transfer_change", args=[transfer.pk])
    data = change_form_data(superuser_client.get(url))
    data["title"] = "A title corrected in admin"
    data["change_reason"] = "Correct the title"
    data["change_kind"] = "correction"
    assert superuser_client.post(url, data).status_code == 302

    assert "A title corrected in admin" in client.get(transfer.get_absolute_url()).content.decode()
    assert "A title corrected in admin" in client.get("/transfers/").content.decode()


def test_a_revert_in_admin_shows_on_the_next_request(client, superuser_client, seed):
    transfer = Transfer.objects.published().first()
    original = transfer.title
    transfer.title = "Wrong title"
    transfer._change_reason = "Mistake"
    transfer.save()
    assert "Wrong title" in client.get(transfer.get_absolute_url()).content.decode()
    earliest = transfer.history.earliest()
    revert_url = reverse("admin:cases_transfer_simple_history", args=[transfer.pk, earliest.pk])
    data = _form_fields(superuser_client.get(revert_url).context["adminform"].form)
    data["change_reason"] = "Revert"
    data["change_kind"] = "correction"
    assert superuser_client.post(revert_url, data).status_code == 302
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "Wrong title" not in page
    assert original in page


def test_a_link_added_shows_on_the_next_request(client, db):
    transfer = make_transfer()
    client.get(transfer.get_absolute_url())
    transfer.groups.add(make_group(name="A newly linked group"))
    assert "A newly linked group" in client.get(transfer.get_absolute_url()).content.decode()


def test_drafts_and_anonymous_pages_are_never_shared(client, staff_client, db):
    anonymous = Client()
    make_transfer(title="Published transfer")
    make_transfer(title="Draft transfer", publication_status="draft")
    # Anonymous first, then the editor: the editor sees the draft.
    assert "Draft transfer" not in anonymous.get("/transfers/").content.decode()
    assert "Draft transfer" in staff_client.get("/transfers/").content.decode()
    # And the other way round on another page.
    assert "Draft transfer" in staff_client.get("/transfers/?sort=title").content.decode()
    page = anonymous.get("/transfers/?sort=title")
    assert "Draft transfer" not in page.content.decode()
    assert "Published transfer" in page.content.decode()


def test_journalist_who_sees_drafts_never_gets_the_anonymous_page(client, db, settings):
    settings.JOURNALISTS_SEE_DRAFTS = True
    from django.contrib.auth import get_user_model

    journalist = get_user_model().objects.create_user("reporter")
    journalist.groups.add(Group.objects.get(name=roles.JOURNALISTS))
    make_transfer(title="Draft transfer", publication_status="draft")
    assert "Draft transfer" not in Client().get("/transfers/").content.decode()
    client.force_login(journalist)
    response = client.get("/transfers/")
    assert "Draft transfer" in response.content.decode()
    assert "private" in response["Cache-Control"]
    assert "ETag" not in response


def test_logged_in_pages_are_private_and_not_cached(staff_client, db):
    make_transfer()
    staff_client.get("/transfers/")
    response, count = queries(staff_client, "/transfers/")
    assert count > 1
    assert "private" in response["Cache-Control"]
    assert "Log out" in response.content.decode()


def test_a_cached_page_is_not_given_to_a_reader_who_then_logs_in(client, staff_user, db):
    make_transfer(title="Draft transfer", publication_status="draft")
    assert "Draft transfer" not in client.get("/transfers/").content.decode()
    client.force_login(staff_user)
    assert "Draft transfer" in client.get("/transfers/").content.decode()


def test_unchanged_page_answers_not_modified(client, db):
    make_transfer()
    first = client.get("/transfers/")
    again = client.get("/transfers/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    make_transfer()
    changed = client.get("/transfers/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_login_page_with_its_csrf_token_is_not_cached(db):
    first = Client().get("/accounts/login/")
    second, count = queries(Client(), "/accounts/login/")
    assert "csrftoken" in second.cookies
    assert "public" not in second.get("Cache-Control", "")
    assert first.status_code == second.status_code == 200


def test_exports_and_briefs_are_not_cached(client, brief_client, db):
    make_transfer()
    client.get("/transfers/?_export=csv")
    make_transfer(title="Added after the first export")
    export = client.get("/transfers/?_export=csv")
    assert (
        "Added after the first export"
        in b"".join(getattr(export, "streaming_content", None) or [export.content]).decode()
    )
    assert "public" not in export.get("Cache-Control", "")
    brief_client.get("/transfers/brief.pdf")
    brief, count = queries(brief_client, "/transfers/brief.pdf")
    assert brief["Content-Type"] == "application/pdf"
    assert "public" not in brief.get("Cache-Control", "")


def test_error_pages_are_not_cached(client, db):
    client.get("/transfers/no-such-transfer/")
    response, count = queries(client, "/transfers/no-such-transfer/")
    assert response.status_code == 404
    assert count > 1


def test_closed_site_never_serves_a_cached_page(client, db, settings):
    make_transfer()
    client.get("/transfers/")
    settings.SITE_MODE = "closed"
    response = client.get("/transfers/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_anonymous_miss_reads_the_version_once(client, db):
    make_transfer(destination=make_facility())
    with CaptureQueriesContext(connection) as captured:
        client.get("/transfers/")
    version_reads = [q for q in captured.captured_queries if "cases_tableversion" in q["sql"]]
    assert len(version_reads) == 1


# --- Configuration ---------------------------------------------------------------


def test_cache_url_chooses_redis_and_a_bad_one_is_refused():
    import subprocess
    import sys

    from django.conf import settings

    def backend(cache_url):
        return subprocess.run(
            [
                sys.executable,
                "-c",
                "import tracker.settings as s; print(s.CACHES['default']['BACKEND'])",
            ],
            env={**os.environ, "DEBUG": "1", "CACHE_URL": cache_url},
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
        )

    assert backend("").stdout.strip().endswith("LocMemCache")
    assert backend("redis://127.0.0.1:6379/0").stdout.strip().endswith("RedisCache")
    assert backend("dummy://").stdout.strip().endswith("DummyCache")
    refused = backend("memcache://somewhere")
    assert refused.returncode != 0
    assert "CACHE_URL must be" in refused.stderr


@pytest.mark.skipif(not os.environ.get("CACHE_URL"), reason="CACHE_URL is not set")
def test_the_page_cache_runs_on_the_configured_cache(client, db):
    from django.core.cache import cache

    make_transfer()
    client.get("/transfers/")
    # Something was stored in the configured cache, and it answers.
    cache.set("probe", "here")
    assert cache.get("probe") == "here"
    assert queries(client, "/transfers/")[1] == 1


def test_a_database_error_reading_the_version_gives_the_503_page_not_a_500(client, db, monkeypatch):
    from django.db import OperationalError

    make_transfer()

    def unavailable(using="default"):
        raise OperationalError("the server closed the connection")

    monkeypatch.setattr(data_version, "read", unavailable)
    response = client.get("/transfers/")
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode()
    assert "public" not in response.get("Cache-Control", "")
