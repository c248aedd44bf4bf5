"""Bulletins (通报) published by the cadence jobs, and the outcomes of quarterly talks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime

BULLETIN_KINDS = ("daily_best", "weekly_dispatch", "monthly", "quarterly_talks", "annual")
BULLETIN_KIND_NAMES = {
    "daily_best": "日评优",
    "weekly_dispatch": "周调度",
    "monthly": "月通报",
    "quarterly_talks": "季约谈",
    "annual": "年考评",
}
BULLETIN_PERIODS = {
    "daily_best": "day",
    "weekly_dispatch": "week",
    "monthly": "month",
    "quarterly_talks": "quarter",
    "annual": "year",
}
TALK_SUBJECTS = ("village", "grid_worker")


class Bulletin(Model):
    """One published bulletin; unique per kind, region and period so a job publishes it once."""

    __tablename__ = "bulletin"
    __table_args__ = table_args(UniqueConstraint("kind", "region_id", "period_key"))

    kind: Mapped[str] = mapped_column(String(24), index=True)
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))
    period_key: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(String(500), default="")
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    region: Mapped[Region] = relationship(lazy="joined")


class TalkOutcome(Model):
    """What came of a quarterly talk (季约谈) with a listed village or grid worker."""

    __tablename__ = "talk_outcome"
    __table_args__ = table_args(UniqueConstraint("bulletin_id", "subject_type", "subject_id"))

    bulletin_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("bulletin.id"), index=True)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(BigIntPK)
    subject_name: Mapped[str] = mapped_column(String(64))
    # The subject's region (the village, or the grid worker's grid): scopes who records it.
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    talked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
