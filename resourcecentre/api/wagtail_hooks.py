from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views

app_name = "api_admin"
urlpatterns = [
    path("", admin_views.key_index, name="index"),
    path("new/", admin_views.key_create, name="create"),
    path("<int:pk>/revoke/", admin_views.key_revoke, name="revoke"),
]


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("api-keys/", include((urlpatterns, app_name), namespace=app_name))]


class ApiKeysMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("api.view_apikey")


@hooks.register("register_settings_menu_item")
def register_menu_item():
    return ApiKeysMenuItem(_("API keys"), reverse("api_admin:index"), icon_name="key", order=900)
