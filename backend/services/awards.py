"""Award types, nominations by village councils and above, approval by the next tier, awards,
their points and certificates, and revocation.

Approval tiers (DESIGN.md §6): a township admin approves village-level awards; a city admin
approves township- and city-level awards; nobody decides a nomination they made or one naming
themselves. Approval is one conditional ``UPDATE … WHERE status = 'pending'`` (racing approvals:
exactly one wins), then the award row (unique per nomination), the points (unique ledger key) and
the certificate (unique per award) follow in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from backend.errors import (
    Conflict,
    ContentUnderReview,
    Forbidden,
    InvalidTransition,
    NotFound,
    ValidationFailed,
)
from backend.extensions import db
from backend.models import (
    Award,
    AwardType,
    Nomination,
    PointsEntry,
    Region,
    Team,
    User,
    Volunteer,
)
from backend.models.award import TARGET_NAMES, TIER_NAMES
from backend.models.region import LEVELS
from backend.permissions import (
    AWARD_NOMINATE,
    AWARD_TYPE_MANAGE,
    covers,
    get_scoped,
    region_filter,
    require_any,
    scope_paths_for_roles,
    scoped,
)
from backend.privacy import decrypt, mask_id_number
from backend.services import audit, certificates, content, notifications, points
from backend.services.periods import period_bounds
from backend.services.regions import get_region
from backend.utils import china_date, utcnow

# Who decides a nomination of each tier: the next tier up.
APPROVER_ROLE = {"village": "township_admin", "township": "city_admin", "city": "city_admin"}
APPROVER_NAMES = {"township_admin": "乡镇(街道)管理员", "city_admin": "市级管理员"}


class AwardTypeExists(Conflict):
    code, message = "award_type_exists", "同一层级已有同名表彰类型"


class AlreadyNominated(Conflict):
    code, message = "already_nominated", "该对象已被推荐过此项表彰(同一期)"


class SelfApproval(Forbidden):
    code, message = "self_approval", "不能审批自己提交或涉及本人的推荐"


class WrongTier(Forbidden):
    code, message = "award_wrong_tier", "该表彰须由上一级管理员审批"


# ---------------------------------------------------------------------------------------------
# Award types
# ---------------------------------------------------------------------------------------------


def create_award_type(actor: User, data: dict) -> AwardType:
    """A city admin defines an award: tier, target kind, points."""
    require_any(actor, AWARD_TYPE_MANAGE)
    _validate_type_points(data["target_kind"], data.get("points", 0))
    if content.check_text(actor, data["name"], data.get("description")) != "pass":
        raise ContentUnderReview(errors={"name": ["内容需人工审核"]})
    award_type = AwardType(
        name=data["name"],
        tier=data["tier"],
        target_kind=data["target_kind"],
        points=data.get("points", 0),
        description=data.get("description", ""),
        active=True,
        created_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(award_type)
            db.session.flush()
    except IntegrityError as exc:
        raise AwardTypeExists() from exc
    audit.record(
        actor,
        "award_type.create",
        award_type,
        after=audit.snapshot(award_type, "name", "tier", "target_kind", "points"),
    )
    return award_type


def update_award_type(actor: User, award_type_id: int, data: dict) -> AwardType:
    """Change points, description or whether the type takes new nominations."""
    require_any(actor, AWARD_TYPE_MANAGE)
    award_type = get_award_type(award_type_id)
    if "points" in data:
        _validate_type_points(award_type.target_kind, data["points"])
    if data.get("description") and content.check_text(actor, data["description"]) != "pass":
        raise ContentUnderReview(errors={"description": ["内容需人工审核"]})
    before = audit.snapshot(award_type, "points", "description", "active")
    for name in ("points", "description", "active"):
        if name in data:
            setattr(award_type, name, data[name])
    audit.record(
        actor,
        "award_type.update",
        award_type,
        before=before,
        after=audit.snapshot(award_type, "points", "description", "active"),
    )
    return award_type


def _validate_type_points(target_kind: str, value: int) -> None:
    if target_kind == "village" and value:
        raise ValidationFailed(errors={"points": ["村(社区)集体表彰不设个人积分"]})


def get_award_type(award_type_id: int) -> AwardType:
    award_type = db.session.get(AwardType, award_type_id)
    if award_type is None:
        raise NotFound("表彰类型不存在", code="award_type_not_found")
    return award_type


def award_types_query(tier: str | None = None, target_kind: str | None = None, active=None):
    query = select(AwardType)
    if tier:
        query = query.where(AwardType.tier == tier)
    if target_kind:
        query = query.where(AwardType.target_kind == target_kind)
    if active is not None:
        query = query.where(AwardType.active.is_(active))
    return query.order_by(AwardType.id)


# ---------------------------------------------------------------------------------------------
# Nominations
# ---------------------------------------------------------------------------------------------


def _resolve_target(actor: User, kind: str, target_id: int) -> tuple[str, Region, int | None]:
    """(name, region, user id) of a nomination target inside the actor's scope, else 404."""
    if kind == "volunteer":
        volunteer = db.session.scalar(
            scoped(
                select(Volunteer).where(Volunteer.id == target_id),
                actor,
                AWARD_NOMINATE,
                Volunteer.region_id,
            )
        )
        if volunteer is None:
            raise NotFound("未找到该志愿者", code="volunteer_not_found")
        if volunteer.status != "approved":
            raise Conflict(
                "该志愿者当前不可被推荐(未通过审核或已暂停)", code="volunteer_not_active"
            )
        return volunteer.display_name, volunteer.region, volunteer.user_id
    if kind == "team":
        team = db.session.scalar(
            scoped(select(Team).where(Team.id == target_id), actor, AWARD_NOMINATE, Team.region_id)
        )
        if team is None:
            raise NotFound("未找到该服务队", code="team_not_found")
        return team.name, team.region, None
    village = db.session.scalar(
        scoped(select(Region).where(Region.id == target_id), actor, AWARD_NOMINATE, Region.id)
    )
    if village is None or village.level != "village":
        raise NotFound("未找到该村(社区)", code="region_not_found")
    return village.name, village, None


