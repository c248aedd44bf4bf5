"""Platform health: each dependency on its own, and whether the API can serve."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from backend.auth import public
from backend.dependencies import redis_client
from backend.extensions import db, wechat
from backend.transactions import discard_session

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="平台状态")


class HealthOut(Schema):
    status = fields.String(
        metadata={
            "description": "ok 一切正常;degraded 可以服务但有依赖不可用(Redis、微信);"
            "unavailable 数据库不可用,无法服务(此时状态码为 503)"
        }
    )
    version = fields.String()
    database = fields.String(metadata={"description": "ok / error"})
    redis = fields.String(metadata={"description": "ok / error / not_configured"})
    rate_limit_store = fields.String(
        metadata={"description": "redis,或 memory(未配置 Redis 或 Redis 不可用时各进程自行计数)"}
    )
    wechat = fields.String(
        metadata={"description": "本进程最近一次调用微信的结果:ok / error / unknown(尚未调用)"}
    )
    wechat_token_store = fields.String(metadata={"description": "redis 或 memory(本进程缓存)"})


def _database_ok() -> bool:
    # Twice: after a database restart the first try meets a stale pooled connection (and
    # drops the pool); the second uses a fresh one.
    for _ in range(2):
        try:
            db.session.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means the database did not answer
            discard_session()
    return False


def _redis_state() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not_configured"
    try:
        redis_client(url, current_app.config).ping()
        return "ok"
    except Exception:  # noqa: BLE001
        return "error"


def _rate_limit_store(redis_state: str) -> str:
    uri = current_app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith(("redis://", "rediss://")) and redis_state == "ok":
        return "redis"
    return "memory"  # flask-limiter's in-memory fallback while Redis is unreachable


@blp.route("/health")
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut)
@public
def health():
    """Report each dependency; 200 while the API can serve (maybe degraded), 503 when it cannot."""
    redis_state = _redis_state()
    result = {
        "version": current_app.config["VERSION"],
        "database": "ok" if _database_ok() else "error",
        "redis": redis_state,
        "rate_limit_store": _rate_limit_store(redis_state),
        **wechat.status(),
    }
    if result["database"] != "ok":
        result["status"] = "unavailable"
        return result, 503
    degraded = result["redis"] == "error" or result["wechat"] == "error"
    result["status"] = "degraded" if degraded else "ok"
    return result, 200
