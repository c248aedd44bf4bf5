"""User text through WeChat content security (msgSecCheck v2) before anyone else sees it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from backend.errors import APIError, ContentRisky
from backend.extensions import wechat
from backend.models import User

log = logging.getLogger(__name__)

# msgSecCheck scenes: 1 profile, 2 comment, 3 forum, 4 social log.
SCENE_PROFILE = 1
SCENE_COMMENT = 2
SCENE_FORUM = 3

# Set only by the demo seeding (``flask seed demo``): its fixed, project-authored text is trusted,
# and the WeChat checker is not reachable from a command-line run. Never set by a request.
_trusted: ContextVar[bool] = ContextVar("content_trusted", default=False)


@contextmanager
def trusted_text() -> Iterator[None]:
    """Treat text checked inside this block as "pass" (seed data authored by the project)."""
    token = _trusted.set(True)
    try:
        yield
    finally:
        _trusted.reset(token)


def check_text(user: User | None, *texts: str | None, scene: int = SCENE_FORUM) -> str:
    """Return ``"pass"`` or ``"review"`` for the joined texts; raise on ``risky``.

    An unreachable checker means ``review``: the text is held, never published unchecked.
    """
    content = "\n".join(t for t in texts if t)
    if not content.strip() or _trusted.get():
        return "pass"
    openid = user.openid if user is not None and user.openid else ""
    try:
        verdict = wechat.check_text(content, openid, scene=scene)
    except APIError as exc:  # WeChat down or erroring: hold for a moderator
        log.warning("content check unavailable (%s); holding text for review", exc.code)
        return "review"
    if verdict == "risky":
        raise ContentRisky()
    return verdict
