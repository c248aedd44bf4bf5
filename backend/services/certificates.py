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
from datetime import datetime

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


def _most_frequent(names) -> list[str]:
    """Distinct names, the most frequent first (ties by name, so the text is stable)."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: (-counts[n], n))


def _listed(names: list[str], most: int, more: str) -> str:
    """``a、b、c`` — and ``more`` (等 / 等地) only when some names were left out."""
    return "、".join(names[:most]) + (more if len(names) > most else "")


def service_hours_text(
    name: str,
    number: str,
    first: datetime,
    last: datetime,
    places: list[str],
    categories: list[str],
    count: int,
    minutes: int,
) -> str:
    """The body of a 志愿服务记录证明, worded for what was served: one day reads 于…, one place
    and one kind of activity carry no 等, and 等/等地 appear only when names were left out."""
    first_day, last_day = chinese_date(first), chinese_date(last)
    when = f"于{first_day}" if first_day == last_day else f"自{first_day}至{last_day}"
    return (
        f"兹证明{name}(志愿者编号{number}){when},在{_listed(places, 3, '等地')}参加平安大联盟"
        f"{_listed(categories, 4, '等')}志愿服务活动{count}次,"
        f"累计志愿服务时长{_hours_text(minutes)}小时。特此证明。"
    )


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
        select(
            Activity.title,
            Activity.category,
            Activity.start_at,
            Region.name.label("place"),
            Attendance.served_minutes,
        )
        .join(Activity, Activity.id == Attendance.activity_id)
        .join(Region, Region.id == Activity.region_id)
        .where(
            Attendance.user_id == volunteer.user_id,
            Attendance.hours_kind == "service",
            Attendance.served_minutes > 0,
        )
        .order_by(Activity.start_at, Attendance.id)
    ).all()
    categories = _most_frequent(CATEGORIES.get(row.category, row.category) for row in served)
    places = _most_frequent(row.place for row in served)
    village = volunteer.region
    township = village.parent if village.level == "village" and village.parent else village
    text = service_hours_text(
        volunteer.display_name or "志愿者",
        volunteer.number or "—",
        served[0].start_at,
        served[-1].start_at,
        places,
        categories,
        len(served),
        minutes,
    )
    star = hours["star_level"]
    facts = [
        ["志愿者编号", volunteer.number or "—"],
        ["累计服务时长", f"{_hours_text(minutes)} 小时"],
        ["服务次数", f"{len(served)} 次"],
        ["服务内容", "、".join(categories)],
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
_font_path: str | None = None


def cjk_font() -> str:
    """Register and return a font for Chinese text: an embedded TrueType font when one is
    installed (configurable with CERTIFICATE_FONT_PATH), else reportlab's CID font STSong-Light
    (not embedded: the reader must have it, but it works everywhere reportlab does)."""
    global _font_name, _font_path
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
        _font_name, _font_path = "CertCJK", path
        return _font_name
    log.warning("no CJK TrueType font found; certificates use the non-embedded STSong-Light")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _font_name, _font_path = "STSong-Light", None
    return _font_name


# Page geometry (points). Frames as drawn; every text line stays inside the content box, which
# sits 14 mm inside the inner frame.
MM = 72 / 25.4
OUTER_INSET, INNER_INSET, CONTENT_INSET = 12 * MM, 16 * MM, 30 * MM
QR_SIZE = 24 * MM
ISSUER_COLUMN = 78 * MM
COLUMN_GAP = 8 * MM
GAP = 5 * MM
# A text line occupies about this much above and below its baseline, in font sizes (CJK fonts
# reach ~0.97 em up and ~0.30 em down); layout works with these so that lines never touch.
ASCENT, DESCENT = 1.0, 0.32


@dataclass
class _Page:
    pdf: object
    font: str
    left: float
    right: float
    bottom: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left


def _fit_size(text: str, font: str, size: float, width: float, smallest: float) -> float:
    """The largest size from ``size`` down to ``smallest`` at which ``text`` fits ``width``."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _paragraph(text: str, font: str, size: float, *, indent: float = 0, hanging: float = 0):
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    style = ParagraphStyle(
        f"p{size}",
        fontName=font,
        fontSize=size,
        leading=round(size * (ASCENT + DESCENT) + size * 0.35, 1),
        wordWrap="CJK",
        firstLineIndent=indent - hanging,
        leftIndent=hanging,
    )
    return Paragraph(_escape(text), style)


def _facts(certificate: Certificate) -> list[tuple[str, str]]:
    facts = []
    if certificate.holder_id_masked:
        facts.append(("身份证号", certificate.holder_id_masked))
    for label, value in (certificate.details or {}).get("facts", []):
        facts.append((label, str(value)))
    return facts


