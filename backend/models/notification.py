"""In-app inbox rows; every notice lands here, WeChat delivery is layered on top."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import BigIntPK, Model, table_args
from backend.models.types import UTCDateTime


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
