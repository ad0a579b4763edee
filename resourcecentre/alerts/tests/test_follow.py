import datetime

import pytest
from django.core import signing
from django.core.management import call_command
from django.utils import timezone

from resourcecentre.alerts import links
from resourcecentre.alerts.models import Alert, DigestSend, Subscriber, Suppression, address_hash
from resourcecentre.lib.languages import language_name

from .conftest import body, link_path


def test_the_follow_page_names_what_is_followed_and_holds_a_protected_form(client, kestrel):
    page = client.get(f"/en/follow/?company={kestrel.slug}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Kestrel Mining" in html and "csrfmiddlewaretoken" in html
    assert "no-cache" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]


def test_a_follow_link_naming_nothing_that_exists_says_so(client, db):
    assert client.get("/en/follow/?company=no-such-company").status_code == 404
    assert client.get("/en/follow/").status_code == 404
    assert client.get("/en/follow/?story=nope").status_code == 404


def test_following_sends_a_confirmation_and_follows_nothing_until_it_is_used(follow, confirm, kestrel):
    message = follow(f"company={kestrel.slug}", email="Reader@Example.ORG")
    assert message["To"] == "Reader@example.org"
    assert "Kestrel Mining" in message["Subject"]
    assert "/alerts/confirm/" in body(message) and "/alerts/confirm/" in body(message, "html")
    alert = Alert.objects.get()
    assert alert.confirmed_at is None and alert.query == f"company={kestrel.slug}"

    confirm(message)
    alert.refresh_from_db()
    assert alert.confirmed_at is not None and alert.subscriber.confirmed_at is not None


def test_the_confirmation_link_asks_before_confirming_so_mail_scanners_confirm_nothing(
    client, follow, kestrel
):
    message = follow(f"company={kestrel.slug}")
    page = client.get(link_path(message, "/alerts/confirm/"))
    assert page.status_code == 200 and "Confirm this alert" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex, nofollow"
    assert Alert.objects.get().confirmed_at is None


def test_the_form_says_the_same_for_a_known_address_and_changes_no_confirmed_alert(
    client, follow, confirm, kestrel
):
    confirm(follow(f"company={kestrel.slug}", frequency="daily"))
    again = follow(f"company={kestrel.slug}", frequency="immediate")
    assert again is None  # no new mail for an alert already confirmed
    assert Alert.objects.get().frequency == "daily"


def test_a_bad_address_is_refused_with_a_message_and_nothing_is_stored(client, kestrel, db):
    page = client.post(f"/en/follow/?company={kestrel.slug}", {"email": "not an address", "language": "en"})
    assert page.status_code == 200 and "Enter a valid email address" in page.content.decode()
    assert not Subscriber.objects.exists()


def test_a_search_is_followed_as_the_normalised_filter_of_the_page(follow, kestrel):
    follow(f"q=++unpaid+wages+&company={kestrel.slug}&page=3&sort=newest&bogus=1")
    alert = Alert.objects.get()
    assert alert.query == f"q=unpaid+wages&company={kestrel.slug}"
    assert alert.label == "“unpaid wages” · Kestrel Mining"


def test_a_flood_of_follow_requests_is_refused_with_retry_after(client, kestrel, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "follow": "2/m"}
    answers = [
        client.post(f"/en/follow/?company={kestrel.slug}", {"email": f"r{n}@example.org", "language": "en"})
        for n in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0


def test_an_expired_confirmation_link_is_refused(client, follow, kestrel, settings):
    message = follow(f"company={kestrel.slug}")
    path = link_path(message, "/alerts/confirm/")
    settings.ALERTS_CONFIRM_DAYS = 0
    page = client.post(path)
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert Alert.objects.get().confirmed_at is None


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-3] + "abc",
        lambda t: "garbage",
        lambda t: signing.Signer(salt="other").sign_object([1, "x"]),
    ],
)
def test_tampered_links_are_refused(client, follow, kestrel, mangle):
    message = follow(f"company={kestrel.slug}")
    subscriber = Subscriber.objects.get()
    for view, token in [
        ("confirm", link_path(message, "/alerts/confirm/").split("/")[-2]),
        ("manage", links.manage_token(subscriber)),
        ("unsubscribe", links.unsubscribe_token(subscriber)),
    ]:
        page = client.post(f"/en/alerts/{view}/{mangle(token)}/")
        assert page.status_code == 404, view
        assert "not valid" in page.content.decode()
    assert Alert.objects.get().confirmed_at is None


def test_the_unsubscribe_link_cannot_open_the_manage_page(client, follow, kestrel):
    follow(f"company={kestrel.slug}")
    token = links.unsubscribe_token(Subscriber.objects.get())
    assert client.get(f"/en/alerts/manage/{token}/").status_code == 404


def test_revoking_links_kills_every_link_sent_before(client, follow, confirm, kestrel):
    confirm(follow(f"company={kestrel.slug}"))
    subscriber = Subscriber.objects.get()
    old_manage, old_unsubscribe = links.manage_token(subscriber), links.unsubscribe_token(subscriber)
    page = client.post(f"/en/alerts/manage/{old_manage}/", {"action": "revoke"})
    assert page.status_code == 302
    assert client.get(f"/en/alerts/manage/{old_manage}/").status_code == 410
    assert client.post(f"/en/alerts/unsubscribe/{old_unsubscribe}/").status_code == 410
    assert client.get(page["Location"]).status_code == 200
    assert Alert.objects.filter(confirmed_at__isnull=False).count() == 1


