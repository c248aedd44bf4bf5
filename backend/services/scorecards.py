"""Scorecards (考评) of volunteers, grid workers and villages for any period (绩效考核).

Every figure is computed with set-based SQL over the period [start, end) cut in China time
(services.periods): one aggregate subquery per source table, grouped by the subject and joined to
the page of subjects, so a page costs a fixed number of queries however many rows it has.
Medians (not portable as SQL aggregates across SQLite and MySQL) come from one query per page
that reads the durations of the page's subjects and are taken in Python.

Formulas (also in the OpenAPI field descriptions, schemas/scorecard.py):

Volunteers (approved or suspended volunteer records in the region)
- service_hours / duty_hours: served minutes of attendances checked in during the period, by kind
- activities_attended: attendances (check-ins) in the period
- no_shows: enrollments marked no-show for activities starting in the period
- requests_resolved: service requests they resolved (resolved_at in the period, still resolved
  or closed); avg_rating: mean rating of those requests
- points: points earned in the period in their village (the maintained period totals)

Grid workers (users holding grid_worker in the region)
- requests_handled: requests they resolved in the period (as above)
- resolved_on_time: of those, resolved by the resolve deadline (or with no deadline)
- median_accept_minutes: median of accepted_at − created_at of requests they accepted in the period
- median_resolve_minutes: median of resolved_at − created_at of requests they resolved
- overdue: requests assigned to them whose resolve deadline fell in the period (up to now) and
  that were not resolved by it
- duty_hours: duty minutes of their attendances in the period; satisfaction: mean rating of the
  requests they resolved
- score (0–100): mean of on-time % (resolved_on_time / requests_handled), satisfaction × 20 and
  completion % (requests_handled / (requests_handled + overdue)), over the parts that exist;
  null when they neither resolved nor let a request run overdue

Villages (regions of level village)
- volunteers: approved volunteers registered in the village
- active_volunteers: of those, the ones with at least one check-in in the period
- activities_held: published or completed activities of the village (or its grids) starting in
  the period
- requests_received: requests of the village created in the period; requests_resolved /
  resolved_on_time / on_time_rate: resolved in the period, and by their deadline (percent)
- satisfaction: mean rating of the village's requests resolved in the period
- expenses_paid / expenses_with_receipts / fund_transparency: expenses of the village fund paid in
  the period, those with at least one receipt photo attached, and that share in percent (the
  ledger and the monthly statement of every fund are public, so what varies is the receipts)
- activity_rate: activities_held against the period's target (SCORECARD_ACTIVITIES_PER_MONTH,
  4: a patrol a week; day 1, week 1, quarter 3×, year 12×), in percent, at most 100
- score (0–100): mean of participation % (active / registered volunteers, 0 when none are
  registered) and activity % — these two always count, so a village where nothing happened
  scores 0, not 100 — and, where they exist, on-time %, satisfaction × 20 and fund
  transparency %
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from backend.errors import NotFound, ValidationFailed
from backend.extensions import db
from backend.models import (
    Activity,
    Attendance,
    Enrollment,
    Expense,
    Fund,
    PointsTotal,
    Region,
    RoleGrant,
    ServiceRequest,
    User,
    Volunteer,
)
from backend.permissions import SCORECARD_VIEW, covers, region_filter, require_any
from backend.services.periods import period_bounds, period_key, period_label
from backend.services.regions import get_region
from backend.services.sheets import EXPORT_MAX_ROWS, Column, Sheet
from backend.utils import china_today, utcnow

TYPES = ("volunteer", "grid_worker", "village")
TYPE_NAMES = {"volunteer": "志愿者", "grid_worker": "网格员", "village": "村(社区)"}
PERIODS = ("day", "week", "month", "quarter", "year")
RESOLVED = ("resolved", "closed")
MEANS = ("avg_rating", "satisfaction")


class Window:
    """One period: its key, label and [start, end) in UTC."""

    def __init__(self, period: str, day: date) -> None:
        if period not in PERIODS:
            raise ValidationFailed(errors={"period": ["考评周期为日、周、月、季或年"]})
        self.period = period
        self.day = day
        self.key = period_key(period, day)
        self.label = period_label(period, day)
        start, end = period_bounds(period, day)
        assert start is not None and end is not None
        self.start: datetime = start
        self.end: datetime = end

    def within(self, column) -> Any:
        return and_(column >= self.start, column < self.end)


# ---------------------------------------------------------------------------------------------
# Scope
# ---------------------------------------------------------------------------------------------


def scope_region(actor: User, region_id: int | None) -> Region:
    """The region asked for, if the actor's scope covers it (404 otherwise, 403 with no role);
    without one, the actor's widest region."""
    paths = require_any(actor, SCORECARD_VIEW)
    if region_id is None:
        regions = db.session.scalars(select(Region).where(Region.path.in_(paths))).all()
        return min(regions, key=lambda r: (r.depth, r.id))
    region = get_region(region_id)
    if not covers(paths, region):
        raise NotFound("该区域不在您的管辖范围", code="region_not_found")
    return region


