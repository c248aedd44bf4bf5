"""On-site check-in and check-out: rotating codes, the QR image, refusals, hours and points."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from freezegun import freeze_time

from backend.extensions import db
from backend.models import Attendance, AuditLog, Notification, PointsEntry
from backend.utils import utcnow
from tests.activity_helpers import FAR, code, published, scan, volunteer


def future(hours: float = 48):
    # A whole minute, so that code windows line up with the frozen clock.
    return (utcnow() + timedelta(hours=hours)).replace(second=0, microsecond=0)


@pytest.fixture
def site(api, demo):
    """A published 2-hour patrol in village A with one enrolled volunteer."""
    admin = demo.user("demo-village-admin")
    start = future()
    activity = published(api, admin, demo.village_a, start, points_value=12)
    person = volunteer(demo.village_a)
    assert api.post(f"/activities/{activity['id']}/enrollments", person).status_code == 201
    return {"id": activity["id"], "start": start, "admin": admin, "person": person}


def counts():
    return (
        db.session.scalar(db.select(db.func.count(Attendance.id))),
        db.session.scalar(db.select(db.func.count(PointsEntry.id))),
    )


def test_checkin_code_and_qr(api, demo, site, sandbox):
    aid, admin = site["id"], site["admin"]
    with freeze_time(site["start"] - timedelta(minutes=10)):
        response = api.get(f"/activities/{aid}/checkin-code", admin)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["code"] == code(aid) and len(body["code"]) == 8
        assert body["scene"] == f"a={aid}&c={body['code']}&m=i" and len(body["scene"]) <= 32
        assert body["page"] == "pages/activity/scan/index" and body["window_seconds"] == 60
        assert body["image"].startswith("data:image/png;base64,")
        assert base64.b64decode(body["image"].split(",", 1)[1])[1:4] == b"PNG"
        assert body["expires_at"].endswith("+08:00")
        checkout = api.get(f"/activities/{aid}/checkin-code?purpose=checkout", admin).get_json()
        assert checkout["code"] != body["code"] and checkout["scene"].endswith("&m=o")
        assert api.get(f"/activities/{aid}/checkin-code?purpose=x", admin).status_code == 422
        # WeChat down: the code is still shown (typed in by hand), the image is missing
        from backend.wechat.sandbox import Fault

        with sandbox.state.lock:
            sandbox.state.faults.append(Fault(path="wxa/getwxacodeunlimit", http_status=503))
        degraded = api.get(f"/activities/{aid}/checkin-code", admin).get_json()
        assert degraded["code"] == body["code"] and degraded["image"] is None
        assert degraded["image_error"]
    for who, expected in (("demo-volunteer", 403), ("demo-village-admin-2", 404)):
        assert api.get(f"/activities/{aid}/checkin-code", demo.user(who)).status_code == expected
    api.post(f"/activities/{aid}/cancel", admin, json={"reason": "暴雨"})
    cancelled = api.get(f"/activities/{aid}/checkin-code", admin)
    assert cancelled.status_code == 409 and cancelled.get_json()["code"] == "activity_cancelled"


def test_code_rotates_with_grace(api, site):
    aid, person = site["id"], site["person"]
    opened = site["start"] - timedelta(minutes=20)
    with freeze_time(opened) as clock:
        old = code(aid)
        clock.tick(70)  # next window, 10 s in: the previous code is still within the grace
        response = api.post(f"/activities/{aid}/checkins", person, json=scan(old))
        assert response.status_code == 201, response.get_json()
    other = volunteer_enrolled(api, site)
    with freeze_time(opened + timedelta(seconds=95)):  # 35 s into the next window: expired
        response = api.post(f"/activities/{aid}/checkins", other, json=scan(old))
        assert response.status_code == 400
        assert response.get_json()["code"] == "checkin_code_expired"


def volunteer_enrolled(api, site, region=None):
    from backend.models import Region

    region = region or db.session.get(Region, site["person"].region_id)
    person = volunteer(region)
    assert api.post(f"/activities/{site['id']}/enrollments", person).status_code == 201
    return person


@pytest.mark.parametrize(
    "case,status,error",
    [
        ("wrong_code", 400, "checkin_code_invalid"),
        ("expired_code", 400, "checkin_code_expired"),
        ("other_activity_code", 400, "checkin_code_invalid"),
        ("checkout_code", 400, "checkin_code_invalid"),
        ("too_far", 403, "out_of_range"),
        ("too_early", 409, "checkin_not_open"),
        ("after_end", 409, "checkin_closed"),
        ("not_enrolled", 403, "not_enrolled"),
        ("waitlisted", 403, "not_enrolled"),
        ("cancelled", 409, "activity_cancelled"),
        ("missing_location", 422, "validation_error"),
        ("unknown_field", 422, "validation_error"),
    ],
)
def test_checkin_refusals_write_nothing(api, demo, site, case, status, error):
    aid, start, person = site["id"], site["start"], site["person"]
    moment = start + timedelta(minutes=10)
    body = None
    if case == "too_early":
        moment = start - timedelta(minutes=31)
    elif case == "after_end":
        moment = start + timedelta(hours=2, minutes=1)
    elif case == "not_enrolled":
        person = volunteer(demo.village_a)
    elif case == "waitlisted":
        from backend.models import Activity

        db.session.get(Activity, aid).capacity = 1
        db.session.get(Activity, aid).waitlist_enabled = True
        db.session.commit()
        person = volunteer_enrolled(api, site)
    elif case == "cancelled":
        api.post(f"/activities/{aid}/cancel", site["admin"], json={"reason": "天气原因"})
    elif case == "other_activity_code":
        other = published(api, site["admin"], demo.village_a, start + timedelta(days=2))
    with freeze_time(moment):
        if case == "wrong_code":
            body = scan("ABCDEFGH")
        elif case == "expired_code":
            body = scan(code(aid, at=moment - timedelta(minutes=5)))
        elif case == "other_activity_code":
            body = scan(code(other["id"]))
        elif case == "checkout_code":
            body = scan(code(aid, "checkout"))
        elif case == "too_far":
            body = scan(code(aid), FAR)
        elif case == "missing_location":
            body = {"code": code(aid)}
        elif case == "unknown_field":
            body = {**scan(code(aid)), "checkin_at": moment.isoformat()}
        else:
            body = scan(code(aid))
        response = api.post(f"/activities/{aid}/checkins", person, json=body)
    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == error
    assert response.get_json()["message"]
    assert counts() == (0, 0)
    if case == "too_far":
        assert response.get_json()["errors"]["radius_m"] == 300
        assert response.get_json()["errors"]["distance_m"] > 1500


def test_checkin_checkout_records_clipped_hours_and_points(api, site):
    aid, start, person = site["id"], site["start"], site["person"]
    with freeze_time(start - timedelta(minutes=25)):  # early arrival does not count
        checkin = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert checkin.status_code == 201, checkin.get_json()
        body = checkin.get_json()
        assert body["status"] == "checked_in" and body["checkin_method"] == "scan"
        assert 0 < body["checkin_distance_m"] < 100
        twice = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert twice.status_code == 409 and twice.get_json()["code"] == "already_checked_in"
        too_soon_points = api.get("/me", person).get_json()["points"]
        assert too_soon_points == 0
    with freeze_time(start + timedelta(minutes=95)):
        checkout = api.post(
            f"/activities/{aid}/checkouts", person, json=scan(code(aid, "checkout"))
        )
        assert checkout.status_code == 200, checkout.get_json()
        out = checkout.get_json()
        assert out["status"] == "checked_out" and out["served_minutes"] == 95
        assert out["served_hours"] == 1.6 and out["points"] == 19  # floor(12 * 95 / 60)
        again = api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid, "checkout")))
        assert again.status_code == 409 and again.get_json()["code"] == "already_checked_out"
        # The wall's check-in code proves presence too; this one is already out.
        wall = api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid)))
        assert wall.status_code == 409 and wall.get_json()["code"] == "already_checked_out"
        wrong = api.post(f"/activities/{aid}/checkouts", person, json=scan("ABCDEFGH"))
        assert wrong.status_code == 400 and wrong.get_json()["code"] == "checkin_code_invalid"
    [entry] = db.session.scalars(db.select(PointsEntry)).all()
    assert (entry.source_type, entry.source_id, entry.amount) == ("activity", str(aid), 19)
    assert entry.region_id == person.region_id
    me = api.get("/me", person).get_json()
    assert me["points"] == 19 and me["service_hours"] == 1.6 and me["star_level"] == 0
    [notice] = db.session.scalars(
        db.select(Notification).where(Notification.kind == "hours_recorded")
    ).all()
    assert notice.fields == {"activity": "龙津社区夜间治安巡逻", "hours": 1.6, "points": 19}


def test_checkout_after_the_end_is_clipped_and_checkout_needs_a_checkin(api, site):
    aid, start, person = site["id"], site["start"], site["person"]
    with freeze_time(start + timedelta(minutes=30)):
        never = api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid, "checkout")))
        assert never.status_code == 409 and never.get_json()["code"] == "not_checked_in"
        api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
    with freeze_time(start + timedelta(hours=2, minutes=40)):
        out = api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid, "checkout")))
        assert out.status_code == 200 and out.get_json()["served_minutes"] == 90
        assert out.get_json()["auto_checkout"] is False


def test_fixed_points_and_duty_hours(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    aid = published(
        api, admin, demo.village_a, start, counts_as_duty=True, points_mode="fixed", points_value=5
    )["id"]
    grid = demo.user("demo-grid-worker")
    person = volunteer(demo.village_a)
    for user in (grid, person):
        assert api.post(f"/activities/{aid}/enrollments", user).status_code == 201
    for user in (grid, person):
        with freeze_time(start):
            api.post(f"/activities/{aid}/checkins", user, json=scan(code(aid)))
        with freeze_time(start + timedelta(minutes=61)):
            out = api.post(f"/activities/{aid}/checkouts", user, json=scan(code(aid, "checkout")))
            assert out.get_json()["points"] == 5
    grid_hours = api.get("/me/hours", grid).get_json()
    assert grid_hours["duty_minutes"] == 61 and grid_hours["service_minutes"] == 0
    assert grid_hours["records"]["items"][0]["hours_kind"] == "duty"
    volunteer_hours = api.get("/me/hours", person).get_json()
    assert volunteer_hours["service_minutes"] == 61 and volunteer_hours["duty_minutes"] == 0


def test_manual_checkin_checkout_and_correction(api, demo, site):
    aid, start, admin, person = site["id"], site["start"], site["admin"], site["person"]
    enrollment_id = api.get(f"/activities/{aid}", person).get_json()["my_enrollment"]["id"]
    path = f"/activities/{aid}/enrollments/{enrollment_id}"
    with freeze_time(start + timedelta(minutes=20)):
        assert api.post(f"{path}/checkin", admin, json={}).status_code == 422
        assert api.post(f"{path}/checkin", person, json={"reason": "自己代签"}).status_code == 403
        future_time = api.post(
            f"{path}/checkin",
            admin,
            json={"reason": "手机没电", "at": (start + timedelta(hours=1)).isoformat()},
        )
        assert future_time.status_code == 422 and "at" in future_time.get_json()["errors"]
        manual = api.post(
            f"{path}/checkin",
            admin,
            json={
                "reason": "手机没电,现场核实本人",
                "at": (start + timedelta(minutes=5)).isoformat(),
            },
        )
        assert manual.status_code == 201, manual.get_json()
        assert manual.get_json()["checkin_method"] == "manual"
        assert api.post(f"{path}/checkin", admin, json={"reason": "重复"}).status_code == 409
    with freeze_time(start + timedelta(minutes=80)):
        out = api.post(f"{path}/checkout", admin, json={"reason": "手机没电,现场核实本人"})
        assert out.status_code == 200 and out.get_json()["served_minutes"] == 75
        assert out.get_json()["points"] == 15
    attendance_id = out.get_json()["id"]
    patch = f"/attendances/{attendance_id}"
    assert api.patch(patch, admin, json={"served_minutes": 60}).status_code == 422
    too_long = api.patch(patch, admin, json={"served_minutes": 200, "reason": "补记"})
    assert too_long.status_code == 422 and "served_minutes" in too_long.get_json()["errors"]
    assert (
        api.patch(
            patch, admin, json={"points": 99, "served_minutes": 60, "reason": "x"}
        ).status_code
        == 422
    )
    other = api.patch(
        patch, demo.user("demo-village-admin-2"), json={"served_minutes": 60, "reason": "越权"}
    )
    assert other.status_code == 404
    fixed = api.patch(patch, admin, json={"served_minutes": 120, "reason": "实际全程参加"})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["served_minutes"] == 120 and fixed.get_json()["points"] == 24
    assert fixed.get_json()["computed_minutes"] == 75
    lower = api.patch(patch, admin, json={"served_minutes": 30, "reason": "中途离开"})
    assert lower.get_json()["points"] == 6
    same = api.patch(patch, admin, json={"served_minutes": 30, "reason": "无变化"})
    assert same.status_code == 409
    entries = db.session.scalars(db.select(PointsEntry).order_by(PointsEntry.id)).all()
    assert [(e.source_type, e.amount) for e in entries] == [
        ("activity", 15),
        ("adjustment", 9),
        ("adjustment", -18),
    ]
    assert api.get("/me", person).get_json()["points"] == 6
    assert api.get("/me/hours", person).get_json()["service_minutes"] == 30
    actions = db.session.scalars(
        db.select(AuditLog.action)
        .where(AuditLog.action.startswith("attendance."))
        .order_by(AuditLog.id)
    ).all()
    assert actions == [
        "attendance.manual_checkin",
        "attendance.manual_checkout",
        "attendance.correct",
        "attendance.correct",
    ]
    log = db.session.scalar(
        db.select(AuditLog).where(AuditLog.action == "attendance.correct").order_by(AuditLog.id)
    )
    assert log.before == {"served_minutes": 75, "points": 15}
    assert log.after == {"served_minutes": 120, "points": 24} and log.reason == "实际全程参加"


def test_checkout_is_idempotent_with_a_key(api, site):
    aid, start, person = site["id"], site["start"], site["person"]
    with freeze_time(start):
        api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
    with freeze_time(start + timedelta(minutes=30)):
        body = scan(code(aid, "checkout"))
        headers = {"Idempotency-Key": "checkout-1"}
        first = api.post(f"/activities/{aid}/checkouts", person, json=body, headers=headers)
        second = api.post(f"/activities/{aid}/checkouts", person, json=body, headers=headers)
    assert first.status_code == second.status_code == 200
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert counts() == (1, 1)


def test_star_level_and_level_up_notice(api, demo, site):
    from backend.services import hours

    aid, start, person = site["id"], site["start"], site["person"]
    # 99 h 30 min of earlier service: this 2-hour patrol crosses 100 h (★)
    earlier = Attendance(
        activity_id=aid,
        user_id=person.id,
        enrollment_id=0,
        checkin_at=start,
        served_minutes=99 * 60 + 30,
        hours_kind="service",
    )
    assert hours.star_level_for(earlier.served_minutes) == 0
    assert hours.star_level_for(100 * 60) == 1 and hours.star_level_for(1500 * 60) == 5
    assert hours.next_level_at(100 * 60) == 300 and hours.next_level_at(1500 * 60) is None
    with freeze_time(start):
        api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
    # record the earlier service directly (another activity), then check out here
    from backend.models import Activity, Enrollment

    other = published(api, site["admin"], demo.village_a, start + timedelta(days=1))["id"]
    api.post(f"/activities/{other}/enrollments", person)
    enrollment = db.session.scalar(db.select(Enrollment).where(Enrollment.activity_id == other))
    earlier.activity_id, earlier.enrollment_id = other, enrollment.id
    earlier.status, earlier.checkout_at = "checked_out", start
    db.session.add(earlier)
    db.session.commit()
    assert db.session.get(Activity, other) is not None
    with freeze_time(start + timedelta(hours=2)):
        api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid, "checkout")))
    summary = api.get("/me/hours", person).get_json()
    assert summary["service_hours"] == 101.5 and summary["star_level"] == 1
    assert summary["star_name"] == "一星" and summary["next_level_at"] == 300
    assert summary["hours_to_next_level"] == 198.5
    assert summary["records"]["total"] == 2
    [level] = db.session.scalars(
        db.select(Notification).where(Notification.kind == "level_up")
    ).all()
    assert level.fields == {"level": "一星", "hours": 101.5}


def test_scanning_the_wall_code_again_checks_out(api, site):
    """One code on the wall: the second scan of a checked-in volunteer checks them out."""
    aid, start, person = site["id"], site["start"], site["person"]
    with freeze_time(start - timedelta(minutes=5)):
        first = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert first.status_code == 201 and first.get_json()["status_name"] == "已签到"
    with freeze_time(start + timedelta(minutes=4)):  # a double scan, not a check-out
        double = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert double.status_code == 409 and double.get_json()["code"] == "already_checked_in"
        assert "分钟后可再次扫描" in double.get_json()["message"]
    with freeze_time(start + timedelta(minutes=60)):
        far = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid), FAR))
        assert far.status_code == 403 and far.get_json()["code"] == "out_of_range"
        out = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert out.status_code == 200, out.get_json()
        body = out.get_json()
        assert (body["status"], body["status_name"]) == ("checked_out", "已签退")
        assert body["served_minutes"] == 60 and body["points"] == 12
        again = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert again.status_code == 409 and again.get_json()["code"] == "already_checked_out"
    assert counts() == (1, 1)


def test_the_checkout_route_takes_the_wall_code(api, site):
    aid, start, person = site["id"], site["start"], site["person"]
    with freeze_time(start):
        assert (
            api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid))).status_code == 201
        )
    with freeze_time(start + timedelta(minutes=30)):
        out = api.post(f"/activities/{aid}/checkouts", person, json=scan(code(aid)))
        assert out.status_code == 200, out.get_json()
        assert out.get_json()["served_minutes"] == 30


def test_after_the_end_the_wall_code_still_checks_out(api, site):
    aid, start, person = site["id"], site["start"], site["person"]
    late = volunteer_enrolled(api, site)
    with freeze_time(start):
        assert (
            api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid))).status_code == 201
        )
    with freeze_time(start + timedelta(hours=2, minutes=10)):
        out = api.post(f"/activities/{aid}/checkins", person, json=scan(code(aid)))
        assert out.status_code == 200 and out.get_json()["served_minutes"] == 120  # clipped
        closed = api.post(f"/activities/{aid}/checkins", late, json=scan(code(aid)))
        assert closed.status_code == 409 and closed.get_json()["code"] == "checkin_closed"
