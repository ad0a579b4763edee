"""The list of monitored feeds as OPML, the file feed readers import and export.

Each `<outline>` with an `xmlUrl` is one feed; outlines without one are folders, whose
children are read. The attributes read, and written by `export_opml`:

    xmlUrl       the feed's address: the key, so importing a file twice changes nothing
    title, text  the feed's name (title first; the address when neither is given)
    type         "sitemap" for a sitemap; anything else ("rss") is a feed
    language     the language of its entries, e.g. "fr" or "pt-br"
    country      custom: the ISO 3166-1 alpha-2 code of its country, e.g. "FR"
    pollMinutes  custom: the polling interval in minutes
    source       custom: the news source its items are credited to; when absent, a new
                 feed is credited to a source named like the feed
    htmlUrl      the source's website, when the source has none yet
    active       custom: "false" for a feed that is not monitored; only read when the feed
                 is created, since switching monitoring on or off is an editor's decision

`category` and any other attribute are ignored. An attribute an outline does not carry
leaves the feed's value alone, so that a feed reader's export cannot erase what we know.
The file is parsed with defusedxml: entity declarations are refused, never expanded.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element, SubElement, indent, tostring

import defusedxml
import defusedxml.ElementTree
from django.db import transaction

from resourcecentre.news.models import Source
from resourcecentre.taxonomy.models import Country

from .models import Feed


class OPMLError(ValueError):
    """A file that cannot be read as OPML; the message is fit to show an editor."""


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)  # feed addresses
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # one line each: the outline, and why
    warnings: list[str] = field(default_factory=list)  # attributes ignored on imported feeds

    def __str__(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped"
        )


@transaction.atomic
def import_opml(data: bytes) -> ImportSummary:
    """Create or update a monitored feed for every feed outline of the OPML document `data`.

    Raises OPMLError when the document is not OPML; single outlines that cannot be imported
    are listed in the summary instead.
    """
    body = _parse(data).find("body")
    if body is None:
        raise OPMLError("The OPML file has no <body>, so it lists no feeds.")
    summary = ImportSummary()
    seen: set[str] = set()
    for outline in body.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if not url:
            continue
        label = outline.get("title") or outline.get("text") or url
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.hostname or len(url) > 2000:
            summary.skipped.append(f"{label}: “{url}” is not a web address we can monitor.")
            continue
        if url in seen:
            summary.skipped.append(f"{label}: {url} is listed twice; the first outline was used.")
            continue
        seen.add(url)
        _import_outline(outline, url, label, summary)
    return summary


def export_opml() -> bytes:
    """Every monitored feed, in the OPML that `import_opml` reads back to the same feeds."""
    root = Element("opml", version="2.0")
    SubElement(SubElement(root, "head"), "title").text = "Resource Centre: monitored feeds"
    body = SubElement(root, "body")
    for feed in Feed.objects.select_related("source", "country").order_by("name", "url"):
        attributes = {
            "type": "sitemap" if feed.kind == Feed.Kind.SITEMAP else "rss",
            "text": feed.name,
            "title": feed.name,
            "xmlUrl": feed.url,
        }
        if feed.source is not None:
            attributes["source"] = feed.source.name
            if feed.source.website:
                attributes["htmlUrl"] = feed.source.website
        if feed.language:
            attributes["language"] = feed.language
        if feed.country is not None:
            attributes["country"] = feed.country.code
        attributes["pollMinutes"] = str(feed.poll_minutes)
        if not feed.active:
            attributes["active"] = "false"
        SubElement(body, "outline", attributes)
    indent(root)
    return tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _parse(data: bytes) -> Element:
    try:
        root = defusedxml.ElementTree.fromstring(data)
    except defusedxml.DefusedXmlException as error:
        raise OPMLError(
            "The file declares XML entities or external references, which are refused."
        ) from error
    except defusedxml.ElementTree.ParseError as error:
        raise OPMLError(f"The file is not well-formed XML ({error}).") from error
    if root.tag != "opml":
        raise OPMLError(f"The file is not OPML: its root element is <{root.tag}>, not <opml>.")
    return root


def _import_outline(outline: Element, url: str, label: str, summary: ImportSummary) -> None:
    feed = Feed.objects.filter(url=url).select_related("source", "country").first()
    created = feed is None
    if created:
        feed = Feed(url=url, name=url[:255], active=outline.get("active", "").lower() != "false")
    values = _values(outline, label, summary)
    if "source" not in values and (created or feed.source is None):
        values["source"] = _source(label[:255], outline.get("htmlUrl"))
    changed = [name for name, value in values.items() if getattr(feed, name) != value]
    for name in changed:
        setattr(feed, name, values[name])
    if created:
        feed.save()
        summary.created.append(url)
    elif changed:
        feed.save(update_fields=changed)
        summary.updated.append(url)
    else:
        summary.unchanged.append(url)


def _values(outline: Element, label: str, summary: ImportSummary) -> dict:
    """The feed's fields the outline sets."""
    values: dict = {}
    name = (outline.get("title") or outline.get("text") or "").strip()
    if name:
        values["name"] = name[:255]
    if outline.get("type"):
        values["kind"] = Feed.Kind.SITEMAP if outline.get("type") == "sitemap" else Feed.Kind.FEED
    language = (outline.get("language") or "").strip().lower().replace("_", "-")
    if len(language) > 12:
        summary.warnings.append(f"{label}: the language “{language}” is not a language code; ignored.")
    elif language:
        values["language"] = language
    code = (outline.get("country") or "").strip().upper()
    if code:
        country = Country.objects.filter(code=code).first()
        if country is None:
            summary.warnings.append(f"{label}: “{code}” is not an ISO 3166 country code; ignored.")
        else:
            values["country"] = country
    minutes = (outline.get("pollMinutes") or "").strip()
    if minutes:
        if minutes.isdigit() and int(minutes) > 0:
            values["poll_minutes"] = int(minutes)
        else:
            summary.warnings.append(f"{label}: “{minutes}” is not a number of minutes; ignored.")
    source = (outline.get("source") or "").strip()
    if source:
        values["source"] = _source(source[:255], outline.get("htmlUrl"))
    return values


def _source(name: str, website: str | None) -> Source:
    source = Source.objects.filter(name__iexact=name).first() or Source.objects.create(name=name)
    website = (website or "").strip()
    if (
        website
        and not source.website
        and urlsplit(website).scheme in {"http", "https"}
        and len(website) <= 200
    ):
        source.website = website
        source.save(update_fields=["website"])
    return source
