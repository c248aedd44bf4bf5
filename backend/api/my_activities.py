"""My activities and my hours (under /me, next to the profile routes)."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import Listing, paged
from backend.auth import require_user
from backend.schemas.activity import HoursOut, MyActivitiesQuery, MyActivityOut
from backend.schemas.common import PageQuery, page_of
from backend.services import enrollments, hours

blp = Blueprint("my_activities", __name__, url_prefix="/api/v1/me", description="我的活动与时长")


@blp.route("/activities", methods=["GET"])
@blp.arguments(MyActivitiesQuery, location="query")
@blp.response(200, page_of(MyActivityOut))
@paged
def my_activities(args):
    """My enrollments with attendance, upcoming or past."""
    return enrollments.my_enrollments_query(require_user(), args.get("status"), args.get("when"))


@blp.route("/hours", methods=["GET"])
@blp.arguments(PageQuery, location="query")
@blp.response(200, HoursOut)
@paged
def my_hours(args):
    """My service and duty hours, star level and attendance records."""
    user = require_user()
    return Listing(hours.records_query(user.id), extra=hours.hours_of(user.id), nest="records")
