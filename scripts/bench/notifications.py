"""Outbox dispatcher: 10,000 due notices on MariaDB sent to a sandbox on loopback.

Prints notices/s, the sandbox's own round-trip rate for the same number of plain calls at the
same concurrency (the ceiling), their ratio, and how many notices were lost or duplicated
(counted from the sandbox's record of the messages it received).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter

import requests

from scripts.bench.common import ROOT, free_port, fresh_database

NOTICES = int(os.environ.get("BENCH_NOTICES", "10000"))
USERS = 500


def _start_sandbox() -> tuple[str, subprocess.Popen]:
    """The sandbox in its own process, so it does not share the dispatcher's interpreter."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import logging; logging.getLogger('werkzeug').setLevel(logging.ERROR);"
            "from backend.wechat.sandbox import run_sandbox;"
            f"run_sandbox('127.0.0.1', {port})",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(base + "__sandbox__/faults", timeout=1)
            return base, process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("sandbox did not start") from None
            time.sleep(0.1)


def _plain_calls(base: str, total: int, concurrency: int) -> float:
    """Calls/s of bare subscribe-message calls straight to the sandbox, same concurrency."""
    token = requests.post(
        base + "cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": "wx-bench", "secret": "bench"},
        timeout=5,
    ).json()["access_token"]
    url = f"{base}cgi-bin/message/subscribe/send?access_token={token}"
    payload = {
        "touser": "sandbox-plain",
        "template_id": "tmpl-volunteer_review",
        "data": {"phrase1": {"value": "审核通过"}, "thing2": {"value": "无"}},
        "miniprogram_state": "developer",
    }
    counter = iter(range(total))
    lock = threading.Lock()

    def worker() -> None:
        session = requests.Session()
        while True:
            with lock:
                if next(counter, None) is None:
                    return
            session.post(url, json=payload, timeout=10).raise_for_status()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total / (time.perf_counter() - started)


def _seed(app) -> None:
    """USERS subscribed users and NOTICES due outbox rows, inserted in bulk."""
    from backend.extensions import db
    from backend.models import Notification, OutboxMessage, User
    from backend.services.notification_templates import TEMPLATES
    from backend.utils import utcnow

    template = TEMPLATES["volunteer_review"]
    template_id = app.config["WECHAT_TEMPLATE_IDS"]["volunteer_review"]
    now = utcnow()
    with app.app_context():
        db.session.execute(
            User.__table__.insert(),
            [
                {
                    "openid": f"sandbox-bench-{i}",
                    "nickname": f"bench{i}",
                    "avatar_url": "",
                    "status": "active",
                    "token_version": 1,
                    "created_at": now,
                }
                for i in range(USERS)
            ],
        )
        user_ids = list(db.session.scalars(db.select(User.id).order_by(User.id)))
        for start in range(0, NOTICES, 2000):
            rows = range(start, min(start + 2000, NOTICES))
            db.session.execute(
                Notification.__table__.insert(),
                [
                    {
                        "user_id": user_ids[i % USERS],
                        "kind": "volunteer_review",
                        "dedupe_key": f"bench:{i}",
                        "title": "志愿者申请审核通过",
                        "body": "",
                        "fields": {"result": "审核通过", "reason": f"#{i}"},
                        "page": template.page,
                        "created_at": now,
                    }
                    for i in rows
                ],
            )
        notices = db.session.execute(
            db.select(Notification.id, Notification.user_id, Notification.fields)
        ).all()
        for start in range(0, len(notices), 2000):
            db.session.execute(
                OutboxMessage.__table__.insert(),
                [
                    {
                        "notification_id": n.id,
                        "user_id": n.user_id,
                        "kind": "volunteer_review",
                        "template_id": template_id,
                        "data": template.build(n.fields),
                        "page": template.page,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "last_error": "",
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in notices[start : start + 2000]
                ],
            )
        db.session.commit()


def main() -> None:
    url = fresh_database()
    base, sandbox = _start_sandbox()
    try:
        os.environ.setdefault("APP_ENV", "development")
        from backend import create_app
        from backend.extensions import db
        from backend.jobs.scheduler import run_job
        from backend.models import OutboxMessage

        app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=url,
            WECHAT_API_BASE=base,
            NOTIFY_MAX_RUN_SECONDS=3600,
            SCHEDULER_ENABLED=False,
        )
        concurrency = app.config["NOTIFY_CONCURRENCY"]
        _plain_calls(base, 300, concurrency)  # warm up
        plain_rate = _plain_calls(base, NOTICES, concurrency)
        requests.post(base + "__sandbox__/reset", timeout=5)
        _seed(app)

        import logging

        logging.getLogger("backend").setLevel(logging.WARNING)
        started = time.perf_counter()
        runs = 0
        while True:
            result = run_job(app, "notifications.dispatch")
            runs += 1
            if not result["claimed"]:
                break
        elapsed = time.perf_counter() - started
        messages = requests.get(base + "__sandbox__/messages", timeout=60).json()["messages"]
        markers = Counter(m["data"]["thing2"]["value"] for m in messages)
        with app.app_context():
            statuses = dict(
                db.session.execute(
                    db.select(OutboxMessage.status, db.func.count()).group_by(OutboxMessage.status)
                ).all()
            )
            db.engine.dispose()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    rate = NOTICES / elapsed
    lost = NOTICES - len(markers)
    duplicated = sum(count - 1 for count in markers.values())
    print(f"notices dispatched        {NOTICES} in {elapsed:.1f} s ({runs} runs)")
    print(f"dispatcher                {rate:8.1f} notices/s  (concurrency {concurrency})")
    print(f"sandbox plain calls       {plain_rate:8.1f} calls/s   (same concurrency)")
    print(f"ratio dispatcher / plain  {rate / plain_rate:.2f}")
    print(f"lost {lost}  duplicated {duplicated}  outbox states {statuses}")
