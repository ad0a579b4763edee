"""The inbox's views: the list, one item, and the decisions on them.

The inbox's filters travel in the query string from the list to each item and back, so that
after a decision the next item is the next one of the same filtered list.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from resourcecentre.lib.html import mark_spans

from .. import services
from ..models import INBOX_PERMISSION, Candidate, Entry, Feed, SuggestedTag
from ..queries import (
    candidate_after,
    candidate_neighbours,
    candidates_waiting,
    suggestions_kept,
    with_sources_and_tags,
)
from .forms import REJECT_REASONS, BulkForm, DecisionForm, InboxFilter, RejectForm, tag_choice

PERMISSION = INBOX_PERMISSION
PUBLISH_PERMISSION = "news.publish_component"
PER_PAGE = 50
BEST_TAGS = 5


# Django's own check: without the permission, PermissionDenied, which the admin shows.
editors_only = permission_required(PERMISSION, raise_exception=True)


@dataclass
class InboxRow:
    candidate: Candidate
    feeds: list[Feed]
    sources: int
    best_tags: list[SuggestedTag]


def _inbox_rows(candidates: Iterable[Candidate]) -> list[InboxRow]:
    rows = []
    for candidate in candidates:
        entries = list(candidate.entries.all())
        feeds = list({entry.feed_id: entry.feed for entry in entries}.values())
        best = sorted(candidate.tags.all(), key=lambda tag: -tag.confidence)[:BEST_TAGS]
        rows.append(InboxRow(candidate, feeds, len(entries), best))
    return rows


def _query(request: HttpRequest, *, keep_page: bool = False) -> str:
    """The inbox's filters from the query string, to carry on to the next page."""
    params = request.GET.copy()
    if not keep_page:
        params.pop("p", None)
    return f"?{params.urlencode()}" if params else ""


def _waiting(request: HttpRequest) -> QuerySet[Candidate]:
    """The inbox as the query string filters it."""
    return candidates_waiting(InboxFilter(request.GET).filters())


def _highlighted(candidate: Candidate, field: str) -> str:
    """The field's text, escaped, with the spans of the tags found in it marked.

    A span is marked only where it still covers the text it was found in (a split used to
    take the text away from a candidate and leave its tags; splits now tag both items again).
    """
    text = getattr(candidate, field)
    spans = [
        (tag.span_start, tag.span_end, f"{tag.term} ({tag.get_kind_display()}, {tag.confidence * 100:.0f} %)")
        for tag in candidate.tags.all()
        if tag.field == field
        and tag.span_start is not None
        and tag.span_end is not None
        and (not tag.matched or text[tag.span_start : tag.span_end][:255] == tag.matched)
    ]
    return mark_safe(mark_spans(text, spans))  # noqa: S308 (mark_spans escapes the text)


def _candidate_url(pk: int, query: str = "") -> str:
    return reverse("ingest_admin:detail", args=[pk]) + query


def _can_publish(request: HttpRequest) -> bool:
    return request.user.has_perm(PUBLISH_PERMISSION)


# Reading -------------------------------------------------------------------------------------


@editors_only
def index(request: HttpRequest) -> HttpResponse:
    inbox_filter = InboxFilter(request.GET)
    candidates = with_sources_and_tags(candidates_waiting(inbox_filter.filters()))
    page = Paginator(candidates, PER_PAGE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "ingest/admin/inbox.html",
        {
            "header_title": _("Inbox"),
            "filter": inbox_filter,
            "page": page,
            "rows": _inbox_rows(page),
            "query": _query(request),
            "page_query": _query(request, keep_page=True),
            "bulk": BulkForm(),
        },
    )


@editors_only
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    form = None
    if candidate.status == Candidate.Status.NEW:
        form = DecisionForm(candidate=candidate, can_publish=_can_publish(request))
    return _candidate_page(request, candidate, form, RejectForm())


def _candidate_page(
    request: HttpRequest, candidate: Candidate, form: DecisionForm | None, reject_form: RejectForm
) -> TemplateResponse:
    candidate = (
        with_sources_and_tags(Candidate.objects.all())
        .select_related("component", "decided_by")
        .get(pk=candidate.pk)
    )
    previous, following = candidate_neighbours(candidate, _waiting(request))
    reason, _colon, note = candidate.reject_reason.partition(": ")
    return TemplateResponse(
        request,
        "ingest/admin/candidate.html",
        {
            "header_title": candidate.title,
            "candidate": candidate,
            "header_html": _highlighted(candidate, "title"),
            "text_html": _highlighted(candidate, "text"),
            "entries": list(candidate.entries.all()),
            "form": form,
            "reject_form": reject_form,
            "reject_reason": dict(REJECT_REASONS).get(reason, reason),
            "reject_note": note,
            "previous": previous,
            "next": following,
            "query": _query(request),
        },
    )


