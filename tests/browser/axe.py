"""Run axe-core, the accessibility engine, on the page a test has open.

axe-core is vendored from the npm package (tests/browser/vendor/axe-core,
see its README): nothing is fetched at run time, and it is not part of the
site, so it is never served to readers.
"""

from pathlib import Path

AXE_DIR = Path(__file__).parent / "vendor" / "axe-core"
AXE_SOURCE = (AXE_DIR / "axe.min.js").read_text(encoding="utf-8")
# What must be fixed before a page ships; "moderate" and "minor" are reported
# by axe as well but are not failures here (issue 7).
BLOCKING_IMPACTS = ("serious", "critical")
# WCAG 2.1 A and AA rules plus axe's best practices (landmarks, headings).
RUN_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


def axe_violations(page):
    """axe's violations on the page as it is now, each a dict with its rule
    id, impact, help text and the offending nodes."""
    # page.evaluate runs the script through the DevTools protocol, which the
    # page's Content-Security-Policy (no inline script) does not govern; an
    # injected <script> tag (page.add_script_tag) would be blocked by it. So the
    # pages are checked with their real CSP on, no bypass_csp needed.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE)
    results = page.evaluate("options => window.axe.run(document, options)", RUN_OPTIONS)
    return results["violations"]


def blocking_violations(page):
    return [v for v in axe_violations(page) if v["impact"] in BLOCKING_IMPACTS]


def describe(violations):
    """A readable summary for an assertion message."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['impact']}: {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)
