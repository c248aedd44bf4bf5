"""Extension singletons, bound to an app in ``create_app`` (init_app pattern)."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_smorest import Api, Blueprint
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from backend.errors import handle_http_exception
from backend.wechat import WeChatGateway

# Stable constraint names so Alembic can alter them on SQLite (batch mode) and MySQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Unknown query parameters are an error too, not only unknown JSON fields (webargs would
# otherwise drop them silently for the query string).
Blueprint.ARGUMENTS_PARSER.DEFAULT_UNKNOWN_BY_LOCATION = {
    **Blueprint.ARGUMENTS_PARSER.DEFAULT_UNKNOWN_BY_LOCATION,
    "query": None,
    "querystring": None,
}


class SafeAllianceApi(Api):
    """flask-smorest Api whose HTTP errors use our envelope (DESIGN.md §5)."""

    def handle_http_exception(self, error):  # type: ignore[override]
        return handle_http_exception(error)


def _client_ip() -> str:
    return request.headers.get("X-Real-IP") or request.remote_addr or "unknown"


def _rerun_after_interruption() -> bool:
    """A request re-run after a database interruption was counted on its first run already."""
    from backend.transactions import attempt_number

    return attempt_number() > 0


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
api = SafeAllianceApi()
limiter = Limiter(key_func=_client_ip, default_limits=[])
limiter.request_filter(_rerun_after_interruption)
wechat = WeChatGateway()
