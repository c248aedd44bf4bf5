"""The append-only points ledger, the per-user balance and the per-period totals kept with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import BigIntPK, Model, table_args
from backend.models.types import UTCDateTime
from backend.utils import utcnow

POINT_SOURCES = ("activity", "service_request", "award", "adjustment", "expiry", "reversal")
SOURCE_NAMES = {
    "activity": "参加活动",
    "service_request": "办结服务请求",
    "award": "获得表彰",
    "adjustment": "人工调整",
    "expiry": "积分到期",
    "reversal": "冲正",
}
# Expiry only lowers the spendable balance: period totals and leaderboards count points earned.
SOURCES_OUTSIDE_TOTALS = ("expiry",)


class PointsEntry(Model):
    """One grant or deduction; never updated or deleted (a correction is a new row)."""

    __tablename__ = "points_entry"
    __table_args__ = table_args(UniqueConstraint("source_type", "source_id", "user_id"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    source_type: Mapped[str] = mapped_column(String(32))
    # A string so that sources without a row id (an Idempotency-Key, a year) fit too.
    source_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    # The volunteer's region when the points were earned: leaderboards group by it.
    region_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))


class PointsAccount(Model):
    """Running balance per user, updated in the same transaction as each entry."""

    __tablename__ = "points_account"
    __table_args__ = table_args()

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), unique=True)
    balance: Mapped[int] = mapped_column(Integer, default=0)
    earned: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PointsTotal(Model):
    """Points a user earned in one region (village, township or city) over one period.

    Kept by ``services.points.grant`` in the same transaction as each entry, so leaderboards read
    one indexed range instead of summing the ledger. ``reached_at`` is when the current score was
    reached: on equal points the earlier one ranks first.
    """

    __tablename__ = "points_total"
    __table_args__ = table_args(UniqueConstraint("region_id", "period", "period_key", "user_id"))

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    # day / week / month / quarter / year / all, cut in Asia/Shanghai (services.periods).
    period: Mapped[str] = mapped_column(String(8))
    period_key: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The leaderboard order, read straight off the index: points high to low, then who got there first.
Index(
    "ix_points_total_rank",
    PointsTotal.region_id,
    PointsTotal.period,
    PointsTotal.period_key,
    PointsTotal.points.desc(),
    PointsTotal.reached_at,
    PointsTotal.user_id,
)


class PointsAdjustment(Model):
    """A manual grant or deduction by an admin, with its reason (the ledger row's source)."""

    __tablename__ = "points_adjustment"
    __table_args__ = table_args()

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    # The volunteer's village at the time: it scopes who may see the adjustment.
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    actor_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