def _village_of(region: Region) -> Region:
    return region.parent if region.level == "grid" and region.parent is not None else region


# ---------------------------------------------------------------------------------------------
# Volunteers
# ---------------------------------------------------------------------------------------------


def _resolved_requests(window: Window):
    """Requests resolved in the window, per resolver: count, on time, mean rating."""
    on_time = or_(
        ServiceRequest.resolve_due_at.is_(None),
        ServiceRequest.resolved_at <= ServiceRequest.resolve_due_at,
    )
    return (
        select(
            ServiceRequest.resolved_by_id.label("user_id"),
            func.count().label("resolved"),
            func.sum(case((on_time, 1), else_=0)).label("on_time"),
            func.avg(ServiceRequest.rating).label("rating"),
            func.count(ServiceRequest.rating).label("ratings"),
        )
        .where(
            ServiceRequest.resolved_by_id.is_not(None),
            ServiceRequest.status.in_(RESOLVED),
            window.within(ServiceRequest.resolved_at),
        )
        .group_by(ServiceRequest.resolved_by_id)
        .subquery()
    )


def _attendance(window: Window):
    """Attendances checked in during the window, per user: count, service and duty minutes."""
    return (
        select(
            Attendance.user_id.label("user_id"),
            func.count().label("attended"),
            func.sum(
                case((Attendance.hours_kind == "service", Attendance.served_minutes), else_=0)
            ).label("service_minutes"),
            func.sum(
                case((Attendance.hours_kind == "duty", Attendance.served_minutes), else_=0)
            ).label("duty_minutes"),
        )
        .where(window.within(Attendance.checkin_at))
        .group_by(Attendance.user_id)
        .subquery()
    )


def volunteer_query(region: Region, window: Window) -> Select:
    attended = _attendance(window)
    no_shows = (
        select(Enrollment.user_id.label("user_id"), func.count().label("no_shows"))
        .join(Activity, Activity.id == Enrollment.activity_id)
        .where(Enrollment.status == "no_show", window.within(Activity.start_at))
        .group_by(Enrollment.user_id)
        .subquery()
    )
    resolved = _resolved_requests(window)
    village = aliased(Region)
    return (
        select(
            Volunteer.id.label("id"),
            Volunteer.user_id.label("user_id"),
            Volunteer.number.label("number"),
            Volunteer.display_name.label("name"),
            Volunteer.status.label("status"),
            Volunteer.region_id.label("region_id"),
            village.name.label("region_name"),
            func.coalesce(attended.c.service_minutes, 0).label("service_minutes"),
            func.coalesce(attended.c.duty_minutes, 0).label("duty_minutes"),
            func.coalesce(attended.c.attended, 0).label("activities_attended"),
            func.coalesce(no_shows.c.no_shows, 0).label("no_shows"),
            func.coalesce(resolved.c.resolved, 0).label("requests_resolved"),
            resolved.c.rating.label("avg_rating"),
            func.coalesce(resolved.c.ratings, 0).label("ratings"),
            func.coalesce(PointsTotal.points, 0).label("points"),
        )
        .join(village, village.id == Volunteer.region_id)
        .outerjoin(attended, attended.c.user_id == Volunteer.user_id)
        .outerjoin(no_shows, no_shows.c.user_id == Volunteer.user_id)
        .outerjoin(resolved, resolved.c.user_id == Volunteer.user_id)
        .outerjoin(
            PointsTotal,
            and_(
                PointsTotal.user_id == Volunteer.user_id,
                PointsTotal.region_id == Volunteer.region_id,
                PointsTotal.period == window.period,
                PointsTotal.period_key == window.key,
            ),
        )
        .where(
            Volunteer.status.in_(("approved", "suspended")),
            Volunteer.user_id.is_not(None),
            region_filter([region.path], Volunteer.region_id),
        )
        .order_by(
            func.coalesce(attended.c.service_minutes, 0).desc(),
            func.coalesce(PointsTotal.points, 0).desc(),
            Volunteer.id,
        )
    )


