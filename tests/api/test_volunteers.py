"""Volunteer application, review, the authorization matrix and masking."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.models import AuditLog, Volunteer
from tests.conftest import application, valid_id_number


def apply(api, user, village, seed=1, **overrides):
    return api.post("/volunteers", user, json=application(village.id, seed, **overrides))


def test_apply_masks_for_others_and_shows_owner(api, demo, new_user):
    user = new_user("applicant")
    response = apply(api, user, demo.village_a, seed=3)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["number"] is None
    assert body["phone"] == "13800000003"  # owner sees own data
    assert body["real_name"] == "王小明"
    volunteer = db.session.get(Volunteer, body["id"])
    assert "13800000003" not in volunteer.phone_enc
    assert volunteer.id_number_hash and valid_id_number(3) not in volunteer.id_number_enc
    # an admin of another township gets 404, a scoped admin sees everything unmasked
    other = api.get(f"/volunteers/{body['id']}", demo.user("demo-village-admin-2"))
    assert other.status_code == 404
    admin = api.get(f"/volunteers/{body['id']}", demo.user("demo-village-admin")).get_json()
    assert admin["id_number"] == valid_id_number(3)


def test_apply_requires_consent(api, demo, new_user):
    user = new_user("noconsent", consent=False)
    response = apply(api, user, demo.village_a)
    assert response.status_code == 403
    assert response.get_json()["code"] == "consent_required"
    assert db.session.scalar(db.select(db.func.count(Volunteer.id))) == 5  # demo volunteers only


@pytest.mark.parametrize(
    "field,value",
    [
        ("id_number", "360981199001011234"),  # bad check digit
        ("id_number", "12345"),
        ("phone", "12345678901"),
        ("phone", "1380000"),
        ("real_name", "王"),
        ("skills", ["飞行员"]),
        ("village_id", "abc"),
        ("status", "approved"),  # mass assignment
        ("number", "PA1"),
        ("points", 100),
        ("region_id", 1),
    ],
)
def test_apply_validation(api, demo, new_user, field, value):
    user = new_user("bad")
    body = application(demo.village_a.id, 4)
    body[field] = value
    response = api.post("/volunteers", user, json=body)
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"
    assert field in response.get_json()["errors"]
    assert response.get_json()["message"] == "提交的数据有误"
    assert db.session.scalar(db.select(Volunteer).where(Volunteer.user_id == user.id)) is None


def test_apply_requires_a_village(api, demo, new_user):
    response = apply(api, new_user("twn"), demo.township_a)
    assert response.status_code == 422
    assert "village_id" in response.get_json()["errors"]
    missing = api.post("/volunteers", new_user("nov"), json=application(999999, 5))
    assert missing.status_code == 404


def test_duplicate_application_and_id_number(api, demo, new_user):
    first = new_user("first")
    assert apply(api, first, demo.village_a, seed=8).status_code == 201
    again = apply(api, first, demo.village_a, seed=8)
    assert again.status_code == 409 and again.get_json()["code"] == "already_applied"
    second = new_user("second")
    taken = apply(api, second, demo.village_a, seed=8)
    assert taken.status_code == 409 and taken.get_json()["code"] == "id_number_taken"


def test_risky_intro_is_refused(api, demo, new_user):
    response = apply(api, new_user("risky"), demo.village_a, seed=9, intro="这里有违禁内容")
    assert response.status_code == 422
    assert response.get_json()["code"] == "content_risky"


def test_team_must_cover_the_village(api, demo, new_user):
    bai_tu_team = next(t for t in demo.teams if t.region_id == demo.township_b.id)
    response = apply(api, new_user("team"), demo.village_a, seed=10, team_id=bai_tu_team.id)
    assert response.status_code == 422
    assert "team_id" in response.get_json()["errors"]


def test_review_flow_number_audit_and_notice(api, demo, new_user):
    user = new_user("flow")
    volunteer_id = apply(api, user, demo.village_a, seed=11).get_json()["id"]
    admin = demo.user("demo-village-admin")
    no_reason = api.post(f"/volunteers/{volunteer_id}/reject", admin, json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    approved = api.post(f"/volunteers/{volunteer_id}/approve", admin, json={"reason": "材料齐全"})
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved" and body["number"].startswith("PA")
    assert api.get("/me", user).get_json()["volunteer"]["status"] == "approved"
    # illegal transitions are 409
    again = api.post(f"/volunteers/{volunteer_id}/approve", admin, json={})
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    reject = api.post(f"/volunteers/{volunteer_id}/reject", admin, json={"reason": "x"})
    assert reject.status_code == 409
    suspended = api.post(f"/volunteers/{volunteer_id}/suspend", admin, json={"reason": "多次缺勤"})
    assert suspended.get_json()["status"] == "suspended"
    reinstated = api.post(f"/volunteers/{volunteer_id}/approve", admin, json={"reason": "恢复"})
    assert reinstated.get_json()["number"] == body["number"]  # numbers are never reissued
    actions = db.session.scalars(
        db.select(AuditLog.action).where(
            AuditLog.target_id == volunteer_id, AuditLog.target_type == "volunteer"
        )
    ).all()
    assert actions == ["volunteer.approve", "volunteer.suspend", "volunteer.approve"]
    log = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "volunteer.suspend"))
    assert log.before["status"] == "approved" and log.after["status"] == "suspended"
    assert log.actor_id == admin.id and log.reason == "多次缺勤"
    from backend.models import Notification

    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == user.id)
    ).all()
    assert kinds.count("volunteer_review") == 3


def test_suspension_revokes_tokens(api, demo, new_user):
    user = new_user("susp")
    volunteer_id = apply(api, user, demo.village_a, seed=12).get_json()["id"]
    admin = demo.user("demo-village-admin")
    api.post(f"/volunteers/{volunteer_id}/approve", admin, json={})
    old = {"Authorization": f"Bearer {api.token_for(user)}"}
    api.post(f"/volunteers/{volunteer_id}/suspend", admin, json={"reason": "违规"})
    assert api.get("/me", headers=old).status_code == 401


def test_rejected_applicant_can_reapply(api, demo, new_user):
    user = new_user("again")
    volunteer_id = apply(api, user, demo.village_a, seed=13).get_json()["id"]
    admin = demo.user("demo-village-admin")
    api.post(f"/volunteers/{volunteer_id}/reject", admin, json={"reason": "信息不全"})
    response = apply(api, user, demo.village_a, seed=13, availability="每天晚上")
    assert response.status_code == 201
    assert response.get_json()["id"] == volunteer_id
    assert response.get_json()["status"] == "pending"


# Who may review an application from village A (龙津社区, 剑光街道)?
MATRIX = [
    ("demo-resident", 403),
    ("demo-volunteer", 403),
    ("demo-grid-worker", 403),
    ("demo-village-admin", 200),  # admin of village A
    ("demo-village-admin-2", 404),  # admin of village B (another township)
    ("demo-township-admin", 200),  # township of A
    ("demo-township-admin-2", 404),  # another township
    ("demo-city-admin", 200),
]


@pytest.mark.parametrize("who,expected", MATRIX)
@pytest.mark.parametrize("action", ["get", "approve", "reject", "suspend", "list"])
def test_authorization_matrix(api, demo, new_user, who, expected, action):
    applicant = new_user("matrix")
    volunteer_id = apply(api, applicant, demo.village_a, seed=20).get_json()["id"]
    if action == "suspend":
        api.post(f"/volunteers/{volunteer_id}/approve", demo.user("demo-city-admin"), json={})
    caller = demo.user(who)
    if action == "get":
        response = api.get(f"/volunteers/{volunteer_id}", caller)
    elif action == "list":
        response = api.get("/volunteers?status=pending", caller)
        if expected == 200:
            assert volunteer_id in [v["id"] for v in response.get_json()["items"]]
        elif expected == 404:
            assert response.status_code == 200
            assert volunteer_id not in [v["id"] for v in response.get_json()["items"]]
            return
    else:
        response = api.post(f"/volunteers/{volunteer_id}/{action}", caller, json={"reason": "测试"})
    assert response.status_code == expected, response.get_json()
    if expected != 200:
        db.session.expire_all()
        status = db.session.get(Volunteer, volunteer_id).status
        assert status == ("approved" if action == "suspend" else "pending")


def test_list_filters_and_pagination(api, demo, new_user):
    for i in range(5):
        apply(api, new_user(f"p{i}"), demo.village_a2 if i % 2 else demo.village_a, seed=30 + i)
    city = demo.user("demo-city-admin")
    page = api.get("/volunteers?status=pending&page_size=2", city).get_json()
    assert page["total"] == 5 and len(page["items"]) == 2 and page["page"] == 1
    village = api.get(f"/volunteers?status=pending&region_id={demo.village_a2.id}", city).get_json()
    assert village["total"] == 2
    assert all(v["region_id"] == demo.village_a2.id for v in village["items"])
    bad = api.get("/volunteers?status=nope", city)
    assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
    bad = api.get("/volunteers?page_size=1000", city)
    assert bad.status_code == 422


def test_list_has_no_n_plus_one(app, api, demo, new_user):
    from sqlalchemy import event

    for i in range(6):
        apply(api, new_user(f"n{i}"), demo.village_a, seed=40 + i)
    city = demo.user("demo-city-admin")
    headers = api.headers(city)
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()  # a cold session, as in a real request
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        small = api.client.get("/api/v1/volunteers?page_size=2", headers=headers)
        n_small = len(statements)
        statements.clear()
        db.session.remove()
        large = api.client.get("/api/v1/volunteers?page_size=10", headers=headers)
        n_large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert small.status_code == large.status_code == 200
    assert len(large.get_json()["items"]) > len(small.get_json()["items"])
    assert n_large == n_small, (n_small, n_large)


def test_teams(api, demo, new_user):
    listing = api.get("/teams").get_json()
    assert listing["total"] == 3
    scoped = api.get(f"/teams?region_id={demo.township_b.id}").get_json()
    assert [t["name"] for t in scoped["items"]] == ["白土镇应急救援志愿队"]
    admin = demo.user("demo-village-admin")
    created = api.post("/teams", admin, json={"name": "龙津夜巡队", "region_id": demo.village_a.id})
    assert created.status_code == 201
    denied = api.post("/teams", admin, json={"name": "越权队", "region_id": demo.village_b.id})
    assert denied.status_code == 403
    resident = api.post(
        "/teams", new_user("r"), json={"name": "居民队", "region_id": demo.village_a.id}
    )
    assert resident.status_code == 403
    assert api.post("/teams", admin, json={"name": "x"}).status_code == 422
