"""The company response mechanism in real browsers: an editor asks in the Wagtail admin, the company
answers behind the private link it was e-mailed, the editor publishes, and readers see it."""

import datetime
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Story
from resourcecentre.responses import links, services
from resourcecentre.responses.models import Invitation, Status
from tests.factories import CompanyFactory, StoryFactory

pytestmark = pytest.mark.browser

EDITOR_PASSWORD = "pw-editor-1"
HEADLINE = "Global: Workers allege unpaid overtime at Kestrel Mining suppliers"
ALLEGATION = "Workers at two supplier mines say overtime went unpaid for six months."
CONTACT = "press@kestrel.example"
DRAFT = "Kestrel Mining takes these concerns seriously."
ANSWER = DRAFT + " An independent auditor is reviewing the payroll of both mines."
TWO_PARAGRAPHS = DRAFT + "\n\nAn independent auditor is reviewing the payroll."
# The company's private link, as the e-mails write it.
LINK = re.compile(r"http\S+/respond/[^/\s]+/")
MAX_TABS = 40


@dataclass
class Newsroom:
    editor: AbstractUser
    story: Story
    kestrel: Company
    heron: Company


@pytest.fixture
def newsroom(committed_db, live_server, settings, rebuild_index) -> Newsroom:
    """A story about two companies, and an editor; the e-mailed links point at the live server."""
    settings.SITE_URL = live_server.url
    editor = get_user_model().objects.create_user("editor", "editor@newsroom.example", EDITOR_PASSWORD)
    editor.groups.add(Group.objects.get(name="Editors"))
    kestrel, heron = CompanyFactory(name="Kestrel Mining"), CompanyFactory(name="Heron Textiles")
    story = StoryFactory(headline=HEADLINE)
    story.companies.set([kestrel, heron])
    story.save()
    rebuild_index()
    return Newsroom(editor, story, kestrel, heron)


def log_in(page: Page, live_server, username: str, password: str) -> None:
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/")


def the_link(message) -> str:
    found = LINK.findall(message.get_content())
    assert len(found) == 1, message.get_content()
    return found[0]


