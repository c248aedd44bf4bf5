"""Scorecards (考评) of volunteers, grid workers and villages by period."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.exports import send_sheet
from backend.auth import require_user
from backend.schemas.scorecard import ScorecardOut, ScorecardQuery
from backend.services import scorecards

blp = Blueprint("scorecards", __name__, url_prefix="/api/v1/scorecards", description="考评")


@blp.route("", methods=["GET"])
@blp.arguments(ScorecardQuery, location="query")
@blp.response(200, ScorecardOut)
@blp.alt_response(200, description="CSV / XLSX 导出", content_type="text/csv")
def list_scorecards(args):
    """Scorecards for a region and period (admins, scoped); ?format=csv|xlsx exports."""
    user = require_user()
    fmt = args.get("format")
    if fmt:
        sheet = scorecards.export_sheet(
            user, args["type"], args.get("region_id"), args["period"], args.get("date")
        )
        return send_sheet(sheet, fmt)
    return scorecards.scorecards(
        user,
        args["type"],
        args.get("region_id"),
        args["period"],
        args.get("date"),
        args["page"],
        args["page_size"],
    )