def _finish_volunteer(row: dict) -> dict:
    row["status_name"] = STATUS_NAMES.get(row["status"], row["status"])
    row["service_hours"] = round(row["service_minutes"] / 60, 1)
    row["duty_hours"] = round(row["duty_minutes"] / 60, 1)
    row["avg_rating"] = _round(row["avg_rating"], 2)
    return row


# ---------------------------------------------------------------------------------------------
# Grid workers
# ---------------------------------------------------------------------------------------------


def grid_worker_query(region: Region, window: Window) -> Select:
    workers = (
        select(
            RoleGrant.user_id.label("user_id"),
            func.min(RoleGrant.region_id).label("region_id"),
        )
        .where(RoleGrant.role == "grid_worker", region_filter([region.path], RoleGrant.region_id))
        .group_by(RoleGrant.user_id)
        .subquery()
    )
    attended = _attendance(window)
    resolved = _resolved_requests(window)
    deadline_passed = and_(
        window.within(ServiceRequest.resolve_due_at),
        ServiceRequest.resolve_due_at < utcnow(),
        or_(
            ServiceRequest.resolved_at.is_(None),
            ServiceRequest.resolved_at > ServiceRequest.resolve_due_at,
        ),
    )
    overdue = (
        select(ServiceRequest.assignee_id.label("user_id"), func.count().label("overdue"))
        .where(
            ServiceRequest.assignee_id.is_not(None),
            deadline_passed,
            ServiceRequest.status.not_in(("rejected", "cancelled")),
        )
        .group_by(ServiceRequest.assignee_id)
        .subquery()
    )
    grid = aliased(Region)
    return (
        select(
            User.id.label("user_id"),
            User.id.label("id"),
            User.nickname.label("name"),
            User.status.label("status"),
            workers.c.region_id.label("region_id"),
            grid.name.label("region_name"),
            func.coalesce(resolved.c.resolved, 0).label("requests_handled"),
            func.coalesce(resolved.c.on_time, 0).label("resolved_on_time"),
            resolved.c.rating.label("satisfaction"),
            func.coalesce(resolved.c.ratings, 0).label("ratings"),
            func.coalesce(overdue.c.overdue, 0).label("overdue"),
            func.coalesce(attended.c.duty_minutes, 0).label("duty_minutes"),
        )
        .select_from(workers)
        .join(User, User.id == workers.c.user_id)
        .join(grid, grid.id == workers.c.region_id)
        .outerjoin(attended, attended.c.user_id == workers.c.user_id)
        .outerjoin(resolved, resolved.c.user_id == workers.c.user_id)
        .outerjoin(overdue, overdue.c.user_id == workers.c.user_id)
        .where(User.status != "deleted")
        .order_by(func.coalesce(resolved.c.resolved, 0).desc(), User.id)
    )


def _durations(column_user, start_column, end_column, window: Window, user_ids: list[int]):
    """Minutes from ``start_column`` to ``end_column`` per user, for ends inside the window."""
    found: dict[int, list[float]] = defaultdict(list)
    if not user_ids:
        return found
    extra = (
        [ServiceRequest.status.in_(RESOLVED)] if end_column is ServiceRequest.resolved_at else []
    )
    rows = db.session.execute(
        select(column_user, start_column, end_column).where(
            column_user.in_(user_ids), window.within(end_column), *extra
        )
    )
    for user_id, started, ended in rows:
        found[user_id].append(max((ended - started).total_seconds() / 60, 0.0))
    return found


def _finish_grid_workers(rows: list[dict], window: Window) -> list[dict]:
    ids = [row["user_id"] for row in rows]
    accepts = _durations(
        ServiceRequest.assignee_id,
        ServiceRequest.created_at,
        ServiceRequest.accepted_at,
        window,
        ids,
    )
    resolves = _durations(
        ServiceRequest.resolved_by_id,
        ServiceRequest.created_at,
        ServiceRequest.resolved_at,
        window,
        ids,
    )
    for row in rows:
        row["status_name"] = STATUS_NAMES.get(row["status"], row["status"])
        row["median_accept_minutes"] = _median(accepts.get(row["user_id"]))
        row["median_resolve_minutes"] = _median(resolves.get(row["user_id"]))
        row["duty_hours"] = round(row["duty_minutes"] / 60, 1)
        row["satisfaction"] = _round(row["satisfaction"], 2)
        handled, overdue = row["requests_handled"], row["overdue"]
        row["on_time_rate"] = _percent(row["resolved_on_time"], handled)
        parts = [
            row["on_time_rate"],
            row["satisfaction"] * 20 if row["satisfaction"] is not None else None,
            _percent(handled, handled + overdue),
        ]
        row["score"] = _mean(parts)
    return rows


