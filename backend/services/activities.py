"""Activities (活动开展): drafting, content security, the lifecycle and the public listing.

Lifecycle: draft → published → completed | cancelled; "ongoing" and "ended" are phases derived
from the clock, not stored. Organisers are admins whose scope covers the activity's region
(``activity.manage``); ids outside that scope are 404.
"""

from __future__ import annotations

import math
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import joinedload, lazyload, load_only

from backend.errors import Conflict, Forbidden, InvalidTransition, NotFound, ValidationFailed
from backend.extensions import db
from backend.models import Activity, Enrollment, Region, Team, User
from backend.permissions import (
    ACTIVITY_MANAGE,
    ACTIVITY_MODERATE,
    can,
    get_scoped,
    region_filter,
    require,
    require_any,
    scoped,
)
from backend.services import audit, content, notifications
from backend.services.regions import get_region
from backend.utils import (
    METERS_PER_DEGREE,
    china_day_start,
    china_iso,
    china_text,
    haversine_m,
    utcnow,
)

MAX_DURATION = timedelta(days=7)

# Fields an organiser may set; everything else (status, counts, secrets) is the server's.
EDITABLE = (
    "title",
    "description",
    "category",
    "start_at",
    "end_at",
    "enroll_deadline",
    "place_name",
    "latitude",
    "longitude",
    "checkin_radius_m",
    "checkin_open_minutes",
    "capacity",
    "waitlist_enabled",
    "required_skills",
    "points_mode",
    "points_value",
    "counts_as_duty",
    "cover_url",
    "team_id",
)
# Still editable once the activity has started (nothing that changes who served or earned what).
EDITABLE_AFTER_START = ("description", "cover_url")


class ContentHeld(Conflict):
    code, message = "content_under_review", "活动内容正在人工审核,审核通过后才能发布"


class ActivityStarted(Conflict):
    code, message = "activity_started", "活动已开始,不能再修改时间、地点和名额"


class CapacityBelowEnrolled(Conflict):
    code, message = "capacity_below_enrolled", "名额不能少于已报名人数"


def phase_of(activity: Activity, now: datetime | None = None) -> str:
    """draft | enrolling | upcoming | ongoing | ended | completed | cancelled."""
    if activity.status != "published":
        return activity.status
    now = now or utcnow()
    if now >= activity.end_at:
        return "ended"
    if now >= activity.start_at:
        return "ongoing"
    if now < activity.enroll_deadline:
        return "enrolling"
    return "upcoming"


# -- organiser side ------------------------------------------------------------------------


def _check_region(actor: User, region_id: int) -> Region:
    region = get_region(region_id)
    if region.level not in ("village", "township"):
        raise ValidationFailed(errors={"region_id": ["活动应属于村(社区)或乡镇(街道)"]})
    require(actor, ACTIVITY_MANAGE, region)
    return region


def _check_team(team_id: int | None, region: Region) -> None:
    if not team_id:
        return
    team = db.session.get(Team, team_id)
    if team is None or not (team.region.covers(region) or region.covers(team.region)):
        raise ValidationFailed(errors={"team_id": ["该服务队不在活动区域范围内"]})


def _validate_times(values: dict[str, Any]) -> None:
    start, end, deadline = values["start_at"], values["end_at"], values["enroll_deadline"]
    errors: dict[str, list[str]] = {}
    if end <= start:
        errors["end_at"] = ["结束时间须晚于开始时间"]
    elif end - start > MAX_DURATION:
        errors["end_at"] = ["单次活动不能超过7天"]
    if deadline > start:
        errors["enroll_deadline"] = ["报名截止时间不能晚于活动开始时间"]
    if errors:
        raise ValidationFailed(errors=errors)


def _moderate_text(actor: User, activity: Activity) -> None:
    """Check title and description; "review" holds the activity (it cannot be published)."""
    verdict = content.check_text(actor, activity.title, activity.description)
    activity.content_status = "pass" if verdict == "pass" else "review"


