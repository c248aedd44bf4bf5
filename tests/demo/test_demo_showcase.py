"""`flask seed demo` leaves something to show for every mechanism, keeps the ledgers consistent
(`flask ledger check` passes right after it) and writes nothing the second time."""

from __future__ import annotations

from datetime import date

from freezegun import freeze_time
from sqlalchemy import func, select

from backend.demo.activities import DEMO_ACTIVITIES
from backend.demo.showcase import AWARD_TYPES, REQUESTS, past_sessions
from backend.extensions import db
from backend.models import (
    Activity,
    Attendance,
    Award,
    AwardType,
    Expense,
    Fund,
    FundEntry,
    Nomination,
    PointsEntry,
    Region,
    ServiceRequest,
    ServiceRequestEvent,
    User,
)
from backend.services import hours
from backend.utils import CHINA_TZ as CN


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.openid == f"sandbox-{login}"))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# A Wednesday: the last Saturday patrol was on 3-14, last month is February.
TODAY = "2026-03-18T10:00:00+08:00"


@freeze_time(TODAY)
def test_seed_demo_shows_every_mechanism_and_ledgers_check(app, api):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0 and "demo data loaded" in first.output, first.output
    check = runner.invoke(args=["ledger", "check"])
    assert check.exit_code == 0, check.output
    db.session.expire_all()

    # Funds: a township and a village fund, donations (anonymous and in kind), one paid expense.
    assert _count(Fund) == 2
    assert _count(FundEntry, FundEntry.anonymous.is_(True)) == 2
    assert _count(FundEntry, FundEntry.in_kind.is_(True)) == 1
    assert _count(Expense, Expense.status == "paid") == 1
    assert _count(Expense, Expense.status == "pending") == 1
    village_fund = db.session.scalar(select(Fund).where(Fund.name == "龙津社区平安互助金"))
    assert village_fund.balance_fen == village_fund.income_fen - village_fund.expense_fen > 0
    public = api.get(f"/funds/{village_fund.id}/entries").get_json()
    donors = {e["donor_name"] for e in public["items"] if e["kind"] == "donation"}
    assert {"匿名", "吴**"} <= donors and "吴秀兰" not in donors

    # Service requests in four states, each with its story in the timeline.
    states = {(r.status, r.tier) for r in db.session.scalars(select(ServiceRequest))}
    assert states == {
        ("submitted", "village"),
        ("assigned", "village"),
        ("closed", "village"),
        ("submitted", "township"),
    }
    rated = db.session.scalar(
        select(ServiceRequest).where(ServiceRequest.description == REQUESTS[2][3])
    )
    assert rated.rating == 5 and rated.assignee_id == _user("demo-grid-worker").id
    actions = db.session.scalars(
        select(ServiceRequestEvent.action)
        .where(ServiceRequestEvent.request_id == rated.id)
        .order_by(ServiceRequestEvent.id)
    ).all()
    assert actions == ["submitted", "claimed", "resolved", "rated"]
    assigned = db.session.scalar(select(ServiceRequest).where(ServiceRequest.status == "assigned"))
    assert assigned.assignee_id == _user("demo-grid-worker").id

    # Past activities with attendance: hours, a star level, points, a leaderboard.
    sessions = past_sessions(date(2026, 3, 18))
    assert _count(Activity, Activity.status == "completed") == len(sessions)
    assert _count(Activity, Activity.status == "published") == len(DEMO_ACTIVITIES)
    star = _user("demo-volunteer")
    mine = hours.hours_of(star.id)
    assert mine["star_level"] == 1 and mine["service_hours"] >= 100
    assert hours.hours_of(_user("demo-police").id)["duty_hours"] > 0
    assert _count(Attendance, Attendance.auto_checkout.is_(True)) == 0
    board = api.get("/leaderboards?period=month").get_json()
    assert board["items"][0]["user_id"] == star.id
    assert api.get("/leaderboards?period=all").get_json()["total"] >= 5

    # Recognition: the four award types, one approved award with its certificate, one pending.
    names = set(db.session.scalars(select(AwardType.name)))
    assert names == {name for name, *_ in AWARD_TYPES}
    award = db.session.scalar(select(Award))
    assert award.user_id == star.id and award.status == "active"
    assert _count(Nomination, Nomination.status == "pending") == 1
    certificates = api.get("/me/certificates", star).get_json()["items"]
    number = next(c["number"] for c in certificates if c["kind"] == "award")
    verified = api.get(f"/certificates/{number}").get_json()
    assert verified["valid"] is True and "月度平安之星" in verified["content"]
    assert _count(PointsEntry, PointsEntry.source_type == "award") == 1

    # Seeding again writes nothing (and the ledgers still check).
    before = (_count(FundEntry), _count(ServiceRequest), _count(Activity), _count(PointsEntry))
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "already present" in again.output
    after = (_count(FundEntry), _count(ServiceRequest), _count(Activity), _count(PointsEntry))
    assert after == before
    assert runner.invoke(args=["ledger", "check"]).exit_code == 0


