"""Loading the demo data set (data/demo.json) through the same models editors use.

Every step looks its object up by a natural key first, so loading twice changes nothing.
"""

import datetime
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from resourcecentre.companies.models import Company, CompanyIdentifier, CompanyName
from resourcecentre.ingest.feeds import FeedEntry
from resourcecentre.ingest.models import Feed
from resourcecentre.ingest.services import entry_ingest
from resourcecentre.ingest.tagging import get_tagger
from resourcecentre.lib.html import plain_text
from resourcecentre.news.models import (
    Component,
    ComponentTranslation,
    ComponentType,
    Source,
    Story,
    StoryComponent,
    StoryTranslation,
)
from resourcecentre.responses.models import Invitation, Response, ResponseRequest, Status
from resourcecentre.site_messages.models import SiteMessage
from resourcecentre.taxonomy.models import Country, Issue, Region, Sector, Stakeholder

DEMO_FILE = Path(__file__).parent / "data" / "demo.json"
# The monitoring inbox is filled from the items of the tagger's labelled set, put through the
# pipeline as if a feed had brought them (the feed is never polled).
LABELLED_FILE = Path(__file__).parent.parent / "ingest" / "data" / "labelled.jsonl"
DEMO_FEED_URL = "https://demo.invalid/wire.xml"
DEMO_INBOX_ITEMS = 30
ADMIN_USERNAME = "admin"
# The story of the original site's page in shared/seed/, which the demo reproduces.
SEED_HEADLINE = (
    "USA: Amazon CEO announces support for facial recognition regulation while own product faces "
    "privacy & discrimination-related concerns"
)


@dataclass
class DemoSummary:
    created: int = 0
    stories: int = 0
    components: int = 0
    companies: int = 0


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _publish(obj) -> None:
    revision = obj.save_revision()
    revision.publish()


