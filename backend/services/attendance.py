"""On-site check-in and check-out (签到/签退), served hours and the points they earn.

The organiser's screen shows a rotating code: ``HMAC(activity secret, purpose:window)`` for the
current time window; a code from the previous window is still accepted for a short grace, older
ones are refused as expired. The volunteer scans it and sends it with the phone's location; the
server checks the code, the time window, the enrollment and the distance to the site.

Served minutes = check-in to check-out clipped to the scheduled span. Points are granted once per
(activity, user) through the points ledger; hours corrections post the difference as a new
ledger row (the ledger is append-only).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from backend.errors import APIError, BadRequest, Conflict, Forbidden, NotFound, ValidationFailed
from backend.extensions import db, wechat
from backend.models import Activity, Attendance, Enrollment, User
from backend.permissions import ACTIVITY_MANAGE, HANDLER_ROLES, roles_of
from backend.services import audit, hours, notifications, points
from backend.services.activities import get_managed
from backend.utils import china_text, haversine_m, utcnow

PURPOSES = {"checkin": "i", "checkout": "o"}
PURPOSE_NAMES = {"checkin": "签到", "checkout": "签退"}
CODE_LENGTH = 8


class InvalidCode(BadRequest):
    code, message = "checkin_code_invalid", "签到码无效,请重新扫描现场二维码"


class ExpiredCode(BadRequest):
    code, message = "checkin_code_expired", "签到码已过期,请扫描现场最新的二维码"


class TooFar(Forbidden):
    code, message = "out_of_range", "您不在活动地点范围内,请到达现场后再签到"


class NotOpenYet(Conflict):
    code, message = "checkin_not_open", "尚未到签到时间"


class CheckinClosed(Conflict):
    code, message = "checkin_closed", "活动已结束,签到已关闭"


class ActivityCancelled(Conflict):
    code, message = "activity_cancelled", "活动已取消"


class NotEnrolledHere(Forbidden):
    code, message = "not_enrolled", "您未报名该活动或报名未成功,不能签到"


class AlreadyCheckedIn(Conflict):
    code, message = "already_checked_in", "您已签到,请勿重复签到"


class NotCheckedIn(Conflict):
    code, message = "not_checked_in", "您还没有签到"


class AlreadyCheckedOut(Conflict):
    code, message = "already_checked_out", "您已签退"


# -- rotating codes ------------------------------------------------------------------------


def _window_seconds() -> int:
    return max(int(current_app.config["ACTIVITY_CODE_WINDOW_SECONDS"]), 10)


def _window_of(moment: datetime) -> int:
    return int(moment.timestamp()) // _window_seconds()


def code_for(activity: Activity, purpose: str, window: int) -> str:
    """The code of one window: 8 base32 characters of an HMAC (fits a 32-char QR scene)."""
    message = f"{activity.id}:{purpose}:{window}".encode()
    digest = hmac.new(activity.checkin_secret.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:CODE_LENGTH]


@dataclass
class CurrentCode:
    purpose: str
    code: str
    scene: str
    window_seconds: int
    expires_at: datetime
    valid_until: datetime
    page: str
    image: str | None
    image_error: str | None


def current_code(actor: User, activity_id: int, purpose: str) -> CurrentCode:
    """The organiser's current code and its mini-program QR (PNG as a data URL)."""
    activity = get_managed(actor, activity_id)
    if activity.status == "cancelled":
        raise ActivityCancelled()
    if activity.status != "published":
        raise Conflict("只有已发布的活动可以签到", code="activity_not_published")
    now = utcnow()
    window = _window_of(now)
    size = _window_seconds()
    code = code_for(activity, purpose, window)
    # "a=<id>&c=<code>&m=i": at most 27 characters for ids below 10^12.
    scene = f"a={activity.id}&c={code}&m={PURPOSES[purpose]}"
    page = current_app.config["ACTIVITY_CHECKIN_PAGE"]
    image = error = None
    try:
        png = wechat.get_unlimited_qrcode(
            scene,
            page=page,
            env_version=current_app.config["WECHAT_ENV_VERSION"],
            check_path=False,
        )
        image = "data:image/png;base64," + base64.b64encode(png).decode()
    except APIError as exc:
        # WeChat trouble must not stop the morning: the code can be typed in by hand.
        error = exc.message
    expires = datetime.fromtimestamp((window + 1) * size, tz=now.tzinfo)
    return CurrentCode(
        purpose=purpose,
        code=code,
        scene=scene,
        window_seconds=size,
        expires_at=expires,
        valid_until=expires + timedelta(seconds=current_app.config["ACTIVITY_CODE_GRACE_SECONDS"]),
        page=page,
        image=image,
        image_error=error,
    )