def create(actor: User, data: dict) -> Activity:
    """Draft an activity in a region the actor organises."""
    region = _check_region(actor, data["region_id"])
    _check_team(data.get("team_id"), region)
    values = {name: data[name] for name in EDITABLE if name in data}
    values.setdefault("enroll_deadline", data["start_at"])
    values.setdefault("checkin_open_minutes", current_app.config["ACTIVITY_CHECKIN_OPEN_MINUTES"])
    _validate_times(values)
    if values["start_at"] <= utcnow():
        raise ValidationFailed(errors={"start_at": ["开始时间须晚于当前时间"]})
    activity = Activity(
        region_id=region.id,
        organiser_id=actor.id,
        status="draft",
        enrolled_count=0,
        waitlist_seq=0,
        checkin_secret=secrets.token_hex(32),
        **values,
    )
    activity.required_skills = list(dict.fromkeys(values.get("required_skills") or []))
    _moderate_text(actor, activity)
    db.session.add(activity)
    db.session.flush()
    audit.record(actor, "activity.create", activity, after={"title": activity.title})
    return activity


def get_managed(actor: User, activity_id: int, *, lock: bool = False) -> Activity:
    """An activity in the actor's organiser scope: 403 for non-organisers, 404 outside scope."""
    require_any(actor, ACTIVITY_MANAGE)
    activity = get_scoped(Activity, activity_id, actor, ACTIVITY_MANAGE, Activity.region_id)
    if lock:
        # The activity row is the lock every seat change takes first (FOR UPDATE on MySQL).
        db.session.refresh(activity, with_for_update=True)
    return activity


def update_activity(actor: User, activity_id: int, data: dict) -> Activity:
    """Edit a draft, or a published activity that has not started (text only afterwards)."""
    from backend.services import enrollments

    activity = get_managed(actor, activity_id, lock=True)
    if activity.status not in ("draft", "published"):
        raise InvalidTransition("活动已结束或已取消,不能修改")
    now = utcnow()
    started = activity.status == "published" and now >= activity.start_at
    if started and set(data) - set(EDITABLE_AFTER_START):
        raise ActivityStarted()
    if "region_id" in data and data["region_id"] != activity.region_id:
        if activity.status != "draft":
            raise InvalidTransition("已发布的活动不能更换所属区域")
        activity.region_id = _check_region(actor, data["region_id"]).id
        db.session.flush()
        db.session.refresh(activity)
    if "team_id" in data:
        _check_team(data["team_id"], activity.region)
    before = audit.snapshot(activity, *[n for n in EDITABLE if n in data])
    merged = {n: data.get(n, getattr(activity, n)) for n in EDITABLE}
    _validate_times(merged)
    if activity.status == "published" and not started and "start_at" in data:
        if data["start_at"] <= now:
            raise ValidationFailed(errors={"start_at": ["开始时间须晚于当前时间"]})
    capacity = merged["capacity"]
    if capacity is not None and capacity < activity.enrolled_count:
        raise CapacityBelowEnrolled(errors={"capacity": [f"已有{activity.enrolled_count}人报名"]})
    for name in EDITABLE:
        if name in data:
            setattr(activity, name, data[name])
    if "required_skills" in data:
        activity.required_skills = list(dict.fromkeys(data["required_skills"] or []))
    if "title" in data or "description" in data:
        _moderate_text(actor, activity)
    activity.updated_at = now
    db.session.flush()
    after = audit.snapshot(activity, *[n for n in EDITABLE if n in data])
    if activity.status == "published":
        enrollments.fill_from_waitlist(activity)
        changed = {n for n in NOTIFY_ON_CHANGE if n in data and before.get(n) != after.get(n)}
        if changed:
            _notify_change(activity)
    audit.record(actor, "activity.update", activity, before=before, after=after)
    return activity


# Changes that people who signed up must hear about: when and where.
NOTIFY_ON_CHANGE = ("start_at", "end_at", "place_name", "latitude", "longitude")


