"""My inbox, my subscribe-message subscriptions, and the public list of templates."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.api.pagination import Listing, paged
from backend.auth import public, require_user
from backend.schemas.notification import (
    InboxPageOut,
    NotificationOut,
    NotificationQuery,
    ReadAllOut,
    SubscriptionIn,
    SubscriptionListOut,
    TemplateListOut,
    UnreadCountOut,
)
from backend.services import notifications
from backend.services.notification_templates import published_templates

blp = Blueprint("notifications", __name__, url_prefix="/api/v1", description="消息与订阅")


@blp.route("/me/notifications", methods=["GET"])
@blp.arguments(NotificationQuery, location="query")
@blp.response(200, InboxPageOut)
@paged
def list_notifications(args):
    """My inbox, newest first, with the unread count."""
    user = require_user()
    return Listing(
        notifications.inbox_query(user, **args),
        extra={"unread_count": notifications.unread_count(user)},
    )


@blp.route("/me/notifications/unread-count", methods=["GET"])
@blp.response(200, UnreadCountOut)
def unread_count():
    """How many of my notices are unread (for the 消息 tab badge)."""
    return {"unread_count": notifications.unread_count(require_user())}


@blp.route("/me/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
def mark_read(notification_id: int):
    """Mark one of my notices read."""
    return notifications.mark_read(require_user(), notification_id)


@blp.route("/me/notifications/read-all", methods=["POST"])
@blp.response(200, ReadAllOut)
def mark_all_read():
    """Mark all my notices read."""
    user = require_user()
    return {"updated": notifications.mark_all_read(user), "unread_count": 0}


@blp.route("/me/subscriptions", methods=["POST"])
@blp.arguments(SubscriptionIn)
@blp.response(200, SubscriptionListOut)
def record_subscriptions(data):
    """Report the answers of wx.requestSubscribeMessage (each accept allows one message)."""
    user = require_user()
    return {"items": notifications.record_subscriptions(user, data["results"])}


@blp.route("/me/subscriptions", methods=["GET"])
@blp.response(200, SubscriptionListOut)
def list_subscriptions():
    """How many subscribe messages of each template I have left."""
    return {"items": notifications.subscriptions_of(require_user())}


@blp.route("/notification-templates", methods=["GET"])
@blp.response(200, TemplateListOut)
@public
def list_templates():
    """Subscribe-message templates the mini-program may ask for."""
    return {"items": published_templates()}
