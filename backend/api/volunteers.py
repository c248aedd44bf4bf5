"""Volunteer applications and review."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import require_user
from backend.schemas.common import OptionalReasonIn, ReasonIn, page_of
from backend.schemas.volunteer import VolunteerIn, VolunteerOut, VolunteerQuery
from backend.services import volunteers

blp = Blueprint("volunteers", __name__, url_prefix="/api/v1/volunteers", description="平安志愿者")


@blp.route("", methods=["POST"])
@blp.arguments(VolunteerIn)
@blp.response(201, VolunteerOut)
def apply(data):
    """Apply to become a safety volunteer."""
    return volunteers.apply(require_user(), data)


@blp.route("", methods=["GET"])
@blp.arguments(VolunteerQuery, location="query")
@blp.response(200, page_of(VolunteerOut))
@paged
def list_volunteers(args):
    """Volunteers in my review scope, with filters."""
    return volunteers.list_query(require_user(), **args)


@blp.route("/<int:volunteer_id>", methods=["GET"])
@blp.response(200, VolunteerOut)
def get_volunteer(volunteer_id: int):
    """One volunteer in my review scope, or my own application."""
    return volunteers.get_readable(require_user(), volunteer_id)


@blp.route("/<int:volunteer_id>/approve", methods=["POST"])
@blp.arguments(OptionalReasonIn)
@blp.response(200, VolunteerOut)
def approve(data, volunteer_id: int):
    """Approve an application (or reinstate a suspended volunteer)."""
    return volunteers.review(require_user(), volunteer_id, "approve", data["reason"])


@blp.route("/<int:volunteer_id>/reject", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, VolunteerOut)
def reject(data, volunteer_id: int):
    """Reject an application, with a reason."""
    return volunteers.review(require_user(), volunteer_id, "reject", data["reason"])


@blp.route("/<int:volunteer_id>/suspend", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, VolunteerOut)
def suspend(data, volunteer_id: int):
    """Suspend an approved volunteer, with a reason."""
    return volunteers.review(require_user(), volunteer_id, "suspend", data["reason"])
