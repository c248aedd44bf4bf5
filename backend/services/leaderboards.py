"""Leaderboards of villages, townships and the city, read from the maintained points totals.

Order: points high to low, then whoever reached the score first, then the lower user id (so ranks
are unique and stable). Suspended volunteers and disabled or deleted accounts are left out, and so
is anyone whose total for the period is not positive.
"""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from backend.errors import ValidationFailed
from backend.extensions import db
from backend.models import PointsTotal, Region, User, Volunteer
from backend.services.periods import PERIOD_NAMES, period_bounds, period_key, period_label
from backend.services.points import TOTAL_LEVELS
from backend.services.regions import get_region
from backend.utils import china_today

ORDER = (PointsTotal.points.desc(), PointsTotal.reached_at.asc(), PointsTotal.user_id.asc())


def default_region() -> Region:
    """The city (the top of the tree) when no region is asked for."""
    region = db.session.scalar(
        select(Region).where(Region.level == "city").order_by(Region.id).limit(1)
    )
    if region is None:
        raise ValidationFailed(errors={"region_id": ["请选择区域"]})
    return region


def _eligible(region_id: int, period: str, key: str) -> Select:
    """The counted rows of one board: active accounts, not suspended, positive totals."""
    return (
        select(PointsTotal)
        .join(User, User.id == PointsTotal.user_id)
        .outerjoin(Volunteer, Volunteer.user_id == PointsTotal.user_id)
        .where(
            PointsTotal.region_id == region_id,
            PointsTotal.period == period,
            PointsTotal.period_key == key,
            PointsTotal.points > 0,
            User.status == "active",
            or_(Volunteer.id.is_(None), Volunteer.status != "suspended"),
        )
    )


def top_rows(region_id: int, period: str, key: str, limit: int, offset: int = 0) -> list[dict]:
    """One page of a board with names and villages, in one query."""
    village = aliased(Region)
    query = (
        _eligible(region_id, period, key)
        .outerjoin(village, village.id == Volunteer.region_id)
        .with_only_columns(
            PointsTotal.user_id,
            PointsTotal.points,
            PointsTotal.reached_at,
            Volunteer.display_name,
            Volunteer.region_id,
            village.name,
            User.nickname,
        )
        .order_by(*ORDER)
        .limit(limit)
        .offset(offset)
    )
    rows = []
    for rank, row in enumerate(db.session.execute(query), start=offset + 1):
        user_id, points, reached_at, display_name, village_id, village_name, nickname = row
        rows.append(
            {
                "rank": rank,
                "user_id": user_id,
                "display_name": display_name or nickname or "志愿者",
                "village_id": village_id,
                "village_name": village_name or "",
                "points": points,
                "reached_at": reached_at,
            }
        )
    return rows


def _bucket(region_id: int, period: str, key: str) -> list:
    """Conditions of one board's positive totals: a range of the rank index."""
    return [
        PointsTotal.region_id == region_id,
        PointsTotal.period == period,
        PointsTotal.period_key == key,
        PointsTotal.points > 0,
    ]


def _excluded_user_ids():
    """Users who never appear on a board: suspended volunteers, disabled or deleted accounts."""
    return union(
        select(Volunteer.user_id.label("user_id")).where(
            Volunteer.status == "suspended", Volunteer.user_id.is_not(None)
        ),
        select(User.id.label("user_id")).where(User.status != "active"),
    ).subquery()


def _count(conditions: list) -> int:
    """Rows matching ``conditions`` minus those of excluded users.

    The first count reads the rank index alone; the second starts from the (small) set of
    excluded users and probes the unique key, so a 100,000-person board is never joined row by
    row just to be counted.
    """
    everyone = db.session.scalar(select(func.count()).select_from(PointsTotal).where(*conditions))
    excluded = _excluded_user_ids()
    left_out = db.session.scalar(
        select(func.count())
        .select_from(excluded)
        .join(PointsTotal, and_(PointsTotal.user_id == excluded.c.user_id, *conditions))
    )
    return int(everyone or 0) - int(left_out or 0)


def rank_of(user_id: int, region_id: int, period: str, key: str) -> dict | None:
    """The user's place on a board, or ``None`` when they are not on it."""
    mine = db.session.execute(
        _eligible(region_id, period, key)
        .where(PointsTotal.user_id == user_id)
        .with_only_columns(PointsTotal.points, PointsTotal.reached_at)
    ).first()
    if mine is None:
        return None
    points, reached_at = mine
    ahead = _count(
        [
            *_bucket(region_id, period, key),
            or_(
                PointsTotal.points > points,
                and_(PointsTotal.points == points, PointsTotal.reached_at < reached_at),
                and_(
                    PointsTotal.points == points,
                    PointsTotal.reached_at == reached_at,
                    PointsTotal.user_id < user_id,
                ),
            ),
        ]
    )
    return {"rank": ahead + 1, "points": points, "reached_at": reached_at}


def board(
    region_id: int | None,
    period: str,
    day: date | None,
    page: int,
    page_size: int,
    viewer: User | None,
) -> dict:
    """A leaderboard page with the period's bounds and, for a logged-in viewer, their rank."""
    region = get_region(region_id) if region_id else default_region()
    if region.level not in TOTAL_LEVELS:
        raise ValidationFailed(errors={"region_id": ["排行榜按村(社区)、乡镇(街道)或市统计"]})
    depth = current_app.config["LEADERBOARD_MAX_DEPTH"]
    if (page - 1) * page_size >= depth:
        raise ValidationFailed(errors={"page": [f"排行榜仅展示前{depth}名"]})
    day = day or china_today()
    key = period_key(period, day)
    limit = min(page_size, depth - (page - 1) * page_size)
    items = top_rows(region.id, period, key, limit, (page - 1) * page_size)
    total = _count(_bucket(region.id, period, key))
    starts_at, ends_at = period_bounds(period, day)
    return {
        "region": region,
        "period": period,
        "period_name": PERIOD_NAMES[period],
        "period_key": key,
        "period_label": period_label(period, day),
        "date": day,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "items": items,
        "total": total,
        "page": page,
        "page_size": page_size,
        "me": rank_of(viewer.id, region.id, period, key) if viewer is not None else None,
    }
