"""Races over real HTTP: concurrent requests against a live server, then exact counts.

They run on SQLite (which serialises writers) and on MariaDB (row locks, unique indexes and
conditional UPDATEs do the work there).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from backend.extensions import db
from backend.models import Expense, FundEntry, IdempotencyRecord
from tests.funds_support import assert_consistent, donate, donation, expense, fund_row, open_fund

N = 20


def fire(live_server, token: str, calls: list[tuple[str, str, dict, dict]]) -> list:
    """Send every (method, path, json, headers) at once from its own thread."""
    barrier = threading.Barrier(len(calls))

    def send(call):
        method, path, body, headers = call
        with requests.Session() as session:
            barrier.wait()
            return session.request(
                method,
                f"{live_server.url}/api/v1{path}",
                json=body,
                headers={"Authorization": f"Bearer {token}", **headers},
                timeout=60,
            )

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(send, calls))


def test_concurrent_identical_donations_with_one_key_make_one_entry(api, demo, live_server):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    body = donation(12_345, receipt_no="RACE-ONE")
    path = f"/funds/{fund['id']}/donations"
    headers = {"Idempotency-Key": "race-key-1"}
    responses = fire(live_server, api.token_for(village), [("POST", path, body, headers)] * N)
    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == N - 1
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == 1
    assert db.session.scalar(db.select(db.func.count(IdempotencyRecord.id))) == 1
    assert fund_row(fund["id"]).balance_fen == 12_345
    assert_consistent(fund["id"])


def test_concurrent_donations_with_different_keys_all_count(api, demo, live_server):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    path = f"/funds/{fund['id']}/donations"
    calls = [
        ("POST", path, donation(1_000 + i, receipt_no=f"RACE-{i}"), {"Idempotency-Key": f"k{i}"})
        for i in range(N)
    ]
    responses = fire(live_server, api.token_for(village), calls)
    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    expected = sum(1_000 + i for i in range(N))
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(FundEntry.id))) == N
    fund_now = fund_row(fund["id"])
    assert fund_now.balance_fen == fund_now.income_fen == expected
    assert fund_now.entry_count == N
    assert_consistent(fund["id"])


def test_concurrent_payments_of_one_expense_pay_once(api, demo, live_server):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    donate(api, village, fund["id"], 100_000)
    created = api.post(f"/funds/{fund['id']}/expenses", village, json=expense(30_000)).get_json()
    api.post(f"/expenses/{created['id']}/approve", township, json={})
    calls = [("POST", f"/expenses/{created['id']}/pay", {}, {})] * N
    responses = fire(live_server, api.token_for(township), calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] + [409] * (N - 1), [r.text for r in responses]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).where(FundEntry.kind == "expense")) == 1
    assert fund_row(fund["id"]).balance_fen == 70_000
    assert_consistent(fund["id"])


def test_concurrent_payments_never_overdraw(api, demo, live_server):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    township = demo.user("demo-township-admin")
    donate(api, village, fund["id"], 10_000)
    ids = []
    for _ in range(N):
        created = api.post(f"/funds/{fund['id']}/expenses", village, json=expense(1_000))
        ids.append(created.get_json()["id"])
        api.post(f"/expenses/{ids[-1]}/approve", township, json={})
    responses = fire(
        live_server, api.token_for(township), [("POST", f"/expenses/{i}/pay", {}, {}) for i in ids]
    )
    codes = [r.status_code for r in responses]
    assert codes.count(200) == 10 and codes.count(409) == 10, [r.text for r in responses]
    assert all(
        r.json()["code"] == "insufficient_balance" for r in responses if r.status_code == 409
    )
    db.session.expire_all()
    assert fund_row(fund["id"]).balance_fen == 0
    paid = db.session.scalar(db.select(db.func.count()).where(Expense.status == "paid"))
    assert paid == 10
    assert_consistent(fund["id"])


def test_concurrent_reversals_of_one_entry_reverse_once(api, demo, live_server):
    fund = open_fund(api, demo)
    village = demo.user("demo-village-admin")
    gift = donate(api, village, fund["id"], 5_000)
    donate(api, village, fund["id"], 1_000)
    calls = [("POST", f"/fund-entries/{gift['id']}/reverse", {"reason": "并发冲正"}, {})] * N
    responses = fire(live_server, api.token_for(village), calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * (N - 1), [r.text for r in responses]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).where(FundEntry.kind == "reversal")) == 1
    assert fund_row(fund["id"]).balance_fen == 1_000
    assert_consistent(fund["id"])