def _notify_change(activity: Activity) -> None:
    """Tell everyone enrolled or waitlisted that the time or place changed (once per edit)."""
    from backend.services.enrollments import ACTIVE

    user_ids = db.session.scalars(
        select(Enrollment.user_id).where(
            Enrollment.activity_id == activity.id, Enrollment.status.in_(ACTIVE)
        )
    ).all()
    stamp = activity.updated_at.isoformat()
    for user_id in user_ids:
        notifications.enqueue(
            "activity_changed",
            user_id,
            dedupe_key=f"activity_changed:{activity.id}:{user_id}:{stamp}",
            title=f"活动时间或地点有变:{activity.title}",
            body=f"新的时间:{china_text(activity.start_at)},地点:{activity.place_name}",
            fields={
                "activity": activity.title,
                "start_at": china_iso(activity.start_at),
                "place": activity.place_name,
            },
            page=f"pages/activity/detail/index?id={activity.id}",
        )


def publish(actor: User, activity_id: int) -> Activity:
    """draft → published; held text is re-checked and must pass first."""
    activity = get_managed(actor, activity_id, lock=True)
    if activity.status != "draft":
        raise InvalidTransition("只有草稿可以发布")
    now = utcnow()
    if activity.start_at <= now:
        raise ValidationFailed("活动开始时间已过,请修改后再发布", errors={"start_at": ["已过期"]})
    if activity.content_status != "pass":
        _moderate_text(actor, activity)  # the checker may have been unreachable the first time
        if activity.content_status != "pass":
            raise ContentHeld()
    activity.status = "published"
    activity.published_at = now
    audit.record(
        actor,
        "activity.publish",
        activity,
        before={"status": "draft"},
        after={"status": "published"},
    )
    return activity


def release_content(actor: User, activity_id: int, reason: str) -> Activity:
    """A moderator (township admin and above) releases text held by content security."""
    require_any(actor, ACTIVITY_MODERATE)
    activity = get_scoped(Activity, activity_id, actor, ACTIVITY_MODERATE, Activity.region_id)
    if activity.content_status == "pass":
        raise InvalidTransition("该活动内容无需审核")
    if activity.organiser_id == actor.id:
        raise Forbidden("不能审核自己发起的活动内容", code="self_review")
    activity.content_status = "pass"
    audit.record(
        actor,
        "activity.release_content",
        activity,
        reason=reason,
        before={"content_status": "review"},
        after={"content_status": "pass"},
    )
    return activity


def cancel(actor: User, activity_id: int, reason: str) -> Activity:
    """Cancel a draft or published activity; everyone enrolled or waitlisted is told."""
    activity = get_managed(actor, activity_id, lock=True)
    if activity.status not in ("draft", "published"):
        raise InvalidTransition("活动已结束或已取消")
    was = activity.status
    now = utcnow()
    activity.status = "cancelled"
    activity.cancelled_at = now
    activity.cancel_reason = reason
    if was == "published":
        user_ids = db.session.scalars(
            select(Enrollment.user_id).where(
                Enrollment.activity_id == activity.id,
                Enrollment.status.in_(("enrolled", "waitlisted")),
            )
        ).all()
        for user_id in user_ids:
            notifications.enqueue(
                "activity_cancelled",
                user_id,
                dedupe_key=f"activity_cancelled:{activity.id}:{user_id}",
                title=f"活动已取消:{activity.title}",
                body=reason,
                fields={
                    "activity": activity.title,
                    "start_at": china_iso(activity.start_at),
                    "reason": reason,
                },
                page=f"pages/activity/detail/index?id={activity.id}",
            )
    audit.record(
        actor,
        "activity.cancel",
        activity,
        reason=reason,
        before={"status": was},
        after={"status": "cancelled"},
    )
    return activity


def complete(actor: User, activity_id: int) -> Activity:
    """published → completed once it has started: open check-ins are closed, no-shows marked."""
    from backend.services import attendance

    activity = get_managed(actor, activity_id, lock=True)
    if activity.status != "published":
        raise InvalidTransition("只有已发布的活动可以结束")
    now = utcnow()
    if now < activity.start_at:
        raise InvalidTransition("活动尚未开始,不能结束;如不再举办请取消")
    closed = attendance.close_open_attendances(activity, min(now, activity.end_at))
    no_shows = attendance.mark_no_shows(activity.id)
    activity.status = "completed"
    activity.completed_at = now
    audit.record(
        actor,
        "activity.complete",
        activity,
        before={"status": "published"},
        after={"status": "completed", "auto_checked_out": closed, "no_shows": no_shows},
    )
    return activity


