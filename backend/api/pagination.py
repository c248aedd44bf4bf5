"""Lists: the ``{items, total, page, page_size}`` body every list returns, and ``@paged``.

A list view is decorated with ``@paged`` (below ``@blp.response``); its query schema derives from
``PageQuery``. ``@paged`` takes ``page`` and ``page_size`` out of the arguments, calls the view with
the rest, and pages what the view returns::

    @blp.route("")
    @blp.arguments(FundQuery, location="query")
    @blp.response(200, page_of(FundOut))
    @paged
    def list_funds(args):
        return funds.list_query(**args)          # a Select, or a Listing

A :class:`Listing` adds a count query, the service's per-viewer facts for the page's items, or
keys beside the page (a summary). Anything else the view returns (a download) passes through.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import Select

from backend.extensions import db


@dataclass
class Listing:
    """A list a view hands to ``@paged``."""

    query: Select
    # Counts the whole list when counting ``query`` itself would be wasteful.
    count: Select | None = None
    # A service function that sets the per-viewer facts (actions, can_manage, …) on the page's
    # items in a constant number of queries; called with the items of the page only.
    facts: Callable[[Sequence[Any]], Any] | None = None
    # Keys returned beside the page (a balance above the ledger, an unread count).
    extra: dict[str, Any] | None = None
    # Return the page under this key of ``extra`` instead of beside it (``/me/hours`` records).
    nest: str | None = None


def paginate(
    query: Select, page: int = 1, page_size: int = 20, *, count: Select | None = None
) -> dict[str, Any]:
    """Run ``query`` for one page and count the whole result (with ``count`` when given)."""
    if count is None:
        count = select(func.count()).select_from(query.order_by(None).subquery())
    total = db.session.scalar(count)
    items = db.session.scalars(query.limit(page_size).offset((page - 1) * page_size)).unique().all()
    return {"items": list(items), "total": total or 0, "page": page, "page_size": page_size}


def paged(view: Callable) -> Callable:
    """Page the Select or :class:`Listing` a list view returns (see the module docstring)."""

    @functools.wraps(view)
    def wrapper(args: dict, *view_args, **view_kwargs):
        page, page_size = args.pop("page"), args.pop("page_size")
        result = view(args, *view_args, **view_kwargs)
        if isinstance(result, Select):
            result = Listing(result)
        if not isinstance(result, Listing):
            return result
        body = paginate(result.query, page, page_size, count=result.count)
        if result.facts is not None:
            result.facts(body["items"])
        if result.nest:
            return {**(result.extra or {}), result.nest: body}
        return {**result.extra, **body} if result.extra else body

    return wrapper
