"""The editors' side of the response mechanism, in the Wagtail admin."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.core.validators import validate_email
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import ModelLogEntry
from wagtail.snippets.widgets import AdminSnippetChooser

from resourcecentre.companies.models import Company
from resourcecentre.news.models import Story

from . import services
from .models import Invitation, Response, ResponseRequest, Status
from .queries import invitation_history

OUTCOMES = [
    (Status.DECLINED.value, _("Declined to respond")),
    (Status.NO_RESPONSE.value, _("Did not respond")),
    (services.OFF_RECORD, _("Responded off the record")),
    (Status.CONTACT_NOT_FOUND.value, _("Contact not found")),
]


# Audit entries the company made through its link (they have no user).
COMPANY_ACTIONS = ("responses.draft", "responses.submit", "responses.decline")


def emails_from_text(text: str) -> list[str]:
    """Addresses separated by commas, semicolons, spaces or lines; ValidationError names a bad one."""
    emails = [e for e in text.replace(",", " ").replace(";", " ").split() if e]
    for email in emails:
        try:
            validate_email(email)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("“%(email)s” is not an e-mail address.") % {"email": email}
            ) from None
    return emails


class StoryChoiceForm(forms.Form):
    story = forms.ModelChoiceField(Story.objects.all(), label=_("Story"), widget=AdminSnippetChooser(Story))


class RequestForm(forms.Form):
    """The allegation, the deadline, and for each company whether to invite it and where."""

    allegation = forms.CharField(
        label=_("Allegation"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_(
            "The company reads this text as it stands; its name is added to the non-response notice."
        ),
    )
    deadline = forms.DateTimeField(label=_("Deadline"), widget=AdminDateTimeInput)
    other_company = forms.ModelChoiceField(
        Company.objects.all(),
        required=False,
        label=_("Another company"),
        help_text=_("A company the story is not tagged with."),
        widget=AdminSnippetChooser(Company),
    )
    other_emails = forms.CharField(label=_("Its contact addresses"), required=False)

    def __init__(self, *args, companies: list[Company], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.companies = companies
        for company in companies:
            self.fields[f"invite_{company.pk}"] = forms.BooleanField(
                label=_("Invite %(company)s") % {"company": company.name}, required=False, initial=True
            )
            self.fields[f"emails_{company.pk}"] = forms.CharField(
                label=_("Contact addresses of %(company)s") % {"company": company.name},
                required=False,
                initial=", ".join(services.contact_emails(company)),
                help_text=_(
                    "Kept for the next request. Without one, the invitation waits as “contact not found”."
                ),
            )

    def company_rows(self) -> list[tuple]:
        return [(c, self[f"invite_{c.pk}"], self[f"emails_{c.pk}"]) for c in self.companies]

    def clean(self):
        data = super().clean()
        contacts = {}
        for company in self.companies:
            try:
                emails = emails_from_text(data.get(f"emails_{company.pk}", ""))
            except forms.ValidationError as error:
                self.add_error(f"emails_{company.pk}", error)
                continue
            if data.get(f"invite_{company.pk}"):
                contacts[company] = emails
        if data.get("other_company"):
            try:
                contacts[data["other_company"]] = emails_from_text(data.get("other_emails", ""))
            except forms.ValidationError as error:
                self.add_error("other_emails", error)
        if not contacts and not self.errors:
            raise forms.ValidationError(_("Choose at least one company to invite."))
        data["contacts"] = contacts
        return data


@permission_required("responses.view_responserequest", raise_exception=True)
def request_index(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    requests = ResponseRequest.objects.select_related("story").prefetch_related("invitations__company")
    if status in Status.values:
        requests = requests.filter(invitations__status=status).distinct()
    page = Paginator(requests, 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "responses/admin/index.html",
        {"page": page, "statuses": Status.choices, "status": status, "header_title": _("Response requests")},
    )


@permission_required("responses.add_responserequest", raise_exception=True)
def request_create(request: HttpRequest) -> HttpResponse:
    story_form = StoryChoiceForm(request.GET or None)
    if not story_form.is_valid():
        return TemplateResponse(
            request,
            "responses/admin/choose_story.html",
            {"form": StoryChoiceForm(), "header_title": _("Request company responses")},
        )
    story = story_form.cleaned_data["story"]
    companies = list(story.companies.all())
    form = RequestForm(
        request.POST or None, companies=companies, initial={"deadline": services.default_deadline()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            response_request = services.response_request_open(
                story=story,
                allegation=form.cleaned_data["allegation"],
                deadline=form.cleaned_data["deadline"],
                contacts=form.cleaned_data["contacts"],
                user=request.user,
            )
        except services.NotAllowed as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The invitations are on their way."))
            return redirect("responses_admin:detail", response_request.pk)
    return TemplateResponse(
        request,
        "responses/admin/create.html",
        {"form": form, "story": story, "header_title": _("Request company responses")},
    )


@permission_required("responses.view_responserequest", raise_exception=True)
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response_request = get_object_or_404(ResponseRequest.objects.select_related("story", "opened_by"), pk=pk)
    invitations = [
        {
            "invitation": invitation,
            "rounds": invitation_history(invitation),
            "log": ModelLogEntry.objects.for_instance(invitation)
            .select_related("user")
            .order_by("-timestamp"),
            "emails": ", ".join(services.contact_emails(invitation.company)),
        }
        for invitation in response_request.invitations.select_related(
            "company", "response_component", "non_response_component"
        )
    ]
    return TemplateResponse(
        request,
        "responses/admin/detail.html",
        {
            "response_request": response_request,
            "invitations": invitations,
            "default_deadline": services.default_deadline(),
            "outcomes": OUTCOMES,
            "company_actions": COMPANY_ACTIONS,
            "header_title": _("Response request"),
        },
    )


class ActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, a)
            for a in (
                "publish",
                "record",
                "withdraw",
                "reopen",
                "rejoinder",
                "publish_non_response",
                "contacts",
            )
        ]
    )
    outcome = forms.ChoiceField(choices=[(o, o) for o in services.RECORDABLE], required=False)
    deadline = forms.DateTimeField(required=False)
    text = forms.CharField(required=False, max_length=100_000)
    author = forms.CharField(required=False, max_length=255)
    emails = forms.CharField(required=False)


# The steps that put a component on the site need the right to publish components.
PUBLISHING_ACTIONS = ("publish", "rejoinder", "publish_non_response")


@require_POST
@permission_required("responses.change_invitation", raise_exception=True)
def invitation_action(request: HttpRequest, pk: int) -> HttpResponse:
    """One editor step on one invitation; the service says when it is not allowed."""
    invitation = get_object_or_404(Invitation, pk=pk)
    form = ActionForm(request.POST)
    back = redirect(reverse("responses_admin:detail", args=[invitation.request_id]) + f"#invitation-{pk}")
    if not form.is_valid():
        messages.error(
            request, _("That request was incomplete: %(errors)s") % {"errors": form.errors.as_text()}
        )
        return back
    data, user = form.cleaned_data, request.user
    if data["action"] in PUBLISHING_ACTIONS and not user.has_perm("news.publish_component"):
        raise PermissionDenied
    try:
        match data["action"]:
            case "publish":
                services.response_publish(invitation=invitation, user=user)
            case "record":
                services.invitation_outcome_record(invitation=invitation, outcome=data["outcome"], user=user)
            case "withdraw":
                services.invitation_withdraw(invitation=invitation, user=user)
            case "reopen":
                services.invitation_reopen(invitation=invitation, deadline=_deadline(data), user=user)
            case "rejoinder":
                if not data["text"].strip():
                    raise services.NotAllowed(_("Write the rejoinder."))
                services.rejoinder_add(
                    invitation=invitation,
                    text=data["text"],
                    author=data["author"],
                    deadline=_deadline(data),
                    user=user,
                )
            case "publish_non_response":
                services.non_response_publish(invitation=invitation, user=user)
            case "contacts":
                services.invitation_contacts_add(
                    invitation=invitation, emails=emails_from_text(data["emails"]), user=user
                )
    except (services.NotAllowed, forms.ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Done: %(company)s.") % {"company": invitation.company.name})
    return back


def _deadline(data: dict) -> datetime.datetime:
    return data["deadline"] or services.default_deadline()


@permission_required("responses.view_responserequest", raise_exception=True)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A company's attachment, for editors only, before and after publication."""
    response = get_object_or_404(Response, pk=pk)
    if not response.attachment:
        raise Http404
    return FileResponse(
        response.attachment.open("rb"),
        as_attachment=True,
        filename=f"response-{response.invitation_id}-{response.round}.pdf",
        content_type="application/pdf",
    )
