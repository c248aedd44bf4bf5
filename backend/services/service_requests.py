"""Service requests (服务响应): submission, dispatch, the state machine, escalation, closure.

Lifecycle: submitted → assigned → in_progress → resolved → closed, plus rejected, cancelled
(by the requester before work starts) and reopened (by the requester within
``SERVICE_REQUEST_REOPEN_DAYS`` of resolution). Each request belongs to a village (and maybe a
grid) and sits at a tier — village, township or city. The current tier decides whose admins are
alerted and who may dispatch; the request stays visible to the lower tiers. Every change is an
event in the request's timeline.

Concurrency: ``ServiceRequest.version`` is the mapper's version column, so each UPDATE is
``… WHERE id = ? AND version = ?``; a racing transition or sweep matches no row and loses
(409 for a person, skipped for the job).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from backend.errors import (
    Conflict,
    ContentUnderReview,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from backend.extensions import db, wechat
from backend.models import (
    Region,
    RoleGrant,
    ServiceRequest,
    ServiceRequestEvent,
    Upload,
    User,
    Volunteer,
)
from backend.models.service_request import (
    CATEGORIES,
    CATEGORY_NAMES,
    OPEN,
    STATUS_NAMES,
    TIER_NAMES,
    TIERS,
    UNACCEPTED,
    URGENCIES,
    URGENCY_NAMES,
)
from backend.permissions import (
    ADMIN_ROLES,
    HANDLER_ROLES,
    ROLE_NAMES,
    SERVICE_REQUEST_DISPATCH,
    SERVICE_REQUEST_MODERATE,
    SERVICE_REQUEST_VIEW,
    covers,
    region_filter,
    scope_paths,
)
from backend.privacy import decrypt, encrypt
from backend.services import audit, content, notifications, points
from backend.services.identity import consent_required
from backend.services.regions import get_region, village_of
from backend.services.sheets import EXPORT_MAX_ROWS, Column, Sheet
from backend.services.storage import key_from_url
from backend.services.volunteers import ConsentRequired
from backend.utils import china_date, china_iso, china_text, utcnow

EMERGENCY_NOTICE = (
    "本平台不是紧急报警渠道,提交后需等待受理。遇到违法犯罪、人身安全受到威胁等紧急情况,"
    "请立即拨打 110(火警 119、急救 120)。"
)
HELD_NOTICE = "内容需人工审核,审核通过前仅您本人可见"
VISIBLE_MODERATION = ("pass", "released")
ACTIVE_ASSIGNMENT = ("assigned", "in_progress", "reopened")
MAX_PHOTOS = 9
SUBMIT_PAGE = "pages/service/submit/index"
SWEEP_BATCH = 500

# Skills that suit each category, for assignment suggestions (the six grid duties first).
CATEGORY_SKILLS = {
    "help": ("服务员", "医疗救护", "心理疏导", "应急救援"),
    "hazard": ("安全员", "巡防员", "应急救援", "技术维修"),
    "dispute": ("调解员", "法律服务", "心理疏导"),
    "tip_off": ("信息员", "巡防员"),
    "suggestion": ("宣传员", "信息员"),
    "other": (),
}
ROLE_ORDER = {"grid_worker": 0, "auxiliary_police": 1, "volunteer": 2}
ACTION_NAMES = {
    "submitted": "提交请求",
    "held": "内容待审核",
    "released": "审核通过",
    "assigned": "指派处理人",
    "claimed": "网格员认领",
    "accepted": "受理",
    "resolved": "办结",
    "rejected": "驳回",
    "cancelled": "撤销",
    "reopened": "重新打开",
    "escalated": "逐级上报",
    "rated": "评价",
    "auto_closed": "自动关闭",
    "note": "备注",
}


class RequestChanged(Conflict):
    code, message = "request_changed", "该请求已被他人处理,请刷新后重试"


class RequestHeld(InvalidTransition):
    code, message = "request_held", "该请求内容正在审核中,暂不能处理"


class NotCurrentTier(Forbidden):
    code, message = "not_current_tier", "该请求已上报至上级,由上级处理"


class AlreadyTopTier(InvalidTransition):
    code, message = "already_top_tier", "已上报至市级,无法继续上报"


class ReopenWindowPassed(InvalidTransition):
    code, message = "reopen_window_passed", "办结已超过可重新打开的期限"


class AssigneeNotEligible(ValidationFailed):
    code, message = "assignee_not_eligible", "该人员不在本请求的可指派范围内"


class NotAssignee(Forbidden):
    code, message = "not_assignee", "只有被指派的处理人可以执行此操作"


class NotRequester(Forbidden):
    code, message = "not_requester", "只有请求人本人可以执行此操作"


# ---------------------------------------------------------------------------------------------
# Rules shared by reads and writes
# ---------------------------------------------------------------------------------------------


# Only tip-offs (线索) may be submitted anonymously.
ANONYMOUS_CATEGORIES = ("tip_off",)


def deadlines_for(category: str, urgency: str) -> tuple[int, int]:
    """(minutes to accept, minutes to resolve) from config."""
    return current_app.config["SERVICE_REQUEST_DEADLINES"][f"{category}:{urgency}"]


def categories() -> dict[str, Any]:
    """The request form's vocabulary: categories with their deadlines per urgency and whether
    they may be anonymous, the urgencies, and the emergency notice."""
    items = []
    for category in CATEGORIES:
        deadlines = {}
        for urgency in URGENCIES:
            accept_minutes, resolve_minutes = deadlines_for(category, urgency)
            deadlines[urgency] = {
                "accept_minutes": accept_minutes,
                "resolve_minutes": resolve_minutes,
            }
        items.append(
            {
                "category": category,
                "name": CATEGORY_NAMES[category],
                "anonymous_allowed": category in ANONYMOUS_CATEGORIES,
                "deadlines": deadlines,
            }
        )
    return {
        "items": items,
        "urgencies": dict(URGENCY_NAMES),
        "emergency_notice": EMERGENCY_NOTICE,
    }


def is_overdue(req: ServiceRequest, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if req.status not in OPEN:
        return False
    if req.status in UNACCEPTED and req.accept_due_at is not None and req.accept_due_at <= now:
        return True
    return req.resolve_due_at is not None and req.resolve_due_at <= now


def overdue_clause(now: datetime):
    """SQL twin of :func:`is_overdue`."""
    return and_(
        ServiceRequest.status.in_(OPEN),
        or_(
            and_(ServiceRequest.status.in_(UNACCEPTED), ServiceRequest.accept_due_at <= now),
            ServiceRequest.resolve_due_at <= now,
        ),
    )


def is_held(req: ServiceRequest) -> bool:
    return req.moderation not in VISIBLE_MODERATION


def visible_clause(viewer: User):
    """Rows ``viewer`` may see: their own, those assigned to or resolved by them, those of their
    area (held ones only for moderators)."""
    conditions = [
        ServiceRequest.requester_id == viewer.id,
        ServiceRequest.assignee_id == viewer.id,
        ServiceRequest.resolved_by_id == viewer.id,
    ]
    view_paths = scope_paths(viewer, SERVICE_REQUEST_VIEW)
    if view_paths:
        conditions.append(
            and_(
                ServiceRequest.moderation.in_(VISIBLE_MODERATION),
                region_filter(view_paths, ServiceRequest.region_id),
            )
        )
    moderate_paths = scope_paths(viewer, SERVICE_REQUEST_MODERATE)
    if moderate_paths:
        conditions.append(region_filter(moderate_paths, ServiceRequest.region_id))
    return or_(*conditions)


def get_visible(viewer: User, request_id: int) -> ServiceRequest:
    """One request the viewer may see, fresh from the database; 404 otherwise."""
    req = db.session.scalars(
        select(ServiceRequest)
        .where(ServiceRequest.id == request_id, visible_clause(viewer))
        .execution_options(populate_existing=True)
    ).first()
    if req is None:
        raise NotFound("服务请求不存在", code="service_request_not_found")
    return req


def is_dispatcher(viewer: User, req: ServiceRequest) -> bool:
    """Dispatchers act at the request's current tier: admins covering the tier's region, and at
    the village tier also the village's grid workers covering the request's grid."""
    paths = scope_paths(viewer, SERVICE_REQUEST_DISPATCH)
    if not paths:
        return False
    if req.tier == "village":
        return covers(paths, req.region)
    admin_paths = scope_paths(viewer, SERVICE_REQUEST_MODERATE)
    return covers(admin_paths, req.tier_region)


def can_moderate(viewer: User, req: ServiceRequest) -> bool:
    return covers(scope_paths(viewer, SERVICE_REQUEST_MODERATE), req.region)


def can_claim(viewer: User, req: ServiceRequest) -> bool:
    """A grid worker takes an unassigned village-tier request of their own grid."""
    paths = [g.region.path for g in viewer.grants if g.role == "grid_worker"]
    return (
        req.tier == "village"
        and req.assignee_id is None
        and req.status in ("submitted", "reopened")
        and not is_held(req)
        and req.requester_id != viewer.id
        and covers(paths, req.region)
    )


def may_see_contact(viewer: User | None, req: ServiceRequest) -> bool:
    """The requester, and the handler while the request is assigned to them."""
    if viewer is None:
        return False
    if viewer.id == req.requester_id:
        return True
    return not req.anonymous and viewer.id == req.assignee_id and req.status in OPEN


def reveals_requester(viewer: User | None, req: ServiceRequest) -> bool:
    """Anonymous tip-offs show the requester to the requester only."""
    return not req.anonymous or (viewer is not None and viewer.id == req.requester_id)


def allowed_actions(viewer: User | None, req: ServiceRequest) -> list[str]:
    """What ``viewer`` may do now (the mini-program shows these buttons)."""
    if viewer is None:
        return []
    mine = viewer.id == req.requester_id
    actions: list[str] = []
    if is_held(req):
        if req.moderation == "held" and req.status == "submitted":
            if can_moderate(viewer, req):
                actions += ["release", "reject"]
            if mine:
                actions.append("cancel")
        return actions
    dispatcher = is_dispatcher(viewer, req) and not mine
    assignee = viewer.id == req.assignee_id
    if req.status in OPEN and dispatcher:
        actions.append("assign")
    if can_claim(viewer, req):
        actions.append("claim")
    if assignee and req.status in ("assigned", "reopened"):
        actions.append("accept")
    if req.status == "in_progress" and (assignee or dispatcher):
        actions.append("resolve")
    if req.status in OPEN and dispatcher:
        actions.append("reject")
    if req.status in OPEN and (assignee or dispatcher) and req.tier != "city":
        actions.append("escalate")
    if mine and req.status in ("submitted", "assigned"):
        actions.append("cancel")
    if mine and req.status == "resolved":
        actions.append("rate")
        if _within_reopen_window(req):
            actions.append("reopen")
    if req.status in (*OPEN, "resolved") and (mine or assignee or dispatcher):
        actions.append("note")
    return actions


def _within_reopen_window(req: ServiceRequest, now: datetime | None = None) -> bool:
    days = current_app.config["SERVICE_REQUEST_REOPEN_DAYS"]
    return req.resolved_at is not None and (now or utcnow()) - req.resolved_at <= timedelta(
        days=days
    )


def title_of(req: ServiceRequest) -> str:
    text = " ".join(req.description.split())
    return f"{CATEGORY_NAMES[req.category]}:{text[:16]}{'…' if len(text) > 16 else ''}"


# ---------------------------------------------------------------------------------------------
# Timeline, notices, saving
# ---------------------------------------------------------------------------------------------


def _event(
    req: ServiceRequest,
    actor: User | None,
    action: str,
    *,
    from_status: str | None = None,
    note: str = "",
    assignee_id: int | None = None,
) -> ServiceRequestEvent:
    # request_id, not request=req: appending to req.events would lazy-load the collection and
    # autoflush the request's UPDATE before _save() could turn a lost race into a 409.
    event = ServiceRequestEvent(
        request_id=req.id,
        actor_id=actor.id if actor else None,
        action=action,
        from_status=from_status,
        to_status=req.status,
        tier=req.tier,
        note=note[:500],
        assignee_id=assignee_id,
    )
    db.session.add(event)
    req.updated_at = utcnow()
    return event


def _save(req: ServiceRequest) -> None:
    """Flush the pending changes; a concurrent change to the same request is a 409."""
    try:
        db.session.flush()
    except StaleDataError as exc:
        raise RequestChanged() from exc
    db.session.expire(req, ["events"])  # the timeline is read again with the new events


def _notify(
    req: ServiceRequest, user_id: int | None, event: ServiceRequestEvent, title: str, note: str = ""
) -> None:
    if user_id is None:
        return
    notifications.enqueue(
        "service_request_update",
        user_id,
        dedupe_key=f"service_request:{req.id}:event:{event.id}:{user_id}",
        title=title,
        body=note,
        fields={
            "title": title_of(req),
            "status": STATUS_NAMES[req.status],
            "updated_at": china_iso(event.created_at or utcnow()),
            "note": note[:100],
        },
        page=f"pages/service/detail/index?id={req.id}",
    )


def _dispatchers_to_alert(req: ServiceRequest) -> list[int]:
    """Village admins of the village and grid workers covering the request's region."""
    ancestors = req.region.ancestor_ids()
    rows = db.session.scalars(
        select(RoleGrant.user_id).where(
            or_(
                and_(RoleGrant.role == "village_admin", RoleGrant.region_id == req.village_id),
                and_(RoleGrant.role == "grid_worker", RoleGrant.region_id.in_(ancestors)),
            )
        )
    ).all()
    return sorted(set(rows) - {req.requester_id})


