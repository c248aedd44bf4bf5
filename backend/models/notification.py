"""Notices: the in-app inbox (every notice), WeChat subscriptions, and the WeChat outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.types import UTCDateTime
from backend.utils import utcnow

OUTBOX_STATUSES = ("pending", "sending", "sent", "skipped", "failed")
OUTBOX_STATUS_NAMES = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "skipped": "已跳过",
    "failed": "发送失败",
}


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = table_args(Index("ix_notification_user_read", "user_id", "read_at"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # The same event never makes two notices: e.g. "volunteer_review:12:approved".
    dedupe_key: Mapped[str] = mapped_column(String(191), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(String(500), default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    page: Mapped[str] = mapped_column(String(255), default="")
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Subscription(Model):
    """How many subscribe messages of one template a user has left (each acceptance = one)."""

    __tablename__ = "notification_subscription"
    __table_args__ = table_args(UniqueConstraint("user_id", "template_id"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    kind: Mapped[str] = mapped_column(String(32))
    template_id: Mapped[str] = mapped_column(String(128))
    remaining: Mapped[int] = mapped_column(Integer, default=0)
    accepted_total: Mapped[int] = mapped_column(Integer, default=0)
    # The last answer of wx.requestSubscribeMessage: accept / reject / ban / filter.
    last_result: Mapped[str] = mapped_column(String(16), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OutboxMessage(Model):
    """One WeChat subscribe message to send, written in the transaction that raised the notice.

    ``pending`` rows are due at ``next_attempt_at``; a dispatcher claims them (``sending``, with its
    ``claim_token``) and records ``sent``, ``skipped`` (permanent refusal), a retry (back to
    ``pending`` later) or ``failed`` (attempts exhausted; an admin may resend).
    """

    __tablename__ = "notification_outbox"
    __table_args__ = table_args(
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    )

    notification_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("notification.id"), unique=True
    )
    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    template_id: Mapped[str] = mapped_column(String(128))
    # Template data as WeChat wants it ({"thing1": "…", …}), fitted to its rules at enqueue time.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    page: Mapped[str] = mapped_column(String(255), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    claim_token: Mapped[str | None] = mapped_column(String(32), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_errcode: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(255), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    notification: Mapped[Notification] = relationship(lazy="raise")
