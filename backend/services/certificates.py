"""Certificates (证明): numbered, verifiable by number, rendered as a PDF with Chinese text.

A certificate freezes what it says at issue (masked identity, content, issuer, date). Each kind
has a title and a number prefix; a kind's issuer function builds the content and calls
:func:`issue`, whose unique ``(kind, source_key)`` makes issuing idempotent. Award certificates
are issued on award approval; service-hour certificates (志愿服务记录证明) plug in the same way
with the hours service.
"""

from __future__ import annotations

import io
import logging
import os
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from backend.errors import Conflict, NotFound
from backend.extensions import db
from backend.models import Activity, Attendance, Certificate, Region, User, Volunteer
from backend.permissions import CERTIFICATE_ISSUE
from backend.privacy import decrypt, mask_id_number
from backend.utils import china_date, chinese_date, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CertificateKind:
    title: str
    prefix: str


KINDS = {
    "award": CertificateKind(title="荣誉证书", prefix="RY"),
    "service_hours": CertificateKind(title="志愿服务记录证明", prefix="FW"),
}
STATUS_NAMES = {"valid": "有效", "revoked": "已撤销"}


class CertificateNotFound(NotFound):
    code, message = "certificate_not_found", "证书编号不存在,请核对后再试"


def issuer_name(region: Region) -> str:
    """The issuing governance centre of a region: 丰城市综治中心, 剑光街道综治中心 …"""
    return f"{region.name}综治中心"


