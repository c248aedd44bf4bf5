"""Platform health."""

from __future__ import annotations

from flask import current_app
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from backend.auth import public
from backend.extensions import db

blp = Blueprint("health", __name__, url_prefix="/api/v1", description="平台状态")


class HealthOut(Schema):
    status = fields.String(metadata={"description": "ok 或 degraded"})
    version = fields.String()
    database = fields.String()
    redis = fields.String()


@blp.route("/health")
@blp.response(200, HealthOut)
@blp.alt_response(503, schema=HealthOut)
@public
def health():
    """Report the state of the database and Redis."""
    result = {"version": current_app.config["VERSION"], "database": "ok", "redis": "not_configured"}
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is down
        result["database"] = "error"
    if current_app.config.get("REDIS_URL"):
        try:
            import redis

            redis.Redis.from_url(current_app.config["REDIS_URL"], socket_timeout=1).ping()
            result["redis"] = "ok"
        except Exception:  # noqa: BLE001
            result["redis"] = "error"
    healthy = result["database"] == "ok" and result["redis"] in ("ok", "not_configured")
    result["status"] = "ok" if healthy else "degraded"
    return result, 200 if healthy else 503
