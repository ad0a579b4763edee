from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Company


class CompanyViewSet(SnippetViewSet):
    model = Company
    icon = "group"
    menu_label = _("Companies")
    menu_order = 110
    add_to_admin_menu = True
    list_display = ["name", "hq_country"]
    search_fields = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("hq_country"), FieldPanel("parent")]),
        FieldRowPanel([FieldPanel("website"), FieldPanel("listing")]),
        FieldPanel("sectors"),
        FieldPanel("countries"),
        InlinePanel("names", heading=_("Other and former names"), label=_("Name")),
        InlinePanel("identifiers", heading=_("Identifiers"), label=_("Identifier")),
        FieldPanel("language"),
        InlinePanel(
            "contacts",
            heading=_("Contacts for response requests"),
            label=_("Contact"),
            help_text=_("Kept here and offered again with every new response request."),
        ),
    ]


register_snippet(CompanyViewSet)
