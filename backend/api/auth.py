"""WeChat login and phone binding."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint

from backend.auth import public, require_user
from backend.extensions import limiter
from backend.schemas.identity import LoginOut, MeOut, PhoneBindIn, WeChatLoginIn
from backend.services import identity

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="登录与身份")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@blp.route("/wechat", methods=["POST"])
@blp.arguments(WeChatLoginIn)
@blp.response(200, LoginOut)
@limiter.limit(_login_limit)
@public
def wechat_login(data):
    """Log in with a wx.login code; the first login creates the user."""
    user, token, expires_at = identity.login_with_code(data["code"])
    return {"token": token, "expires_at": expires_at, "user": user}


@blp.route("/phone", methods=["POST"])
@blp.arguments(PhoneBindIn)
@blp.response(200, MeOut)
def bind_phone(data):
    """Bind the phone number from a getPhoneNumber code."""
    return identity.bind_phone(require_user(), data["code"])
