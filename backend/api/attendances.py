"""Attendance records: the organiser's hours corrections."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.auth import require_user
from backend.schemas.activity import AttendanceOut, HoursCorrectionIn
from backend.services import attendance

blp = Blueprint(
    "attendances", __name__, url_prefix="/api/v1/attendances", description="签到记录与时长更正"
)


@blp.route("/<int:attendance_id>", methods=["PATCH"])
@blp.arguments(HoursCorrectionIn)
@blp.response(200, AttendanceOut)
def correct_hours(data, attendance_id: int):
    """Correct served minutes with a reason (organiser, audited; points follow)."""
    return attendance.correct_hours(
        require_user(), attendance_id, data["served_minutes"], data["reason"]
    )