def _announce_new(req: ServiceRequest, event: ServiceRequestEvent) -> None:
    for user_id in _dispatchers_to_alert(req):
        _notify(req, user_id, event, "新的服务请求待受理", req.address)


def _start_clocks(req: ServiceRequest, now: datetime) -> None:
    accept, resolve = deadlines_for(req.category, req.urgency)
    req.accept_due_at = now + timedelta(minutes=accept)
    req.resolve_due_at = now + timedelta(minutes=resolve)


# ---------------------------------------------------------------------------------------------
# Submission and moderation
# ---------------------------------------------------------------------------------------------


def _photo_keys(user: User, urls: list[str]) -> list[str]:
    keys = []
    for url in urls:
        key = key_from_url(url)
        if key is None:
            raise ValidationFailed(errors={"photos": ["图片地址无效,请重新上传"]})
        keys.append(key)
    keys = list(dict.fromkeys(keys))
    if keys:
        owned = set(
            db.session.scalars(
                select(Upload.key).where(Upload.key.in_(keys), Upload.owner_id == user.id)
            )
        )
        if owned != set(keys):
            raise ValidationFailed(errors={"photos": ["图片不存在或不是您上传的"]})
    return keys


def submit(user: User, data: dict) -> ServiceRequest:
    """A resident's request; text passes content security, "review" text is held."""
    if consent_required(user):
        raise ConsentRequired()
    region = get_region(data["region_id"])
    village = village_of(region)
    if village is None:
        raise ValidationFailed(errors={"region_id": ["请选择所在村(社区)或网格"]})
    anonymous = data.get("anonymous", False)
    if anonymous and data["category"] not in ANONYMOUS_CATEGORIES:
        raise ValidationFailed(errors={"anonymous": ["只有线索举报可以匿名提交"]})
    method = data.get("contact_method") or ("none" if anonymous else "message")
    phone = data.get("contact_phone")
    if anonymous and (method == "phone" or phone):
        raise ValidationFailed(
            errors={"contact_phone": ["匿名举报不留电话,处理结果将通过站内消息告知"]}
        )
    if method == "phone" and not phone:
        raise ValidationFailed(errors={"contact_phone": ["选择电话联系时请填写联系电话"]})
    keys = _photo_keys(user, data.get("photos", []))
    verdict = content.check_text(user, data["description"], data.get("address"))
    now = utcnow()
    req = ServiceRequest(
        requester_id=user.id,
        category=data["category"],
        description=data["description"],
        urgency=data.get("urgency", "normal"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        address=data.get("address", ""),
        region_id=region.id,
        village_id=village.id,
        photos=keys,
        contact_method=method,
        contact_phone_enc=encrypt(phone) if method == "phone" else None,
        anonymous=anonymous,
        moderation="pass" if verdict == "pass" else "held",
        status="submitted",
        tier="village",
        tier_region_id=village.id,
        escalation_count=0,
        updated_at=now,
    )
    req.region, req.village, req.tier_region, req.requester = region, village, village, user
    db.session.add(req)
    db.session.flush()  # the events need the id
    if verdict == "pass":
        _start_clocks(req, now)  # a held request's clocks start when it is released
    event = _event(req, user, "submitted", note="")
    if verdict != "pass":
        _event(req, None, "held", note=HELD_NOTICE)
    _save(req)
    if verdict == "pass":
        _announce_new(req, event)
    return req


def release(viewer: User, request_id: int, note: str = "") -> ServiceRequest:
    """A moderator lets held text through; deadlines start now."""
    req = get_visible(viewer, request_id)
    if not can_moderate(viewer, req):
        raise Forbidden()
    if req.moderation != "held" or req.status != "submitted":
        raise InvalidTransition("该请求不在待审核状态")
    req.moderation = "released"
    _start_clocks(req, utcnow())
    event = _event(req, viewer, "released", from_status=req.status, note=note)
    _save(req)
    audit.record(viewer, "service_request.release", req, reason=note)
    _notify(req, req.requester_id, event, "您的服务请求已通过审核", note)
    _announce_new(req, event)
    return req


# ---------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------


def _require_dispatcher(viewer: User, req: ServiceRequest) -> None:
    if is_dispatcher(viewer, req) and viewer.id != req.requester_id:
        return
    if req.tier != "village" and covers(scope_paths(viewer, SERVICE_REQUEST_DISPATCH), req.region):
        raise NotCurrentTier(f"该请求已上报至{TIER_NAMES[req.tier]},由上级处理")
    raise Forbidden()


def _require_open(req: ServiceRequest, allowed: tuple[str, ...], action: str) -> None:
    if is_held(req):
        raise RequestHeld()
    if req.status not in allowed:
        raise InvalidTransition(
            f"请求当前为「{STATUS_NAMES[req.status]}」,不能{ACTION_NAMES[action]}"
        )


def candidates(viewer: User, request_id: int) -> list[dict[str, Any]]:
    """Handlers who may take the request, best suited first (skills, then lightest load)."""
    req = get_visible(viewer, request_id)
    _require_dispatcher(viewer, req)
    return _candidates(req)


def _candidates(req: ServiceRequest) -> list[dict[str, Any]]:
    tier_path = req.tier_region.path
    grants = db.session.scalars(
        select(RoleGrant)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role.in_(HANDLER_ROLES),
            User.status == "active",
            # inside the tier's area, or an officer whose grant covers the request's grid
            or_(
                region_filter([tier_path], RoleGrant.region_id),
                RoleGrant.region_id.in_(req.region.ancestor_ids()),
            ),
        )
        .options(selectinload(RoleGrant.user))
    ).all()
    volunteers = db.session.scalars(
        select(Volunteer)
        .join(User, User.id == Volunteer.user_id)
        .where(
            Volunteer.status == "approved",
            User.status == "active",
            region_filter([tier_path], Volunteer.region_id),
        )
        .options(selectinload(Volunteer.user))
    ).all()
    wanted = CATEGORY_SKILLS[req.category]
    people: dict[int, dict[str, Any]] = {}
    for grant in grants:
        if grant.user_id == req.requester_id:
            continue
        entry = people.get(grant.user_id)
        if entry is None or ROLE_ORDER[grant.role] < ROLE_ORDER[entry["role"]]:
            people[grant.user_id] = {
                "user_id": grant.user_id,
                "name": grant.user.nickname,
                "role": grant.role,
                "role_name": ROLE_NAMES[grant.role],
                "region_name": grant.region.name,
                "skills": [],
                "matched_skills": [],
            }
    for volunteer in volunteers:
        if volunteer.user_id == req.requester_id:
            continue
        skills = list(volunteer.skills or [])
        matched = [s for s in skills if s in wanted]
        entry = people.get(volunteer.user_id)
        if entry is not None:  # a grid worker who also volunteers keeps the stronger role
            entry["skills"], entry["matched_skills"] = skills, matched
            entry["name"] = decrypt(volunteer.real_name_enc) or entry["name"]
            continue
        people[volunteer.user_id] = {
            "user_id": volunteer.user_id,
            # The dispatcher must know whom they send: the real name, no contact details.
            "name": f"{decrypt(volunteer.real_name_enc) or volunteer.display_name}"
            f"({volunteer.number})",
            "role": "volunteer",
            "role_name": ROLE_NAMES["volunteer"],
            "region_name": volunteer.region.name,
            "skills": skills,
            "matched_skills": matched,
        }
    loads = dict(
        db.session.execute(
            select(ServiceRequest.assignee_id, func.count())
            .where(
                ServiceRequest.assignee_id.in_(list(people)),
                ServiceRequest.status.in_(ACTIVE_ASSIGNMENT),
            )
            .group_by(ServiceRequest.assignee_id)
        ).all()
    )
    ranked = sorted(
        people.values(),
        key=lambda p: (
            -len(p["matched_skills"]),
            loads.get(p["user_id"], 0),
            ROLE_ORDER[p["role"]],
            p["user_id"],
        ),
    )
    for index, person in enumerate(ranked):
        person["open_count"] = loads.get(person["user_id"], 0)
        person["suggested"] = index < 3
        person["current"] = person["user_id"] == req.assignee_id
    return ranked


