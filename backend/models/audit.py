"""Audit trail of admin actions (who, what, when, before/after) and idempotency records."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.models.base import BigIntPK, Model, table_args


class AuditLog(Model):
    __tablename__ = "audit_log"
    __table_args__ = table_args()

    actor_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int | None] = mapped_column(BigIntPK, index=True)
    region_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str] = mapped_column(String(64), default="")


class IdempotencyRecord(Model):
    """First answer to a POST carrying an ``Idempotency-Key``; replayed for retries."""

    __tablename__ = "idempotency_record"
    __table_args__ = table_args(UniqueConstraint("user_id", "scope", "key"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    scope: Mapped[str] = mapped_column(String(128))
    key: Mapped[str] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer, default=0)
    response_body: Mapped[str | None] = mapped_column(Text)
