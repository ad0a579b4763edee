import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from tests.factories import CompanyFactory


@pytest.fixture
def kestrel(db):
    return CompanyFactory(name="Kestrel Mining")


def body(message, subtype: str = "plain") -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def link_path(message, marker: str) -> str:
    """The path of the first link in the plain-text part that contains `marker`."""
    for url in re.findall(r"https?://\S+", body(message)):
        if marker in url:
            return urlsplit(url).path
    raise AssertionError(f"no {marker} link in:\n{body(message)}")


@pytest.fixture
def follow(client, run_tasks, smtp_server):
    """Ask to follow `query` as `email` through the follow page; returns the confirmation e-mail."""

    def follow(query: str, email: str = "reader@example.org", frequency: str = "daily", language: str = "en"):
        before = len(smtp_server.messages)
        page = client.post(
            f"/en/follow/?{query}", {"email": email, "frequency": frequency, "language": language}
        )
        assert page.status_code == 200, page.content.decode()[:500]
        run_tasks()
        new = smtp_server.messages[before:]
        return new[0] if new else None

    return follow


@pytest.fixture
def confirm(client):
    def confirm(message):
        path = link_path(message, "/alerts/confirm/")
        assert client.post(path).status_code == 200
        return path

    return confirm


def minutes_ago(minutes: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)