def assign(viewer: User, request_id: int, assignee_id: int, note: str = "") -> ServiceRequest:
    """A dispatcher hands the request to a handler of the area."""
    req = get_visible(viewer, request_id)
    _require_dispatcher(viewer, req)
    _require_open(req, OPEN, "assigned")
    match = next((c for c in _candidates(req) if c["user_id"] == assignee_id), None)
    if match is None:
        raise AssigneeNotEligible(errors={"assignee_id": ["请从可指派人员中选择"]})
    if req.assignee_id == assignee_id and req.status == "assigned":
        raise InvalidTransition("该请求已指派给此人", code="already_assigned")
    assignee = db.session.get(User, assignee_id)
    before = audit.snapshot(req, "status", "assignee_id")
    from_status = req.status
    if from_status == "in_progress":
        # The new handler gets a fresh accept deadline; the resolve clock keeps running.
        req.accept_due_at = utcnow() + timedelta(
            minutes=deadlines_for(req.category, req.urgency)[0]
        )
        req.accepted_at = None
    req.assignee_id = assignee_id
    req.assignee = assignee
    req.assignee_role = match["role"]
    req.status = "assigned"
    event = _event(
        req, viewer, "assigned", from_status=from_status, note=note, assignee_id=assignee_id
    )
    _save(req)
    audit.record(
        viewer,
        "service_request.assign",
        req,
        reason=note,
        before=before,
        after=audit.snapshot(req, "status", "assignee_id"),
    )
    _notify(req, assignee_id, event, "您有新的服务请求待受理", note)
    _notify(req, req.requester_id, event, "您的服务请求已指派处理人", note)
    return req


