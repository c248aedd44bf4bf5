"""The outbox dispatcher against the WeChat sandbox: faults, outages, races, exactly once."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from backend.extensions import db, wechat
from backend.models import Notification, OutboxMessage
from backend.services import outbox
from backend.utils import utcnow
from tests.conftest import MYSQL_URL, SECOND_WRITER_URL, application
from tests.notify_support import (
    SEND_PATH,
    TOKEN_PATH,
    Sandbox,
    dispatch,
    make_due,
    notify,
    outbox_rows,
    remaining,
    subscribe,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def control(sandbox) -> Sandbox:
    return Sandbox(sandbox.base_url)


@pytest.fixture
def short_timeout(app):
    """A 0.5 s WeChat timeout so that hang tests stay fast."""
    client = app.extensions["wechat"].client
    saved = client.timeout
    client.timeout = 0.5
    yield
    client.timeout = saved


def _approve_application(api, demo, user, seed):
    """A real service raises the notice: the village admin approves the user's application."""
    applied = api.post("/volunteers", user, json=application(demo.village_a.id, seed))
    assert applied.status_code == 201, applied.get_json()
    return api.post(
        f"/volunteers/{applied.get_json()['id']}/approve", demo.user("demo-village-admin")
    )


def test_notice_reaches_inbox_at_once_and_wechat_once(app, api, demo, new_user, control):
    user = new_user("happy")
    subscribe(app, user)
    response = _approve_application(api, demo, user, seed=61)
    assert response.status_code == 200
    inbox = api.get("/me/notifications", user).get_json()
    assert inbox["unread_count"] == 1 and inbox["items"][0]["kind"] == "volunteer_review"
    assert remaining(app, user) == 0  # the acceptance was spent by the notice
    assert [row.status for row in outbox_rows()] == ["pending"]

    summary = dispatch()
    assert summary["claimed"] == 1 and summary["sent"] == 1
    messages = control.messages(user.openid)
    assert len(messages) == 1
    data = messages[0]["data"]
    assert data["phrase1"]["value"] == "审核通过"
    assert data["character_string3"]["value"].startswith("PA")
    assert messages[0]["page"] == "pages/mine/index"
    assert messages[0]["template_id"] == app.config["WECHAT_TEMPLATE_IDS"]["volunteer_review"]
    row = outbox_rows()[0]
    assert row.status == "sent" and row.attempts == 1 and row.sent_at is not None
    assert dispatch()["claimed"] == 0  # nothing left; never sent twice
    assert len(control.messages(user.openid)) == 1


def test_without_a_subscription_the_notice_is_inbox_only(app, api, demo, new_user, control):
    user = new_user("nosub")
    assert _approve_application(api, demo, user, seed=62).status_code == 200
    assert api.get("/me/notifications", user).get_json()["total"] == 1
    assert outbox_rows() == []
    assert dispatch()["claimed"] == 0
    assert control.calls(SEND_PATH) == 0  # no WeChat call at all


def test_inbox_only_kinds_never_touch_wechat(app, new_user, control):
    user = new_user("inboxonly")
    subscribe(app, user)  # even with acceptances banked for another template
    notify(user, "level:1", kind="level_up", level="★", hours=100)
    notify(user, "hours:1", kind="hours_recorded", activity="巡逻", hours=2, points=20)
    assert outbox_rows() == [] and remaining(app, user) == 1
    assert db.session.scalar(select(func.count(Notification.id))) == 2


