"""Hostile markup typed by an editor (every text field of a component, story, company and
banner), by a company (its response) or by a reader (the search box) comes out inert."""

import re

import lxml.html
import pytest
from django.test import Client

from resourcecentre.responses import services
from tests.factories import CompanyFactory, ComponentFactory, SiteMessageFactory, SourceFactory, StoryFactory

from .payloads import XSS_PAYLOADS

pytestmark = pytest.mark.django_db

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "background",
    "poster",
    "xlink:href",
}
FORBIDDEN_ELEMENTS = {"iframe", "object", "embed", "base", "frame", "frameset", "applet"}
SCRIPT_URL = re.compile(r"^(javascript|vbscript|data:text/html)", re.I)


def assert_inert(html: str, where: str) -> None:
    document = lxml.html.document_fromstring(html)
    for element in document.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        assert tag not in FORBIDDEN_ELEMENTS, f"{where}: <{tag}>"
        if tag == "script":
            # Our own scripts come from our origin; JSON-LD is data, escaped so it cannot close.
            assert (
                element.get("src", "").startswith("/static/") or element.get("type") == "application/ld+json"
            ), where
            assert "</script" not in (element.text or "").lower(), where
        if tag == "meta":
            assert element.get("http-equiv", "").lower() != "refresh", where
        if tag == "style":
            raise AssertionError(f"{where}: an inline <style>")
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), f"{where}: <{tag} {name}=…>"
            if name.lower() in URL_ATTRIBUTES:
                cleaned = re.sub(r"[\x00-\x20]", "", value)
                assert not SCRIPT_URL.match(cleaned), f"{where}: {name}={value!r}"


@pytest.fixture
def hostile_site():
    items = []
    for n, payload in enumerate(XSS_PAYLOADS):
        company = CompanyFactory(name=f"{payload[:200]} {n}", summary=payload)
        component = ComponentFactory(
            title=payload,
            author=payload[:255],
            original_title=payload[:500],
            excerpt=f"<p>{payload}</p>{payload}",
            source=SourceFactory(name=f"{payload[:150]} {n}"),
        )
        component.companies.add(company)
        component.save()
        story = StoryFactory(headline=payload, summary=payload, components=[component])
        items.append((company, component, story))
    SiteMessageFactory(title=XSS_PAYLOADS[0], body=XSS_PAYLOADS[6])
    return items


def test_editor_fields_full_of_script_render_inert_on_every_public_page(client, hostile_site, rebuild_index):
    rebuild_index()
    pages = {"/en/", "/en/latest-news/", "/en/companies/"}
    for company, component, story in hostile_site:
        pages |= {company.get_absolute_url(), component.get_absolute_url(), story.get_absolute_url()}
    for url in sorted(pages):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)


def test_feeds_of_hostile_items_are_well_formed_and_carry_escaped_text(client, hostile_site):
    from lxml import etree

    company, component, story = hostile_site[0]
    for url in (
        f"{story.get_absolute_url()}rss/",
        f"{story.get_absolute_url()}atom/",
        "/en/latest-news/rss/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        root = etree.fromstring(response.content)
        assert root.tag in ("rss", "{http://www.w3.org/2005/Atom}feed"), url
        assert b"<script>" not in response.content, url


@pytest.mark.parametrize("payload", XSS_PAYLOADS[:12])
def test_a_search_for_script_is_shown_back_as_text(client, payload, rebuild_index):
    rebuild_index()
    response = client.get("/en/search/", {"q": payload, "company_lookup": ""})
    assert_inert(response.content.decode(), "search")


def test_a_company_response_full_of_script_is_inert_on_its_page_and_when_published(invitation, editor):
    from resourcecentre.responses.links import link_token

    company_client = Client()
    url = f"/en/respond/{link_token(invitation)}/"
    body = "\n".join(XSS_PAYLOADS)
    response = company_client.post(url, {"body": body, "version": 0, "action": "submit"})
    assert response.status_code == 302
    assert_inert(company_client.get(url).content.decode(), "respond page")
    component = services.response_publish(invitation=invitation, user=editor)
    assert_inert(Client().get(component.get_absolute_url()).content.decode(), "published response")
