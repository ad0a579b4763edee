"""Two-factor authentication for editors: a TOTP code after the password, in the Wagtail admin.

django-otp provides the devices, the token check (with its own back-off after wrong codes)
and ``request.user.is_verified()``; wagtail-2fa, the ready-made integration, does not import
on Wagtail 8 (docs/decisions/0010-editor-two-factor-with-django-otp.md). With
``EDITOR_2FA_REQUIRED`` on, an editor who has logged in with a password reaches nothing in
the admin but these two pages until a code is confirmed: setting up an authenticator the
first time, entering a code every later time.
"""

import base64
import io
from collections.abc import Callable

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from resourcecentre.ratelimits import rate_limited

ADMIN_PREFIX = "/admin/"
# Reachable before the code: the two pages themselves, logging in and out, and the admin's
# static helpers the pages need.
OPEN_URL_NAMES = {
    "wagtailadmin_login",
    "wagtailadmin_logout",
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "ops_2fa_verify",
    "ops_2fa_setup",
}


class EditorTwoFactorMiddleware:
    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not settings.EDITOR_2FA_REQUIRED or not request.path_info.startswith(ADMIN_PREFIX):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if request.resolver_match and request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        step = "ops_2fa_verify" if user_has_device(user, confirmed=True) else "ops_2fa_setup"
        return redirect(f"{reverse(step)}?next={request.get_full_path()}")


class TokenForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("wagtailadmin_home")


@never_cache
@login_required(login_url="wagtailadmin_login")
@rate_limited("login")
def verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["otp_token"].strip())
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("otp_token", _("That code is not right, or has expired. Try the current one."))
    return render(request, "ops/two_factor_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue().decode().split("?>", 1)[-1]


@never_cache
@login_required(login_url="wagtailadmin_login")
@rate_limited("login")
def setup(request: HttpRequest) -> HttpResponse:
    if user_has_device(request.user, confirmed=True) and not request.user.is_verified():
        return redirect("ops_2fa_verify")
    device, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("otp_token", _("That code is not right. Check the time on your phone and try again."))
    return render(
        request,
        "ops/two_factor_setup.html",
        {
            "form": form,
            "next": _next(request),
            "secret": base64.b32encode(device.bin_key).decode(),
            # Our own drawing of the otpauth URL (no user input in it), so it is safe to inline.
            "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308
        },
    )
