"""Step 1 of the pipeline: a fetched feed or sitemap becomes a list of normalised entries.

RSS 0.9x/1.0/2.0 and Atom are read by feedparser, which keeps what it can of a broken
document; XML sitemaps, Google News sitemaps and sitemap indexes are read here with lxml in
recovery mode. Before either parser sees the document it is decoded here, because feeds lie
about their encoding (a body that is valid UTF-8 is UTF-8 whatever it declares; otherwise the
HTTP charset, then the XML declaration, then windows-1252), and its document type
declaration is removed, so that no entity is ever expanded (billion laughs) or fetched
(external entities): an entity reference the feed defined itself stays unexpanded text.

A sitemap index holds no articles, only other sitemaps: `parse_feed` returns one entry per
child sitemap with `is_sitemap=True` (its address, and its `lastmod` as `published_at`), and
`fetching.poll_feed` follows the newest of them, so a poll result only ever holds articles.
"""

import datetime
import hashlib
import html
import io
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import courlan
import feedparser
import nh3
from django.conf import settings
from lxml import etree

from resourcecentre.lib.html import plain_text

MAX_GUID_LENGTH = 1000  # Entry.guid
MAX_URL_LENGTH = 2000  # Entry.url
TITLE_FROM_SUMMARY_LENGTH = 120


class FeedError(Exception):
    """A document that cannot be read as a feed or sitemap; the message is fit for an editor."""


@dataclass(frozen=True)
class FeedEntry:
    guid: str  # the feed's id, else the address; hashed when longer than 1000 characters
    url: str  # absolute, http or https
    title: str  # plain text; the summary's first words when the feed gives none; "" from a plain sitemap
    summary: str  # plain text, on one line
    text: str  # plain text of the full content when the feed carries it, paragraphs on their own lines
    author: str
    published_at: datetime.datetime | None  # aware, UTC
    language: str  # lower case, as the feed gives it ("en-gb"), or ""
    is_sitemap: bool = False  # a child sitemap of a sitemap index, not an article


def parse_feed(
    body: bytes, *, url: str, content_type: str = "", max_entries: int | None = None
) -> list[FeedEntry]:
    """The entries of the feed or sitemap `body`, fetched from `url`.

    Relative addresses are resolved against `url` (or the feed's xml:base). Entries without an
    http(s) address are left out. At most `max_entries` (by default the setting
    INGEST_MAX_ENTRIES) are returned, the newest first when the document holds more.
    Raises FeedError when nothing can be read.
    """
    text = _safe_xml_text(_decode(body, content_type))
    if not text.strip():
        raise FeedError("The address returned an empty document instead of a feed.")
    root = _root_name(text)
    if root in {"urlset", "sitemapindex"}:
        entries = _parse_sitemap(text, url=url)
    elif root == "html":
        raise FeedError("The address returns a web page, not a feed; look for the site's RSS or Atom link.")
    else:
        entries = _parse_syndication(text, url=url)
    return limit_entries(entries, max_entries)


def limit_entries(entries: list[FeedEntry], max_entries: int | None = None) -> list[FeedEntry]:
    """`entries` when there are at most `max_entries` (by default the setting
    INGEST_MAX_ENTRIES), else that many of the newest; undated entries count as oldest."""
    if max_entries is None:
        max_entries = settings.INGEST_MAX_ENTRIES
    if len(entries) <= max_entries:
        return entries
    oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
    return sorted(entries, key=lambda entry: entry.published_at or oldest, reverse=True)[:max_entries]


def canonical_url(url: str) -> str:
    """The address two copies of the same article share: scheme and host in lower case,
    default port, fragment, tracking parameters (utm_*, fbclid, gclid, mc_cid, ...), a
    trailing slash and stray markup removed, the remaining query sorted.

    Stable: canonical_url(canonical_url(u)) == canonical_url(u).
    """
    scrubbed = courlan.scrub_url(url).rstrip("?&#")
    try:
        normalised = courlan.normalize_url(scrubbed, strict=False, trailing_slash=False)
    except ValueError:
        normalised = scrubbed
    parts = urlsplit(normalised)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


