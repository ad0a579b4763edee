"""axe-core audits every kind of public page as a reader's browser renders it, and the company's
private response page."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .pages import STATUS, public_pages, response_pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (or `make browser-deps`) in the project root.")
    return AXE.read_text(encoding="utf-8")


def audit(page: Page, axe_source: str) -> list[dict]:
    # `page.add_script_tag(path=...)` inserts an inline <script>, which the site's policy
    # (script-src 'self') blocks: Chromium refuses it and `axe` stays undefined. `page.evaluate`
    # runs the source through the DevTools protocol instead, which a page's CSP does not govern, so
    # axe loads while the policy stays in force and the page is audited exactly as readers get it
    # (unlike the `bypass_csp` context option, which would switch the policy off).
    page.evaluate(axe_source)
    # Audit translations too, as a reader sees them once unfolded: axe skips hidden content.
    page.locator("details:not([open]) > summary").evaluate_all(
        "summaries => summaries.forEach(s => s.click())"
    )
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in results["violations"]
        if v["impact"] in BLOCKING_IMPACTS
    ]


def test_public_pages_have_no_serious_or_critical_violations(demo, live_server, page: Page, axe_source):
    found = {}
    for name, path in {**response_pages(demo), **public_pages(demo)}.items():
        response = page.goto(live_server.url + path)
        assert response.status == STATUS.get(name, 200), (name, path, response.status)
        assert page.title(), f"{name} page has no title"
        if violations := audit(page, axe_source):
            found[f"{name} {path}"] = violations
    assert found == {}, "\n".join(f"{where}: {v}" for where, vs in found.items() for v in vs)