def claim(viewer: User, request_id: int, note: str = "") -> ServiceRequest:
    """A grid worker takes a request of their own grid and starts on it."""
    req = get_visible(viewer, request_id)
    if not any(g.role == "grid_worker" for g in viewer.grants):
        raise Forbidden()
    _require_open(req, ("submitted", "reopened"), "claimed")
    if not can_claim(viewer, req):
        if req.assignee_id is not None:
            raise InvalidTransition("该请求已有处理人", code="already_assigned")
        raise Forbidden("只能认领本网格内、村级层面的请求", code="not_own_grid")
    from_status = req.status
    now = utcnow()
    req.assignee_id = viewer.id
    req.assignee = viewer
    req.assignee_role = "grid_worker"
    req.status = "in_progress"
    req.accepted_at = now
    event = _event(
        req, viewer, "claimed", from_status=from_status, note=note, assignee_id=viewer.id
    )
    _save(req)
    _notify(req, req.requester_id, event, "您的服务请求已受理", note)
    return req


# ---------------------------------------------------------------------------------------------
# Handler transitions
# ---------------------------------------------------------------------------------------------


def accept(viewer: User, request_id: int, note: str = "") -> ServiceRequest:
    req = get_visible(viewer, request_id)
    if viewer.id != req.assignee_id:
        raise NotAssignee()
    _require_open(req, ("assigned", "reopened"), "accepted")
    from_status = req.status
    req.status = "in_progress"
    req.accepted_at = utcnow()
    event = _event(req, viewer, "accepted", from_status=from_status, note=note)
    _save(req)
    _notify(req, req.requester_id, event, "您的服务请求已受理", note)
    return req


