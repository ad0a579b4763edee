"""Writes to stories and components that the admin, commands and tasks share."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils.html import escape

from resourcecentre.lib.fetch import FetchError, fetch

from .models import Component, ComponentType, Source

DEFAULT_COMPONENT_TYPE = "article"
logger = logging.getLogger(__name__)


def component_draft_from_url(*, url: str) -> tuple[Component, str | None]:
    """A draft component for the page at `url`, filled in from the page where it can be read.

    Returns the component and, when the page could not be read, why: the editor still gets a
    draft holding the URL, to complete by hand. A URL already on the platform returns the
    existing component.
    """
    existing = Component.objects.filter(url=url).first()
    if existing is not None:
        return existing, None
    component = Component(
        url=url,
        title=url,
        type=ComponentType.objects.filter(slug=DEFAULT_COMPONENT_TYPE).first()
        or ComponentType.objects.first(),
        live=False,
    )
    problem = None
    # The fetch happens outside any transaction: a slow site must not hold the database.
    try:
        page = fetch(
            url,
            timeout=settings.FETCH_TIMEOUT_SECONDS,
            max_bytes=settings.FETCH_MAX_BYTES,
            allow_private_hosts=set(settings.FETCH_ALLOW_PRIVATE_HOSTS),
        )
        if page.status >= 400:
            raise FetchError(f"The site answered with HTTP status {page.status}.")
        _fill_from_page(component, _decode(page.body, page.encoding))
    except FetchError as error:
        problem = str(error)
    except Exception as error:  # noqa: BLE001 (a page we cannot parse must not lose the URL)
        logger.warning("Could not read %s: %r", url, error)
        problem = "the page could not be read"
    with transaction.atomic():
        component.save()
        component.save_revision()
    return component, problem


def _decode(body: bytes, encoding: str | None) -> str:
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return body.decode("utf-8", errors="replace")


def _fill_from_page(component: Component, html: str) -> None:
    import trafilatura  # here: 38 MB that only this editor action needs

    extracted = trafilatura.bare_extraction(html, url=component.url, with_metadata=True)
    if not extracted:
        return
    document = extracted.as_dict()
    component.title = (document.get("title") or component.title)[:500]
    component.author = (document.get("author") or "")[:255]
    if document.get("date"):
        component.original_date = datetime.date.fromisoformat(document["date"][:10])
    if document.get("sitename"):
        component.source, _ = Source.objects.get_or_create(name=document["sitename"][:255])
    paragraphs = [p for p in (document.get("text") or "").split("\n") if p.strip()][:3]
    component.excerpt = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    if document.get("language"):
        component.language = document["language"][:12]