# -- listing --------------------------------------------------------------------------------


def _near_clause(lat: float, lng: float, radius_m: float):
    """Equirectangular distance² ≤ radius² in plain arithmetic (works on SQLite and MySQL);
    exact at county scale, and the haversine distance is shown on each item."""
    k = math.cos(math.radians(lat))
    dlat = (Activity.latitude - lat) * METERS_PER_DEGREE
    dlng = (Activity.longitude - lng) * (METERS_PER_DEGREE * k)
    distance2 = dlat * dlat + dlng * dlng
    return distance2 <= radius_m * radius_m, distance2


def lean_activity_loads(path=None) -> list:
    """Loader options for lists: the organiser's name and the region's name, nothing more
    (not the organiser's role grants, nor each region's parent chain)."""
    base = path.joinedload if path is not None else joinedload
    return [
        base(Activity.organiser).lazyload(User.grants),
        base(Activity.organiser).lazyload(User.region),
        base(Activity.region).lazyload(Region.parent),
    ]


# The columns GET /activities needs (schemas.activity.ActivityListOut, phase_of and the
# distance in annotate); the list loads only these and the region's name.
LIST_COLUMNS = (
    Activity.id,
    Activity.region_id,
    Activity.title,
    Activity.category,
    Activity.start_at,
    Activity.end_at,
    Activity.enroll_deadline,
    Activity.place_name,
    Activity.latitude,
    Activity.longitude,
    Activity.capacity,
    Activity.enrolled_count,
    Activity.waitlist_enabled,
    Activity.points_mode,
    Activity.points_value,
    Activity.status,
    Activity.content_status,
)


def list_loads() -> list:
    """Loader options for the list: its columns and the region's name, no other relationship
    (not the organiser, the team, nor the region's parent chain)."""
    return [
        load_only(*LIST_COLUMNS),
        joinedload(Activity.region).options(load_only(Region.name), lazyload(Region.parent)),
        lazyload(Activity.organiser),
        lazyload(Activity.team),
    ]


def list_query(viewer: User | None, args: dict[str, Any]):
    """Published activities for everyone; with ``manage`` every status in the organiser scope."""
    now = utcnow()
    query = select(Activity).options(*list_loads())
    if args.get("manage"):
        require_any(viewer, ACTIVITY_MANAGE)
        query = scoped(query, viewer, ACTIVITY_MANAGE, Activity.region_id)
        if args.get("status"):
            query = query.where(Activity.status == args["status"])
    else:
        statuses = [args["status"]] if args.get("status") else ["published", "completed"]
        statuses = [s for s in statuses if s in ("published", "completed", "cancelled")]
        query = query.where(Activity.status.in_(statuses or ["published"]))
        query = query.where(Activity.content_status == "pass")
    if args.get("region_id"):
        region = get_region(args["region_id"])
        query = query.where(region_filter([region.path], Activity.region_id))
    if args.get("category"):
        query = query.where(Activity.category == args["category"])
    if args.get("date_from"):
        query = query.where(Activity.start_at >= china_day_start(args["date_from"]))
    if args.get("date_to"):
        query = query.where(
            Activity.start_at < china_day_start(args["date_to"] + timedelta(days=1))
        )
    if args.get("q"):
        query = query.where(Activity.title.contains(args["q"]))
    when = args.get("when", "all" if args.get("manage") else "upcoming")
    if when == "upcoming":
        query = query.where(Activity.end_at > now)
    elif when == "past":
        query = query.where(Activity.end_at <= now)
    if args.get("open"):
        query = query.where(
            Activity.status == "published",
            Activity.enroll_deadline > now,
            or_(
                Activity.capacity.is_(None),
                Activity.enrolled_count < Activity.capacity,
                Activity.waitlist_enabled.is_(True),
            ),
        )
    near = args.get("latitude") is not None and args.get("longitude") is not None
    if near:
        within, distance2 = _near_clause(
            args["latitude"], args["longitude"], args.get("radius_km", 10) * 1000
        )
        query = query.where(within)
    if near and args.get("sort") == "distance":
        query = query.order_by(distance2, Activity.id)
    elif when == "upcoming":
        query = query.order_by(Activity.start_at, Activity.id)
    else:
        query = query.order_by(Activity.start_at.desc(), Activity.id.desc())
    return query


