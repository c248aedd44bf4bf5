"""The expense workflow: approvals (never one's own; big ones by the city), payment, notices."""

from __future__ import annotations

import pytest

from backend.extensions import db
from backend.models import AuditLog, Expense, FundEntry, Notification
from tests.funds_support import admin, assert_consistent, donate, expense, fund_row, open_fund


@pytest.fixture
def funded(api, demo):
    """Village A's fund with 1000.00 元 in it."""
    fund = open_fund(api, demo)
    donate(api, demo.user("demo-village-admin"), fund["id"], 100_000)
    return fund


def submit(api, user, fund_id, amount_fen=5_000, **overrides):
    response = api.post(f"/funds/{fund_id}/expenses", user, json=expense(amount_fen, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def notices(user_id, kind="expense_review"):
    return db.session.scalars(
        db.select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
    ).all()


def test_submit_approve_pay_moves_the_balance_once(api, demo, funded):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    created = submit(api, village, funded["id"], 12_000)
    assert created["status"] == "pending" and created["amount_yuan"] == "120.00"
    assert created["actions"] == ["cancel"]  # the submitter may not approve
    assert created["attachments"] == ["/api/v1/uploads/receipt-1.jpg"]
    # the township admin (the nearest tier above the submitter) is asked to decide
    [asked] = notices(township.id)
    assert asked.fields == {
        "fund": "龙津社区平安基金",
        "amount_yuan": "120.00",
        "result": "待审批",
        "note": "购买巡逻手电筒",
    }
    assert asked.page.endswith(f"approvals/index?id={created['id']}")
    assert notices(demo.user("demo-city-admin").id) == []
    assert fund_row(funded["id"]).balance_fen == 100_000  # pending spends nothing
    queue = api.get("/expenses?actionable=true", township).get_json()
    assert [e["id"] for e in queue["items"]] == [created["id"]]
    assert queue["items"][0]["actions"] == ["approve", "reject", "cancel"]
    approved = api.post(f"/expenses/{created['id']}/approve", township, json={"note": "同意"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert approved.get_json()["decided_by_name"] == township.nickname
    assert fund_row(funded["id"]).balance_fen == 100_000  # approved spends nothing either
    paid = api.post(
        f"/expenses/{created['id']}/pay", township, json={"reference": "ZZ-20260301-01"}
    )
    assert paid.status_code == 200 and paid.get_json()["status"] == "paid"
    fund = fund_row(funded["id"])
    assert fund.balance_fen == 88_000 and fund.expense_fen == 12_000
    entry = db.session.scalar(db.select(FundEntry).where(FundEntry.kind == "expense"))
    assert entry.expense_id == created["id"] and entry.amount_fen == 12_000
    again = api.post(f"/expenses/{created['id']}/pay", township, json={})
    assert again.status_code == 409 and again.get_json()["code"] == "invalid_transition"
    assert fund_row(funded["id"]).balance_fen == 88_000
    results = [n.fields["result"] for n in notices(village.id)]
    assert results == ["已批准", "已支付"]
    actions = db.session.scalars(
        db.select(AuditLog.action).where(AuditLog.target_type == "expense").order_by(AuditLog.id)
    ).all()
    assert actions == ["expense.submit", "expense.approve", "expense.pay"]
    # the public ledger shows the paid expense with its category, never the attachments
    public = api.get(f"/funds/{funded['id']}/entries?kind=expense").get_json()["items"][0]
    assert public["category_name"] == "装备物资" and public["payee"] == "丰城市五金店"
    assert public["signed_amount_fen"] == -12_000 and public["attachments"] == []
    assert_consistent(funded["id"])


def test_self_approval_refused(api, demo, funded):
    township = demo.user("demo-township-admin")
    created = submit(api, township, funded["id"])
    for action, body in (("approve", {"note": "同意"}), ("reject", {"reason": "不同意"})):
        response = api.post(f"/expenses/{created['id']}/{action}", township, json=body)
        assert response.status_code == 403 and response.get_json()["code"] == "self_approval"
    assert db.session.get(Expense, created["id"]).status == "pending"
    # the village admin of the fund's own region may approve it
    village = demo.user("demo-village-admin")
    assert api.post(f"/expenses/{created['id']}/approve", village, json={}).status_code == 200


def test_city_approval_threshold(app, api, demo, funded, new_user):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    city = demo.user("demo-city-admin")
    app.config["FUND_CITY_APPROVAL_THRESHOLD_FEN"] = 50_000
    try:
        at_limit = submit(api, village, funded["id"], 50_000)
        above = submit(api, village, funded["id"], 50_001)
        assert at_limit["needs_city_approval"] is False and above["needs_city_approval"] is True
        # big ones go to the city only
        asked = [n.dedupe_key for n in notices(city.id)]
        assert asked == [f"expense:{above['id']}:submit:{city.id}"]
        refused = api.post(f"/expenses/{above['id']}/approve", township, json={})
        assert refused.status_code == 403
        assert refused.get_json()["code"] == "city_approval_required"
        assert "500.00" in refused.get_json()["message"]
        assert api.get("/expenses?actionable=true", township).get_json()["total"] == 1
        assert api.post(f"/expenses/{at_limit['id']}/approve", township, json={}).status_code == 200
        assert api.post(f"/expenses/{above['id']}/approve", city, json={}).status_code == 200
        # a city admin's own big expense needs another city admin
        mine = submit(api, city, funded["id"], 60_000)
        assert api.post(f"/expenses/{mine['id']}/approve", city, json={}).status_code == 403
        other_city = admin(new_user, "city_admin", demo.city, "city2")
        assert api.post(f"/expenses/{mine['id']}/approve", other_city, json={}).status_code == 200
        # lowering the threshold applies at once to pending expenses
        pending = submit(api, village, funded["id"], 30_000)
        app.config["FUND_CITY_APPROVAL_THRESHOLD_FEN"] = 10_000
        refused = api.post(f"/expenses/{pending['id']}/approve", township, json={})
        assert refused.get_json()["code"] == "city_approval_required"
    finally:
        app.config["FUND_CITY_APPROVAL_THRESHOLD_FEN"] = 500_000


def test_rejected_and_cancelled_never_touch_the_balance(api, demo, funded):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    rejected = submit(api, village, funded["id"], 30_000)
    no_reason = api.post(f"/expenses/{rejected['id']}/reject", township, json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    response = api.post(f"/expenses/{rejected['id']}/reject", township, json={"reason": "超预算"})
    assert response.get_json()["status"] == "rejected"
    assert api.post(f"/expenses/{rejected['id']}/pay", township, json={}).status_code == 409
    assert api.post(f"/expenses/{rejected['id']}/approve", township, json={}).status_code == 409
    cancelled = submit(api, village, funded["id"], 40_000)
    api.post(f"/expenses/{cancelled['id']}/approve", township, json={})
    response = api.post(f"/expenses/{cancelled['id']}/cancel", village, json={"reason": "不买了"})
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert api.post(f"/expenses/{cancelled['id']}/pay", township, json={}).status_code == 409
    assert api.post(f"/expenses/{cancelled['id']}/cancel", village, json={}).status_code == 409
    fund = fund_row(funded["id"])
    assert fund.balance_fen == 100_000 and fund.expense_fen == 0
    assert db.session.scalar(db.select(db.func.count()).where(FundEntry.kind == "expense")) == 0
    assert [n.fields["result"] for n in notices(village.id)] == ["已驳回", "已批准"]
    assert_consistent(funded["id"])


def test_payment_cannot_overdraw(api, demo, funded):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    big = submit(api, village, funded["id"], 100_001)
    api.post(f"/expenses/{big['id']}/approve", demo.user("demo-city-admin"), json={})
    response = api.post(f"/expenses/{big['id']}/pay", township, json={})
    assert response.status_code == 409 and response.get_json()["code"] == "insufficient_balance"
    assert "1000.00" in response.get_json()["message"]
    assert db.session.get(Expense, big["id"]).status == "approved"  # nothing half-done
    exact = submit(api, village, funded["id"], 100_000)
    api.post(f"/expenses/{exact['id']}/approve", township, json={})
    assert api.post(f"/expenses/{exact['id']}/pay", township, json={}).status_code == 200
    assert fund_row(funded["id"]).balance_fen == 0
    assert_consistent(funded["id"])


def test_drafts(api, demo, funded):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    draft = submit(api, village, funded["id"], 2_000, draft=True)
    assert draft["status"] == "draft" and draft["submitted_at"] is None
    assert notices(township.id) == []
    assert api.post(f"/expenses/{draft['id']}/approve", township, json={}).status_code == 409
    assert api.post(f"/expenses/{draft['id']}/submit", township).status_code == 403
    sent = api.post(f"/expenses/{draft['id']}/submit", village)
    assert sent.status_code == 200 and sent.get_json()["status"] == "pending"
    assert len(notices(township.id)) == 1
    assert api.post(f"/expenses/{draft['id']}/submit", village).status_code == 409


EXPENSE_BAD_FIELDS = [
    ("amount_fen", 0),
    ("amount_fen", -5),
    ("amount_fen", 9.99),
    ("amount_fen", "100"),
    ("amount_fen", 10**11),
    ("category", "luxury"),
    ("purpose", ""),
    ("payee", ""),
    ("attachments", ["https://evil.example.com/x.jpg"]),
    ("attachments", ["/api/v1/uploads/../../etc/passwd"]),
    ("attachments", ["/api/v1/uploads/a.jpg"] * 10),
    ("status", "approved"),  # mass assignment
    ("fund_id", 9),
    ("submitted_by_id", 1),
    ("needs_city_approval", False),
    ("decided_by_id", 1),
]


def test_expense_validation(api, demo, funded):
    village = demo.user("demo-village-admin")
    for field, value in EXPENSE_BAD_FIELDS:
        body = expense()
        body[field] = value
        response = api.post(f"/funds/{funded['id']}/expenses", village, json=body)
        assert response.status_code == 422, (field, value)
        assert field in response.get_json()["errors"], (field, value)
    assert db.session.scalar(db.select(db.func.count(Expense.id))) == 0


def test_expense_text_goes_through_content_security(api, demo, funded):
    village = demo.user("demo-village-admin")
    risky = api.post(f"/funds/{funded['id']}/expenses", village, json=expense(purpose="违禁用途"))
    assert risky.status_code == 422 and risky.get_json()["code"] == "content_risky"
    held = api.post(f"/funds/{funded['id']}/expenses", village, json=expense(note="待审说明"))
    assert held.status_code == 422 and held.get_json()["code"] == "content_under_review"
    assert db.session.scalar(db.select(db.func.count(Expense.id))) == 0


def test_expense_idempotency(api, demo, funded):
    village = demo.user("demo-village-admin")
    url = f"/funds/{funded['id']}/expenses"
    headers = {"Idempotency-Key": "exp-1"}
    first = api.post(url, village, json=expense(7_000), headers=headers)
    second = api.post(url, village, json=expense(7_000), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    conflict = api.post(url, village, json=expense(7_001), headers=headers)
    assert conflict.status_code == 409
    assert db.session.scalar(db.select(db.func.count(Expense.id))) == 1


# Who may see, approve and pay an expense of village A's fund, submitted by its village admin?
MATRIX = [
    ("demo-resident", 403),
    ("demo-volunteer", 403),
    ("demo-grid-worker", 403),
    ("demo-village-admin-2", 404),
    ("demo-township-admin", 200),
    ("demo-township-admin-2", 404),
    ("demo-city-admin", 200),
]


@pytest.mark.parametrize("who,expected", MATRIX)
def test_authorization_matrix(api, demo, funded, who, expected):
    village = demo.user("demo-village-admin")
    city = demo.user("demo-city-admin")
    caller = demo.user(who)
    for action in ("get", "list", "approve", "reject", "pay", "cancel"):
        created = submit(api, village, funded["id"], 3_000)
        if action == "pay":
            api.post(f"/expenses/{created['id']}/approve", city, json={})
        before = db.session.get(Expense, created["id"]).status
        if action == "get":
            response = api.get(f"/expenses/{created['id']}", caller)
        elif action == "list":
            response = api.get("/expenses", caller)
            if expected == 404:  # a scoped list simply does not contain it
                assert response.status_code == 200 and response.get_json()["total"] == 0
                continue
            if expected == 200:
                assert created["id"] in [e["id"] for e in response.get_json()["items"]]
        else:
            body = {"reason": "测试理由"} if action in ("reject", "cancel") else {}
            response = api.post(f"/expenses/{created['id']}/{action}", caller, json=body)
        assert response.status_code == expected, (action, response.get_json())
        db.session.expire_all()
        if expected != 200:
            assert db.session.get(Expense, created["id"]).status == before, action
            assert fund_row(funded["id"]).balance_fen == 100_000, action


def test_list_filters(api, demo, funded):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    first = submit(api, village, funded["id"], 1_000)
    submit(api, village, funded["id"], 2_000)
    mine = submit(api, township, funded["id"], 3_000)
    api.post(f"/expenses/{first['id']}/reject", township, json={"reason": "重复"})
    assert api.get("/expenses?status=rejected", township).get_json()["total"] == 1
    assert api.get("/expenses?mine=true", township).get_json()["items"][0]["id"] == mine["id"]
    assert api.get(f"/expenses?fund_id={funded['id']}", township).get_json()["total"] == 3
    queue = api.get("/expenses?actionable=true", township).get_json()
    assert queue["total"] == 1  # my own is not in my queue; the rejected one is done
    by_region = api.get(f"/expenses?region_id={demo.village_a.id}", township).get_json()
    assert by_region["total"] == 3
    assert api.get("/expenses?status=nope", township).status_code == 422
    assert api.get("/expenses/999999", township).status_code == 404
