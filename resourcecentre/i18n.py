"""The reader's language in URLs: the same page in every interface language, and redirects for
addresses written with another language's section names (`/es/latest-news/`) or none at all.

Pure language facts (names, directions, formats) live in `lib/languages.py`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.urls import NoReverseMatch, Resolver404, ResolverMatch, resolve, reverse, translate_url
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, get_language_from_path, get_language_from_request, override

from resourcecentre.lib.languages import language_name, same_language, text_direction

if TYPE_CHECKING:
    from resourcecentre.news.models import Component, ComponentTranslation, Story, StoryTranslation

    Translatable = Story | Component
    Translation = StoryTranslation | ComponentTranslation


@dataclass(frozen=True)
class Alternate:
    """The page the reader is on, in another interface language."""

    code: str
    name: str
    path: str
    current: bool
    same_page: bool = True  # False: the language's home page, as this page has no versions

    @property
    def direction(self) -> str:
        return text_direction(self.code)


def _resolves_in_language(request: HttpRequest) -> bool:
    """Only pages under the language prefix that exist have a version in every language."""
    match = getattr(request, "resolver_match", None)
    return match is not None and get_language_from_path(request.path_info) is not None


def page_alternates(request: HttpRequest) -> list[Alternate]:
    """The current page in each interface language, for the switcher and `hreflang` links.

    A page that does not resolve (a 404) offers each language's home page instead.
    """
    current = get_language()
    same_page = _resolves_in_language(request)
    found = []
    for code, _name in settings.LANGUAGES:
        # Reversing the match the request already has costs a third of `translate_url`'s
        # resolve-then-reverse, on every page (bench/languages.py).
        path = _reverse_in(request.resolver_match, code) if same_page else None
        if path is None:
            with override(code):
                path = reverse("home")
        found.append(
            Alternate(
                code=code, name=language_name(code), path=path, current=code == current, same_page=same_page
            )
        )
    return found


def _match_in(path: str, languages: Iterable[str]) -> ResolverMatch | None:
    for code in languages:
        with override(code):
            try:
                return resolve(f"/{code}{path}")
            except Resolver404:
                continue
    return None


def _reverse_in(match: ResolverMatch, code: str) -> str | None:
    with override(code):
        try:
            return reverse(match.view_name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return None


def corrected_path(path: str, reader_language: str) -> tuple[str, bool] | None:
    """Where a path that matched nothing belongs, and whether for good (a permanent redirect).

    `/es/latest-news/` is the English section name under the Spanish prefix: it belongs at
    `/es/ultimas-noticias/` for good. `/latest-news/` has no prefix: it belongs in the reader's
    language, which may differ for the next reader.
    """
    codes = [code for code, _name in settings.LANGUAGES]
    prefix = get_language_from_path(path)
    if prefix is not None:
        rest = path[len(prefix) + 1 :]
        match = _match_in(rest, [code for code in codes if code != prefix])
        target = match and _reverse_in(match, prefix)
        return (target, True) if target and target != path else None
    if not path.startswith("/") or path.startswith("//"):
        return None
    order = [reader_language, settings.LANGUAGE_CODE, *codes]
    match = _match_in(path, dict.fromkeys(order))
    target = match and _reverse_in(match, reader_language)
    return (target, False) if target else None


class WrongLanguageRedirectMiddleware:
    """Send a request that found nothing to the page its section names mean in another language.

    Sits outside `LocaleMiddleware`, so it sees that middleware's own answer for paths with no
    prefix, and only ever acts on a 404.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        reader = get_language_from_request(request, check_path=False)
        corrected = corrected_path(request.path_info, reader)
        if corrected is None:
            return response
        location, permanent = corrected  # reversed, so within the site and with its script prefix
        if query := request.META.get("QUERY_STRING", ""):
            location = f"{location}?{query}"
        if permanent:
            return HttpResponsePermanentRedirect(location)
        redirect = HttpResponseRedirect(location)
        patch_vary_headers(redirect, ("Accept-Language", "Cookie"))
        return redirect


@dataclass(frozen=True)
class ContentLanguages:
    """What a reader is told about the language of a story or component they opened."""

    shown: str  # the language the content is displayed in
    wanted: str  # the reader's language
    available: list[Alternate]  # every language the content exists in, as pages

    @property
    def missing(self) -> bool:
        return not same_language(self.shown, self.wanted)

    @property
    def original(self) -> Alternate:
        return self.available[0]

    @property
    def translated(self) -> bool:
        """The reader sees a translation: the original is one click away."""
        return self.shown != self.original.code


def content_languages(
    request: HttpRequest, original: str, translations: Iterable[str] = ()
) -> ContentLanguages:
    """The languages a story or component exists in, each linked to the page in that language
    when it is an interface language; the version shown is the reader's when there is one."""
    wanted = get_language()
    languages = list(dict.fromkeys([original, *translations]))
    shown = next((code for code in languages if same_language(wanted, code)), original)
    interface = [code for code, _name in settings.LANGUAGES]
    available = []
    for code in languages:
        page = next((ui for ui in interface if same_language(ui, code)), None)
        path = translate_url(request.path, page) if page and _resolves_in_language(request) else ""
        available.append(Alternate(code=code, name=language_name(code), path=path, current=code == shown))
    return ContentLanguages(shown=shown, wanted=wanted, available=available)


def reader_translation(item: "Translatable") -> "Translation | None":
    """The item's translation into the reader's language, when the original is not already in it.

    Reads `item.translations.all()`: lists prefetch it (`for_listing`)."""
    reader = get_language()
    if same_language(reader, item.language):
        return None
    return next((t for t in item.translations.all() if same_language(reader, t.language)), None)


def reader_version(item: "Translatable") -> "Translatable | Translation":
    """What the reader is shown: their language's translation, or else the original.

    Translations have the original's text fields (a story's `headline` and `summary`, a
    component's `title` and `excerpt`) and `language`, so either serves the same template.
    """
    return reader_translation(item) or item
