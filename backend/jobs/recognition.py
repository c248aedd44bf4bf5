"""Recognition jobs: the daily-best bulletin (日评优) and the yearly points expiry."""

from __future__ import annotations

from backend.services import bulletins, points


def daily_best() -> dict:
    """Publish yesterday's 日评优 per township (once: bulletins are unique per period)."""
    return bulletins.publish_daily_best()


def points_expiry() -> dict:
    """Expire old points when the policy is on (one entry per user and year)."""
    return points.expire_points()
