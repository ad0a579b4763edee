from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
)
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .forms import TranslatedItemForm
from .models import Component, ComponentType, Source, Story

TAXONOMY_PANEL = MultiFieldPanel(
    [
        FieldPanel("companies"),
        FieldPanel("countries"),
        FieldPanel("regions"),
        FieldPanel("issues"),
        FieldPanel("sectors"),
        FieldPanel("stakeholders"),
    ],
    heading=_("Tags"),
)


class ComponentViewSet(SnippetViewSet):
    model = Component
    icon = "doc-full"
    menu_label = _("Components")
    list_display = ["title", "type", "date", "language", "live"]
    list_filter = ["type", "language", "live"]
    search_fields = ["title"]
    ordering = ["-date", "-id"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("type"), FieldPanel("date"), FieldPanel("language")]),
            FieldRowPanel([FieldPanel("author"), FieldPanel("source")]),
            FieldRowPanel([FieldPanel("original_title"), FieldPanel("original_date")]),
            FieldPanel("excerpt"),
            FieldPanel("url"),
            TAXONOMY_PANEL,
            InlinePanel("translations", heading=_("Translations"), label=_("Translation")),
            PublishingPanel(),
        ],
        base_form_class=TranslatedItemForm,
    )


class StoryViewSet(SnippetViewSet):
    model = Story
    icon = "list-ul"
    menu_label = _("Stories")
    list_display = ["headline", "date", "language", "live"]
    list_filter = ["language", "live"]
    search_fields = ["headline"]
    ordering = ["-date", "-id"]
    edit_handler = ObjectList(
        [
            FieldPanel("headline"),
            FieldPanel("summary"),
            FieldRowPanel([FieldPanel("date"), FieldPanel("language")]),
            InlinePanel(
                "translations",
                heading=_("Translations"),
                label=_("Translation"),
                help_text=_(
                    "The headline and summary in other languages; components are translated on their own."
                ),
            ),
            TAXONOMY_PANEL,
            InlinePanel(
                "story_components",
                heading=_("Components"),
                label=_("Component"),
                help_text=_("Choose existing components; search them by title."),
            ),
            PublishingPanel(),
        ],
        base_form_class=TranslatedItemForm,
    )


class SourceViewSet(SnippetViewSet):
    model = Source
    icon = "site"
    list_display = ["name", "website"]
    search_fields = ["name"]


class ComponentTypeViewSet(SnippetViewSet):
    model = ComponentType
    icon = "tag"
    list_display = ["name", "slug", "sort_order"]


class NewsGroup(SnippetViewSetGroup):
    menu_label = _("News")
    menu_icon = "doc-full-inverse"
    menu_order = 100
    items = (StoryViewSet, ComponentViewSet, SourceViewSet, ComponentTypeViewSet)


register_snippet(NewsGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [
        path("news/add-from-url/", admin_views.component_from_url, name="component_from_url"),
        path("news/translations/", admin_views.translation_status, name="news_translation_status"),
    ]


@hooks.register("register_admin_menu_item")
def register_add_from_url_menu_item():
    return MenuItem(_("Add news from URL"), reverse("component_from_url"), icon_name="link", order=101)


class EditorMenuItem(MenuItem):
    """Shown only to those who may open it."""

    def __init__(self, *args, permissions: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.permissions = permissions

    def is_shown(self, request) -> bool:
        return request.user.has_perms(self.permissions)


@hooks.register("register_admin_menu_item")
def register_translation_status_menu_item():
    return EditorMenuItem(
        _("Translation status"),
        reverse("news_translation_status"),
        icon_name="globe",
        order=102,
        permissions=["news.change_story", "news.change_component"],
    )
