"""The alerts' e-mails: confirmation, digests and the Weekly Update, HTML and plain text.

HTML e-mails are laid out with tables and inline styles (mail clients ignore style sheets
and scripts), declare `color-scheme` so dark-mode clients recolour them rather than invert
them, and carry no images and no tracking pixel. Every digest and Weekly Update has the
RFC 8058 one-click unsubscribe headers.

Each item of a digest is rendered once per language and batch, then shared by every
subscriber whose digest holds it: many readers follow the same companies.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template, render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from resourcecentre.i18n import reader_translation
from resourcecentre.lib.html import plain_text
from resourcecentre.lib.languages import text_direction
from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation

from . import links
from .models import Alert, DigestSend, Subscriber, WeeklyUpdate

RESPONSE_TYPES = {"company-response", "company-non-response"}
EXCERPT_CHARACTERS = 400


@dataclass
class Item:
    key: str
    section: str  # "responses", "stories", "news"
    title: str
    url: str
    meta: str
    text: str
    language: str


def _translation(item: Component | Story, language: str) -> ComponentTranslation | StoryTranslation | None:
    """The item's translation for readers of `language`, by the site's own rule ("pt-br" reads
    "pt"; none when the original is in that language), from `load_items`' prefetch."""
    with translation.override(language):
        return reader_translation(item)


def _component_item(component: Component, language: str) -> Item:
    translated = _translation(component, language)
    title = translated.title if translated else component.title
    excerpt = translated.excerpt if translated else component.excerpt
    meta = " · ".join(part for part in (component.type.name, component.author_line) if part)
    return Item(
        key=f"component:{component.pk}",
        section="responses" if component.type.slug in RESPONSE_TYPES else "news",
        title=title,
        url=links.absolute(component.get_absolute_url()),
        meta=f"{component.date:%Y-%m-%d} · {meta}",
        text=plain_text(excerpt, limit=EXCERPT_CHARACTERS),
        language=translated.language if translated else component.language,
    )


def _story_item(story: Story, language: str) -> Item:
    shown = _translation(story, language) or story
    return Item(
        key=f"story:{story.pk}",
        section="stories",
        title=shown.headline,
        url=links.absolute(story.get_absolute_url()),
        meta=f"{story.date:%Y-%m-%d}",
        text=plain_text(shown.summary, limit=EXCERPT_CHARACTERS),
        language=shown.language,
    )


def load_items(keys: set[str]) -> dict[str, Component | Story]:
    """The published objects behind these keys; withdrawn ones are left out."""
    ids: dict[str, list[int]] = {"component": [], "story": []}
    for key in keys:
        kind, _sep, object_id = key.partition(":")
        if kind in ids and object_id.isdigit():
            ids[kind].append(int(object_id))
    found: dict[str, Component | Story] = {}
    for component in (
        Component.objects.published()
        .filter(pk__in=ids["component"])
        .select_related("type", "source")
        .prefetch_related("translations")
    ):
        found[f"component:{component.pk}"] = component
    for story in Story.objects.published().filter(pk__in=ids["story"]).prefetch_related("translations"):
        found[f"story:{story.pk}"] = story
    return found


SECTIONS = (("responses", "Company responses"), ("stories", "New stories"), ("news", "News"))


def _section_titles() -> dict[str, str]:
    return {
        "responses": _("Company responses"),
        "stories": _("New stories"),
        "news": _("News"),
    }


class DigestRenderer:
    """Renders the messages of one batch, sharing each item's HTML between subscribers."""

    def __init__(self) -> None:
        self.objects: dict[str, Component | Story] = {}
        self.labels: dict[int, list[str]] = {}
        self.fragments: dict[tuple[str, str], tuple[Item, SafeString, str]] = {}
        self.item_html = get_template("alerts/email/_item.html")
        self.item_text = get_template("alerts/email/_item.txt")

    def prepare(self, sends: list[DigestSend]) -> None:
        keys = {key for send in sends for key in send.items}
        for issue in {send.weekly_update for send in sends if send.weekly_update_id}:
            keys |= {f"story:{story_id}" for story_id in issue.stories.values_list("story_id", flat=True)}
        self.objects = load_items(keys)
        # What each subscriber follows, named in the digest: one query for the batch.
        self.labels: dict[int, list[str]] = defaultdict(list)
        for subscriber_id, label in (
            Alert.objects.filter(
                subscriber_id__in={s.subscriber_id for s in sends}, confirmed_at__isnull=False
            )
            .exclude(kind="weekly_update")
            .order_by("label")
            .values_list("subscriber_id", "label")
        ):
            self.labels[subscriber_id].append(label)

    def fragment(self, key: str, language: str) -> tuple[Item, SafeString, str] | None:
        if (key, language) not in self.fragments:
            obj = self.objects.get(key)
            if obj is None:
                return None
            item = _story_item(obj, language) if isinstance(obj, Story) else _component_item(obj, language)
            context = {"item": item, "dir": text_direction(item.language)}
            self.fragments[(key, language)] = (
                item,
                mark_safe(self.item_html.render(context)),  # noqa: S308 (rendered by an escaping template)
                self.item_text.render(context),
            )
        return self.fragments[(key, language)]

    def message(self, send: DigestSend, *, connection=None) -> EmailMultiAlternatives | None:
        subscriber = send.subscriber
        if send.weekly_update_id:
            return weekly_update_message(
                send.weekly_update, subscriber, renderer=self, send=send, connection=connection
            )
        with translation.override(subscriber.language):
            rendered = [f for f in (self.fragment(key, subscriber.language) for key in send.items) if f]
            if not rendered:
                return None
            titles = _section_titles()
            sections = [
                {
                    "title": titles[name],
                    "html": [h for i, h, _t in rendered if i.section == name],
                    "text": [t for i, _h, t in rendered if i.section == name],
                }
                for name, _label in SECTIONS
            ]
            sections = [s for s in sections if s["html"]]
            count = len(rendered)
            subject = ngettext(
                "%(count)d new item on what you follow – %(site)s",
                "%(count)d new items on what you follow – %(site)s",
                count,
            ) % {"count": count, "site": settings.SITE_NAME}
            context = {
                **_footer_context(subscriber),
                "subject": subject,
                "sections": sections,
                "count": count,
                "alerts": self.labels.get(subscriber.pk, [])[:20],
                "language": subscriber.language,
                "dir": text_direction(subscriber.language),
            }
            text = render_to_string("alerts/email/digest.txt", context)
            html = render_to_string("alerts/email/digest.html", context)
        return _bulk_message(subscriber, send, subject, text, html, connection)


