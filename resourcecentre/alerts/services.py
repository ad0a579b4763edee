"""Writes for alerts: following, confirming, managing, unsubscribing, deleting, suppressing,
composing digests and sending them exactly once per subscriber and period (with one
documented exception: see `digests_send`)."""

import datetime
import logging
import smtplib
import socket
from dataclasses import dataclass
from itertools import chain

from django.conf import settings
from django.core.cache import cache
from django.core.mail import get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from resourcecentre.lib.tokens import new_nonce

from . import queries
from .models import (
    Alert,
    DigestRun,
    DigestSend,
    Frequency,
    SendState,
    Subscriber,
    Suppression,
    WeeklyUpdate,
    address_hash,
    normalise_email,
)
from .periods import period_end, period_length

logger = logging.getLogger(__name__)
BULK = 2000


def _queue_confirmation(alert_id: int) -> None:
    from .tasks import send_confirmation

    transaction.on_commit(lambda: send_confirmation.enqueue(alert_id))


def is_suppressed(email: str) -> bool:
    return Suppression.objects.filter(email_hash=address_hash(email)).exists()


@transaction.atomic
def follow_request(*, email: str, language: str, target: "queries.Target", frequency: str) -> Alert | None:
    """Record that `email` asks to follow `target` and send the confirmation e-mail.

    Nothing is followed until the link in that e-mail is used (double opt-in), and the answer
    is the same whether or not the address is known, so the form reveals nobody's alerts. An
    alert already confirmed is left alone: changing it needs the manage link. Suppressed
    addresses get nothing.
    """
    email = normalise_email(email)
    if is_suppressed(email):
        return None
    subscriber, _created = Subscriber.objects.get_or_create(
        email_hash=address_hash(email), defaults={"email": email, "language": language, "nonce": new_nonce()}
    )
    alert, created = Alert.objects.get_or_create(
        subscriber=subscriber,
        kind=target.kind,
        query=target.query,
        story=target.story,
        defaults={"label": target.label, "frequency": frequency},
    )
    if alert.confirmed_at is not None:
        return alert
    if not created and alert.frequency != frequency:
        alert.frequency = frequency
        alert.save(update_fields=["frequency"])
    if _confirmation_allowed(subscriber.email_hash):
        _queue_confirmation(alert.pk)
    return alert


def _confirmation_allowed(email_hash: str) -> bool:
    """At most ALERTS_CONFIRMATIONS_PER_HOUR confirmation e-mails to one address, so that the
    form cannot be used to flood someone's inbox from many clients (the rate limit counts per
    client). The cache counts; if it is away, the per-client rate limit still holds."""
    key = f"alerts:confirmations:{email_hash}"
    try:
        cache.add(key, 0, timeout=3600)
        return cache.incr(key) <= settings.ALERTS_CONFIRMATIONS_PER_HOUR
    except ValueError:
        return True


@transaction.atomic
def alert_confirm(*, alert: Alert) -> Alert:
    """Confirm the alert and with it the address (idempotent: a second click changes nothing)."""
    now = timezone.now()
    Alert.objects.filter(pk=alert.pk, confirmed_at__isnull=True).update(confirmed_at=now)
    Subscriber.objects.filter(pk=alert.subscriber_id, confirmed_at__isnull=True).update(confirmed_at=now)
    alert.refresh_from_db()
    return alert


@transaction.atomic
def alert_frequency_set(*, subscriber: Subscriber, alert_id: int, frequency: str) -> bool:
    if frequency not in Frequency.values:
        return False
    return bool(subscriber.alerts.filter(pk=alert_id).update(frequency=frequency))


@transaction.atomic
def alert_delete(*, subscriber: Subscriber, alert_id: int) -> bool:
    deleted, _ = subscriber.alerts.filter(pk=alert_id).delete()
    return bool(deleted)


