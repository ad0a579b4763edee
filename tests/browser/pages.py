"""The public pages that the accessibility and HTML checks visit, as paths on the demo data set."""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse, translate_url
from django.utils import timezone

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Component, Story
from resourcecentre.opendata.services import dump_write
from resourcecentre.responses import links, services
from resourcecentre.responses.models import Invitation, ResponseRequest
from resourcecentre.taxonomy.models import Country, Issue, Sector

NOT_FOUND = "404"
LINK_ERROR = "expired response link"
# What each page answers when it is not 200.
STATUS = {NOT_FOUND: 404, LINK_ERROR: 410}


def public_pages(story: Story) -> dict[str, str]:
    """One page of each kind a reader reaches, starting from the seed story."""
    return {
        "home": reverse("home"),
        "story": story.get_absolute_url(),
        "component": Component.objects.get(story_links__story=story, source__name="NPR").get_absolute_url(),
        "company": story.companies.get(name="Amazon").get_absolute_url(),
        "company index": reverse("companies:index")
        + "?"
        + urlencode({"letter": "A", "sector": Sector.objects.get(name="Technology").slug}),
        "country tag": Country.objects.get(name="United States").get_absolute_url(),
        "issue tag": Issue.objects.get(name="Privacy").get_absolute_url(),
        "latest news": reverse("news:latest_news"),
        "search": reverse("search:search") + "?" + urlencode({"q": "facial recognition"}),
        "search with a facet": _faceted_search(),
        "follow": reverse("alerts:follow") + "?" + urlencode({"story": story.slug}),
        "open data": _open_data_page(),
        **language_pages(story),
        NOT_FOUND: "/en/stories/no-such-story/",
    }


def language_pages(story: Story) -> dict[str, str]:
    """The story in Japanese and Arabic (right to left), and the pages around it in Arabic."""
    component = Component.objects.get(story_links__story=story, source__name="NPR")  # has a ja translation
    company = story.companies.get(name="Amazon")
    search = reverse("search:search") + "?" + urlencode({"q": "facial recognition"})
    return {
        "story in Japanese": translate_url(story.get_absolute_url(), "ja"),
        "component in Japanese": translate_url(component.get_absolute_url(), "ja"),
        "story in Arabic": translate_url(story.get_absolute_url(), "ar"),
        "home in Arabic": translate_url(reverse("home"), "ar"),
        "company in Arabic": translate_url(company.get_absolute_url(), "ar"),
        "search in Arabic": translate_url(search, "ar"),
    }


def every_language_pages(story: Story, response_form: str) -> dict[str, str]:
    """A representative page of each kind in every interface language but English (which
    `public_pages` covers in full), keyed "<language> <page>".

    `response_form` is the company's private page from `response_pages`. The follow page names
    the English story inside the reader's interface, which is where a missing `lang` would show.
    """
    english = {
        "home": reverse("home"),
        "story": story.get_absolute_url(),
        "company": story.companies.get(name="Amazon").get_absolute_url(),
        "search with a facet": _faceted_search(),
        "latest news": reverse("news:latest_news"),
        "follow": reverse("alerts:follow") + "?" + urlencode({"story": story.slug}),
        "response form": response_form,
    }
    return {
        f"{code} {name}": translate_url(path, code)
        for code, _name in settings.LANGUAGES
        if code != settings.LANGUAGE_CODE
        for name, path in english.items()
    }


def _faceted_search() -> str:
    return (
        reverse("search:search")
        + "?"
        + urlencode({"q": "facial recognition", "issue": Issue.objects.get(name="Privacy").slug})
    )


def _open_data_page() -> str:
    """The open data page with a dump to list (written into the test's own folder)."""
    dump_write()
    return reverse("opendata:data")


def response_pages(story: Story) -> dict[str, str]:
    """Record two years of response requests on the seed story, and return the pages they fill.

    Last year Amazon and Microsoft let the deadline pass. This year Amazon responds and its
    response is published, Microsoft declines, and IBM has saved a draft behind its private
    link. So the story has its "Company responses" block, Amazon's page (the "company" of
    `public_pages`) a two-year chart and a published response, and /responses/ every kind of
    bar; Amazon's link of last year has expired.
    """
    amazon, microsoft, ibm = (story.companies.get(name=name) for name in ("Amazon", "Microsoft", "IBM"))
    last_year = _request(story, [amazon, microsoft])
    opened = timezone.now() - datetime.timedelta(days=365)
    ResponseRequest.objects.filter(pk=last_year.pk).update(opened_at=opened)
    last_year.invitations.update(invited_at=opened, deadline=opened + datetime.timedelta(days=7))
    services.deadlines_close()

    this_year = _request(story, [amazon, microsoft, ibm])
    invitations = {i.company: i for i in this_year.invitations.all()}
    services.response_submit(
        invitation=invitations[amazon],
        body="Amazon supports federal rules on facial recognition.\n\nRead our policy: https://www.amazon.com",
        version=0,
    )
    services.response_publish(invitation=invitations[amazon])
    services.response_submit(invitation=invitations[microsoft], body="", declines=True, version=0)
    services.response_draft_save(
        invitation=invitations[ibm], body="IBM left the facial recognition business in June.", version=0
    )

    return {
        "company response record": microsoft.get_absolute_url(),
        "response rates": reverse("responses:rates"),
        "response form": _respond_path(invitations[ibm]),
        LINK_ERROR: _respond_path(last_year.invitations.get(company=amazon)),
    }


def _request(story: Story, companies: list[Company]) -> ResponseRequest:
    return services.response_request_open(
        story=story,
        allegation="Rekognition misidentifies women and people of colour more often than others.",
        deadline=services.default_deadline(),
        contacts={company: [f"press@{company.slug}.example"] for company in companies},
    )


def _respond_path(invitation: Invitation) -> str:
    return reverse("responses:respond", kwargs={"token": links.link_token(invitation)})