def _footer_context(subscriber: Subscriber) -> dict:
    return {
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "manage_url": links.manage_url(subscriber),
        "unsubscribe_url": links.unsubscribe_url(subscriber),
    }


def _bulk_message(
    subscriber: Subscriber, send: DigestSend | None, subject: str, text: str, html: str, connection
) -> EmailMultiAlternatives:
    unsubscribe = links.unsubscribe_url(subscriber)
    headers = {
        "List-Unsubscribe": f"<{unsubscribe}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} alerts <alerts.{_host()}>",
        "Content-Language": subscriber.language,
        "Auto-Submitted": "auto-generated",
    }
    if send is not None and send.pk:
        headers["Message-ID"] = send.message_id
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        to=[subscriber.email],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0].split(":")[0] or "localhost"


def confirmation_message(alert: Alert) -> EmailMultiAlternatives:
    subscriber = alert.subscriber
    with translation.override(subscriber.language):
        context = {
            "alert": alert,
            "confirm_url": links.confirm_url(alert),
            "days": settings.ALERTS_CONFIRM_DAYS,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "language": subscriber.language,
            "dir": text_direction(subscriber.language),
        }
        subject = _("Confirm your alert: %(label)s") % {"label": alert.label}
        context["subject"] = subject
        text = render_to_string("alerts/email/confirm.txt", context)
        html = render_to_string("alerts/email/confirm.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        to=[subscriber.email],
        headers={"Content-Language": subscriber.language, "Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    return message


def weekly_update_context(issue: WeeklyUpdate, subscriber: Subscriber | None, renderer=None) -> dict:
    """What the Weekly Update e-mail and its admin preview show."""
    renderer = renderer or DigestRenderer()
    chosen = list(issue.stories.select_related("story").order_by("sort_order"))
    if not renderer.objects:
        renderer.objects = load_items({f"story:{c.story_id}" for c in chosen})
    entries = []
    for choice in chosen:
        fragment = renderer.fragment(f"story:{choice.story_id}", issue.language)
        if fragment:
            entries.append({"html": fragment[1], "text": fragment[2], "note": choice.note})
    footer = (
        _footer_context(subscriber)
        if subscriber
        else {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "manage_url": "",
            "unsubscribe_url": "",
        }
    )
    return {
        **footer,
        "issue": issue,
        "subject": issue.subject,
        "entries": entries,
        "archive_url": links.absolute(issue.get_absolute_url()),
        "language": issue.language,
        "dir": text_direction(issue.language),
    }


def weekly_update_message(
    issue: WeeklyUpdate, subscriber: Subscriber, *, renderer=None, send=None, connection=None
) -> EmailMultiAlternatives:
    with translation.override(issue.language):
        context = weekly_update_context(issue, subscriber, renderer)
        text = render_to_string("alerts/email/weekly_update.txt", context)
        html = render_to_string("alerts/email/weekly_update.html", context)
    return _bulk_message(subscriber, send, issue.subject, text, html, connection)


def weekly_update_test_message(issue: WeeklyUpdate, email: str) -> EmailMultiAlternatives:
    """The issue as subscribers will see it, to an editor; its links are not anyone's."""
    with translation.override(issue.language):
        context = weekly_update_context(issue, None)
        subject = _("[Test] %(subject)s") % {"subject": issue.subject}
        text = render_to_string("alerts/email/weekly_update.txt", context)
        html = render_to_string("alerts/email/weekly_update.html", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=text,
        to=[email],
        headers={"Content-Language": issue.language},
    )
    message.attach_alternative(html, "text/html")
    return message