def resolve(viewer: User, request_id: int, note: str) -> ServiceRequest:
    """The handler (or a dispatcher at the tier) reports the work done; the handler earns points."""
    req = get_visible(viewer, request_id)
    if viewer.id != req.assignee_id:
        _require_dispatcher(viewer, req)
    _require_open(req, ("in_progress",), "resolved")
    _check_text(viewer, note, "note")
    now = utcnow()
    req.status = "resolved"
    req.resolved_at = now
    req.resolved_by_id = viewer.id
    event = _event(req, viewer, "resolved", from_status="in_progress", note=note)
    _save(req)
    if viewer.id == req.assignee_id:
        _grant_points(req, viewer)
    else:
        audit.record(viewer, "service_request.resolve", req, reason=note)
    _notify(req, req.requester_id, event, "您的服务请求已办结,请评价", note)
    return req


def _grant_points(req: ServiceRequest, handler: User) -> None:
    amount = current_app.config["SERVICE_REQUEST_POINTS"]
    if amount <= 0:
        return
    try:
        points.grant(
            handler.id,
            amount,
            "service_request",
            req.id,
            reason=f"办结服务请求 {number_of(req)}",
            region_id=req.village_id,
            actor_id=handler.id,
        )
    except points.AlreadyGranted:
        pass  # resolved again after a reopen: the request pays once


