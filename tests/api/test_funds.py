"""Funds, donations and the public ledger: authorization, validation, masking, exports."""

from __future__ import annotations

import io
import json

import pytest

from backend.extensions import db
from backend.models import AuditLog, Fund, FundEntry
from tests.funds_support import (
    admin,
    assert_consistent,
    donate,
    donation,
    fund_row,
    open_fund,
)

# ---------------------------------------------------------------------------------------------
# Opening funds
# ---------------------------------------------------------------------------------------------


def test_open_fund_and_public_view(api, demo):
    township = demo.user("demo-township-admin")
    response = api.post(
        "/funds",
        township,
        json={
            "region_id": demo.village_a.id,
            "name": "龙津社区平安基金",
            "purpose": "巡逻装备、志愿者保险与餐补",
            "target_fen": 5_000_000,
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["balance_fen"] == 0 and body["balance_yuan"] == "0.00"
    assert body["target_yuan"] == "50000.00" and body["progress_percent"] == 0.0
    assert body["status"] == "open" and body["region_name"] == "龙津社区"
    # anyone reads it, without logging in
    public = api.get(f"/funds/{body['id']}").get_json()
    assert public["name"] == "龙津社区平安基金" and public["can_manage"] is False
    assert api.get(f"/funds/{body['id']}", township).get_json()["can_manage"] is True
    log = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "fund.open"))
    assert log.actor_id == township.id and log.after["target_fen"] == 5_000_000
    assert api.get("/funds/999999").status_code == 404


@pytest.mark.parametrize(
    "who,region,expected",
    [
        ("demo-resident", "village_a", 403),
        ("demo-volunteer", "village_a", 403),
        ("demo-village-admin", "village_a", 403),  # village councils do not open funds
        ("demo-township-admin", "village_a", 201),
        ("demo-township-admin", "township_a", 201),
        ("demo-township-admin-2", "village_a", 403),  # another township's village
        ("demo-township-admin", "city", 403),
        ("demo-city-admin", "city", 201),
        ("demo-city-admin", "village_b", 201),
    ],
)
def test_open_fund_authorization(api, demo, who, region, expected):
    body = {"region_id": getattr(demo, region).id, "name": "平安基金"}
    response = api.post("/funds", demo.user(who), json=body)
    assert response.status_code == expected, response.get_json()
    count = db.session.scalar(db.select(db.func.count(Fund.id)))
    assert count == (1 if expected == 201 else 0)


def test_open_fund_rules(api, demo):
    city = demo.user("demo-city-admin")
    open_fund(api, demo)
    again = api.post("/funds", city, json={"region_id": demo.village_a.id, "name": "第二个基金"})
    assert again.status_code == 409 and again.get_json()["code"] == "fund_exists"
    grid = demo.region("360981001001G01")
    on_grid = api.post("/funds", city, json={"region_id": grid.id, "name": "网格基金"})
    assert on_grid.status_code == 422 and "region_id" in on_grid.get_json()["errors"]
    assert (
        api.post("/funds", city, json={"region_id": 999999, "name": "无此区域"}).status_code == 404
    )
    risky = api.post("/funds", city, json={"region_id": demo.village_b.id, "name": "违禁基金"})
    assert risky.status_code == 422 and risky.get_json()["code"] == "content_risky"
    held = api.post("/funds", city, json={"region_id": demo.village_b.id, "name": "待审基金"})
    assert held.status_code == 422 and held.get_json()["code"] == "content_under_review"
    assert db.session.scalar(db.select(db.func.count(Fund.id))) == 1


