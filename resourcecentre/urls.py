from django.conf.urls.i18n import i18n_patterns
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_page
from django.views.generic import TemplateView
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from resourcecentre import converters  # noqa: F401  (registers the URL converters)
from resourcecentre.alerts.views import bounce_webhook
from resourcecentre.api.urls import urls as api_urls
from resourcecentre.news.views import home
from resourcecentre.opendata.urls import file_urlpatterns as open_data_files
from resourcecentre.site_messages.views import hide as hide_site_message

from . import views
from .sitemaps import SITEMAPS

SITEMAP_CACHE_SECONDS = 3600

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path(
        "sitemap.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_page(SITEMAP_CACHE_SECONDS)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
    path("site-message/hide/", hide_site_message, name="hide_site_message"),
    path("alerts/bounces/", bounce_webhook, name="alerts_bounce_webhook"),
    # Health, readiness and metrics: outside the language prefix, for probes and scrapers.
    path("", include("resourcecentre.ops.urls")),
    # The open data dumps, one address per file whatever the reader's language.
    path("data/", include(open_data_files)),
    # Outside the language prefix: one API whatever the reader's language.
    path("api/v1/", api_urls),
]

urlpatterns += i18n_patterns(
    path("", home, name="home"),
    path(_("about/"), TemplateView.as_view(template_name="about.html"), name="about"),
    path("", include("resourcecentre.news.urls")),
    path("", include("resourcecentre.companies.urls")),
    path("", include("resourcecentre.responses.urls")),
    path("", include("resourcecentre.taxonomy.urls")),
    path("", include("resourcecentre.search.urls")),
    path("", include("resourcecentre.alerts.urls")),
    path("", include("resourcecentre.opendata.urls")),
)
