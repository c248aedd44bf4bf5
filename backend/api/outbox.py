"""Delivery state of WeChat subscribe messages, for city admins."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.exports import FORMATS, send_sheet
from backend.api.pagination import paged
from backend.auth import require_user
from backend.schemas.common import OptionalReasonIn, page_of
from backend.schemas.notification import OutboxOut, OutboxQuery, OutboxStatsOut
from backend.services import outbox

blp = Blueprint("outbox", __name__, url_prefix="/api/v1/admin/outbox", description="消息发送")


@blp.route("", methods=["GET"])
@blp.arguments(OutboxQuery, location="query")
@blp.response(200, page_of(OutboxOut))
@paged
def list_outbox(args):
    """Outbox rows with filters; ``format=csv|xlsx`` downloads every matching row."""
    user = require_user()
    fmt = args.pop("format")
    if fmt in FORMATS:
        return send_sheet(outbox.outbox_sheet(user, **args), fmt)
    return outbox.list_query(user, **args)


@blp.route("/stats", methods=["GET"])
@blp.response(200, OutboxStatsOut)
def outbox_stats():
    """How many messages are in each delivery state."""
    return outbox.stats(require_user())


@blp.route("/<int:outbox_id>/resend", methods=["POST"])
@blp.arguments(OptionalReasonIn)
@blp.response(200, OutboxOut)
def resend(data, outbox_id: int):
    """Queue a failed message again (recorded in the audit log)."""
    return outbox.resend(require_user(), outbox_id, data["reason"])
