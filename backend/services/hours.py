"""Service hours, duty hours and star levels (DESIGN.md §6).

Hours are derived from attendance rows (check-in to check-out, clipped to the scheduled span,
or an organiser's correction). Volunteer service hours and the duty hours of grid workers and
auxiliary police are kept apart; star levels count service hours only.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Attendance

# (stars, cumulative service hours needed)
STAR_LEVELS = ((1, 100), (2, 300), (3, 600), (4, 1000), (5, 1500))
STAR_NAMES = {0: "暂无星级", 1: "一星", 2: "二星", 3: "三星", 4: "四星", 5: "五星"}


def star_level_for(service_minutes: int) -> int:
    """Stars earned by ``service_minutes`` of service (★ 100 h … ★★★★★ 1500 h)."""
    level = 0
    for stars, hours in STAR_LEVELS:
        if service_minutes >= hours * 60:
            level = stars
    return level


def next_level_at(service_minutes: int) -> int | None:
    """Service hours needed for the next star, or ``None`` at five stars."""
    for _stars, hours in STAR_LEVELS:
        if service_minutes < hours * 60:
            return hours
    return None


def minutes_by_kind(user_id: int) -> dict[str, int]:
    """Served minutes of ``user_id`` per kind ("service", "duty")."""
    rows = db.session.execute(
        select(Attendance.hours_kind, func.coalesce(func.sum(Attendance.served_minutes), 0))
        .where(Attendance.user_id == user_id)
        .group_by(Attendance.hours_kind)
    ).all()
    totals = {"service": 0, "duty": 0}
    for kind, minutes in rows:
        totals[kind] = int(minutes or 0)
    return totals


def hours_of(user_id: int) -> dict[str, Any]:
    """``{service_minutes, duty_minutes, service_hours, duty_hours, star_level, next_level_at}``.

    Other features (recognition, certificates, scorecards) call this; hours are rounded to one
    decimal for display, minutes are exact.
    """
    totals = minutes_by_kind(user_id)
    service = totals["service"]
    level = star_level_for(service)
    upcoming = next_level_at(service)
    return {
        "service_minutes": service,
        "duty_minutes": totals["duty"],
        "service_hours": round(service / 60, 1),
        "duty_hours": round(totals["duty"] / 60, 1),
        "star_level": level,
        "star_name": STAR_NAMES[level],
        "next_level_at": upcoming,
        "hours_to_next_level": (
            round(max(upcoming * 60 - service, 0) / 60, 1) if upcoming is not None else None
        ),
    }


def records_query(user_id: int):
    """The user's attendance records, newest first (for GET /me/hours)."""
    return (
        select(Attendance)
        .where(Attendance.user_id == user_id)
        .order_by(Attendance.checkin_at.desc(), Attendance.id.desc())
    )


def notify_level_change(
    user_id: int, service_minutes_before: int, service_minutes_after: int | None = None
) -> None:
    """Send a ``level_up`` inbox notice when the user's service hours crossed a star level."""
    from backend.services import notifications

    after = service_minutes_after
    if after is None:
        after = minutes_by_kind(user_id)["service"]
    old, new = star_level_for(service_minutes_before), star_level_for(after)
    if new <= old:
        return
    hours = round(after / 60, 1)
    notifications.enqueue(
        "level_up",
        user_id,
        # A level is reached once per user, however many check-outs race to cross it.
        dedupe_key=f"level_up:{user_id}:{new}",
        title=f"恭喜晋升{STAR_NAMES[new]}志愿者",
        body=f"您的累计志愿服务时长已达 {hours} 小时",
        fields={"level": STAR_NAMES[new], "hours": hours},
        page="pages/activity/hours/index",
    )
