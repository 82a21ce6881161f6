"""The one clock: naive UTC datetimes, as the database stores them (tests move it with freezegun)."""
from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def today() -> dt.date:
    """Today's date in UTC."""
    return utcnow().date()
