"""Admin pages of the Weekly Update beyond the snippet's own: send a test to me."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.admin.auth import permission_denied

from .emails import weekly_update_test_message
from .models import WeeklyUpdate


def send_test(request, pk: int):
    """Send the issue as it stands (its latest revision, drafts included) to the editor."""
    if not request.user.has_perm("alerts.change_weeklyupdate"):
        return permission_denied(request)
    issue = get_object_or_404(WeeklyUpdate, pk=pk)
    latest = issue.get_latest_revision_as_object() if issue.latest_revision_id else issue
    edit_url = reverse("wagtailsnippets_alerts_weeklyupdate:edit", args=[issue.pk])
    if request.method == "POST":
        if not request.user.email:
            messages.error(request, _("Your account has no e-mail address; add one under Account."))
        else:
            weekly_update_test_message(latest, request.user.email).send()
            messages.success(request, _("A test was sent to %(email)s.") % {"email": request.user.email})
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "alerts/admin/send_test.html",
        {"issue": latest, "edit_url": edit_url, "header_title": _("Send a test of the Weekly Update")},
    )
