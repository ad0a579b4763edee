from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import INBOX_PERMISSION, Feed, IssueKeyword


def _inbox(name: str) -> Callable[..., HttpResponse]:
    """An inbox view, its module imported on the first request: it brings the monitoring
    pipeline and its libraries (rigour, courlan, feedparser: 50 MB), which a web worker that
    only serves readers never needs."""

    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        from .admin_views import inbox

        return getattr(inbox, name)(request, *args, **kwargs)

    return view


class InboxMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return request.user.has_perm(INBOX_PERMISSION)


class InboxViewSet(ViewSet):
    """The editorial inbox (`admin_views.inbox`), first in the Monitoring menu."""

    name = "ingest_admin"
    url_prefix = "monitoring/inbox"
    icon = "tasks"
    menu_label = _("Inbox")
    menu_item_class = InboxMenuItem

    def get_urlpatterns(self) -> list[URLPattern]:
        return [
            path("", _inbox("index"), name="index"),
            path("bulk/", _inbox("bulk"), name="bulk"),
            path("<int:pk>/", _inbox("detail"), name="detail"),
            path("<int:pk>/accept/", _inbox("accept"), name="accept"),
            path("<int:pk>/reject/", _inbox("reject"), name="reject"),
            path("entries/<int:pk>/split/", _inbox("split"), name="split"),
        ]


class FeedViewSet(ModelViewSet):
    model = Feed
    icon = "link-external"
    menu_label = _("Feeds")
    add_to_admin_menu = False
    list_display = ["name", "url", "active", "last_success_at", "failures", "last_error", "total_items"]
    list_filter = ["active", "kind", "language"]
    search_fields = ["name", "url"]
    form_fields = ["name", "url", "kind", "source", "language", "country", "poll_minutes", "active"]
    inspect_view_enabled = True


class IssueKeywordViewSet(ModelViewSet):
    model = IssueKeyword
    icon = "tag"
    menu_label = _("Issue keywords")
    list_display = ["phrase", "issue", "language"]
    list_filter = ["issue", "language"]
    search_fields = ["phrase"]
    form_fields = ["issue", "language", "phrase"]


class MonitoringGroup(ModelViewSetGroup):
    menu_label = _("Monitoring")
    menu_icon = "radio-empty"
    menu_order = 105
    items = (InboxViewSet, FeedViewSet, IssueKeywordViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets() -> MonitoringGroup:
    return MonitoringGroup()