# ---------------------------------------------------------------------------------------------
# Villages
# ---------------------------------------------------------------------------------------------


def _json_length(column):
    if db.engine.dialect.name == "sqlite":
        return func.json_array_length(column)
    return func.json_length(column)


def village_query(region: Region, window: Window) -> Select:
    registered = (
        select(Volunteer.region_id.label("village_id"), func.count().label("volunteers"))
        .where(Volunteer.status == "approved")
        .group_by(Volunteer.region_id)
        .subquery()
    )
    active = (
        select(
            Volunteer.region_id.label("village_id"),
            func.count(func.distinct(Volunteer.user_id)).label("active"),
        )
        .join(Attendance, Attendance.user_id == Volunteer.user_id)
        .where(Volunteer.status == "approved", window.within(Attendance.checkin_at))
        .group_by(Volunteer.region_id)
        .subquery()
    )
    place = aliased(Region)
    village_key = case((place.level == "grid", place.parent_id), else_=place.id)
    held = (
        select(village_key.label("village_id"), func.count().label("held"))
        .select_from(Activity)
        .join(place, place.id == Activity.region_id)
        .where(Activity.status.in_(("published", "completed")), window.within(Activity.start_at))
        .group_by(village_key)
        .subquery()
    )
    received = (
        select(ServiceRequest.village_id.label("village_id"), func.count().label("received"))
        .where(window.within(ServiceRequest.created_at))
        .group_by(ServiceRequest.village_id)
        .subquery()
    )
    on_time = or_(
        ServiceRequest.resolve_due_at.is_(None),
        ServiceRequest.resolved_at <= ServiceRequest.resolve_due_at,
    )
    resolved = (
        select(
            ServiceRequest.village_id.label("village_id"),
            func.count().label("resolved"),
            func.sum(case((on_time, 1), else_=0)).label("on_time"),
            func.avg(ServiceRequest.rating).label("rating"),
            func.count(ServiceRequest.rating).label("ratings"),
        )
        .where(ServiceRequest.status.in_(RESOLVED), window.within(ServiceRequest.resolved_at))
        .group_by(ServiceRequest.village_id)
        .subquery()
    )
    with_receipts = func.coalesce(_json_length(Expense.attachments), 0) > 0
    paid = (
        select(
            Fund.region_id.label("village_id"),
            func.count().label("paid"),
            func.sum(case((with_receipts, 1), else_=0)).label("with_receipts"),
        )
        .join(Fund, Fund.id == Expense.fund_id)
        .where(Expense.status == "paid", window.within(Expense.paid_at))
        .group_by(Fund.region_id)
        .subquery()
    )
    township = aliased(Region)
    return (
        select(
            Region.id.label("id"),
            Region.name.label("name"),
            Region.code.label("code"),
            # The row's own region is the village (as a volunteer's row names their village);
            # the township it belongs to comes apart.
            Region.id.label("region_id"),
            Region.name.label("region_name"),
            township.id.label("township_id"),
            township.name.label("township_name"),
            func.coalesce(registered.c.volunteers, 0).label("volunteers"),
            func.coalesce(active.c.active, 0).label("active_volunteers"),
            func.coalesce(held.c.held, 0).label("activities_held"),
            func.coalesce(received.c.received, 0).label("requests_received"),
            func.coalesce(resolved.c.resolved, 0).label("requests_resolved"),
            func.coalesce(resolved.c.on_time, 0).label("resolved_on_time"),
            resolved.c.rating.label("satisfaction"),
            func.coalesce(resolved.c.ratings, 0).label("ratings"),
            func.coalesce(paid.c.paid, 0).label("expenses_paid"),
            func.coalesce(paid.c.with_receipts, 0).label("expenses_with_receipts"),
        )
        .outerjoin(township, township.id == Region.parent_id)
        .outerjoin(registered, registered.c.village_id == Region.id)
        .outerjoin(active, active.c.village_id == Region.id)
        .outerjoin(held, held.c.village_id == Region.id)
        .outerjoin(received, received.c.village_id == Region.id)
        .outerjoin(resolved, resolved.c.village_id == Region.id)
        .outerjoin(paid, paid.c.village_id == Region.id)
        .where(Region.level == "village", Region.path.startswith(_village_of(region).path))
        .order_by(Region.path, Region.sort_order, Region.id)
    )


