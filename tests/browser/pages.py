"""The public pages that the accessibility and HTML checks visit, as paths on the demo data set."""

from urllib.parse import urlencode

from django.urls import reverse

from resourcecentre.news.models import Component, Story
from resourcecentre.taxonomy.models import Country, Issue

NOT_FOUND = "404"
SEED_HEADLINE = (
    "USA: Amazon CEO announces support for facial recognition regulation while own product faces "
    "privacy & discrimination-related concerns"
)


def public_pages(story: Story) -> dict[str, str]:
    """One page of each kind a reader reaches, starting from the seed story."""
    return {
        "home": reverse("home"),
        "story": story.get_absolute_url(),
        "component": Component.objects.get(story_links__story=story, source__name="NPR").get_absolute_url(),
        "company": story.companies.get(name="Amazon").get_absolute_url(),
        "country tag": Country.objects.get(name="United States").get_absolute_url(),
        "issue tag": Issue.objects.get(name="Privacy").get_absolute_url(),
        "latest news": reverse("news:latest_news"),
        "search": reverse("search:search") + "?" + urlencode({"q": "facial recognition"}),
        NOT_FOUND: "/en/stories/no-such-story/",
    }
