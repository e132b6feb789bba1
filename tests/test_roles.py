"""Roles and access: what each kind of reader can see and do in the dashboard,
its exports, the PDF briefs and admin; and the site closed to anonymous readers."""

import json
import os
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.urls import get_resolver, reverse

from cases import roles
from cases.kinds import KINDS
from cases.models import Agreement, ReportedFigure, Transfer
from tests.factories import cite_every_value, make_agreement
from tests.test_admin import change_form_data
from tests.test_settings import import_settings_with

pytestmark = pytest.mark.django_db

PUBLISHED_TITLE = "Published cooperation pact"
DRAFT_TITLE = "Unannounced draft pact"

# Every reader the tests try: no account, each role, and staff given no role.
READERS = ["anonymous", "journalist", "editor", "admin", "staff"]
SEES_DRAFTS = {"editor", "admin"}
EXPORTS_PDF = {"editor", "admin"}


@pytest.fixture
def agreements(db):
    published = make_agreement(slug="published-pact", title=PUBLISHED_TITLE)
    draft = make_agreement(slug="draft-pact", title=DRAFT_TITLE, publication_status="draft")
    return published, draft


@pytest.fixture
def log_in_as(client, django_user_model):
    """log_in_as(reader) -> the test client, logged in as a new user with
    that role (given with `assign_role`, as the README says to), as staff with
    no role, or not logged in at all."""

    def log_in(reader):
        if reader == "anonymous":
            return client
        user = django_user_model.objects.create_user(reader, password="not used")
        if reader == "staff":
            user.is_staff = True
            user.save()
        else:
            call_command("assign_role", reader, reader, stdout=StringIO())
        client.force_login(user)
        return client

    return log_in


@pytest.fixture
def closed_site(settings):
    settings.SITE_MODE = "closed"


def text(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def export_titles(client, export_format):
    response = client.get("/agreements/", {"_export": export_format})
    assert response.status_code == 200
    if export_format == "json":
        return " ".join(json.dumps(row, ensure_ascii=False) for row in json.loads(text(response)))
    return text(response)


# --- Drafts in the dashboard and its exports ---------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_drafts_appear_in_pages_search_and_exports_only_for_roles_that_see_them(
    log_in_as, agreements, reader
):
    client = log_in_as(reader)
    sees_drafts = reader in SEES_DRAFTS

    table = text(client.get("/agreements/"))
    assert PUBLISHED_TITLE in table
    assert (DRAFT_TITLE in table) is sees_drafts
    assert client.get("/agreements/published-pact/").status_code == 200
    assert client.get("/agreements/draft-pact/").status_code == (200 if sees_drafts else 404)
    # Search marks the matched word ("draft <mark>pact</mark>"): read the words.
    found = text(client.get("/search/", {"q": "pact"})).replace("<mark>", "").replace("</mark>", "")
    assert (DRAFT_TITLE in found) is sees_drafts
    for export_format in ("csv", "json"):
        exported = export_titles(client, export_format)
        assert PUBLISHED_TITLE in exported
        assert (DRAFT_TITLE in exported) is sees_drafts


def test_journalists_see_drafts_only_while_the_setting_allows_it(log_in_as, agreements, settings):
    client = log_in_as("journalist")
    settings.JOURNALISTS_SEE_DRAFTS = False
    assert DRAFT_TITLE not in text(client.get("/agreements/"))
    assert client.get("/agreements/draft-pact/").status_code == 404
    assert DRAFT_TITLE not in export_titles(client, "csv")

    settings.JOURNALISTS_SEE_DRAFTS = True
    assert DRAFT_TITLE in text(client.get("/agreements/"))
    assert client.get("/agreements/draft-pact/").status_code == 200
    assert DRAFT_TITLE in export_titles(client, "csv")
    assert DRAFT_TITLE in export_titles(client, "json")
    # Seeing drafts does not make a journalist an exporter of briefs.
    assert client.get("/agreements/draft-pact/brief.pdf").status_code == 403


def test_the_setting_shows_drafts_to_journalists_only(log_in_as, agreements, settings):
    settings.JOURNALISTS_SEE_DRAFTS = True
    for reader in ("anonymous", "staff"):
        client = log_in_as(reader)
        assert DRAFT_TITLE not in text(client.get("/agreements/")), reader


def test_superusers_see_drafts_and_export_briefs(client, django_user_model, agreements):
    client.force_login(django_user_model.objects.create_superuser("chief", password="not used"))
    assert DRAFT_TITLE in text(client.get("/agreements/"))
    assert client.get("/agreements/draft-pact/brief.pdf").status_code == 200


# --- PDF briefs -----------------------------------------------------------------


def pdf_urls():
    return ["/agreements/published-pact/brief.pdf", "/agreements/brief.pdf", "/dossier.pdf"]


