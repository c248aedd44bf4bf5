"""Delivery state of WeChat subscribe messages, for city admins."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.exports import table_response
from backend.api.pagination import paginate
from backend.auth import require_user
from backend.schemas.common import OptionalReasonIn, page_of
from backend.schemas.notification import OutboxOut, OutboxQuery, OutboxStatsOut
from backend.services import outbox

blp = Blueprint("outbox", __name__, url_prefix="/api/v1/admin/outbox", description="消息发送")

EXPORT_HEADERS = (
    "编号", "消息编号", "用户编号", "类型", "模板ID", "状态", "尝试次数",
    "下次尝试", "错误码", "错误信息", "发送时间", "创建时间",
)  # fmt: skip


@blp.route("", methods=["GET"])
@blp.arguments(OutboxQuery, location="query")
@blp.response(200, page_of(OutboxOut))
def list_outbox(args):
    """Outbox rows with filters; ``format=csv|xlsx`` downloads every matching row."""
    user = require_user()
    page, size, fmt = args.pop("page"), args.pop("page_size"), args.pop("format")
    query = outbox.list_query(user, **args)
    if fmt in ("csv", "xlsx"):
        return table_response("outbox", EXPORT_HEADERS, _export_rows(query), fmt)
    return paginate(query, page, size)


def _export_rows(query):
    from backend.extensions import db

    for row in db.session.scalars(query.limit(100_000)):
        yield (
            row.id, row.notification_id, row.user_id, row.kind, row.template_id,
            outbox.STATUS_NAMES.get(row.status, row.status), row.attempts,
            row.next_attempt_at, row.last_errcode, row.last_error, row.sent_at, row.created_at,
        )  # fmt: skip


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
