"""GET /me/points and POST/GET /points/adjustments: ledger, totals, scope, idempotency, races."""

from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import func, select

from backend.extensions import db
from backend.models import AuditLog, PointsAdjustment, PointsEntry, PointsTotal
from backend.services.points import balance_of, check_points
from tests.recognition_helpers import grant_at, make_volunteer


def adjust(api, admin, user_id, amount, reason="参加防汛值守表现突出", key=None, **extra):
    body = {"user_id": user_id, "amount": amount, "reason": reason, **extra}
    headers = {"Idempotency-Key": key or f"k-{user_id}-{amount}-{reason}"}
    return api.post("/points/adjustments", admin, json=body, headers=headers)


def test_my_points_balance_totals_and_ledger(api, demo):
    user, _ = make_volunteer(demo.village_a, "钱多多")
    grant_at("2026-03-01T09:00:00+08:00", user, 10, demo.village_a, "a1")
    grant_at("2026-03-09T09:00:00+08:00", user, 5, demo.village_a, "a2")
    grant_at("2026-03-10T09:00:00+08:00", user, 3, demo.village_a, "a3")
    grant_at("2026-03-10T10:00:00+08:00", user, -2, demo.village_a, "d1", source="adjustment")
    response = api.get("/me/points?date=2026-03-10&page_size=2", user)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["balance"] == 16 and body["earned"] == 18
    assert body["totals"] == {
        "day": 1,
        "week": 6,
        "month": 16,
        "quarter": 16,
        "year": 16,
        "all": 16,
    }
    assert body["total"] == 4 and len(body["items"]) == 2
    assert [e["amount"] for e in body["items"]] == [-2, 3]  # newest first
    assert body["items"][0]["source_name"] == "人工调整"
    assert body["items"][0]["created_at"] == "2026-03-10T10:00:00+08:00"
    only = api.get("/me/points?source_type=adjustment", user).get_json()
    assert only["total"] == 1
    assert api.get("/me/points").status_code == 401
    assert api.get("/me/points?source_type=gift", user).status_code == 422
    assert api.get("/me", user).get_json()["points"] == 16


def test_adjustment_grants_audits_and_keeps_totals(api, demo):
    user, volunteer = make_volunteer(demo.village_a, "孙加分")
    admin = demo.user("demo-village-admin")
    response = adjust(api, admin, user.id, 15)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["amount"] == 15 and body["balance"] == 15 and body["region_id"] == demo.village_a.id
    entry = db.session.scalar(select(PointsEntry).where(PointsEntry.user_id == user.id))
    assert (entry.source_type, entry.source_id, entry.actor_id) == (
        "adjustment",
        str(body["id"]),
        admin.id,
    )
    log = db.session.scalar(select(AuditLog).where(AuditLog.action == "points.adjust"))
    assert log.actor_id == admin.id and log.reason == "参加防汛值守表现突出"
    assert log.after == {"user_id": user.id, "amount": 15}
    # totals of the village, its township and the city, for all six periods
    assert db.session.scalar(select(func.count()).where(PointsTotal.user_id == user.id)) == 18
    deduct = adjust(api, admin, user.id, -20, reason="违反值守纪律")
    assert deduct.status_code == 409 and deduct.get_json()["code"] == "points_insufficient"
    assert adjust(api, admin, user.id, -15, reason="违反值守纪律").status_code == 201
    assert balance_of(user.id) == 0
    assert check_points() == []
    listing = api.get(f"/points/adjustments?user_id={user.id}", admin).get_json()
    assert [a["amount"] for a in listing["items"]] == [-15, 15]