def reject(viewer: User, request_id: int, reason: str) -> ServiceRequest:
    """A dispatcher turns the request down (or a moderator refuses held text), with a reason."""
    req = get_visible(viewer, request_id)
    if is_held(req):
        if not can_moderate(viewer, req):
            raise Forbidden()
        if req.status != "submitted":
            raise InvalidTransition()
        req.moderation = "refused"
    else:
        _require_dispatcher(viewer, req)
        _require_open(req, OPEN, "rejected")
    from_status = req.status
    req.status = "rejected"
    event = _event(req, viewer, "rejected", from_status=from_status, note=reason)
    _save(req)
    audit.record(viewer, "service_request.reject", req, reason=reason)
    _notify(req, req.requester_id, event, "您的服务请求未予受理", reason)
    return req


def escalate(viewer: User, request_id: int, reason: str) -> ServiceRequest:
    """The handler or a dispatcher at the tier moves the request up one tier by hand."""
    req = get_visible(viewer, request_id)
    if viewer.id != req.assignee_id:
        _require_dispatcher(viewer, req)
    _require_open(req, OPEN, "escalated")
    if req.tier == TIERS[-1]:
        raise AlreadyTopTier()
    event = _escalate(req, viewer, reason, utcnow())
    _save(req)
    _after_escalation(req, event, reason)
    audit.record(viewer, "service_request.escalate", req, reason=reason)
    return req


def _escalate(
    req: ServiceRequest, actor: User | None, reason: str, now: datetime
) -> ServiceRequestEvent:
    """Move one tier up and give the new tier fresh deadlines for the clocks still running."""
    next_tier = TIERS[TIERS.index(req.tier) + 1]
    parent = db.session.get(Region, req.tier_region.parent_id)
    if parent is None:  # a broken region tree must not escalate into nowhere
        raise AlreadyTopTier()
    accept, resolve_minutes = deadlines_for(req.category, req.urgency)
    req.tier = next_tier
    req.tier_region_id = parent.id
    req.tier_region = parent
    req.escalation_count += 1
    if req.status in UNACCEPTED:
        req.accept_due_at = now + timedelta(minutes=accept)
    if req.resolve_due_at is None or req.resolve_due_at <= now:
        req.resolve_due_at = now + timedelta(minutes=resolve_minutes)
    return _event(req, actor, "escalated", from_status=req.status, note=reason)


def _after_escalation(req: ServiceRequest, event: ServiceRequestEvent, reason: str) -> None:
    """Alert the admins of the new tier's region; tell the requester where it went."""
    deadline = req.accept_due_at if req.status in UNACCEPTED else req.resolve_due_at
    admins = db.session.scalars(
        select(RoleGrant.user_id).where(
            RoleGrant.region_id == req.tier_region_id, RoleGrant.role.in_(ADMIN_ROLES)
        )
    ).all()
    title = f"服务请求已上报至{req.tier_region.name}"
    for user_id in sorted(set(admins)):
        notifications.enqueue(
            "escalation_alert",
            user_id,
            dedupe_key=f"service_request:{req.id}:escalation:{req.escalation_count}:{user_id}",
            title=title,
            body=reason,
            fields={
                "title": title_of(req),
                "tier": TIER_NAMES[req.tier],
                "reason": reason[:100],
                "deadline": china_iso(deadline),
            },
            page=f"subpackages/admin/pages/requests/detail/index?id={req.id}",
        )
    _notify(req, req.requester_id, event, f"您的服务请求已上报至{TIER_NAMES[req.tier]}", "")


# ---------------------------------------------------------------------------------------------
# Requester transitions
# ---------------------------------------------------------------------------------------------


def _require_requester(viewer: User, req: ServiceRequest) -> None:
    if viewer.id != req.requester_id:
        raise NotRequester()


