"""The periods digests cover: UTC slots of a few minutes, UTC days, ISO weeks from Monday."""

import datetime

from django.conf import settings


def period_length(frequency: str) -> datetime.timedelta:
    if frequency == "immediate":
        return datetime.timedelta(minutes=settings.ALERTS_IMMEDIATE_MINUTES)
    if frequency == "daily":
        return datetime.timedelta(days=1)
    return datetime.timedelta(weeks=1)


def period_end(frequency: str, now: datetime.datetime) -> datetime.datetime:
    """The end of the last period of this frequency that has ended by `now` (aware, UTC)."""
    now = now.astimezone(datetime.UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if frequency == "immediate":
        minutes = settings.ALERTS_IMMEDIATE_MINUTES
        elapsed = (now - midnight) // datetime.timedelta(minutes=minutes)
        return midnight + elapsed * datetime.timedelta(minutes=minutes)
    if frequency == "daily":
        return midnight
    return midnight - datetime.timedelta(days=midnight.weekday())
