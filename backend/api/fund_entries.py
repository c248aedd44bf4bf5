"""Single ledger entries and their reversal (a correction is a reversing entry)."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.auth import public, require_user
from backend.schemas.fund import EntryOut, ReverseIn
from backend.services import funds

blp = Blueprint("fund_entries", __name__, url_prefix="/api/v1/fund-entries", description="经费台账")


@blp.route("/<int:entry_id>", methods=["GET"])
@blp.response(200, EntryOut)
@public
def get_entry(entry_id: int):
    """One public ledger entry (donor masked)."""
    return funds.get_entry(entry_id)


@blp.route("/<int:entry_id>/reverse", methods=["POST"])
@blp.arguments(ReverseIn)
@blp.response(201, EntryOut)
def reverse(data, entry_id: int):
    """Reverse a donation or a paid expense, with a reason."""
    return funds.reverse_entry(require_user(), entry_id, data["reason"])