@pytest.mark.parametrize("reader", READERS)
def test_pdf_briefs_are_given_only_to_roles_that_may_export_them(log_in_as, agreements, reader):
    client = log_in_as(reader)
    for url in pdf_urls():
        response = client.get(url)
        if reader in EXPORTS_PDF:
            assert response.status_code == 200, url
            assert response["Content-Type"] == "application/pdf"
        else:
            assert response.status_code == 403, url
            # The refusal says what to do (tests/test_reader.py has the details).
            expected = (
                "Log in to download PDF briefs"
                if reader == "anonymous"
                else "Your account cannot download PDF briefs"
            )
            assert expected in text(response)


def test_editors_get_briefs_of_drafts_too(log_in_as, agreements):
    client = log_in_as("editor")
    response = client.get("/agreements/draft-pact/brief.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_every_pdf_route_refuses_a_reader_without_the_export_permission(log_in_as, agreements):
    """Walks every PDF route the site declares, so a new brief that forgets
    the permission fails here."""
    client = log_in_as("journalist")
    _, case_routes = get_resolver().namespace_dict["cases"]
    pdf_route_names = {
        name
        for name in case_routes.reverse_dict
        if isinstance(name, str) and name.endswith(("_brief", "dossier"))
    }
    expected = {"dossier"}
    for kind in KINDS:
        expected |= {f"{kind.name}_brief", f"{kind.name}_table_brief"}
        table_brief = client.get(reverse(f"cases:{kind.name}_table_brief"))
        assert table_brief.status_code == 403, kind.url_prefix
        record_brief = client.get(
            reverse(f"cases:{kind.name}_brief", kwargs={"slug": "published-pact"})
        )
        # Refused before the record is even looked up: 403, not 404.
        assert record_brief.status_code == 403, kind.url_prefix
    assert pdf_route_names == expected
    assert client.get(reverse("cases:dossier")).status_code == 403


@pytest.mark.parametrize("reader", READERS)
def test_pdf_links_show_only_to_roles_that_may_export(log_in_as, agreements, reader):
    client = log_in_as(reader)
    pages = {
        "/": "/dossier.pdf",
        "/agreements/": "/agreements/brief.pdf",
        "/agreements/published-pact/": "/agreements/published-pact/brief.pdf",
    }
    for page, link in pages.items():
        assert (f'href="{link}' in text(client.get(page))) is (reader in EXPORTS_PDF), page


# --- Admin --------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["anonymous", "journalist", "editor"])
def test_readers_who_are_not_staff_never_reach_admin(log_in_as, agreements, reader):
    client = log_in_as(reader)
    published, _ = agreements
    for url in (
        reverse("admin:index"),
        reverse("admin:cases_agreement_changelist"),
        reverse("admin:cases_agreement_change", args=[published.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url


def test_staff_without_change_rights_cannot_change_records(log_in_as, agreements):
    client = log_in_as("staff")
    published, _ = agreements
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "permission to view or edit anything" in text(index)
    change_url = reverse("admin:cases_agreement_change", args=[published.pk])
    assert client.get(change_url).status_code == 403
    response = client.post(change_url, {"title": "Defaced", "change_reason": "Because"})
    assert response.status_code == 403
    assert client.get(reverse("admin:cases_agreement_add")).status_code == 403
    published.refresh_from_db()
    assert published.title == PUBLISHED_TITLE


def test_admins_change_records_in_admin_and_see_their_history(log_in_as, agreements):
    client = log_in_as("admin")
    published, _ = agreements
    cite_every_value(published)  # admin refuses a value no citation supports
    change_url = reverse("admin:cases_agreement_change", args=[published.pk])
    data = change_form_data(client.get(change_url))
    data["title"] = "Cooperation pact, corrected"
    data["change_reason"] = "The source names it differently"
    data["change_kind"] = "correction"
    assert client.post(change_url, data).status_code == 302
    published.refresh_from_db()
    assert published.title == "Cooperation pact, corrected"
    history = client.get(reverse("admin:cases_agreement_history", args=[published.pk]))
    assert history.status_code == 200
    assert "The source names it differently" in text(history)
    assert client.get(reverse("admin:cases_agreement_add")).status_code == 200


def test_admins_cannot_delete_whole_records(log_in_as, agreements):
    client = log_in_as("admin")
    published, _ = agreements
    delete_url = reverse("admin:cases_agreement_delete", args=[published.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Agreement.objects.filter(pk=published.pk).exists()


# --- A closed site ------------------------------------------------------------

CLOSED_SITE_URLS = [
    "/",
    "/agreements/",
    "/agreements/?_export=csv",
    "/agreements/?_export=json",
    "/agreements/published-pact/",
    "/search/?q=pact",
    "/timeline/",
    "/corrections/",
    "/agreements/published-pact/brief.pdf",
    "/agreements/brief.pdf",
    "/dossier.pdf",
]


@pytest.mark.parametrize("url", CLOSED_SITE_URLS)
def test_closed_site_sends_anonymous_readers_to_the_login_page(
    client, closed_site, agreements, url
):
    response = client.get(url, follow=True)
    assert response.redirect_chain, url
    first_redirect = response.redirect_chain[0][0]
    assert first_redirect.startswith(f"{reverse('login')}?next=")
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == reverse("login")
    page = text(response)
    assert "<h1" in page and "Log in" in page
    assert PUBLISHED_TITLE not in page


def test_closed_site_still_serves_the_login_page_health_check_and_static_files(
    client, closed_site, db
):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/tracker.css").status_code == 200


def test_closed_site_returns_a_reader_to_the_page_asked_for_after_logging_in(
    client, closed_site, django_user_model, agreements
):
    django_user_model.objects.create_user("reporter", password="a long passphrase here")
    login = client.get("/agreements/?status=proposed", follow=True)
    next_url = login.context["next"]
    assert next_url == "/agreements/?status=proposed"
    response = client.post(
        reverse("login"),
        {"username": "reporter", "password": "a long passphrase here", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == next_url
    assert PUBLISHED_TITLE in text(client.get(next_url))


def test_closed_site_gives_logged_in_readers_what_their_role_allows(
    log_in_as, closed_site, agreements
):
    client = log_in_as("journalist")
    assert client.get("/agreements/").status_code == 200
    assert PUBLISHED_TITLE in export_titles(client, "csv")
    assert client.get("/agreements/brief.pdf").status_code == 403


def test_open_site_refuses_briefs_to_anonymous_readers_rather_than_asking_them_to_log_in(
    client, agreements
):
    assert client.get("/agreements/").status_code == 200
    assert client.get("/dossier.pdf").status_code == 403


def test_closed_site_answers_503_not_500_when_the_database_is_away(
    client, closed_site, monkeypatch, db
):
    def database_away(request):
        raise OperationalError("connection refused")

    # Finding out who is asking reads the session from the database.
    monkeypatch.setattr("django.contrib.auth.get_user", database_away)
    response = client.get("/agreements/")
    assert response.status_code == 503
    assert response["Retry-After"]


def test_an_unknown_site_mode_is_refused_with_a_clear_message():
    result = import_settings_with({"DEBUG": "1", "SITE_MODE": "ajar"})
    assert result.returncode != 0
    assert "SITE_MODE must be 'open'" in result.stderr
    assert import_settings_with({"DEBUG": "1", "SITE_MODE": "closed"}).returncode == 0


# --- Logging in and out ---------------------------------------------------------


def test_login_page_is_in_the_dashboards_look_and_logs_a_reader_in(client, django_user_model):
    django_user_model.objects.create_user("reporter", password="a long passphrase here")
    page = text(client.get(reverse("login")))
    assert 'class="site-header"' in page
    assert 'for="id_username"' in page and 'for="id_password"' in page
    response = client.post(
        reverse("login"), {"username": "reporter", "password": "a long passphrase here"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:home")
    assert "Log out (reporter)" in text(client.get("/"))


def test_wrong_password_shows_the_login_page_again_with_a_message(client, django_user_model):
    django_user_model.objects.create_user("reporter", password="a long passphrase here")
    response = client.post(reverse("login"), {"username": "reporter", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in text(response)


def test_header_offers_log_in_to_anonymous_readers(client, db):
    page = text(client.get("/"))
    assert f'href="{reverse("login")}?next=/"' in page
    assert "Log out" not in page


def test_logging_out_takes_a_post_and_shows_a_page_in_the_dashboards_look(log_in_as, agreements):
    client = log_in_as("editor")
    page = text(client.get("/"))
    assert f'action="{reverse("logout")}" method="post"' in page
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 200
    assert "You are logged out" in text(response)
    assert 'class="site-header"' in text(response)
    assert DRAFT_TITLE not in text(client.get("/agreements/"))


# --- Assigning roles ------------------------------------------------------------


def assign_role(*args):
    out = StringIO()
    call_command("assign_role", *args, stdout=out)
    return out.getvalue()


def role_groups(user):
    return set(user.groups.values_list("name", flat=True))


def test_migrations_create_the_three_roles_with_their_permissions():
    def codenames(group_name):
        return set(
            Group.objects.get(name=group_name).permissions.values_list("codename", flat=True)
        )

    journalists, editors, admins = (
        codenames(name) for name in ("Journalists", "Editors", "Admins")
    )
    assert "view_agreement" in journalists
    assert "view_draft_records" not in journalists and "export_pdf_briefs" not in journalists
    assert journalists < editors
    assert editors - journalists == {"view_draft_records", "export_pdf_briefs"}
    assert editors < admins
    assert {"add_agreement", "change_agreement", "view_historicalagreement"} <= admins
    assert "delete_agreement" not in admins
    assert "delete_citation" in admins


def test_assign_role_gives_one_role_at_a_time_and_staff_only_to_admins(django_user_model):
    user = django_user_model.objects.create_user("maria")
    assert "maria is now in Admins" in assign_role("maria", "admin")
    user.refresh_from_db()
    assert role_groups(user) == {roles.ADMINS}
    assert user.is_staff

    output = assign_role("maria", "Journalist")
    assert "maria is now in Journalists (was: Admins)" in output
    user.refresh_from_db()
    assert role_groups(user) == {roles.JOURNALISTS}
    assert not user.is_staff


def test_assign_role_keeps_groups_that_are_not_roles(django_user_model):
    user = django_user_model.objects.create_user("maria")
    desk = Group.objects.create(name="Night desk")
    user.groups.add(desk)
    assign_role("maria", "editor")
    assert role_groups(user) == {"Night desk", roles.EDITORS}


def test_assign_role_refuses_an_unknown_user_and_creates_no_one(django_user_model):
    with pytest.raises(CommandError, match="No user 'nobody'. Create the account first"):
        assign_role("nobody", "editor")
    assert not django_user_model.objects.filter(username="nobody").exists()


def test_assign_role_refuses_an_unknown_role(django_user_model):
    django_user_model.objects.create_user("maria")
    with pytest.raises(CommandError, match="Unknown role 'boss'. Choose one of: journalist"):
        assign_role("maria", "boss")


def test_assign_role_refuses_when_the_role_groups_are_missing(django_user_model):
    django_user_model.objects.create_user("maria")
    Group.objects.filter(name=roles.EDITORS).delete()
    with pytest.raises(CommandError, match="Run `manage.py migrate`"):
        assign_role("maria", "editor")
    assert not Group.objects.filter(name=roles.EDITORS).exists()


def test_each_role_covers_every_model_admin_shows():
    # Derived from admin, so a model added later is covered: the Admins role
    # could not see or add reported figures while a fixed list granted roles.
    from django.contrib import admin

    def codenames(group_name):
        return set(
            Group.objects.get(name=group_name).permissions.values_list("codename", flat=True)
        )

    journalists, admins = codenames(roles.JOURNALISTS), codenames(roles.ADMINS)
    shown = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label == "cases":
            shown |= {model, *(inline.model for inline in model_admin.inlines)}
    assert ReportedFigure in shown
    for model in shown:
        name = model._meta.model_name
        assert f"view_{name}" in journalists, name
        assert {f"view_{name}", f"add_{name}", f"change_{name}"} <= admins, name


def test_an_admin_sees_the_figures_the_sources_give_on_the_transfer_form(
    client, django_user_model, seed
):
    user = django_user_model.objects.create_user("lee", password="a long passphrase for lee")
    assign_role("lee", "admin")
    client.force_login(user)
    transfer = Transfer.objects.first()

    page = client.get(f"/admin/cases/transfer/{transfer.pk}/change/").content.decode()

    assert "Figures the sources give" in page


def create_account(*args, password="a long passphrase for the desk"):
    out = StringIO()
    with mock.patch.dict(os.environ, {"ACCOUNT_PASSWORD": password}):
        call_command("create_account", *args, stdout=out)
    return out.getvalue()


def test_create_account_makes_an_ordinary_account_with_its_role(django_user_model):
    assert "Created maria, in Journalists." in create_account("maria", "--role", "journalist")
    maria = django_user_model.objects.get(username="maria")
    assert not maria.is_superuser and not maria.is_staff
    assert role_groups(maria) == {roles.JOURNALISTS}
    assert maria.check_password("a long passphrase for the desk")
    assert not maria.has_perm(roles.VIEW_DRAFT_RECORDS)

    create_account("lee", "--role", "Admin")
    lee = django_user_model.objects.get(username="lee")
    assert lee.is_staff and not lee.is_superuser
    assert lee.has_perm("cases.change_agreement") and not lee.has_perm("cases.delete_agreement")


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (("maria", "--role", "boss"), "a long passphrase for the desk", "Unknown role 'boss'"),
        (("maria", "--role", "editor"), "123", "The password was refused"),
    ],
)
def test_create_account_refuses_and_creates_no_one(django_user_model, args, password, message):
    with pytest.raises(CommandError, match=message):
        create_account(*args, password=password)
    assert not django_user_model.objects.filter(username="maria").exists()


def test_create_account_refuses_an_existing_username(django_user_model):
    django_user_model.objects.create_user("maria")
    with pytest.raises(CommandError, match="already has an account. To change their role"):
        create_account("maria", "--role", "editor")
