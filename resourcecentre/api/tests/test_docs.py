"""The API documentation works in a real browser, offline, under the site's Content-Security-Policy."""

import json
import subprocess
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page

from tests.browser.test_accessibility import audit
from tests.browser.test_html_validity import describe, vnu_command

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def axe_source() -> str:
    from tests.browser.test_accessibility import AXE

    return AXE.read_text(encoding="utf-8")


def test_the_docs_render_every_endpoint_from_our_own_files_without_breaking_the_policy(
    committed_db, live_server, page: Page, axe_source
):
    origin = urlsplit(live_server.url).netloc
    elsewhere, problems = [], []
    page.route(
        "**/*",
        lambda route: (
            route.continue_()
            if urlsplit(route.request.url).netloc == origin
            else (elsewhere.append(route.request.url), route.abort())[-1]
        ),
    )
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(live_server.url + "/api/v1/docs")
    assert response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_text("/api/v1/search", exact=True).first.wait_for()
    for path in (
        "/api/v1/stories",
        "/api/v1/components/{id}",
        "/api/v1/companies",
        "/api/v1/responses/statistics",
    ):
        assert page.get_by_text(path, exact=True).count() >= 1, path
    assert page.get_by_role("heading", name="API documentation").count() >= 1
    assert elsewhere == []
    assert problems == []
    assert audit(page, axe_source) == []


def test_the_docs_page_is_valid_html(db, client, tmp_path):
    command = vnu_command()
    response = client.get("/api/v1/docs", HTTP_HOST="127.0.0.1")
    file = tmp_path / "api-docs.html"
    file.write_bytes(response.content)
    result = subprocess.run([*command, str(file)], capture_output=True, text=True, timeout=120)
    messages = json.loads(result.stderr or "{}").get("messages", [])
    assert [describe(m) for m in messages if m.get("type") == "error"] == []
