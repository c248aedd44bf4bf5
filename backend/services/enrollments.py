"""Enrollment (报名): capacity under concurrency, the waitlist and its promotions, the roster.

Every seat change starts by writing the activity row (a conditional ``UPDATE``), so the activity
row is the lock that orders enrollments, cancellations and promotions on MySQL, and SQLite
serialises writers anyway. Taking it *before* inserting the enrollment also avoids InnoDB's
shared foreign-key lock on the activity turning into a deadlock when the UPDATE follows.
"""

from __future__ import annotations

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from backend.errors import Conflict, Forbidden, NotFound
from backend.extensions import db
from backend.models import Activity, Enrollment, User, Volunteer
from backend.models.activity import ENROLLMENT_STATUS_NAMES
from backend.permissions import HANDLER_ROLES, may_see_personal, roles_of
from backend.privacy import decrypt, mask_name, mask_phone
from backend.services import audit, notifications
from backend.services.activities import get_managed, lean_activity_loads
from backend.services.sheets import EXPORT_MAX_ROWS, Column, Sheet
from backend.services.volunteers import volunteer_of
from backend.utils import china_iso, utcnow

ACTIVE = ("enrolled", "waitlisted")


class NotVolunteer(Forbidden):
    code, message = "volunteer_required", "只有审核通过的平安志愿者才能报名"


class ActivityNotOpen(Conflict):
    code, message = "enrollment_closed", "活动不在报名期内"


class ActivityFull(Conflict):
    code, message = "activity_full", "活动名额已满"


class AlreadyEnrolled(Conflict):
    code, message = "already_enrolled", "您已报名该活动"


class TimeConflict(Conflict):
    code, message = "time_conflict", "与您已报名的其他活动时间冲突"


class SkillsMismatch(Conflict):
    code, message = "skills_required", "该活动需要特定技能,您的技能不符合要求"


class NotEnrolled(NotFound):
    code, message = "not_enrolled", "您未报名该活动"


class CancelDeadlinePassed(Conflict):
    code, message = "cancel_deadline_passed", "已过报名截止时间,不能取消报名,请联系组织者"


def _eligible_volunteer(user: User, activity: Activity) -> Volunteer | None:
    """The user's approved volunteer record; grid workers and auxiliary police may also join
    activities that count as duty without being volunteers."""
    volunteer = volunteer_of(user)
    if volunteer is not None and volunteer.status == "approved":
        return volunteer
    if activity.counts_as_duty and roles_of(user) & set(HANDLER_ROLES):
        return None
    raise NotVolunteer()


def _lock_user(user_id: int) -> None:
    """Serialise one person's enrollments (the overlap check must not race itself)."""
    db.session.execute(select(User.id).where(User.id == user_id).with_for_update())


def _overlapping(user_id: int, activity: Activity) -> Activity | None:
    return db.session.scalar(
        select(Activity)
        .join(Enrollment, Enrollment.activity_id == Activity.id)
        .where(
            Enrollment.user_id == user_id,
            Enrollment.status.in_(ACTIVE),
            Activity.id != activity.id,
            Activity.status.in_(("draft", "published")),
            Activity.start_at < activity.end_at,
            Activity.end_at > activity.start_at,
        )
        .limit(1)
    )


def _take_seat(activity_id: int) -> bool:
    """One conditional UPDATE: a seat if one is free. Blocks behind other seat changes."""
    result = db.session.execute(
        update(Activity)
        .where(
            Activity.id == activity_id,
            (Activity.capacity.is_(None)) | (Activity.enrolled_count < Activity.capacity),
        )
        .values(enrolled_count=Activity.enrolled_count + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _take_ticket(activity_id: int) -> int:
    """The next waitlist number, handed out under the activity row lock (arrival order)."""
    db.session.execute(
        update(Activity)
        .where(Activity.id == activity_id)
        .values(waitlist_seq=Activity.waitlist_seq + 1)
        .execution_options(synchronize_session=False)
    )
    return db.session.scalar(select(Activity.waitlist_seq).where(Activity.id == activity_id))


def waitlist_position(enrollment: Enrollment) -> int | None:
    if enrollment.status != "waitlisted" or enrollment.waitlist_seq is None:
        return None
    ahead = db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.activity_id == enrollment.activity_id,
            Enrollment.status == "waitlisted",
            Enrollment.waitlist_seq < enrollment.waitlist_seq,
        )
    )
    return int(ahead or 0) + 1


