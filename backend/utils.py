"""Generic helpers that know nothing of the project: China time, distances, money in fen.

Times are stored in UTC and shown in China time with ``+08:00``; periods are cut at midnight China
time (DESIGN.md §5). Every conversion and every China-time text is made here, once. This module
imports nothing from ``backend`` (it is the bottom floor of the import-linter layers).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

CHINA_TZ = ZoneInfo("Asia/Shanghai")
EARTH_RADIUS_M = 6_371_000.0
METERS_PER_DEGREE = 111_320.0  # one degree of latitude, in metres


_BACKDATED: ContextVar[datetime | None] = ContextVar("backdated", default=None)


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (freezegun-friendly), or the moment set by
    :func:`backdated`."""
    moment = _BACKDATED.get()
    return moment if moment is not None else datetime.now(UTC)


@contextmanager
def backdated(moment: datetime) -> Iterator[None]:
    """Run the enclosed code as if it were ``moment`` (aware), for everything that reads the
    time through :func:`utcnow`. Only the demo county uses it: it replays six months of a
    county's life through the real services, so ledgers, period totals and timelines carry
    the dates on which things happened."""
    token = _BACKDATED.set(moment.astimezone(UTC))
    try:
        yield
    finally:
        _BACKDATED.reset(token)


def china_iso(value: datetime | None) -> str:
    """ISO 8601 in China time, to the second (``2026-03-08T09:00:00+08:00``); "" for None."""
    return value.astimezone(CHINA_TZ).isoformat(timespec="seconds") if value else ""


def china_text(value: datetime | None) -> str:
    """``2026-03-08 09:00`` in China time (notices, messages); "" for None."""
    return value.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") if value else ""


def china_date(moment: datetime) -> date:
    """The calendar date in China of an aware datetime."""
    return moment.astimezone(CHINA_TZ).date()


def china_today() -> date:
    """Today's date in China."""
    return china_date(utcnow())


def chinese_date(moment: datetime | date) -> str:
    """``2026年3月8日``: the China calendar date written in Chinese."""
    day = china_date(moment) if isinstance(moment, datetime) else moment
    return f"{day.year}年{day.month}月{day.day}日"


def china_day_start(day: date) -> datetime:
    """00:00 China time of ``day`` (aware, in China time)."""
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def china_midnight_utc(day: date) -> datetime:
    """00:00 China time of ``day`` as an aware UTC datetime."""
    return china_day_start(day).astimezone(UTC)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def yuan(fen: int | None) -> str | None:
    """Integer fen as a display string of yuan: 123456 → "1234.56" (never through a float)."""
    if fen is None:
        return None
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"