# Decoding and defusing

_BOMS = [
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
]
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_DECLARED = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']")
_XML_DECLARATION = re.compile(r"^\s*<\?xml\b.*?\?>", re.DOTALL)
_NOT_XML_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What may precede the root element: white space, comments and processing instructions.
_MISC = re.compile(r"(?:\s+|<!--.*?-->|<\?.*?\?>)*", re.DOTALL)
_DOCTYPE_START = re.compile(r"<!DOCTYPE\b", re.IGNORECASE)
# Inside a document type declaration, quoted strings and comments may hold any of [ ] >.
_DTD_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|<!--.*?-->|[\[\]>]|[^\"'\[\]<>]+|<", re.DOTALL)
_ROOT = re.compile(r"<(?:[\w.-]+:)?([\w.-]+)")


def _decode(body: bytes, content_type: str) -> str:
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    if body[:2] == b"<\x00":
        return body.decode("utf-16-le", errors="replace")
    if body[:2] == b"\x00<":
        return body.decode("utf-16-be", errors="replace")
    try:
        # Text in a legacy encoding is almost never valid UTF-8 by accident.
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    http_charset = _CHARSET.search(content_type)
    declared = _DECLARED.search(body[:1024])
    for label in (http_charset and http_charset[1], declared and declared[1].decode("ascii")):
        if label and label.lower().replace("_", "-") not in {"utf-8", "utf8"}:
            try:
                return body.decode(label)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", errors="replace")


def _safe_xml_text(text: str) -> str:
    """`text` without its XML declaration (it is UTF-8 from now on), without characters XML
    forbids, and without its document type declaration, so that no entity can be expanded.

    What is removed is replaced by as many line breaks, so that parse errors keep their line
    numbers.
    """
    text = _XML_DECLARATION.sub(_blank, text, count=1)
    text = _NOT_XML_CHARACTERS.sub("", text)
    start = _MISC.match(text).end()
    if not _DOCTYPE_START.match(text, start):
        return text
    depth, end = 0, None
    for token in _DTD_TOKEN.finditer(text, start + len("<!DOCTYPE")):
        value = token.group()
        if value == "[":
            depth += 1
        elif value == "]":
            depth = max(depth - 1, 0)
        elif value == ">" and depth == 0:
            end = token.end()
            break
    if end is None:
        raise FeedError("The document type declaration at the top of the feed never ends.")
    return text[:start] + _blank_text(text[start:end]) + text[end:]


def _blank(match: re.Match) -> str:
    return _blank_text(match.group())


def _blank_text(removed: str) -> str:
    return "\n" * removed.count("\n")


def _root_name(text: str) -> str:
    match = _ROOT.match(text, _MISC.match(text).end())
    return match[1].lower() if match else ""


# RSS and Atom


def _parse_syndication(text: str, *, url: str) -> list[FeedEntry]:
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={"content-type": "application/xml; charset=utf-8", "content-location": url},
        # Every field is reduced to plain text below, so the HTML needs no sanitising.
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries and (parsed.bozo or not parsed.version):
        if parsed.bozo:
            raise FeedError(f"The feed is broken beyond repair ({_describe(parsed.bozo_exception)}).")
        raise FeedError("The address does not return an RSS or Atom feed, nor a sitemap.")
    feed_language = _language(parsed.feed.get("language"))
    entries = []
    for item in parsed.entries:
        entry = _entry(item, url=url, feed_language=feed_language)
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(item: dict, *, url: str, feed_language: str) -> FeedEntry | None:
    link = _absolute(item.get("link") or "", url)
    if link is None:
        return None
    summary = plain_text(item.get("summary") or "")
    title = plain_text(item.get("title") or "") or plain_text(summary, TITLE_FROM_SUMMARY_LENGTH)
    published = _from_struct_time(
        item.get("published_parsed") or item.get("updated_parsed") or item.get("created_parsed")
    )
    language = item.get("language") or _detail_language(item, "title_detail", "summary_detail")
    return FeedEntry(
        guid=_guid(item.get("id") or link),
        url=link,
        title=title,
        summary=summary,
        text=_content_text(item.get("content") or []),
        author=_author(item),
        published_at=published,
        language=_language(language) or feed_language,
    )