def enroll(user: User, activity_id: int) -> Enrollment:
    """Sign up: a seat if one is free, else a waitlist ticket (if the activity keeps one)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None or activity.status == "draft" or activity.content_status != "pass":
        raise NotFound("活动不存在", code="activity_not_found")
    if activity.status != "published":
        raise ActivityNotOpen("活动已结束或已取消")
    now = utcnow()
    if now >= activity.enroll_deadline:
        raise ActivityNotOpen("报名已截止")
    volunteer = _eligible_volunteer(user, activity)
    required = set(activity.required_skills or [])
    if required and volunteer is not None and not required & set(volunteer.skills or []):
        raise SkillsMismatch(errors={"required_skills": sorted(required)})
    _lock_user(user.id)
    existing = db.session.scalar(
        select(Enrollment).where(
            Enrollment.activity_id == activity.id, Enrollment.user_id == user.id
        )
    )
    if existing is not None and existing.status in ACTIVE:
        raise AlreadyEnrolled()
    if existing is not None and existing.status == "removed":
        raise Forbidden("您已被组织者移出该活动,不能再次报名", code="enrollment_removed")
    clash = _overlapping(user.id, activity)
    if clash is not None:
        raise TimeConflict(f"与您已报名的活动“{clash.title}”时间冲突")

    seated = _take_seat(activity.id)
    ticket = None
    if not seated:
        if not activity.waitlist_enabled:
            raise ActivityFull()
        ticket = _take_ticket(activity.id)
    queued_at = utcnow()  # after the lock: orders arrivals exactly
    status = "enrolled" if seated else "waitlisted"
    if existing is None:
        enrollment = Enrollment(activity_id=activity.id, user_id=user.id)
        db.session.add(enrollment)
    else:
        enrollment = existing
    enrollment.volunteer_id = volunteer.id if volunteer else None
    enrollment.status = status
    enrollment.waitlist_seq = ticket
    enrollment.queued_at = queued_at
    enrollment.cancelled_at = None
    enrollment.promoted_at = None
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:  # a twin request of the same user won
        raise AlreadyEnrolled() from exc
    db.session.refresh(activity)
    notifications.enqueue(
        "enrollment_result",
        user.id,
        dedupe_key=f"enrollment:{enrollment.id}:{status}:{queued_at.isoformat()}",
        title=f"{'报名成功' if seated else '已进入候补'}:{activity.title}",
        body="" if seated else f"候补第{waitlist_position(enrollment)}位,有人取消时将自动递补",
        fields={
            "activity": activity.title,
            "result": "报名成功" if seated else "候补中",
            "start_at": china_iso(activity.start_at),
        },
        page=f"pages/activity/detail/index?id={activity.id}",
    )
    return enrollment


def _release_seat(activity: Activity) -> None:
    """Give a freed seat to the first on the waitlist, or return it to the pool.

    The caller has already written the activity row (lock held), so promotions cannot race.
    """
    if utcnow() < activity.start_at and _promote_next(activity):
        return
    db.session.execute(
        update(Activity)
        .where(Activity.id == activity.id, Activity.enrolled_count > 0)
        .values(enrolled_count=Activity.enrolled_count - 1)
        .execution_options(synchronize_session=False)
    )


def _promote_next(activity: Activity) -> Enrollment | None:
    while True:
        candidate = db.session.scalar(
            select(Enrollment)
            .where(Enrollment.activity_id == activity.id, Enrollment.status == "waitlisted")
            .order_by(Enrollment.waitlist_seq, Enrollment.id)
            .limit(1)
        )
        if candidate is None:
            return None
        now = utcnow()
        moved = db.session.execute(
            update(Enrollment)
            .where(Enrollment.id == candidate.id, Enrollment.status == "waitlisted")
            .values(status="enrolled", promoted_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.refresh(candidate)
        if moved != 1:
            continue  # cancelled meanwhile: try the next ticket
        notifications.enqueue(
            "waitlist_promotion",
            candidate.user_id,
            dedupe_key=f"enrollment:{candidate.id}:promoted:{candidate.queued_at.isoformat()}",
            title=f"候补成功:{activity.title}",
            body="有人取消报名,您已从候补转为正式报名",
            fields={"activity": activity.title, "start_at": china_iso(activity.start_at)},
            page=f"pages/activity/detail/index?id={activity.id}",
        )
        return candidate


def fill_from_waitlist(activity: Activity) -> int:
    """After capacity grew: promote as many waitlisted as there are free seats."""
    promoted = 0
    while utcnow() < activity.start_at and _take_seat(activity.id):
        if _promote_next(activity) is None:
            db.session.execute(
                update(Activity)
                .where(Activity.id == activity.id)
                .values(enrolled_count=Activity.enrolled_count - 1)
                .execution_options(synchronize_session=False)
            )
            break
        promoted += 1
    db.session.refresh(activity)
    return promoted


def _lock_activity(activity_id: int) -> Activity:
    # A no-op write: takes the activity row lock before any enrollment row is touched.
    db.session.execute(
        update(Activity)
        .where(Activity.id == activity_id)
        .values(enrolled_count=Activity.enrolled_count)
        .execution_options(synchronize_session=False)
    )
    activity = db.session.get(Activity, activity_id)
    db.session.refresh(activity)
    return activity


def cancel_mine(user: User, activity_id: int) -> Enrollment:
    """Cancel my enrollment or waitlist ticket until the enrollment deadline."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("活动不存在", code="activity_not_found")
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.activity_id == activity_id,
            Enrollment.user_id == user.id,
            Enrollment.status.in_(ACTIVE),
        )
    )
    if enrollment is None:
        raise NotEnrolled()
    if activity.status != "published":
        raise Conflict("活动已结束或已取消", code="enrollment_closed")
    if utcnow() >= activity.enroll_deadline:
        raise CancelDeadlinePassed()
    _leave(activity_id, enrollment, "cancelled")
    return enrollment


