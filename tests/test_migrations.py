"""Alembic builds the whole schema from empty, matches the models, and steps down and up again."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from backend import create_app
from tests.conftest import MYSQL_URL


@pytest.fixture
def scratch_url(tmp_path):
    """An empty database of the same kind as the suite's, dropped afterwards."""
    if not MYSQL_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    url = make_url(MYSQL_URL)
    name = f"{url.database}_migrations"
    server = create_engine(url.set(database=""))
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    yield url.set(database=name).render_as_string(hide_password=False)
    with server.begin() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    server.dispose()


def test_upgrade_from_empty_then_downgrade_one_step_and_back(scratch_url, sandbox):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import MetaData

    from backend.extensions import db

    app = create_app(
        "testing", SQLALCHEMY_DATABASE_URI=scratch_url, WECHAT_API_BASE=sandbox.base_url
    )
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        # The migrated schema matches the models (nothing left for autogenerate to do).
        from alembic.autogenerate import compare_metadata
        from alembic.migration import MigrationContext

        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert [d for d in diff if d[0] not in ("remove_index", "add_index")] == [], diff
        downgrade(revision="-1")
        after = MetaData()
        after.reflect(bind=db.engine)
        assert set(after.tables) != tables
        upgrade()
        assert set(inspect(db.engine).get_table_names()) == tables
        db.engine.dispose()


def test_every_table_has_a_primary_key(app):
    """Galera replicates rows by key: a table without a primary key is slow or unsafe there."""
    from backend.extensions import db

    inspector = inspect(db.engine)
    tables = inspector.get_table_names()
    assert "alembic_version" in tables
    missing = [t for t in tables if not inspector.get_pk_constraint(t)["constrained_columns"]]
    assert missing == []


def test_no_table_locks_or_named_locks():
    """Neither ``LOCK TABLES`` nor ``GET_LOCK()`` is replicated by Galera: lock rows instead."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\b(LOCK\s+TABLES?|GET_LOCK\s*\(|RELEASE_LOCK\s*\()", re.IGNORECASE)
    offenders = [
        str(path.relative_to(root))
        for folder in ("backend", "migrations")
        for path in (root / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
