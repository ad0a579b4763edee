from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "responses"

urlpatterns = [
    path(_("responses/"), views.rates, name="rates"),
    path(_("responses/response-rates.csv"), views.rates_csv, name="rates_csv"),
    path(_("respond/<str:token>/"), views.respond, name="respond"),
]
