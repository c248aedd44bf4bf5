"""Activities (活动开展), enrollments (报名) and attendance (签到/签退 with served hours)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime
from backend.models.user import User
from backend.models.volunteer import Team, Volunteer

CATEGORIES = {
    "patrol": "巡逻",
    "publicity": "宣传",
    "mediation": "调解",
    "safety_check": "安全检查",
    "convenience": "便民服务",
    "info_collection": "信息采集",
    "training": "培训",
}
ACTIVITY_STATUSES = ("draft", "published", "completed", "cancelled")
ACTIVITY_STATUS_NAMES = {
    "draft": "草稿",
    "published": "已发布",
    "completed": "已结束",
    "cancelled": "已取消",
}
POINTS_MODES = ("per_hour", "fixed")
ENROLLMENT_STATUSES = ("enrolled", "waitlisted", "cancelled", "removed", "no_show")
ENROLLMENT_STATUS_NAMES = {
    "enrolled": "已报名",
    "waitlisted": "候补中",
    "cancelled": "已取消",
    "removed": "已移出",
    "no_show": "缺席",
}
HOURS_KINDS = ("service", "duty")
HOURS_KIND_NAMES = {"service": "志愿服务", "duty": "在岗"}
ATTENDANCE_STATUS_NAMES = {"checked_in": "已签到", "checked_out": "已签退"}
CONTENT_STATUS_NAMES = {"pass": "已通过", "review": "人工审核中", "risky": "未通过审核"}


class Activity(Model):
    __tablename__ = "activity"
    __table_args__ = table_args(Index("ix_activity_status_start", "status", "start_at"))

    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    organiser_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    team_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("team.id"))
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(32), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime())
    end_at: Mapped[datetime] = mapped_column(UTCDateTime())
    enroll_deadline: Mapped[datetime] = mapped_column(UTCDateTime())
    place_name: Mapped[str] = mapped_column(String(200))
    # GCJ-02, the system wx.getLocation / wx.chooseLocation use.
    latitude: Mapped[float] = mapped_column(Double)
    longitude: Mapped[float] = mapped_column(Double)
    checkin_radius_m: Mapped[int] = mapped_column(Integer, default=300)
    checkin_open_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # NULL = no limit. ``enrolled_count`` is moved only by conditional UPDATEs (capacity races).
    capacity: Mapped[int | None] = mapped_column(Integer)
    enrolled_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last waitlist ticket handed out; tickets follow the order of the row lock (arrival order).
    waitlist_seq: Mapped[int] = mapped_column(Integer, default=0)
    required_skills: Mapped[list] = mapped_column(JSON, default=list)
    points_mode: Mapped[str] = mapped_column(String(16), default="per_hour")
    points_value: Mapped[int] = mapped_column(Integer, default=0)
    counts_as_duty: Mapped[bool] = mapped_column(Boolean, default=False)
    cover_url: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # "pass" or "review": held text is never published until it passes or a moderator releases it.
    content_status: Mapped[str] = mapped_column(String(16), default="pass")
    # Signs the rotating check-in codes; never leaves the server.
    checkin_secret: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Claimed by the reminder job, so each reminder goes out once even with two schedulers.
    reminded_24h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_1h_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship(lazy="joined")
    organiser: Mapped[User] = relationship(lazy="joined", foreign_keys=[organiser_id])


class Enrollment(Model):
    __tablename__ = "enrollment"
    __table_args__ = table_args(
        UniqueConstraint("activity_id", "user_id"),
        Index("ix_enrollment_activity_status", "activity_id", "status", "waitlist_seq"),
        Index("ix_enrollment_user_status", "user_id", "status"),
    )

    activity_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("activity.id"))
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    volunteer_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("volunteer.id"))
    status: Mapped[str] = mapped_column(String(16))
    waitlist_seq: Mapped[int | None] = mapped_column(Integer)
    # When this (re-)enrollment took its seat or ticket, under the activity row lock.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_reason: Mapped[str] = mapped_column(String(500), default="")
    removed_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    activity: Mapped[Activity] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    volunteer: Mapped[Volunteer | None] = relationship()
    attendance: Mapped[Attendance | None] = relationship(
        back_populates="enrollment", uselist=False, viewonly=True
    )


class Attendance(Model):
    """One check-in/check-out per (activity, user); served minutes and points come from it."""

    __tablename__ = "attendance"
    __table_args__ = table_args(
        UniqueConstraint("activity_id", "user_id"),
        Index("ix_attendance_user_kind", "user_id", "hours_kind"),
        Index("ix_attendance_open", "activity_id", "checkout_at"),
    )

    activity_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("activity.id"))
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    enrollment_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("enrollment.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="checked_in")
    checkin_at: Mapped[datetime] = mapped_column(UTCDateTime())
    checkin_method: Mapped[str] = mapped_column(String(16), default="scan")
    checkin_latitude: Mapped[float | None] = mapped_column(Double)
    checkin_longitude: Mapped[float | None] = mapped_column(Double)
    checkin_distance_m: Mapped[int | None] = mapped_column(Integer)
    checkout_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_method: Mapped[str | None] = mapped_column(String(16))
    checkout_latitude: Mapped[float | None] = mapped_column(Double)
    checkout_longitude: Mapped[float | None] = mapped_column(Double)
    checkout_distance_m: Mapped[int | None] = mapped_column(Integer)
    # Checked out by the job at the scheduled end: the volunteer forgot; organisers review these.
    auto_checkout: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_kind: Mapped[str] = mapped_column(String(16), default="service")
    # Check-in to check-out clipped to the scheduled span; what the hours and points come from.
    computed_minutes: Mapped[int] = mapped_column(Integer, default=0)
    served_minutes: Mapped[int] = mapped_column(Integer, default=0)
    points: Mapped[int] = mapped_column(Integer, default=0)
    manual_reason: Mapped[str] = mapped_column(String(500), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    # Each hours correction bumps this (optimistic lock) and keys its points adjustment.
    revision: Mapped[int] = mapped_column(Integer, default=0)
    correction_reason: Mapped[str] = mapped_column(String(500), default="")
    corrected_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    activity: Mapped[Activity] = relationship(lazy="joined")
    enrollment: Mapped[Enrollment] = relationship(back_populates="attendance")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
