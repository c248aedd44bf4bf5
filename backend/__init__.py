"""Safe Alliance (平安大联盟) backend: ``create_app`` wires extensions, blueprints and CLI."""

from __future__ import annotations

import logging
import os

from flask import Flask, Response

# Before any schema is defined: marshmallow copies its messages into each field and validator.
import backend.schemas.validation_messages  # noqa: F401
from config import Config, get_config


class SafeAllianceApp(Flask):
    """Flask whose requests are re-run when the database interrupts their transaction."""

    def full_dispatch_request(self) -> Response:
        from backend import transactions

        return transactions.dispatch_request(self, super().full_dispatch_request)

    def handle_user_exception(self, e: Exception):
        from backend import transactions

        transactions.raise_interruption(e)  # a deadlock or lost connection is re-run, not a 500
        return super().handle_user_exception(e)


def create_app(config: str | type[Config] | None = None, **overrides) -> Flask:
    """Build the Flask app for a configuration name or class (default from ``APP_ENV``)."""
    config_class = config if isinstance(config, type) else get_config(config)
    config_class.validate()

    app = SafeAllianceApp(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    app.config.from_object(config_class)
    app.config.update(overrides)
    app.json.ensure_ascii = False
    os.makedirs(app.instance_path, exist_ok=True)
    _configure_engine(app)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from backend import auth, errors, transactions
    from backend.api import register_blueprints
    from backend.extensions import api, db, limiter, migrate, wechat

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(_project_root(), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    _configure_rate_limit_storage(app, overrides)
    limiter.init_app(app)
    wechat.init_app(app)
    api.init_app(app)
    _document_security(api)
    register_blueprints(api)
    _serve_docs_assets(app)
    errors.register_error_handlers(app)
    auth.init_app(app)

    transactions.install_engine_hooks()
    # One commit per request: keep the work of a success, drop everything else. Registered
    # last, so it runs first among the after-request hooks; a COMMIT that a conflict refused
    # re-runs the request (transactions.dispatch_request).
    app.after_request(transactions.finish_request)

    from backend.cli import register_cli

    register_cli(app)
    return app


def _configure_rate_limit_storage(app: Flask, overrides: dict) -> None:
    """Counters in Redis when configured; while Redis is unreachable, per-process counters
    (flask-limiter's in-memory fallback, which logs a warning when it switches), not a 500."""
    from backend.dependencies import redis_options

    if app.config.get("REDIS_URL") and "RATELIMIT_STORAGE_URI" not in overrides:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if app.config["RATELIMIT_STORAGE_URI"].startswith(("redis://", "rediss://")):
        options = dict(app.config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        for key, value in redis_options(app.config).items():
            options.setdefault(key, value)
        app.config["RATELIMIT_STORAGE_OPTIONS"] = options


def _serve_docs_assets(app: Flask) -> None:
    """Serve the Swagger UI files from the swagger-ui-bundle package (no CDN needed)."""
    from flask import Blueprint
    from swagger_ui_bundle import swagger_ui_path

    app.register_blueprint(
        Blueprint(
            "docs_assets",
            __name__,
            static_folder=str(swagger_ui_path),
            static_url_path="/docs-assets",
        )
    )


def _project_root() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("mysql"):
        # Not needed for correctness: a stale pooled connection is re-run by transactions.py.
        options.setdefault("pool_pre_ping", app.config.get("DB_POOL_PRE_PING", True))
        options.setdefault("pool_recycle", 1800)
        options.setdefault("pool_size", 10)
        options.setdefault("max_overflow", 20)
        options.setdefault("isolation_level", "READ COMMITTED")
        # An unreachable host fails fast into the retry/503 path instead of pymysql's 10 s.
        connect_args = dict(options.get("connect_args") or {})
        connect_args.setdefault("connect_timeout", app.config.get("DB_CONNECT_TIMEOUT_SECONDS", 3))
        options["connect_args"] = connect_args
    elif uri.startswith("sqlite"):
        options.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        _begin_before_sqlite_savepoints()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _begin_before_sqlite_savepoints() -> None:
    """pysqlite opens no transaction before a SAVEPOINT, so ``RELEASE`` would commit the work
    of a ``begin_nested()`` block at once, beyond the reach of the request's rollback. Opening
    the transaction first keeps savepoints nested, as on MySQL."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if event.contains(Engine, "savepoint", _sqlite_begin):
        return
    event.listen(Engine, "savepoint", _sqlite_begin)


def _sqlite_begin(conn, _name) -> None:
    if conn.dialect.name == "sqlite":
        raw = conn.connection.dbapi_connection
        if not raw.in_transaction:
            raw.execute("BEGIN")


def _document_security(api) -> None:
    if "bearerAuth" not in api.spec.components.security_schemes:
        api.spec.components.security_scheme(
            "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
        )
        api.spec.options["security"] = [{"bearerAuth": []}]
