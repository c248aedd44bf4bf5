"""Rows for the assessment tests (scorecards, cadence bulletins), written straight to the
database at given China times so that every figure of a scorecard is known in advance."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from backend.extensions import db
from backend.models import (
    Activity,
    Attendance,
    Enrollment,
    Expense,
    Fund,
    ServiceRequest,
)

CN = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)


def cn(text: str) -> datetime:
    """``"2026-03-05 09:00"`` in China time, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=CN)


def activity(region, organiser, start: str, *, status="completed", duty=False, minutes=120):
    begin = cn(start)
    row = Activity(
        region_id=region.id,
        organiser_id=organiser.id,
        title=f"测试活动{next(_seq)}",
        category="patrol",
        start_at=begin,
        end_at=begin + timedelta(minutes=minutes),
        enroll_deadline=begin,
        place_name="龙津社区广场",
        latitude=28.1921,
        longitude=115.7763,
        status=status,
        counts_as_duty=duty,
        checkin_secret="x" * 32,
    )
    db.session.add(row)
    db.session.flush()
    return row


def attend(act, user, minutes: int, *, at: str | None = None, kind="service"):
    """An enrollment and an attendance of ``user`` with ``minutes`` served."""
    checkin = cn(at) if at else act.start_at
    enrollment = Enrollment(
        activity_id=act.id, user_id=user.id, status="enrolled", queued_at=checkin
    )
    db.session.add(enrollment)
    db.session.flush()
    row = Attendance(
        activity_id=act.id,
        user_id=user.id,
        enrollment_id=enrollment.id,
        status="checked_out",
        checkin_at=checkin,
        checkout_at=checkin + timedelta(minutes=minutes),
        hours_kind=kind,
        computed_minutes=minutes,
        served_minutes=minutes,
    )
    db.session.add(row)
    db.session.flush()
    return row


def no_show(act, user):
    row = Enrollment(activity_id=act.id, user_id=user.id, status="no_show", queued_at=act.start_at)
    db.session.add(row)
    db.session.flush()
    return row


def request(
    requester,
    grid,
    village,
    created: str,
    *,
    status="submitted",
    assignee=None,
    accepted: str | None = None,
    resolved: str | None = None,
    resolver=None,
    due: str | None = None,
    rating: int | None = None,
    tier="village",
    tier_region=None,
):
    row = ServiceRequest(
        requester_id=requester.id,
        category="hazard",
        description="测试请求",
        region_id=grid.id,
        village_id=village.id,
        status=status,
        tier=tier,
        tier_region_id=(tier_region or village).id,
        assignee_id=assignee.id if assignee else None,
        assignee_role="grid_worker" if assignee else None,
        accepted_at=cn(accepted) if accepted else None,
        resolved_at=cn(resolved) if resolved else None,
        resolved_by_id=resolver.id if resolver else None,
        resolve_due_at=cn(due) if due else None,
        rating=rating,
    )
    row.created_at = cn(created)
    db.session.add(row)
    db.session.flush()
    return row


def fund_of(region, admin) -> Fund:
    fund = db.session.scalar(db.select(Fund).where(Fund.region_id == region.id))
    if fund is None:
        fund = Fund(region_id=region.id, name=f"{region.name}平安基金", created_by_id=admin.id)
        db.session.add(fund)
        db.session.flush()
    return fund


def paid_expense(fund, admin, paid: str, *, receipts: int = 1, amount_fen=5000):
    row = Expense(
        fund_id=fund.id,
        region_id=fund.region_id,
        amount_fen=amount_fen,
        category="equipment",
        purpose="购买巡逻手电",
        payee="某五金店",
        attachments=[f"/api/v1/uploads/202603-{'a' * 32}.jpg"] * receipts,
        status="paid",
        submitted_by_id=admin.id,
        paid_by_id=admin.id,
        paid_at=cn(paid),
    )
    db.session.add(row)
    db.session.flush()
    return row


GRID_A1 = "360981001001G01"


def march_scenario(demo) -> dict:
    """March 2026 in 龙津社区 (village_a), with every figure worked out in the tests:

    - v1 served 120 min (activity on 3-10) and resolved r4 (rating 4); v2 was a no-show
    - demo-grid-worker: 60 duty minutes; resolved r1 (on time, 30 min to accept, 120 to resolve,
      rating 5) and r2 (late, 60 / 4320 min, rating 3); r3 (accepted after 10 min) is overdue
    - village fund: two paid expenses, one with receipts
    """
    from tests.recognition_helpers import grant_at, make_volunteer

    admin = demo.user("demo-village-admin")
    worker = demo.user("demo-grid-worker")
    resident = demo.user("demo-resident")
    village, grid = demo.village_a, demo.region(GRID_A1)
    v1, _ = make_volunteer(village, "钱多多")
    v2, _ = make_volunteer(village, "孙小小")
    v3, _ = make_volunteer(demo.village_b, "周远方")
    patrol = activity(village, admin, "2026-03-10 09:00")
    attend(patrol, v1, 120)
    no_show(patrol, v2)
    duty = activity(grid, admin, "2026-03-11 09:00", duty=True)
    attend(duty, worker, 60, kind="duty")
    february = activity(village, admin, "2026-02-20 09:00")
    attend(february, v1, 90)
    activity(village, admin, "2026-03-15 09:00", status="cancelled")
    other = activity(demo.village_b, admin, "2026-03-12 09:00")
    attend(other, v3, 30)
    request(
        resident,
        grid,
        village,
        "2026-03-05 09:00",
        status="closed",
        assignee=worker,
        accepted="2026-03-05 09:30",
        resolved="2026-03-05 11:00",
        resolver=worker,
        due="2026-03-06 09:00",
        rating=5,
    )
    request(
        resident,
        grid,
        village,
        "2026-03-06 08:00",
        status="resolved",
        assignee=worker,
        accepted="2026-03-06 09:00",
        resolved="2026-03-09 08:00",
        resolver=worker,
        due="2026-03-07 08:00",
        rating=3,
    )
    request(
        resident,
        grid,
        village,
        "2026-03-10 08:00",
        status="in_progress",
        assignee=worker,
        accepted="2026-03-10 08:10",
        due="2026-03-11 08:00",
    )
    request(
        resident,
        grid,
        village,
        "2026-03-12 08:00",
        status="resolved",
        assignee=v1,
        accepted="2026-03-12 08:20",
        resolved="2026-03-12 10:00",
        resolver=v1,
        rating=4,
    )
    fund = fund_of(village, admin)
    paid_expense(fund, admin, "2026-03-20 10:00", receipts=2)
    paid_expense(fund, admin, "2026-03-21 10:00", receipts=0)
    paid_expense(fund, admin, "2026-02-21 10:00", receipts=0)  # February: not counted
    db.session.commit()
    grant_at("2026-03-10T12:00:00+08:00", v1, 30, village)
    grant_at("2026-03-11T12:00:00+08:00", v2, 10, village)
    return {"v1": v1, "v2": v2, "v3": v3, "worker": worker, "admin": admin}
