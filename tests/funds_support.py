"""Helpers shared by the fund tests: funds, admins and ledger sums straight from the database."""

from __future__ import annotations

import itertools

from sqlalchemy import func, select

from backend.extensions import db
from backend.models import Fund, FundEntry

_receipts = itertools.count(1)


def open_fund(api, demo, region=None, target_fen=None, name="龙津社区平安基金") -> dict:
    region = region or demo.village_a
    body = {"region_id": region.id, "name": name, "purpose": "巡逻装备与志愿者保险"}
    if target_fen is not None:
        body["target_fen"] = target_fen
    response = api.post("/funds", demo.user("demo-city-admin"), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def donation(amount_fen=10_000, **overrides) -> dict:
    body = {
        "amount_fen": amount_fen,
        "donor_name": "张三丰",
        "donor_type": "person",
        "channel": "wechat_transfer",
        "receipt_no": f"SJ{next(_receipts):06d}",
        "note": "支持平安巡逻",
    }
    body.update(overrides)
    return body


def expense(amount_fen=5_000, **overrides) -> dict:
    body = {
        "amount_fen": amount_fen,
        "category": "equipment",
        "purpose": "购买巡逻手电筒",
        "payee": "丰城市五金店",
        "payee_type": "company",
        "attachments": ["/api/v1/uploads/receipt-1.jpg"],
    }
    body.update(overrides)
    return body


def donate(api, user, fund_id, amount_fen=10_000, **overrides):
    response = api.post(f"/funds/{fund_id}/donations", user, json=donation(amount_fen, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def admin(new_user, role: str, region, name: str = "admin"):
    """A fresh user holding ``role`` in ``region``."""
    from backend.services.roles import grant_role

    user = new_user(name)
    grant_role(user, role, region)
    db.session.commit()
    return user


def ledger_sums(fund_id: int) -> dict[str, int]:
    """Totals recomputed from the entries, independent of the service code."""
    rows = db.session.execute(
        select(FundEntry.bucket, func.sum(FundEntry.sign * FundEntry.amount_fen), func.count())
        .where(FundEntry.fund_id == fund_id)
        .group_by(FundEntry.bucket)
    ).all()
    sums = {"income": 0, "in_kind": 0, "expense": 0, "count": 0}
    for bucket, total, count in rows:
        sums[bucket] = int(total or 0)
        sums["count"] += count
    sums["balance"] = sums["income"] - sums["expense"]
    return sums


def fund_row(fund_id: int) -> Fund:
    db.session.expire_all()
    return db.session.get(Fund, fund_id)


def assert_consistent(fund_id: int) -> None:
    fund = fund_row(fund_id)
    sums = ledger_sums(fund_id)
    assert fund.income_fen == sums["income"]
    assert fund.in_kind_fen == sums["in_kind"]
    assert fund.expense_fen == sums["expense"]
    assert fund.balance_fen == sums["balance"] >= 0
    assert fund.entry_count == sums["count"]
