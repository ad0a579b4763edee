from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from resourcecentre.ratelimits import rate_limited

from . import links, queries, services
from .forms import ResponseForm, SizeLimitUploadHandler


@csrf_exempt  # checked by `_respond`, after the upload handler is in place
@rate_limited("respond")
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The company's private page: the allegation, the story, and its response form."""
    handler = SizeLimitUploadHandler(request, settings.RESPONSE_ATTACHMENT_MAX_BYTES)
    request.upload_handlers.insert(0, handler)
    page = _respond(request, token, handler)
    # The address is a credential: keep it out of caches, search engines and other sites'
    # Referer headers (not "no-referrer": browsers then post forms with "Origin: null", which
    # the CSRF check rightly refuses). For the same reason a form with errors is answered
    # 200, not 400: Django logs every 4xx with its path, and this path must stay out of logs.
    add_never_cache_headers(page)
    page["Referrer-Policy"] = "same-origin"
    page["X-Robots-Tag"] = "noindex, nofollow"
    return page


@csrf_protect
def _respond(request: HttpRequest, token: str, handler: SizeLimitUploadHandler) -> HttpResponse:
    try:
        invitation = links.invitation_for_token(token)
    except links.LinkError as error:
        return render(request, "responses/link_error.html", {"message": str(error)}, status=error.status)
    response = services.current_response(invitation)
    form = None
    if request.method == "POST":
        form = ResponseForm(request.POST, request.FILES, too_large=handler.too_large)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "save":
                    services.response_draft_save(
                        invitation=invitation,
                        body=data["body"],
                        attachment=data["attachment"],
                        version=data["version"],
                    )
                    messages.success(
                        request, _("Your draft is saved. You can come back to it with the same link.")
                    )
                else:
                    services.response_submit(
                        invitation=invitation,
                        body=data["body"],
                        attachment=data["attachment"],
                        declines=data["action"] == "decline",
                        version=data["version"],
                    )
                    messages.success(
                        request, _("Thank you. We have received your answer and sent you a receipt.")
                    )
                return redirect(request.path)
            except services.Overtaken as error:
                # Keep what they wrote; a further save is now a deliberate overwrite.
                response = error.response
                form.data = form.data.copy()
                form.data["version"] = response.version
                form.add_error(None, str(error))
            except services.NotAllowed as error:
                form.add_error(None, str(error))
    elif services.can_answer(invitation, response):
        form = ResponseForm(initial={"body": response.body, "version": response.version, "action": "save"})
    return render(
        request,
        "responses/respond.html",
        {
            "invitation": invitation,
            "response": response,
            "form": form,
            "can_answer": services.can_answer(invitation, response),
            "history": queries.invitation_history(invitation),
            "expires": links.link_expires_at(invitation),
            "max_upload": settings.RESPONSE_ATTACHMENT_MAX_BYTES,
        },
    )


def rates(request: HttpRequest) -> HttpResponse:
    return render(request, "responses/rates.html", {"stats": queries.response_rates()})


def rates_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="response-rates.csv"'
    queries.write_rates_csv(response)
    return response
