from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Country, Issue, Region, Sector, Stakeholder


class TermViewSet(SnippetViewSet):
    icon = "tag"
    list_display = ["name", "slug"]
    search_fields = ["name"]


class CountryViewSet(TermViewSet):
    model = Country
    list_display = ["name", "code", "region"]
    list_filter = ["region"]


class TaxonomyGroup(SnippetViewSetGroup):
    menu_label = _("Taxonomy")
    menu_icon = "tag"
    menu_order = 120
    items = (
        CountryViewSet,
        type("RegionViewSet", (TermViewSet,), {"model": Region}),
        type("IssueViewSet", (TermViewSet,), {"model": Issue}),
        type("SectorViewSet", (TermViewSet,), {"model": Sector}),
        type("StakeholderViewSet", (TermViewSet,), {"model": Stakeholder}),
    )


register_snippet(TaxonomyGroup)
