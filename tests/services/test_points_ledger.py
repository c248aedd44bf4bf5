"""The points ledger: totals always equal the ledger (property test), expiry, the check."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime, timedelta

import pytest
from flask import current_app
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from backend.extensions import db
from backend.models import PointsAccount, PointsEntry, PointsTotal, Region
from backend.services import points
from backend.services.leaderboards import top_rows
from backend.services.periods import PERIODS, period_key
from backend.utils import china_date
from tests.recognition_helpers import grant_at, make_volunteer

# 30 Dec 2025 00:00 China time: four days span midnights, a week, a month, a quarter and a year.
START = datetime.fromisoformat("2025-12-30T00:00:00+08:00")
_keys = itertools.count(1)

operation = st.one_of(
    st.tuples(st.just("grant"), st.integers(0, 3), st.integers(1, 40), st.integers(0, 96 * 60 - 1)),
    st.tuples(
        st.just("adjust"),
        st.integers(0, 3),
        st.integers(-30, 30).filter(bool),
        st.integers(0, 96 * 60 - 1),
    ),
    st.tuples(st.just("expire"), st.just(0), st.just(0), st.integers(0, 96 * 60 - 1)),
)


def _reset_points() -> None:
    for model in (PointsTotal, PointsEntry, PointsAccount):
        db.session.execute(delete(model))
    db.session.commit()


def _expected_board(region: Region, period: str, day, eligible: set[int]) -> list[tuple]:
    """The board computed the slow way, straight from the ledger."""
    key = period_key(period, day)
    under = {
        r.id for r in db.session.scalars(select(Region).where(Region.path.startswith(region.path)))
    }
    sums: dict[int, list] = defaultdict(lambda: [0, None])
    for entry in db.session.scalars(select(PointsEntry)):
        if entry.source_type == "expiry" or entry.region_id not in under:
            continue
        if period_key(period, china_date(entry.created_at)) != key:
            continue
        cell = sums[entry.user_id]
        cell[0] += entry.amount
        cell[1] = max(cell[1], entry.created_at) if cell[1] else entry.created_at
    ranked = sorted(
        ((uid, pts, at) for uid, (pts, at) in sums.items() if pts > 0 and uid in eligible),
        key=lambda row: (-row[1], row[2], row[0]),
    )
    return [(uid, pts) for uid, pts, _ in ranked]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=14))
def test_totals_always_equal_the_ledger(app, demo, ops):
    _reset_points()
    people = [
        (make_volunteer(region, f"性质{i}")[0], region)
        for i, region in enumerate(
            [demo.village_a, demo.village_a, demo.village_a2, demo.village_b]
        )
    ]
    current_app.config.update(POINTS_EXPIRY_ENABLED=True, POINTS_EXPIRY_KEEP_YEARS=0)
    try:
        last = START
        for kind, who, amount, minute in sorted(ops, key=lambda op: op[3]):
            moment = START + timedelta(minutes=minute)
            last = moment
            user, region = people[who]
            if kind == "grant":
                grant_at(moment, user, amount, region, f"p{next(_keys)}")
            elif kind == "adjust":
                grant_at(moment, user, amount, region, f"a{next(_keys)}", source="adjustment")
            else:
                with freeze_time(moment):
                    points.expire_points()
                    db.session.commit()
    finally:
        current_app.config.update(POINTS_EXPIRY_ENABLED=False, POINTS_EXPIRY_KEEP_YEARS=1)

    assert points.check_points() == []
    for user, _ in people:
        ledger = db.session.scalars(
            select(PointsEntry.amount).where(PointsEntry.user_id == user.id)
        ).all()
        assert points.balance_of(user.id) == sum(ledger)
    eligible = {user.id for user, _ in people}
    day = china_date(last)
    for region in (demo.village_a, demo.township_a, demo.city):
        for period in PERIODS:
            got = [
                (row["user_id"], row["points"])
                for row in top_rows(region.id, period, period_key(period, day), 100)
            ]
            assert got == _expected_board(region, period, day, eligible), (region.name, period)


def test_expiry_takes_the_oldest_points_once_a_year(app, demo):
    user, _ = make_volunteer(demo.village_a, "到期")
    grant_at("2025-05-01T09:00:00+08:00", user, 50, demo.village_a)
    grant_at("2026-02-01T09:00:00+08:00", user, 30, demo.village_a)
    grant_at("2026-03-01T09:00:00+08:00", user, -20, demo.village_a, source="adjustment")
    with freeze_time("2027-01-01T00:30:00+08:00"):
        assert points.expire_points()["enabled"] is False  # off by default
        current_app.config["POINTS_EXPIRY_ENABLED"] = True
        try:
            # 50 (2025) − 20 spent = 30 old points left; the 30 of 2026 stay (keep 1 year).
            assert points.expire_points() == {
                "enabled": True,
                "expired_users": 1,
                "expired_points": 30,
            }
            db.session.commit()
            assert points.expire_points()["expired_users"] == 0  # once a year
        finally:
            current_app.config["POINTS_EXPIRY_ENABLED"] = False
    assert points.balance_of(user.id) == 30
    entry = db.session.scalar(select(PointsEntry).where(PointsEntry.source_type == "expiry"))
    assert entry.amount == -30 and entry.source_id == "2027"
    # expiry lowers the balance, not what was earned in a period
    year_2026 = top_rows(demo.city.id, "all", "all", 10)
    assert year_2026[0]["points"] == 60
    assert points.check_points() == []


def test_check_points_reports_tampering(app, demo):
    user, _ = make_volunteer(demo.village_a, "篡改")
    grant_at("2026-03-01T09:00:00+08:00", user, 10, demo.village_a)
    assert points.check_points() == []
    db.session.execute(
        update(PointsTotal)
        .where(PointsTotal.user_id == user.id, PointsTotal.period == "month")
        .values(points=PointsTotal.points + 1)
    )
    db.session.execute(update(PointsAccount).values(balance=99))
    db.session.commit()
    problems = points.check_points()
    assert len(problems) == 4  # the balance and the month in village, township and city
    assert any("balance" in p for p in problems)


def test_grant_rejects_duplicates_and_records_zero_without_scoring(app, demo):
    user, _ = make_volunteer(demo.village_a, "重复")
    grant_at("2026-03-01T09:00:00+08:00", user, 10, demo.village_a, "same")
    with pytest.raises(points.AlreadyGranted):
        grant_at("2026-03-01T10:00:00+08:00", user, 10, demo.village_a, "same")
    db.session.rollback()
    with pytest.raises(ValueError):
        points.grant(user.id, 5, "gift", "unknown-source")
    before = db.session.scalars(select(PointsTotal.reached_at)).all()
    grant_at("2026-03-02T09:00:00+08:00", user, 0, demo.village_a, "zero")
    assert db.session.scalars(select(PointsTotal.reached_at)).all() == before
    assert points.balance_of(user.id) == 10
    assert points.check_points() == []
