"""Recognition jobs: the cadence bulletins (日评优、周调度、月通报、季约谈、年考评) and the
yearly points expiry."""

from __future__ import annotations

from backend.services import bulletins, points


def daily_best() -> dict:
    """Publish yesterday's 日评优 per township (once: bulletins are unique per period)."""
    return bulletins.publish_daily_best()


def points_expiry() -> dict:
    """Expire old points when the policy is on (one entry per user and year)."""
    return points.expire_points()


def weekly_dispatch() -> dict:
    """Publish this week's 周调度 per village (once per week)."""
    return bulletins.publish_weekly_dispatch()


def monthly_bulletin() -> dict:
    """Publish last month's 月通报 per township and for the city, with charts."""
    return bulletins.publish_monthly()


def quarterly_talks() -> dict:
    """Publish last quarter's 季约谈 list per township."""
    return bulletins.publish_quarterly_talks()


def annual_review() -> dict:
    """Publish last year's 年考评 per township and for the city."""
    return bulletins.publish_annual()
