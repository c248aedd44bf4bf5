"""`flask seed demo` leaves something to show for every mechanism, keeps the ledgers consistent
(`flask ledger check` passes right after it) and writes nothing the second time."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.demo.activities import DEMO_ACTIVITIES
from backend.demo.showcase import AWARD_TYPES, PAST_SERIES, WEEKS
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
    ServiceRequest,
    ServiceRequestEvent,
    User,
)
from backend.services import hours


def _user(login: str) -> User:
    return db.session.scalar(select(User).where(User.openid == f"sandbox-{login}"))


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


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
    rated = db.session.scalar(select(ServiceRequest).where(ServiceRequest.status == "closed"))
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
    assert _count(Activity, Activity.status == "completed") == WEEKS * len(PAST_SERIES)
    assert _count(Activity, Activity.status == "published") == len(DEMO_ACTIVITIES)
    star = _user("demo-volunteer")
    mine = hours.hours_of(star.id)
    assert mine["star_level"] == 1 and mine["service_hours"] >= 100
    assert hours.hours_of(_user("demo-police").id)["duty_hours"] > 0
    assert _count(Attendance, Attendance.auto_checkout.is_(True)) == 0
    board = api.get("/leaderboards?period=month").get_json()
    assert board["items"][0]["user_id"] == star.id and board["total"] >= 5
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
