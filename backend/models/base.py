"""Declarative helpers shared by the model modules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from backend.extensions import db
from backend.models.types import UTCDateTime
from backend.utils import utcnow

# utf8mb4 so that emoji in nicknames survive on MySQL; ignored by SQLite.
MYSQL_TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci"}

# BIGINT on MySQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY autoincrements).
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


def table_args(*items: Any) -> tuple:
    """``__table_args__`` with the MySQL table options appended."""
    return (*items, dict(MYSQL_TABLE_OPTIONS))


class Model(db.Model):
    """Abstract base: integer id and creation time."""

    __abstract__ = True
    __table_args__ = table_args()

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"