FAULTS = {
    "system_busy": ({"errcode": -1}, "retry"),
    "timeout": ({"hang_seconds": 1.5, "http_status": 504}, "retry"),
    "server_error": ({"http_status": 503}, "retry"),
    "rate_limited": ({"errcode": 45009}, "retry"),
    "no_subscription": ({"errcode": 43101}, "skipped"),
    "bad_data": ({"errcode": 47003}, "skipped"),
    "bad_template": ({"errcode": 40037}, "skipped"),
    "not_subscribed": ({"errcode": 43107}, "skipped"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_each_wechat_answer_ends_in_its_documented_state(
    app, api, demo, new_user, control, short_timeout, name
):
    fault, expected = FAULTS[name]
    user = new_user(f"fault-{name}")
    subscribe(app, user, times=3)
    control.fault(SEND_PATH, times=1, **fault)
    # The API request that raised the notice succeeds whatever WeChat does.
    assert _approve_application(api, demo, user, seed=63).status_code == 200

    summary = dispatch()
    assert summary[expected] == 1, summary
    row = outbox_rows()[0]
    if expected == "retry":
        assert row.status == "pending" and row.attempts == 1
        assert row.next_attempt_at > utcnow()  # backed off, not retried in a hot loop
        assert row.last_errcode == fault.get("errcode", -1)
        assert dispatch()["claimed"] == 0  # not due yet
        make_due()
        assert dispatch()["sent"] == 1  # a later run delivers it
        assert outbox_rows()[0].status == "sent" and outbox_rows()[0].attempts == 2
        assert len(control.messages(user.openid)) == 1
    else:
        assert row.status == "skipped" and row.last_errcode == fault["errcode"]
        make_due()
        assert dispatch()["claimed"] == 0  # permanent: never retried
        assert control.messages(user.openid) == []
        # 43101: WeChat has no acceptance left, so ours is reset to zero too.
        assert remaining(app, user) == (0 if name == "no_subscription" else 2)
    assert api.get("/me/notifications", user).get_json()["total"] == 1


def test_wechat_down_for_a_while_then_up_delivers_every_notice_once(app, new_user, control):
    users = [new_user(f"outage{i}") for i in range(4)]
    for user in users:
        subscribe(app, user, times=5)
    for i in range(20):
        notify(users[i % 4], f"outage:{i}", reason=f"第{i}条")
    control.fault(SEND_PATH, http_status=502, times=-1)  # down until cleared
    for _ in range(3):
        summary = dispatch()
        assert summary["retry"] == 20 and summary["sent"] == 0
        make_due()
    assert {row.attempts for row in outbox_rows()} == {3}
    control.clear_faults()
    assert dispatch()["sent"] == 20
    assert dispatch()["claimed"] == 0
    messages = control.messages()
    assert len(messages) == 20
    reasons = Counter(m["data"]["thing2"]["value"] for m in messages)
    assert set(reasons.values()) == {1} and len(reasons) == 20  # each exactly once
    assert {row.status for row in outbox_rows()} == {"sent"}


def test_a_notice_in_a_rolled_back_transaction_is_never_sent(app, new_user, control):
    from backend.services.notifications import enqueue

    user = new_user("rollback")
    subscribe(app, user)
    enqueue("volunteer_review", user.id, dedupe_key="rb:1", title="不会发送", fields={})
    db.session.flush()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # inside the tx
    db.session.rollback()
    assert outbox_rows() == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    assert remaining(app, user) == 1  # the acceptance is not spent either
    assert dispatch()["claimed"] == 0
    assert control.calls(SEND_PATH) == 0


def test_the_same_event_makes_one_notice(app, new_user):
    user = new_user("dedupe")
    subscribe(app, user, times=2)
    first = notify(user, "event:1")
    second = notify(user, "event:1")
    assert first.id == second.id
    assert len(outbox_rows()) == 1 and remaining(app, user) == 1


def test_failed_after_max_attempts_then_admin_resends(app, api, demo, new_user, control):
    app.config["NOTIFY_MAX_ATTEMPTS"] = 2
    try:
        user = new_user("exhaust")
        subscribe(app, user)
        notify(user, "exhaust:1")
        control.fault(SEND_PATH, errcode=-1, times=-1)
        assert dispatch()["retry"] == 1
        make_due()
        assert dispatch()["failed"] == 1
        row = outbox_rows()[0]
        assert row.status == "failed" and row.attempts == 2
        make_due()
        assert dispatch()["claimed"] == 0
        city = demo.user("demo-city-admin")
        listed = api.get("/admin/outbox?status=failed", city).get_json()
        assert [item["id"] for item in listed["items"]] == [row.id]
        control.clear_faults()
        resent = api.post(f"/admin/outbox/{row.id}/resend", city, json={"reason": "微信已恢复"})
        assert resent.status_code == 200 and resent.get_json()["status"] == "pending"
        assert dispatch()["sent"] == 1
        assert len(control.messages(user.openid)) == 1
    finally:
        app.config["NOTIFY_MAX_ATTEMPTS"] = 8


def test_a_deleted_user_is_skipped_without_a_call(app, api, new_user, control):
    user = new_user("leaving")
    subscribe(app, user)
    notify(user, "leaving:1")
    assert api.delete("/me", user).status_code == 204
    summary = dispatch()
    assert summary["skipped"] == 1
    assert outbox_rows()[0].status == "skipped"
    assert control.calls(SEND_PATH) == 0


def test_rows_stuck_in_sending_are_claimed_again_after_the_timeout(app, new_user, control):
    user = new_user("crash")
    subscribe(app, user, times=2)
    notify(user, "crash:1")
    notify(user, "crash:2")
    claimed = outbox.claim_due(10)  # a dispatcher claims both, then dies before sending
    assert len(claimed) == 2
    assert dispatch()["claimed"] == 0  # still owned by the dead dispatcher
    timeout = app.config["NOTIFY_SENDING_TIMEOUT_SECONDS"]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == claimed[0].id)
        .values(claimed_at=utcnow() - timedelta(seconds=timeout + 1))
    )
    db.session.commit()
    summary = dispatch()
    assert summary["released"] == 1 and summary["sent"] == 1
    statuses = {row.id: row.status for row in outbox_rows()}
    assert statuses == {claimed[0].id: "sent", claimed[1].id: "sending"}
    # The dead dispatcher's late outcome for the re-claimed row changes nothing.
    from backend.wechat.gateway import SendOutcome

    outbox.record_outcome(claimed[0], SendOutcome("retry", -1, "late"))
    db.session.commit()
    assert outbox_rows()[0].status == "sent"


