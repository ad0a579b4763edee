"""The editorial inbox in the Wagtail admin: what the monitoring brought in, for editors to
accept (with corrected tags, on a story), reject with a reason, or split when wrongly merged.

Every decision goes through `services`; the inbox's filters travel in the query string from
the list to each item and back, so that after a decision the next item is the next one of
the same filtered list.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.snippets.widgets import AdminSnippetChooser

from resourcecentre.companies.models import Company
from resourcecentre.lib.html import mark_spans
from resourcecentre.lib.languages import language_name
from resourcecentre.news.models import Source, Story
from resourcecentre.taxonomy.models import Country, Issue

from . import services
from .models import Candidate, Entry, Feed, SuggestedTag
from .tagging import SUGGEST_THRESHOLD

PERMISSION = "ingest.change_candidate"
# The tagger's suggestions at least this sure are kept unless the editor unticks them.
KEEP_CONFIDENCE = SUGGEST_THRESHOLD  # what the tagger calls a suggestion
PER_PAGE = 50
BEST_TAGS = 5
REJECT_REASONS = [
    ("off-topic", _("Off-topic")),
    ("duplicate", _("Duplicate")),
    ("not-about-a-company", _("Not about a company")),
    ("low-quality", _("Low quality")),
    ("other", _("Other")),
]
# SuggestedTag.kind (and the model name of its term): the field of services.TagChoice.
TAG_CHOICE_FIELDS = {"company": "companies", "country": "countries", "issue": "issues"}
CONFIDENCES = [("", _("Any")), ("0.3", "30 %"), ("0.5", "50 %"), ("0.7", "70 %"), ("0.9", "90 %")]


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


# Forms ---------------------------------------------------------------------------------------


class InboxFilter(forms.Form):
    """What the inbox shows: the waiting candidates, newest first, narrowed by these fields."""

    feed = forms.ModelChoiceField(
        Feed.objects.all(), required=False, label=_("Feed"), empty_label=_("All feeds")
    )
    source = forms.ModelChoiceField(
        Source.objects.filter(feeds__isnull=False).distinct().order_by("name"),
        required=False,
        label=_("Source"),
        empty_label=_("All sources"),
    )
    language = forms.ChoiceField(required=False, label=_("Language"))
    company = forms.ModelChoiceField(
        Company.objects.none(), required=False, label=_("Company"), empty_label=_("All companies")
    )
    min_confidence = forms.TypedChoiceField(
        choices=CONFIDENCES, coerce=float, empty_value=None, required=False, label=_("Minimum confidence")
    )

    def __init__(self, data: QueryDict | None = None) -> None:
        super().__init__(data)
        chosen = (data or {}).get("company", "")
        # The choices are what is waiting, and what is chosen even when no longer waiting, so
        # that a filtered list stays filtered after its last item is decided.
        tagged = SuggestedTag.objects.filter(
            candidate__status=Candidate.Status.NEW, kind=SuggestedTag.Kind.COMPANY
        )
        in_inbox = Q(pk__in=tagged.values("company_id"))
        self.fields["company"].queryset = Company.objects.filter(
            in_inbox | Q(pk=chosen) if chosen.isdigit() else in_inbox
        ).order_by("name")
        waiting = Candidate.objects.filter(status=Candidate.Status.NEW).order_by()
        codes = set(waiting.values_list("language", flat=True).distinct())
        codes.add((data or {}).get("language", ""))
        self.fields["language"].choices = [("", _("All languages"))] + sorted(
            ((code, language_name(code, get_language())) for code in codes if code), key=lambda c: c[1]
        )

    def candidates(self) -> QuerySet[Candidate]:
        data = {}
        if self.is_bound:
            self.is_valid()  # keeps the valid values: one that is not (any more) narrows nothing
            data = self.cleaned_data
        found = Candidate.objects.filter(status=Candidate.Status.NEW)
        if data.get("feed"):
            found = found.filter(pk__in=Entry.objects.filter(feed=data["feed"]).values("candidate_id"))
        if data.get("source"):
            found = found.filter(
                pk__in=Entry.objects.filter(feed__source=data["source"]).values("candidate_id")
            )
        if data.get("language"):
            found = found.filter(language=data["language"])
        if data.get("company"):
            found = found.filter(
                pk__in=SuggestedTag.objects.filter(company=data["company"]).values("candidate_id")
            )
        if data.get("min_confidence") is not None:
            found = found.filter(confidence__gte=data["min_confidence"])
        return found.order_by("-published_at", "-id")


class RejectForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("", _("Choose a reason"))] + REJECT_REASONS,
        required=False,
        label=_("Reason"),
        widget=forms.Select(attrs={"data-inbox-reason": ""}),
    )
    note = forms.CharField(
        required=False, max_length=200, label=_("Details"), help_text=_("Needed when the reason is “Other”.")
    )

    def clean(self):
        data = super().clean()
        if not data.get("reason"):
            self.add_error("reason", _("Choose a reason for rejecting."))
        elif data["reason"] == "other" and not data.get("note", "").strip():
            self.add_error("note", _("Say why the item is rejected."))
        return data

    def reason_text(self) -> str:
        """What is recorded: the reason's code, and the editor's details after a colon."""
        code, note = self.cleaned_data["reason"], self.cleaned_data["note"].strip()
        return f"{code}: {note}" if note else code


class BulkForm(RejectForm):
    action = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))])
    candidates = forms.ModelMultipleChoiceField(
        Candidate.objects.select_related("suggested_story").prefetch_related("tags"),
        error_messages={"required": _("Select at least one item.")},
    )

    def clean(self):
        if self.cleaned_data.get("action") == "reject":
            return super().clean()
        return self.cleaned_data


class DecisionForm(forms.Form):
    """The editor's corrections of one candidate, and where it goes."""

    tags = forms.ModelMultipleChoiceField(
        SuggestedTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Suggested tags"),
        help_text=_("Untick what is wrong."),
    )
    add_company = forms.ModelChoiceField(
        Company.objects.all(), required=False, label=_("Add a company"), widget=AdminSnippetChooser(Company)
    )
    add_country = forms.ModelChoiceField(
        Country.objects.order_by("name"), required=False, label=_("Add a country"), empty_label="–"
    )
    add_issue = forms.ModelChoiceField(
        Issue.objects.order_by("name"), required=False, label=_("Add an issue"), empty_label="–"
    )
    story = forms.ChoiceField(widget=forms.RadioSelect, label=_("Story"))
    other_story = forms.ModelChoiceField(
        Story.objects.all(), required=False, label=_("Another story"), widget=AdminSnippetChooser(Story)
    )
    publish = forms.TypedChoiceField(
        choices=[("draft", _("Keep as a draft")), ("now", _("Publish now"))],
        coerce=lambda value: value == "now",
        initial="draft",
        widget=forms.RadioSelect,
        label=_("Publication"),
    )

    def __init__(self, *args, candidate: Candidate, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        suggested = candidate.tags.filter(origin=SuggestedTag.Origin.TAGGER).select_related(
            "company", "country", "issue"
        )
        self.fields["tags"].queryset = suggested
        self.fields["tags"].label_from_instance = _tag_label
        self.fields["tags"].initial = [tag.pk for tag in suggested if tag.confidence >= KEEP_CONFIDENCE]
        choices = [("new", _("A new draft story")), ("other", _("Another story, chosen below"))]
        if candidate.suggested_story:
            headline = candidate.suggested_story.headline
            choices.insert(0, ("suggested", _("The suggested story: %(headline)s") % {"headline": headline}))
        self.fields["story"].choices = choices
        self.fields["story"].initial = choices[0][0]

    def clean(self):
        data = super().clean()
        if data.get("story") == "other" and not data.get("other_story"):
            self.add_error("other_story", _("Choose the other story, or another option above."))
        return data

    def tag_choice(self) -> services.TagChoice:
        data = self.cleaned_data
        added = [data["add_company"], data["add_country"], data["add_issue"]]
        return tag_choice(data["tags"], added=[term for term in added if term is not None])

    def destination(self) -> tuple[Story | None, bool]:
        """The story to accept into, and whether a new one is made."""
        match self.cleaned_data["story"]:
            case "suggested":
                return self.candidate.suggested_story, False
            case "new":
                return None, True
            case _:
                return self.cleaned_data["other_story"], False


def _tag_label(tag: SuggestedTag) -> str:
    return f"{tag.term} – {tag.get_kind_display()}, {tag.confidence * 100:.0f} %"


def tag_choice(
    tags: Iterable[SuggestedTag], added: Iterable[Company | Country | Issue] = ()
) -> services.TagChoice:
    """The terms of `tags`, and the `added` ones, as the services take them."""
    ids: dict[str, list[int]] = {field: [] for field in TAG_CHOICE_FIELDS.values()}
    for tag in tags:
        ids[TAG_CHOICE_FIELDS[tag.kind]].append(tag.company_id or tag.country_id or tag.issue_id)
    for term in added:
        ids[TAG_CHOICE_FIELDS[term._meta.model_name]].append(term.pk)
    return services.TagChoice(**{field: tuple(dict.fromkeys(found)) for field, found in ids.items()})


def suggested_tag_choice(candidate: Candidate) -> services.TagChoice:
    """The tags a bulk accept keeps: the tagger's suggestions it is sure enough of."""
    return tag_choice(
        tag
        for tag in candidate.tags.all()
        if tag.origin == SuggestedTag.Origin.TAGGER and tag.confidence >= KEEP_CONFIDENCE
    )


# Reading -------------------------------------------------------------------------------------


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


def _with_sources_and_tags(candidates: QuerySet[Candidate]) -> QuerySet[Candidate]:
    return candidates.select_related("suggested_story").prefetch_related(
        Prefetch("entries", queryset=Entry.objects.select_related("feed").order_by("published_at", "pk")),
        Prefetch("tags", queryset=SuggestedTag.objects.select_related("company", "country", "issue")),
    )


def _query(request: HttpRequest, *, keep_page: bool = False) -> str:
    """The inbox's filters from the query string, to carry on to the next page."""
    params = request.GET.copy()
    if not keep_page:
        params.pop("p", None)
    return f"?{params.urlencode()}" if params else ""


def _highlighted(candidate: Candidate, field: str) -> str:
    """The field's text, escaped, with the spans of the tags found in it marked.

    A span is marked only where it still covers the text it was found in (a split can take
    the text away from a candidate).
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


def _newer(candidate: Candidate) -> Q:
    """The items above this one in the inbox, which lists the newest first."""
    at = candidate.published_at
    return Q(published_at__gt=at) | Q(published_at=at, pk__gt=candidate.pk)


def _neighbours(candidate: Candidate, inbox: InboxFilter) -> tuple[Candidate | None, Candidate | None]:
    """The items before and after this one in the filtered inbox."""
    waiting = inbox.candidates().exclude(pk=candidate.pk)
    previous = waiting.filter(_newer(candidate)).order_by("published_at", "id").first()
    return previous, waiting.exclude(_newer(candidate)).first()


def _candidate_url(pk: int, query: str = "") -> str:
    return reverse("ingest_admin:detail", args=[pk]) + query


# Views ---------------------------------------------------------------------------------------


def inbox(request: HttpRequest) -> HttpResponse:
    _require(request)
    inbox_filter = InboxFilter(request.GET)
    candidates = _with_sources_and_tags(inbox_filter.candidates())
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


def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    candidate = get_object_or_404(Candidate, pk=pk)
    form = DecisionForm(candidate=candidate) if candidate.status == Candidate.Status.NEW else None
    return _candidate_page(request, candidate, form, RejectForm())


def _candidate_page(
    request: HttpRequest, candidate: Candidate, form: DecisionForm | None, reject_form: RejectForm
) -> TemplateResponse:
    candidate = (
        _with_sources_and_tags(Candidate.objects.all())
        .select_related("component", "decided_by")
        .get(pk=candidate.pk)
    )
    previous, following = _neighbours(candidate, InboxFilter(request.GET))
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


@require_POST
def candidate_accept(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    candidate = get_object_or_404(Candidate.objects.select_related("suggested_story"), pk=pk)
    form = DecisionForm(request.POST, candidate=candidate)
    if not form.is_valid():
        return _candidate_page(request, candidate, form, RejectForm())
    story, new_story = form.destination()
    publish = form.cleaned_data["publish"]
    try:
        component = services.accept_candidate(
            candidate,
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
    state = _("published") if publish else _("as a draft")
    messages.success(
        request,
        _("Accepted, %(state)s: “%(title)s” on “%(story)s”.")
        % {"state": state, "title": component.title, "story": link.story.headline if link else "–"},
        buttons=buttons,
    )
    return _after_decision(request, candidate)


@require_POST
def candidate_reject(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request)
    candidate = get_object_or_404(Candidate, pk=pk)
    reject_form = RejectForm(request.POST)
    if not reject_form.is_valid():
        form = DecisionForm(candidate=candidate) if candidate.status == Candidate.Status.NEW else None
        return _candidate_page(request, candidate, form, reject_form)
    try:
        services.reject_candidate(candidate, reason=reject_form.reason_text(), user=request.user)
    except services.NotAllowed as error:
        messages.error(request, str(error))
        return redirect(_candidate_url(candidate.pk, _query(request)))
    messages.success(request, _("Rejected: “%(title)s”.") % {"title": candidate.title})
    return _after_decision(request, candidate)


def _after_decision(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    """On to the next item of the same filtered inbox, or back to the inbox when none is left."""
    waiting = InboxFilter(request.GET).candidates()
    following = waiting.exclude(_newer(candidate)).first() or waiting.first()
    if following is None:
        return redirect(reverse("ingest_admin:index") + _query(request))
    return redirect(_candidate_url(following.pk, _query(request)))


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Accept the selected items into their suggested stories as drafts, or reject them; an item
    decided meanwhile is reported and the others are done."""
    _require(request)
    back = redirect(reverse("ingest_admin:index") + _query(request, keep_page=True))
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return back
    accept, done = form.cleaned_data["action"] == "accept", 0
    for candidate in form.cleaned_data["candidates"]:
        try:
            if accept:
                services.accept_candidate(
                    candidate,
                    tags=suggested_tag_choice(candidate),
                    story=candidate.suggested_story,
                    new_story=candidate.suggested_story is None,
                    user=request.user,
                )
            else:
                services.reject_candidate(candidate, reason=form.reason_text(), user=request.user)
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
            if accept
            else ngettext("Rejected %(count)d item.", "Rejected %(count)d items.", done)
        )
        messages.success(request, text % {"count": done})
    return back


@require_POST
def entry_split(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a wrong merge: the entry becomes an item of its own in the inbox."""
    _require(request)
    entry = get_object_or_404(Entry, pk=pk)
    try:
        new = services.split(entry)
    except services.NotAllowed as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("“%(title)s” is now an item of its own in the inbox.") % {"title": new.title},
            buttons=[messages.button(_candidate_url(new.pk), _("Open it"))],
        )
    return redirect(_candidate_url(entry.candidate_id, _query(request)))
