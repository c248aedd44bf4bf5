"""Reversals (the only correction) and the monthly public statements (公示)."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from backend.extensions import db
from backend.models import AuditLog, FundEntry
from tests.funds_support import assert_consistent, donate, expense, fund_row, open_fund


def pay_expense(api, demo, fund_id, amount_fen, **overrides):
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    created = api.post(
        f"/funds/{fund_id}/expenses", village, json=expense(amount_fen, **overrides)
    ).get_json()
    assert api.post(f"/expenses/{created['id']}/approve", township, json={}).status_code == 200
    assert api.post(f"/expenses/{created['id']}/pay", township, json={}).status_code == 200
    return db.session.scalar(db.select(FundEntry).where(FundEntry.expense_id == created["id"]))


def test_reverse_a_donation_once(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 50_000)
    donate(api, village, fund["id"], 7_000)
    no_reason = api.post(f"/fund-entries/{gift['id']}/reverse", village, json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["errors"]
    response = api.post(f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "金额录错"})
    assert response.status_code == 201, response.get_json()
    reversal = response.get_json()
    assert reversal["kind"] == "reversal" and reversal["reverses_id"] == gift["id"]
    assert reversal["amount_fen"] == 50_000 and reversal["signed_amount_fen"] == -50_000
    assert reversal["note"] == "金额录错"
    fund_now = fund_row(fund["id"])
    assert fund_now.balance_fen == 7_000 and fund_now.income_fen == 7_000
    assert api.get(f"/fund-entries/{gift['id']}").get_json()["reversed_by_id"] == reversal["id"]
    again = api.post(f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "再来"})
    assert again.status_code == 409 and again.get_json()["code"] == "already_reversed"
    assert fund_row(fund["id"]).balance_fen == 7_000
    log = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "fund_entry.reverse"))
    assert log.target_id == gift["id"] and log.reason == "金额录错"
    assert_consistent(fund["id"])


def test_reversing_a_reversal_is_refused(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 1_000)
    reversal = api.post(
        f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "录入重复"}
    ).get_json()
    response = api.post(
        f"/fund-entries/{reversal['id']}/reverse", village, json={"reason": "撤销冲正"}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "reversal_not_reversible"
    assert fund_row(fund["id"]).balance_fen == 0
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 2
    assert_consistent(fund["id"])


def test_reverse_a_paid_expense_and_in_kind_gift(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    donate(api, village, fund["id"], 30_000)
    goods = donate(api, village, fund["id"], 9_000, in_kind=True, item_description="灭火器 3 个")
    spent = pay_expense(api, demo, fund["id"], 12_000)
    assert fund_row(fund["id"]).balance_fen == 18_000
    refund = api.post(f"/fund-entries/{spent.id}/reverse", village, json={"reason": "商家退款"})
    assert refund.status_code == 201 and refund.get_json()["signed_amount_fen"] == 12_000
    api.post(f"/fund-entries/{goods['id']}/reverse", village, json={"reason": "物资退回"})
    fund_now = fund_row(fund["id"])
    assert fund_now.balance_fen == 30_000 and fund_now.expense_fen == 0
    assert fund_now.in_kind_fen == 0
    assert_consistent(fund["id"])


def test_reversal_cannot_overdraw(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 10_000)
    pay_expense(api, demo, fund["id"], 8_000)
    response = api.post(f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "退捐"})
    assert response.status_code == 409 and response.get_json()["code"] == "insufficient_balance"
    assert db.session.scalar(db.select(db.func.count()).where(FundEntry.kind == "reversal")) == 0
    assert_consistent(fund["id"])


@pytest.mark.parametrize(
    "who,expected",
    [
        (None, 401),
        ("demo-resident", 403),
        ("demo-grid-worker", 403),
        ("demo-village-admin-2", 404),
        ("demo-township-admin-2", 404),
        ("demo-village-admin", 201),
        ("demo-township-admin", 201),
        ("demo-city-admin", 201),
    ],
)
def test_reverse_authorization(api, demo, who, expected):
    fund = open_fund(api, demo)
    gift = donate(api, demo.user("demo-village-admin"), fund["id"], 1_000)
    caller = demo.user(who) if who else None
    response = api.post(f"/fund-entries/{gift['id']}/reverse", caller, json={"reason": "更正"})
    assert response.status_code == expected, response.get_json()
    assert fund_row(fund["id"]).balance_fen == (0 if expected == 201 else 1_000)


def test_reverse_mass_assignment(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 1_000)
    for field, value in (("amount_fen", 1), ("sign", 1), ("reverses_id", 1)):
        response = api.post(
            f"/fund-entries/{gift['id']}/reverse", village, json={"reason": "更正", field: value}
        )
        assert response.status_code == 422 and field in response.get_json()["errors"]
    assert fund_row(fund["id"]).balance_fen == 1_000


def test_no_update_or_delete_path_for_an_entry(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 1_000)
    city = demo.user("demo-city-admin")
    for method in ("PATCH", "PUT", "DELETE"):
        response = api.call(
            method, f"/fund-entries/{gift['id']}", city, json_body={"amount_fen": 1}
        )
        assert response.status_code == 405
    assert fund_row(fund["id"]).balance_fen == 1_000


# ---------------------------------------------------------------------------------------------
# Monthly statements
# ---------------------------------------------------------------------------------------------


def test_monthly_statement_cuts_months_in_china_time(api, demo):
    village = demo.user("demo-village-admin")
    with freeze_time("2026-02-10 02:00:00"):  # 10:00 in China
        fund = open_fund(api, demo)
        donate(api, village, fund["id"], 50_000, donor_name="赵六")
    with freeze_time("2026-02-28 17:30:00"):  # 2026-03-01 01:30 China time: March
        donate(api, village, fund["id"], 20_000, donor_name="钱七", anonymous=True)
    with freeze_time("2026-03-15 04:00:00"):
        spent = pay_expense(api, demo, fund["id"], 15_000, category="insurance")
        donate(api, village, fund["id"], 8_000, in_kind=True, item_description="雨衣 10 件")
    with freeze_time("2026-03-20 04:00:00"):
        api.post(f"/fund-entries/{spent.id}/reverse", village, json={"reason": "保险退费"})
        pay_expense(api, demo, fund["id"], 3_000, category="meals")
    with freeze_time("2026-04-02 04:00:00"):
        february = api.get(f"/funds/{fund['id']}/statements?month=2026-02").get_json()
        march = api.get(f"/funds/{fund['id']}/statements?month=2026-03").get_json()
        current = api.get(f"/funds/{fund['id']}/statements").get_json()
        future = api.get(f"/funds/{fund['id']}/statements?month=2026-05")
    assert february["opening_balance_fen"] == 0 and february["income_fen"] == 50_000
    assert february["closing_balance_fen"] == 50_000 and february["donation_count"] == 1
    assert february["period_start"] == "2026-02-01T00:00:00+08:00"
    assert february["period_end"] == "2026-02-28T23:59:59+08:00"
    assert march["opening_balance_fen"] == 50_000
    assert march["income_fen"] == 20_000 and march["in_kind_fen"] == 8_000
    assert march["expense_fen"] == 3_000  # 15000 paid then reversed, 3000 paid
    assert march["closing_balance_fen"] == 67_000
    assert march["closing_balance_yuan"] == "670.00"
    assert (march["donation_count"], march["expense_count"], march["reversal_count"]) == (2, 2, 1)
    by_category = {c["category"]: c["amount_fen"] for c in march["expense_by_category"]}
    assert by_category == {"insurance": 0, "meals": 3_000}
    donors = [e["donor_name"] for e in march["entries"] if e["kind"] == "donation"]
    assert donors == ["匿名", "张**"]
    assert "钱七" not in str(march) and "赵六" not in str(february)
    assert current["month"] == "2026-04" and current["opening_balance_fen"] == 67_000
    assert current["months"][:3] == ["2026-04", "2026-03", "2026-02"]
    assert future.status_code == 422 and "month" in future.get_json()["errors"]
    assert api.get(f"/funds/{fund['id']}/statements?month=2026-2").status_code == 422
    assert api.get("/funds/999999/statements").status_code == 404
    assert_consistent(fund["id"])
