"""Volunteer applications and their review by village councils and above."""

from __future__ import annotations

from sqlalchemy import or_, select

from backend.errors import (
    Conflict,
    ContentUnderReview,
    Forbidden,
    InvalidTransition,
    ValidationFailed,
)
from backend.extensions import db
from backend.models import Team, User, Volunteer
from backend.permissions import VOLUNTEER_REVIEW, get_scoped, region_filter, require_any, scoped
from backend.privacy import blind_index, encrypt, mask_name
from backend.services import audit, content, notifications
from backend.services.identity import consent_required
from backend.services.regions import get_region
from backend.utils import utcnow

# action → (allowed from, to)
TRANSITIONS = {
    "approve": (("pending", "suspended"), "approved"),
    "reject": (("pending",), "rejected"),
    "suspend": (("approved",), "suspended"),
}
ACTION_NAMES = {"approve": "审核通过", "reject": "未通过", "suspend": "已暂停"}


class ConsentRequired(Forbidden):
    code, message = "consent_required", "请先阅读并同意隐私政策"


class AlreadyApplied(Conflict):
    code, message = "already_applied", "您已提交过志愿者申请"


class IdNumberTaken(Conflict):
    code, message = "id_number_taken", "该身份证号已登记为志愿者"


def volunteer_of(user: User) -> Volunteer | None:
    return db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))


def is_active_volunteer(user: User) -> bool:
    volunteer = volunteer_of(user)
    return volunteer is not None and volunteer.status == "approved"


def apply(user: User, data: dict) -> Volunteer:
    """Submit (or, after a rejection, resubmit) a volunteer application."""
    if consent_required(user):
        raise ConsentRequired()
    volunteer = volunteer_of(user)
    if volunteer is not None and volunteer.status != "rejected":
        raise AlreadyApplied()
    village = get_region(data["village_id"])
    if village.level != "village":
        raise ValidationFailed(errors={"village_id": ["请选择村(社区)"]})
    team = None
    if data.get("team_id"):
        team = db.session.get(Team, data["team_id"])
        if team is None or not team.region.covers(village):
            raise ValidationFailed(errors={"team_id": ["该服务队不在所选村(社区)范围内"]})
    id_hash = blind_index(data["id_number"])
    taken = db.session.scalar(
        select(Volunteer.id).where(
            Volunteer.id_number_hash == id_hash,
            or_(Volunteer.user_id != user.id, Volunteer.user_id.is_(None)),
        )
    )
    if taken is not None:
        raise IdNumberTaken(errors={"id_number": ["该身份证号已登记"]})
    if content.check_text(user, data.get("intro"), data.get("availability")) != "pass":
        raise ContentUnderReview(
            "自我介绍需人工审核,请修改后再提交",
            errors={"intro": ["内容需人工审核"]},
        )
    if volunteer is None:
        volunteer = Volunteer(user_id=user.id)
        db.session.add(volunteer)
    volunteer.real_name_enc = encrypt(data["real_name"])
    volunteer.display_name = mask_name(data["real_name"])
    volunteer.phone_enc = encrypt(data["phone"])
    volunteer.id_number_enc = encrypt(data["id_number"].upper())
    volunteer.id_number_hash = id_hash
    volunteer.region_id = village.id
    volunteer.team_id = team.id if team else None
    volunteer.skills = list(dict.fromkeys(data.get("skills", [])))
    volunteer.availability = data.get("availability", "")
    volunteer.intro = data.get("intro", "")
    volunteer.status = "pending"
    volunteer.review_reason = ""
    if user.region_id is None:
        user.region_id = village.id
    db.session.flush()
    return volunteer


def list_query(
    viewer: User,
    status: str | None = None,
    region_id: int | None = None,
    q: str | None = None,
    team_id: int | None = None,
):
    """Volunteers in the viewer's review scope, newest first (403 for those who review none)."""
    require_any(viewer, VOLUNTEER_REVIEW)
    query = scoped(select(Volunteer), viewer, VOLUNTEER_REVIEW, Volunteer.region_id)
    if status:
        query = query.where(Volunteer.status == status)
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Volunteer.region_id))
    if team_id:
        query = query.where(Volunteer.team_id == team_id)
    if q:
        query = query.where(or_(Volunteer.number == q, Volunteer.display_name.startswith(q[:1])))
    return query.order_by(Volunteer.id.desc())


def get_for_review(viewer: User, volunteer_id: int) -> Volunteer:
    """403 for callers who review nowhere; 404 for ids outside the caller's scope."""
    require_any(viewer, VOLUNTEER_REVIEW)
    return get_scoped(Volunteer, volunteer_id, viewer, VOLUNTEER_REVIEW, Volunteer.region_id)


def get_readable(viewer: User, volunteer_id: int) -> Volunteer:
    """The applicant reads their own application; reviewers read those in their scope."""
    own = db.session.scalar(
        select(Volunteer).where(Volunteer.id == volunteer_id, Volunteer.user_id == viewer.id)
    )
    if own is not None:
        return own
    require_any(viewer, VOLUNTEER_REVIEW)
    return get_scoped(Volunteer, volunteer_id, viewer, VOLUNTEER_REVIEW, Volunteer.region_id)


def review(viewer: User, volunteer_id: int, action: str, reason: str = "") -> Volunteer:
    """Approve, reject or suspend an application in the viewer's scope."""
    volunteer = get_for_review(viewer, volunteer_id)
    allowed, target = TRANSITIONS[action]
    if volunteer.status not in allowed:
        raise InvalidTransition(f"当前状态不允许{ACTION_NAMES[action]}")
    if volunteer.user_id == viewer.id:
        raise Forbidden("不能审核自己的申请", code="self_review")
    before = audit.snapshot(volunteer, "status", "review_reason")
    volunteer.status = target
    volunteer.review_reason = reason
    volunteer.reviewed_by_id = viewer.id
    volunteer.reviewed_at = utcnow()
    if target == "approved" and volunteer.number is None:
        db.session.flush()
        volunteer.number = f"PA{volunteer.reviewed_at.year}{volunteer.id:07d}"
    if target == "suspended" and volunteer.user is not None:
        volunteer.user.token_version += 1  # a suspended volunteer's tokens stop working
    audit.record(
        viewer,
        f"volunteer.{action}",
        volunteer,
        reason=reason,
        before=before,
        after=audit.snapshot(volunteer, "status", "review_reason"),
    )
    if volunteer.user_id is not None:
        notifications.enqueue(
            "volunteer_review",
            volunteer.user_id,
            dedupe_key=f"volunteer_review:{volunteer.id}:{target}:{volunteer.reviewed_at.isoformat()}",
            title=f"志愿者申请{ACTION_NAMES[action]}",
            body=reason or "",
            fields={"result": ACTION_NAMES[action], "reason": reason, "number": volunteer.number},
            page="pages/mine/index",
        )
    db.session.flush()
    return volunteer
