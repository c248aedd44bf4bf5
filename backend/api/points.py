"""My points and ledger; manual adjustments by admins."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.idempotency import idempotent
from backend.api.pagination import Listing, paged
from backend.auth import require_user
from backend.schemas.common import page_of
from backend.schemas.points import (
    AdjustmentIn,
    AdjustmentOut,
    AdjustmentQuery,
    MePointsOut,
    MePointsQuery,
)
from backend.services import points

blp = Blueprint("points", __name__, url_prefix="/api/v1", description="积分")


@blp.route("/me/points", methods=["GET"])
@blp.arguments(MePointsQuery, location="query")
@blp.response(200, MePointsOut)
@paged
def my_points(args):
    """My balance, this period's totals and my ledger."""
    user = require_user()
    summary = points.account_summary(user, args.get("date"))
    return Listing(points.ledger_query(user, args.get("source_type")), extra=summary)


@blp.route("/points/adjustments", methods=["POST"])
@idempotent("points_adjustment", required=True)
@blp.arguments(AdjustmentIn)
@blp.response(201, AdjustmentOut)
def adjust(data):
    """Grant or deduct a volunteer's points with a reason (Idempotency-Key required)."""
    return points.adjust(require_user(), data)


@blp.route("/points/adjustments", methods=["GET"])
@blp.arguments(AdjustmentQuery, location="query")
@blp.response(200, page_of(AdjustmentOut))
@paged
def list_adjustments(args):
    """Adjustments made in my scope."""
    return points.adjustments_query(require_user(), args.get("user_id"))