def render_pdf(certificate: Certificate) -> bytes:
    """An A4 landscape certificate laid out from measured text: number, title, holder, the
    wrapped body, the facts, the issuer with its seal, and a QR code that opens the
    verification. Sizes shrink (within limits) until everything fits its box."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    font = cjk_font()
    width, height = landscape(A4)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"{certificate.title} {certificate.number}")
    pdf.setAuthor(certificate.issuer)
    red, grey = colors.HexColor("#C8161D"), colors.HexColor("#646A73")
    page = _Page(pdf, font, CONTENT_INSET, width - CONTENT_INSET, 26 * MM, height - 24 * MM)

    pdf.setStrokeColor(red)
    pdf.setLineWidth(4)
    pdf.rect(OUTER_INSET, OUTER_INSET, width - 2 * OUTER_INSET, height - 2 * OUTER_INSET)
    pdf.setLineWidth(1)
    pdf.rect(INNER_INSET, INNER_INSET, width - 2 * INNER_INSET, height - 2 * INNER_INSET)

    # Header: the number on the right, the revocation note (if any) on the left.
    size = 11
    baseline = page.top - ASCENT * size
    pdf.setFillColor(colors.black)
    pdf.setFont(font, size)
    pdf.drawRightString(page.right, baseline, f"编号:{certificate.number}")
    if certificate.status == "revoked":
        pdf.setFillColor(red)
        pdf.drawString(
            page.left, baseline, f"本证书已于{chinese_date(certificate.revoked_at or utcnow())}撤销"
        )
    cursor = baseline - DESCENT * size - GAP

    size = _fit_size(certificate.title, font, 38, page.width, 20)
    baseline = cursor - ASCENT * size
    pdf.setFillColor(red)
    pdf.setFont(font, size)
    pdf.drawCentredString((page.left + page.right) / 2, baseline, certificate.title)
    cursor = baseline - DESCENT * size - 2 * GAP

    pdf.setFillColor(colors.black)
    holder = _paragraph(f"{certificate.holder_name}:", font, 19)
    _, h = holder.wrap(page.width, cursor - page.bottom)
    holder.drawOn(pdf, page.left, cursor - h)
    cursor -= h + GAP / 2

    floor = _draw_footer(page, certificate, red, grey) + GAP
    # The body: the largest size (17 → 11) at which the wrapped text fits above the footer.
    for tenths in range(170, 105, -5):
        size = tenths / 10
        body = _paragraph(certificate.content, font, size, indent=2 * size)
        _, h = body.wrap(page.width, cursor - floor)
        if h <= cursor - floor:
            break
    body.drawOn(pdf, page.left, cursor - h)

    if certificate.status == "revoked":
        # Stamped across the page, as outlines (like the seal) so it never mixes with the text.
        pdf.saveState()
        pdf.setFillColor(red)
        pdf.setFillAlpha(0.35)
        outlines = _outline_font()
        if outlines is not None:
            for i, char in enumerate("已撤销"):
                offset = (i - 1) * 100
                x = width / 2 + offset * 0.906  # cos 25°
                y = height / 2 + offset * 0.423  # sin 25°
                _draw_glyph(pdf, outlines, char, x, y, 90, 25)
        else:
            pdf.setFont(font, 90)
            pdf.translate(width / 2, height / 2)
            pdf.rotate(25)
            pdf.drawCentredString(0, -20, "已撤销")
        pdf.restoreState()

    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_footer(page: _Page, certificate: Certificate, red, grey) -> float:
    """Facts and the QR code on the left, issuer, date and seal on the right; returns the top
    of what was drawn."""
    from reportlab.lib import colors
    from reportlab.pdfbase.pdfmetrics import stringWidth

    pdf, font = page.pdf, page.font
    left_width = page.width - ISSUER_COLUMN - COLUMN_GAP

    # Verification: the QR code (the public URL; WeChat opens the mini-program page for it),
    # and beside it how to verify by hand.
    url = certificate.verify_url
    _draw_qr(pdf, url, page.left, page.bottom, QR_SIZE)
    text_left = page.left + QR_SIZE + 3 * MM
    text_width = page.left + left_width - text_left
    lines = [
        "扫描二维码验证真伪",
        "或在微信「平安大联盟」小程序 → 我的证书 → 证书验证 输入证书编号",
        f"网址:{url}",
    ]
    pdf.setFillColor(grey)
    y = page.bottom + QR_SIZE
    for text in lines:
        paragraph = _paragraph(text, font, 9)
        _, h = paragraph.wrap(text_width, QR_SIZE)
        y -= h
        paragraph.drawOn(pdf, text_left, y)
    left_top = page.bottom + QR_SIZE + GAP

    pdf.setFillColor(colors.black)
    for label, value in reversed(_facts(certificate)):
        paragraph = _paragraph(f"{label}:{value}", font, 12, hanging=2 * 12)
        _, h = paragraph.wrap(left_width, 200)
        paragraph.drawOn(pdf, page.left, left_top)
        left_top += h

    # Issuer and date, right-aligned; the seal is stamped over them as on paper. It is drawn
    # as outlines, not text, so it never mixes with the text that it covers.
    right = page.right
    date_text = chinese_date(certificate.issued_at)
    size = _fit_size(certificate.issuer, font, 16, ISSUER_COLUMN, 9)
    date_baseline = page.bottom + 4 * MM + DESCENT * 16
    issuer_baseline = date_baseline + (ASCENT + DESCENT) * 16 + 2 * MM
    pdf.setFont(font, 16)
    pdf.drawRightString(right, date_baseline, date_text)
    pdf.setFont(font, size)
    pdf.drawRightString(right, issuer_baseline, certificate.issuer)
    block_width = max(stringWidth(certificate.issuer, font, size), stringWidth(date_text, font, 16))
    radius = 17 * MM
    centre_x = right - block_width / 2
    centre_y = (date_baseline + issuer_baseline) / 2 + 4 * MM
    _draw_seal(pdf, centre_x, centre_y, radius, certificate.issuer, red)
    right_top = max(issuer_baseline + ASCENT * size, centre_y + radius)
    return max(left_top, right_top)


def _draw_qr(pdf, value: str, x: float, y: float, size: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(value, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)


_outline_cache: dict[str, object] = {}


def _outline_font():
    """The CJK TrueType font as outlines (fontTools), or None with the CID fallback font."""
    if _font_path is None:
        return None
    if _font_path not in _outline_cache:
        from fontTools.ttLib import TTFont

        try:
            _outline_cache[_font_path] = TTFont(_font_path, fontNumber=0, lazy=True)
        except Exception as exc:  # noqa: BLE001 - the seal then has no words, nothing breaks
            log.warning("cannot read outlines of %s: %s", _font_path, exc)
            _outline_cache[_font_path] = None
    return _outline_cache[_font_path]


def _draw_glyph(pdf, font, char: str, x: float, y: float, size: float, angle: float) -> None:
    """One character as a filled outline centred on (x, y), rotated by ``angle`` degrees."""
    from fontTools.pens.basePen import BasePen
    from reportlab.pdfgen.canvas import FILL_NON_ZERO

    name = font.getBestCmap().get(ord(char))
    if name is None:
        return
    glyphs = font.getGlyphSet()
    em = font["head"].unitsPerEm
    path = pdf.beginPath()

    class Pen(BasePen):
        def _moveTo(self, p):
            path.moveTo(*p)

        def _lineTo(self, p):
            path.lineTo(*p)

        def _curveToOne(self, p1, p2, p3):
            path.curveTo(*p1, *p2, *p3)

        def _closePath(self):
            path.close()

    glyphs[name].draw(Pen(glyphs))
    pdf.saveState()
    pdf.translate(x, y)
    pdf.rotate(angle)
    pdf.scale(size / em, size / em)
    pdf.translate(-glyphs[name].width / 2, -0.38 * em)
    pdf.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)
    pdf.restoreState()


def _draw_seal(pdf, x: float, y: float, radius: float, issuer: str, red) -> None:
    """A round seal: ring, star, the issuer along the upper arc and 证书专用章 below."""
    import math

    pdf.saveState()
    pdf.setStrokeColor(red)
    pdf.setFillColor(red)
    pdf.setStrokeAlpha(0.85)
    pdf.setFillAlpha(0.85)
    pdf.setLineWidth(2.2)
    pdf.circle(x, y, radius)
    star = pdf.beginPath()
    for i in range(10):
        r = radius * (0.28 if i % 2 == 0 else 0.11)
        a = math.radians(90 + 36 * i)
        point = (x + r * math.cos(a), y + r * math.sin(a))
        star.moveTo(*point) if i == 0 else star.lineTo(*point)
    star.close()
    pdf.drawPath(star, stroke=0, fill=1)
    font = _outline_font()
    if font is not None:
        words = issuer[:16]
        size = radius * 0.27
        span = min(250.0, 19.0 * len(words))
        for i, char in enumerate(words):
            angle = 90 + span / 2 - span * (i + 0.5) / len(words)
            a = math.radians(angle)
            r = radius - size * 0.75
            _draw_glyph(pdf, font, char, x + r * math.cos(a), y + r * math.sin(a), size, angle - 90)
        for i, char in enumerate("证书专用章"):
            step = radius * 0.22
            _draw_glyph(pdf, font, char, x + (i - 2) * step, y - radius * 0.55, step, 0)
    pdf.restoreState()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