def _leave(activity_id: int, enrollment: Enrollment, to_status: str, **values) -> None:
    activity = _lock_activity(activity_id)
    was = enrollment.status
    left = db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id, Enrollment.status == was)
        .values(status=to_status, cancelled_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if left != 1:
        raise Conflict("报名状态已变化,请刷新后重试", code="enrollment_changed")
    db.session.refresh(enrollment)
    if was == "enrolled":
        _release_seat(activity)


def remove(actor: User, activity_id: int, enrollment_id: int, reason: str) -> Enrollment:
    """An organiser removes someone (with a reason); their seat goes to the waitlist."""
    activity = get_managed(actor, activity_id)
    enrollment = _roster_entry(activity, enrollment_id)
    if enrollment.status not in ACTIVE:
        raise Conflict("该报名已取消或已被移出", code="enrollment_changed")
    if activity.status != "published":
        raise Conflict("活动已结束或已取消", code="enrollment_closed")
    if enrollment.attendance is not None:
        raise Conflict("该志愿者已签到,不能移出;如需调整请更正时长", code="already_checked_in")
    before = {"status": enrollment.status}
    _leave(activity.id, enrollment, "removed", removed_reason=reason, removed_by_id=actor.id)
    notifications.enqueue(
        "enrollment_result",
        enrollment.user_id,
        dedupe_key=f"enrollment:{enrollment.id}:removed:{enrollment.queued_at.isoformat()}",
        title=f"您已被移出活动:{activity.title}",
        body=reason,
        fields={
            "activity": activity.title,
            "result": "已被组织者移出",
            "start_at": china_iso(activity.start_at),
        },
        page=f"pages/activity/detail/index?id={activity.id}",
    )
    audit.record(
        actor,
        "enrollment.remove",
        enrollment,
        reason=reason,
        before=before,
        after={"status": "removed"},
        region_id=activity.region_id,
    )
    roster_facts(actor, [enrollment])
    return enrollment


def _roster_entry(activity: Activity, enrollment_id: int) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.id == enrollment_id, Enrollment.activity_id == activity.id
        )
    )
    if enrollment is None:
        raise NotFound("报名记录不存在", code="enrollment_not_found")
    return enrollment


def roster_query(actor: User, activity_id: int, status: str | None = None):
    """The organiser's roster: seated first, then the waitlist in ticket order."""
    activity = get_managed(actor, activity_id)
    query = (
        select(Enrollment)
        .where(Enrollment.activity_id == activity.id)
        .options(
            selectinload(Enrollment.volunteer),
            selectinload(Enrollment.attendance),
            selectinload(Enrollment.user),
        )
    )
    if status:
        query = query.where(Enrollment.status == status)
    order = {"enrolled": 0, "waitlisted": 1, "no_show": 2, "cancelled": 3, "removed": 4}
    rank = case(order, value=Enrollment.status, else_=9)
    return activity, query.order_by(
        rank, Enrollment.waitlist_seq, Enrollment.queued_at, Enrollment.id
    )


