"""Award types, nominations, tiered approval, awards, points, certificates and revocation."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import event, func, select

from backend.extensions import db
from backend.models import (
    AuditLog,
    Award,
    Certificate,
    Nomination,
    Notification,
    PointsEntry,
)
from backend.services.points import balance_of, check_points
from tests.recognition_helpers import award_type, make_volunteer

REASON = "长期参加夜间巡逻,协助化解邻里纠纷三起"


def nominate(api, admin, type_id, target_id, **extra):
    body = {"award_type_id": type_id, "target_id": target_id, "reason": REASON, **extra}
    return api.post("/nominations", admin, json=body)


# ---------------------------------------------------------------------------------------------
# Award types
# ---------------------------------------------------------------------------------------------


def test_award_types_public_list_and_city_admin_create(api, demo):
    city = demo.user("demo-city-admin")
    body = {"name": "优秀平安志愿者", "tier": "city", "target_kind": "volunteer", "points": 50}
    created = api.post("/award-types", city, json=body)
    assert created.status_code == 201, created.get_json()
    out = created.get_json()
    assert out["tier_name"] == "市级" and out["approval"] == "市级审批" and out["active"] is True
    assert api.post("/award-types", city, json=body).get_json()["code"] == "award_type_exists"
    township = api.post("/award-types", demo.user("demo-township-admin"), json=body)
    assert township.status_code == 403
    listing = api.get("/award-types?tier=city").get_json()
    assert [t["name"] for t in listing["items"]] == ["优秀平安志愿者"]
    collective = {"name": "先进集体", "tier": "city", "target_kind": "village", "points": 10}
    bad = api.post("/award-types", city, json=collective)
    assert bad.status_code == 422 and "points" in bad.get_json()["errors"]
    for field, value in (("tier", "county"), ("target_kind", "person"), ("active", False)):
        wrong = api.post("/award-types", city, json={**body, "name": "某奖", field: value})
        assert wrong.status_code == 422 and field in wrong.get_json()["errors"]
    risky = api.post("/award-types", city, json={**body, "name": "违禁奖"})
    assert risky.status_code == 422 and risky.get_json()["code"] == "content_risky"


def test_deactivated_type_takes_no_nominations(api, demo):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "黄停用")
    city = demo.user("demo-city-admin")
    patched = api.patch(f"/award-types/{star.id}", city, json={"active": False})
    assert patched.status_code == 200 and patched.get_json()["active"] is False
    assert api.patch(f"/award-types/{star.id}", city, json={}).status_code == 422
    response = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id)
    assert response.status_code == 422 and "award_type_id" in response.get_json()["errors"]
    assert api.get("/award-types?active=true").get_json()["total"] == 0


# ---------------------------------------------------------------------------------------------
# Nominate → approve → award, points, certificate, notices
# ---------------------------------------------------------------------------------------------


def test_village_award_full_flow(api, demo):
    star = award_type("月度平安之星", "village", "volunteer", 20)
    user, volunteer = make_volunteer(demo.village_a, "林之星")
    village_admin = demo.user("demo-village-admin")
    created = nominate(api, village_admin, star.id, volunteer.id, period_label="2026年3月")
    assert created.status_code == 201, created.get_json()
    nomination = created.get_json()
    assert nomination["status"] == "pending" and nomination["target_name"] == "林**"
    assert nomination["award_region_name"] == "龙津社区" and nomination["tier"] == "village"
    duplicate = nominate(api, village_admin, star.id, volunteer.id, period_label="2026年3月")
    assert duplicate.status_code == 409 and duplicate.get_json()["code"] == "already_nominated"

    township = demo.user("demo-township-admin")
    queue = api.get("/nominations?actionable=true", township).get_json()
    assert [n["id"] for n in queue["items"]] == [nomination["id"]]
    assert api.get("/nominations?actionable=true", village_admin).get_json()["total"] == 0

    approved = api.post(f"/nominations/{nomination['id']}/approve", township, json={})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert body["status"] == "approved" and body["award_id"] and body["certificate_number"]
    assert balance_of(user.id) == 20
    entry = db.session.scalar(select(PointsEntry).where(PointsEntry.user_id == user.id))
    assert (entry.source_type, entry.source_id) == ("award", str(body["award_id"]))
    assert check_points() == []

    cert = api.get(f"/certificates/{body['certificate_number']}").get_json()
    assert cert["valid"] is True and cert["holder_name"] == "林**"
    assert cert["holder_id_masked"].startswith("3609") and "*" in cert["holder_id_masked"]
    assert "月度平安之星" in cert["content"] and "2026年3月" in cert["content"]
    assert cert["issuer"] == "剑光街道综治中心"  # the township approved
    mine = api.get("/me/certificates", user).get_json()
    assert [c["number"] for c in mine["items"]] == [body["certificate_number"]]

    roll = api.get("/awards").get_json()
    assert roll["total"] == 1 and roll["items"][0]["target_name"] == "林**"
    assert roll["items"][0]["certificate_number"] == body["certificate_number"]
    assert api.get(f"/awards?region_id={demo.township_b.id}").get_json()["total"] == 0

    notices = db.session.execute(
        select(Notification.user_id, Notification.kind, Notification.fields)
    ).all()
    result = {(u, k): f for u, k, f in notices}
    assert result[(user.id, "award_result")]["result"] == "已通过"
    assert set(result[(user.id, "award_result")]) == {"award", "result", "date"}
    assert result[(village_admin.id, "award_result")]["award"] == "月度平安之星"
    actions = db.session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "nomination.create" in actions and "nomination.approve" in actions

    again = api.post(f"/nominations/{nomination['id']}/approve", township, json={})
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    assert balance_of(user.id) == 20


# Who may approve a village-level nomination from village A? Only township A's admin.
APPROVE_MATRIX = [
    ("demo-resident", 403, "forbidden"),
    ("demo-grid-worker", 403, "forbidden"),
    ("demo-village-admin-2", 404, "not_found"),
    ("demo-township-admin", 200, None),
    ("demo-township-admin-2", 404, "not_found"),
    ("demo-city-admin", 403, "award_wrong_tier"),  # not the next tier up
]


@pytest.mark.parametrize("who,expected,code", APPROVE_MATRIX)
def test_village_tier_approval_matrix(api, demo, who, expected, code):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "矩阵")
    nomination_id = nominate(
        api, demo.user("demo-village-admin"), star.id, volunteer.id
    ).get_json()["id"]
    response = api.post(f"/nominations/{nomination_id}/approve", demo.user(who), json={})
    assert response.status_code == expected, response.get_json()
    if code:
        assert response.get_json()["code"] == code
        db.session.expire_all()
        assert db.session.get(Nomination, nomination_id).status == "pending"
        assert db.session.scalar(select(func.count(Award.id))) == 0


def test_village_admin_cannot_approve_even_their_own_village(api, demo):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "本村")
    admin = demo.user("demo-village-admin")
    nomination_id = nominate(api, admin, star.id, volunteer.id).get_json()["id"]
    response = api.post(f"/nominations/{nomination_id}/approve", admin, json={})
    assert response.status_code == 403
    assert response.get_json()["code"] in ("self_approval", "award_wrong_tier")


def test_self_approval_is_refused(api, demo):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "自审")
    township = demo.user("demo-township-admin")
    nomination_id = nominate(api, township, star.id, volunteer.id).get_json()["id"]
    response = api.post(f"/nominations/{nomination_id}/approve", township, json={})
    assert response.status_code == 403 and response.get_json()["code"] == "self_approval"
    rejected = api.post(f"/nominations/{nomination_id}/reject", township, json={"reason": "撤回"})
    assert rejected.status_code == 403 and rejected.get_json()["code"] == "self_approval"
    assert api.get("/nominations?actionable=true", township).get_json()["total"] == 0


def test_township_and_city_tiers_need_a_city_admin(api, demo):
    excellent = award_type("优秀平安志愿者", "township", "volunteer", 30)
    _, volunteer = make_volunteer(demo.village_a, "乡级")
    nomination_id = nominate(api, demo.user("demo-village-admin"), excellent.id, volunteer.id)
    nomination_id = nomination_id.get_json()["id"]
    township = api.post(
        f"/nominations/{nomination_id}/approve", demo.user("demo-township-admin"), json={}
    )
    assert township.status_code == 403 and township.get_json()["code"] == "award_wrong_tier"
    city = api.post(f"/nominations/{nomination_id}/approve", demo.user("demo-city-admin"), json={})
    assert city.status_code == 200
    assert city.get_json()["award_region_name"] == "剑光街道"


def test_nomination_scope_and_target_rules(api, demo, new_user):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "范围")
    _, suspended = make_volunteer(demo.village_a, "暂停", status="suspended")
    other_admin = demo.user("demo-village-admin-2")
    assert nominate(api, other_admin, star.id, volunteer.id).status_code == 404
    assert nominate(api, new_user("resident"), star.id, volunteer.id).status_code == 403
    assert nominate(api, demo.user("demo-volunteer"), star.id, volunteer.id).status_code == 403
    blocked = nominate(api, demo.user("demo-village-admin"), star.id, suspended.id)
    assert blocked.status_code == 409 and blocked.get_json()["code"] == "volunteer_not_active"
    assert nominate(api, demo.user("demo-village-admin"), 9999, volunteer.id).status_code == 404
    short = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id, reason="好")
    assert short.status_code == 422 and "reason" in short.get_json()["errors"]
    for field, value in (("status", "approved"), ("region_id", 1), ("points", 99)):
        sneaky = nominate(
            api, demo.user("demo-village-admin"), star.id, volunteer.id, **{field: value}
        )
        assert sneaky.status_code == 422 and field in sneaky.get_json()["errors"]
    held = nominate(
        api, demo.user("demo-village-admin"), star.id, volunteer.id, reason="此内容待审核查看"
    )
    assert held.status_code == 422 and held.get_json()["code"] == "content_under_review"
    # a township-level team cannot receive a village-level award
    township_team = next(t for t in demo.teams if t.region_id == demo.township_a.id)
    team_star = award_type("优秀服务队", "village", "team", 10)
    too_high = nominate(api, demo.user("demo-township-admin"), team_star.id, township_team.id)
    assert too_high.status_code == 422 and "target_id" in too_high.get_json()["errors"]


def test_nominations_list_is_scoped(api, demo):
    star = award_type()
    _, va = make_volunteer(demo.village_a, "甲村")
    _, vb = make_volunteer(demo.village_b, "乙村")
    nominate(api, demo.user("demo-village-admin"), star.id, va.id)
    nominate(api, demo.user("demo-village-admin-2"), star.id, vb.id)
    seen = {
        who: {n["target_id"] for n in api.get("/nominations", demo.user(who)).get_json()["items"]}
        for who in ("demo-village-admin", "demo-township-admin-2", "demo-city-admin")
    }
    assert seen == {
        "demo-village-admin": {va.id},
        "demo-township-admin-2": {vb.id},
        "demo-city-admin": {va.id, vb.id},
    }
    assert api.get("/nominations", demo.user("demo-resident")).status_code == 403
    one = api.get("/nominations", demo.user("demo-village-admin")).get_json()["items"][0]
    assert (
        api.get(f"/nominations/{one['id']}", demo.user("demo-village-admin-2")).status_code == 404
    )


def test_reject_then_nominate_again(api, demo):
    star = award_type()
    _, volunteer = make_volunteer(demo.village_a, "再推")
    admin = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    nomination_id = nominate(api, admin, star.id, volunteer.id).get_json()["id"]
    assert api.post(f"/nominations/{nomination_id}/reject", township, json={}).status_code == 422
    rejected = api.post(
        f"/nominations/{nomination_id}/reject", township, json={"reason": "事迹材料不足"}
    )
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    notice = db.session.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert notice.fields["result"] == "未通过"
    assert nominate(api, admin, star.id, volunteer.id).status_code == 201
    late = api.post(f"/nominations/{nomination_id}/approve", township, json={})
    assert late.status_code == 409


def test_team_award_points_go_to_each_approved_member(api, demo):
    team = next(t for t in demo.teams if t.region_id == demo.village_a.id)
    m1, _ = make_volunteer(demo.village_a, "队员一", team=team)
    m2, _ = make_volunteer(demo.village_a, "队员二", team=team)
    off, _ = make_volunteer(demo.village_a, "队员三", team=team, status="suspended")
    team_star = award_type("优秀服务队", "village", "team", 10)
    nomination_id = nominate(api, demo.user("demo-village-admin"), team_star.id, team.id)
    nomination_id = nomination_id.get_json()["id"]
    approved = api.post(
        f"/nominations/{nomination_id}/approve", demo.user("demo-township-admin"), json={}
    )
    assert approved.status_code == 200
    assert (balance_of(m1.id), balance_of(m2.id), balance_of(off.id)) == (10, 10, 0)
    cert = db.session.scalar(select(Certificate))
    assert cert.holder_name == team.name and cert.user_id is None


def test_revocation_reverses_points_and_certificate(api, demo):
    star = award_type()
    user, volunteer = make_volunteer(demo.village_a, "韩小撤")
    nomination_id = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id)
    nomination_id = nomination_id.get_json()["id"]
    township = demo.user("demo-township-admin")
    body = api.post(f"/nominations/{nomination_id}/approve", township, json={}).get_json()
    award_id, number = body["award_id"], body["certificate_number"]
    wrong = api.post(
        f"/awards/{award_id}/revoke", demo.user("demo-city-admin"), json={"reason": "x"}
    )
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "award_wrong_tier"
    outside = api.post(
        f"/awards/{award_id}/revoke", demo.user("demo-township-admin-2"), json={"reason": "x"}
    )
    assert outside.status_code == 404
    assert api.post(f"/awards/{award_id}/revoke", township, json={}).status_code == 422
    revoked = api.post(f"/awards/{award_id}/revoke", township, json={"reason": "事迹核实不符"})
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    assert balance_of(user.id) == 0
    assert check_points() == []
    cert = api.get(f"/certificates/{number}").get_json()
    assert cert["valid"] is False and cert["status_name"] == "已撤销"
    assert cert["revoke_reason"] == "事迹核实不符"
    assert api.get("/awards").get_json()["total"] == 0
    twice = api.post(f"/awards/{award_id}/revoke", township, json={"reason": "再次"})
    assert twice.status_code == 409
    notice = db.session.scalar(
        select(Notification).where(Notification.dedupe_key == f"award:{award_id}:revoked")
    )
    assert notice.user_id == user.id and notice.fields["result"] == "已撤销"
    # the same award can be nominated again after a revocation
    assert nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id).status_code == 201


def test_approve_honours_idempotency_key(api, demo):
    star = award_type()
    user, volunteer = make_volunteer(demo.village_a, "幂等")
    nomination_id = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id)
    nomination_id = nomination_id.get_json()["id"]
    township = demo.user("demo-township-admin")
    headers = {"Idempotency-Key": "approve-1"}
    first = api.post(f"/nominations/{nomination_id}/approve", township, json={}, headers=headers)
    again = api.post(f"/nominations/{nomination_id}/approve", township, json={}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.get_json() == first.get_json()
    assert balance_of(user.id) == 20


def test_lists_have_no_n_plus_one(api, demo):
    star = award_type()
    township = demo.user("demo-township-admin")
    for i in range(6):
        _, volunteer = make_volunteer(demo.village_a, f"批{i}")
        nomination_id = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id)
        api.post(f"/nominations/{nomination_id.get_json()['id']}/approve", township, json={})
    headers = api.headers(demo.user("demo-city-admin"))
    counts = {}
    statements = []

    def count(*_args):
        statements.append(1)

    for path in ("/api/v1/nominations", "/api/v1/awards"):
        for size in (2, 6):
            db.session.remove()
            statements.clear()
            event.listen(db.engine, "before_cursor_execute", count)
            try:
                response = api.client.get(f"{path}?page_size={size}", headers=headers)
            finally:
                event.remove(db.engine, "before_cursor_execute", count)
            assert len(response.get_json()["items"]) == size
            counts[(path, size)] = len(statements)
    assert counts[("/api/v1/nominations", 2)] == counts[("/api/v1/nominations", 6)], counts
    assert counts[("/api/v1/awards", 2)] == counts[("/api/v1/awards", 6)], counts


@pytest.mark.mysql
def test_racing_approvals_make_one_award(api, demo, live_server):
    star = award_type()
    user, volunteer = make_volunteer(demo.village_a, "并发")
    nomination_id = nominate(api, demo.user("demo-village-admin"), star.id, volunteer.id)
    nomination_id = nomination_id.get_json()["id"]
    user_id = user.id
    township = demo.user("demo-township-admin")
    tokens = [api.token_for(township) for _ in range(8)]
    statuses = []
    barrier = threading.Barrier(len(tokens))

    def approve(token):
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/nominations/{nomination_id}/approve",
            json={},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=approve, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 7, statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Award.id))) == 1
    assert db.session.scalar(select(func.count(Certificate.id))) == 1
    grants = db.session.scalar(
        select(func.count(PointsEntry.id)).where(PointsEntry.source_type == "award")
    )
    assert grants == 1 and balance_of(user_id) == 20
    assert check_points() == []
