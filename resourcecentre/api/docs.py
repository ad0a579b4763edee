"""The API's human documentation, served from our own static files.

django-ninja's Swagger UI loads its scripts from a CDN unless `ninja` is an installed app; with
it installed they come from ninja's static files, which the Content-Security-Policy allows and
which work offline. The page is our own template so it is valid, labelled HTML.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger


class OfflineSwagger(Swagger):
    template = "api/docs.html"

    def render_page(self, request: HttpRequest, api, **kwargs: Any) -> HttpResponse:
        # Deep links make each operation's path a link inside its toggle button, which a screen
        # reader cannot reach on its own (axe: nested-interactive).
        settings = {**self.settings, "deepLinking": False, "url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, {"api": api, "swagger_settings": settings})