@transaction.atomic
def alert_add_confirmed(*, subscriber: Subscriber, target: "queries.Target", frequency: str) -> Alert:
    """An alert added from the manage page: the signed link already proves the address."""
    alert, _created = Alert.objects.update_or_create(
        subscriber=subscriber,
        kind=target.kind,
        query=target.query,
        story=target.story,
        defaults={"label": target.label, "frequency": frequency},
    )
    if alert.confirmed_at is None:
        alert.confirmed_at = timezone.now()
        alert.save(update_fields=["confirmed_at"])
    return alert


@transaction.atomic
def subscriber_language_set(*, subscriber: Subscriber, language: str) -> bool:
    if language not in settings.CONTENT_LANGUAGES:
        return False
    Subscriber.objects.filter(pk=subscriber.pk).update(language=language)
    subscriber.language = language
    return True


def _cancel_pending(sends) -> int:
    return sends.filter(state__in=[SendState.PENDING, SendState.CLAIMED]).update(
        state=SendState.CANCELLED, error="cancelled"
    )


@transaction.atomic
def subscriber_unsubscribe(*, subscriber: Subscriber) -> int:
    """Stop every alert of this subscriber (idempotent: unsubscribing twice is harmless).
    Returns the number of alerts removed."""
    deleted, _ = subscriber.alerts.all().delete()
    _cancel_pending(DigestSend.objects.filter(subscriber=subscriber))
    return deleted


@transaction.atomic
def subscriber_links_revoke(*, subscriber: Subscriber) -> Subscriber:
    """A new nonce: every manage, unsubscribe and confirmation link sent before stops working."""
    subscriber.nonce = new_nonce()
    subscriber.save(update_fields=["nonce"])
    return subscriber


@transaction.atomic
def subscriber_delete(*, subscriber: Subscriber) -> None:
    """Delete the address, its alerts and preferences. The send log keeps only the hash of
    the address (unique per period, so a re-subscriber is not sent a period twice)."""
    _cancel_pending(DigestSend.objects.filter(subscriber=subscriber))
    subscriber.delete()


@transaction.atomic
def suppression_record(*, email: str, reason: str) -> bool:
    """Stop all sending to this address after a bounce or a complaint; True if it is new."""
    email_hash = address_hash(email)
    _suppression, created = Suppression.objects.get_or_create(
        email_hash=email_hash, defaults={"reason": reason}
    )
    if not created and reason == Suppression.Reason.COMPLAINT:
        Suppression.objects.filter(email_hash=email_hash).update(reason=reason)
    _cancel_pending(DigestSend.objects.filter(email_hash=email_hash))
    return created


# Composing


def _run_for(frequency: str, now: datetime.datetime) -> DigestRun | None:
    """The period of this frequency to compose now, if one has ended since the last."""
    end = period_end(frequency, now)
    last = DigestRun.objects.filter(frequency=frequency).order_by("-period_end").first()
    if last is not None and last.composed_at is None:
        return last  # an earlier period still waits (the index was away): compose it first
    if last is not None and last.period_end >= end:
        return None
    start = last.period_end if last else end - period_length(frequency)
    try:
        with transaction.atomic():
            return DigestRun.objects.create(frequency=frequency, period_start=start, period_end=end)
    except IntegrityError:  # another `send_alerts` created it just now
        return DigestRun.objects.get(frequency=frequency, period_end=end)


