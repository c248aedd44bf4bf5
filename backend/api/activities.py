"""Activities: drafting and lifecycle, enrollment, roster, check-in codes, check-in/out."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.exports import send_sheet
from backend.api.idempotency import idempotent
from backend.api.pagination import Listing, paged
from backend.auth import current_user, public, require_user
from backend.schemas.activity import (
    ActivityDetailOut,
    ActivityIn,
    ActivityListOut,
    ActivityQuery,
    ActivityUpdateIn,
    AttendanceOut,
    CheckinCodeOut,
    CheckinCodeQuery,
    EnrollmentOut,
    ManualAttendanceIn,
    RosterEntryOut,
    RosterQuery,
    ScanIn,
)
from backend.schemas.common import ReasonIn, page_of
from backend.services import activities, attendance, enrollments

blp = Blueprint("activities", __name__, url_prefix="/api/v1/activities", description="活动开展")


@blp.route("", methods=["GET"])
@blp.arguments(ActivityQuery, location="query")
@blp.response(
    200,
    page_of(ActivityListOut),
    description="列表项只含列表页所需字段;描述、组织者、服务队、签到设置等见活动详情",
)
@public
@paged
def list_activities(args):
    """Published activities with filters (region, category, dates, near a point, open)."""
    query = activities.list_query(current_user(), args)
    return Listing(
        query,
        count=activities.count_query(query),
        facts=lambda items: activities.annotate(items, args),
    )


@blp.route("", methods=["POST"])
@blp.arguments(ActivityIn)
@blp.response(201, ActivityDetailOut)
def create_activity(data):
    """Draft an activity in a region I organise."""
    return activities.create(require_user(), data)


@blp.route("/<int:activity_id>", methods=["GET"])
@blp.response(200, ActivityDetailOut)
@public
def get_activity(activity_id: int):
    """One activity, with my enrollment when logged in."""
    return activities.get_visible(current_user(), activity_id)


@blp.route("/<int:activity_id>", methods=["PATCH"])
@blp.arguments(ActivityUpdateIn)
@blp.response(200, ActivityDetailOut)
def update_activity(data, activity_id: int):
    """Edit a draft, or a published activity before it starts."""
    return activities.update_activity(require_user(), activity_id, data)


@blp.route("/<int:activity_id>/publish", methods=["POST"])
@blp.response(200, ActivityDetailOut)
def publish(activity_id: int):
    """Publish a draft (its text must have passed content security)."""
    return activities.publish(require_user(), activity_id)


@blp.route("/<int:activity_id>/cancel", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ActivityDetailOut)
def cancel(data, activity_id: int):
    """Cancel an activity with a reason; everyone enrolled is notified."""
    return activities.cancel(require_user(), activity_id, data["reason"])


@blp.route("/<int:activity_id>/complete", methods=["POST"])
@blp.response(200, ActivityDetailOut)
def complete(activity_id: int):
    """Close an activity: open check-ins are checked out, no-shows marked."""
    return activities.complete(require_user(), activity_id)


@blp.route("/<int:activity_id>/release-content", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ActivityDetailOut)
def release_content(data, activity_id: int):
    """Release text held by content security (township admin and above)."""
    return activities.release_content(require_user(), activity_id, data["reason"])


# -- enrollment -----------------------------------------------------------------------------


@blp.route("/<int:activity_id>/enrollments", methods=["POST"])
@blp.response(201, EnrollmentOut)
def enroll(activity_id: int):
    """Sign up: a seat, or a waitlist ticket when full."""
    return enrollments.enroll(require_user(), activity_id)


@blp.route("/<int:activity_id>/enrollments/me", methods=["DELETE"])
@blp.response(200, EnrollmentOut)
def cancel_enrollment(activity_id: int):
    """Cancel my enrollment before the deadline (the seat goes to the waitlist)."""
    return enrollments.cancel_mine(require_user(), activity_id)


@blp.route("/<int:activity_id>/enrollments", methods=["GET"])
@blp.arguments(RosterQuery, location="query")
@blp.response(200, page_of(RosterEntryOut))
@paged
def roster(args, activity_id: int):
    """The roster; ``format=csv`` or ``xlsx`` downloads it."""
    user = require_user()
    fmt = args.get("format") or "json"
    if fmt != "json":
        return send_sheet(enrollments.roster_sheet(user, activity_id, args.get("status")), fmt)
    _activity, query = enrollments.roster_query(user, activity_id, args.get("status"))
    return Listing(query, facts=lambda items: enrollments.roster_facts(user, items))


@blp.route("/<int:activity_id>/enrollments/<int:enrollment_id>/remove", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, RosterEntryOut)
def remove_enrollment(data, activity_id: int, enrollment_id: int):
    """Remove someone from the activity, with a reason (organiser)."""
    return enrollments.remove(require_user(), activity_id, enrollment_id, data["reason"])


@blp.route("/<int:activity_id>/enrollments/<int:enrollment_id>/checkin", methods=["POST"])
@blp.arguments(ManualAttendanceIn)
@blp.response(201, AttendanceOut)
def manual_checkin(data, activity_id: int, enrollment_id: int):
    """Check someone in by hand (代签), with a reason (organiser, audited)."""
    return attendance.manual_check_in(
        require_user(), activity_id, enrollment_id, data["reason"], data.get("at")
    )


@blp.route("/<int:activity_id>/enrollments/<int:enrollment_id>/checkout", methods=["POST"])
@idempotent("activity.manual_checkout")
@blp.arguments(ManualAttendanceIn)
@blp.response(200, AttendanceOut)
def manual_checkout(data, activity_id: int, enrollment_id: int):
    """Check someone out by hand, with a reason (organiser, audited; grants points)."""
    return attendance.manual_check_out(
        require_user(), activity_id, enrollment_id, data["reason"], data.get("at")
    )


# -- on-site check-in -----------------------------------------------------------------------


@blp.route("/<int:activity_id>/checkin-code", methods=["GET"])
@blp.arguments(CheckinCodeQuery, location="query")
@blp.response(200, CheckinCodeOut)
def checkin_code(args, activity_id: int):
    """The current rotating code and its mini-program QR image (organiser)."""
    return attendance.current_code(require_user(), activity_id, args["purpose"])


@blp.route("/<int:activity_id>/checkins", methods=["POST"])
@blp.arguments(ScanIn)
@blp.response(
    201,
    AttendanceOut,
    description="签到成功(201)。已签到者再次扫描现场当前签到码即签退:200,status 为 "
    "checked_out;签到不足 ACTIVITY_CHECKOUT_AFTER_MINUTES 分钟的重复扫码为 409 "
    "already_checked_in。",
)
@blp.alt_response(200, schema=AttendanceOut, description="已签到者扫码:签退成功")
def check_in(data, activity_id: int):
    """Check in on site with the scanned code and my location (scanning again checks out)."""
    record, created = attendance.check_in(require_user(), activity_id, data)
    return record, 201 if created else 200


@blp.route("/<int:activity_id>/checkouts", methods=["POST"])
@idempotent("activity.checkout")
@blp.arguments(ScanIn)
@blp.response(200, AttendanceOut)
def check_out(data, activity_id: int):
    """Check out on site; served hours are recorded and points granted."""
    return attendance.check_out(require_user(), activity_id, data)