@pytest.mark.parametrize(
    "field,value",
    [
        ("balance_fen", 100),  # totals are the server's
        ("income_fen", 100),
        ("status", "closed"),
        ("id", 5),
        ("created_by_id", 1),
        ("target_fen", -1),
        ("target_fen", 0),
        ("target_fen", 12.5),
        ("target_fen", "5000"),
        ("region_id", "abc"),
        ("name", "x"),
    ],
)
def test_open_fund_validation(api, demo, field, value):
    body = {"region_id": demo.village_a.id, "name": "龙津社区平安基金", field: value}
    response = api.post("/funds", demo.user("demo-city-admin"), json=body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert db.session.scalar(db.select(db.func.count(Fund.id))) == 0


def test_update_close_and_reopen(api, demo):
    fund = open_fund(api, demo)
    township = demo.user("demo-township-admin")
    village = demo.user("demo-village-admin")
    patched = api.patch(f"/funds/{fund['id']}", township, json={"target_fen": 100_000})
    assert patched.status_code == 200 and patched.get_json()["target_fen"] == 100_000
    assert api.patch(f"/funds/{fund['id']}", village, json={"name": "改名"}).status_code == 403
    other = demo.user("demo-township-admin-2")
    assert api.patch(f"/funds/{fund['id']}", other, json={"name": "改名"}).status_code == 404
    bad = api.patch(f"/funds/{fund['id']}", township, json={"balance_fen": 1})
    assert bad.status_code == 422
    closed = api.post(f"/funds/{fund['id']}/close", township, json={"reason": "年度结束"})
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"
    assert api.post(f"/funds/{fund['id']}/close", township, json={}).status_code == 409
    refused = api.post(f"/funds/{fund['id']}/donations", village, json=donation())
    assert refused.status_code == 409 and refused.get_json()["code"] == "fund_closed"
    reopened = api.post(f"/funds/{fund['id']}/reopen", township, json={})
    assert reopened.get_json()["status"] == "open"
    assert api.post(f"/funds/{fund['id']}/donations", village, json=donation()).status_code == 201


# ---------------------------------------------------------------------------------------------
# Donations
# ---------------------------------------------------------------------------------------------


def test_donation_moves_totals_and_progress(api, demo):
    fund = open_fund(api, demo, target_fen=100_000)
    village = demo.user("demo-village-admin")
    first = donate(api, village, fund["id"], 12_345)
    assert first["amount_yuan"] == "123.45" and first["signed_amount_fen"] == 12_345
    assert first["donor_name"] == "张三丰"  # the recording admin sees the full name
    donate(api, village, fund["id"], 20_000, in_kind=True, item_description="手电筒 40 支")
    body = api.get(f"/funds/{fund['id']}").get_json()
    assert body["income_fen"] == 12_345 and body["in_kind_fen"] == 20_000
    assert body["raised_fen"] == 32_345 and body["balance_fen"] == 12_345  # goods are not cash
    assert body["progress_percent"] == 32.3 and body["entry_count"] == 2
    assert_consistent(fund["id"])
    log = db.session.scalar(db.select(AuditLog).where(AuditLog.action == "fund.donation"))
    assert log.actor_id == village.id and log.after["amount_fen"] == 12_345


AMOUNTS = [-100, 0, 1.5, 100.0, 10**10 + 1, 10**30, "100", "1e3", True, None, [], {"v": 1}]


def test_donation_amount_validation(api, demo):
    """Negative, zero, fractional, absurd, string, boolean, null: each a 422, nothing written."""
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    for amount in AMOUNTS:
        response = api.post(f"/funds/{fund['id']}/donations", village, json=donation(amount))
        assert response.status_code == 422, (amount, response.get_json())
        body = response.get_json()
        assert body["code"] == "validation_error" and "amount_fen" in body["errors"], amount
        assert any("分" in message for message in body["errors"]["amount_fen"]), amount
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 0
    assert fund_row(fund["id"]).balance_fen == 0


def test_largest_amount_is_exact(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    donate(api, village, fund["id"], 10**10)
    donate(api, village, fund["id"], 10**10 - 1)
    body = api.get(f"/funds/{fund['id']}").get_json()
    assert body["balance_fen"] == 2 * 10**10 - 1
    assert body["balance_yuan"] == "199999999.99"


DONATION_BAD_FIELDS = [
    ("fund_id", 2),  # mass assignment: ids, kinds, signs and totals are the server's
    ("kind", "expense"),
    ("bucket", "expense"),
    ("sign", -1),
    ("balance_fen", 1),
    ("donor_display", "王**"),
    ("recorded_by_id", 1),
    ("donor_type", "alien"),
    ("channel", "bitcoin"),
    ("donated_on", "yesterday"),
    ("receipt_no", "x" * 65),
]


def test_donation_mass_assignment_and_fields(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    for field, value in DONATION_BAD_FIELDS:
        body = donation()
        body[field] = value
        response = api.post(f"/funds/{fund['id']}/donations", village, json=body)
        assert response.status_code == 422, field
        assert field in response.get_json()["errors"], field
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 0


def test_donation_business_validation(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    url = f"/funds/{fund['id']}/donations"
    nameless = api.post(url, village, json=donation(donor_name=""))
    assert nameless.status_code == 422 and "donor_name" in nameless.get_json()["errors"]
    goods = api.post(url, village, json=donation(in_kind=True, item_description=""))
    assert "item_description" in goods.get_json()["errors"]
    no_channel = donation()
    del no_channel["channel"]
    assert "channel" in api.post(url, village, json=no_channel).get_json()["errors"]
    future = api.post(url, village, json=donation(donated_on="2999-01-01"))
    assert "donated_on" in future.get_json()["errors"]
    risky = api.post(url, village, json=donation(note="违禁"))
    assert risky.status_code == 422 and risky.get_json()["code"] == "content_risky"
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 0


def test_duplicate_receipt_is_refused_without_moving_totals(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    donate(api, village, fund["id"], 1_000, receipt_no="SJ-2026-001")
    again = api.post(
        f"/funds/{fund['id']}/donations", village, json=donation(2_000, receipt_no="SJ-2026-001")
    )
    assert again.status_code == 409 and again.get_json()["code"] == "duplicate_receipt"
    assert fund_row(fund["id"]).balance_fen == 1_000
    assert_consistent(fund["id"])


# Who may record a donation in village A's fund (龙津社区, 剑光街道)?
MATRIX = [
    (None, 401),
    ("demo-resident", 403),
    ("demo-volunteer", 403),
    ("demo-grid-worker", 403),
    ("demo-police", 403),
    ("demo-village-admin", 201),
    ("demo-village-admin-2", 404),  # another township's village
    ("demo-township-admin", 201),
    ("demo-township-admin-2", 404),
    ("demo-city-admin", 201),
]


@pytest.mark.parametrize("who,expected", MATRIX)
def test_donation_authorization(api, demo, who, expected):
    fund = open_fund(api, demo)
    caller = demo.user(who) if who else None
    response = api.post(f"/funds/{fund['id']}/donations", caller, json=donation(5_000))
    assert response.status_code == expected, response.get_json()
    assert fund_row(fund["id"]).balance_fen == (5_000 if expected == 201 else 0)


def test_sibling_village_admin_is_out_of_scope(api, demo, new_user):
    fund = open_fund(api, demo)
    sibling = admin(new_user, "village_admin", demo.village_a2, "xincheng")
    response = api.post(f"/funds/{fund['id']}/donations", sibling, json=donation())
    assert response.status_code == 404 and response.get_json()["code"] == "fund_not_found"


# ---------------------------------------------------------------------------------------------
# Idempotency-Key
# ---------------------------------------------------------------------------------------------


def test_idempotency_key_replays_and_refuses_a_different_body(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    url = f"/funds/{fund['id']}/donations"
    body = donation(8_800)
    headers = {"Idempotency-Key": "donation-abc-1"}
    first = api.post(url, village, json=body, headers=headers)
    second = api.post(url, village, json=body, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.get_json() == first.get_json()
    assert second.headers.get("Idempotent-Replayed") == "true"
    changed = dict(body, amount_fen=9_900)
    conflict = api.post(url, village, json=changed, headers=headers)
    assert conflict.status_code == 409 and conflict.get_json()["code"] == "idempotency_key_reused"
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 1
    assert fund_row(fund["id"]).balance_fen == 8_800
    # a failed request does not burn its key: fix the body, retry with the same key
    bad_key = {"Idempotency-Key": "donation-abc-2"}
    assert api.post(url, village, json=donation(0), headers=bad_key).status_code == 422
    assert api.post(url, village, json=donation(100), headers=bad_key).status_code == 201
    assert fund_row(fund["id"]).balance_fen == 8_900


# ---------------------------------------------------------------------------------------------
# The public ledger and donor masking
# ---------------------------------------------------------------------------------------------


def _seed_donors(api, demo, fund_id):
    village = demo.user("demo-village-admin")
    donate(api, village, fund_id, 1_000, donor_name="张三丰", receipt_no="R-PERSON")
    donate(api, village, fund_id, 2_000, donor_name="李秘密", anonymous=True, receipt_no="R-ANON")
    donate(
        api,
        village,
        fund_id,
        3_000,
        donor_name="丰城市平安物业有限公司",
        donor_type="company",
        channel="bank_transfer",
        receipt_no="R-COMPANY",
    )
    donate(
        api,
        village,
        fund_id,
        4_000,
        donor_name="欧阳锋",
        in_kind=True,
        item_description="反光背心 20 件",
        receipt_no="R-GOODS",
    )


SECRETS = ("张三丰", "李秘密", "欧阳锋", "R-PERSON", "R-ANON", "R-COMPANY", "R-GOODS")


def test_donors_masked_in_every_public_response(api, demo):
    fund = open_fund(api, demo)
    _seed_donors(api, demo, fund["id"])
    resident = demo.user("demo-resident")
    other_admin = demo.user("demo-village-admin-2")
    entries = db.session.scalars(db.select(FundEntry.id)).all()
    anon_entry = db.session.scalar(db.select(FundEntry.id).where(FundEntry.anonymous.is_(True)))
    api.post(
        f"/fund-entries/{anon_entry}/reverse",
        demo.user("demo-village-admin"),
        json={"reason": "重复登记"},
    )
    responses = []
    for viewer in (None, resident, other_admin):
        responses.append(api.get(f"/funds/{fund['id']}/entries", viewer))
        responses.append(api.get(f"/funds/{fund['id']}/entries?kind=reversal", viewer))
        responses.append(api.get(f"/funds/{fund['id']}/statements", viewer))
        responses.append(api.get(f"/funds/{fund['id']}", viewer))
        responses.append(api.get("/funds", viewer))
        for entry_id in entries:
            responses.append(api.get(f"/fund-entries/{entry_id}", viewer))
    for response in responses:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        for secret in SECRETS:
            assert secret not in text, (secret, response.request.path)
    listing = api.get(f"/funds/{fund['id']}/entries?kind=donation").get_json()["items"]
    names = {item["amount_fen"]: item["donor_name"] for item in listing}
    assert names == {1_000: "张**", 2_000: "匿名", 3_000: "丰城市平安物业有限公司", 4_000: "欧**"}
    assert all(item["receipt_no"] is None for item in listing)
    reversal = api.get(f"/funds/{fund['id']}/entries?kind=reversal").get_json()["items"][0]
    assert reversal["donor_name"] == "匿名" and reversal["signed_amount_fen"] == -2_000


def test_admins_of_the_fund_see_names_and_receipts(api, demo):
    fund = open_fund(api, demo)
    _seed_donors(api, demo, fund["id"])
    for who in ("demo-village-admin", "demo-township-admin", "demo-city-admin"):
        items = api.get(f"/funds/{fund['id']}/entries?kind=donation", demo.user(who)).get_json()[
            "items"
        ]
        by_amount = {item["amount_fen"]: item for item in items}
        assert by_amount[2_000]["donor_name"] == "李秘密" and by_amount[2_000]["anonymous"]
        assert by_amount[1_000]["receipt_no"] == "R-PERSON"
    stored = db.session.scalar(db.select(FundEntry).where(FundEntry.receipt_no == "R-PERSON"))
    assert "张三丰" not in (stored.donor_name_enc or "")  # encrypted at rest


def test_entries_filters_pagination_and_validation(api, demo):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    for i in range(5):
        donate(api, village, fund["id"], 100 + i)
    page = api.get(f"/funds/{fund['id']}/entries?page_size=2").get_json()
    assert page["total"] == 5 and len(page["items"]) == 2
    assert [i["amount_fen"] for i in page["items"]] == [104, 103]  # newest first
    assert api.get(f"/funds/{fund['id']}/entries?kind=nope").status_code == 422
    assert api.get(f"/funds/{fund['id']}/entries?month=2026-13").status_code == 422
    assert api.get(f"/funds/{fund['id']}/entries?format=pdf").status_code == 422
    assert api.get("/funds/999999/entries").status_code == 404
    assert api.get("/fund-entries/999999").status_code == 404


def test_fund_list_filters(api, demo):
    open_fund(api, demo, demo.village_a, name="龙津基金")
    open_fund(api, demo, demo.village_b, name="白土村基金")
    open_fund(api, demo, demo.city, name="丰城市平安大联盟基金")
    assert api.get("/funds").get_json()["total"] == 3
    township_b = api.get(f"/funds?region_id={demo.township_b.id}").get_json()
    assert [f["name"] for f in township_b["items"]] == ["白土村基金"]
    assert api.get("/funds?q=龙津").get_json()["total"] == 1
    assert api.get("/funds?status=closed").get_json()["total"] == 0
    assert api.get("/funds?status=nope").status_code == 422


def _count_queries(app, api, path, headers=None):
    from sqlalchemy import event

    statements = []

    def count(*_args):
        statements.append(1)

    db.session.remove()
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = api.client.get("/api/v1" + path, headers=headers or {})
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_json()


def test_lists_have_no_n_plus_one(app, api, demo):
    fund = open_fund(api, demo)
    open_fund(api, demo, demo.village_b, name="白土村基金")
    open_fund(api, demo, demo.township_a, name="剑光基金")
    village = demo.user("demo-village-admin")
    for i in range(6):
        donate(api, village, fund["id"], 1_000 + i)
    township = demo.user("demo-township-admin")
    expense_ids = []
    for _ in range(3):
        created = api.post(
            f"/funds/{fund['id']}/expenses",
            village,
            json={"amount_fen": 100, "category": "meals", "purpose": "志愿者餐补", "payee": "食堂"},
        ).get_json()
        expense_ids.append(created["id"])
    for expense_id in expense_ids:
        api.post(f"/expenses/{expense_id}/approve", township, json={})
        api.post(f"/expenses/{expense_id}/pay", township, json={})
    entry = db.session.scalar(db.select(FundEntry.id).where(FundEntry.kind == "donation"))
    api.post(f"/fund-entries/{entry}/reverse", village, json={"reason": "录入错误"})
    headers = api.headers(township)
    for path, key in (
        ("/funds?page_size={n}", "items"),
        (f"/funds/{fund['id']}/entries?page_size={{n}}", "items"),
        ("/expenses?page_size={n}", "items"),
    ):
        small, small_body = _count_queries(app, api, path.format(n=1), headers)
        large, large_body = _count_queries(app, api, path.format(n=10), headers)
        assert len(large_body[key]) > len(small_body[key]), path
        assert large == small, (path, small, large)


# ---------------------------------------------------------------------------------------------
# Exports
# ---------------------------------------------------------------------------------------------


def test_csv_and_xlsx_export_for_admins_only(api, demo):
    fund = open_fund(api, demo)
    _seed_donors(api, demo, fund["id"])
    url = f"/funds/{fund['id']}/entries?format=csv"
    village = demo.user("demo-village-admin")
    response = api.get(url, village)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data().decode("utf-8-sig")
    assert text.splitlines()[0].startswith("编号,记账时间,类型")
    assert "李秘密" in text and "R-ANON" in text and "反光背心 20 件" in text
    assert len(text.strip().splitlines()) == 5
    xlsx = api.get(f"/funds/{fund['id']}/entries?format=xlsx&kind=donation", village)
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.get_data())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 5
    assert api.get(url).status_code == 401
    assert api.get(url, demo.user("demo-resident")).status_code == 403
    assert api.get(url, demo.user("demo-village-admin-2")).status_code == 404
    assert api.get(url, demo.user("demo-city-admin")).status_code == 200


def test_openapi_documents_the_fund_routes(api):
    spec = json.loads(api.get("/openapi.json").get_data(as_text=True))
    for path in (
        "/api/v1/funds",
        "/api/v1/funds/{fund_id}",
        "/api/v1/funds/{fund_id}/entries",
        "/api/v1/funds/{fund_id}/statements",
        "/api/v1/funds/{fund_id}/donations",
        "/api/v1/funds/{fund_id}/expenses",
        "/api/v1/expenses/{expense_id}/approve",
        "/api/v1/expenses/{expense_id}/pay",
        "/api/v1/fund-entries/{entry_id}/reverse",
    ):
        assert path in spec["paths"], path
