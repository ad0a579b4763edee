"""The follow page, the signed-link pages of a subscriber, and the Weekly Update archive.

Pages behind a signed link are never cached, kept out of search engines and of other sites'
Referer headers, and answer a form with errors with 200 (Django logs 4xx with their path,
and the path is a credential), as the company's private page does.
"""

import datetime
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import constant_time_compare
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from resourcecentre.feeds.generators import Entry, entry_id, feed_response
from resourcecentre.i18n import reader_version
from resourcecentre.lib.dates import midnight_utc
from resourcecentre.ratelimits import rate_limited

from . import links, queries, services
from .forms import AlertForm, FollowForm, FrequencyForm, LanguageForm
from .models import AlertKind, Frequency, Suppression, WeeklyUpdate


def _private(page: HttpResponse) -> HttpResponse:
    add_never_cache_headers(page)
    page["Referrer-Policy"] = "same-origin"
    page["X-Robots-Tag"] = "noindex, nofollow"
    return page


def _link_error(request: HttpRequest, error: links.LinkError) -> HttpResponse:
    return _private(
        render(request, "responses/link_error.html", {"message": str(error)}, status=error.status)
    )


@require_http_methods(["GET", "POST"])
@rate_limited("follow")
def follow(request: HttpRequest) -> HttpResponse:
    """The form behind every page's "Follow by e-mail" link; the page's filter is in the URL."""
    target = queries.follow_target(request.GET)
    if target is None:
        return render(request, "alerts/follow_unknown.html", status=404)
    form = FollowForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        services.follow_request(
            email=form.cleaned_data["email"],
            language=form.cleaned_data["language"],
            target=target,
            frequency=form.cleaned_data["frequency"],
        )
        page = render(
            request, "alerts/follow_sent.html", {"target": target, "days": settings.ALERTS_CONFIRM_DAYS}
        )
    else:
        page = render(
            request,
            "alerts/follow.html",
            {"target": target, "form": form, "weekly": target.kind == AlertKind.WEEKLY_UPDATE},
        )
    add_never_cache_headers(page)  # it holds a CSRF token
    page["X-Robots-Tag"] = "noindex"
    return page


@require_http_methods(["GET", "POST"])
@rate_limited("follow")
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """A button, not an action on GET: mail scanners that open links must not confirm."""
    try:
        alert = links.alert_for_confirm_token(token)
    except links.LinkError as error:
        return _link_error(request, error)
    if request.method == "POST":
        alert = services.alert_confirm(alert=alert)
        return _private(
            render(
                request,
                "alerts/confirmed.html",
                {"alert": alert, "manage_url": links.manage_url(alert.subscriber)},
            )
        )
    return _private(render(request, "alerts/confirm.html", {"alert": alert}))


MANAGE_ACTIONS = {"frequency", "delete_alert", "language", "weekly_update", "revoke", "delete_all"}


