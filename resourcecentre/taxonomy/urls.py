from django.urls import path
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from resourcecentre.feeds.views import term_feed

from . import views

app_name = "taxonomy"

# One pair of routes per vocabulary, so that each section name can be translated.
SECTIONS = {
    "countries": _("countries/"),
    "regions": _("regions/"),
    "issues": _("issues/"),
    "sectors": _("sectors/"),
    "stakeholders": _("stakeholders/"),
}

urlpatterns = []
for kind, section in SECTIONS.items():
    urlpatterns += [
        path(format_lazy("{}<uslug:slug>/", section), views.term, {"kind": kind}, name=kind),
        path(
            format_lazy("{}<uslug:slug>/<feed:feed_format>/", section),
            term_feed,
            {"kind": kind},
            name=f"{kind}_feed",
        ),
    ]