class _Loader:
    def __init__(self, data: dict) -> None:
        self.data = data
        self.summary = DemoSummary()
        self.types = {t.slug: t for t in ComponentType.objects.all()}
        self.countries = {c.code: c for c in Country.objects.all()}
        self.regions = {r.name: r for r in Region.objects.all()}

    def terms(self) -> None:
        for model, key in ((Sector, "sectors"), (Issue, "issues"), (Stakeholder, "stakeholders")):
            for name in self.data[key]:
                model.objects.get_or_create(name=name)
        self.sectors = {s.name: s for s in Sector.objects.all()}
        self.issues = {s.name: s for s in Issue.objects.all()}
        self.stakeholders = {s.name: s for s in Stakeholder.objects.all()}
        for row in self.data["sources"]:
            Source.objects.get_or_create(name=row["name"], defaults={"website": row.get("website") or ""})
        self.sources = {s.name: s for s in Source.objects.all()}

    def companies(self) -> None:
        for row in self.data["companies"]:
            company, created = Company.objects.get_or_create(
                name=row["name"],
                defaults={
                    "summary": row.get("summary") or "",
                    "website": row.get("website") or "",
                    "hq_country": self.countries.get(row.get("hq_country") or ""),
                },
            )
            if created:
                self.summary.created += 1
                company.sectors.set([self.sectors[name] for name in row.get("sectors", [])])
                for name in row.get("aliases", []):
                    CompanyName.objects.create(company=company, name=name, kind=CompanyName.Kind.ALIAS)
                for name in row.get("former_names", []):
                    CompanyName.objects.create(company=company, name=name, kind=CompanyName.Kind.FORMER)
                for scheme in ("lei", "wikidata"):
                    if row.get(scheme):
                        CompanyIdentifier.objects.get_or_create(
                            scheme=scheme, value=row[scheme], defaults={"company": company}
                        )
                company.save()
        self.company_map = {c.name: c for c in Company.objects.all()}
        self.summary.companies = len(self.company_map)

    def _tag(self, obj, row: dict) -> None:
        obj.companies.set([self.company_map[n] for n in row.get("companies", [])])
        obj.countries.set([self.countries[c] for c in row.get("countries", []) if c in self.countries])
        obj.regions.set([self.regions[n] for n in row.get("regions", [])])
        obj.issues.set([self.issues[n] for n in row.get("issues", [])])
        obj.sectors.set([self.sectors[n] for n in row.get("sectors", [])])
        obj.stakeholders.set([self.stakeholders[n] for n in row.get("stakeholders", [])])

    def component(self, row: dict) -> Component:
        existing = Component.objects.filter(title=row["title"], date=_date(row["date"])).first()
        if existing is not None:
            return existing
        component = Component(
            title=row["title"],
            type=self.types[row["type"]],
            date=_date(row["date"]),
            author=row.get("author") or "",
            source=self.sources.get(row.get("source") or ""),
            original_title=row.get("original_title") or "",
            original_date=_date(row.get("original_date")),
            excerpt=row.get("excerpt") or "",
            url=row.get("url") or "",
            language=row.get("language") or "en",
        )
        self._tag(component, row)
        for translation in row.get("translations", []):
            component.translations.add(ComponentTranslation(**translation))
        component.save()
        _publish(component)
        self.summary.created += 1
        return component

    def story(self, row: dict) -> None:
        components = [self.component(c) for c in row["components"]]
        existing = Story.objects.filter(headline=row["headline"]).first()
        if existing is not None:
            self.story_translations(existing, row)
            return
        story = Story(
            headline=row["headline"],
            summary=row["summary"],
            date=_date(row["date"]),
            language=row.get("language") or "en",
        )
        self._tag(story, row)
        story.story_components = [StoryComponent(component=c) for c in components]
        story.translations = [StoryTranslation(**translation) for translation in row.get("translations", [])]
        story.save()
        _publish(story)
        self.summary.created += 1
        self.response_record(story, row["components"], components)

    def story_translations(self, story: Story, row: dict) -> None:
        """Translations added to the data set after a database was loaded, published in a new
        revision so that the editor's next edit starts from them."""
        have = set(story.translations.values_list("language", flat=True))
        missing = [t for t in row.get("translations", []) if t["language"] not in have]
        # A story an editor withdrew or is redrafting is theirs now: never republish it.
        if not missing or not story.live or story.has_unpublished_changes:
            return
        for translation in missing:
            story.translations.add(StoryTranslation(**translation))
        story.save()
        _publish(story)
        self.summary.created += len(missing)

    def response_record(self, story: Story, rows: list[dict], components: list[Component]) -> None:
        """The requests behind the story's company responses and non-responses: the company
        answering is the first one each such component is tagged with."""
        outcomes = {"company-response": Status.RESPONDED, "company-non-response": Status.NO_RESPONSE}
        answers = [(row, c) for row, c in zip(rows, components, strict=True) if row["type"] in outcomes]
        if not answers:
            return
        opened = datetime.datetime.combine(
            min(c.date for _, c in answers) - datetime.timedelta(days=7), datetime.time(9), datetime.UTC
        )
        request = ResponseRequest.objects.create(
            story=story, allegation=plain_text(story.summary, limit=600), opened_at=opened
        )
        for row, component in answers:
            status = outcomes[row["type"]]
            invitation, created = Invitation.objects.get_or_create(
                request=request,
                company=self.company_map[row["companies"][0]],
                defaults={
                    "status": status,
                    "deadline": opened + datetime.timedelta(days=7),
                    "invited_at": opened,
                    "nonce": secrets.token_urlsafe(32),
                    "response_component": component if status == Status.RESPONDED else None,
                    "non_response_component": component if status == Status.NO_RESPONSE else None,
                },
            )
            if created:
                answered = datetime.datetime.combine(component.date, datetime.time(12), datetime.UTC)
                Response.objects.create(
                    invitation=invitation,
                    round=1,
                    body=plain_text(component.excerpt) if status == Status.RESPONDED else "",
                    submitted_at=answered if status == Status.RESPONDED else None,
                    component=component if status == Status.RESPONDED else None,
                )

    def monitoring(self) -> None:
        feed, created = Feed.objects.get_or_create(
            url=DEMO_FEED_URL, defaults={"name": "Demo wire (bundled, never polled)", "active": False}
        )
        if not created:
            return
        rows = [json.loads(line) for line in LABELLED_FILE.read_text(encoding="utf-8").splitlines()]
        items = [row for row in rows if "title" in row][:DEMO_INBOX_ITEMS]
        tagger, now = get_tagger(), timezone.now()
        for hours, item in enumerate(items):
            entry = FeedEntry(
                guid=item["url"],
                url=item["url"],
                title=item["title"],
                summary="",
                text=item["text"],
                author="",
                published_at=now - datetime.timedelta(hours=hours),
                language=item["language"],
            )
            entry_ingest(feed=feed, item=entry, tagger=tagger, fetch_articles=False)

    def site_message(self) -> None:
        row = self.data["site_message"]
        SiteMessage.objects.get_or_create(
            title=row["title"],
            defaults={
                "body": row["body"],
                "link_label": row.get("link_label") or "",
                "link_url": row.get("link_url") or "",
                "starts_at": timezone.now() - datetime.timedelta(days=1),
            },
        )


@transaction.atomic
def demo_load(*, path: Path = DEMO_FILE) -> DemoSummary:
    loader = _Loader(json.loads(path.read_text(encoding="utf-8")))
    loader.terms()
    loader.companies()
    for row in loader.data["stories"]:
        loader.story(row)
    for row in loader.data["standalone_components"]:
        loader.component(row)
    loader.site_message()
    loader.monitoring()
    loader.summary.stories = Story.objects.published().count()
    loader.summary.components = Component.objects.published().count()
    return loader.summary


def demo_admin() -> tuple[str, str]:
    """The demo administrator's login; the password is random, kept in var/ for `make run`."""
    password_file = settings.VAR_DIR / "admin_password"
    if not password_file.exists():
        password_file.write_text(secrets.token_urlsafe(12))
        password_file.chmod(0o600)
    password = password_file.read_text().strip()
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=ADMIN_USERNAME, defaults={"is_staff": True, "is_superuser": True, "email": "admin@localhost"}
    )
    if created:
        user.set_password(password)
        user.save()
    return ADMIN_USERNAME, password