def token(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


def test_an_editor_asks_a_company_which_answers_through_its_link_and_readers_see_the_response(
    newsroom, live_server, page: Page, browser: Browser, smtp_server, run_tasks
):
    story, kestrel = newsroom.story, newsroom.kestrel
    log_in(page, live_server, newsroom.editor.username, EDITOR_PASSWORD)

    # The editor opens a request from the admin menu and chooses the story in the snippet chooser.
    page.get_by_role("link", name="Company responses").click()
    expect(page.get_by_role("heading", level=1, name="Response requests")).to_be_visible()
    page.get_by_role("link", name="Request company responses").click()
    page.get_by_role("button", name="Choose story").click()
    page.get_by_role("dialog").get_by_role("link", name=HEADLINE).click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"Story: {HEADLINE}")).to_be_visible()

    in_ten_days = timezone.now() + datetime.timedelta(days=10)
    deadline = in_ten_days.replace(hour=17, minute=0, second=0, microsecond=0)
    page.get_by_label("Allegation").fill(ALLEGATION)
    page.get_by_label("Deadline").fill(f"{deadline:%Y-%m-%d %H:%M}")
    page.get_by_label("Deadline").press("Escape")
    page.get_by_label("Invite Kestrel Mining").check()
    page.get_by_label("Invite Heron Textiles").uncheck()
    page.get_by_label("Contact addresses of Kestrel Mining").fill(CONTACT)
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_text("The invitations are on their way.")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="Kestrel Mining – requested")).to_be_visible()
    invitation = Invitation.objects.get()
    assert (invitation.company, invitation.deadline) == (kestrel, deadline)
    detail_url = page.url

    # The invitation reaches the company's press office, with its private link.
    run_tasks()
    [invited] = smtp_server.messages
    assert invited["To"] == CONTACT
    assert invited["Subject"] == f"Invitation to respond: {HEADLINE}"
    assert invited["Reply-To"] == newsroom.editor.email
    assert ALLEGATION in invited.get_content()
    link = the_link(invited)

    # The company opens it in a browser of its own, without an account, and writes a draft.
    company_context = browser.new_context()
    try:
        company = company_context.new_page()
        company.goto(link)
        expect(company.get_by_role("heading", level=1)).to_have_text(
            "Invitation to Kestrel Mining to respond"
        )
        expect(company.get_by_role("region", name="What you are invited to respond to")).to_contain_text(
            ALLEGATION
        )
        expect(company.get_by_role("region", name="The story")).to_contain_text(HEADLINE)
        company.get_by_role("textbox", name="Your response").fill(DRAFT)
        company.get_by_role("button", name="Save draft").click()
        expect(company.get_by_text("Your draft is saved.")).to_be_visible()

        company.reload()
        expect(company.get_by_text("Your draft is saved.")).to_have_count(0)
        expect(company.get_by_role("textbox", name="Your response")).to_have_value(DRAFT)
        expect(company.get_by_text("Draft last saved")).to_be_visible()
        run_tasks()
        assert smtp_server.messages == [invited], "a draft sends no e-mail"

        company.get_by_role("textbox", name="Your response").fill(ANSWER)
        company.get_by_role("button", name="Submit response").click()
        expect(company.get_by_text("Thank you. We have received your answer")).to_be_visible()
        expect(company.get_by_text("We received your response on")).to_be_visible()
        expect(company.get_by_role("textbox", name="Your response")).to_have_count(0)
    finally:
        company_context.close()

    run_tasks()
    [_, acknowledged] = smtp_server.messages
    assert acknowledged["To"] == CONTACT
    assert acknowledged["Subject"] == f"We have received your response: {HEADLINE}"
    # A link signed anew (it carries the time of signing) that opens the same invitation.
    assert links.invitation_for_token(token(the_link(acknowledged))) == invitation

    # The editor reads the response on the request's page and publishes it on the story.
    page.goto(detail_url)
    kestrel_section = page.locator(f"#invitation-{invitation.pk}")
    expect(kestrel_section.get_by_role("heading", level=2)).to_have_text("Kestrel Mining – responded")
    expect(kestrel_section).to_contain_text(ANSWER)
    kestrel_section.get_by_role("button", name="Publish the response on the story").click()
    expect(page.get_by_text("Done: Kestrel Mining.")).to_be_visible()
    expect(kestrel_section.get_by_role("button", name="Publish the response on the story")).to_have_count(0)
    component = Invitation.objects.get().response_component
    assert component is not None and component.live

    # Readers see it on the story, as one of its components, and on the company's record.
    reader_context = browser.new_context()
    try:
        reader = reader_context.new_page()
        reader.goto(live_server.url + story.get_absolute_url())
        block = reader.get_by_role("region", name="Company responses")
        expect(block).to_contain_text("Kestrel Mining")
        view = block.get_by_role("link", name="View response from Kestrel Mining")
        expect(view).to_have_attribute("href", component.get_absolute_url())
        components = reader.get_by_role("region", name="All components of this story")
        expect(
            components.get_by_role("heading", level=3, name="Response from Kestrel Mining")
        ).to_be_visible()
        expect(components).to_contain_text("An independent auditor is reviewing the payroll")
        view.click()
        expect(reader.get_by_role("heading", level=1)).to_have_text("Response from Kestrel Mining")
        expect(reader.locator("main")).to_contain_text(ANSWER)

        reader.goto(live_server.url + kestrel.get_absolute_url())
        record = reader.get_by_role("region", name="Response record")
        expect(record).to_contain_text("We invited Kestrel Mining to respond 1 time.")
        expect(record).to_contain_text("Response rate: 100 % (1 of 1 closed requests).")
        expect(record.get_by_role("figure", name="Response status by year")).to_be_visible()
        expect(record.get_by_role("link", name="Response from Kestrel Mining")).to_have_attribute(
            "href", component.get_absolute_url()
        )

        reader.goto(live_server.url + reverse("responses:rates"))
        expect(reader.get_by_role("heading", level=1)).to_have_text("Company response rates")
        expect(reader.locator(".rates__lead")).to_contain_text(
            "Companies responded to 100 % of our requests (1 of 1 closed requests)."
        )
        by_company = reader.get_by_role("region", name="By company")
        by_company.get_by_text("Show the numbers as a table").click()
        expect(by_company.get_by_role("row", name="Kestrel Mining")).to_have_text(
            re.compile(r"Kestrel Mining\s*1\s*1\s*0\s*0\s*0\s*100 %")
        )
    finally:
        reader_context.close()


def focus_by_tabbing(page: Page, target: Locator) -> None:
    """Press Tab until `target` has the focus, and check that the reader can see where it is."""
    for _ in range(MAX_TABS):
        if target.evaluate("el => el === document.activeElement"):
            break
        page.keyboard.press("Tab")
    else:
        pytest.fail(f"{MAX_TABS} presses of Tab never reached {target}")
    outline = target.evaluate("el => [getComputedStyle(el).outlineStyle, getComputedStyle(el).outlineWidth]")
    assert outline[0] != "none" and outline[1] != "0px", f"no visible focus on {target}: {outline}"


def test_a_company_writes_and_submits_its_response_with_the_keyboard_only(newsroom, live_server, page: Page):
    request = services.response_request_open(
        story=newsroom.story,
        allegation=ALLEGATION,
        deadline=services.default_deadline(),
        contacts={newsroom.kestrel: [CONTACT]},
    )
    invitation = request.invitations.get()
    link = reverse("responses:respond", kwargs={"token": links.link_token(invitation)})
    page.goto(live_server.url + link)

    focus_by_tabbing(page, page.get_by_role("textbox", name="Your response"))
    page.keyboard.type(TWO_PARAGRAPHS)
    focus_by_tabbing(page, page.get_by_role("button", name="Submit response"))
    page.keyboard.press("Enter")

    expect(page.get_by_text("Thank you. We have received your answer")).to_be_visible()
    expect(page.locator(".respond__sent p")).to_have_count(2)
    response = services.current_response(Invitation.objects.get(pk=invitation.pk))
    assert response.invitation.status == Status.RESPONDED
    # Browsers send a textarea's line breaks as CRLF.
    assert response.body.replace("\r\n", "\n") == TWO_PARAGRAPHS
    assert response.submitted_at is not None
