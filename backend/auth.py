"""Signed, expiring tokens and the current user; every route is authenticated by default."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

import jwt
from flask import Flask, current_app, g, request

from backend.errors import TokenExpired, TokenRevoked, Unauthorized
from backend.extensions import db
from backend.models import User
from backend.utils import utcnow

F = TypeVar("F", bound=Callable)
_ALGORITHM = "HS256"


def public(view: F) -> F:
    """Mark a view as reachable without a token (and say so in the OpenAPI spec)."""
    view._public = True  # type: ignore[attr-defined]
    # flask-smorest reads "manual_doc" from _apidoc; the decorators stacked above copy it.
    apidoc = getattr(view, "_apidoc", {})
    apidoc.setdefault("manual_doc", {})["security"] = []
    view._apidoc = apidoc  # type: ignore[attr-defined]
    return view


def issue_token(user: User) -> tuple[str, int]:
    """Sign a token for ``user``; returns the token and its expiry as a Unix time."""
    now = utcnow()
    expires = now + timedelta(seconds=current_app.config["TOKEN_TTL_SECONDS"])
    claims = {
        "sub": str(user.id),
        "ver": user.token_version,
        "iat": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "iss": current_app.config["TOKEN_ISSUER"],
    }
    token = jwt.encode(claims, current_app.config["SECRET_KEY"], algorithm=_ALGORITHM)
    return token, claims["exp"]


def user_from_token(token: str) -> User:
    """Verify a token and load its user, refusing stale versions and inactive accounts."""
    try:
        claims = jwt.decode(
            token,
            current_app.config["SECRET_KEY"],
            algorithms=[_ALGORITHM],
            issuer=current_app.config["TOKEN_ISSUER"],
            options={"require": ["exp", "sub", "ver"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired() from exc
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("登录凭证无效,请重新登录", code="token_invalid") from exc
    user = db.session.get(User, int(claims["sub"]))
    if user is None or user.status != "active" or user.token_version != claims["ver"]:
        raise TokenRevoked()
    return user


def current_user() -> User | None:
    """The authenticated user of this request, or ``None`` on a public route."""
    return g.get("current_user")


def require_user() -> User:
    """The authenticated user; raises 401 when there is none."""
    user = g.get("current_user")
    if user is None:
        raise Unauthorized()
    return user


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def _authenticate() -> None:
    """before_request: load the user from the token; refuse non-public API routes without one."""
    g.current_user = None
    view = current_app.view_functions.get(request.endpoint or "")
    if view is None or not request.path.startswith("/api/"):
        return  # 404/405, docs, sandbox: nothing to protect
    token = _bearer_token()
    is_public = getattr(view, "_public", False) or request.endpoint.startswith("api-docs.")
    if token is None:
        if is_public:
            return
        raise Unauthorized()
    try:
        g.current_user = user_from_token(token)
    except Unauthorized:
        if not is_public:
            raise


def init_app(app: Flask) -> None:
    app.before_request(_authenticate)