def test_adjustment_idempotency_key(api, demo):
    user, _ = make_volunteer(demo.village_a, "周幂等")
    admin = demo.user("demo-village-admin")
    missing = api.post(
        "/points/adjustments", admin, json={"user_id": user.id, "amount": 5, "reason": "表现好"}
    )
    assert missing.status_code == 422 and missing.get_json()["code"] == "idempotency_key_missing"
    first = adjust(api, admin, user.id, 5, key="same-key")
    again = adjust(api, admin, user.id, 5, key="same-key")
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.get_json() == first.get_json()
    other = adjust(api, admin, user.id, 6, key="same-key")
    assert other.status_code == 409 and other.get_json()["code"] == "idempotency_key_reused"
    assert balance_of(user.id) == 5
    assert db.session.scalar(select(func.count(PointsAdjustment.id))) == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("amount", 0),
        ("amount", 5000),  # above POINTS_ADJUSTMENT_LIMIT
        ("amount", "ten"),
        ("reason", ""),
        ("region_id", 1),  # mass assignment
        ("actor_id", 1),
        ("source_type", "award"),
    ],
)
def test_adjustment_validation(api, demo, field, value):
    user, _ = make_volunteer(demo.village_a, "吴校验")
    body = {"user_id": user.id, "amount": 5, "reason": "表现好", field: value}
    response = api.post(
        "/points/adjustments",
        demo.user("demo-city-admin"),
        json=body,
        headers={"Idempotency-Key": f"v-{field}"},
    )
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert balance_of(user.id) == 0


# Who may adjust the points of a volunteer of village A (龙津社区, 剑光街道)?
MATRIX = [
    ("demo-resident", 403),
    ("demo-volunteer", 403),
    ("demo-grid-worker", 403),
    ("demo-village-admin", 201),
    ("demo-village-admin-2", 404),
    ("demo-township-admin", 201),
    ("demo-township-admin-2", 404),
    ("demo-city-admin", 201),
]


@pytest.mark.parametrize("who,expected", MATRIX)
def test_adjustment_authorization_matrix(api, demo, who, expected):
    user, _ = make_volunteer(demo.village_a, "郑矩阵")
    response = adjust(api, demo.user(who), user.id, 3)
    assert response.status_code == expected, response.get_json()
    assert balance_of(user.id) == (3 if expected == 201 else 0)
    listing = api.get("/points/adjustments", demo.user(who))
    if expected == 403:
        assert listing.status_code == 403
    else:
        ids = [a["user_id"] for a in listing.get_json()["items"]]
        assert (user.id in ids) == (expected == 201)


def test_adjusting_an_unknown_or_non_volunteer_user_is_404(api, demo, new_user):
    admin = demo.user("demo-city-admin")
    assert adjust(api, admin, new_user("resident").id, 5).status_code == 404
    assert adjust(api, admin, 999_999, 5).status_code == 404


@pytest.mark.mysql
def test_racing_deductions_never_overdraw(api, demo, live_server):
    user, _ = make_volunteer(demo.village_a, "冯并发")
    admin = demo.user("demo-village-admin")
    grant_at("2026-03-01T09:00:00+08:00", user, 10, demo.village_a)
    headers = {"Authorization": f"Bearer {api.token_for(admin)}"}
    user_id = user.id
    statuses = []
    barrier = threading.Barrier(6)

    def deduct(i):
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/points/adjustments",
            json={"user_id": user_id, "amount": -4, "reason": f"扣分测试{i}"},
            headers={**headers, "Idempotency-Key": f"race-{i}"},
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=deduct, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 201, 409, 409, 409, 409], statuses
    db.session.expire_all()
    assert balance_of(user_id) == 2
    assert check_points() == []


@pytest.mark.mysql
def test_racing_retries_with_one_key_grant_once(api, demo, live_server):
    user, _ = make_volunteer(demo.village_a, "陈重试")
    admin = demo.user("demo-village-admin")
    headers = {"Authorization": f"Bearer {api.token_for(admin)}", "Idempotency-Key": "one-key"}
    user_id = user.id
    statuses = []
    barrier = threading.Barrier(5)

    def send():
        barrier.wait()
        response = requests.post(
            f"{live_server.url}/api/v1/points/adjustments",
            json={"user_id": user_id, "amount": 7, "reason": "重复提交测试"},
            headers=headers,
            timeout=30,
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) >= 1 and set(statuses) <= {201, 409}, statuses
    db.session.expire_all()
    assert balance_of(user_id) == 7
    assert db.session.scalar(select(func.count(PointsAdjustment.id))) == 1
