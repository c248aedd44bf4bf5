"""Nominations (推荐) and their approval by the next tier up."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.idempotency import idempotent
from backend.api.pagination import paged
from backend.auth import require_user
from backend.schemas.award import NominationIn, NominationOut, NominationQuery
from backend.schemas.common import OptionalReasonIn, ReasonIn, page_of
from backend.services import awards

blp = Blueprint("nominations", __name__, url_prefix="/api/v1/nominations", description="表彰推荐")


@blp.route("", methods=["POST"])
@blp.arguments(NominationIn)
@blp.response(201, NominationOut)
def nominate(data):
    """Nominate a volunteer, team or village in my scope for an award."""
    return awards.nominate(require_user(), data)


@blp.route("", methods=["GET"])
@blp.arguments(NominationQuery, location="query")
@blp.response(200, page_of(NominationOut))
@paged
def list_nominations(args):
    """Nominations in my scope; actionable=true is my approval queue."""
    return awards.nominations_query(require_user(), **args)


@blp.route("/<int:nomination_id>", methods=["GET"])
@blp.response(200, NominationOut)
def get_nomination(nomination_id: int):
    """One nomination in my scope."""
    return awards.get_nomination(require_user(), nomination_id)


@blp.route("/<int:nomination_id>/approve", methods=["POST"])
@idempotent("nomination_approve")
@blp.arguments(OptionalReasonIn)
@blp.response(200, NominationOut)
def approve(data, nomination_id: int):
    """Approve: grants the award, its points and a certificate (next tier up, never self)."""
    return awards.approve(require_user(), nomination_id, data["reason"])


@blp.route("/<int:nomination_id>/reject", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, NominationOut)
def reject(data, nomination_id: int):
    """Decline a nomination, with a reason."""
    return awards.reject(require_user(), nomination_id, data["reason"])
