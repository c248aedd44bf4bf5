"""Bulletins (通报) of the assessment cadence, and quarterly talk outcomes."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.bulletin import BulletinDetailOut, BulletinOut, BulletinQuery, TalkIn, TalkOut
from backend.schemas.common import PageQuery, page_of
from backend.services import bulletins

blp = Blueprint("bulletins", __name__, url_prefix="/api/v1/bulletins", description="通报")


@blp.route("", methods=["GET"])
@blp.arguments(BulletinQuery, location="query")
@blp.response(200, page_of(BulletinOut))
@public
@paged
def list_bulletins(args):
    """Published bulletins, newest first, with filters."""
    return bulletins.list_query(
        args.get("kind"),
        args.get("region_id"),
        args.get("period_key"),
        args.get("since"),
        args.get("until"),
    )


@blp.route("/<int:bulletin_id>", methods=["GET"])
@blp.response(200, BulletinDetailOut)
@public
def get_bulletin(bulletin_id: int):
    """One bulletin with its content."""
    return bulletins.get(bulletin_id)


@blp.route("/<int:bulletin_id>/charts/<int:index>", methods=["GET"])
@blp.response(200, content_type="image/png")
@public
def get_chart(bulletin_id: int, index: int):
    """One chart image of a bulletin (public, like the bulletin)."""
    data, content_type = bulletins.chart(bulletin_id, index)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/<int:bulletin_id>/talks", methods=["POST"])
@blp.arguments(TalkIn)
@blp.response(200, TalkOut)
def record_talk(data, bulletin_id: int):
    """Record or correct the outcome of a quarterly talk (township and city admins)."""
    return bulletins.record_talk(require_user(), bulletin_id, data)


@blp.route("/<int:bulletin_id>/talks", methods=["GET"])
@blp.arguments(PageQuery, location="query")
@blp.response(200, page_of(TalkOut))
@paged
def list_talks(args, bulletin_id: int):
    """Talk outcomes of a quarterly list inside my scope."""
    return bulletins.talks_query(require_user(), bulletin_id)