def roster_facts(viewer: User | None, entries: list[Enrollment]) -> list[Enrollment]:
    """Set ``roster_name`` and ``roster_phone`` on each entry as ``viewer`` may see them (see
    ``_roster_identity``), for the roster page, its download and the removal answer."""
    for entry in entries:
        entry.roster_name, entry.roster_phone = _roster_identity(viewer, entry)
    return entries


# Roster rows whose contact the organiser needs: people who are (or were due to be) there.
CONTACT_STATUSES = ("enrolled", "waitlisted", "no_show")


def _roster_identity(viewer: User | None, entry: Enrollment) -> tuple[str, str | None]:
    """The roster (organisers only: roster_query checks it) shows the real name and phone of the
    people enrolled, waitlisted or marked absent — reaching them is the point of a roster —
    wherever they live; those who cancelled or were removed stay masked, except to admins
    whose scope covers them."""
    volunteer = entry.volunteer
    if volunteer is None:
        return (entry.user.nickname if entry.user else ""), None
    reveal = entry.status in CONTACT_STATUSES or may_see_personal(
        viewer, volunteer.user_id, volunteer.region
    )
    name = decrypt(volunteer.real_name_enc)
    phone = decrypt(volunteer.phone_enc)
    shown_name = name if name and reveal else (mask_name(name) if name else volunteer.display_name)
    return shown_name, (phone if reveal else mask_phone(phone))


CHECKIN_METHOD_NAMES = {"scan": "扫码", "manual": "代签"}
CHECKOUT_METHOD_NAMES = {"scan": "扫码", "manual": "代签", "auto": "自动签退"}
HOURS_KIND_NAMES = {"service": "志愿服务", "duty": "在岗"}
ROSTER_COLUMNS = (
    Column("报名编号", "integer"),
    Column("志愿者编号"),
    Column("姓名"),
    Column("手机号"),
    Column("状态", "code", ENROLLMENT_STATUS_NAMES),
    Column("候补序号", "integer"),
    Column("报名时间", "datetime"),
    Column("签到时间", "datetime"),
    Column("签到方式", "code", CHECKIN_METHOD_NAMES),
    Column("签退时间", "datetime"),
    Column("签退方式", "code", CHECKOUT_METHOD_NAMES),
    Column("服务分钟", "integer"),
    Column("时长类型", "code", HOURS_KIND_NAMES),
    Column("积分", "integer"),
)


def roster_sheet(actor: User, activity_id: int, status: str | None = None) -> Sheet:
    """The roster as a download, names and phones as the organiser may see them."""
    activity, query = roster_query(actor, activity_id, status)
    entries = roster_facts(actor, list(db.session.scalars(query.limit(EXPORT_MAX_ROWS)).unique()))
    rows = []
    for e in entries:
        a = e.attendance
        rows.append(
            (
                e.id,
                e.volunteer.number if e.volunteer else "",
                e.roster_name,
                e.roster_phone,
                e.status,
                e.waitlist_seq,
                e.queued_at,
                a.checkin_at if a else None,
                a.checkin_method if a else None,
                a.checkout_at if a else None,
                a.checkout_method if a else None,
                a.served_minutes if a else None,
                a.hours_kind if a else None,
                a.points if a else None,
            )
        )
    return Sheet(f"报名名单-{activity.title}"[:60], ROSTER_COLUMNS, rows)


def my_enrollments_query(user: User, status: str | None = None, when: str | None = None):
    """My enrollments with their activities and attendance, newest activity first."""
    now = utcnow()
    query = (
        select(Enrollment)
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(Enrollment.user_id == user.id)
        .options(
            selectinload(Enrollment.attendance),
            *lean_activity_loads(joinedload(Enrollment.activity)),
        )
    )
    if status:
        query = query.where(Enrollment.status == status)
    if when == "upcoming":
        query = query.where(Activity.end_at > now, Activity.status == "published")
        return query.order_by(Activity.start_at, Enrollment.id)
    if when == "past":
        query = query.where(Activity.end_at <= now)
    return query.order_by(Activity.start_at.desc(), Enrollment.id.desc())


def mine_for(user: User | None, activity_id: int) -> Enrollment | None:
    if user is None:
        return None
    return db.session.scalar(
        select(Enrollment).where(
            Enrollment.activity_id == activity_id, Enrollment.user_id == user.id
        )
    )
