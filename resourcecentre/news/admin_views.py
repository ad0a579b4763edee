from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied

from . import queries
from .services import component_draft_from_url

TRANSLATION_STATUS_PAGE_SIZE = 50


class UrlForm(forms.Form):
    url = forms.URLField(label=_("Address of the article"), max_length=2000, assume_scheme="https")


def component_from_url(request):
    """Paste a URL; get a draft component filled in from the page, to finish and publish."""
    if not request.user.has_perm("news.add_component"):
        return permission_denied(request)
    form = UrlForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        component, problem = component_draft_from_url(url=form.cleaned_data["url"])
        if problem:
            messages.warning(
                request, _("We could not read that page (%s). Fill in the details below.") % problem
            )
        else:
            messages.success(request, _("Check the details we found, complete them and publish."))
        return redirect(reverse("wagtailsnippets_news_component:edit", args=[component.pk]))
    return TemplateResponse(
        request, "news/admin/component_from_url.html", {"form": form, "header_title": _("Add news from URL")}
    )


@permission_required(["news.change_story", "news.change_component"], raise_exception=True)
def translation_status(request: HttpRequest) -> HttpResponse:
    """Stories or components against the interface languages: which ones each lacks."""
    languages = settings.LANGUAGES
    kind = "component" if request.GET.get("kind") == "component" else "story"
    language = request.GET.get("language", "")
    if language not in dict(languages):
        language = ""
    items = queries.translation_status(kind=kind, language=language)
    page = Paginator(items, TRANSLATION_STATUS_PAGE_SIZE).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "news/admin/translation_status.html",
        {
            "page": page,
            "rows": queries.translation_rows(list(page), [code for code, _name in languages]),
            "languages": languages,
            "kind": kind,
            "language": language,
            "header_title": _("Translation status"),
        },
    )
