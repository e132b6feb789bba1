"""The bench's load tools (bench/load.py) against a live server: a bench
whose admin cannot save measures nothing, so its saver is checked here as an
editor's browser would use the admin."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings

from bench import load
from cases.models import Facility
from cases.roles import give_role
from tests.factories import make_facility


@pytest.fixture
def loopback(live_server, client, django_user_model):
    admin = django_user_model.objects.create_superuser("bench-admin")
    client.force_login(admin)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    address = urlsplit(live_server.url)
    return load.Loopback(
        address.hostname, address.port, cookie=f"{settings.SESSION_COOKIE_NAME}={session}"
    )


def test_the_bench_admin_saves_corrections_that_reach_the_history(transactional_db, loopback):
    target = make_facility(
        name="Fictional bench target",
        description="As first written.",
        # What ensure_correction_target() gives the bench's own target.
        inferences={"description": "Fictional: written by make bench, which corrects it."},
    )
    corrector = load.AdminCorrector(
        loopback=loopback,
        change_url=f"/admin/cases/facility/{target.pk}/change/",
        form_id="facility_form",
        field_name="description",
        run_label="test run",
    )
    corrector.save_once(1)
    corrector.save_once(2)
    assert corrector.failures == []
    assert corrector.saved == ["test run correction 1", "test run correction 2"]
    target = Facility.objects.get(pk=target.pk)
    assert target.description == "As first written. [bench test run #2]"
    reasons = set(target.history.values_list("history_change_reason", flat=True))
    assert set(corrector.saved) <= reasons
    kinds = target.history.filter(history_change_reason__in=corrector.saved)
    assert set(kinds.values_list("history_change_kind", flat=True)) == {"correction"}


def test_the_bench_logs_an_administrator_in_through_the_admin_login_form(
    transactional_db, live_server, django_user_model
):
    administrator = django_user_model.objects.create_user(
        "bench-login", password="Fictional-pass-28"
    )
    give_role(administrator, "admin")
    address = urlsplit(live_server.url)
    login = load.AdminLogin(
        loopback=load.Loopback(address.hostname, address.port),
        username="bench-login",
        password="Fictional-pass-28",
    )
    session = login.login_once()
    assert login.failures == []
    assert session and session.startswith(f"{settings.SESSION_COOKIE_NAME}=")
    # The session it got is an administrator's: the admin's pages open with it.
    status = login.loopback.request("GET", "/admin/cases/facility/", cookie=session)[0]
    assert status == 200


def test_the_bench_counts_a_refused_login_as_a_failure(transactional_db, live_server):
    address = urlsplit(live_server.url)
    login = load.AdminLogin(
        loopback=load.Loopback(address.hostname, address.port),
        username="nobody",
        password="wrong",
    )
    assert login.login_once() is None
    assert login.failures == ["POST /admin/login/ 200"]
