"""E-mail alerts in a real browser: a reader follows a company from its page, confirms from the
e-mail, receives the digest once a new component is published, and unsubscribes with one click.
The alert pages pass axe-core and the Nu HTML checker."""

import datetime
import json
import re
import subprocess

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from resourcecentre.alerts import links, services
from resourcecentre.alerts.models import Alert, Subscriber
from tests.factories import CompanyFactory, ComponentFactory, StoryFactory

from .test_accessibility import audit, axe_source  # noqa: F401  (the fixture)
from .test_html_validity import VNU_TIMEOUT_SECONDS, describe, vnu_command

pytestmark = pytest.mark.browser

READER = "reader@example.org"
CONFIRM_LINK = re.compile(r"http\S+/alerts/confirm/[^/\s]+/")


@pytest.fixture
def kestrel(committed_db, live_server, settings, rebuild_index):
    settings.SITE_URL = live_server.url
    company = CompanyFactory(name="Kestrel Mining")
    older = ComponentFactory(
        title="Kestrel Mining opens a new mine",
        first_published_at=timezone.now() - datetime.timedelta(hours=1),
    )
    older.companies.set([company])
    older.save()
    rebuild_index()
    return company


def test_a_reader_follows_a_company_confirms_gets_the_digest_and_unsubscribes_in_one_click(
    kestrel,
    live_server,
    page: Page,
    smtp_server,
    run_tasks,
    axe_source,  # noqa: F811
):
    services.digests_compose()  # the scheduler's last run, before the reader arrives

    page.goto(live_server.url + kestrel.get_absolute_url())
    page.get_by_role("link", name="Follow by e-mail").click()
    expect(page.get_by_role("heading", name="Follow by e-mail")).to_be_visible()
    assert audit(page, axe_source) == []
    page.get_by_label("Your e-mail address").fill(READER)
    page.get_by_label("As soon as there is news").check()
    page.get_by_role("button", name="Follow").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    run_tasks()
    [confirmation] = smtp_server.messages
    link = CONFIRM_LINK.findall(confirmation.get_body(preferencelist=("plain",)).get_content())[0]
    page.goto(link)
    assert audit(page, axe_source) == []
    page.get_by_role("button", name="Confirm this alert").click()
    expect(page.get_by_role("heading", name="Your alert is confirmed")).to_be_visible()
    assert Alert.objects.get().confirmed_at is not None

    news = ComponentFactory(title="Kestrel Mining workers strike over pay", first_published_at=timezone.now())
    news.companies.set([kestrel])
    news.save()
    later = timezone.now() + datetime.timedelta(minutes=settings.ALERTS_IMMEDIATE_MINUTES)
    services.digests_compose(now=later)
    assert services.digests_send().sent == 1
    digest = smtp_server.messages[-1]
    html = digest.get_body(preferencelist=("html",)).get_content()
    assert digest["To"] == READER and "Kestrel Mining workers strike over pay" in html
    assert "opens a new mine" not in html  # published before the reader followed

    # The digest's HTML opens in the browser as a mail client shows it; its manage link works.
    page.set_content(html)
    expect(page.get_by_role("link", name="Kestrel Mining workers strike over pay")).to_be_visible()
    page.get_by_role("link", name="Manage your alerts").click()
    expect(page.get_by_role("heading", name="Your alerts")).to_be_visible()
    expect(page.get_by_role("link", name="Kestrel Mining")).to_be_visible()
    assert audit(page, axe_source) == []

    # What a mail client does with the List-Unsubscribe headers (RFC 8058).
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    target = digest["List-Unsubscribe"].strip().strip("<>")
    answer = page.request.post(
        target,
        data="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 200
    assert not Alert.objects.exists()
    page.goto(target)
    expect(page.get_by_role("button", name="Unsubscribe")).to_be_visible()
    assert audit(page, axe_source) == []


def test_the_alert_pages_are_valid_html(db, client, tmp_path, rebuild_index):
    command = vnu_command()
    company = CompanyFactory(name="Kestrel Mining")
    story = StoryFactory(headline="Peru: Ruby mine workers")
    subscriber = Subscriber.objects.create(email=READER, nonce="n", confirmed_at=timezone.now())
    alert = Alert.objects.create(
        subscriber=subscriber, kind="search", query=f"company={company.slug}", label="K"
    )
    Alert.objects.create(
        subscriber=subscriber, kind="story", story=story, label=story.headline, confirmed_at=timezone.now()
    )
    from resourcecentre.alerts.models import WeeklyUpdate, WeeklyUpdateStory

    issue = WeeklyUpdate.objects.create(
        date=datetime.date(2026, 11, 27), subject="This week", intro="Hi", live=True
    )
    WeeklyUpdateStory.objects.create(issue=issue, story=story, sort_order=0)
    pages = {
        "follow": f"/en/follow/?company={company.slug}",
        "follow-unknown": "/en/follow/?company=nope",
        "confirm": f"/en/alerts/confirm/{links.confirm_token(alert)}/",
        "manage": f"/en/alerts/manage/{links.manage_token(subscriber)}/",
        "unsubscribe": f"/en/alerts/unsubscribe/{links.unsubscribe_token(subscriber)}/",
        "bad-link": "/en/alerts/manage/garbage/",
        "archive": "/en/weekly-update/",
        "issue": issue.get_absolute_url(),
    }
    files = []
    for name, path in pages.items():
        response = client.get(path)
        file = tmp_path / f"{name}.html"
        file.write_bytes(response.content)
        files.append(file)
    posted = client.post(f"/en/follow/?company={company.slug}", {"email": "x@example.org", "language": "en"})
    (tmp_path / "follow-sent.html").write_bytes(posted.content)
    files.append(tmp_path / "follow-sent.html")
    result = subprocess.run(
        [*command, *map(str, files)],
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        timeout=VNU_TIMEOUT_SECONDS,
    )
    problems = [
        describe(m)
        for m in json.loads(result.stderr)["messages"]
        if m["type"] in ("error", "non-document-error")
    ]
    assert problems == [], "\n".join(problems)
