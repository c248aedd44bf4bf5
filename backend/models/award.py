"""Award types, nominations, awards (表彰) and certificates (证明)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.models.base import BigIntPK, Model, table_args
from backend.models.region import Region
from backend.models.types import UTCDateTime
from backend.models.user import User

TIERS = ("village", "township", "city")
TIER_NAMES = {"village": "村级", "township": "乡镇级", "city": "市级"}
TARGET_KINDS = ("volunteer", "team", "village")
TARGET_NAMES = {"volunteer": "志愿者", "team": "志愿服务队", "village": "村(社区)"}
NOMINATION_STATUSES = ("pending", "approved", "rejected")
NOMINATION_STATUS_NAMES = {"pending": "待审批", "approved": "已通过", "rejected": "未通过"}
AWARD_STATUSES = ("active", "revoked")
AWARD_STATUS_NAMES = {"active": "有效", "revoked": "已撤销"}
CERTIFICATE_KINDS = ("award", "service_hours")
CERTIFICATE_STATUSES = ("valid", "revoked")
CERTIFICATE_STATUS_NAMES = {"valid": "有效", "revoked": "已撤销"}
# The mini-program page that verifies a certificate (it reads ?number=).
CERTIFICATE_VERIFY_PAGE = "pages/recognition/certificates/index"


class AwardType(Model):
    """e.g. 月度平安之星 (village, volunteer, 20 points), 先进集体 (city, village, 0 points)."""

    __tablename__ = "award_type"
    __table_args__ = table_args(UniqueConstraint("name", "tier"))

    name: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    target_kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))


class Nomination(Model):
    """A recommendation of a volunteer, team or village for an award, decided by the next tier."""

    __tablename__ = "nomination"
    __table_args__ = table_args()

    award_type_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("award_type.id"), index=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    # Volunteer.id, Team.id or the village's Region.id, by target_kind.
    target_id: Mapped[int] = mapped_column(BigIntPK)
    target_name: Mapped[str] = mapped_column(String(64))
    # Where the target belongs (its village, or the team's region): scopes who sees it.
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    # The region at the award's tier that contains the target: the approving tier sits above it.
    award_region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    tier: Mapped[str] = mapped_column(String(16))
    period_label: Mapped[str] = mapped_column(String(32), default="")
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    # Set while pending or approved, cleared on rejection or revocation: one live nomination per
    # award type, target and period (a unique index, so racing duplicates fail too).
    open_key: Mapped[str | None] = mapped_column(String(191), unique=True)
    nominated_by_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    decided_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str] = mapped_column(String(500), default="")

    award_type: Mapped[AwardType] = relationship(lazy="joined")
    region: Mapped[Region] = relationship(foreign_keys=[region_id], lazy="joined")
    award_region: Mapped[Region] = relationship(foreign_keys=[award_region_id], lazy="joined")
    nominated_by: Mapped[User] = relationship(foreign_keys=[nominated_by_id], lazy="joined")
    award: Mapped[Award | None] = relationship(
        "Award",
        primaryjoin="Nomination.id == Award.nomination_id",
        foreign_keys="Award.nomination_id",
        viewonly=True,
        uselist=False,
        lazy="selectin",
    )


class Award(Model):
    """An approved award (表彰): the honour roll. Revocation keeps the row, marked revoked."""

    __tablename__ = "award"
    __table_args__ = table_args()

    nomination_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("nomination.id"), unique=True)
    award_type_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("award_type.id"), index=True)
    title: Mapped[str] = mapped_column(String(64))
    tier: Mapped[str] = mapped_column(String(16))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[int] = mapped_column(BigIntPK)
    target_name: Mapped[str] = mapped_column(String(64))
    # The volunteer's account for a volunteer award (who gets points and the notice).
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"), index=True)
    award_region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    period_label: Mapped[str] = mapped_column(String(32), default="")
    points: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    approved_by_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    awarded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"))
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")

    region: Mapped[Region] = relationship(foreign_keys=[region_id], lazy="joined")
    award_region: Mapped[Region] = relationship(foreign_keys=[award_region_id], lazy="joined")
    certificate: Mapped[Certificate | None] = relationship(
        "Certificate",
        primaryjoin="Award.id == Certificate.award_id",
        foreign_keys="Certificate.award_id",
        viewonly=True,
        uselist=False,
        lazy="selectin",
    )


class Certificate(Model):
    """A numbered, verifiable certificate; identity shown masked, content frozen at issue."""

    __tablename__ = "certificate"
    __table_args__ = table_args(UniqueConstraint("kind", "source_key"))

    # Assigned right after insert (it embeds the id); verifiable at GET /certificates/{number}.
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # What the certificate is for, unique per kind: "award:12", "hours:7:2026" …
    source_key: Mapped[str] = mapped_column(String(64))
    award_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("award.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("app_user.id"), index=True)
    holder_name: Mapped[str] = mapped_column(String(64))
    holder_id_masked: Mapped[str] = mapped_column(String(32), default="")
    title: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    # Extra facts printed on the certificate (hours, award, period …).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    issuer: Mapped[str] = mapped_column(String(64))
    issuer_region_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("region.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="valid")
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")

    @property
    def verify_page(self) -> str:
        """The mini-program page that verifies this certificate."""
        return f"{CERTIFICATE_VERIFY_PAGE}?number={self.number}"

    @property
    def verify_url(self) -> str:
        """The public verification address (the QR code on the paper), absolute when the
        site's address is known: PUBLIC_BASE_URL, else the address this request came to."""
        from flask import current_app, has_request_context, request

        base = current_app.config.get("PUBLIC_BASE_URL") or (
            request.host_url if has_request_context() else ""
        )
        return f"{base.rstrip('/')}/api/v1/certificates/{self.number}"