def _guid(value: str) -> str:
    value = value.strip()
    if len(value) > MAX_GUID_LENGTH:
        return "sha1:" + hashlib.sha1(value.encode("utf-8"), usedforsecurity=False).hexdigest()
    return value


def _absolute(link: str, base: str) -> str | None:
    link = link.strip()
    if not link:
        return None
    absolute = urljoin(base, link)
    parts = urlsplit(absolute)
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(absolute) > MAX_URL_LENGTH:
        return None
    return absolute


_EMAIL_WITH_NAME = re.compile(r"\s*\S+@\S+\s*\((.+)\)\s*")


def _author(item: dict) -> str:
    author = (item.get("author") or "").strip()
    # RSS 2.0 asks for "address (Name)"; the name is what an editor credits.
    named = _EMAIL_WITH_NAME.fullmatch(author)
    if named:
        return named[1].strip()
    if "@" in author and " " not in author:
        return ""
    return plain_text(author)


def _detail_language(item: dict, *keys: str) -> str:
    for key in keys:
        detail = item.get(key)
        if detail and detail.get("language"):
            return detail["language"]
    return ""


def _language(value: str | None) -> str:
    return (value or "").strip().lower().replace("_", "-")[:12]


_BLOCK_END = re.compile(
    r"</(?:p|div|li|h[1-6]|blockquote|pre|tr|section|article)\s*>|<br\s*/?>", re.IGNORECASE
)


def _content_text(contents: list[dict]) -> str:
    for content in contents:
        value = content.get("value") or ""
        if content.get("type") != "text/plain":
            value = _BLOCK_END.sub("\n", value.replace("\n", " "))
            value = html.unescape(nh3.clean(value, tags=set()))
        lines = (" ".join(line.split()) for line in value.split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            return text
    return ""


def _from_struct_time(value: time.struct_time | None) -> datetime.datetime | None:
    if not value:
        return None
    try:
        return datetime.datetime(*value[:6], tzinfo=datetime.UTC)
    except (TypeError, ValueError):
        return None


def _describe(error: Exception) -> str:
    get_message = getattr(error, "getMessage", None)
    if get_message is not None:
        return f"{get_message()} at line {error.getLineNumber()}"
    return str(error) or error.__class__.__name__


# Sitemaps


def _parse_sitemap(text: str, *, url: str) -> list[FeedEntry]:
    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True
    )
    root = etree.fromstring(text.encode("utf-8"), parser)
    if root is None:
        raise FeedError("The sitemap is broken beyond repair.")
    is_index = etree.QName(root).localname == "sitemapindex"
    entries = []
    for node in root.iterfind("{*}sitemap" if is_index else "{*}url"):
        link = _absolute(_child_text(node, "{*}loc"), url)
        if link is None:
            continue
        news_language = _child_text(node, "{*}news/{*}publication/{*}language")
        published = _w3c_datetime(_child_text(node, "{*}news/{*}publication_date")) or _w3c_datetime(
            _child_text(node, "{*}lastmod")
        )
        entries.append(
            FeedEntry(
                guid=_guid(link),
                url=link,
                title=plain_text(_child_text(node, "{*}news/{*}title")),
                summary="",
                text="",
                author="",
                published_at=published,
                language=_language(news_language),
                is_sitemap=is_index,
            )
        )
    return entries


def _child_text(node: etree._Element, path: str) -> str:
    found = node.find(path)
    return (found.text or "").strip() if found is not None else ""


def _w3c_datetime(value: str) -> datetime.datetime | None:
    """A sitemap date: "2024-05-02", "2024-05-02T10:30+02:00", "2024-05-02T08:30:00Z"."""
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)
