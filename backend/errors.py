"""The APIError hierarchy and the JSON error envelope of DESIGN.md §5.

Every error leaves the API as ``{"code": ..., "message": ..., "errors": {...}}`` with a real
HTTP status. ``code`` is stable English snake_case for the mini-program to branch on; ``message``
is Chinese for people.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class APIError(Exception):
    """Base of every error a service may raise; subclasses fix status, code and message."""

    status: int = 400
    code: str = "bad_request"
    message: str = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: dict[str, Any] | None = None,
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.errors = errors or {}
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(APIError):
    status, code, message = 400, "bad_request", "请求有误"


class Unauthorized(APIError):
    status, code, message = 401, "unauthorized", "请先登录"


class TokenExpired(Unauthorized):
    code, message = "token_expired", "登录已过期,请重新登录"


class TokenRevoked(Unauthorized):
    code, message = "token_revoked", "登录状态已失效,请重新登录"


class Forbidden(APIError):
    status, code, message = 403, "forbidden", "没有权限执行此操作"


class NotFound(APIError):
    status, code, message = 404, "not_found", "资源不存在"


class Conflict(APIError):
    status, code, message = 409, "conflict", "操作冲突,请刷新后重试"


class InvalidTransition(Conflict):
    code, message = "invalid_transition", "当前状态不允许此操作"


class IdempotencyConflict(Conflict):
    code, message = "idempotency_key_reused", "同一幂等键对应了不同的请求内容"


class ValidationFailed(APIError):
    status, code, message = 422, "validation_error", "提交的数据有误"


class ContentRisky(APIError):
    status, code, message = 422, "content_risky", "内容含有违规信息,请修改后再提交"


class ContentUnderReview(ValidationFailed):
    """Text judged "review" by content security where it cannot be held for a moderator."""

    code, message = "content_under_review", "内容需人工审核,请修改后再提交"


class RateLimited(APIError):
    status, code, message = 429, "rate_limited", "操作太频繁,请稍后再试"


class UpstreamError(APIError):
    status, code, message = 502, "wechat_error", "微信服务返回错误,请稍后再试"


class UpstreamUnavailable(APIError):
    status, code, message = 503, "wechat_unavailable", "微信服务暂时不可用,请稍后再试"


class WeChatLoginFailed(Unauthorized):
    code, message = "wechat_code_invalid", "微信登录凭证无效或已使用,请重新登录"


# Messages for plain HTTP errors raised outside our services (routing, methods, size).
_HTTP_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("bad_request", "请求有误"),
    401: ("unauthorized", "请先登录"),
    403: ("forbidden", "没有权限执行此操作"),
    404: ("not_found", "资源不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "操作冲突,请刷新后重试"),
    413: ("payload_too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("validation_error", "提交的数据有误"),
    428: ("precondition_required", "缺少必要的请求头"),
    429: ("rate_limited", "操作太频繁,请稍后再试"),
    500: ("internal_error", "服务器内部错误,请稍后再试"),
    502: ("bad_gateway", "上游服务错误,请稍后再试"),
    503: ("service_unavailable", "服务暂时不可用,请稍后再试"),
}


def envelope(status: int, code: str | None = None, message: str | None = None, errors: Any = None):
    """Build the JSON response for an error status."""
    default_code, default_message = _HTTP_DEFAULTS.get(status, ("error", "请求失败"))
    body: dict[str, Any] = {"code": code or default_code, "message": message or default_message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    return response


def _flatten_validation(messages: Any) -> dict[str, Any]:
    """flask-smorest nests errors by location (json/query/...); keep the field level only."""
    if not isinstance(messages, dict):
        return {"_schema": messages}
    flat: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            flat.update(fields)
        else:
            flat[location] = fields
    return flat


def handle_http_exception(error: HTTPException):
    """Render any werkzeug/flask-smorest HTTP error in our envelope."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    if status == 422 and "messages" in data:
        return envelope(422, errors=_flatten_validation(data["messages"]))
    if status == 429:
        return envelope(429)
    message = data.get("message") if isinstance(data, dict) else None
    if message is not None and not isinstance(message, str):
        message = None
    # werkzeug's English descriptions are not for our users; keep our Chinese defaults.
    return envelope(status, message=message if message and _is_chinese(message) else None)


def _is_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def register_error_handlers(app: Flask) -> None:
    """Install the envelope for APIError, HTTP errors, integrity conflicts and crashes."""

    @app.errorhandler(APIError)
    def _api_error(error: APIError):
        return envelope(error.status, error.code, error.message, error.errors)

    app.register_error_handler(HTTPException, handle_http_exception)

    @app.errorhandler(IntegrityError)
    def _integrity(error: IntegrityError):
        from backend.extensions import db

        db.session.rollback()
        log.info("integrity conflict: %s", error.orig)
        return envelope(409, "duplicate", "数据重复或与现有记录冲突")

    @app.errorhandler(Exception)
    def _crash(error: Exception):
        if isinstance(error, HTTPException):
            return handle_http_exception(error)
        from backend.extensions import db

        db.session.rollback()
        log.exception("unhandled error")
        return envelope(500)
