"""Enrollment: eligibility, capacity, waitlist and promotion, overlap, cancellation, roster."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from freezegun import freeze_time
from openpyxl import load_workbook

from backend.extensions import db
from backend.models import Activity, AuditLog, Enrollment, Notification
from backend.utils import utcnow
from tests.activity_helpers import published, volunteer


def future(hours: float = 48):
    return (utcnow() + timedelta(hours=hours)).replace(microsecond=0)


def notices(user, kind):
    return db.session.scalars(
        db.select(Notification).where(Notification.user_id == user.id, Notification.kind == kind)
    ).all()


def test_enroll_confirms_and_notifies(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    aid = published(api, admin, demo.village_a, start)["id"]
    person = volunteer(demo.village_a)
    response = api.post(f"/activities/{aid}/enrollments", person)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "enrolled" and body["waitlist_position"] is None
    assert body["activity"]["enrolled_count"] == 1
    [notice] = notices(person, "enrollment_result")
    assert notice.fields["result"] == "报名成功"
    assert set(notice.fields) == {"activity", "result", "start_at"}
    assert notice.fields["start_at"].endswith("+08:00")
    assert notice.page == f"pages/activity/detail/index?id={aid}"
    again = api.post(f"/activities/{aid}/enrollments", person)
    assert again.status_code == 409 and again.get_json()["code"] == "already_enrolled"
    detail = api.get(f"/activities/{aid}", person).get_json()
    assert detail["my_enrollment"]["status"] == "enrolled"
    assert detail["enrolled_count"] == 1


def test_only_approved_volunteers_enroll(api, demo, new_user):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future())["id"]
    for user in (new_user("resident"), volunteer(demo.village_a, status="pending")):
        response = api.post(f"/activities/{aid}/enrollments", user)
        assert response.status_code == 403 and response.get_json()["code"] == "volunteer_required"
    # grid workers may join activities that count as duty without being volunteers
    grid = demo.user("demo-grid-worker")
    assert api.post(f"/activities/{aid}/enrollments", grid).status_code == 403
    duty = published(api, admin, demo.village_a, future(96), counts_as_duty=True)["id"]
    assert api.post(f"/activities/{duty}/enrollments", grid).status_code == 201
    assert api.post(f"/activities/{aid}/enrollments").status_code == 401
    assert db.session.scalar(db.select(db.func.count(Enrollment.id))) == 1


def test_required_skills(api, demo):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), required_skills=["调解员", "法律服务"])[
        "id"
    ]
    patrol_only = volunteer(demo.village_a, skills=("巡防员",))
    refused = api.post(f"/activities/{aid}/enrollments", patrol_only)
    assert refused.status_code == 409 and refused.get_json()["code"] == "skills_required"
    mediator = volunteer(demo.village_a, skills=("调解员",))
    assert api.post(f"/activities/{aid}/enrollments", mediator).status_code == 201


def test_capacity_without_waitlist(api, demo):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), capacity=1, waitlist_enabled=False)["id"]
    assert api.post(f"/activities/{aid}/enrollments", volunteer(demo.village_a)).status_code == 201
    late = volunteer(demo.village_a)
    full = api.post(f"/activities/{aid}/enrollments", late)
    assert full.status_code == 409 and full.get_json()["code"] == "activity_full"
    assert full.get_json()["message"] == "活动名额已满"
    assert db.session.get(Activity, aid).enrolled_count == 1
    assert db.session.scalar(db.select(Enrollment).where(Enrollment.user_id == late.id)) is None


def test_waitlist_and_promotion_on_cancel(api, demo):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), capacity=2, waitlist_enabled=True)["id"]
    people = [volunteer(demo.village_a) for _ in range(5)]
    answers = [api.post(f"/activities/{aid}/enrollments", p).get_json() for p in people]
    assert [a["status"] for a in answers] == ["enrolled"] * 2 + ["waitlisted"] * 3
    assert [a["waitlist_position"] for a in answers[2:]] == [1, 2, 3]
    assert notices(people[2], "enrollment_result")[0].fields["result"] == "候补中"
    # a waitlisted person leaving moves the others up, promotes nobody
    assert api.delete(f"/activities/{aid}/enrollments/me", people[2]).status_code == 200
    assert (
        api.get(f"/activities/{aid}", people[4]).get_json()["my_enrollment"]["waitlist_position"]
        == 2
    )
    # a seated person leaving promotes the first ticket (people[3]), notified
    cancelled = api.delete(f"/activities/{aid}/enrollments/me", people[0])
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    db.session.expire_all()
    statuses = {
        e.user_id: e.status
        for e in db.session.scalars(db.select(Enrollment).where(Enrollment.activity_id == aid))
    }
    assert statuses[people[3].id] == "enrolled" and statuses[people[4].id] == "waitlisted"
    [promo] = notices(people[3], "waitlist_promotion")
    assert set(promo.fields) == {"activity", "start_at"}
    assert db.session.get(Activity, aid).enrolled_count == 2
    # coming back joins the end of the queue, with a new ticket
    back = api.post(f"/activities/{aid}/enrollments", people[0]).get_json()
    assert back["status"] == "waitlisted" and back["waitlist_position"] == 2
    assert back["id"] == answers[0]["id"]  # the same row, re-used
    # nobody waitlisted: a cancellation frees the seat
    api.delete(f"/activities/{aid}/enrollments/me", people[4])
    api.delete(f"/activities/{aid}/enrollments/me", people[0])
    api.delete(f"/activities/{aid}/enrollments/me", people[1])
    assert db.session.get(Activity, aid).enrolled_count == 1


def test_cancel_rules(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    aid = published(
        api, admin, demo.village_a, start, enroll_deadline=(start - timedelta(hours=2)).isoformat()
    )["id"]
    person = volunteer(demo.village_a)
    missing = api.delete(f"/activities/{aid}/enrollments/me", person)
    assert missing.status_code == 404 and missing.get_json()["code"] == "not_enrolled"
    api.post(f"/activities/{aid}/enrollments", person)
    with freeze_time(start - timedelta(hours=1)):
        late = api.delete(f"/activities/{aid}/enrollments/me", person)
        assert late.status_code == 409 and late.get_json()["code"] == "cancel_deadline_passed"
        closed = api.post(f"/activities/{aid}/enrollments", volunteer(demo.village_a))
        assert closed.status_code == 409 and closed.get_json()["code"] == "enrollment_closed"
    assert api.delete("/activities/999999/enrollments/me", person).status_code == 404


def test_overlapping_enrollments_are_refused(api, demo):
    admin = demo.user("demo-village-admin")
    start = future()
    first = published(api, admin, demo.village_a, start)["id"]
    overlapping = published(
        api, admin, demo.village_a, start + timedelta(hours=1), title="社区安全检查"
    )["id"]
    after = published(api, admin, demo.village_a, start + timedelta(hours=2), title="夜巡第二班")[
        "id"
    ]
    person = volunteer(demo.village_a)
    assert api.post(f"/activities/{first}/enrollments", person).status_code == 201
    clash = api.post(f"/activities/{overlapping}/enrollments", person)
    assert clash.status_code == 409 and clash.get_json()["code"] == "time_conflict"
    assert "龙津社区夜间治安巡逻" in clash.get_json()["message"]
    assert api.post(f"/activities/{after}/enrollments", person).status_code == 201  # back-to-back
    api.delete(f"/activities/{first}/enrollments/me", person)
    assert api.post(f"/activities/{overlapping}/enrollments", person).status_code == 409  # `after`
    api.delete(f"/activities/{after}/enrollments/me", person)
    assert api.post(f"/activities/{overlapping}/enrollments", person).status_code == 201


def test_organiser_removes_with_reason(api, demo):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), capacity=1, waitlist_enabled=True)["id"]
    seated, waiting = volunteer(demo.village_a), volunteer(demo.village_a)
    enrollment_id = api.post(f"/activities/{aid}/enrollments", seated).get_json()["id"]
    api.post(f"/activities/{aid}/enrollments", waiting)
    path = f"/activities/{aid}/enrollments/{enrollment_id}/remove"
    assert api.post(path, admin, json={}).status_code == 422
    assert (
        api.post(path, demo.user("demo-village-admin-2"), json={"reason": "x"}).status_code == 404
    )
    response = api.post(path, admin, json={"reason": "多次无故缺席"})
    assert response.status_code == 200 and response.get_json()["status"] == "removed"
    assert response.get_json()["removed_reason"] == "多次无故缺席"
    assert notices(seated, "enrollment_result")[-1].fields["result"] == "已被组织者移出"
    assert notices(waiting, "waitlist_promotion")
    again = api.post(f"/activities/{aid}/enrollments", seated)
    assert again.status_code == 403 and again.get_json()["code"] == "enrollment_removed"
    log = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "enrollment.remove"))
    assert log.reason == "多次无故缺席" and log.actor_id == admin.id
    assert log.region_id == demo.village_a.id
    assert api.post(path, admin, json={"reason": "再次"}).status_code == 409
    other = api.post(f"/activities/{aid}/enrollments/999999/remove", admin, json={"reason": "x"})
    assert other.status_code == 404


def test_roster_masks_and_exports(api, demo):
    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), capacity=1, waitlist_enabled=True)["id"]
    local = volunteer(demo.village_a, name="本村")
    outsider = volunteer(demo.village_b, name="外村")
    api.post(f"/activities/{aid}/enrollments", local)
    api.post(f"/activities/{aid}/enrollments", outsider)
    roster = api.get(f"/activities/{aid}/enrollments", admin).get_json()
    assert roster["total"] == 2
    first, second = roster["items"]
    assert first["status"] == "enrolled" and second["status"] == "waitlisted"
    assert first["name"].startswith("张本村") and "*" not in first["name"]
    assert first["phone"].startswith("1370000") and "*" not in first["phone"]
    # a volunteer from another township, waitlisted: the organiser must be able to reach them
    assert second["name"].startswith("张外村") and "*" not in second["phone"]
    only_waiting = api.get(f"/activities/{aid}/enrollments?status=waitlisted", admin).get_json()
    assert [e["id"] for e in only_waiting["items"]] == [second["id"]]
    city = api.get(f"/activities/{aid}/enrollments", demo.user("demo-city-admin")).get_json()
    assert "*" not in city["items"][1]["name"]
    exported = api.get(f"/activities/{aid}/enrollments?format=csv", admin)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["报名编号", "志愿者编号", "姓名", "手机号"]
    assert rows[1][2].startswith("张本村") and rows[2][4] == "候补中"
    xlsx = api.get(f"/activities/{aid}/enrollments?format=xlsx", admin)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][2] == "姓名"
    assert sheet.max_row == 3
    assert api.get(f"/activities/{aid}/enrollments?format=pdf", admin).status_code == 422


def test_roster_has_no_n_plus_one(api, demo):
    from sqlalchemy import event

    admin = demo.user("demo-village-admin")
    aid = published(api, admin, demo.village_a, future(), capacity=3, waitlist_enabled=True)["id"]
    for _ in range(6):
        api.post(f"/activities/{aid}/enrollments", volunteer(demo.village_a))
    headers = api.headers(admin)
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        small = api.client.get(f"/api/v1/activities/{aid}/enrollments?page_size=2", headers=headers)
        n_small = len(statements)
        statements.clear()
        db.session.remove()
        large = api.client.get(f"/api/v1/activities/{aid}/enrollments?page_size=6", headers=headers)
        n_large = len(statements)
        statements.clear()
        db.session.remove()
        mine = api.client.get("/api/v1/me/activities?page_size=6", headers=headers)
        assert mine.status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(large.get_json()["items"]) == 6 and len(small.get_json()["items"]) == 2
    assert n_large == n_small, (n_small, n_large)


def test_my_activities(api, demo):
    admin = demo.user("demo-village-admin")
    person = volunteer(demo.village_a)
    first = published(api, admin, demo.village_a, future(48))["id"]
    second = published(api, admin, demo.village_a, future(96), title="防诈骗宣传")["id"]
    api.post(f"/activities/{first}/enrollments", person)
    api.post(f"/activities/{second}/enrollments", person)
    api.delete(f"/activities/{second}/enrollments/me", person)
    mine = api.get("/me/activities", person).get_json()
    assert [e["activity"]["id"] for e in mine["items"]] == [second, first]
    upcoming = api.get("/me/activities?when=upcoming&status=enrolled", person).get_json()
    assert [e["activity"]["id"] for e in upcoming["items"]] == [first]
    assert upcoming["items"][0]["status_name"] == "已报名"
    assert api.get("/me/activities?status=nope", person).status_code == 422
    assert api.get("/me/activities").status_code == 401