def issue(
    kind: str,
    source_key: str,
    *,
    holder_name: str,
    content: str,
    issuer_region: Region,
    user_id: int | None = None,
    holder_id_masked: str = "",
    award_id: int | None = None,
    details: dict | None = None,
    title: str | None = None,
) -> Certificate:
    """Issue the certificate of ``(kind, source_key)``, or return the one already issued."""
    spec = KINDS[kind]
    existing = _by_source(kind, source_key)
    if existing is not None:
        return existing
    now = utcnow()
    certificate = Certificate(
        kind=kind,
        source_key=source_key,
        award_id=award_id,
        user_id=user_id,
        holder_name=holder_name[:64],
        holder_id_masked=holder_id_masked or "",
        title=title or spec.title,
        content=content,
        details=details or {},
        issuer=issuer_name(issuer_region),
        issuer_region_id=issuer_region.id,
        issued_at=now,
        status="valid",
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
            db.session.flush()
    except IntegrityError:
        found = _by_source(kind, source_key)
        if found is None:
            raise
        return found
    # The id makes it unique; the random tail makes numbers impractical to enumerate.
    certificate.number = (
        f"{spec.prefix}{china_date(now).year}{certificate.id:07d}{secrets.token_hex(2).upper()}"
    )
    db.session.flush()
    return certificate


# ---------------------------------------------------------------------------------------------
# Service-hour certificates (志愿服务记录证明)
# ---------------------------------------------------------------------------------------------

SERVICE_ACTIVITIES_LISTED = 20


class NotAVolunteer(Conflict):
    code, message = "not_a_volunteer", "您还不是已通过审核的平安志愿者"


class NoServiceHours(Conflict):
    code, message = "no_service_hours", "暂无志愿服务时长记录,参加活动并签退后再申请"


def _hours_text(minutes: int) -> str:
    return f"{minutes / 60:.1f}".rstrip("0").rstrip(".")


def issue_service_hours(volunteer: Volunteer) -> tuple[Certificate, bool]:
    """The 志愿服务记录证明 of ``volunteer`` for the service hours recorded so far.

    Frozen at issue: the key is the user and their served minutes, so asking again without new
    hours returns the same certificate (``created`` False) and new hours give a new one. Duty
    hours of grid workers and auxiliary police are not volunteer service and are left out.
    Issued by the governance centre of the volunteer's township (the village's parent).
    """
    from backend.models.activity import CATEGORIES
    from backend.services.hours import hours_of

    if volunteer.status != "approved" or volunteer.user_id is None:
        raise NotAVolunteer()
    hours = hours_of(volunteer.user_id)
    minutes = hours["service_minutes"]
    if minutes <= 0:
        raise NoServiceHours()
    source_key = f"hours:{volunteer.user_id}:{minutes}"
    existing = _by_source("service_hours", source_key)
    if existing is not None:
        return existing, False
    served = db.session.execute(
        select(Activity.title, Activity.category, Activity.start_at, Attendance.served_minutes)
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(
            Attendance.user_id == volunteer.user_id,
            Attendance.hours_kind == "service",
            Attendance.served_minutes > 0,
        )
        .order_by(Activity.start_at, Attendance.id)
    ).all()
    first, last = served[0].start_at, served[-1].start_at
    by_category: dict[str, int] = {}
    for row in served:
        by_category[row.category] = by_category.get(row.category, 0) + 1
    kinds = sorted(by_category, key=lambda c: (-by_category[c], c))
    content_names = "、".join(CATEGORIES.get(c, c) for c in kinds[:4])
    village = volunteer.region
    township = village.parent if village.level == "village" and village.parent else village
    text = (
        f"兹证明{volunteer.display_name}(志愿者编号{volunteer.number or '—'})"
        f"自{chinese_date(first)}至{chinese_date(last)},在{village.name}等地参加平安大联盟"
        f"{content_names}等志愿服务活动{len(served)}次,累计志愿服务时长{_hours_text(minutes)}"
        "小时。特此证明。"
    )
    star = hours["star_level"]
    facts = [
        ["志愿者编号", volunteer.number or "—"],
        ["累计服务时长", f"{_hours_text(minutes)} 小时"],
        ["服务次数", f"{len(served)} 次"],
        ["服务内容", content_names],
    ] + ([["星级", f"{hours['star_name']}志愿者"]] if star else [])
    certificate = issue(
        "service_hours",
        source_key,
        holder_name=volunteer.display_name or "志愿者",
        holder_id_masked=mask_id_number(decrypt(volunteer.id_number_enc)) or "",
        content=text,
        issuer_region=township,
        user_id=volunteer.user_id,
        details={
            "service_minutes": minutes,
            "service_hours": hours["service_hours"],
            "activity_count": len(served),
            "star_level": star,
            "facts": facts,
            # The latest activities, newest first (the count and hours cover all of them).
            "activities": [
                {
                    "title": row.title,
                    "category_name": CATEGORIES.get(row.category, row.category),
                    "date": china_date(row.start_at).isoformat(),
                    "hours": round(row.served_minutes / 60, 1),
                }
                for row in reversed(served[-SERVICE_ACTIVITIES_LISTED:])
            ],
        },
    )
    return certificate, True


def request_service_hours(user: User) -> tuple[Certificate, bool]:
    """A volunteer asks for their own 志愿服务记录证明."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is None:
        raise NotAVolunteer()
    return issue_service_hours(volunteer)


def issue_service_hours_for(actor: User, volunteer_id: int) -> tuple[Certificate, bool]:
    """An admin issues the certificate of a volunteer in their scope (others: 404)."""
    from backend.permissions import get_scoped, require_any
    from backend.services import audit

    require_any(actor, CERTIFICATE_ISSUE)  # no admin role anywhere: 403, not 404
    volunteer = get_scoped(Volunteer, volunteer_id, actor, CERTIFICATE_ISSUE, Volunteer.region_id)
    certificate, created = issue_service_hours(volunteer)
    if created:
        audit.record(
            actor,
            "certificate.issue",
            certificate,
            after={"number": certificate.number, "kind": "service_hours"},
            region_id=volunteer.region_id,
        )
    return certificate, created


def _by_source(kind: str, source_key: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.kind == kind, Certificate.source_key == source_key)
    )


def revoke(kind: str, source_key: str, reason: str) -> Certificate | None:
    """Mark a certificate revoked (verification then says so); returns it if there was one."""
    certificate = _by_source(kind, source_key)
    if certificate is not None and certificate.status != "revoked":
        certificate.status = "revoked"
        certificate.revoked_at = utcnow()
        certificate.revoke_reason = reason[:500]
    return certificate


def verify(number: str) -> Certificate:
    """The certificate with ``number`` (any status), or 404."""
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.number == number.strip().upper())
    )
    if certificate is None:
        raise CertificateNotFound()
    return certificate


def mine_query(user: User):
    return (
        select(Certificate)
        .where(Certificate.user_id == user.id)
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------

# Debian/Ubuntu locations of TrueType CJK fonts (fonts-wqy-zenhei, fonts-wqy-microhei,
# fonts-arphic-uming, fonts-droid-fallback). CFF-based OpenType fonts (Noto CJK .ttc) cannot be
# embedded by reportlab, so they are not listed.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
_font_name: str | None = None


def cjk_font() -> str:
    """Register and return a font for Chinese text: an embedded TrueType font when one is
    installed (configurable with CERTIFICATE_FONT_PATH), else reportlab's CID font STSong-Light
    (not embedded: the reader must have it, but it works everywhere reportlab does)."""
    global _font_name
    if _font_name is not None:
        return _font_name
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    configured = current_app.config.get("CERTIFICATE_FONT_PATH")
    for path in ([configured] if configured else []) + list(FONT_CANDIDATES):
        if not path or not os.path.exists(path):
            continue
        try:
            pdfmetrics.registerFont(TTFont("CertCJK", path, subfontIndex=0))
        except Exception as exc:  # noqa: BLE001 - a broken font file must not break certificates
            log.warning("cannot use font %s: %s", path, exc)
            continue
        _font_name = "CertCJK"
        return _font_name
    log.warning("no CJK TrueType font found; certificates use the non-embedded STSong-Light")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _font_name = "STSong-Light"
    return _font_name


def render_pdf(certificate: Certificate) -> bytes:
    """An A4 landscape certificate with the number, masked identity, content, issuer and date."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Paragraph

    font = cjk_font()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{certificate.title} {certificate.number}")
    pdf.setAuthor(certificate.issuer)
    red = colors.HexColor("#C8161D")

    pdf.setStrokeColor(red)
    pdf.setLineWidth(4)
    pdf.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    pdf.setLineWidth(1)
    pdf.rect(16 * mm, 16 * mm, width - 32 * mm, height - 32 * mm)

    pdf.setFillColor(red)
    pdf.setFont(font, 40)
    pdf.drawCentredString(width / 2, height - 48 * mm, certificate.title)
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 11)
    pdf.drawRightString(width - 26 * mm, height - 28 * mm, f"编号:{certificate.number}")

    style = ParagraphStyle(
        "body", fontName=font, fontSize=17, leading=30, wordWrap="CJK", firstLineIndent=34
    )
    holder = ParagraphStyle("holder", fontName=font, fontSize=19, leading=30)
    top = height - 70 * mm
    name = Paragraph(f"{_escape(certificate.holder_name)}:", holder)
    _, h = name.wrap(width - 70 * mm, 40 * mm)
    name.drawOn(pdf, 35 * mm, top - h)
    body = Paragraph(_escape(certificate.content), style)
    _, body_height = body.wrap(width - 70 * mm, 80 * mm)
    body.drawOn(pdf, 35 * mm, top - h - 6 * mm - body_height)

    pdf.setFont(font, 12)
    y = 50 * mm
    facts = []
    if certificate.holder_id_masked:
        facts.append(f"身份证号:{certificate.holder_id_masked}")
    for label, value in (certificate.details or {}).get("facts", []):
        facts.append(f"{label}:{value}")
    for line in facts:
        pdf.drawString(35 * mm, y, line)
        y -= 7 * mm
    pdf.setFont(font, 10)
    pdf.setFillColor(colors.HexColor("#646A73"))
    pdf.drawString(
        35 * mm,
        24 * mm,
        "验证:平安大联盟小程序「证书验证」输入编号,"
        f"或访问 /api/v1/certificates/{certificate.number}",
    )

    # Issuer and date, with a round seal.
    pdf.setFillColor(colors.black)
    pdf.setFont(font, 16)
    right = width - 40 * mm
    pdf.drawRightString(right, 46 * mm, certificate.issuer)
    pdf.drawRightString(right, 37 * mm, chinese_date(certificate.issued_at))
    pdf.setStrokeColor(red)
    pdf.setLineWidth(2.5)
    seal_x, seal_y = right - 22 * mm, 45 * mm
    pdf.circle(seal_x, seal_y, 17 * mm)
    pdf.setFillColor(red)
    pdf.setFont(font, 9)
    pdf.drawCentredString(seal_x, seal_y + 6 * mm, certificate.issuer[:10])
    pdf.setFont(font, 16)
    pdf.drawCentredString(seal_x, seal_y - 3 * mm, "★")
    pdf.setFont(font, 8)
    pdf.drawCentredString(seal_x, seal_y - 10 * mm, "证书专用章")

    if certificate.status == "revoked":
        pdf.saveState()
        pdf.setFillColor(red)
        pdf.setFillAlpha(0.35)
        pdf.setFont(font, 90)
        pdf.translate(width / 2, height / 2)
        pdf.rotate(25)
        pdf.drawCentredString(0, -20, "已撤销")
        pdf.restoreState()
        pdf.setFont(font, 11)
        pdf.setFillColor(red)
        pdf.drawString(
            35 * mm,
            height - 28 * mm,
            f"本证书已于{chinese_date(certificate.revoked_at or utcnow())}撤销",
        )

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