def cancel(viewer: User, request_id: int, reason: str = "") -> ServiceRequest:
    """The requester withdraws the request before work starts."""
    req = get_visible(viewer, request_id)
    _require_requester(viewer, req)
    if req.status not in ("submitted", "assigned"):
        raise InvalidTransition("处理已开始,不能撤销")
    from_status = req.status
    req.status = "cancelled"
    event = _event(req, viewer, "cancelled", from_status=from_status, note=reason)
    _save(req)
    _notify(req, req.assignee_id, event, "服务请求已被请求人撤销", "")
    return req


def reopen(viewer: User, request_id: int, reason: str) -> ServiceRequest:
    """The requester is not satisfied: back to the same handler, with fresh deadlines."""
    req = get_visible(viewer, request_id)
    _require_requester(viewer, req)
    if req.status != "resolved":
        raise InvalidTransition("只有已办结的请求可以重新打开")
    if not _within_reopen_window(req):
        raise ReopenWindowPassed(
            f"办结已超过 {current_app.config['SERVICE_REQUEST_REOPEN_DAYS']} 天,不能重新打开"
        )
    _check_text(viewer, reason, "reason")
    req.status = "reopened"
    req.resolved_at = None
    req.accepted_at = None
    _start_clocks(req, utcnow())
    event = _event(req, viewer, "reopened", from_status="resolved", note=reason)
    _save(req)
    _notify(req, req.assignee_id, event, "服务请求被重新打开,请再次受理", reason)
    return req


def rate(viewer: User, request_id: int, score: int, comment: str = "") -> ServiceRequest:
    """The requester rates the resolution 1–5; the request closes."""
    req = get_visible(viewer, request_id)
    _require_requester(viewer, req)
    if req.status != "resolved":
        if req.rating is not None:
            raise InvalidTransition("已评价过", code="already_rated")
        raise InvalidTransition("只有已办结的请求可以评价")
    _check_text(viewer, comment, "comment")
    req.status = "closed"
    req.rating = score
    req.rating_comment = comment
    req.closed_at = utcnow()
    note = f"{score} 星 {comment}".strip()
    event = _event(req, viewer, "rated", from_status="resolved", note=note)
    _save(req)
    _notify(req, req.resolved_by_id, event, f"服务请求获得 {score} 星评价", comment)
    return req


def add_note(viewer: User, request_id: int, note: str) -> ServiceRequest:
    """A line in the timeline from the requester, the handler or a dispatcher."""
    req = get_visible(viewer, request_id)
    if "note" not in allowed_actions(viewer, req):
        if is_held(req):
            raise RequestHeld()
        if req.status not in (*OPEN, "resolved"):
            raise InvalidTransition("请求已结束,不能再添加备注")
        raise Forbidden()
    _check_text(viewer, note, "note")
    event = _event(req, viewer, "note", note=note)
    _save(req)
    if viewer.id != req.requester_id:
        _notify(req, req.requester_id, event, "服务请求有新的进展", note)
    if req.assignee_id and viewer.id != req.assignee_id:
        _notify(req, req.assignee_id, event, "服务请求有新的备注", note)
    return req


def _check_text(user: User, text: str | None, field: str) -> None:
    """Notes, reasons and comments are shown to others: only text that passes goes in."""
    if content.check_text(user, text, scene=content.SCENE_COMMENT) != "pass":
        raise ContentUnderReview(errors={field: ["内容需人工审核,请修改后再提交"]})


def service_code(viewer: User, region_id: int) -> bytes:
    """The mini-program code (PNG) that opens the submit form preset to a village or grid, for
    notice boards: an admin whose scope covers the region prints it."""
    region = get_region(region_id)
    if region.level not in ("village", "grid"):
        raise ValidationFailed(errors={"region_id": ["请选择村(社区)或网格"]})
    if not covers(scope_paths(viewer, SERVICE_REQUEST_MODERATE), region):
        raise Forbidden()
    return wechat.get_unlimited_qrcode(f"r={region.id}", page=SUBMIT_PAGE)


# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


def list_query(
    viewer: User,
    *,
    scope: str = "all",
    status: str | None = None,
    tier: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    overdue: bool | None = None,
    held: bool | None = None,
    unassigned: bool | None = None,
    region_id: int | None = None,
    order: str = "newest",
):
    """Requests the viewer may see, with the queue filters."""
    query = select(ServiceRequest).where(visible_clause(viewer))
    if scope == "mine":
        query = query.where(ServiceRequest.requester_id == viewer.id)
    elif scope == "assigned":
        query = query.where(ServiceRequest.assignee_id == viewer.id)
    if status:
        query = query.where(ServiceRequest.status == status)
    if tier:
        query = query.where(ServiceRequest.tier == tier)
    if category:
        query = query.where(ServiceRequest.category == category)
    if urgency:
        query = query.where(ServiceRequest.urgency == urgency)
    now = utcnow()
    if overdue is True:
        query = query.where(overdue_clause(now))
    elif overdue is False:
        query = query.where(~overdue_clause(now))
    if held is not None:
        query = query.where(
            ServiceRequest.moderation == "held" if held else ServiceRequest.moderation != "held"
        )
    if unassigned:
        query = query.where(ServiceRequest.assignee_id.is_(None))
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], ServiceRequest.region_id))
    if order == "due":
        # Most urgent work first: the earliest running deadline, then the oldest.
        query = query.order_by(
            ServiceRequest.accept_due_at.is_(None),
            ServiceRequest.accept_due_at,
            ServiceRequest.id,
        )
    else:
        query = query.order_by(ServiceRequest.id.desc())
    return query


