"""Leaderboards of villages, townships and the city."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.auth import current_user, public
from backend.schemas.points import LeaderboardOut, LeaderboardQuery
from backend.services import leaderboards

blp = Blueprint(
    "leaderboards", __name__, url_prefix="/api/v1/leaderboards", description="积分排行榜"
)


@blp.route("", methods=["GET"])
@blp.arguments(LeaderboardQuery, location="query")
@blp.response(200, LeaderboardOut)
@public
def board(args):
    """A leaderboard for a region and period, with my rank when logged in."""
    return leaderboards.board(
        args.get("region_id"),
        args["period"],
        args.get("date"),
        args["page"],
        args["page_size"],
        current_user(),
    )