# Deciding ------------------------------------------------------------------------------------


@editors_only
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate.objects.select_related("suggested_story"), pk=pk)
    form = DecisionForm(request.POST, candidate=candidate, can_publish=_can_publish(request))
    if not form.is_valid():
        return _candidate_page(request, candidate, form, RejectForm())
    story, new_story = form.destination()
    publish = form.cleaned_data["publish"]
    try:
        component = services.candidate_accept(
            candidate=candidate,
            tags=form.tag_choice(),
            story=story,
            new_story=new_story,
            publish=publish,
            user=request.user,
        )
    except services.NotAllowed as error:
        messages.error(request, str(error))
        return redirect(_candidate_url(candidate.pk, _query(request)))
    link = component.story_links.select_related("story").first()
    buttons = [
        messages.button(
            reverse("wagtailsnippets_news_component:edit", args=[component.pk]), _("Edit the component")
        )
    ]
    if link:
        buttons.append(
            messages.button(
                reverse("wagtailsnippets_news_story:edit", args=[link.story_id]), _("Edit the story")
            )
        )
    if publish:
        accepted = _("Accepted and published: “%(title)s” on “%(story)s”.")
    else:
        accepted = _("Accepted as a draft: “%(title)s” on “%(story)s”.")
    messages.success(
        request,
        accepted % {"title": component.title, "story": link.story.headline if link else "–"},
        buttons=buttons,
    )
    return _after_decision(request, candidate)


@editors_only
@require_POST
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_object_or_404(Candidate, pk=pk)
    reject_form = RejectForm(request.POST)
    if not reject_form.is_valid():
        form = None
        if candidate.status == Candidate.Status.NEW:
            form = DecisionForm(candidate=candidate, can_publish=_can_publish(request))
        return _candidate_page(request, candidate, form, reject_form)
    try:
        services.candidate_reject(candidate=candidate, reason=reject_form.reason_text(), user=request.user)
    except services.NotAllowed as error:
        messages.error(request, str(error))
        return redirect(_candidate_url(candidate.pk, _query(request)))
    messages.success(request, _("Rejected: “%(title)s”.") % {"title": candidate.title})
    return _after_decision(request, candidate)


def _after_decision(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """On to the next item of the same filtered inbox, or back to the inbox when none is left."""
    following = candidate_after(candidate, _waiting(request))
    if following is None:
        return redirect(reverse("ingest_admin:index") + _query(request))
    return redirect(_candidate_url(following.pk, _query(request)))


@editors_only
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Accept the selected items into their suggested stories as drafts (a bulk accept never
    publishes), or reject them; an item decided meanwhile is reported and the others are done."""
    back = redirect(reverse("ingest_admin:index") + _query(request, keep_page=True))
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return back
    accepting, done = form.cleaned_data["action"] == "accept", 0
    for candidate in form.cleaned_data["candidates"]:
        try:
            if accepting:
                services.candidate_accept(
                    candidate=candidate,
                    tags=tag_choice(suggestions_kept(candidate.tags.all())),
                    story=candidate.suggested_story,
                    new_story=candidate.suggested_story is None,
                    user=request.user,
                )
            else:
                services.candidate_reject(candidate=candidate, reason=form.reason_text(), user=request.user)
        except services.NotAllowed as error:
            messages.warning(request, f"“{candidate.title}”: {error}")
        else:
            done += 1
    if done:
        text = (
            ngettext(
                "Accepted %(count)d item into its suggested story as a draft.",
                "Accepted %(count)d items into their suggested stories as drafts.",
                done,
            )
            if accepting
            else ngettext("Rejected %(count)d item.", "Rejected %(count)d items.", done)
        )
        messages.success(request, text % {"count": done})
    return back


@editors_only
@require_POST
def split(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a wrong merge: the entry becomes an item of its own in the inbox."""
    entry = get_object_or_404(Entry, pk=pk)
    try:
        new = services.entry_split(entry=entry)
    except services.NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is now an item of its own in the inbox.") % {"title": new.title},
            buttons=[messages.button(_candidate_url(new.pk), _("Open it"))],
        )
    return redirect(_candidate_url(entry.candidate_id, _query(request)))