def activity_target(period: str) -> int:
    """Activities a village is expected to hold in a period (SCORECARD_ACTIVITIES_PER_MONTH)."""
    per_month = max(1, current_app.config["SCORECARD_ACTIVITIES_PER_MONTH"])
    return {
        "day": 1,
        "week": max(1, round(per_month / 4)),
        "month": per_month,
        "quarter": 3 * per_month,
        "year": 12 * per_month,
    }[period]


def _finish_village(row: dict, window: Window) -> dict:
    row["satisfaction"] = _round(row["satisfaction"], 2)
    row["participation_rate"] = _percent(row["active_volunteers"], row["volunteers"]) or 0.0
    target = activity_target(window.period)
    row["activity_target"] = target
    row["activity_rate"] = round(100.0 * min(row["activities_held"], target) / target, 1)
    row["on_time_rate"] = _percent(row["resolved_on_time"], row["requests_resolved"])
    row["fund_transparency"] = _percent(row["expenses_with_receipts"], row["expenses_paid"])
    row["score"] = _mean(
        [
            row["participation_rate"],
            row["activity_rate"],
            row["on_time_rate"],
            row["satisfaction"] * 20 if row["satisfaction"] is not None else None,
            row["fund_transparency"],
        ]
    )
    return row


# ---------------------------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------------------------

QUERIES = {"volunteer": volunteer_query, "grid_worker": grid_worker_query, "village": village_query}


def finish(kind: str, rows: list[dict], window: Window) -> list[dict]:
    if kind == "volunteer":
        return [_finish_volunteer(row) for row in rows]
    if kind == "grid_worker":
        return _finish_grid_workers(rows, window)
    return [_finish_village(row, window) for row in rows]


def rows_for(kind: str, region: Region, window: Window, limit: int, offset: int = 0) -> list[dict]:
    """Finished scorecard rows of ``kind`` in ``region`` (no permission check: jobs use it)."""
    query = QUERIES[kind](region, window).limit(limit).offset(offset)
    rows = [_plain(row) for row in db.session.execute(query).mappings()]
    return finish(kind, rows, window)


def _plain(row) -> dict:
    """MySQL returns SUM and AVG as Decimal: counts become int, means float."""
    out = {}
    for key, value in row.items():
        if isinstance(value, Decimal):
            value = float(value) if key in MEANS else int(value)
        out[key] = value
    return out


def scorecards(
    actor: User,
    kind: str,
    region_id: int | None,
    period: str,
    day: date | None,
    page: int,
    page_size: int,
) -> dict:
    """One page of scorecards for the actor's region (or a region inside their scope)."""
    region = scope_region(actor, region_id)
    window = Window(period, day or china_today())
    query = QUERIES[kind](region, window)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = rows_for(kind, region, window, page_size, (page - 1) * page_size)
    return {
        "type": kind,
        "type_name": TYPE_NAMES[kind],
        "region": region,
        "period": period,
        "period_key": window.key,
        "period_label": window.label,
        "date": window.day,
        "starts_at": window.start,
        "ends_at": window.end,
        "items": items,
        "total": int(total or 0),
        "page": page,
        "page_size": page_size,
    }


STATUS_NAMES = {"approved": "正常", "suspended": "已暂停", "active": "正常", "disabled": "停用"}

