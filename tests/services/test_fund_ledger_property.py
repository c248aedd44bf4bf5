"""Property: after any sequence of donations, expenses, decisions, payments and reversals, the
fund's kept totals equal the sums of its entries, and equal an independent model of the money.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.errors import APIError
from backend.extensions import db
from backend.models import Expense, FundEntry
from backend.services import expenses, funds
from tests.funds_support import assert_consistent, fund_row

amounts = st.one_of(st.integers(min_value=1, max_value=60_000), st.just(10**10))
index = st.integers(min_value=0, max_value=30)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("donate"), amounts, st.booleans()),
        st.tuples(st.just("submit"), amounts, st.booleans()),
        st.tuples(st.just("approve"), index),
        st.tuples(st.just("reject"), index),
        st.tuples(st.just("cancel"), index),
        st.tuples(st.just("pay"), index),
        st.tuples(st.just("reverse"), index),
    ),
    max_size=30,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_balance_always_equals_the_sum_of_entries(demo, ops):
    village = demo.user("demo-village-admin")
    city = demo.user("demo-city-admin")
    try:
        fund = funds.open_fund(city, {"region_id": demo.village_a.id, "name": "性质测试基金"})
        db.session.flush()
        model = {"income": 0, "in_kind": 0, "expense": 0}
        expense_ids: list[int] = []
        entry_ids: list[int] = []
        for op in ops:
            try:
                with db.session.begin_nested():
                    _apply(op, fund.id, village, city, model, expense_ids, entry_ids)
            except APIError:
                pass  # refused as a whole (savepoint rolled back), like a failed request
            _assert_matches(fund.id, model)
        for expense_id in expense_ids:
            status = db.session.get(Expense, expense_id).status
            booked = db.session.scalar(
                db.select(db.func.count()).where(FundEntry.expense_id == expense_id)
            )
            assert booked == (1 if status == "paid" else 0), status
        assert funds.check_ledgers() == []
    finally:
        db.session.rollback()


def _apply(op, fund_id, village, city, model, expense_ids, entry_ids) -> None:
    kind = op[0]
    if kind == "donate":
        _, amount, in_kind = op
        entry = funds.record_donation(
            village,
            fund_id,
            {
                "amount_fen": amount,
                "donor_name": "张三",
                "donor_type": "person",
                "channel": "cash",
                "in_kind": in_kind,
                "item_description": "物资" if in_kind else "",
            },
        )
        model["in_kind" if in_kind else "income"] += amount
        entry_ids.append(entry.id)
    elif kind == "submit":
        _, amount, draft = op
        created = expenses.submit(
            village,
            fund_id,
            {
                "amount_fen": amount,
                "category": "equipment",
                "purpose": "巡逻装备",
                "payee": "五金店",
                "draft": draft,
            },
        )
        expense_ids.append(created.id)
    elif kind == "reverse":
        if not entry_ids:
            return
        original = db.session.get(FundEntry, entry_ids[op[1] % len(entry_ids)])
        reversal = funds.reverse_entry(village, original.id, "更正")
        model[original.bucket] -= original.amount_fen
        entry_ids.append(reversal.id)
    else:
        if not expense_ids:
            return
        expense_id = expense_ids[op[1] % len(expense_ids)]
        if kind == "approve":
            expenses.approve(city, expense_id)
        elif kind == "reject":
            expenses.reject(city, expense_id, "不同意")
        elif kind == "cancel":
            expenses.cancel(village, expense_id, "撤回")
        elif kind == "pay":
            paid = expenses.pay(city, expense_id)
            model["expense"] += paid.amount_fen
            entry_ids.append(
                db.session.scalar(db.select(FundEntry.id).where(FundEntry.expense_id == paid.id))
            )


def _assert_matches(fund_id: int, model: dict) -> None:
    assert_consistent(fund_id)
    fund = fund_row(fund_id)
    assert (fund.income_fen, fund.in_kind_fen, fund.expense_fen) == (
        model["income"],
        model["in_kind"],
        model["expense"],
    )
    assert fund.balance_fen == model["income"] - model["expense"] >= 0


def test_a_rolled_back_transaction_leaves_nothing(demo):
    """The savepoint a service opens first must not commit on its own (pysqlite would)."""
    from backend.models import Fund

    funds.open_fund(demo.user("demo-city-admin"), {"region_id": demo.village_b.id, "name": "回滚"})
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Fund.id))) == 0