def verify_code(
    activity: Activity, purposes: str | tuple[str, ...], code: str, now: datetime
) -> None:
    """Accept the current window's code of one of ``purposes``, or the previous one within the
    grace period."""
    given = (code or "").strip().upper()
    size = _window_seconds()
    grace = int(current_app.config["ACTIVITY_CODE_GRACE_SECONDS"])
    window = _window_of(now)
    wanted = (purposes,) if isinstance(purposes, str) else purposes
    previous_ends = datetime.fromtimestamp(window * size, tz=now.tzinfo)
    in_grace = (now - previous_ends).total_seconds() <= grace
    for purpose in wanted:
        if hmac.compare_digest(given, code_for(activity, purpose, window)):
            return
        if in_grace and hmac.compare_digest(given, code_for(activity, purpose, window - 1)):
            return
    # Tell an old code from a wrong one: look back over the activity's check-in period.
    opened = activity.start_at - timedelta(minutes=activity.checkin_open_minutes or 0)
    oldest = max(_window_of(opened) - 1, window - 24 * 3600 // size)
    for purpose in wanted:
        for older in range(window - 1, oldest - 1, -1):
            if hmac.compare_digest(given, code_for(activity, purpose, older)):
                raise ExpiredCode()
    raise InvalidCode()


# -- check-in and check-out ----------------------------------------------------------------


def _activity_for_scan(activity_id: int) -> Activity:
    # The hot path of a morning's check-in burst: no organiser/team/region joins.
    activity = db.session.get(Activity, activity_id, options=[lazyload("*")])
    if activity is None or activity.status == "draft":
        raise NotFound("活动不存在", code="activity_not_found")
    if activity.status == "cancelled":
        raise ActivityCancelled()
    return activity


def checkin_opens_at(activity: Activity) -> datetime:
    return activity.start_at - timedelta(minutes=activity.checkin_open_minutes or 0)


def _check_window(activity: Activity, now: datetime) -> None:
    if now < checkin_opens_at(activity):
        opens = checkin_opens_at(activity)
        raise NotOpenYet(f"尚未到签到时间,{china_text(opens)[11:]} 开始签到")
    if now >= activity.end_at or activity.status == "completed":
        raise CheckinClosed()


def _check_distance(activity: Activity, latitude: float, longitude: float) -> int:
    distance = haversine_m(latitude, longitude, activity.latitude, activity.longitude)
    if distance > activity.checkin_radius_m:
        raise TooFar(
            f"您距离活动地点约{round(distance)}米,需在{activity.checkin_radius_m}米范围内",
            errors={"distance_m": round(distance), "radius_m": activity.checkin_radius_m},
        )
    return round(distance)


def _seated_enrollment(activity: Activity, user_id: int) -> Enrollment:
    enrollment = db.session.scalar(
        select(Enrollment)
        .where(Enrollment.activity_id == activity.id, Enrollment.user_id == user_id)
        .options(lazyload(Enrollment.activity))  # already in the session
    )
    if enrollment is None or enrollment.status not in ("enrolled", "no_show"):
        raise NotEnrolledHere()
    return enrollment


def _hours_kind(activity: Activity, user: User) -> str:
    if activity.counts_as_duty and roles_of(user) & set(HANDLER_ROLES):
        return "duty"
    return "service"


def _insert_attendance(attendance: Attendance) -> Attendance:
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError as exc:  # the unique (activity, user) key: a twin request won
        raise AlreadyCheckedIn() from exc
    return attendance


def check_in(user: User, activity_id: int, data: dict) -> tuple[Attendance, bool]:
    """Scan-to-check-in: code, time window, enrollment, distance — then one attendance row.

    The code on the wall works both ways: a volunteer who is already checked in and scans the
    current code again is checked out (``created`` False), unless they checked in less than
    ACTIVITY_CHECKOUT_AFTER_MINUTES ago (a double scan, refused as already checked in).
    """
    now = utcnow()
    activity = _activity_for_scan(activity_id)
    verify_code(activity, "checkin", data["code"], now)
    if now >= activity.end_at or activity.status == "completed":
        # Check-in has closed, but someone still checked in may check out with the wall code.
        return _toggle_to_check_out(user, activity, data, now, closed=CheckinClosed()), False
    _check_window(activity, now)
    enrollment = _seated_enrollment(activity, user.id)
    distance = _check_distance(activity, data["latitude"], data["longitude"])
    # No look-up first: the unique (activity, user) key refuses a second check-in.
    attendance = Attendance(
        activity_id=activity.id,
        user_id=user.id,
        enrollment_id=enrollment.id,
        status="checked_in",
        checkin_at=now,
        checkin_method="scan",
        checkin_latitude=data["latitude"],
        checkin_longitude=data["longitude"],
        checkin_distance_m=distance,
        hours_kind=_hours_kind(activity, user),
    )
    try:
        _insert_attendance(attendance)
    except AlreadyCheckedIn as exc:
        # Checked in already (the unique key said so): the second scan checks out.
        return _toggle_to_check_out(user, activity, data, now, closed=exc), False
    if enrollment.status == "no_show":
        enrollment.status = "enrolled"
    return attendance, True


def _toggle_to_check_out(
    user: User, activity: Activity, data: dict, now: datetime, *, closed: APIError
) -> Attendance:
    """Check out the caller's open attendance, or raise ``closed`` when there is none."""
    attendance = db.session.scalar(
        select(Attendance)
        .where(Attendance.activity_id == activity.id, Attendance.user_id == user.id)
        .options(lazyload(Attendance.activity))
    )
    if attendance is None:
        raise closed
    if attendance.checkout_at is not None:
        raise AlreadyCheckedOut()
    after = timedelta(minutes=current_app.config["ACTIVITY_CHECKOUT_AFTER_MINUTES"])
    if now - attendance.checkin_at < after:
        wait = math.ceil((attendance.checkin_at + after - now).total_seconds() / 60)
        raise AlreadyCheckedIn(f"您已签到,{wait}分钟后可再次扫描现场签到码签退")
    distance = _check_distance(activity, data["latitude"], data["longitude"])
    return _finish(
        attendance,
        activity,
        at=now,
        method="scan",
        latitude=data["latitude"],
        longitude=data["longitude"],
        distance=distance,
    )


def check_out(user: User, activity_id: int, data: dict) -> Attendance:
    """Scan-to-check-out: same checks; hours recorded and points granted once. The check-out
    code or the check-in code on the wall both prove presence."""
    now = utcnow()
    activity = _activity_for_scan(activity_id)
    verify_code(activity, ("checkout", "checkin"), data["code"], now)
    if now < checkin_opens_at(activity):
        raise NotOpenYet()
    attendance = db.session.scalar(
        select(Attendance)
        .where(Attendance.activity_id == activity.id, Attendance.user_id == user.id)
        .options(lazyload(Attendance.activity))
    )
    if attendance is None:
        _seated_enrollment(activity, user.id)  # not enrolled → 403 before "not checked in"
        raise NotCheckedIn()
    if attendance.checkout_at is not None:
        raise AlreadyCheckedOut()
    distance = _check_distance(activity, data["latitude"], data["longitude"])
    return _finish(
        attendance,
        activity,
        at=now,
        method="scan",
        latitude=data["latitude"],
        longitude=data["longitude"],
        distance=distance,
    )


def served_minutes(activity: Activity, checkin_at: datetime, checkout_at: datetime) -> int:
    """Minutes between check-in and check-out, clipped to the scheduled span (travel and
    waiting before the start do not count)."""
    start = max(checkin_at, activity.start_at)
    end = min(checkout_at, activity.end_at)
    return max(int((end - start).total_seconds() // 60), 0)


def span_minutes(activity: Activity) -> int:
    return int((activity.end_at - activity.start_at).total_seconds() // 60)


def points_for(activity: Activity, minutes: int) -> int:
    if minutes <= 0 or not activity.points_value:
        return 0
    if activity.points_mode == "fixed":
        return activity.points_value
    return math.floor(activity.points_value * minutes / 60)


def _finish(
    attendance: Attendance,
    activity: Activity,
    *,
    at: datetime,
    method: str,
    latitude: float | None = None,
    longitude: float | None = None,
    distance: int | None = None,
    actor: User | None = None,
) -> Attendance:
    """Close an attendance (conditional UPDATE: exactly one closer), record hours, grant points."""
    minutes = served_minutes(activity, attendance.checkin_at, at)
    amount = points_for(activity, minutes)
    closed = db.session.execute(
        update(Attendance)
        .where(Attendance.id == attendance.id, Attendance.checkout_at.is_(None))
        .values(
            status="checked_out",
            checkout_at=at,
            checkout_method=method,
            checkout_latitude=latitude,
            checkout_longitude=longitude,
            checkout_distance_m=distance,
            auto_checkout=method == "auto",
            computed_minutes=minutes,
            served_minutes=minutes,
            points=amount,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if closed != 1:
        raise AlreadyCheckedOut()
    for key, value in {
        "status": "checked_out",
        "checkout_at": at,
        "checkout_method": method,
        "checkout_latitude": latitude,
        "checkout_longitude": longitude,
        "checkout_distance_m": distance,
        "auto_checkout": method == "auto",
        "computed_minutes": minutes,
        "served_minutes": minutes,
        "points": amount,
    }.items():
        # The row was written by the UPDATE above; mirror it without marking anything dirty.
        set_committed_value(attendance, key, value)
    service = attendance.hours_kind == "service"
    before = hours.minutes_by_kind(attendance.user_id)["service"] - minutes if service else 0
    if amount:
        points.grant(
            attendance.user_id,
            amount,
            "activity",
            activity.id,
            reason=f"参加活动:{activity.title}"[:200],
            region_id=_points_region(attendance, activity),
            actor_id=actor.id if actor else None,
        )
    hours_text = round(minutes / 60, 1)
    notifications.enqueue(
        "hours_recorded",
        attendance.user_id,
        dedupe_key=f"hours_recorded:{attendance.id}:0",
        title=f"服务时长已记录:{activity.title}",
        body=f"{'在岗' if attendance.hours_kind == 'duty' else '志愿服务'}时长 {hours_text} 小时,"
        f"积分 {amount}" + (",系统按活动结束时间自动签退" if method == "auto" else ""),
        fields={"activity": activity.title, "hours": hours_text, "points": amount},
        page="pages/activity/hours/index",
    )
    if service:
        hours.notify_level_change(attendance.user_id, before, before + minutes)
    return attendance


def _points_region(attendance: Attendance, activity: Activity) -> int | None:
    """The volunteer's village (leaderboards group by it), else the user's or the activity's."""
    from backend.models import Volunteer

    region_id = db.session.scalar(
        select(Volunteer.region_id).where(Volunteer.user_id == attendance.user_id)
    )
    if region_id is None:
        region_id = db.session.scalar(select(User.region_id).where(User.id == attendance.user_id))
    return region_id or activity.region_id


# -- organiser actions ---------------------------------------------------------------------


def _managed_enrollment(actor: User, activity_id: int, enrollment_id: int):
    activity = get_managed(actor, activity_id)
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.id == enrollment_id, Enrollment.activity_id == activity.id
        )
    )
    if enrollment is None:
        raise NotFound("报名记录不存在", code="enrollment_not_found")
    if activity.status == "cancelled":
        raise ActivityCancelled()
    if activity.status == "draft":
        raise Conflict("只有已发布的活动可以签到", code="activity_not_published")
    return activity, enrollment


def _manual_time(activity: Activity, at: datetime | None, now: datetime) -> datetime:
    moment = at or min(now, activity.end_at)
    if moment > now:
        raise ValidationFailed(errors={"at": ["不能晚于当前时间"]})
    if moment < checkin_opens_at(activity) or moment > activity.end_at:
        raise ValidationFailed(errors={"at": ["须在签到开放至活动结束之间"]})
    return moment


def manual_check_in(
    actor: User, activity_id: int, enrollment_id: int, reason: str, at: datetime | None = None
) -> Attendance:
    """代签: the organiser checks someone in by hand, with a reason (audited)."""
    activity, enrollment = _managed_enrollment(actor, activity_id, enrollment_id)
    now = utcnow()
    if now < checkin_opens_at(activity):
        raise NotOpenYet()
    if enrollment.status not in ("enrolled", "no_show"):
        raise Conflict("该志愿者未正式报名(候补、已取消或已移出)", code="not_enrolled")
    if enrollment.attendance is not None:
        raise AlreadyCheckedIn("该志愿者已签到")
    moment = _manual_time(activity, at, now)
    attendance = Attendance(
        activity_id=activity.id,
        user_id=enrollment.user_id,
        enrollment_id=enrollment.id,
        status="checked_in",
        checkin_at=moment,
        checkin_method="manual",
        manual_reason=reason,
        recorded_by_id=actor.id,
        hours_kind=_hours_kind(activity, enrollment.user),
    )
    _insert_attendance(attendance)
    db.session.flush()
    was = enrollment.status
    enrollment.status = "enrolled"
    audit.record(
        actor,
        "attendance.manual_checkin",
        attendance,
        reason=reason,
        before={"enrollment_status": was},
        after={"checkin_at": moment.isoformat()},
        region_id=activity.region_id,
    )
    return attendance


def manual_check_out(
    actor: User, activity_id: int, enrollment_id: int, reason: str, at: datetime | None = None
) -> Attendance:
    """The organiser checks someone out by hand (e.g. a dead phone), with a reason."""
    activity, enrollment = _managed_enrollment(actor, activity_id, enrollment_id)
    attendance = enrollment.attendance
    if attendance is None:
        raise NotCheckedIn("该志愿者尚未签到")
    if attendance.checkout_at is not None:
        raise AlreadyCheckedOut("该志愿者已签退")
    now = utcnow()
    moment = _manual_time(activity, at, now)
    if moment < attendance.checkin_at:
        raise ValidationFailed(errors={"at": ["签退时间不能早于签到时间"]})
    _finish(attendance, activity, at=moment, method="manual", actor=actor)
    attendance.manual_reason = reason
    attendance.recorded_by_id = actor.id
    audit.record(
        actor,
        "attendance.manual_checkout",
        attendance,
        reason=reason,
        after={"checkout_at": moment.isoformat(), "served_minutes": attendance.served_minutes},
        region_id=activity.region_id,
    )
    return attendance


def get_attendance_managed(actor: User, attendance_id: int) -> Attendance:
    from backend.permissions import get_scoped, require_any

    require_any(actor, ACTIVITY_MANAGE)
    # Scope through the activity's region: an attendance elsewhere is a 404.
    attendance = db.session.get(Attendance, attendance_id)
    if attendance is None:
        raise NotFound("签到记录不存在", code="attendance_not_found")
    get_scoped(Activity, attendance.activity_id, actor, ACTIVITY_MANAGE, Activity.region_id)
    return attendance


def correct_hours(actor: User, attendance_id: int, minutes: int, reason: str) -> Attendance:
    """Set the served minutes of a closed attendance (audited); points follow as a new
    ledger row for the difference."""
    attendance = get_attendance_managed(actor, attendance_id)
    activity = attendance.activity
    if attendance.checkout_at is None:
        raise Conflict("尚未签退,不能更正时长", code="not_checked_out")
    limit = span_minutes(activity)
    if minutes > limit:
        raise ValidationFailed(errors={"served_minutes": [f"不能超过活动时长({limit}分钟)"]})
    old_minutes, old_points, revision = (
        attendance.served_minutes,
        attendance.points,
        attendance.revision,
    )
    if minutes == old_minutes:
        raise Conflict("时长未变化", code="no_change")
    new_points = points_for(activity, minutes)
    before_service = hours.minutes_by_kind(attendance.user_id)["service"]
    changed = db.session.execute(
        update(Attendance)
        .where(Attendance.id == attendance.id, Attendance.revision == revision)
        .values(
            served_minutes=minutes,
            points=new_points,
            revision=revision + 1,
            correction_reason=reason,
            corrected_by_id=actor.id,
            corrected_at=utcnow(),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise Conflict("记录已被他人修改,请刷新后重试", code="attendance_changed")
    db.session.refresh(attendance)
    delta = new_points - old_points
    if delta:
        points.grant(
            attendance.user_id,
            delta,
            "adjustment",
            f"attendance:{attendance.id}:r{revision + 1}",
            reason=f"时长更正:{activity.title}"[:200],
            region_id=_points_region(attendance, activity),
            actor_id=actor.id,
        )
    notifications.enqueue(
        "hours_recorded",
        attendance.user_id,
        dedupe_key=f"hours_recorded:{attendance.id}:{revision + 1}",
        title=f"服务时长已更正:{activity.title}",
        body=f"{reason}",
        fields={
            "activity": activity.title,
            "hours": round(minutes / 60, 1),
            "points": new_points,
        },
        page="pages/activity/hours/index",
    )
    if attendance.hours_kind == "service":
        hours.notify_level_change(attendance.user_id, before_service)
    audit.record(
        actor,
        "attendance.correct",
        attendance,
        reason=reason,
        before={"served_minutes": old_minutes, "points": old_points},
        after={"served_minutes": minutes, "points": new_points},
        region_id=activity.region_id,
    )
    return attendance


# -- end of activity (jobs and "complete") -------------------------------------------------


def close_open_attendances(activity: Activity, at: datetime) -> int:
    """Check out everyone still checked in, at ``at`` (flagged as automatic)."""
    ids = db.session.scalars(
        select(Attendance.id).where(
            Attendance.activity_id == activity.id, Attendance.checkout_at.is_(None)
        )
    ).all()
    closed = 0
    for attendance_id in ids:
        attendance = db.session.get(Attendance, attendance_id)
        try:
            with db.session.begin_nested():
                _finish(attendance, activity, at=max(at, attendance.checkin_at), method="auto")
            closed += 1
        except AlreadyCheckedOut:
            continue  # the volunteer (or another scheduler) closed it meanwhile
    return closed


def auto_checkout_due(now: datetime | None = None) -> dict[str, int]:
    """Job: at the scheduled end, check out those who forgot (flagged)."""
    now = now or utcnow()
    activity_ids = db.session.scalars(
        select(Activity.id).where(
            Activity.status.in_(("published", "completed")),
            Activity.end_at <= now,
            exists().where(Attendance.activity_id == Activity.id, Attendance.checkout_at.is_(None)),
        )
    ).all()
    closed = 0
    for activity_id in activity_ids:
        activity = db.session.get(Activity, activity_id)
        closed += close_open_attendances(activity, activity.end_at)
    return {"activities": len(activity_ids), "checked_out": closed}


def mark_no_shows(activity_id: int | None = None, now: datetime | None = None) -> int:
    """Enrolled people with no check-in become no-shows once the activity has ended.

    One UPDATE with the condition inside: safe when two schedulers run at once.
    """
    now = now or utcnow()
    ended = select(Activity.id).where(
        Activity.status.in_(("published", "completed")), Activity.end_at <= now
    )
    if activity_id is not None:
        ended = select(Activity.id).where(Activity.id == activity_id)
    result = db.session.execute(
        update(Enrollment)
        .where(
            Enrollment.status == "enrolled",
            Enrollment.activity_id.in_(ended),
            ~exists().where(Attendance.enrollment_id == Enrollment.id),
        )
        .values(status="no_show")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