def count_query(query):
    """``SELECT count(*)`` with the list's filters, not over a subquery of every column: the
    list has no join, DISTINCT or GROUP BY, so each row is one activity."""
    return query.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)


def annotate(items: list[Activity], args: dict[str, Any]) -> list[Activity]:
    """Attach the phase (one clock reading for the whole page) and the distance from the
    caller's point (for display) to each activity."""
    now = utcnow()
    lat, lng = args.get("latitude"), args.get("longitude")
    for activity in items:
        activity.phase = phase_of(activity, now)
        activity.distance_m = (
            round(haversine_m(lat, lng, activity.latitude, activity.longitude))
            if lat is not None and lng is not None
            else None
        )
    return items


def can_manage(viewer: User | None, activity: Activity) -> bool:
    return can(viewer, ACTIVITY_MANAGE, activity.region)


def get_visible(viewer: User | None, activity_id: int) -> Activity:
    """Published/completed/cancelled activities for everyone; drafts and held text only to
    their organisers (404 for anyone else, so nothing leaks)."""
    activity = db.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("活动不存在", code="activity_not_found")
    public = activity.status != "draft" and activity.content_status == "pass"
    if not public and not can_manage(viewer, activity):
        raise NotFound("活动不存在", code="activity_not_found")
    activity.distance_m = None
    return activity


def waitlist_count(activity_id: int) -> int:
    return db.session.scalar(
        select(func.count(Enrollment.id)).where(
            Enrollment.activity_id == activity_id, Enrollment.status == "waitlisted"
        )
    )


# -- reminders (job) ------------------------------------------------------------------------

REMINDERS = (
    ("1h", timedelta(hours=1), "reminded_1h_at"),
    ("24h", timedelta(hours=24), "reminded_24h_at"),
)


def send_due_reminders(now: datetime | None = None) -> dict[str, int]:
    """Claim each activity's 24 h and 1 h reminders once (conditional UPDATE) and notify
    everyone enrolled. An activity already within 1 h gets only the 1 h reminder."""
    now = now or utcnow()
    sent = {"1h": 0, "24h": 0}
    for label, ahead, column_name in REMINDERS:
        column = getattr(Activity, column_name)
        due_ids = db.session.scalars(
            select(Activity.id).where(
                Activity.status == "published",
                Activity.start_at > now,
                Activity.start_at <= now + ahead,
                column.is_(None),
            )
        ).all()
        for activity_id in due_ids:
            values = {column_name: now}
            if label == "1h":
                # Inside the last hour the 24 h reminder would only repeat this one.
                values["reminded_24h_at"] = func.coalesce(Activity.reminded_24h_at, now)
            claimed = db.session.execute(
                update(Activity)
                .where(Activity.id == activity_id, column.is_(None))
                .values(**values)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                continue  # another scheduler took it
            activity = db.session.get(Activity, activity_id)
            user_ids = db.session.scalars(
                select(Enrollment.user_id).where(
                    Enrollment.activity_id == activity_id, Enrollment.status == "enrolled"
                )
            ).all()
            for user_id in user_ids:
                notifications.enqueue(
                    "activity_reminder",
                    user_id,
                    dedupe_key=f"activity_reminder:{activity_id}:{user_id}:{label}",
                    title=f"活动{'即将开始' if label == '1h' else '明天开始'}:{activity.title}",
                    body=f"{china_text(activity.start_at)} 于 {activity.place_name}",
                    fields={
                        "activity": activity.title,
                        "start_at": china_iso(activity.start_at),
                        "place": activity.place_name,
                    },
                    page=f"pages/activity/detail/index?id={activity_id}",
                )
                sent[label] += 1
    return sent