def test_backoff_grows_exponentially_with_jitter(app):
    app.config.update(NOTIFY_RETRY_BASE_SECONDS=30, NOTIFY_RETRY_MAX_SECONDS=3600)
    for attempts, step in ((1, 30), (2, 60), (3, 120), (8, 3600), (20, 3600)):
        delays = {round(outbox.backoff_seconds(attempts), 3) for _ in range(20)}
        assert all(step / 2 <= d <= step for d in delays), (attempts, delays)
        assert len(delays) > 1  # jittered


def test_a_refused_token_is_refreshed_once_and_the_message_sent(app, new_user, control):
    user = new_user("token")
    subscribe(app, user, times=2)
    notify(user, "token:1")
    dispatch()  # warms the token
    fetches = control.token_fetches()
    notify(user, "token:2")
    control.fault(SEND_PATH, errcode=40001, times=1)
    assert dispatch()["sent"] == 1
    assert control.token_fetches() == fetches + 1  # exactly one refresh
    assert len(control.messages(user.openid)) == 2


def test_a_token_refused_every_time_is_retried_later_not_looped(app, new_user, control):
    user = new_user("tokenloop")
    subscribe(app, user)
    notify(user, "tokenloop:1")
    dispatch_calls_before = control.calls(SEND_PATH)
    control.fault(SEND_PATH, errcode=40001, times=-1)
    fetches = control.token_fetches()
    summary = dispatch()
    assert summary["retry"] == 1
    assert control.calls(SEND_PATH) - dispatch_calls_before == 2  # the call and one retry
    assert control.token_fetches() - fetches == 1
    assert outbox_rows()[0].status == "pending"


def test_dispatch_runs_through_the_job_runner(app, new_user, control):
    from backend.jobs.scheduler import run_job

    user = new_user("runner")
    subscribe(app, user)
    notify(user, "runner:1")
    result = run_job(app, "notifications.dispatch")
    assert result["sent"] == 1
    assert len(control.messages(user.openid)) == 1


def _race_threads(app, runs: int) -> list[dict]:
    """``runs`` dispatchers at once, each in its own thread, app context and session."""
    from backend.jobs.scheduler import run_job

    barrier = threading.Barrier(runs)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(run_job(app, "notifications.dispatch"))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_racing_dispatchers_send_every_notice_once(app, new_user, control):
    app.config["NOTIFY_BATCH_SIZE"] = 10
    try:
        users = [new_user(f"race{i}") for i in range(6)]
        for user in users:
            subscribe(app, user, times=10)
        for i in range(60):
            notify(users[i % 6], f"race:{i}", reason=f"竞争{i}")
        results = _race_threads(app, 3)
    finally:
        app.config["NOTIFY_BATCH_SIZE"] = 200
    assert sum(r["claimed"] for r in results) == 60
    assert sum(r["sent"] for r in results) == 60
    messages = control.messages()
    assert len(messages) == 60
    assert len({m["data"]["thing2"]["value"] for m in messages}) == 60
    assert {row.status for row in outbox_rows()} == {"sent"}


