from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, Panel, PublishingPanel
from wagtail.admin.widgets.button import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views, queries
from .models import WeeklyUpdate


class SuggestionsPanel(Panel):
    """The week's most updated and most followed stories, for the editor to choose from."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "alerts/admin/suggestions_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["suggestions"] = queries.weekly_update_suggestions()
            return context


class WeeklyUpdateViewSet(SnippetViewSet):
    model = WeeklyUpdate
    icon = "mail"
    menu_label = _("Weekly Update")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["subject", "date", "language", "region", "live", "queued_at"]
    list_filter = ["language", "live"]
    search_fields = ["subject"]
    ordering = ["-date", "language"]
    panels = [
        FieldPanel("subject"),
        FieldRowPanel([FieldPanel("date"), FieldPanel("language"), FieldPanel("region")]),
        FieldPanel("intro"),
        SuggestionsPanel(heading=_("Suggestions")),
        InlinePanel("stories", heading=_("Stories"), label=_("Story"), min_num=1),
        PublishingPanel(),
    ]


register_snippet(WeeklyUpdateViewSet)


@hooks.register("register_admin_urls")
def urls():
    return [
        path("weekly-update/<int:pk>/send-test/", admin_views.send_test, name="alerts_weekly_update_test")
    ]


@hooks.register("register_snippet_listing_buttons")
def send_test_button(snippet, user, next_url=None):
    if isinstance(snippet, WeeklyUpdate) and user.has_perm("alerts.change_weeklyupdate"):
        yield Button(
            _("Send a test to me"),
            reverse("alerts_weekly_update_test", args=[snippet.pk]),
            icon_name="mail",
            priority=30,
        )
