from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "opendata"

# Under the language prefix, beside the search page whose parameters the exports take.
urlpatterns = [
    path(_("search/export.csv"), views.search_export, {"export_format": "csv"}, name="export_csv"),
    path(_("search/export.jsonl"), views.search_export, {"export_format": "jsonl"}, name="export_jsonl"),
    path(_("data/"), views.data_page, name="data"),
]

# The dump files, without a language prefix: one stable address per file for scripts.
file_urlpatterns = (
    [
        path("latest.jsonl.gz", views.latest_dump, name="latest"),
        path("<str:name>", views.dump_download, name="file"),
    ],
    "opendata_files",
)