REQUEST_COLUMNS = (
    Column("编号"),
    Column("类别", "code", CATEGORY_NAMES),
    Column("紧急程度", "code", URGENCY_NAMES),
    Column("状态", "code", STATUS_NAMES),
    Column("当前层级", "code", TIER_NAMES),
    Column("所属区域"),
    Column("地址"),
    Column("提交时间", "datetime"),
    Column("受理时限", "datetime"),
    Column("办结时限", "datetime"),
    Column("是否超时", "flag"),
    Column("处理人"),
    Column("办结时间", "datetime"),
    Column("评分", "integer"),
)


def requests_sheet(viewer: User, **filters) -> Sheet:
    """The admin export of the listed requests; requesters are never named in it."""
    if not scope_paths(viewer, SERVICE_REQUEST_VIEW):
        raise Forbidden()
    query = list_query(viewer, **filters).limit(EXPORT_MAX_ROWS)
    now = utcnow()
    rows = [
        (
            number_of(req),
            req.category,
            req.urgency,
            req.status,
            req.tier,
            req.region.name,
            req.address,
            req.created_at,
            req.accept_due_at,
            req.resolve_due_at,
            is_overdue(req, now),
            req.assignee.nickname if req.assignee else "",
            req.resolved_at,
            req.rating,
        )
        for req in db.session.scalars(query).unique()
    ]
    return Sheet("服务请求", REQUEST_COLUMNS, rows)


def number_of(req: ServiceRequest) -> str:
    """A human-friendly number: FW + submission date (China) + id."""
    return f"FW{china_date(req.created_at):%Y%m%d}{req.id:06d}"


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


def escalate_overdue(now: datetime | None = None) -> dict[str, int]:
    """Move every overdue request below the city tier up one tier, exactly once per deadline.

    Each move is a version-checked UPDATE inside a savepoint: a sweep racing another (or a person
    acting on the request) loses the row and skips it instead of moving it twice.
    """
    now = now or utcnow()
    ids = db.session.scalars(
        select(ServiceRequest.id)
        .where(
            overdue_clause(now),
            ServiceRequest.tier != TIERS[-1],
            ServiceRequest.moderation.in_(VISIBLE_MODERATION),
        )
        .order_by(ServiceRequest.id)
        .limit(SWEEP_BATCH)
    ).all()
    moved: list[tuple[ServiceRequest, ServiceRequestEvent, str]] = []
    for request_id in ids:
        req = db.session.get(ServiceRequest, request_id, populate_existing=True)
        if req is None or req.tier == TIERS[-1] or not is_overdue(req, now) or is_held(req):
            continue
        late_accept = (
            req.status in UNACCEPTED and req.accept_due_at is not None and req.accept_due_at <= now
        )
        due = req.accept_due_at if late_accept else req.resolve_due_at
        what = "受理" if late_accept else "办结"
        reason = (
            f"超过{what}时限({china_text(due)})未{what},"
            f"自动上报至{TIER_NAMES[TIERS[TIERS.index(req.tier) + 1]]}"
        )
        try:
            with db.session.begin_nested():
                event = _escalate(req, None, reason, now)
        except StaleDataError:
            continue  # another sweep (or a handler) changed it first
        moved.append((req, event, reason))
    for req, event, reason in moved:
        _after_escalation(req, event, reason)
    return {"checked": len(ids), "escalated": len(moved)}


def close_unrated(now: datetime | None = None) -> dict[str, int]:
    """Close resolved requests the requester left unrated for the configured number of days."""
    now = now or utcnow()
    days = current_app.config["SERVICE_REQUEST_AUTO_CLOSE_DAYS"]
    ids = db.session.scalars(
        select(ServiceRequest.id)
        .where(
            ServiceRequest.status == "resolved",
            ServiceRequest.rating.is_(None),
            ServiceRequest.resolved_at <= now - timedelta(days=days),
        )
        .order_by(ServiceRequest.id)
        .limit(SWEEP_BATCH)
    ).all()
    closed: list[tuple[ServiceRequest, ServiceRequestEvent]] = []
    for request_id in ids:
        req = db.session.get(ServiceRequest, request_id, populate_existing=True)
        if req is None or req.status != "resolved":
            continue
        try:
            with db.session.begin_nested():
                req.status = "closed"
                req.closed_at = now
                note = f"办结 {days} 天未评价,自动关闭"
                event = _event(req, None, "auto_closed", from_status="resolved", note=note)
        except StaleDataError:
            continue
        closed.append((req, event))
    for req, event in closed:
        _notify(req, req.requester_id, event, "服务请求已自动关闭", event.note)
    return {"checked": len(ids), "closed": len(closed)}
