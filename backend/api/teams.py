"""Volunteer teams."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.common import page_of
from backend.schemas.volunteer import TeamIn, TeamOut, TeamQuery
from backend.services import teams

blp = Blueprint("teams", __name__, url_prefix="/api/v1/teams", description="志愿服务队")


@blp.route("", methods=["GET"])
@blp.arguments(TeamQuery, location="query")
@blp.response(200, page_of(TeamOut))
@public
@paged
def list_teams(args):
    """Teams of a region and its descendants."""
    return teams.list_query(args.get("region_id"))


@blp.route("", methods=["POST"])
@blp.arguments(TeamIn)
@blp.response(201, TeamOut)
def create_team(data):
    """Create a team in a region I administer."""
    return teams.create_team(require_user(), data)
