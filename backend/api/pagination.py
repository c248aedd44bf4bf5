"""Paginate a SELECT into the ``{items, total, page, page_size}`` body every list returns."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from backend.extensions import db


def paginate(
    query: Select, page: int = 1, page_size: int = 20, *, count: Select | None = None
) -> dict[str, Any]:
    """Run ``query`` for one page and count the whole result (with ``count`` when given)."""
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(count)
    items = db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return {"items": list(items), "total": total or 0, "page": page, "page_size": page_size}
