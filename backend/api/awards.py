"""The honour roll (光荣榜) and award revocation."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.award import AwardOut, AwardQuery
from backend.schemas.common import ReasonIn, page_of
from backend.services import awards

blp = Blueprint("awards", __name__, url_prefix="/api/v1/awards", description="表彰")


@blp.route("", methods=["GET"])
@blp.arguments(AwardQuery, location="query")
@blp.response(200, page_of(AwardOut))
@public
@paged
def honour_roll(args):
    """The public honour roll, newest first."""
    return awards.honour_roll_query(**args)


@blp.route("/<int:award_id>/revoke", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, AwardOut)
def revoke(data, award_id: int):
    """Revoke an award with a reason: points reversed, certificate marked revoked."""
    return awards.revoke(require_user(), award_id, data["reason"])