def _region_at_tier(region: Region, tier: str) -> Region:
    """The ancestor (or self) of ``region`` at the award's tier."""
    if LEVELS.index(region.level) < LEVELS.index(tier):
        raise ValidationFailed(
            errors={"target_id": [f"推荐对象属于{region.name},不能参加{TIER_NAMES[tier]}表彰"]}
        )
    found = db.session.scalar(
        select(Region).where(Region.id.in_(region.ancestor_ids()), Region.level == tier)
    )
    if found is None:
        raise ValidationFailed(errors={"target_id": ["无法确定表彰所属区域"]})
    return found


def nominate(actor: User, data: dict) -> Nomination:
    """Recommend a volunteer, team or village in the actor's scope for an active award type."""
    require_any(actor, AWARD_NOMINATE)
    award_type = get_award_type(data["award_type_id"])
    if not award_type.active:
        raise ValidationFailed(errors={"award_type_id": ["该表彰类型已停用"]})
    name, region, user_id = _resolve_target(actor, award_type.target_kind, data["target_id"])
    if user_id is not None and user_id == actor.id:
        raise SelfApproval("不能推荐自己", code="self_nomination")
    award_region = _region_at_tier(region, award_type.tier)
    if content.check_text(actor, data["reason"]) != "pass":
        raise ContentUnderReview(errors={"reason": ["推荐理由需人工审核"]})
    period_label = data.get("period_label", "")
    nomination = Nomination(
        award_type_id=award_type.id,
        target_kind=award_type.target_kind,
        target_id=data["target_id"],
        target_name=name,
        region_id=region.id,
        award_region_id=award_region.id,
        tier=award_type.tier,
        period_label=period_label,
        reason=data["reason"],
        status="pending",
        open_key=f"{award_type.id}:{award_type.target_kind}:{data['target_id']}:{period_label}",
        nominated_by_id=actor.id,
    )
    try:
        with db.session.begin_nested():
            db.session.add(nomination)
            db.session.flush()
    except IntegrityError as exc:
        raise AlreadyNominated() from exc
    audit.record(
        actor,
        "nomination.create",
        nomination,
        reason=data["reason"],
        after={"award_type": award_type.name, "target": f"{award_type.target_kind}:{name}"},
    )
    return nomination


