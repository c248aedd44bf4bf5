"""The expense workflow: draft → pending → approved → paid, or rejected / cancelled.

Approval is by an admin of the fund's region or above who is not the submitter; above
``FUND_CITY_APPROVAL_THRESHOLD_FEN`` only a city admin approves. Only payment appends a ledger
entry, so a rejected or cancelled expense never touches the balance. Every transition is a
conditional ``UPDATE … WHERE status IN (…)`` checked by row count: two admins clicking at once
move an expense once.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.sql import Select

from backend.errors import Forbidden, InvalidTransition, NotFound
from backend.extensions import db
from backend.models import Fund, FundEntry, Region, RoleGrant, User
from backend.models.fund import EXPENSE_STATUS_NAMES, Expense
from backend.permissions import (
    ADMIN_ROLES,
    FUND_APPROVE,
    FUND_MANAGE,
    covers,
    get_scoped,
    region_filter,
    require_any,
    scope_paths_for_roles,
)
from backend.permissions import scoped as scoped_query
from backend.services import audit, funds, notifications
from backend.utils import utcnow, yuan

APPROVALS_PAGE = "subpackages/admin/pages/funds/approvals/index"

# action → (statuses it may start from, status it leads to)
TRANSITIONS = {
    "submit": (("draft",), "pending"),
    "approve": (("pending",), "approved"),
    "reject": (("pending",), "rejected"),
    "pay": (("approved",), "paid"),
    "cancel": (("draft", "pending", "approved"), "cancelled"),
}
ACTION_NAMES = {
    "submit": "提交",
    "approve": "批准",
    "reject": "驳回",
    "pay": "支付",
    "cancel": "撤销",
}


class SelfApproval(Forbidden):
    code, message = "self_approval", "不能审批自己提交的支出"


class CityApprovalRequired(Forbidden):
    code, message = "city_approval_required", "该笔支出金额超过限额,须由市级管理员审批"


class NotSubmitter(Forbidden):
    code, message = "not_submitter", "只有提交人可以提交草稿"


def threshold_fen() -> int:
    from flask import current_app

    return int(current_app.config["FUND_CITY_APPROVAL_THRESHOLD_FEN"])


def needs_city(expense: Expense) -> bool:
    """Above the threshold, at submission or now (a lowered threshold applies at once)."""
    return expense.needs_city_approval or expense.amount_fen > threshold_fen()


def is_city_admin_over(user: User, expense: Expense) -> bool:
    return covers(scope_paths_for_roles(user, ("city_admin",)), expense.fund.region)


def submit(user: User, fund_id: int, data: dict) -> Expense:
    """Submit an expense (or save it as a draft) against a fund the caller administers."""
    fund = funds.get_managed_fund(user, fund_id)
    funds.require_open(fund)
    funds.require_checked(
        user, {"purpose": data["purpose"], "payee": data["payee"], "note": data.get("note")}
    )
    now = utcnow()
    draft = bool(data.get("draft"))
    expense = Expense(
        fund_id=fund.id,
        region_id=fund.region_id,
        amount_fen=data["amount_fen"],
        category=data["category"],
        purpose=data["purpose"],
        payee=data["payee"],
        payee_type=data.get("payee_type") or "company",
        note=data.get("note") or "",
        attachments=list(data.get("attachments") or []),
        status="draft" if draft else "pending",
        needs_city_approval=data["amount_fen"] > threshold_fen(),
        submitted_by_id=user.id,
        submitted_at=None if draft else now,
        decision_note="",
        payment_reference="",
    )
    db.session.add(expense)
    db.session.flush()
    audit.record(
        user,
        "expense.draft" if draft else "expense.submit",
        expense,
        after=audit.snapshot(expense, "fund_id", "amount_fen", "category", "payee", "status"),
    )
    if not draft:
        _notify_approvers(expense, user)
    return expense


def list_query(
    user: User,
    status: str | None = None,
    fund_id: int | None = None,
    region_id: int | None = None,
    mine: bool = False,
    actionable: bool = False,
) -> Select:
    """Expenses in the caller's scope, newest first; ``actionable``: the caller's approval queue."""
    require_any(user, FUND_MANAGE)
    query = scoped_query(
        select(Expense).options(
            joinedload(Expense.submitted_by).noload(User.grants),
            joinedload(Expense.decided_by).noload(User.grants),
        ),
        user,
        FUND_MANAGE,
        Expense.region_id,
    )
    if status:
        query = query.where(Expense.status == status)
    if fund_id:
        query = query.where(Expense.fund_id == fund_id)
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None:
            raise NotFound("区域不存在", code="region_not_found")
        query = query.where(region_filter([region.path], Expense.region_id))
    if mine:
        query = query.where(Expense.submitted_by_id == user.id)
    if actionable:
        # Pending ones I may decide (not mine; big ones only where I am a city admin), and
        # approved ones waiting to be paid.
        query = scoped_query(query, user, FUND_APPROVE, Expense.region_id)
        city_paths = scope_paths_for_roles(user, ("city_admin",))
        decidable = (
            (Expense.status == "pending")
            & (Expense.submitted_by_id != user.id)
            & (
                (Expense.needs_city_approval.is_(False) & (Expense.amount_fen <= threshold_fen()))
                | region_filter(city_paths, Expense.region_id)
            )
        )
        query = query.where(decidable | (Expense.status == "approved"))
    return query.order_by(Expense.id.desc())


def get(user: User, expense_id: int, permission: str = FUND_MANAGE) -> Expense:
    """403 for callers who manage no fund; 404 for an expense outside their scope."""
    require_any(user, permission)
    try:
        return get_scoped(Expense, expense_id, user, permission, Expense.region_id)
    except NotFound:
        raise NotFound("支出申请不存在", code="expense_not_found") from None


def allowed_actions(user: User | None, expense: Expense) -> list[str]:
    """What ``user`` may do next with ``expense`` (the mini-program shows these buttons)."""
    if user is None:
        return []
    actions = []
    region = expense.fund.region
    approver = covers(scope_paths_for_roles(user, ADMIN_ROLES), region)
    mine = expense.submitted_by_id == user.id
    if expense.status == "draft" and mine:
        actions.append("submit")
    if expense.status == "pending" and approver and not mine:
        if not needs_city(expense) or is_city_admin_over(user, expense):
            actions.append("approve")
        actions.append("reject")
    if expense.status == "approved" and approver:
        actions.append("pay")
    if expense.status in TRANSITIONS["cancel"][0] and (mine or approver):
        actions.append("cancel")
    return actions


def _transition(expense: Expense, action: str, **values) -> None:
    """Move ``expense`` along ``action`` only if it is still in an allowed status."""
    allowed, target = TRANSITIONS[action]
    if expense.status not in allowed:
        raise InvalidTransition(
            f"支出当前为「{EXPENSE_STATUS_NAMES[expense.status]}」,不能{ACTION_NAMES[action]}"
        )
    result = db.session.execute(
        update(Expense)
        .where(Expense.id == expense.id, Expense.status.in_(allowed))
        .values(status=target, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # a concurrent request moved it first
        raise InvalidTransition("该支出刚被其他人处理,请刷新后重试")
    db.session.expire(expense)


def submit_draft(user: User, expense_id: int) -> Expense:
    """Send a draft for approval (its submitter only)."""
    expense = get(user, expense_id)
    if expense.submitted_by_id != user.id:
        raise NotSubmitter()
    funds.require_open(expense.fund)
    before = audit.snapshot(expense, "status")
    _transition(
        expense,
        "submit",
        submitted_at=utcnow(),
        needs_city_approval=expense.amount_fen > threshold_fen(),
    )
    audit.record(user, "expense.submit", expense, before=before, after={"status": "pending"})
    _notify_approvers(expense, user)
    return expense


def _decide(user: User, expense_id: int, action: str, note: str) -> Expense:
    expense = get(user, expense_id, FUND_APPROVE)
    if expense.submitted_by_id == user.id:
        raise SelfApproval()
    if action == "approve" and needs_city(expense) and not is_city_admin_over(user, expense):
        raise CityApprovalRequired(f"该笔支出超过 {yuan(threshold_fen())} 元,须由市级管理员审批")
    before = audit.snapshot(expense, "status")
    _transition(
        expense, action, decided_by_id=user.id, decided_at=utcnow(), decision_note=note or ""
    )
    audit.record(
        user,
        f"expense.{action}",
        expense,
        reason=note or "",
        before=before,
        after={"status": expense.status},
    )
    _notify(expense, expense.submitted_by_id, action, note, exclude=user.id)
    return expense


def approve(user: User, expense_id: int, note: str = "") -> Expense:
    """Approve a pending expense (not one's own; big ones by a city admin)."""
    return _decide(user, expense_id, "approve", note)


def reject(user: User, expense_id: int, reason: str) -> Expense:
    """Reject a pending expense, with a reason."""
    return _decide(user, expense_id, "reject", reason)


def pay(user: User, expense_id: int, reference: str = "", note: str = "") -> Expense:
    """Mark an approved expense paid: the one step that appends a ledger entry."""
    expense = get(user, expense_id, FUND_APPROVE)
    # Fund row first: the status UPDATE below re-inserts the (fund_id, status) index entry,
    # whose foreign-key check takes a shared lock on the fund; two payers holding that shared
    # lock and both upgrading for the totals would deadlock on MySQL.
    funds.lock_fund(expense.fund_id)
    before = audit.snapshot(expense, "status")
    paid_at = utcnow()
    _transition(expense, "pay", paid_by_id=user.id, paid_at=paid_at, payment_reference=reference)
    fund = db.session.get(Fund, expense.fund_id)
    entry = FundEntry(
        kind="expense",
        bucket="expense",
        amount_fen=expense.amount_fen,
        sign=1,
        note=note or "",
        recorded_by_id=user.id,
        expense_id=expense.id,
        in_kind=False,
        anonymous=False,
    )
    funds.append_entry(fund, entry, InvalidTransition("该支出已入账"))
    audit.record(
        user,
        "expense.pay",
        expense,
        reason=reference,
        before=before,
        after={"status": "paid", "entry_id": entry.id, "amount_fen": expense.amount_fen},
    )
    _notify(expense, expense.submitted_by_id, "pay", note or reference, exclude=user.id)
    if expense.decided_by_id:
        _notify(expense, expense.decided_by_id, "pay", note or reference, exclude=user.id)
    return expense


def cancel(user: User, expense_id: int, reason: str = "") -> Expense:
    """Withdraw an expense before it is paid (its submitter or an admin over the fund)."""
    expense = get(user, expense_id)
    mine = expense.submitted_by_id == user.id
    if not mine and not covers(scope_paths_for_roles(user, ADMIN_ROLES), expense.fund.region):
        raise Forbidden()
    before = audit.snapshot(expense, "status")
    _transition(expense, "cancel", cancelled_at=utcnow(), decision_note=reason or "")
    audit.record(
        user, "expense.cancel", expense, reason=reason, before=before, after={"status": "cancelled"}
    )
    _notify(expense, expense.submitted_by_id, "cancel", reason, exclude=user.id)
    return expense


# ---------------------------------------------------------------------------------------------
# Notices
# ---------------------------------------------------------------------------------------------

RESULT_NAMES = {
    "submit": "待审批",
    "approve": "已批准",
    "reject": "已驳回",
    "pay": "已支付",
    "cancel": "已撤销",
}


def approver_ids(expense: Expense) -> list[int]:
    """Who is asked to decide: the nearest tier (fund's region upward) with an eligible admin.

    Big expenses go to city admins only. The submitter is never asked.
    """
    region = expense.fund.region
    roles = ("city_admin",) if needs_city(expense) else ADMIN_ROLES
    grants = db.session.execute(
        select(RoleGrant.user_id, Region.path)
        .join(Region, RoleGrant.region_id == Region.id)
        .join(User, RoleGrant.user_id == User.id)
        .where(
            RoleGrant.role.in_(roles),
            RoleGrant.region_id.in_(region.ancestor_ids()),
            User.status == "active",
            RoleGrant.user_id != expense.submitted_by_id,
        )
    ).all()
    if not grants:
        return []
    deepest = max(len(path) for _, path in grants)
    return sorted({user_id for user_id, path in grants if len(path) == deepest})


def _notify_approvers(expense: Expense, submitter: User) -> None:
    for user_id in approver_ids(expense):
        _notify(expense, user_id, "submit", expense.purpose, exclude=submitter.id)


def _notify(expense: Expense, user_id: int | None, action: str, note: str, exclude: int) -> None:
    if user_id is None or user_id == exclude:
        return
    result = RESULT_NAMES[action]
    fund_name = expense.fund.name
    title = (
        f"有一笔支出待您审批:{yuan(expense.amount_fen)} 元"
        if action == "submit"
        else f"支出申请{result}:{yuan(expense.amount_fen)} 元"
    )
    notifications.enqueue(
        "expense_review",
        user_id,
        dedupe_key=f"expense:{expense.id}:{action}:{user_id}",
        title=title,
        body=f"{fund_name} · {expense.purpose}" + (f" · {note}" if note else ""),
        fields={
            "fund": fund_name,
            "amount_yuan": yuan(expense.amount_fen),
            "result": result,
            "note": (note or "")[:20],
        },
        page=f"{APPROVALS_PAGE}?id={expense.id}",
    )