@require_http_methods(["GET", "POST"])
@rate_limited("follow")
@csrf_protect
def manage(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = links.subscriber_for_token(token, salt=links.MANAGE_SALT)
    except links.LinkError as error:
        return _link_error(request, error)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in MANAGE_ACTIONS:
            messages.error(request, _("That action is not known."))
        elif action == "delete_all":
            services.subscriber_delete(subscriber=subscriber)
            return _private(render(request, "alerts/deleted.html"))
        elif action == "revoke":
            subscriber = services.subscriber_links_revoke(subscriber=subscriber)
            messages.success(
                request, _("Every link we sent you before has stopped working. Bookmark this page.")
            )
            return redirect("alerts:manage", token=links.manage_token(subscriber))
        else:
            _manage_action(request, subscriber, action)
        return redirect("alerts:manage", token=token)
    context = {
        "subscriber": subscriber,
        "alerts": subscriber.alerts.select_related("story").order_by("kind", "label"),
        "frequencies": Frequency.choices,
        "language_form": LanguageForm(initial={"language": subscriber.language}),
        "token": token,
        "unsubscribe_url": links.unsubscribe_url(subscriber),
        "weekly_update_query": f"weekly-update=1&language={subscriber.language}",
    }
    return _private(render(request, "alerts/manage.html", context))


def _manage_action(request: HttpRequest, subscriber, action: str) -> None:
    if action == "frequency":
        form = FrequencyForm(request.POST)
        done = form.is_valid() and services.alert_frequency_set(
            subscriber=subscriber,
            alert_id=form.cleaned_data["alert"],
            frequency=form.cleaned_data["frequency"],
        )
        message = _("Saved.")
    elif action == "delete_alert":
        form = AlertForm(request.POST)
        done = form.is_valid() and services.alert_delete(
            subscriber=subscriber, alert_id=form.cleaned_data["alert"]
        )
        message = _("The alert is removed.")
    elif action == "language":
        form = LanguageForm(request.POST)
        done = form.is_valid() and services.subscriber_language_set(
            subscriber=subscriber, language=form.cleaned_data["language"]
        )
        message = _("Your e-mails will be in this language where we have it.")
    else:  # weekly_update
        target = queries.follow_target(
            QueryDict(f"weekly-update=1&language={subscriber.language}")
        ) or queries.follow_target(QueryDict(f"weekly-update=1&language={settings.LANGUAGE_CODE}"))
        services.alert_add_confirmed(subscriber=subscriber, target=target, frequency=Frequency.WEEKLY)
        done, message = True, _("You will receive the Weekly Update.")
    if done:
        messages.success(request, message)
    else:
        messages.error(request, _("That change could not be made. Reload the page and try again."))


@require_http_methods(["GET"])
def export(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscriber = links.subscriber_for_token(token, salt=links.MANAGE_SALT)
    except links.LinkError as error:
        return _link_error(request, error)
    body = json.dumps(queries.subscriber_export(subscriber), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-alerts.json"'
    return _private(response)


@csrf_exempt  # RFC 8058: mail providers post "List-Unsubscribe=One-Click" with no token of ours
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (link scanners must not unsubscribe anyone); POST unsubscribes, from
    that button or from a mail client's one-click, and doing it twice is harmless."""
    try:
        subscriber = links.subscriber_for_token(token, salt=links.UNSUBSCRIBE_SALT)
    except links.LinkError as error:
        return _link_error(request, error)
    if request.method == "POST":
        services.subscriber_unsubscribe(subscriber=subscriber)
        return _private(
            render(request, "alerts/unsubscribed.html", {"manage_url": links.manage_url(subscriber)})
        )
    return _private(render(request, "alerts/unsubscribe.html", {"subscriber": subscriber}))


ARCHIVE_CACHE_SECONDS = 300


def weekly_update_archive(request: HttpRequest) -> HttpResponse:
    issues = WeeklyUpdate.objects.published().select_related("region").order_by("-date", "language")[:200]
    page = render(request, "alerts/weekly_update_archive.html", {"issues": issues})
    patch_cache_control(page, public=True, max_age=ARCHIVE_CACHE_SECONDS)
    return page


def _issue(day: datetime.date, edition: str | None) -> WeeklyUpdate:
    issues = WeeklyUpdate.objects.published().select_related("region").filter(date=day)
    if edition is None:
        return get_object_or_404(issues, language=settings.LANGUAGE_CODE, region__isnull=True)
    language, _sep, region = edition.partition("-")
    for candidate in issues.filter(language__in=[edition, language]):
        if candidate.edition_slug == edition:
            return candidate
    raise Http404


def weekly_update(request: HttpRequest, day: datetime.date, edition: str | None = None) -> HttpResponse:
    issue = _issue(day, edition)
    chosen = (
        issue.stories.select_related("story").prefetch_related("story__translations").order_by("sort_order")
    )
    # Each story as the issue's readers get it by e-mail: in the issue's language where translated.
    with translation.override(issue.language):
        entries = [(choice, reader_version(choice.story)) for choice in chosen if choice.story.live]
    page = render(request, "alerts/weekly_update.html", {"issue": issue, "entries": entries})
    patch_cache_control(page, public=True, max_age=ARCHIVE_CACHE_SECONDS)
    return page


def weekly_update_feed(request: HttpRequest, feed_format: str) -> HttpResponse:
    issues = WeeklyUpdate.objects.published().select_related("region").order_by("-date", "-id")
    entries = [
        Entry(
            id=entry_id(issue),
            title=issue.subject,
            link=request.build_absolute_uri(issue.get_absolute_url()),
            html=linebreaks(issue.intro, autoescape=True),
            published=midnight_utc(issue.date),
            updated=issue.updated_at,
            author="",
            category=_("The Weekly Update"),
        )
        for issue in issues[: settings.FEED_ITEMS]
    ]
    return feed_response(
        request,
        feed_format,
        title=_("The Weekly Update"),
        link=reverse("alerts:weekly_update_archive"),
        description=_("The week's business and human rights highlights, chosen by our editors."),
        items=entries,
    )


@csrf_exempt  # called by the mail provider, authenticated by the shared secret
@require_http_methods(["POST"])
def bounce_webhook(request: HttpRequest) -> HttpResponse:
    """Record a bounce or complaint: `Authorization: Bearer <ALERTS_WEBHOOK_SECRET>` and a JSON
    body {"address": "...", "type": "bounce" | "complaint"}. Off while no secret is set."""
    secret = settings.ALERTS_WEBHOOK_SECRET
    if not secret:
        raise Http404
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not constant_time_compare(given, secret):
        return HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
    try:
        payload = json.loads(request.body)
        address, kind = str(payload["address"]).strip(), payload.get("type", "bounce")
        validate_email(address)
    except (ValueError, KeyError, TypeError, ValidationError):
        return HttpResponse('Expected {"address": ..., "type": "bounce"|"complaint"}\n', status=400)
    if kind not in Suppression.Reason.values:
        return HttpResponse("type must be bounce or complaint\n", status=400)
    services.suppression_record(email=address, reason=kind)
    return HttpResponse(status=204)
