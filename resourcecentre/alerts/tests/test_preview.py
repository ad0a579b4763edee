import datetime

from django.template.loader import render_to_string

from resourcecentre.alerts.models import WeeklyUpdate, WeeklyUpdateStory
from tests.factories import StoryFactory


def test_the_admin_preview_shows_the_email_of_an_unsaved_issue(db):
    story = StoryFactory(headline="Peru: Ruby mine workers")
    issue = WeeklyUpdate(
        date=datetime.date(2026, 11, 27),
        language="en",
        subject="This week",
        intro="Hello",
        stories=[WeeklyUpdateStory(story=story, note="Read this.", sort_order=0)],
    )
    html = render_to_string(issue.get_preview_template(None, ""), issue.get_preview_context(None, ""))
    assert "Peru: Ruby mine workers" in html and "Read this." in html and "This week" in html