@pytest.mark.mysql
def test_two_dispatcher_processes_race_on_mysql(app, sandbox, new_user, control):
    """Two real ``flask scheduler run-once`` processes share the due rows; none is sent twice."""
    users = [new_user(f"proc{i}") for i in range(10)]
    for user in users:
        subscribe(app, user, times=30)
    for i in range(300):
        notify(users[i % 10], f"proc:{i}", reason=f"进程{i}")
    env = {
        **os.environ,
        "APP_ENV": "development",
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": MYSQL_URL,
        "WECHAT_API_BASE": sandbox.base_url,
        "NOTIFY_BATCH_SIZE": "15",
        "NOTIFY_CONCURRENCY": "4",
        "SCHEDULER_ENABLED": "0",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "scheduler", "run-once", "notifications.dispatch"],
            cwd=ROOT,
            # On a Galera cluster (make test-galera) the two dispatchers use two nodes.
            env={**env, "DATABASE_URL": [MYSQL_URL, SECOND_WRITER_URL or MYSQL_URL][i]},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], outputs
    messages = control.messages()
    assert len(messages) == 300
    assert len({m["data"]["thing2"]["value"] for m in messages}) == 300
    assert {row.status for row in outbox_rows()} == {"sent"}
    assert {row.attempts for row in outbox_rows()} == {1}
    summaries = [
        ast.literal_eval(out.strip().splitlines()[-1].split(": ", 1)[1]) for out, _ in outputs
    ]
    assert sum(s["claimed"] for s in summaries) == 300  # no row claimed by both processes
    assert sum(s["sent"] for s in summaries) == 300


@pytest.mark.mysql
def test_the_last_acceptance_is_spent_once_under_concurrency(app, new_user):
    from backend.services.notifications import enqueue

    user = new_user("lastone")
    subscribe(app, user)
    user_id = user.id  # plain id: the ORM object belongs to the test thread's session
    barrier = threading.Barrier(6)
    errors = []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                enqueue("volunteer_review", user_id, dedupe_key=f"last:{i}", title="t", fields={})
                db.session.commit()
            except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
                errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert len(outbox_rows()) == 1  # one acceptance, one WeChat message
    assert db.session.scalar(select(func.count(Notification.id))) == 6  # inbox gets all
    assert remaining(app, user) == 0


def test_wechat_client_has_a_timeout(app):
    assert 0 < wechat.client.timeout <= 10


def test_several_dispatcher_workers_fetch_the_token_once(app, sandbox, new_user, control):
    """Three apps stand for three processes sharing Redis: one token fetch between them."""
    import uuid

    import redis

    from backend import create_app

    redis_url = "redis://127.0.0.1:6379/11"
    try:
        redis.Redis.from_url(redis_url).ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    appid = f"wx-notify-{uuid.uuid4().hex[:10]}"
    workers = [
        create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            WECHAT_API_BASE=sandbox.base_url,
            WECHAT_APPID=appid,
            REDIS_URL=redis_url,
            RATELIMIT_STORAGE_URI="memory://",
            NOTIFY_BATCH_SIZE=5,
        )
        for _ in range(3)
    ]
    users = [new_user(f"tok{i}") for i in range(3)]
    for user in users:
        subscribe(app, user, times=10)
    for i in range(30):
        notify(users[i % 3], f"tok:{i}", reason=f"令牌{i}")
    control.fault(TOKEN_PATH, hang_seconds=0.3)  # a slow fetch widens the race window
    from backend.jobs.scheduler import run_job

    barrier = threading.Barrier(3)
    results, errors = [], []

    def worker(worker_app):
        try:
            barrier.wait(timeout=10)
            results.append(run_job(worker_app, "notifications.dispatch"))
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert not errors, errors
        assert sum(r["sent"] for r in results) == 30
        assert control.token_fetches() == 1
        assert len(control.messages()) == 30
    finally:
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"wechat:{appid}*"):
            client.delete(key)
        for worker_app in workers:
            with worker_app.app_context():
                db.engine.dispose()
