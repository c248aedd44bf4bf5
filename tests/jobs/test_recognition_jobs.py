"""The 日评优 job from a frozen clock, the registry entries and the points-expiry job."""

from __future__ import annotations

import importlib

from freezegun import freeze_time
from sqlalchemy import func, select

from backend.extensions import db
from backend.jobs.registry import JOBS
from backend.models import Bulletin, Notification
from tests.recognition_helpers import grant_at, make_volunteer


def test_registry_entries_resolve():
    ours = {job.id: job for job in JOBS if job.id.startswith("recognition.")}
    assert set(ours) == {
        "recognition.daily_best",
        "recognition.points_expiry",
        "recognition.weekly_dispatch",
        "recognition.monthly_bulletin",
        "recognition.quarterly_talks",
        "recognition.annual_review",
    }
    for job in ours.values():
        module, name = job.func.split(":")
        assert callable(getattr(importlib.import_module(module), name))
        assert job.trigger == "cron"


def run_daily_best(at: str) -> dict:
    from backend.jobs.recognition import daily_best

    with freeze_time(at):
        summary = daily_best()
        db.session.commit()
    return summary


def test_daily_best_publishes_the_right_people_once(app, demo):
    a1, _ = make_volunteer(demo.village_a, "冠军")
    a2, _ = make_volunteer(demo.village_a2, "亚军")
    a3, a3_v = make_volunteer(demo.village_a, "停权")
    b1, _ = make_volunteer(demo.village_b, "白土")
    day = "2026-03-09"
    grant_at("2026-03-09T00:00:00+08:00", a1, 8, demo.village_a)  # first second of the day
    grant_at("2026-03-09T12:00:00+08:00", a2, 8, demo.village_a2)  # same score, later
    grant_at("2026-03-09T13:00:00+08:00", a3, 50, demo.village_a)
    grant_at("2026-03-09T23:59:59+08:00", b1, 3, demo.village_b)
    grant_at("2026-03-08T23:59:59+08:00", a2, 100, demo.village_a2)  # the day before
    grant_at("2026-03-10T00:00:00+08:00", b1, 100, demo.village_b)  # the day after
    a3_v.status = "suspended"
    db.session.commit()

    summary = run_daily_best("2026-03-10T00:10:00+08:00")
    assert summary == {"date": day, "published": 2, "skipped": 0}
    bulletins = {b.region_id: b for b in db.session.scalars(select(Bulletin))}
    assert set(bulletins) == {demo.township_a.id, demo.township_b.id}
    jianguang = bulletins[demo.township_a.id]
    assert jianguang.kind == "daily_best" and jianguang.period_key == day
    entries = jianguang.content["entries"]
    assert [(e["user_id"], e["points"], e["rank"]) for e in entries] == [
        (a1.id, 8, 1),
        (a2.id, 8, 2),
    ]
    assert entries[0]["display_name"] == "冠*" and entries[1]["village_name"] == "新城社区"
    assert jianguang.title == "剑光街道2026年3月9日日评优"
    assert [e["points"] for e in bulletins[demo.township_b.id].content["entries"]] == [3]

    notices = db.session.execute(
        select(Notification.user_id, Notification.fields).where(
            Notification.kind == "bulletin_published"
        )
    ).all()
    told = {user_id for user_id, _ in notices}
    assert told == {
        demo.user("demo-township-admin").id,
        demo.user("demo-village-admin").id,  # a winner lives in 龙津社区
        demo.user("demo-township-admin-2").id,
        demo.user("demo-village-admin-2").id,
    }
    assert set(notices[0][1]) == {"title", "period", "published_at"}
    assert notices[0][1]["period"] in ("2026年3月9日",)

    again = run_daily_best("2026-03-10T03:00:00+08:00")
    assert again == {"date": day, "published": 0, "skipped": 2}
    assert db.session.scalar(select(func.count(Bulletin.id))) == 2
    assert db.session.scalar(select(func.count(Notification.id))) == len(notices)


def test_daily_best_skips_a_quiet_day(app, demo):
    assert run_daily_best("2026-03-10T00:10:00+08:00")["published"] == 0
    assert db.session.scalar(select(func.count(Bulletin.id))) == 0
