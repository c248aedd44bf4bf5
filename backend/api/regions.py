"""The public region tree."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public
from backend.schemas.common import page_of
from backend.schemas.region import RegionDetailOut, RegionOut, RegionQuery
from backend.services import regions

blp = Blueprint("regions", __name__, url_prefix="/api/v1/regions", description="区域")


@blp.route("", methods=["GET"])
@blp.arguments(RegionQuery, location="query")
@blp.response(200, page_of(RegionOut))
@public
@paged
def list_regions(args):
    """List regions, filtered by parent, level or name."""
    return regions.list_query(**args)


@blp.route("/<int:region_id>", methods=["GET"])
@blp.response(200, RegionDetailOut)
@public
def get_region(region_id: int):
    """One region with its ancestors and children."""
    return regions.get_region(region_id)