def nominations_query(
    viewer: User,
    status: str | None = None,
    tier: str | None = None,
    award_type_id: int | None = None,
    region_id: int | None = None,
    actionable: bool = False,
):
    """Nominations in the viewer's scope; ``actionable`` keeps those the viewer may decide."""
    require_any(viewer, AWARD_NOMINATE)
    query = scoped(select(Nomination), viewer, AWARD_NOMINATE, Nomination.region_id)
    if status:
        query = query.where(Nomination.status == status)
    if tier:
        query = query.where(Nomination.tier == tier)
    if award_type_id:
        query = query.where(Nomination.award_type_id == award_type_id)
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Nomination.region_id))
    if actionable:
        township_paths = scope_paths_for_roles(viewer, ["township_admin"])
        city_paths = scope_paths_for_roles(viewer, ["city_admin"])
        query = query.where(
            Nomination.status == "pending",
            Nomination.nominated_by_id != viewer.id,
            or_(
                and_(
                    Nomination.tier == "village",
                    region_filter(township_paths, Nomination.award_region_id),
                ),
                and_(
                    Nomination.tier.in_(("township", "city")),
                    region_filter(city_paths, Nomination.award_region_id),
                ),
            ),
        )
    return query.order_by(Nomination.id.desc())


def get_nomination(viewer: User, nomination_id: int) -> Nomination:
    """403 for callers who nominate nowhere; 404 outside the caller's scope."""
    require_any(viewer, AWARD_NOMINATE)
    return get_scoped(Nomination, nomination_id, viewer, AWARD_NOMINATE, Nomination.region_id)


def _target_user_id(kind: str, target_id: int) -> int | None:
    if kind != "volunteer":
        return None
    return db.session.scalar(select(Volunteer.user_id).where(Volunteer.id == target_id))


def _require_decider(viewer: User, tier: str, award_region: Region, *, people: set) -> None:
    """Only the next tier up, covering the award's region, and never someone involved."""
    if viewer.id in people:
        raise SelfApproval()
    role = APPROVER_ROLE[tier]
    if not covers(scope_paths_for_roles(viewer, [role]), award_region):
        raise WrongTier(f"{TIER_NAMES[tier]}表彰须由{APPROVER_NAMES[role]}审批")


def _claim(nomination: Nomination, values: dict) -> None:
    """Move a pending nomination on, once: the conditional UPDATE is the race guard."""
    result = db.session.execute(
        update(Nomination)
        .where(Nomination.id == nomination.id, Nomination.status == "pending")
        .values(**values)
    )
    if result.rowcount != 1:
        raise InvalidTransition("该推荐已被处理,请刷新")


