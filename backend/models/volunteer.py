"""Volunteer applications and teams (志愿服务队)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime
from backend.models.user import User

VOLUNTEER_STATUSES = ("pending", "approved", "rejected", "suspended")
STATUS_NAMES = {
    "pending": "待审核",
    "approved": "已通过",
    "rejected": "已驳回",
    "suspended": "已暂停",
}
# The six grid duties first (信息员、巡防员、调解员、安全员、服务员、宣传员), then other skills.
SKILLS = (
    "信息员",
    "巡防员",
    "调解员",
    "安全员",
    "服务员",
    "宣传员",
    "医疗救护",
    "法律服务",
    "心理疏导",
    "应急救援",
    "文艺宣传",
    "技术维修",
)


class Team(Model):
    __tablename__ = "team"
    __table_args__ = table_args()

    name: Mapped[str] = mapped_column(String(64))
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    region: Mapped[Region] = relationship(lazy="joined")


class Volunteer(Model):
    __tablename__ = "volunteer"
    __table_args__ = table_args()

    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"), unique=True)
    # Assigned on first approval; never reused.
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    real_name_enc: Mapped[str | None] = mapped_column(Text)
    # Surname + mask, kept in clear for public lists (张**).
    display_name: Mapped[str] = mapped_column(String(32), default="")
    phone_enc: Mapped[str | None] = mapped_column(Text)
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("team.id"))
    skills: Mapped[list] = mapped_column(JSON, default=list)
    availability: Mapped[str] = mapped_column(String(200), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    review_reason: Mapped[str] = mapped_column(String(500), default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    region: Mapped[Region] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