def digest_run_compose(*, run: DigestRun) -> int | None:
    """Create one DigestSend per subscriber with news in this run's period.

    The items new in the period are found once; each distinct saved filter is matched once
    against them (a company's thousand followers share one search); then each subscriber's
    alerts are merged, each item once. Re-running after a crash adds only what is missing
    (the rows are unique per address and period). Returns the number of digests, or None
    when the search index cannot answer yet (the run is retried next time).
    """
    from resourcecentre.search.services import search_index_sync

    search_index_sync()  # match against everything published up to now, not what the worker reached
    keys = queries.new_item_keys(run.period_start, run.period_end)
    matched = queries.matches_by_filter(run.frequency, keys) if keys else {}
    if matched is None:
        logger.warning("Search index unavailable; %s digests wait", run)
        return None
    key = f"{run.frequency}:{run.period_end.isoformat(timespec='minutes')}"
    order = {k: n for n, k in enumerate(keys)}
    created = 0
    batch: list[DigestSend] = []

    def flush() -> None:
        nonlocal created
        DigestSend.objects.bulk_create(batch, ignore_conflicts=True, batch_size=BULK)
        created += len(batch)
        batch.clear()

    current: tuple[int, str] | None = None
    items: set[str] = set()
    rows = queries.subscribers_with_alerts(run.frequency, run.period_end) if matched else []
    for subscriber_id, email_hash, kind, query, story_id in chain(rows, [(None, "", "", "", None)]):
        if current is not None and subscriber_id != current[0]:
            if items:
                batch.append(
                    DigestSend(
                        subscriber_id=current[0],
                        email_hash=current[1],
                        key=key,
                        run=run,
                        items=sorted(items, key=order.__getitem__),
                    )
                )
                if len(batch) >= BULK:
                    flush()
            items = set()
        current = (subscriber_id, email_hash)
        items.update(matched.get((kind, query, story_id), ()))
    flush()
    total = run.sends.count()
    DigestRun.objects.filter(pk=run.pk).update(composed_at=timezone.now(), digests=total)
    return created


def digests_compose(*, now: datetime.datetime | None = None) -> dict[str, int | None]:
    """Compose every period that has ended; {frequency: digests created (None: waiting)}."""
    now = now or timezone.now()
    done = {}
    for frequency in queries.FREQUENCIES:
        while (run := _run_for(frequency, now)) is not None:
            created = digest_run_compose(run=run)
            done[frequency] = created if created is None else done.get(frequency, 0) + created
            if created is None:
                break
    return done


def weekly_update_queue(*, issue: WeeklyUpdate) -> int:
    """One DigestSend per subscriber of the issue's edition; then the issue counts as queued."""
    key = f"weekly-update:{issue.pk}"
    rows = [
        DigestSend(subscriber_id=subscriber_id, email_hash=email_hash, key=key, weekly_update=issue)
        for subscriber_id, email_hash in queries.weekly_update_recipients(issue)
    ]
    for start in range(0, len(rows), BULK):
        DigestSend.objects.bulk_create(rows[start : start + BULK], ignore_conflicts=True)
    WeeklyUpdate.objects.filter(pk=issue.pk).update(queued_at=timezone.now())
    return len(rows)


def weekly_updates_queue() -> int:
    return sum(weekly_update_queue(issue=issue) for issue in queries.weekly_updates_due())


# Sending


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    cancelled: int = 0
    batches: int = 0


def _claim(*, batch_size: int, worker: str) -> list[int]:
    """Take up to `batch_size` sendable rows for this worker.

    Pending rows, and rows claimed or being sent by a worker that has not finished them in
    ALERTS_CLAIM_TIMEOUT_SECONDS (it died). PostgreSQL workers skip each other's locked rows;
    SQLite takes the write lock for the whole transaction, so claims are serialised.
    """
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=settings.ALERTS_CLAIM_TIMEOUT_SECONDS)
    with transaction.atomic():
        candidates = DigestSend.objects.filter(
            Q(state=SendState.PENDING, not_before__isnull=True)
            | Q(state=SendState.PENDING, not_before__lte=now)
            | Q(state__in=[SendState.CLAIMED, SendState.SENDING], claimed_at__lt=stale)
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:batch_size])
        DigestSend.objects.filter(id__in=ids).update(
            state=SendState.CLAIMED, claimed_at=now, claimed_by=worker
        )
    return ids


def _mark(sent_id: int | None, sending_id: int | None) -> None:
    """Record the previous message as sent and the next as handed to the server, in one commit."""
    now = timezone.now()
    with transaction.atomic():
        if sent_id is not None:
            DigestSend.objects.filter(pk=sent_id).update(state=SendState.SENT, sent_at=now, error="")
        if sending_id is not None:
            DigestSend.objects.filter(pk=sending_id).update(
                state=SendState.SENDING, claimed_at=now, attempts=F("attempts") + 1
            )