def test_seed_activities_still_works_after_seed_demo(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    again = runner.invoke(args=["seed", "activities"])
    assert again.exit_code == 0 and "0 demo activities" in again.output


@freeze_time(TODAY)
def test_the_demo_county_has_lived_six_months(app, api):
    """Points, hours and requests are spread over six months on their own dates, so last month's
    leaderboard, bulletins, scorecards and the daily best have content; upcoming activities
    start at local times people keep."""
    from backend.models import Bulletin
    from backend.utils import china_date

    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert runner.invoke(args=["ledger", "check"]).exit_code == 0

    months = {
        china_date(at).strftime("%Y-%m")
        for at in db.session.scalars(select(PointsEntry.created_at))
    }
    assert len(months) >= 6, months
    requested = {
        china_date(at).strftime("%Y-%m")
        for at in db.session.scalars(select(ServiceRequest.created_at))
    }
    assert len(requested) >= 5, requested

    february = api.get("/leaderboards?period=month&date=2026-02-10").get_json()
    assert february["total"] >= 5
    saturday = api.get("/leaderboards?period=day&date=2026-03-14").get_json()
    assert saturday["total"] >= 3  # the Saturday patrol's volunteers
    assert api.get("/leaderboards?period=week&date=2026-03-14").get_json()["total"] >= 3

    published = {(b.kind, b.period_key) for b in db.session.scalars(select(Bulletin))}
    assert {
        ("monthly", "2026-02"),
        ("daily_best", "2026-03-14"),
        ("weekly_dispatch", "2026-W12"),
        ("quarterly_talks", "2025-Q4"),
    } <= published
    city = db.session.scalar(
        select(Bulletin)
        .join(Region, Region.id == Bulletin.region_id)
        .where(Bulletin.kind == "monthly", Region.level == "city")
    )
    assert city.content["points_ranking"] and "综合得分最高的村(社区)为" in city.summary
    best = db.session.scalar(
        select(Bulletin).where(Bulletin.kind == "daily_best", Bulletin.period_key == "2026-03-14")
    )
    assert best.content["entries"]

    admin = _user("demo-city-admin")
    villages = api.get("/scorecards?type=village&period=month&date=2026-02-10", admin).get_json()
    longjin = next(r for r in villages["items"] if r["name"] == "龙津社区")
    assert longjin["activities_held"] >= 4 and longjin["requests_resolved"] >= 1
    assert longjin["score"] > 50

    # Evening patrols in the evening, in China time — past and upcoming.
    evening = db.session.scalars(
        select(Activity.start_at).where(Activity.title.like("%夜间%巡逻%"))
    ).all()
    assert evening and {at.astimezone(CN).hour for at in evening} == {19}
    upcoming = api.get("/activities?page_size=20").get_json()["items"]
    assert any(a["start_at"].endswith("T19:00:00+08:00") for a in upcoming)
