from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.auth import permission_denied

from .services import component_draft_from_url


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
