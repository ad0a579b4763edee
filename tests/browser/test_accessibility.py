"""axe-core audits every kind of public page as a reader's browser renders it, and the company's
private response page; then a representative page of each kind in every other interface language."""

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page

from .pages import STATUS, every_language_pages, public_pages, response_pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (or `make browser-deps`) in the project root.")
    return AXE.read_text(encoding="utf-8")


def audit(page: Page, axe_source: str) -> list[dict]:
    audit_start(page, axe_source)
    return audit_result(page)


def audit_start(page: Page, axe_source: str) -> None:
    """Start axe on the page without waiting for it; `audit_result` collects what it finds."""
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
    page.evaluate("() => { window.axeAudit = axe.run(document, {resultTypes: ['violations']}); }")


def audit_result(page: Page) -> list[dict]:
    """The serious and critical violations of the audit `audit_start` began on the page."""
    results = page.evaluate("async () => await window.axeAudit")
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


def audit_each(context: BrowserContext, base_url: str, paths: dict[str, str], axe_source: str) -> dict:
    """Each page's violations, by name and path; each page must answer as `STATUS` says (200 by
    default) and have a title.

    Two tabs take turns, so that one loads its next page (the server renders it) while axe runs
    in the other: on two cores that saves about a third of the time.
    """
    tabs = [context.new_page(), context.new_page()]
    found, running = {}, None
    for number, (name, path) in enumerate(paths.items()):
        tab = tabs[number % 2]
        response = tab.goto(base_url + path)
        assert response.status == STATUS.get(name, 200), (name, path, response.status)
        assert tab.title(), f"{name} page has no title"
        audit_start(tab, axe_source)
        if running is not None:
            found[running[0]] = audit_result(running[1])
        running = (f"{name} {path}", tab)
    if running is not None:
        found[running[0]] = audit_result(running[1])
    return {where: violations for where, violations in found.items() if violations}


def report(found: dict) -> str:
    return "\n".join(f"{where}: {v}" for where, vs in found.items() for v in vs)


def test_public_pages_in_every_language_have_no_serious_or_critical_violations(
    demo, live_server, context: BrowserContext, axe_source
):
    # One test, so that the demo data set is loaded once for all the languages.
    responses = response_pages(demo)
    paths = {**responses, **public_pages(demo), **every_language_pages(demo, responses["response form"])}
    found = audit_each(context, live_server.url, paths, axe_source)
    assert found == {}, report(found)
