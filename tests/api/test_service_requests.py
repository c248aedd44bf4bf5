"""Service requests: submission, the state machine, dispatch, authorization, privacy, moderation."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from freezegun import freeze_time

from backend.extensions import db
from backend.models import AuditLog, PointsEntry, ServiceRequest, ServiceRequestEvent
from backend.services.roles import grant_role
from tests.service_request_helpers import (
    GRID_A1,
    GRID_A2,
    body,
    fresh,
    notices,
    submit,
    to_state,
    upload,
)

T0 = "2026-03-02T01:00:00+00:00"  # 09:00 in China


# ---------------------------------------------------------------------------------------------
# Submission
# ---------------------------------------------------------------------------------------------


def test_categories_are_public_and_carry_the_emergency_notice(api, app):
    response = api.get("/service-requests/categories")
    assert response.status_code == 200
    data = response.get_json()
    assert [c["category"] for c in data["items"]] == [
        "help",
        "hazard",
        "dispute",
        "tip_off",
        "suggestion",
        "other",
    ]
    assert "110" in data["emergency_notice"]
    hazard = data["items"][1]
    assert hazard["name"] == "隐患" and not hazard["anonymous_allowed"]
    assert hazard["deadlines"]["urgent"] == {"accept_minutes": 15, "resolve_minutes": 240}
    assert data["items"][3]["anonymous_allowed"] is True


@freeze_time(T0)
def test_submit_starts_the_clocks_and_tells_the_area(api, demo, new_user):
    user = new_user("居民甲")
    grid = demo.region(GRID_A1)
    data = submit(api, user, grid, urgency="urgent")
    assert data["status"] == "submitted" and data["status_name"] == "待受理"
    assert data["tier"] == "village" and data["tier_region"]["id"] == demo.village_a.id
    assert data["region"]["id"] == grid.id and data["village"]["id"] == demo.village_a.id
    assert "110" in data["emergency_notice"]
    # hazard/urgent: 15 minutes to accept, 4 hours to resolve (config defaults)
    assert data["accept_due_at"] == "2026-03-02T09:15:00+08:00"
    assert data["resolve_due_at"] == "2026-03-02T13:00:00+08:00"
    assert data["overdue"] is False
    assert data["number"] == f"FW20260302{data['id']:06d}"
    assert data["is_mine"] and data["requester"]["nickname"] == "居民甲"
    assert [e["action"] for e in data["timeline"]] == ["submitted"]
    assert data["timeline"][0]["actor_label"] == "请求人"
    assert {a["action"] for a in data["actions"]} == {"cancel", "note"}
    # the village admin and the grid's grid worker are told; the police officer is not
    for name in ("demo-village-admin", "demo-grid-worker"):
        alerts = notices(demo.user(name).id, "service_request_update")
        assert len(alerts) == 1 and alerts[0].fields["status"] == "待受理"
    assert notices(demo.user("demo-police").id) == []


def test_submit_requires_consent(api, demo, new_user):
    response = api.post(
        "/service-requests", new_user("nc", consent=False), json=body(demo.village_a)
    )
    assert response.status_code == 403 and response.get_json()["code"] == "consent_required"


@pytest.mark.parametrize(
    "field,value",
    [
        ("category", "fire"),
        ("description", "短"),
        ("urgency", "emergency"),
        ("region_id", "x"),
        ("latitude", 91),
        ("contact_method", "fax"),
        ("contact_phone", "12345"),
        ("photos", [f"/api/v1/uploads/202603-{i:032x}.png" for i in range(10)]),
        # mass assignment: server-computed fields are unknown fields
        ("status", "resolved"),
        ("tier", "city"),
        ("requester_id", 1),
        ("assignee_id", 1),
        ("moderation", "pass"),
        ("accept_due_at", "2030-01-01T00:00:00+08:00"),
        ("points", 100),
        ("rating", 5),
    ],
)
def test_submit_validation(api, demo, new_user, field, value):
    response = api.post(
        "/service-requests", new_user("v"), json=body(demo.village_a, **{field: value})
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"anonymous": True}, "anonymous"),  # only tip-offs may be anonymous
        ({"contact_method": "phone"}, "contact_phone"),  # phone contact needs a number
        (
            {"category": "tip_off", "anonymous": True, "contact_phone": "13912345678"},
            "contact_phone",
        ),
        ({"photos": ["https://evil.example.com/a.png"]}, "photos"),
        ({"photos": ["/api/v1/uploads/202603-" + "a" * 32 + ".png"]}, "photos"),  # not stored
    ],
)
def test_submit_rules(api, demo, new_user, overrides, field):
    response = api.post("/service-requests", new_user("r"), json=body(demo.village_a, **overrides))
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_submit_needs_a_village_or_grid(api, demo, new_user):
    response = api.post("/service-requests", new_user("t"), json=body(demo.township_a))
    assert response.status_code == 422 and "region_id" in response.get_json()["errors"]
    missing = api.post(
        "/service-requests", new_user("w"), json=body(demo.village_a, region_id=10**6)
    )
    assert missing.status_code == 404 and missing.get_json()["code"] == "region_not_found"


def test_photos_must_be_my_own_uploads(api, demo, new_user):
    owner, other = new_user("owner"), new_user("other")
    url = upload(api, owner).get_json()["url"]
    stolen = api.post("/service-requests", other, json=body(demo.village_a, photos=[url]))
    assert stolen.status_code == 422 and "photos" in stolen.get_json()["errors"]
    mine = submit(api, owner, demo.village_a, photos=[url, "http://api.example.cn" + url])
    assert mine["photos"] == [url]  # absolute and relative forms name the same upload
    photo = api.get(url.removeprefix("/api/v1"), demo.user("demo-village-admin"))
    assert photo.status_code == 200 and photo.mimetype == "image/png"


def test_risky_text_is_refused(api, demo, new_user):
    response = api.post(
        "/service-requests",
        new_user("x"),
        json=body(demo.village_a, description="这里有违禁内容出售"),
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "content_risky"
    assert db.session.scalar(db.select(db.func.count(ServiceRequest.id))) == 0


# ---------------------------------------------------------------------------------------------
# Moderation of held text
# ---------------------------------------------------------------------------------------------


def test_review_text_is_held_until_a_moderator_releases_it(api, demo, new_user):
    user = new_user("held")
    data = submit(api, user, demo.region(GRID_A1), description="邻居家有待审的情况需要处理")
    request_id = data["id"]
    assert data["held"] is True and data["moderation"] == "held" and data["notice"]
    assert data["accept_due_at"] is None  # clocks start on release
    assert [e["action"] for e in data["timeline"]] == ["submitted", "held"]
    grid_worker, police = demo.user("demo-grid-worker"), demo.user("demo-police")
    for handler in (grid_worker, police):
        assert api.get(f"/service-requests/{request_id}", handler).status_code == 404
        assert api.get("/service-requests", handler).get_json()["total"] == 0
        claim = api.post(f"/service-requests/{request_id}/claim", handler)
        assert claim.status_code == 404
    assert notices(grid_worker.id) == []  # nobody is told about held text
    # not a moderator: 404 (cannot see it); a moderator of another township: 404
    assert api.post(f"/service-requests/{request_id}/release", police).status_code == 404
    assert (
        api.post(
            f"/service-requests/{request_id}/release", demo.user("demo-village-admin-2")
        ).status_code
        == 404
    )
    admin = demo.user("demo-village-admin")
    seen = api.get(f"/service-requests/{request_id}", admin).get_json()
    assert {a["action"] for a in seen["actions"]} == {"release", "reject"}
    held = api.get("/service-requests?held=true", admin).get_json()
    assert [r["id"] for r in held["items"]] == [request_id]
    # a handler action on held text is refused
    assert (
        api.post(
            f"/service-requests/{request_id}/escalate", admin, json={"reason": "x"}
        ).get_json()["code"]
        == "request_held"
    )
    released = api.post(f"/service-requests/{request_id}/release", admin, json={"note": "已核实"})
    assert released.status_code == 200
    assert released.get_json()["moderation"] == "released"
    assert released.get_json()["accept_due_at"] is not None
    assert api.get(f"/service-requests/{request_id}", grid_worker).status_code == 200
    assert len(notices(grid_worker.id, "service_request_update")) == 1
    again = api.post(f"/service-requests/{request_id}/release", admin)
    assert again.status_code == 409
    assert db.session.scalar(
        db.select(AuditLog).where(AuditLog.action == "service_request.release")
    )


def test_held_text_can_be_refused(api, demo, new_user):
    user = new_user("held2")
    request_id = submit(api, user, demo.village_a, description="这件事待审一下吧谢谢")["id"]
    admin = demo.user("demo-township-admin")
    refused = api.post(f"/service-requests/{request_id}/reject", admin, json={"reason": "内容不当"})
    assert refused.status_code == 200
    assert refused.get_json()["status"] == "rejected"
    assert refused.get_json()["moderation"] == "refused"
    # still invisible to handlers, visible to the requester with the reason
    assert api.get(f"/service-requests/{request_id}", demo.user("demo-police")).status_code == 404
    mine = api.get(f"/service-requests/{request_id}", user).get_json()
    assert mine["timeline"][-1]["note"] == "内容不当"
    assert notices(user.id, "service_request_update")[-1].fields["status"] == "已驳回"


# ---------------------------------------------------------------------------------------------
# The whole story
# ---------------------------------------------------------------------------------------------


def test_lifecycle_assign_accept_resolve_rate(api, demo, new_user):
    user = new_user("居民乙")
    admin, volunteer = demo.user("demo-village-admin"), demo.user("demo-volunteer")
    request_id = submit(api, user, demo.region(GRID_A1), category="dispute")["id"]
    path = f"/service-requests/{request_id}"
    assigned = api.post(
        f"{path}/assign", admin, json={"assignee_id": volunteer.id, "note": "请尽快"}
    )
    assert assigned.status_code == 200
    assert assigned.get_json()["assignee"]["role"] == "volunteer"
    assert assigned.get_json()["status"] == "assigned"
    mine = api.get("/service-requests?scope=assigned", volunteer).get_json()
    assert [r["id"] for r in mine["items"]] == [request_id]
    accepted = api.post(f"{path}/accept", volunteer, json={"note": "马上去现场"})
    assert accepted.get_json()["status"] == "in_progress"
    no_note = api.post(f"{path}/resolve", volunteer, json={})
    assert no_note.status_code == 422 and "note" in no_note.get_json()["errors"]
    resolved = api.post(f"{path}/resolve", volunteer, json={"note": "双方已达成调解协议"})
    assert resolved.get_json()["status"] == "resolved"
    entry = db.session.scalar(db.select(PointsEntry).where(PointsEntry.user_id == volunteer.id))
    assert entry.amount == 10 and entry.source_type == "service_request"
    assert entry.source_id == str(request_id) and entry.region_id == demo.village_a.id
    bad = api.post(f"{path}/rating", user, json={"score": 6})
    assert bad.status_code == 422 and "score" in bad.get_json()["errors"]
    rated = api.post(f"{path}/rating", user, json={"score": 4, "comment": "态度很好"})
    assert rated.status_code == 200
    data = rated.get_json()
    assert (
        data["status"] == "closed" and data["rating"] == 4 and data["rating_comment"] == "态度很好"
    )
    assert [e["action"] for e in data["timeline"]] == [
        "submitted",
        "assigned",
        "accepted",
        "resolved",
        "rated",
    ]
    assert data["timeline"][1]["assignee"]["id"] == volunteer.id
    assert data["timeline"][1]["actor"]["id"] == admin.id
    assert data["timeline"][3]["note"] == "双方已达成调解协议"
    twice = api.post(f"{path}/rating", user, json={"score": 1})
    assert twice.status_code == 409 and twice.get_json()["code"] == "already_rated"
    statuses = [n.fields["status"] for n in notices(user.id, "service_request_update")]
    assert statuses == ["已指派", "处理中", "已办结"]
    assert notices(volunteer.id, "service_request_update")[-1].title == "服务请求获得 4 星评价"
    assert db.session.scalar(
        db.select(AuditLog).where(AuditLog.action == "service_request.assign")
    ).after == {"status": "assigned", "assignee_id": volunteer.id}


def test_grid_worker_claims_requests_of_their_own_grid(api, demo, new_user):
    grid_worker = demo.user("demo-grid-worker")
    own = submit(api, new_user("a"), demo.region(GRID_A1))["id"]
    claimed = api.post(f"/service-requests/{own}/claim", grid_worker)
    assert claimed.status_code == 200
    assert claimed.get_json()["status"] == "in_progress"
    assert claimed.get_json()["assignee"]["id"] == grid_worker.id
    again = api.post(f"/service-requests/{own}/claim", grid_worker)
    assert again.status_code == 409
    # a request of the neighbouring grid is not theirs: not even visible
    other = submit(api, new_user("b"), demo.region(GRID_A2))["id"]
    assert api.post(f"/service-requests/{other}/claim", grid_worker).status_code == 404
    # the village's police officer sees it but is not a grid worker
    police = api.post(f"/service-requests/{other}/claim", demo.user("demo-police"))
    assert police.status_code == 403
    # a grid worker of grid 2 may
    second = new_user("网格员二")
    grant_role(second, "grid_worker", demo.region(GRID_A2))
    db.session.commit()
    assert api.post(f"/service-requests/{other}/claim", second).status_code == 200


def test_points_are_granted_once_per_request(api, demo, new_user):
    user = new_user("pts")
    volunteer = demo.user("demo-volunteer")
    request_id = to_state(api, demo, user, "reopened")
    path = f"/service-requests/{request_id}"
    assert api.post(f"{path}/accept", volunteer).status_code == 200
    assert api.post(f"{path}/resolve", volunteer, json={"note": "已重新固定"}).status_code == 200
    entries = db.session.scalars(
        db.select(PointsEntry).where(PointsEntry.source_id == str(request_id))
    ).all()
    assert len(entries) == 1


# Actions that are legal in each state (for the natural caller of each action).
LEGAL = {
    "submitted": {"assign", "claim", "reject", "escalate", "cancel"},
    "assigned": {"assign", "accept", "reject", "escalate", "cancel"},
    "in_progress": {"assign", "resolve", "reject", "escalate"},
    "resolved": {"reopen", "rating"},
    "closed": set(),
    "rejected": set(),
    "cancelled": set(),
    "reopened": {"assign", "accept", "reject", "escalate"},
}
ACTIONS = [
    "assign",
    "claim",
    "accept",
    "resolve",
    "reject",
    "escalate",
    "cancel",
    "reopen",
    "rating",
    "release",
]


@pytest.mark.parametrize("state", list(LEGAL))
def test_state_machine(api, demo, new_user, state):
    """Every action from every state: legal ones succeed, the rest are 409 and change nothing."""
    admin = demo.user("demo-village-admin")
    grid_worker = demo.user("demo-grid-worker")
    volunteer, volunteer2 = demo.user("demo-volunteer"), demo.user("demo-volunteer-2")
    payloads = {
        "assign": {"assignee_id": volunteer2.id},
        "resolve": {"note": "处理完毕"},
        "reject": {"reason": "重复提交"},
        "escalate": {"reason": "需要乡镇协调"},
        "reopen": {"reason": "问题仍在"},
        "rating": {"score": 3},
    }
    for action in ACTIONS:
        requester = new_user(f"sm-{state}-{action}")
        request_id = to_state(api, demo, requester, state)
        assert fresh(request_id).status == state
        has_handler = fresh(request_id).assignee_id is not None
        callers = {
            "claim": grid_worker,
            "accept": volunteer if has_handler else admin,
            "resolve": volunteer if has_handler else admin,
            "cancel": requester,
            "reopen": requester,
            "rating": requester,
        }
        caller = callers.get(action, admin)
        before = fresh(request_id).version
        response = api.post(
            f"/service-requests/{request_id}/{action}", caller, json=payloads.get(action, {})
        )
        if action in LEGAL[state]:
            assert response.status_code == 200, (state, action, response.get_json())
        elif (state, action) == ("submitted", "accept"):
            assert response.status_code == 403  # nobody is assigned yet: not the assignee
        else:
            assert response.status_code == 409, (state, action, response.get_json())
            assert fresh(request_id).version == before


def test_cancel_and_reopen_rules(api, demo, new_user):
    user = new_user("c")
    admin = demo.user("demo-village-admin")
    request_id = to_state(api, demo, user, "in_progress")
    started = api.post(f"/service-requests/{request_id}/cancel", user)
    assert started.status_code == 409
    assert started.get_json()["message"] == "处理已开始,不能撤销"
    other = to_state(api, demo, new_user("c2"), "submitted")
    not_mine = api.post(f"/service-requests/{other}/cancel", admin)
    assert not_mine.status_code == 403 and not_mine.get_json()["code"] == "not_requester"
    with freeze_time(T0) as clock:
        resolved = to_state(api, demo, new_user("c3"), "resolved")
        owner = db.session.get(ServiceRequest, resolved).requester
        clock.tick(timedelta(days=7, minutes=1))
        late = api.post(f"/service-requests/{resolved}/reopen", owner, json={"reason": "又坏了"})
        assert late.status_code == 409 and late.get_json()["code"] == "reopen_window_passed"
        assert (
            api.post(
                f"/service-requests/{resolved}/reopen", admin, json={"reason": "x"}
            ).status_code
            == 403
        )


def test_reopen_goes_back_to_the_handler_with_fresh_deadlines(api, demo, new_user):
    with freeze_time(T0) as clock:
        user = new_user("ro")
        request_id = to_state(api, demo, user, "resolved")
        clock.tick(timedelta(days=3))
        response = api.post(
            f"/service-requests/{request_id}/reopen", user, json={"reason": "问题仍在"}
        )
        data = response.get_json()
        assert data["status"] == "reopened" and data["resolved_at"] is None
        assert data["accept_due_at"] == "2026-03-05T10:00:00+08:00"  # now + 60 minutes
        volunteer = demo.user("demo-volunteer")
        assert notices(volunteer.id, "service_request_update")[-1].title.startswith(
            "服务请求被重新打开"
        )
        accept = api.post(f"/service-requests/{request_id}/accept", volunteer)
        assert accept.get_json()["status"] == "in_progress"


# ---------------------------------------------------------------------------------------------
# Authorization
# ---------------------------------------------------------------------------------------------

# Who may do what with a request of grid A1 (龙津社区, 剑光街道) at the village tier?
MATRIX = {
    #                      get  assign candidates reject escalate
    "demo-resident": (404, 404, 404, 404, 404),
    "demo-volunteer": (404, 404, 404, 404, 404),  # not assigned: volunteers see their own only
    "demo-grid-worker": (200, 200, 200, 200, 200),
    "demo-police": (200, 403, 403, 403, 403),
    "demo-village-admin": (200, 200, 200, 200, 200),
    "demo-village-admin-2": (404, 404, 404, 404, 404),
    "demo-township-admin": (200, 200, 200, 200, 200),
    "demo-township-admin-2": (404, 404, 404, 404, 404),
    "demo-city-admin": (200, 200, 200, 200, 200),
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_authorization_matrix(api, demo, new_user, who):
    caller = demo.user(who)
    expected = dict(
        zip(("get", "assign", "candidates", "reject", "escalate"), MATRIX[who], strict=True)
    )
    police = demo.user("demo-police")
    for action, status in expected.items():
        request_id = submit(api, new_user(f"m-{action}"), demo.region(GRID_A1))["id"]
        path = f"/service-requests/{request_id}"
        if action == "get":
            response = api.get(path, caller)
            listed = api.get("/service-requests", caller).get_json()["items"]
            assert (request_id in [r["id"] for r in listed]) == (status == 200)
        elif action == "candidates":
            response = api.get(f"{path}/candidates", caller)
        elif action == "assign":
            response = api.post(f"{path}/assign", caller, json={"assignee_id": police.id})
        else:
            response = api.post(f"{path}/{action}", caller, json={"reason": "测试"})
        assert response.status_code == status, (who, action, response.get_json())
        if status != 200:
            req = fresh(request_id)
            assert (req.status, req.tier, req.assignee_id) == ("submitted", "village", None)


def test_escalated_requests_belong_to_the_new_tier_and_stay_visible_below(api, demo, new_user):
    user = new_user("esc")
    village_admin, township_admin = (
        demo.user("demo-village-admin"),
        demo.user("demo-township-admin"),
    )
    request_id = submit(api, user, demo.region(GRID_A1))["id"]
    path = f"/service-requests/{request_id}"
    escalated = api.post(f"{path}/escalate", village_admin, json={"reason": "涉及多个部门"})
    assert escalated.status_code == 200
    data = escalated.get_json()
    assert data["tier"] == "township" and data["tier_region"]["id"] == demo.township_a.id
    assert data["escalation_count"] == 1 and data["timeline"][-1]["note"] == "涉及多个部门"
    # lower tiers still see it, but it is no longer theirs to dispatch
    for name in ("demo-village-admin", "demo-grid-worker", "demo-police"):
        assert api.get(path, demo.user(name)).status_code == 200
    refused = api.post(
        f"{path}/assign", village_admin, json={"assignee_id": demo.user("demo-police").id}
    )
    assert refused.status_code == 403 and refused.get_json()["code"] == "not_current_tier"
    assert api.post(f"{path}/claim", demo.user("demo-grid-worker")).status_code == 403
    alerts = notices(township_admin.id, "escalation_alert")
    assert len(alerts) == 1 and alerts[0].fields["tier"] == "乡镇(街道)"
    assert alerts[0].fields["reason"] == "涉及多个部门"
    assert notices(demo.user("demo-township-admin-2").id) == []
    # the township may take handlers from the whole township (新城社区's volunteer included)
    names = [
        c["user_id"] for c in api.get(f"{path}/candidates", township_admin).get_json()["items"]
    ]
    assert demo.user("demo-volunteer-3").id in names
    ok = api.post(
        f"{path}/assign", township_admin, json={"assignee_id": demo.user("demo-volunteer-3").id}
    )
    assert ok.status_code == 200
    to_city = api.post(f"{path}/escalate", township_admin, json={"reason": "需市级协调"})
    assert to_city.get_json()["tier"] == "city"
    assert len(notices(demo.user("demo-city-admin").id, "escalation_alert")) == 1
    top = api.post(f"{path}/escalate", demo.user("demo-city-admin"), json={"reason": "再上报"})
    assert top.status_code == 409 and top.get_json()["code"] == "already_top_tier"
    assert (
        db.session.scalar(
            db.select(db.func.count(AuditLog.id)).where(
                AuditLog.action == "service_request.escalate"
            )
        )
        == 2
    )


def test_the_assignee_may_escalate_by_hand(api, demo, new_user):
    request_id = to_state(api, demo, new_user("h"), "in_progress")
    volunteer = demo.user("demo-volunteer")
    no_reason = api.post(f"/service-requests/{request_id}/escalate", volunteer, json={})
    assert no_reason.status_code == 422
    response = api.post(
        f"/service-requests/{request_id}/escalate", volunteer, json={"reason": "超出能力范围"}
    )
    assert response.status_code == 200 and response.get_json()["tier"] == "township"
    assert response.get_json()["timeline"][-1]["actor"]["id"] == volunteer.id


def test_candidates_are_suggested_by_skills_and_load(api, demo, new_user):
    admin = demo.user("demo-village-admin")
    request_id = submit(api, new_user("d"), demo.region(GRID_A1), category="dispute")["id"]
    items = api.get(f"/service-requests/{request_id}/candidates", admin).get_json()["items"]
    ids = [c["user_id"] for c in items]
    # 李建国 (调解员) first; grid worker, police and the other village volunteer follow
    assert ids[0] == demo.user("demo-volunteer-2").id
    assert items[0]["matched_skills"] == ["调解员"] and items[0]["suggested"] is True
    assert set(ids) == {
        demo.user(n).id
        for n in ("demo-volunteer-2", "demo-volunteer", "demo-grid-worker", "demo-police")
    }
    # load counts: give the mediator two open requests; the grid worker then ranks above
    for i in range(2):
        other = submit(api, new_user(f"load{i}"), demo.region(GRID_A1), category="dispute")["id"]
        api.post(
            f"/service-requests/{other}/assign",
            admin,
            json={"assignee_id": demo.user("demo-volunteer-2").id},
        )
    items = api.get(f"/service-requests/{request_id}/candidates", admin).get_json()["items"]
    mediator = next(c for c in items if c["user_id"] == demo.user("demo-volunteer-2").id)
    assert mediator["open_count"] == 2
    # someone from another township cannot be assigned
    outsider = api.post(
        f"/service-requests/{request_id}/assign",
        admin,
        json={"assignee_id": demo.user("demo-volunteer-4").id},
    )
    assert outsider.status_code == 422 and outsider.get_json()["code"] == "assignee_not_eligible"
    assert fresh(request_id).assignee_id is None


# ---------------------------------------------------------------------------------------------
# Privacy
# ---------------------------------------------------------------------------------------------


def test_contact_phone_is_shown_to_the_assignee_only_while_assigned(api, demo, new_user):
    user = new_user("ph")
    request_id = submit(
        api, user, demo.region(GRID_A1), contact_method="phone", contact_phone="13911112222"
    )["id"]
    path = f"/service-requests/{request_id}"
    admin, volunteer = demo.user("demo-village-admin"), demo.user("demo-volunteer")
    assert api.get(path, user).get_json()["contact_phone"] == "13911112222"
    assert api.get(path, admin).get_json()["contact_phone"] == "139****2222"
    api.post(f"{path}/assign", admin, json={"assignee_id": volunteer.id})
    assert api.get(path, volunteer).get_json()["contact_phone"] == "13911112222"
    assert api.get(path, admin).get_json()["contact_phone"] == "139****2222"
    stored = fresh(request_id).contact_phone_enc
    assert "13911112222" not in stored  # encrypted at rest
    api.post(f"{path}/accept", volunteer)
    api.post(f"{path}/resolve", volunteer, json={"note": "已处理"})
    assert api.get(path, volunteer).get_json()["contact_phone"] == "139****2222"


def test_anonymous_tip_offs_never_reveal_the_requester_to_handlers(api, demo, new_user):
    tipster = new_user("匿名线索人王五")
    data = submit(
        api,
        tipster,
        demo.region(GRID_A1),
        category="tip_off",
        anonymous=True,
        description="村口小卖部疑似向未成年人售酒",
    )
    request_id = data["id"]
    assert data["requester"]["id"] == tipster.id and data["is_mine"]  # the owner sees it
    assert data["contact_method"] == "none"
    path = f"/service-requests/{request_id}"
    admin, grid_worker = demo.user("demo-village-admin"), demo.user("demo-grid-worker")
    township = demo.user("demo-township-admin")
    bodies = []

    def keep(response):
        assert response.status_code in (200, 201), response.get_json()
        bodies.append(response.get_data(as_text=True))
        return response

    keep(api.post(f"{path}/notes", tipster, json={"note": "晚上八点后最明显"}))
    bodies.clear()  # the owner's own answers may name them
    keep(api.get(path, admin))
    keep(api.get("/service-requests", admin))
    keep(api.get("/service-requests?format=csv", admin))
    keep(api.get(f"{path}/candidates", admin))
    keep(api.post(f"{path}/assign", admin, json={"assignee_id": grid_worker.id}))
    keep(api.get(path, grid_worker))
    keep(api.post(f"{path}/accept", grid_worker))
    keep(api.post(f"{path}/notes", grid_worker, json={"note": "已暗访核实"}))
    keep(api.post(f"{path}/escalate", grid_worker, json={"reason": "需联合执法"}))
    keep(api.get(path, township))
    keep(api.get("/service-requests?scope=all&tier=township", township))
    keep(api.post(f"{path}/resolve", grid_worker, json={"note": "已移交市场监管所"}))
    keep(api.get(path, grid_worker))
    for text in bodies:
        assert "匿名线索人王五" not in text
        assert "sandbox-匿名线索人王五" not in text
        if text.startswith("{"):
            _assert_no_identity(json.loads(text), tipster.id)
    detail = api.get(path, admin).get_json()
    assert detail["requester"] is None and detail["is_mine"] is False
    assert detail["contact_phone"] is None
    requester_lines = [e for e in detail["timeline"] if e["actor_label"] == "匿名举报人"]
    assert len(requester_lines) == 2  # submitted + note
    assert all(e["actor"] is None for e in requester_lines)
    # notices to staff do not name the tipster either
    for name in ("demo-village-admin", "demo-grid-worker", "demo-township-admin"):
        for notice in notices(demo.user(name).id):
            assert "王五" not in f"{notice.title}{notice.body}{notice.fields}"
    # the owner still sees everything that is theirs
    own = api.get(path, tipster).get_json()
    assert own["requester"]["id"] == tipster.id
    assert own["timeline"][0]["actor"]["id"] == tipster.id


def _assert_no_identity(node, user_id: int) -> None:
    """No requester object, no actor/assignee/user reference to ``user_id`` anywhere."""
    if isinstance(node, list):
        for item in node:
            _assert_no_identity(item, user_id)
    elif isinstance(node, dict):
        assert node.get("requester") is None
        for key in ("actor", "assignee"):
            if isinstance(node.get(key), dict):
                assert node[key]["id"] != user_id, node
        assert node.get("user_id") != user_id
        for value in node.values():
            _assert_no_identity(value, user_id)


def test_anonymous_is_only_for_tip_offs(api, demo, new_user):
    response = api.post(
        "/service-requests", new_user("an"), json=body(demo.village_a, anonymous=True)
    )
    assert response.status_code == 422 and "anonymous" in response.get_json()["errors"]


# ---------------------------------------------------------------------------------------------
# Notes, lists, exports
# ---------------------------------------------------------------------------------------------


def test_notes(api, demo, new_user):
    user = new_user("n")
    request_id = to_state(api, demo, user, "in_progress")
    path = f"/service-requests/{request_id}/notes"
    assert api.post(path, user, json={"note": "门口有狗,请注意"}).status_code == 201
    assert (
        api.post(path, demo.user("demo-volunteer"), json={"note": "明早九点上门"}).status_code
        == 201
    )
    assert api.post(path, demo.user("demo-resident"), json={"note": "路过"}).status_code == 404
    assert api.post(path, demo.user("demo-police"), json={"note": "旁观"}).status_code == 403
    assert api.post(path, user, json={}).status_code == 422
    held = api.post(path, user, json={"note": "这段话待审"})
    assert held.status_code == 422 and held.get_json()["code"] == "content_under_review"
    risky = api.post(path, user, json={"note": "违禁"})
    assert risky.status_code == 422 and risky.get_json()["code"] == "content_risky"
    notes = db.session.scalars(
        db.select(ServiceRequestEvent.note).where(
            ServiceRequestEvent.request_id == request_id, ServiceRequestEvent.action == "note"
        )
    ).all()
    assert notes == ["门口有狗,请注意", "明早九点上门"]
    assert notices(user.id, "service_request_update")[-1].body == "明早九点上门"


def test_queue_filters_and_export(api, demo, new_user):
    admin = demo.user("demo-village-admin")
    with freeze_time(T0) as clock:
        late = submit(api, new_user("q1"), demo.region(GRID_A1))["id"]
        clock.tick(timedelta(minutes=50))
        fresh_one = submit(
            api, new_user("q2"), demo.village_a, category="suggestion", urgency="urgent"
        )["id"]
        working = to_state(api, demo, new_user("q3"), "in_progress")
        clock.tick(timedelta(minutes=20))  # the first is 70 minutes old: past its hour
        overdue = api.get("/service-requests?overdue=true", admin).get_json()
        assert [r["id"] for r in overdue["items"]] == [late]
        assert overdue["items"][0]["overdue"] is True
        not_overdue = api.get("/service-requests?overdue=false", admin).get_json()
        assert late not in [r["id"] for r in not_overdue["items"]]
        by_status = api.get("/service-requests?status=in_progress", admin).get_json()
        assert [r["id"] for r in by_status["items"]] == [working]
        urgent = api.get("/service-requests?urgency=urgent&category=suggestion", admin).get_json()
        assert [r["id"] for r in urgent["items"]] == [fresh_one]
        unassigned = api.get("/service-requests?unassigned=true&order=due", admin).get_json()
        assert [r["id"] for r in unassigned["items"]] == [late, fresh_one]
        grid = api.get(f"/service-requests?region_id={demo.region(GRID_A1).id}", admin).get_json()
        assert late in [r["id"] for r in grid["items"]] and fresh_one not in [
            r["id"] for r in grid["items"]
        ]
        page = api.get("/service-requests?page_size=2", admin).get_json()
        assert page["total"] == 3 and len(page["items"]) == 2
        assert api.get("/service-requests?status=nope", admin).status_code == 422
        export = api.get("/service-requests?format=csv&overdue=true", admin)
        assert export.status_code == 200 and export.mimetype == "text/csv"
        text = export.get_data(as_text=True)
        assert "编号" in text and text.count("\n") == 2 and ",是," in text
        xlsx = api.get("/service-requests?format=xlsx", admin)
        assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
        # a resident may list their own but not export
        resident = db.session.get(ServiceRequest, late).requester
        assert api.get("/service-requests?scope=mine", resident).get_json()["total"] == 1
        assert api.get("/service-requests?format=csv", resident).status_code == 403


def test_list_has_no_n_plus_one(app, api, demo, new_user):
    from sqlalchemy import event

    for i in range(6):
        to_state(api, demo, new_user(f"np{i}"), "assigned" if i % 2 else "submitted")
    admin = demo.user("demo-city-admin")
    headers = api.headers(admin)
    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        small = api.client.get("/api/v1/service-requests?page_size=2", headers=headers)
        n_small = len(statements)
        statements.clear()
        db.session.remove()
        large = api.client.get("/api/v1/service-requests?page_size=10", headers=headers)
        n_large = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert small.status_code == large.status_code == 200
    assert len(large.get_json()["items"]) == 6 > len(small.get_json()["items"])
    assert n_large == n_small, (n_small, n_large)


def test_service_code_opens_the_form_for_a_village_or_grid(api, demo, sandbox):
    admin = demo.user("demo-village-admin")
    grid = demo.region(GRID_A1)
    response = api.get(f"/service-requests/service-code?region_id={grid.id}", admin)
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.data[:8] == b"\x89PNG\r\n\x1a\n"
    other = api.get(f"/service-requests/service-code?region_id={demo.village_b.id}", admin)
    assert other.status_code == 403
    township = api.get(f"/service-requests/service-code?region_id={demo.township_a.id}", admin)
    assert township.status_code == 422
    resident = api.get(
        f"/service-requests/service-code?region_id={grid.id}", demo.user("demo-resident")
    )
    assert resident.status_code == 403
