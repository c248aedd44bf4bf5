"""Users (every WeChat login), role grants and consents."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime

USER_STATUSES = ("active", "disabled", "deleted")


class User(Model):
    __tablename__ = "app_user"
    __table_args__ = table_args()

    # NULL once the account is deleted, so the same WeChat user can register again.
    openid: Mapped[str | None] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64))
    nickname: Mapped[str] = mapped_column(String(64), default="")
    avatar_url: Mapped[str] = mapped_column(String(512), default="")
    # Encrypted at rest (Fernet); the hash is a keyed blind index for lookups.
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    session_key_enc: Mapped[str | None] = mapped_column(Text)
    region_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("region.id"))
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    # Bumped on role change, suspension or deletion: older tokens stop working.
    token_version: Mapped[int] = mapped_column(default=1)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    region: Mapped[Region | None] = relationship(lazy="joined")
    grants: Mapped[list[RoleGrant]] = relationship(
        back_populates="user", lazy="selectin", foreign_keys="RoleGrant.user_id"
    )

    @property
    def is_active(self) -> bool:
        return self.status == "active"


class RoleGrant(Model):
    """A role held in a region; it covers the region's descendants."""

    __tablename__ = "role_grant"
    __table_args__ = table_args(UniqueConstraint("user_id", "role", "region_id"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    granted_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    region: Mapped[Region] = relationship(lazy="joined")


class Consent(Model):
    """Each acceptance of a privacy-notice version (PIPL): kept as a record."""

    __tablename__ = "consent"
    __table_args__ = table_args(UniqueConstraint("user_id", "version"))

    user_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    version: Mapped[str] = mapped_column(String(32))
    ip: Mapped[str] = mapped_column(String(64), default="")