def test_the_manage_page_changes_frequency_language_and_removes_alerts(client, follow, confirm, kestrel):
    confirm(follow(f"company={kestrel.slug}"))
    subscriber = Subscriber.objects.get()
    alert = Alert.objects.get()
    url = f"/en/alerts/manage/{links.manage_token(subscriber)}/"
    page = client.get(url)
    assert "Kestrel Mining" in page.content.decode() and page["Referrer-Policy"] == "same-origin"
    client.post(url, {"action": "frequency", "alert": alert.pk, "frequency": "weekly"})
    client.post(url, {"action": "language", "language": "fr"})
    client.post(url, {"action": "frequency", "alert": alert.pk, "frequency": "hourly"})  # not a choice
    alert.refresh_from_db()
    subscriber.refresh_from_db()
    assert alert.frequency == "weekly" and subscriber.language == "fr"
    client.post(url, {"action": "weekly_update"})
    assert Alert.objects.filter(kind="weekly_update", query="language=fr").exists()
    client.post(url, {"action": "delete_alert", "alert": alert.pk})
    assert not Alert.objects.filter(pk=alert.pk).exists()


def test_another_subscribers_alert_cannot_be_changed_from_my_page(client, follow, confirm, kestrel):
    confirm(follow(f"company={kestrel.slug}", email="a@example.org"))
    confirm(follow(f"company={kestrel.slug}", email="b@example.org"))
    mine, theirs = Subscriber.objects.order_by("email")
    client.post(
        f"/en/alerts/manage/{links.manage_token(mine)}/",
        {"action": "delete_alert", "alert": theirs.alerts.get().pk},
    )
    assert theirs.alerts.exists()


def test_export_gives_everything_stored_and_delete_leaves_only_a_hash(client, follow, confirm, kestrel):
    confirm(follow(f"company={kestrel.slug}"))
    subscriber = Subscriber.objects.get()
    DigestSend.objects.create(
        subscriber=subscriber, email_hash=subscriber.email_hash, key="daily:x", state="sent"
    )
    token = links.manage_token(subscriber)
    export = client.get(f"/en/alerts/manage/{token}/export.json")
    assert export["Content-Disposition"].startswith("attachment")
    data = export.json()
    assert data["email"] == "reader@example.org" and data["alerts"][0]["follows"] == "Kestrel Mining"
    assert data["emails_sent"][0]["key"] == "daily:x"

    page = client.post(f"/en/alerts/manage/{token}/", {"action": "delete_all"})
    assert "deleted" in page.content.decode()
    assert not Subscriber.objects.exists() and not Alert.objects.exists()
    send = DigestSend.objects.get()
    assert send.subscriber is None and send.email_hash == address_hash("reader@example.org")
    assert "reader@example.org" not in str(list(DigestSend.objects.values()))


def test_unsubscribe_by_the_link_asks_first_then_stops_everything_and_is_idempotent(
    client, follow, confirm, kestrel
):
    confirm(follow(f"company={kestrel.slug}"))
    path = f"/en/alerts/unsubscribe/{links.unsubscribe_token(Subscriber.objects.get())}/"
    page = client.get(path)
    assert "Unsubscribe" in page.content.decode() and Alert.objects.exists()
    assert client.post(path).status_code == 200
    assert not Alert.objects.exists()
    assert client.post(path).status_code == 200


def test_one_click_unsubscribe_needs_no_csrf_token(follow, confirm, kestrel):
    from django.test import Client

    confirm(follow(f"company={kestrel.slug}"))
    strict = Client(enforce_csrf_checks=True)
    path = f"/en/alerts/unsubscribe/{links.unsubscribe_token(Subscriber.objects.get())}/"
    answer = strict.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and not Alert.objects.exists()


def test_a_suppressed_address_gets_no_confirmation(follow, kestrel, db):
    call_command("record_bounce", "Reader@example.org", "--complaint")
    assert follow(f"company={kestrel.slug}") is None
    assert Suppression.objects.get().reason == "complaint"


def test_the_bounce_webhook_needs_the_secret_and_suppresses_the_address(client, settings, db):
    assert client.post("/alerts/bounces/", "{}", content_type="application/json").status_code == 404
    settings.ALERTS_WEBHOOK_SECRET = "s3cret"
    payload = '{"address": "gone@example.org", "type": "bounce"}'
    wrong = client.post(
        "/alerts/bounces/", payload, content_type="application/json", HTTP_AUTHORIZATION="Bearer x"
    )
    assert wrong.status_code == 401 and not Suppression.objects.exists()
    bad = client.post(
        "/alerts/bounces/", "[1,", content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret"
    )
    assert bad.status_code == 400
    ok = client.post(
        "/alerts/bounces/", payload, content_type="application/json", HTTP_AUTHORIZATION="Bearer s3cret"
    )
    assert ok.status_code == 204
    assert Suppression.objects.get().email_hash == address_hash("gone@example.org")


def test_following_a_story_and_the_weekly_update(follow, db):
    from tests.factories import StoryFactory

    story = StoryFactory(headline="Kenya: Tea pickers allege unpaid overtime")
    follow(f"story={story.slug}")
    follow("weekly-update=1&language=fr")
    kinds = dict(Alert.objects.values_list("kind", "label"))
    assert (
        kinds["story"] == story.headline
        and kinds["weekly_update"] == f"The Weekly Update ({language_name('fr')})"
    )
    assert timezone.now() - Alert.objects.first().created_at < datetime.timedelta(minutes=1)


def test_one_address_gets_a_few_confirmations_an_hour_however_many_clients_ask(follow, kestrel, settings):
    settings.ALERTS_CONFIRMATIONS_PER_HOUR = 2
    sent = [follow(f"q=wages+{n}") for n in range(4)]
    assert [m is not None for m in sent] == [True, True, False, False]
    assert Alert.objects.count() == 4  # recorded, but not mailed: nothing is followed unconfirmed
