"""Production behaviour: deploy checks, security headers, error pages, health,
the database going away, request logs and failed-login limits."""

import json
import logging
import os
import subprocess
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k7#Qz!v2Lr9@wX4pT8$mN1&bF6^hJ3*cD5(eG0)yU-iO+aS=dZ_",
    "ALLOWED_HOSTS": "tracker.example.org",
    "HTTPS": "1",
    "STATIC_MANIFEST": "1",
}


def test_deploy_check_is_clean_with_production_settings():
    # The test process's own switches (set for tests and browser tests) are not
    # production's.
    test_only = {"HTTPS", "STATIC_MANIFEST", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in test_only}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **PRODUCTION_ENV},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# Security headers on every kind of page: tests/test_security_headers.py.


@pytest.mark.django_db
def test_https_brings_hsts_redirects_and_secure_cookies(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.CSRF_COOKIE_SECURE = True

    assert client.get("/").status_code == 301
    response = client.get("/admin/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response.cookies["csrftoken"]["secure"]


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.urls_failing"


@pytest.mark.django_db
def test_server_error_page_holds_no_traceback_or_settings(client, failing_urls):
    client.raise_request_exception = False
    response = client.get("/test-broken/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    for leak in ["Traceback", "hunter2", "RuntimeError", "SECRET_KEY", "INSTALLED_APPS"]:
        assert leak not in page


@pytest.mark.django_db
def test_unknown_page_is_the_sites_own_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "URLconf" not in response.content.decode()


@pytest.mark.django_db
def test_lost_database_gives_a_clear_503_page(client, failing_urls):
    response = client.get("/test-database-gone/")
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "temporarily unavailable" in page
    assert "5432" not in page


@pytest.mark.django_db
def test_health_check_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


@pytest.mark.django_db
def test_health_check_answers_503_when_the_database_does_not(client):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


@pytest.mark.django_db
def test_each_request_is_logged_as_json_with_method_path_status_and_duration(client, capsys):
    client.get("/transfers/?claim_status=alleged")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    request_lines = [line for line in lines if line["logger"] == "tracker.requests"]
    assert request_lines, lines
    entry = request_lines[-1]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/transfers/", 200)
    assert isinstance(entry["duration_ms"], float)


# Failed-login limits: tests/test_login_limits.py.


def test_logging_goes_to_stdout_as_json():
    handler = logging.getLogger().handlers[0]
    assert handler.stream is sys.stdout
    assert type(handler.formatter).__name__ == "JSONFormatter"


@pytest.mark.django_db
def test_the_database_failing_outside_any_view_gives_the_503_page_not_a_500(client):
    # Saving the session happens after the view, where the middleware that
    # answers 503 for a view's errors never sees it.
    client.raise_request_exception = False
    with mock.patch(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response",
        side_effect=OperationalError("connection to server at 127.0.0.1, port 5432 failed"),
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page/", "/transfers/no-such-transfer/", "/"])
def test_during_an_outage_a_logged_in_reader_gets_the_503_page_whatever_the_page(
    client, django_user_model, path
):
    # Issue 28: a 404 for a request with a session cookie was a 500 during an
    # outage (reading the session, for the 404 page's header, failed outside
    # any view).
    client.force_login(django_user_model.objects.create_user(username="reader"))
    client.raise_request_exception = False
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection to server at 127.0.0.1, port 5432 failed"),
    ):
        response = client.get(path)
    assert response.status_code == 503
    assert "temporarily unavailable" in response.content.decode()


@pytest.mark.django_db
def test_during_an_outage_a_stale_session_cookie_gets_the_503_page(client, settings):
    client.cookies[settings.SESSION_COOKIE_NAME] = "a-session-the-database-no-longer-has"
    client.raise_request_exception = False
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.ensure_connection",
        side_effect=OperationalError("connection to server at 127.0.0.1, port 5432 failed"),
    ):
        response = client.get("/no-such-page/")
    assert response.status_code == 503
