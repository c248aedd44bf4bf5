"""Helpers shared by the notification tests: sandbox control, subscriptions, dispatch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from sqlalchemy import select, update

from backend.extensions import db
from backend.models import OutboxMessage, Subscription
from backend.utils import utcnow

SEND_PATH = "cgi-bin/message/subscribe/send"
TOKEN_PATH = "cgi-bin/stable_token"


class Sandbox:
    """The sandbox's ``/__sandbox__/`` control endpoints, over HTTP."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def _url(self, path: str) -> str:
        return f"{self.base_url}__sandbox__/{path}"

    def fault(self, path: str = SEND_PATH, **fault: Any) -> None:
        response = self.http.post(self._url("faults"), json={"path": path, **fault}, timeout=5)
        assert response.status_code == 201, response.text

    def clear_faults(self) -> None:
        self.http.delete(self._url("faults"), timeout=5).raise_for_status()

    def messages(self, touser: str | None = None) -> list[dict[str, Any]]:
        params = {"touser": touser} if touser else None
        return self.http.get(self._url("messages"), params=params, timeout=5).json()["messages"]

    def calls(self, path: str = SEND_PATH) -> int:
        return self.http.get(self._url("calls"), timeout=5).json()["calls"].get(path, 0)

    def token_fetches(self) -> int:
        return self.http.get(self._url("calls"), timeout=5).json()["token_fetches"]

    def expire_tokens(self) -> None:
        self.http.post(self._url("expire-tokens"), timeout=5).raise_for_status()


def template_id(app, kind: str) -> str:
    return app.config["WECHAT_TEMPLATE_IDS"][kind]


def subscribe(app, user, kind: str = "volunteer_review", times: int = 1) -> None:
    """Bank ``times`` acceptances directly (the API path is tested in tests/api)."""
    from backend.services.notifications import record_subscriptions

    for _ in range(times):
        record_subscriptions(user, {template_id(app, kind): "accept"})
    db.session.commit()


def remaining(app, user, kind: str = "volunteer_review") -> int:
    db.session.expire_all()
    row = db.session.scalar(
        select(Subscription).where(
            Subscription.user_id == user.id, Subscription.template_id == template_id(app, kind)
        )
    )
    return row.remaining if row else 0


def notify(user, key: str, kind: str = "volunteer_review", **fields: Any):
    """Raise one notice through the real entry point and commit it."""
    from backend.services.notifications import enqueue

    if kind == "volunteer_review":
        fields = {"result": "审核通过", "reason": "", "number": "PA20260000001", **fields}
    notice = enqueue(kind, user.id, dedupe_key=key, title="志愿者申请审核通过", fields=fields)
    db.session.commit()
    return notice


def dispatch() -> dict[str, int]:
    """One dispatcher run, as the job runner does it."""
    from backend.jobs.notifications import dispatch as job

    result = job()
    db.session.commit()
    return result


def make_due() -> None:
    """Skip the backoff wait: every pending row is due now."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "pending")
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def outbox_rows() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
