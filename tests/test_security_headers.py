"""Every kind of page carries the whole security policy: each
Content-Security-Policy directive, exactly, and the other headers (README,
"Production"). Parsed, not matched by substring, so a loosened or missing
directive fails."""

import pytest

pytestmark = pytest.mark.django_db

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
PAGES = {
    "home": ("/", 200),
    "table": ("/transfers/?destination=cecot&sort=-date", 200),
    "record": ("/agreements/custody-for-payment/", 200),
    "search": ("/search/?q=cecot", 200),
    "login": ("/accounts/login/", 200),
    "admin login": ("/admin/login/", 200),
    "not found": ("/no-such-page/", 404),
    "unknown record": ("/transfers/no-such-transfer/", 404),
}


def parse_policy(header):
    policy = {}
    for directive in filter(None, (part.strip() for part in header.split(";"))):
        name, *sources = directive.split()
        assert name not in policy, f"{name} given twice"
        policy[name] = sources
    return policy


@pytest.mark.parametrize(("url", "status"), PAGES.values(), ids=PAGES.keys())
def test_every_page_kind_carries_every_csp_directive(client, seed, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert "Content-Security-Policy-Report-Only" not in response
    assert parse_policy(response["Content-Security-Policy"]) == EXPECTED_POLICY


@pytest.mark.parametrize(("url", "status"), PAGES.values(), ids=PAGES.keys())
def test_every_page_kind_carries_the_other_security_headers(client, seed, url, status):
    response = client.get(url)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    page = response.content.decode()
    # No inline script for the policy to have to allow.
    assert "<script>" not in page and "onclick=" not in page.lower()