def approve(viewer: User, nomination_id: int, comment: str = "") -> Nomination:
    """Approve: the award, its points and certificate, notices, audit — in one transaction."""
    nomination = get_nomination(viewer, nomination_id)
    target_user_id = _target_user_id(nomination.target_kind, nomination.target_id)
    _require_decider(
        viewer,
        nomination.tier,
        nomination.award_region,
        people={nomination.nominated_by_id, target_user_id},
    )
    if nomination.status != "pending":
        raise InvalidTransition("该推荐已被处理,请刷新")
    now = utcnow()
    _claim(
        nomination,
        {
            "status": "approved",
            "decided_by_id": viewer.id,
            "decided_at": now,
            "decision_reason": comment,
        },
    )
    award_type = nomination.award_type
    award = Award(
        nomination_id=nomination.id,
        award_type_id=award_type.id,
        title=award_type.name,
        tier=nomination.tier,
        target_kind=nomination.target_kind,
        target_id=nomination.target_id,
        target_name=nomination.target_name,
        user_id=target_user_id,
        region_id=nomination.region_id,
        award_region_id=nomination.award_region_id,
        period_label=nomination.period_label,
        points=award_type.points,
        status="active",
        approved_by_id=viewer.id,
        awarded_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(award)
            db.session.flush()
    except IntegrityError as exc:
        raise InvalidTransition("该推荐已被处理,请刷新") from exc
    _grant_award_points(award, viewer)
    _issue_certificate(award, _approving_body(viewer, nomination.award_region))
    _notify(award, nomination, "已通过", now)
    audit.record(
        viewer,
        "nomination.approve",
        nomination,
        reason=comment,
        before={"status": "pending"},
        after={"status": "approved", "award_id": award.id},
    )
    db.session.flush()
    db.session.expire(nomination, ["award"])  # loaded (empty) before the award existed
    return nomination


def reject(viewer: User, nomination_id: int, reason: str) -> Nomination:
    """Decline a nomination, with a reason; the target may be nominated again."""
    nomination = get_nomination(viewer, nomination_id)
    _require_decider(
        viewer,
        nomination.tier,
        nomination.award_region,
        people={
            nomination.nominated_by_id,
            _target_user_id(nomination.target_kind, nomination.target_id),
        },
    )
    if nomination.status != "pending":
        raise InvalidTransition("该推荐已被处理,请刷新")
    now = utcnow()
    _claim(
        nomination,
        {
            "status": "rejected",
            "decided_by_id": viewer.id,
            "decided_at": now,
            "decision_reason": reason,
            "open_key": None,
        },
    )
    notifications.enqueue(
        "award_result",
        nomination.nominated_by_id,
        dedupe_key=f"nomination:{nomination.id}:rejected",
        title=f"推荐未通过:{nomination.award_type.name}",
        body=f"{nomination.target_name}:{reason}",
        fields={
            "award": nomination.award_type.name,
            "result": "未通过",
            "date": china_date(now).isoformat(),
        },
        page="subpackages/admin/pages/nominations/list/index",
    )
    audit.record(
        viewer,
        "nomination.reject",
        nomination,
        reason=reason,
        before={"status": "pending"},
        after={"status": "rejected"},
    )
    db.session.flush()
    return nomination


def _award_recipients(award: Award) -> list[tuple[int, int]]:
    """(user id, village id) of who gets the award's points: the volunteer, or each approved
    member of the team. Village awards carry no personal points."""
    if award.target_kind == "volunteer":
        row = db.session.execute(
            select(Volunteer.user_id, Volunteer.region_id).where(Volunteer.id == award.target_id)
        ).first()
        return [tuple(row)] if row and row[0] is not None else []
    if award.target_kind == "team":
        return [
            (user_id, region_id)
            for user_id, region_id in db.session.execute(
                select(Volunteer.user_id, Volunteer.region_id)
                .where(
                    Volunteer.team_id == award.target_id,
                    Volunteer.status == "approved",
                    Volunteer.user_id.is_not(None),
                )
                .order_by(Volunteer.user_id)
            )
        ]
    return []


def _grant_award_points(award: Award, actor: User) -> None:
    if award.points <= 0:
        return
    for user_id, region_id in _award_recipients(award):
        points.grant(
            user_id,
            award.points,
            "award",
            award.id,
            reason=f"获得表彰:{award.title}",
            region_id=region_id,
            actor_id=actor.id,
        )


def _approving_body(approver: User, award_region: Region) -> Region:
    """The region whose governance centre approved: the nearest region above the award's in
    which the approver holds an approving role (a township admin approving a village award →
    the township, not the village)."""
    approving = set(APPROVER_ROLE.values())
    regions = [
        grant.region
        for grant in approver.grants
        if grant.role in approving and award_region.path.startswith(grant.region.path)
    ]
    return max(regions, key=lambda r: len(r.path), default=award_region)


def _issue_certificate(award: Award, approving_region: Region) -> None:
    """The award's certificate, issued by (and naming as reviewer) the body that approved."""
    holder_id = ""
    if award.target_kind == "volunteer":
        volunteer = db.session.get(Volunteer, award.target_id)
        if volunteer is not None:
            holder_id = mask_id_number(decrypt(volunteer.id_number_enc)) or ""
    when = award.period_label or f"{china_date(award.awarded_at).year}年度"
    text = (
        f"在{when}平安大联盟工作中表现突出,经{certificates.issuer_name(approving_region)}审核,"
        f"被评为“{award.title}”({TIER_NAMES[award.tier]}表彰)。特发此证,以资鼓励。"
    )
    certificates.issue(
        "award",
        f"award:{award.id}",
        holder_name=award.target_name,
        holder_id_masked=holder_id,
        content=text,
        issuer_region=approving_region,
        user_id=award.user_id,
        award_id=award.id,
        details={
            "award": award.title,
            "tier": award.tier,
            "target_kind": award.target_kind,
            "points": award.points,
            "facts": [
                ["表彰项目", award.title],
                ["表彰对象", f"{TARGET_NAMES[award.target_kind]} {award.target_name}"],
            ]
            + ([["奖励积分", f"{award.points} 分"]] if award.points else []),
        },
    )


def _notify(award: Award, nomination: Nomination, result: str, when: datetime) -> None:
    date_text = china_date(when).isoformat()
    fields = {"award": award.title, "result": result, "date": date_text}
    event = "revoked" if result == "已撤销" else "approved"
    if award.user_id is not None:
        notifications.enqueue(
            "award_result",
            award.user_id,
            dedupe_key=f"award:{award.id}:{event}",
            title=f"表彰{result}:{award.title}",
            body=award.revoke_reason if event == "revoked" else "证书已签发,可在“我的证书”查看",
            fields=fields,
            page="pages/recognition/certificates/index",
        )
    if event == "approved" and nomination.nominated_by_id != award.user_id:
        notifications.enqueue(
            "award_result",
            nomination.nominated_by_id,
            dedupe_key=f"nomination:{nomination.id}:approved",
            title=f"推荐已通过:{award.title}",
            body=award.target_name,
            fields=fields,
            page="subpackages/admin/pages/nominations/list/index",
        )


# ---------------------------------------------------------------------------------------------
# Awards: honour roll and revocation
# ---------------------------------------------------------------------------------------------


def honour_roll_query(
    tier: str | None = None,
    target_kind: str | None = None,
    region_id: int | None = None,
    award_type_id: int | None = None,
    year: int | None = None,
):
    """Active awards, newest first (public)."""
    query = select(Award).where(Award.status == "active")
    if tier:
        query = query.where(Award.tier == tier)
    if target_kind:
        query = query.where(Award.target_kind == target_kind)
    if award_type_id:
        query = query.where(Award.award_type_id == award_type_id)
    if region_id:
        region = get_region(region_id)
        query = query.where(region_filter([region.path], Award.region_id))
    if year:
        # The China year of the award, as a UTC range.
        start, end = period_bounds("year", datetime(year, 6, 1).date())
        query = query.where(Award.awarded_at >= start, Award.awarded_at < end)
    return query.order_by(Award.awarded_at.desc(), Award.id.desc())


def revoke(viewer: User, award_id: int, reason: str) -> Award:
    """Withdraw an award: points reversed, certificate marked revoked, the holder told."""
    require_any(viewer, AWARD_NOMINATE)
    award = get_scoped(Award, award_id, viewer, AWARD_NOMINATE, Award.region_id)
    _require_decider(viewer, award.tier, award.award_region, people={award.user_id})
    if award.status != "active":
        raise InvalidTransition("该表彰已撤销")
    now = utcnow()
    result = db.session.execute(
        update(Award)
        .where(Award.id == award.id, Award.status == "active")
        .values(status="revoked", revoked_at=now, revoked_by_id=viewer.id, revoke_reason=reason)
    )
    if result.rowcount != 1:
        raise InvalidTransition("该表彰已撤销")
    granted = db.session.execute(
        select(PointsEntry.user_id, PointsEntry.amount, PointsEntry.region_id).where(
            PointsEntry.source_type == "award", PointsEntry.source_id == str(award.id)
        )
    ).all()
    for user_id, amount, region_id in granted:
        points.grant(
            user_id,
            -amount,
            "reversal",
            f"award:{award.id}",
            reason=f"表彰撤销:{award.title}",
            region_id=region_id,
            actor_id=viewer.id,
        )
    db.session.execute(
        update(Nomination).where(Nomination.id == award.nomination_id).values(open_key=None)
    )
    certificates.revoke("award", f"award:{award.id}", reason)
    nomination = db.session.get(Nomination, award.nomination_id)
    _notify(award, nomination, "已撤销", now)
    audit.record(
        viewer,
        "award.revoke",
        award,
        reason=reason,
        before={"status": "active"},
        after={"status": "revoked", "points_reversed": sum(a for _, a, _ in granted)},
    )
    db.session.flush()
    return award
