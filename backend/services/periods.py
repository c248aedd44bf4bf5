"""Periods cut in China time: day, ISO week (Monday first), month, quarter, year and all time.

Every period has a stable string key (``2026-03-08``, ``2026-W10``, ``2026-03``, ``2026-Q1``,
``2026``, ``all``) used by the maintained points totals, leaderboards and bulletins.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from backend.utils import china_date, china_midnight_utc, chinese_date

PERIODS = ("day", "week", "month", "quarter", "year", "all")
PERIOD_NAMES = {
    "day": "日榜",
    "week": "周榜",
    "month": "月榜",
    "quarter": "季榜",
    "year": "年榜",
    "all": "总榜",
}
ALL_KEY = "all"


def period_key(period: str, day: date) -> str:
    """The key of the ``period`` that contains ``day`` (a China calendar date)."""
    if period == "day":
        return day.isoformat()
    if period == "week":
        iso_year, week, _ = day.isocalendar()
        return f"{iso_year}-W{week:02d}"
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if period == "year":
        return str(day.year)
    if period == "all":
        return ALL_KEY
    raise ValueError(f"unknown period {period!r}")


def period_keys(moment: datetime) -> dict[str, str]:
    """Every period key of an aware datetime, cut in China time."""
    day = china_date(moment)
    return {period: period_key(period, day) for period in PERIODS}


def period_start(period: str, day: date) -> date | None:
    """First China date of the period containing ``day`` (``None`` for all time)."""
    if period == "day":
        return day
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if period == "year":
        return date(day.year, 1, 1)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


def period_end(period: str, day: date) -> date | None:
    """First China date after the period containing ``day`` (``None`` for all time)."""
    start = period_start(period, day)
    if start is None:
        return None
    if period == "day":
        return start + timedelta(days=1)
    if period == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    month_index = start.year * 12 + start.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, 1)


def period_bounds(period: str, day: date) -> tuple[datetime | None, datetime | None]:
    """[start, end) of the period containing ``day`` in UTC; ``(None, None)`` for all time."""
    start, end = period_start(period, day), period_end(period, day)
    if start is None or end is None:
        return None, None
    return china_midnight_utc(start), china_midnight_utc(end)


def period_label(period: str, day: date) -> str:
    """Chinese label of the period containing ``day``: 2026年3月8日, 2026年第10周, …"""
    if period == "day":
        return chinese_date(day)
    if period == "week":
        iso_year, week, _ = day.isocalendar()
        return f"{iso_year}年第{week}周"
    if period == "month":
        return f"{day.year}年{day.month}月"
    if period == "quarter":
        return f"{day.year}年第{(day.month - 1) // 3 + 1}季度"
    if period == "year":
        return f"{day.year}年"
    return "累计"
