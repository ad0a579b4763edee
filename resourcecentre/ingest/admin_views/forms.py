"""The inbox's forms: its filters, an editor's decision on one item, and bulk decisions."""

from collections.abc import Iterable
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.snippets.widgets import AdminSnippetChooser

from resourcecentre.companies.models import Company
from resourcecentre.lib.languages import language_name
from resourcecentre.news.models import Story
from resourcecentre.taxonomy.models import Country, Issue

from ..models import Candidate, Feed, SuggestedTag
from ..queries import (
    InboxFilters,
    companies_waiting,
    languages_waiting,
    sources_monitored,
    suggestions,
    suggestions_kept,
)
from ..services import TagChoice

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


class InboxFilter(forms.Form):
    """What the inbox shows: the waiting candidates, newest first, narrowed by these fields."""

    feed = forms.ModelChoiceField(
        Feed.objects.all(), required=False, label=_("Feed"), empty_label=_("All feeds")
    )
    source = forms.ModelChoiceField(
        sources_monitored(), required=False, label=_("Source"), empty_label=_("All sources")
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
        # The choices are what is waiting, and what is chosen even when no longer waiting.
        self.fields["company"].queryset = companies_waiting(chosen=int(chosen) if chosen.isdigit() else None)
        codes = languages_waiting() | {(data or {}).get("language", "")}
        self.fields["language"].choices = [("", _("All languages"))] + sorted(
            ((code, language_name(code, get_language())) for code in codes if code), key=lambda c: c[1]
        )

    def filters(self) -> InboxFilters:
        """The valid values: one that is not (any more) narrows nothing."""
        if not self.is_bound:
            return InboxFilters()
        self.is_valid()
        data = self.cleaned_data
        return InboxFilters(
            feed=data.get("feed"),
            source=data.get("source"),
            language=data.get("language") or "",
            company=data.get("company"),
            min_confidence=data.get("min_confidence"),
        )


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

    def clean(self) -> dict[str, Any]:
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

    def clean(self) -> dict[str, Any]:
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

    def __init__(self, *args: Any, candidate: Candidate, can_publish: bool, **kwargs: Any) -> None:
        """`can_publish`: whether the editor may publish components; if not, the item can only
        be accepted as a draft, which an editor who may publish can publish later."""
        super().__init__(*args, **kwargs)
        self.candidate = candidate
        suggested = suggestions(candidate)
        self.fields["tags"].queryset = suggested
        self.fields["tags"].label_from_instance = _tag_label
        self.fields["tags"].initial = [tag.pk for tag in suggestions_kept(suggested)]
        choices = [("new", _("A new draft story")), ("other", _("Another story, chosen below"))]
        if candidate.suggested_story:
            headline = candidate.suggested_story.headline
            choices.insert(0, ("suggested", _("The suggested story: %(headline)s") % {"headline": headline}))
        self.fields["story"].choices = choices
        self.fields["story"].initial = choices[0][0]
        if not can_publish:
            publish = self.fields["publish"]
            publish.choices = [("draft", _("Keep as a draft"))]
            publish.help_text = _("You may not publish components; an editor who may can publish the draft.")
            publish.error_messages["invalid_choice"] = _(
                "You may not publish components; accept the item as a draft instead."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("story") == "other" and not data.get("other_story"):
            self.add_error("other_story", _("Choose the other story, or another option above."))
        return data

    def tag_choice(self) -> TagChoice:
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


def tag_choice(tags: Iterable[SuggestedTag], added: Iterable[Company | Country | Issue] = ()) -> TagChoice:
    """The terms of `tags`, and the `added` ones, as the services take them."""
    ids: dict[str, list[int]] = {field: [] for field in TAG_CHOICE_FIELDS.values()}
    for tag in tags:
        ids[TAG_CHOICE_FIELDS[tag.kind]].append(tag.company_id or tag.country_id or tag.issue_id)
    for term in added:
        ids[TAG_CHOICE_FIELDS[term._meta.model_name]].append(term.pk)
    return TagChoice(**{field: tuple(dict.fromkeys(found)) for field, found in ids.items()})
