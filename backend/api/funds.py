"""Alliance funds: the public ledger, donations, expense submission and monthly statements."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.exports import send_sheet
from backend.api.idempotency import idempotent
from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.common import page_of
from backend.schemas.fund import (
    DonationIn,
    EntryOut,
    EntryQuery,
    ExpenseIn,
    ExpenseOut,
    FundIn,
    FundOut,
    FundPatchIn,
    FundQuery,
    FundStatusIn,
    StatementOut,
    StatementQuery,
)
from backend.services import expenses, funds

blp = Blueprint("funds", __name__, url_prefix="/api/v1/funds", description="经费筹措")


@blp.route("", methods=["GET"])
@blp.arguments(FundQuery, location="query")
@blp.response(200, page_of(FundOut))
@public
@paged
def list_funds(args):
    """Funds with balance, income and expense totals and progress to target."""
    return funds.list_query(**args)


@blp.route("", methods=["POST"])
@blp.arguments(FundIn)
@blp.response(201, FundOut)
def open_fund(data):
    """Open the alliance fund of a region (township admin or above)."""
    return funds.open_fund(require_user(), data)


@blp.route("/<int:fund_id>", methods=["GET"])
@blp.response(200, FundOut)
@public
def get_fund(fund_id: int):
    """One fund with its totals."""
    return funds.get_fund(fund_id)


@blp.route("/<int:fund_id>", methods=["PATCH"])
@blp.arguments(FundPatchIn)
@blp.response(200, FundOut)
def update_fund(data, fund_id: int):
    """Edit a fund's name, purpose or target."""
    return funds.update_fund(require_user(), fund_id, data)


@blp.route("/<int:fund_id>/close", methods=["POST"])
@blp.arguments(FundStatusIn)
@blp.response(200, FundOut)
def close_fund(data, fund_id: int):
    """Close a fund to new donations and expenses."""
    return funds.set_status(require_user(), fund_id, "closed", data["reason"])


@blp.route("/<int:fund_id>/reopen", methods=["POST"])
@blp.arguments(FundStatusIn)
@blp.response(200, FundOut)
def reopen_fund(data, fund_id: int):
    """Reopen a closed fund."""
    return funds.set_status(require_user(), fund_id, "open", data["reason"])


@blp.route("/<int:fund_id>/entries", methods=["GET"])
@blp.arguments(EntryQuery, location="query")
@blp.response(200, page_of(EntryOut))
@blp.alt_response(200, description="CSV / XLSX 导出(管理员)", content_type="text/csv")
@public
@paged
def list_entries(args, fund_id: int):
    """The public ledger of a fund (donors masked); ?format=csv|xlsx for its admins."""
    fmt = args.pop("format", None)
    if fmt:
        return send_sheet(funds.entries_sheet(require_user(), fund_id, **args), fmt)
    return funds.entries_query(funds.get_fund(fund_id), **args)


@blp.route("/<int:fund_id>/statements", methods=["GET"])
@blp.arguments(StatementQuery, location="query")
@blp.response(200, StatementOut)
@public
def statement(args, fund_id: int):
    """The monthly public statement (公示) of a fund."""
    return funds.statement(funds.get_fund(fund_id), args.get("month"))


@blp.route("/<int:fund_id>/donations", methods=["POST"])
@idempotent("donation")
@blp.arguments(DonationIn)
@blp.response(201, EntryOut)
def record_donation(data, fund_id: int):
    """Record a donation (honours Idempotency-Key)."""
    return funds.record_donation(require_user(), fund_id, data)


@blp.route("/<int:fund_id>/expenses", methods=["POST"])
@idempotent("expense")
@blp.arguments(ExpenseIn)
@blp.response(201, ExpenseOut)
def submit_expense(data, fund_id: int):
    """Submit an expense for approval, or save a draft (honours Idempotency-Key)."""
    return expenses.submit(require_user(), fund_id, data)
