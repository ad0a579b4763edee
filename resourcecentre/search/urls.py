from django.urls import path
from django.utils.translation import gettext_lazy as _

from resourcecentre.feeds.views import search_feed

from . import views

app_name = "search"

urlpatterns = [
    path(_("search/"), views.search_page, name="search"),
    path(_("search/<feed:feed_format>/"), search_feed, name="search_feed"),
    path(_("search/companies.json"), views.company_autocomplete, name="company_autocomplete"),
]
