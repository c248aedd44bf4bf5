"""Service requests (服务请求), their timeline, and uploaded files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime
from backend.models.user import User

CATEGORIES = ("help", "hazard", "dispute", "tip_off", "suggestion", "other")
CATEGORY_NAMES = {
    "help": "求助",
    "hazard": "隐患",
    "dispute": "纠纷",
    "tip_off": "线索",
    "suggestion": "建议",
    "other": "其他",
}
URGENCIES = ("normal", "urgent")
URGENCY_NAMES = {"normal": "一般", "urgent": "紧急"}
STATUSES = (
    "submitted",
    "assigned",
    "in_progress",
    "resolved",
    "closed",
    "rejected",
    "cancelled",
    "reopened",
)
STATUS_NAMES = {
    "submitted": "待受理",
    "assigned": "已指派",
    "in_progress": "处理中",
    "resolved": "已办结",
    "closed": "已关闭",
    "rejected": "已驳回",
    "cancelled": "已撤销",
    "reopened": "已重新打开",
}
# Work not yet accepted by a handler: the accept deadline runs.
UNACCEPTED = ("submitted", "assigned", "reopened")
# Every state in which the request still needs someone: the resolve deadline runs.
OPEN = ("submitted", "assigned", "in_progress", "reopened")
TIERS = ("village", "township", "city")
TIER_NAMES = {"village": "村(社区)", "township": "乡镇(街道)", "city": "市"}
# pass: visible; held: content security asked for review, only the requester and moderators see
# it; released: a moderator let it through; refused: a moderator rejected it.
MODERATION_STATES = ("pass", "held", "released", "refused")
MODERATION_NAMES = {
    "pass": "已通过",
    "held": "待人工审核",
    "released": "审核后放行",
    "refused": "审核未通过",
}
CONTACT_METHODS = ("phone", "message", "none")
CONTACT_METHOD_NAMES = {"phone": "电话联系", "message": "站内消息", "none": "无需联系"}


class ServiceRequest(Model):
    __tablename__ = "service_request"
    __table_args__ = table_args(
        Index("ix_service_request_status_tier", "status", "tier"),
        Index("ix_service_request_assignee_status", "assignee_id", "status"),
    )

    requester_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(255), default="")
    # The grid (or village) the request belongs to, and its village for scoping and dispatch.
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    village_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    # Upload keys (see services.storage); URLs are built on output.
    photos: Mapped[list] = mapped_column(JSON, default=list)
    contact_method: Mapped[str] = mapped_column(String(16), default="message")
    contact_phone_enc: Mapped[str | None] = mapped_column(Text)
    # Anonymous tip-offs: the record keeps requester_id; no response to a handler shows it.
    anonymous: Mapped[bool] = mapped_column(default=False)
    moderation: Mapped[str] = mapped_column(String(16), default="pass")
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    tier: Mapped[str] = mapped_column(String(16), default="village")
    # The region whose admins own the request at its current tier (village, township, city).
    tier_region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    escalation_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    assignee_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    assignee_role: Mapped[str | None] = mapped_column(String(32))
    accept_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolve_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rating: Mapped[int | None] = mapped_column(SmallInteger)
    rating_comment: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Optimistic lock: every UPDATE checks and bumps it, so racing transitions and sweeps
    # cannot both win (the loser's UPDATE matches no row → 409 / skipped).
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)

    region: Mapped[Region] = relationship(foreign_keys=[region_id], lazy="joined")
    village: Mapped[Region] = relationship(foreign_keys=[village_id], lazy="joined")
    tier_region: Mapped[Region] = relationship(foreign_keys=[tier_region_id], lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")
    events: Mapped[list[ServiceRequestEvent]] = relationship(
        back_populates="request",
        order_by="ServiceRequestEvent.id",
        lazy="select",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}


class ServiceRequestEvent(Model):
    """One line of a request's timeline: who did what, when, with which note."""

    __tablename__ = "service_request_event"
    __table_args__ = table_args()

    request_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("service_request.id"), index=True)
    # NULL for the system (deadline sweeps, auto-close).
    actor_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(500), default="")
    assignee_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    request: Mapped[ServiceRequest] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id], lazy="joined")


class Upload(Model):
    """A stored file (image) and who uploaded it; the key names it in the storage backend."""

    __tablename__ = "upload"
    __table_args__ = table_args()

    key: Mapped[str] = mapped_column(String(128), unique=True)
    owner_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
