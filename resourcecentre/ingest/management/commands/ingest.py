import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from resourcecentre.ingest.models import Feed
from resourcecentre.ingest.queries import feeds_due
from resourcecentre.ingest.services import feed_run
from resourcecentre.ingest.tasks import poll_feed_task
from resourcecentre.lib.progress import ProgressBar


class Command(BaseCommand):
    help = (
        "Poll the monitored feeds: now, in the foreground (--once), or by queueing the due ones (--enqueue)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--once", action="store_true", help="run one pass over every active feed now")
        mode.add_argument(
            "--enqueue", action="store_true", help="queue a task for each feed that is due (run every minute)"
        )
        parser.add_argument("--source", type=int, help="only this feed (its id)")
        parser.add_argument("--no-articles", action="store_true", help="do not fetch articles behind teasers")

    def handle(self, *args, **options: object) -> None:
        feeds = Feed.objects.filter(active=True)
        if options["source"]:
            feeds = Feed.objects.filter(pk=options["source"])
            if not feeds.exists():
                raise CommandError(f"There is no feed with id {options['source']}.")
        if options["enqueue"]:
            self.stdout.write(f"{enqueue_due(feeds)} feeds queued")
            return
        totals = {"new": 0, "merged": 0, "seen": 0, "failed": 0, "errors": 0}
        bar = ProgressBar(self.stderr)
        for feed in feeds.order_by("name"):
            summary = feed_run(
                feed=feed,
                fetch_articles=not options["no_articles"],
                progress=lambda done, total, name=feed.name: bar.update(name[:12], done, total),
            )
            bar.close()
            for key in ("new", "merged", "seen", "failed"):
                totals[key] += getattr(summary, key)
            if summary.status == "error":
                totals["errors"] += 1
                self.stdout.write(f"{feed.name}: error: {summary.error}")
            else:
                self.stdout.write(
                    f"{feed.name}: {summary.status}, {summary.items} items, {summary.new} new, "
                    f"{summary.merged} merged into others, {summary.seen} seen before"
                )
        self.stdout.write(
            "Total: {new} new, {merged} merged, {seen} seen before, {failed} failed, "
            "{errors} feeds in error".format(**totals)
        )


def enqueue_due(feeds: QuerySet[Feed]) -> int:
    """Queue one task per due feed, pushing its next poll forward first so that the next run
    of this command does not queue it again while it waits."""
    now = timezone.now()
    queued = 0
    for feed in feeds_due(now).filter(pk__in=feeds.values("pk")):
        with transaction.atomic():
            claimed = Feed.objects.filter(pk=feed.pk, next_poll_at__lte=now).update(
                next_poll_at=now + datetime.timedelta(minutes=feed.poll_minutes)
            )
            if claimed:
                poll_feed_task.enqueue(feed.pk)
                queued += 1
    return queued
