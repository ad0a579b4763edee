"""Dates as moments (no Django)."""

import datetime


def midnight_utc(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in UTC: how a dated item is placed in feeds and the index."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
