"""Service requests (服务响应): submit, dispatch, handle, escalate, rate."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from backend.api.exports import send_sheet
from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.common import OptionalReasonIn, ReasonIn, page_of
from backend.schemas.service_request import (
    AssignIn,
    CandidateListOut,
    CategoryListOut,
    NoteIn,
    OptionalNoteIn,
    RatingIn,
    ResolveIn,
    ServiceCodeQuery,
    ServiceRequestIn,
    ServiceRequestListOut,
    ServiceRequestOut,
    ServiceRequestQuery,
)
from backend.services import service_requests

blp = Blueprint(
    "service_requests",
    __name__,
    url_prefix="/api/v1/service-requests",
    description="服务响应:求助、隐患、纠纷、线索、建议,逐级上报。紧急情况请拨打 110",
)


@blp.route("/categories", methods=["GET"])
@blp.response(200, CategoryListOut)
@public
def categories():
    """Request categories, urgencies, deadlines and the emergency notice."""
    return service_requests.categories()


@blp.route("/service-code", methods=["GET"])
@blp.arguments(ServiceCodeQuery, location="query")
@blp.response(200, content_type="image/png")
def service_code(args):
    """A printable mini-program code opening the request form for a village or grid."""
    png = service_requests.service_code(require_user(), args["region_id"])
    return Response(png, mimetype="image/png")


@blp.route("", methods=["POST"])
@blp.arguments(ServiceRequestIn)
@blp.response(201, ServiceRequestOut)
def submit(data):
    """Submit a request (not an emergency line: call 110 in an emergency)."""
    return service_requests.submit(require_user(), data)


@blp.route("", methods=["GET"])
@blp.arguments(ServiceRequestQuery, location="query")
@blp.response(200, page_of(ServiceRequestListOut))
@paged
def list_requests(args):
    """Requests I submitted or may handle, with queue filters; `format` exports."""
    user = require_user()
    fmt = args.pop("format", None)
    if fmt:
        return send_sheet(service_requests.requests_sheet(user, **args), fmt)
    return service_requests.list_query(user, **args)


@blp.route("/<int:request_id>", methods=["GET"])
@blp.response(200, ServiceRequestOut)
def get_request(request_id: int):
    """One request with its timeline and the actions open to me."""
    return service_requests.get_visible(require_user(), request_id)


@blp.route("/<int:request_id>/candidates", methods=["GET"])
@blp.response(200, CandidateListOut)
def candidates(request_id: int):
    """Handlers a dispatcher may assign, suggested by skills and load."""
    return {"items": service_requests.candidates(require_user(), request_id)}


@blp.route("/<int:request_id>/assign", methods=["POST"])
@blp.arguments(AssignIn)
@blp.response(200, ServiceRequestOut)
def assign(data, request_id: int):
    """Assign (or reassign) to a grid worker, auxiliary police officer or volunteer."""
    return service_requests.assign(require_user(), request_id, data["assignee_id"], data["note"])


@blp.route("/<int:request_id>/claim", methods=["POST"])
@blp.arguments(OptionalNoteIn)
@blp.response(200, ServiceRequestOut)
def claim(data, request_id: int):
    """A grid worker claims a request of their own grid."""
    return service_requests.claim(require_user(), request_id, data["note"])


@blp.route("/<int:request_id>/accept", methods=["POST"])
@blp.arguments(OptionalNoteIn)
@blp.response(200, ServiceRequestOut)
def accept(data, request_id: int):
    """The assigned handler accepts and starts work."""
    return service_requests.accept(require_user(), request_id, data["note"])


@blp.route("/<int:request_id>/resolve", methods=["POST"])
@blp.arguments(ResolveIn)
@blp.response(200, ServiceRequestOut)
def resolve(data, request_id: int):
    """Report the request resolved, with the result."""
    return service_requests.resolve(require_user(), request_id, data["note"])


@blp.route("/<int:request_id>/reject", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ServiceRequestOut)
def reject(data, request_id: int):
    """Reject the request (or refuse text held for review), with a reason."""
    return service_requests.reject(require_user(), request_id, data["reason"])


@blp.route("/<int:request_id>/escalate", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ServiceRequestOut)
def escalate(data, request_id: int):
    """Escalate one tier up (village → township → city), with a reason."""
    return service_requests.escalate(require_user(), request_id, data["reason"])


@blp.route("/<int:request_id>/release", methods=["POST"])
@blp.arguments(OptionalNoteIn)
@blp.response(200, ServiceRequestOut)
def release(data, request_id: int):
    """A moderator releases a request held for content review."""
    return service_requests.release(require_user(), request_id, data["note"])


@blp.route("/<int:request_id>/cancel", methods=["POST"])
@blp.arguments(OptionalReasonIn)
@blp.response(200, ServiceRequestOut)
def cancel(data, request_id: int):
    """The requester withdraws the request before work starts."""
    return service_requests.cancel(require_user(), request_id, data["reason"])


@blp.route("/<int:request_id>/reopen", methods=["POST"])
@blp.arguments(ReasonIn)
@blp.response(200, ServiceRequestOut)
def reopen(data, request_id: int):
    """The requester reopens a resolved request (within the reopen window)."""
    return service_requests.reopen(require_user(), request_id, data["reason"])


@blp.route("/<int:request_id>/rating", methods=["POST"])
@blp.arguments(RatingIn)
@blp.response(200, ServiceRequestOut)
def rate(data, request_id: int):
    """The requester rates the resolution 1–5 with a comment; the request closes."""
    return service_requests.rate(require_user(), request_id, data["score"], data["comment"])


@blp.route("/<int:request_id>/notes", methods=["POST"])
@blp.arguments(NoteIn)
@blp.response(201, ServiceRequestOut)
def add_note(data, request_id: int):
    """Add a note to the timeline (requester, handler or dispatcher)."""
    return service_requests.add_note(require_user(), request_id, data["note"])
