"""The admin's API keys: issue a key (shown once), list keys, revoke one."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from . import services
from .models import ApiKey


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "owner", "rate"]


@permission_required("api.view_apikey", raise_exception=True)
def key_index(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "api/admin/index.html",
        {"keys": ApiKey.objects.select_related("created_by"), "header_title": _("API keys")},
    )


@never_cache
@permission_required("api.add_apikey", raise_exception=True)
def key_create(request: HttpRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        api_key, key = services.api_key_issue(**form.cleaned_data, created_by=request.user)
        # Rendered, not redirected: the key exists only in this answer.
        return TemplateResponse(
            request,
            "api/admin/issued.html",
            {"api_key": api_key, "key": key, "header_title": _("API key issued")},
        )
    return TemplateResponse(
        request, "api/admin/create.html", {"form": form, "header_title": _("New API key")}
    )


@require_POST
@permission_required("api.change_apikey", raise_exception=True)
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, pk=pk)
    services.api_key_revoke(api_key=api_key)
    messages.success(request, _("The key “%s” was revoked.") % api_key.name)
    return redirect("api_admin:index")
