"""Step 2 of the pipeline: when a feed gives only a teaser, the article page itself is
fetched (as politely and within the same limits as feeds) and its text and metadata are
extracted with trafilatura.
"""

import datetime
import logging
from dataclasses import dataclass

from lxml.html import HtmlElement

from resourcecentre.lib.dates import midnight_utc
from resourcecentre.lib.fetch import FetchError

from .fetching import polite_fetch

logger = logging.getLogger(__name__)

HTML_TYPES = ("text/html", "application/xhtml+xml")
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"


@dataclass(frozen=True)
class Article:
    url: str  # where the page was found, after redirects
    title: str
    text: str  # plain text, one paragraph a line
    author: str
    published_at: datetime.datetime | None  # aware, UTC
    language: str  # as the page declares it, lower case ("fr-fr"), or ""
    sitename: str


def fetch_article(url: str) -> Article | None:
    """The article at `url`, or None when it cannot be fetched or holds no readable text."""
    try:
        page = polite_fetch(url, headers={"Accept": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"})
    except FetchError as error:
        logger.info("Could not fetch the article %s: %s", url, error)
        return None
    media_type = page.content_type.split(";")[0].strip().lower()
    if page.status != 200 or (media_type and media_type not in HTML_TYPES):
        logger.info("Not reading %s: HTTP %s, %s", url, page.status, media_type)
        return None
    return extract_article(page.body, url=page.url, encoding=page.encoding)


def extract_article(body: bytes, *, url: str, encoding: str | None = None) -> Article | None:
    """The article in the HTML page `body`; without an HTTP charset, trafilatura guesses."""
    try:
        html: bytes | str = body.decode(encoding, errors="replace") if encoding else body
    except LookupError:  # a charset Python does not know
        html = body
    try:
        # Imported here: 38 MB that only the ingest worker needs.
        import trafilatura

        tree = trafilatura.load_html(html)
        if tree is None:
            return None
        # Read before extraction, which prunes the tree.
        language = _declared_language(tree)
        document = trafilatura.bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            date_extraction_params={
                "extensive_search": True,
                "original_date": True,
                "outputformat": DATE_FORMAT,
            },
        )
    except Exception:  # a page that breaks the extractor is one page without text, not a failed pass
        logger.exception("Could not extract the article %s", url)
        return None
    if document is None or not (document.text or "").strip():
        return None
    return Article(
        url=url,
        title=(document.title or "").strip(),
        text=document.text.strip(),
        author=(document.author or "").strip(),
        published_at=_moment(document.date or ""),
        language=language,
        sitename=(document.sitename or "").strip(),
    )


def _declared_language(tree: HtmlElement) -> str:
    candidates = [tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    candidates += tree.xpath("//meta[@property='og:locale']/@content")
    candidates += tree.xpath(
        "//meta[translate(@http-equiv, 'CONTENTLAGU', 'contentlagu')='content-language']/@content"
    )
    for value in candidates:
        if value and value.strip():
            return value.strip().lower().replace("_", "-")[:12]
    return ""


def _moment(value: str) -> datetime.datetime | None:
    try:
        return datetime.datetime.strptime(value, DATE_FORMAT).astimezone(datetime.UTC)
    except ValueError:
        pass
    try:
        return midnight_utc(datetime.date.fromisoformat(value[:10]))
    except ValueError:
        return None
