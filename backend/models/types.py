"""Column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeDecorator

# Periods (day, week, month, …) are cut and times are shown in China time (DESIGN.md §5).
CHINA_TZ = ZoneInfo("Asia/Shanghai")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes, stored naive UTC with microseconds on MySQL (DATETIME(6))."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "mysql":
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """Current time as an aware UTC datetime (freezegun-friendly)."""
    return datetime.now(UTC)