EXPORT_COLUMNS: dict[str, list[tuple[str, Column]]] = {
    "volunteer": [
        ("number", Column("志愿者编号")),
        ("name", Column("姓名")),
        ("region_name", Column("村(社区)")),
        ("status", Column("状态", "code", STATUS_NAMES)),
        ("service_hours", Column("服务时长(小时)", "number")),
        ("duty_hours", Column("在岗时长(小时)", "number")),
        ("activities_attended", Column("参加活动", "integer")),
        ("no_shows", Column("缺席", "integer")),
        ("requests_resolved", Column("办结请求", "integer")),
        ("avg_rating", Column("平均评分", "number")),
        ("points", Column("本期积分", "integer")),
    ],
    "grid_worker": [
        ("name", Column("网格员")),
        ("region_name", Column("网格")),
        ("requests_handled", Column("办结请求", "integer")),
        ("resolved_on_time", Column("按期办结", "integer")),
        ("on_time_rate", Column("按期办结率(%)", "number")),
        ("median_accept_minutes", Column("受理时长中位数(分钟)", "number")),
        ("median_resolve_minutes", Column("办结时长中位数(分钟)", "number")),
        ("overdue", Column("超期", "integer")),
        ("duty_hours", Column("在岗时长(小时)", "number")),
        ("satisfaction", Column("满意度", "number")),
        ("score", Column("综合得分", "number")),
    ],
    "village": [
        ("name", Column("村(社区)")),
        ("township_name", Column("乡镇(街道)")),
        ("volunteers", Column("注册志愿者", "integer")),
        ("active_volunteers", Column("活跃志愿者", "integer")),
        ("activities_held", Column("开展活动", "integer")),
        ("activity_rate", Column("活动开展率(%)", "number")),
        ("requests_received", Column("收到请求", "integer")),
        ("requests_resolved", Column("办结请求", "integer")),
        ("on_time_rate", Column("按期办结率(%)", "number")),
        ("satisfaction", Column("满意度", "number")),
        ("expenses_paid", Column("支出笔数", "integer")),
        ("fund_transparency", Column("经费公开度(%)", "number")),
        ("score", Column("综合得分", "number")),
    ],
}


def export_sheet(
    actor: User, kind: str, region_id: int | None, period: str, day: date | None
) -> Sheet:
    """A scorecard download (up to EXPORT_MAX_ROWS rows)."""
    region = scope_region(actor, region_id)
    window = Window(period, day or china_today())
    columns = EXPORT_COLUMNS[kind]
    rows = [
        [row.get(key) for key, _column in columns]
        for row in rows_for(kind, region, window, EXPORT_MAX_ROWS)
    ]
    name = f"{region.name}{TYPE_NAMES[kind]}考评-{window.key}"
    return Sheet(name, [column for _key, column in columns], rows)


# ---------------------------------------------------------------------------------------------
# Small arithmetic
# ---------------------------------------------------------------------------------------------


def _round(value: Any, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _median(values: Iterable[float] | None) -> float | None:
    values = list(values or [])
    return round(statistics.median(values), 1) if values else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


# ---------------------------------------------------------------------------------------------
# Key figures of a region (bulletins)
# ---------------------------------------------------------------------------------------------


def region_figures(region: Region, window: Window) -> dict:
    """Totals of a region's subtree over a window, in five aggregate queries."""
    paths = [region.path]
    service = Attendance.hours_kind == "service"
    volunteers, service_minutes, duty_minutes = db.session.execute(
        select(
            func.count(func.distinct(case((service, Attendance.user_id)))),
            func.coalesce(func.sum(case((service, Attendance.served_minutes), else_=0)), 0),
            func.coalesce(func.sum(case((~service, Attendance.served_minutes), else_=0)), 0),
        )
        .join(Activity, Activity.id == Attendance.activity_id)
        .where(region_filter(paths, Activity.region_id), window.within(Attendance.checkin_at))
    ).one()
    held = db.session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(
            region_filter(paths, Activity.region_id),
            Activity.status.in_(("published", "completed")),
            window.within(Activity.start_at),
        )
    )
    received = db.session.scalar(
        select(func.count())
        .select_from(ServiceRequest)
        .where(
            region_filter(paths, ServiceRequest.village_id),
            window.within(ServiceRequest.created_at),
        )
    )
    on_time = or_(
        ServiceRequest.resolve_due_at.is_(None),
        ServiceRequest.resolved_at <= ServiceRequest.resolve_due_at,
    )
    resolved, resolved_on_time, rating = db.session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((on_time, 1), else_=0)), 0),
            func.avg(ServiceRequest.rating),
        ).where(
            region_filter(paths, ServiceRequest.village_id),
            ServiceRequest.status.in_(RESOLVED),
            window.within(ServiceRequest.resolved_at),
        )
    ).one()
    points = db.session.scalar(
        select(func.coalesce(func.sum(PointsTotal.points), 0)).where(
            PointsTotal.region_id == region.id,
            PointsTotal.period == window.period,
            PointsTotal.period_key == window.key,
        )
    )
    return {
        "active_volunteers": int(volunteers or 0),
        "service_hours": round(int(service_minutes or 0) / 60, 1),
        "duty_hours": round(int(duty_minutes or 0) / 60, 1),
        "activities_held": int(held or 0),
        "requests_received": int(received or 0),
        "requests_resolved": int(resolved or 0),
        "on_time_rate": _percent(int(resolved_on_time or 0), int(resolved or 0)),
        "satisfaction": _round(rating, 2),
        "points": int(points or 0),
    }
