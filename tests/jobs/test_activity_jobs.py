"""Activity jobs with a frozen clock: reminders, automatic check-out, no-shows, promotions."""

from __future__ import annotations

from datetime import timedelta

from freezegun import freeze_time

from backend.extensions import db
from backend.jobs import activities as jobs
from backend.jobs.registry import JOBS
from backend.models import Attendance, Enrollment, Notification, PointsEntry
from backend.utils import utcnow
from tests.activity_helpers import code, published, scan, volunteer


def future(hours: float = 48):
    return (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)


def kinds(kind):
    return db.session.scalars(db.select(Notification).where(Notification.kind == kind)).all()


def run(job, moment):
    with freeze_time(moment):
        result = job()
        db.session.commit()
    return result


def test_registry_lists_the_activity_jobs():
    funcs = {job.id: job.func for job in JOBS}
    assert funcs["activities.reminders"] == "backend.jobs.activities:send_reminders"
    assert funcs["activities.auto_checkout"] == "backend.jobs.activities:auto_checkout"
    assert funcs["activities.no_shows"] == "backend.jobs.activities:mark_no_shows"


def test_reminders_go_out_once_24h_and_1h_before(api, demo):
    admin = demo.user("demo-village-admin")
    start = future(72)
    aid = published(api, admin, demo.village_a, start, capacity=1, waitlist_enabled=True)["id"]
    seated, waiting = volunteer(demo.village_a), volunteer(demo.village_a)
    api.post(f"/activities/{aid}/enrollments", seated)
    api.post(f"/activities/{aid}/enrollments", waiting)
    assert run(jobs.send_reminders, start - timedelta(hours=25)) == {"1h": 0, "24h": 0}
    assert run(jobs.send_reminders, start - timedelta(hours=23)) == {"1h": 0, "24h": 1}
    assert run(jobs.send_reminders, start - timedelta(hours=20)) == {"1h": 0, "24h": 0}
    assert run(jobs.send_reminders, start - timedelta(minutes=50)) == {"1h": 1, "24h": 0}
    assert run(jobs.send_reminders, start - timedelta(minutes=10)) == {"1h": 0, "24h": 0}
    reminders = kinds("activity_reminder")
    assert [n.user_id for n in reminders] == [seated.id, seated.id]  # never the waitlisted
    assert set(reminders[0].fields) == {"activity", "start_at", "place"}
    assert reminders[0].fields["place"] == "龙津社区广场"
    assert reminders[0].dedupe_key.endswith(":24h") and reminders[1].dedupe_key.endswith(":1h")


def test_late_activity_gets_only_the_1h_reminder(api, demo):
    admin = demo.user("demo-village-admin")
    start = future(0.75)
    aid = published(api, admin, demo.village_a, start)["id"]
    api.post(f"/activities/{aid}/enrollments", volunteer(demo.village_a))
    assert run(jobs.send_reminders, start - timedelta(minutes=40)) == {"1h": 1, "24h": 0}
    assert run(jobs.send_reminders, start - timedelta(minutes=30)) == {"1h": 0, "24h": 0}
    assert len(kinds("activity_reminder")) == 1


def test_cancelled_activities_get_no_reminder(api, demo):
    admin = demo.user("demo-village-admin")
    start = future(30)
    aid = published(api, admin, demo.village_a, start)["id"]
    api.post(f"/activities/{aid}/enrollments", volunteer(demo.village_a))
    api.post(f"/activities/{aid}/cancel", admin, json={"reason": "场地维修"})
    assert run(jobs.send_reminders, start - timedelta(hours=2)) == {"1h": 0, "24h": 0}


def test_auto_checkout_at_the_end_and_no_shows(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    aid = published(api, admin, demo.village_a, start, points_value=6)["id"]
    forgot, left, absent = (volunteer(demo.village_a) for _ in range(3))
    for person in (forgot, left, absent):
        api.post(f"/activities/{aid}/enrollments", person)
    with freeze_time(start + timedelta(minutes=10)):
        for person in (forgot, left):
            assert (
                api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid))).status_code
                == 201
            )
    with freeze_time(start + timedelta(minutes=40)):
        api.post(f"/activities/{aid}/checkouts", left, json=scan(code(aid, "checkout")))
    # before the end nothing happens
    assert run(jobs.auto_checkout, start + timedelta(minutes=119)) == {
        "activities": 0,
        "checked_out": 0,
    }
    assert run(jobs.mark_no_shows, start + timedelta(minutes=119)) == {"no_shows": 0}
    after = start + timedelta(hours=3)
    assert run(jobs.auto_checkout, after) == {"activities": 1, "checked_out": 1}
    assert run(jobs.auto_checkout, after) == {"activities": 0, "checked_out": 0}  # idempotent
    auto = db.session.scalar(db.select(Attendance).where(Attendance.user_id == forgot.id))
    assert auto.auto_checkout is True and auto.checkout_method == "auto"
    assert auto.checkout_at == start + timedelta(hours=2)  # at the scheduled end, not the run
    assert auto.served_minutes == 110 and auto.points == 11
    points = {
        e.user_id: e.amount
        for e in db.session.scalars(db.select(PointsEntry).where(PointsEntry.source_id == str(aid)))
    }
    assert points == {forgot.id: 11, left.id: 3}
    assert run(jobs.mark_no_shows, after) == {"no_shows": 1}
    assert run(jobs.mark_no_shows, after) == {"no_shows": 0}
    statuses = {
        e.user_id: e.status
        for e in db.session.scalars(db.select(Enrollment).where(Enrollment.activity_id == aid))
    }
    assert statuses == {forgot.id: "enrolled", left.id: "enrolled", absent.id: "no_show"}
    notice = db.session.scalar(
        db.select(Notification).where(
            Notification.kind == "hours_recorded", Notification.user_id == forgot.id
        )
    )
    assert "自动签退" in notice.body
    # the organiser can still check a no-show in by hand (e.g. the phone died), with a reason
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == absent.id))
    with freeze_time(after):
        manual = api.post(
            f"/activities/{aid}/enrollments/{enrollment.id}/checkin",
            admin,
            json={"reason": "现场签到表补录", "at": (start + timedelta(minutes=30)).isoformat()},
        )
    assert manual.status_code == 201, manual.get_json()
    db.session.expire_all()
    assert db.session.get(Enrollment, enrollment.id).status == "enrolled"


def test_promotion_only_before_the_start(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    aid = published(api, admin, demo.village_a, start, capacity=1, waitlist_enabled=True)["id"]
    seated, waiting = volunteer(demo.village_a), volunteer(demo.village_a)
    enrollment_id = api.post(f"/activities/{aid}/enrollments", seated).get_json()["id"]
    api.post(f"/activities/{aid}/enrollments", waiting)
    with freeze_time(start + timedelta(minutes=5)):
        removed = api.post(
            f"/activities/{aid}/enrollments/{enrollment_id}/remove",
            admin,
            json={"reason": "未到场"},
        )
        assert removed.status_code == 200
    # after the start, nobody is promoted into an activity already under way
    assert kinds("waitlist_promotion") == []
    status = db.session.scalar(db.select(Enrollment.status).where(Enrollment.user_id == waiting.id))
    assert status == "waitlisted"
