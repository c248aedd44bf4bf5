"""The expense workflow: the approval queue, approve / reject / pay / cancel."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import require_user
from backend.schemas.common import page_of
from backend.schemas.fund import (
    ExpenseCancelIn,
    ExpenseDecisionIn,
    ExpenseOut,
    ExpensePayIn,
    ExpenseQuery,
    ExpenseRejectIn,
)
from backend.services import expenses

blp = Blueprint("expenses", __name__, url_prefix="/api/v1/expenses", description="支出审批")


@blp.route("", methods=["GET"])
@blp.arguments(ExpenseQuery, location="query")
@blp.response(200, page_of(ExpenseOut))
@paged
def list_expenses(args):
    """Expenses in my scope; ?actionable=true is my approval queue."""
    return expenses.list_query(require_user(), **args)


@blp.route("/<int:expense_id>", methods=["GET"])
@blp.response(200, ExpenseOut)
def get_expense(expense_id: int):
    """One expense in my scope."""
    return expenses.get(require_user(), expense_id)


@blp.route("/<int:expense_id>/submit", methods=["POST"])
@blp.response(200, ExpenseOut)
def submit_draft(expense_id: int):
    """Send my draft for approval."""
    return expenses.submit_draft(require_user(), expense_id)


@blp.route("/<int:expense_id>/approve", methods=["POST"])
@blp.arguments(ExpenseDecisionIn)
@blp.response(200, ExpenseOut)
def approve(data, expense_id: int):
    """Approve a pending expense (never my own; big ones need a city admin)."""
    return expenses.approve(require_user(), expense_id, data["note"])


@blp.route("/<int:expense_id>/reject", methods=["POST"])
@blp.arguments(ExpenseRejectIn)
@blp.response(200, ExpenseOut)
def reject(data, expense_id: int):
    """Reject a pending expense, with a reason."""
    return expenses.reject(require_user(), expense_id, data["reason"])


@blp.route("/<int:expense_id>/pay", methods=["POST"])
@blp.arguments(ExpensePayIn)
@blp.response(200, ExpenseOut)
def pay(data, expense_id: int):
    """Mark an approved expense paid (appends it to the ledger)."""
    return expenses.pay(require_user(), expense_id, data["reference"], data["note"])


@blp.route("/<int:expense_id>/cancel", methods=["POST"])
@blp.arguments(ExpenseCancelIn)
@blp.response(200, ExpenseOut)
def cancel(data, expense_id: int):
    """Withdraw an expense before it is paid."""
    return expenses.cancel(require_user(), expense_id, data["reason"])
