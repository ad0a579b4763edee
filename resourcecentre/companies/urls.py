from django.urls import path
from django.utils.translation import gettext_lazy as _

from resourcecentre.feeds.views import company_feed

from . import views

app_name = "companies"

urlpatterns = [
    path(_("companies/"), views.index, name="index"),
    path(_("companies/<uslug:slug>/"), views.company, name="company"),
    path(_("companies/<uslug:slug>/<feed:feed_format>/"), company_feed, name="company_feed"),
]
