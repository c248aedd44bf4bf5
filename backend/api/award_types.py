"""Award types (表彰类型)."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.award import AwardTypeIn, AwardTypeOut, AwardTypePatchIn, AwardTypeQuery
from backend.schemas.common import page_of
from backend.services import awards

blp = Blueprint("award_types", __name__, url_prefix="/api/v1/award-types", description="表彰类型")


@blp.route("", methods=["GET"])
@blp.arguments(AwardTypeQuery, location="query")
@blp.response(200, page_of(AwardTypeOut))
@public
@paged
def list_award_types(args):
    """Award types with their tier, target and points."""
    return awards.award_types_query(**args)


@blp.route("", methods=["POST"])
@blp.arguments(AwardTypeIn)
@blp.response(201, AwardTypeOut)
def create_award_type(data):
    """Define an award type (city admins)."""
    return awards.create_award_type(require_user(), data)


@blp.route("/<int:award_type_id>", methods=["PATCH"])
@blp.arguments(AwardTypePatchIn)
@blp.response(200, AwardTypeOut)
def update_award_type(data, award_type_id: int):
    """Change an award type's points or description, or stop new nominations (city admins)."""
    return awards.update_award_type(require_user(), award_type_id, data)
