"""The append-only points ledger and the per-user balance kept with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import BigIntPK, Model, table_args
from backend.models.types import UTCDateTime, utcnow

POINT_SOURCES = ("activity", "service_request", "award", "adjustment", "expiry", "reversal")


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
