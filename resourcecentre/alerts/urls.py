import datetime

from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from . import views


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> datetime.date:
        return datetime.date.fromisoformat(value)  # a ValueError here is a 404

    def to_url(self, value: datetime.date) -> str:
        return value.isoformat()


register_converter(IsoDateConverter, "isodate")

app_name = "alerts"

urlpatterns = [
    path(_("follow/"), views.follow, name="follow"),
    path(_("alerts/confirm/<str:token>/"), views.confirm, name="confirm"),
    path(_("alerts/manage/<str:token>/"), views.manage, name="manage"),
    path(_("alerts/manage/<str:token>/export.json"), views.export, name="export"),
    path(_("alerts/unsubscribe/<str:token>/"), views.unsubscribe, name="unsubscribe"),
    path(_("weekly-update/"), views.weekly_update_archive, name="weekly_update_archive"),
    path(_("weekly-update/<feed:feed_format>/"), views.weekly_update_feed, name="weekly_update_feed"),
    path(_("weekly-update/<isodate:day>/"), views.weekly_update, name="weekly_update"),
    path(_("weekly-update/<isodate:day>/<slug:edition>/"), views.weekly_update, name="weekly_update_edition"),
]