def _retry_or_fail(send: DigestSend, error: Exception, *, permanent: bool) -> str:
    attempts = send.attempts + 1
    if permanent or attempts >= settings.ALERTS_MAX_ATTEMPTS:
        DigestSend.objects.filter(pk=send.pk).update(
            state=SendState.FAILED, attempts=attempts, error=str(error)[:500]
        )
        return "failed"
    delay = datetime.timedelta(seconds=settings.ALERTS_RETRY_SECONDS * 2 ** (attempts - 1))
    DigestSend.objects.filter(pk=send.pk).update(
        state=SendState.PENDING, attempts=attempts, not_before=timezone.now() + delay, error=str(error)[:500]
    )
    return "retrying"


def digests_send(
    *, batch_size: int | None = None, worker: str = "", max_batches: int | None = None
) -> SendSummary:
    """Send every claimable digest and Weekly Update, one SMTP connection per batch.

    Each message is recorded "sending" (committed) before it is handed to the server and
    "sent" (committed with the next one's "sending") after the server accepts it. A sender
    killed at any point leaves at most one message per worker in "sending": after the claim
    timeout it is sent again, so that message is delivered at least once (a repeat carries
    the same Message-ID). Everything else is delivered exactly once: claimed rows never
    handed over are simply sent, sent rows never again.
    """
    from .emails import DigestRenderer

    batch_size = batch_size or settings.ALERTS_BATCH_SIZE
    worker = worker or f"{socket.gethostname()}:{id(object())}"
    summary = SendSummary()
    while max_batches is None or summary.batches < max_batches:
        ids = _claim(batch_size=batch_size, worker=worker)
        if not ids:
            break
        summary.batches += 1
        _send_batch(ids, DigestRenderer(), summary)
    return summary


def _send_batch(ids: list[int], renderer, summary: SendSummary) -> None:
    sends = list(
        DigestSend.objects.filter(id__in=ids, state=SendState.CLAIMED)
        .select_related("subscriber", "weekly_update")
        .order_by("id")
    )
    suppressed = set(
        Suppression.objects.filter(email_hash__in={s.email_hash for s in sends}).values_list(
            "email_hash", flat=True
        )
    )
    renderer.prepare(sends)
    mail = get_connection(fail_silently=False)
    previous: int | None = None
    try:
        mail.open()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Mail server unavailable (%s); %d digests wait for a retry", error, len(sends))
        for send in sends:
            outcome = _retry_or_fail(send, error, permanent=False)
            summary.failed += outcome == "failed"
            summary.retrying += outcome == "retrying"
        return
    try:
        for send in sends:
            if send.subscriber is None or send.email_hash in suppressed:
                DigestSend.objects.filter(pk=send.pk).update(state=SendState.CANCELLED)
                summary.cancelled += 1
                continue
            message = renderer.message(send, connection=mail)
            if message is None:  # nothing left to say (every item withdrawn meanwhile)
                DigestSend.objects.filter(pk=send.pk).update(state=SendState.CANCELLED, error="empty")
                summary.cancelled += 1
                continue
            _mark(previous, send.pk)
            previous = None
            try:
                mail.open()  # after a failure; a no-op while the batch's connection is open
                mail.send_messages([message])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
                summary.failed += _retry_or_fail(send, error, permanent=True) == "failed"
                continue
            except (smtplib.SMTPException, OSError) as error:
                outcome = _retry_or_fail(send, error, permanent=False)
                summary.failed += outcome == "failed"
                summary.retrying += outcome == "retrying"
                mail.close()  # the connection may be broken; the next message opens a new one
                continue
            previous = send.pk
            summary.sent += 1
    finally:
        _mark(previous, None)
        mail.close()
        # What this batch did not reach (the server went away) goes back to the queue.
        DigestSend.objects.filter(id__in=[s.pk for s in sends], state=SendState.CLAIMED).update(
            state=SendState.PENDING
        )


def pending_count() -> int:
    return DigestSend.objects.filter(state__in=[SendState.PENDING, SendState.CLAIMED]).count()
