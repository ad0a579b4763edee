from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "responses_admin"
urlpatterns = [
    path("", admin_views.request_index, name="index"),
    path("new/", admin_views.request_create, name="create"),
    path("<int:pk>/", admin_views.request_detail, name="detail"),
    path("invitations/<int:pk>/", admin_views.invitation_action, name="action"),
    path("attachments/<int:pk>/", admin_views.attachment, name="attachment"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("responses/", include((urlpatterns, app_name), namespace=app_name))]


class ResponsesMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("responses.view_responserequest")


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return ResponsesMenuItem(
        _("Company responses"), reverse("responses_admin:index"), icon_name="mail", order=120
    )


# The audit trail of every step, in Wagtail's log (Reports › Site history, and each request's page).
LOG_ACTIONS = {
    "responses.invite": (_("Invite to respond"), _("Invited to respond")),
    "responses.contact_not_found": (_("Contact not found"), _("No contact address: not sent")),
    "responses.remind": (_("Remind"), _("Reminder sent")),
    "responses.draft": (_("Save response draft"), _("Draft saved by the company")),
    "responses.submit": (_("Submit response"), _("Response submitted by the company")),
    "responses.decline": (_("Decline to respond"), _("The company declined to respond")),
    "responses.deadline_passed": (_("Deadline passed"), _("Deadline passed without an answer")),
    "responses.publish": (_("Publish response"), _("Response published on the story")),
    "responses.publish_non_response": (_("Publish non-response"), _("Non-response notice published")),
    "responses.record": (_("Record outcome"), _("Outcome recorded")),
    "responses.withdraw": (_("Withdraw"), _("Invitation withdrawn")),
    "responses.reopen": (_("Re-open"), _("Re-opened with a new link")),
    "responses.rejoinder": (_("Rejoinder"), _("Rejoinder published; the company is invited to reply")),
    "responses.email_sent": (_("E-mail sent"), _("E-mail sent to the company")),
    "responses.contacts": (_("Contacts changed"), _("Contact addresses for response requests changed")),
    "responses.unpublish_non_response": (
        _("Unpublish non-response"),
        _("Non-response notice taken off the site: the company answered"),
    ),
}


@hooks.register("register_log_actions")
def register_log_actions(actions):
    for action, (label, message) in LOG_ACTIONS.items():
        actions.register_action(action, label, message)
