from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import SiteMessage


class SiteMessageViewSet(SnippetViewSet):
    model = SiteMessage
    icon = "warning"
    menu_label = _("Site messages")
    menu_order = 130
    add_to_admin_menu = True
    list_display = ["title", "starts_at", "ends_at", "audience"]
    panels = [
        FieldPanel("title"),
        FieldPanel("body"),
        FieldRowPanel([FieldPanel("link_label"), FieldPanel("link_url")]),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at"), FieldPanel("audience")]),
    ]


register_snippet(SiteMessageViewSet)
