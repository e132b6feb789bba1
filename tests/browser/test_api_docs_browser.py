"""The API's documentation page in real Chromium: Swagger UI loads from this
site under the site's CSP (no CDN, no inline script), lists every kind's
endpoints, and its "Try it out" reads a real page of rows."""

from playwright.sync_api import expect


def test_the_api_docs_page_renders_under_the_csp_and_tries_a_request(page, live_server):
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    outside = []
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith((live_server.url, "data:"))
            else None
        ),
    )
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("case tracker API")
    expect(page.locator("#operations-statements-list_statement")).to_be_visible()
    page.locator("#operations-statements-list_statement .opblock-summary").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".responses-wrapper .live-responses-table")).to_contain_text('"rows"')
    assert not refused, refused
    assert not outside, outside
