"""Retry the transaction, not the user: requests and jobs the database interrupts run again.

Faults come from ``tests/fault_support.py``: chosen statements or COMMITs fail with the error
numbers MySQL/MariaDB uses (1213 deadlock or Galera certification conflict, 1205 lock wait
timeout, 2013 lost connection). On MariaDB some of them are real: the server's transaction is
rolled back, or the connection is killed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pymysql
import pytest
from sqlalchemy import event, func, select

from backend.extensions import db
from backend.models import Enrollment, Fund, FundEntry, OutboxMessage, Upload, User
from backend.transactions import CONFLICT, UNAVAILABLE, RetryPolicy, classify
from backend.utils import utcnow
from tests.activity_helpers import published, volunteer
from tests.conftest import MYSQL_URL
from tests.fault_support import DatabaseFaults, driver_error
from tests.funds_support import donation, open_fund
from tests.notify_support import Sandbox, notify, subscribe
from tests.service_request_helpers import png_bytes, upload


@pytest.fixture
def faults(app):
    injected = DatabaseFaults(db.engine)
    yield injected
    injected.remove()


@pytest.fixture
def activity_id(api, demo) -> int:
    start = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    return published(api, demo.user("demo-village-admin"), demo.village_a, start)["id"]


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _login(api, code: str):
    return api.post("/auth/wechat", json={"code": code})


# ---------------------------------------------------------------------------------------------
# Classification and policy
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "errno,expected",
    [
        (1213, CONFLICT),
        (1205, CONFLICT),
        (1305, CONFLICT),
        (2013, UNAVAILABLE),
        (2006, UNAVAILABLE),
        (2003, UNAVAILABLE),
        (1047, UNAVAILABLE),
    ],
)
def test_errors_are_classified_by_their_mysql_number(errno, expected):
    assert classify(driver_error(errno)) == expected
    # also when a service wrapped it in its own error
    try:
        try:
            raise driver_error(errno)
        except Exception as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert classify(outer) == expected


def test_other_database_errors_are_not_retried():
    assert classify(driver_error(1062)) is None  # duplicate key: a 409, not a retry
    assert classify(driver_error(1406)) is None  # data too long
    assert classify(ValueError("x")) is None


def test_policy_is_bounded_and_jittered():
    rules = RetryPolicy(attempts=4, unavailable_wait=1.0, base_delay=0.02, max_delay=0.5)
    waits = [rules.delay(CONFLICT, n, 0.0) for n in range(1, 5)]
    assert waits[-1] is None and all(w is not None for w in waits[:-1])
    assert all(0 <= w <= 0.02 * 2 ** (n - 1) for n, w in enumerate(waits[:-1], start=1))
    assert len({rules.delay(CONFLICT, 3, 0.0) for _ in range(20)}) > 1  # jitter
    assert rules.delay(UNAVAILABLE, 1, 0.0) == 0.0  # a stale connection: again at once
    assert rules.delay(UNAVAILABLE, 8, 0.9) is None  # the wait is used up


# ---------------------------------------------------------------------------------------------
# Requests
# ---------------------------------------------------------------------------------------------


def test_a_deadlocked_enrollment_runs_again_and_enrolls_once(api, demo, activity_id, faults):
    person = volunteer(demo.village_a)
    insert = faults.fail(r"^INSERT INTO enrollment\b", 1213)
    response = api.post(f"/activities/{activity_id}/enrollments", person)
    assert response.status_code == 201, response.get_json()
    assert insert.seen == 2  # failed once, then ran again in a fresh transaction
    assert _count(Enrollment, Enrollment.activity_id == activity_id) == 1
    db.session.expire_all()
    from backend.models import Activity

    assert db.session.get(Activity, activity_id).enrolled_count == 1


def test_a_lock_wait_timeout_in_a_donation_moves_the_totals_once(api, demo, faults):
    fund = open_fund(api, demo)
    admin = demo.user("demo-village-admin")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = donation(12_345)
    insert = faults.fail(r"^INSERT INTO fund_entry\b", 1205)
    response = api.post(f"/funds/{fund['id']}/donations", admin, json=body, headers=key)
    assert response.status_code == 201, response.get_json()
    assert insert.seen == 2
    replay = api.post(f"/funds/{fund['id']}/donations", admin, json=body, headers=key)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.get_json() == response.get_json()
    assert _count(FundEntry, FundEntry.fund_id == fund["id"]) == 1
    row = db.session.get(Fund, fund["id"])
    assert (row.income_fen, row.balance_fen, row.entry_count) == (12_345, 12_345, 1)


def test_a_conflict_at_commit_runs_the_request_again(api, demo, activity_id, faults):
    person = volunteer(demo.village_a)
    commit = faults.fail_commit(1213)  # a Galera node refusing the write set at COMMIT
    response = api.post(f"/activities/{activity_id}/enrollments", person)
    assert response.status_code == 201, response.get_json()
    assert commit.seen == 2
    assert _count(Enrollment, Enrollment.activity_id == activity_id) == 1


def test_a_lost_commit_is_answered_503_and_not_run_again(api, demo, faults):
    """The outcome of a COMMIT whose answer was lost is unknown: 503, and the client's retry
    with the same Idempotency-Key makes one donation."""
    fund = open_fund(api, demo)
    admin = demo.user("demo-village-admin")
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = donation(500)
    commit = faults.fail_commit(2013)
    response = api.post(f"/funds/{fund['id']}/donations", admin, json=body, headers=key)
    assert response.status_code == 503
    assert response.get_json() == {
        "code": "service_unavailable",
        "message": "服务暂时不可用,请稍后再试",
    }
    assert response.headers["Retry-After"] == "3"
    assert commit.seen == 1
    again = api.post(f"/funds/{fund['id']}/donations", admin, json=body, headers=key)
    assert again.status_code == 201, again.get_json()
    assert _count(FundEntry, FundEntry.fund_id == fund["id"]) == 1


def test_conflicts_are_retried_a_bounded_number_of_times(app, api, demo, activity_id, faults):
    person = volunteer(demo.village_a)
    saved = app.config["DB_RETRY_ATTEMPTS"]
    app.config["DB_RETRY_ATTEMPTS"] = 3
    try:
        insert = faults.fail(r"^INSERT INTO enrollment\b", 1213, times=-1)
        response = api.post(f"/activities/{activity_id}/enrollments", person)
    finally:
        app.config["DB_RETRY_ATTEMPTS"] = saved
    assert response.status_code == 503
    assert response.get_json() == {"code": "service_unavailable", "message": "服务繁忙,请稍后重试"}
    assert response.headers["Retry-After"] == "3"
    assert insert.seen == 3
    assert _count(Enrollment, Enrollment.activity_id == activity_id) == 0


def test_a_lost_connection_during_login_does_not_exchange_the_code_twice(api, sandbox, faults):
    """WeChat stays outside the retried transaction: the code (single use) is exchanged once."""
    insert = faults.fail(r"^INSERT INTO app_user\b", 2013)
    response = _login(api, "retry-login")
    assert response.status_code == 200, response.get_json()
    assert insert.seen == 2
    assert sandbox.state.calls.get("sns/jscode2session") == 1
    assert _count(User, User.openid == "sandbox-retry-login") == 1


def test_a_rerun_upload_reads_the_file_again_and_checks_it_once(api, new_user, sandbox, faults):
    user = new_user("up")
    assert upload(api, user).status_code == 201  # the access token is fetched (or refreshed)
    checks = sandbox.state.calls.get("wxa/img_sec_check", 0)
    faults.fail(r"^INSERT INTO upload\b", 1213)
    response = upload(api, user, png_bytes(size=(9, 7)))
    assert response.status_code == 201, response.get_json()
    assert (response.get_json()["width"], response.get_json()["height"]) == (9, 7)
    assert sandbox.state.calls.get("wxa/img_sec_check") == checks + 1
    assert _count(Upload) == 2


def test_a_rerun_request_counts_once_against_the_rate_limit(app, api, faults):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    try:
        faults.fail(r"^INSERT INTO app_user\b", 1213)
        answers = [_login(api, f"limit-{i}").status_code for i in range(3)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert answers == [200, 200, 429]


def test_an_unreachable_database_is_503_with_retry_after(sandbox):
    import socket
    import time

    from backend import create_app
    from backend.auth import issue_token

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    down = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=f"mysql+pymysql://root@127.0.0.1:{port}/nowhere?charset=utf8mb4",
        WECHAT_API_BASE=sandbox.base_url,
        DB_UNAVAILABLE_WAIT_SECONDS=0.3,
    )
    client = down.test_client()
    with down.app_context():
        token, _ = issue_token(SimpleNamespace(id=1, token_version=0))
    started = time.monotonic()
    answers = [
        client.get("/api/v1/activities"),  # public read
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),  # auth reads
        client.post("/api/v1/auth/wechat", json={"code": "db-down"}),  # after a WeChat call
    ]
    for response in answers:
        assert response.status_code == 503, response.get_data(as_text=True)
        assert response.get_json() == {
            "code": "service_unavailable",
            "message": "服务暂时不可用,请稍后再试",
        }
        assert response.headers["Retry-After"] == "3"
    assert time.monotonic() - started < 5
    health = client.get("/api/v1/health")
    assert health.status_code == 503
    assert health.get_json()["status"] == "unavailable"
    assert health.get_json()["database"] == "error"


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


def test_an_interrupted_outcome_is_recorded_again_and_the_message_sent_once(
    app, new_user, sandbox, faults
):
    from backend.jobs.scheduler import run_job

    control = Sandbox(sandbox.base_url)
    user = new_user("job")
    subscribe(app, user)
    notify(user, "job:1")
    outcome = faults.fail(r"^UPDATE notification_outbox SET .*claim_token = \S+$", 1213)
    result = run_job(app, "notifications.dispatch")
    assert result["sent"] == 1
    assert outcome.seen == 2
    assert len(control.messages(user.openid)) == 1
    db.session.expire_all()
    assert {row.status for row in db.session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_job_run_the_database_interrupts_runs_again(app, demo, faults):
    from backend.jobs.scheduler import run_job

    claim = faults.fail(r"^(UPDATE|SELECT) ", 1213)  # the job's first statement, whatever it is
    run_job(app, "activities.no_shows")
    assert claim.seen >= 2


def test_a_job_gives_up_after_the_bounded_attempts(app, faults):
    from backend.jobs.scheduler import run_job
    from backend.transactions import TransactionInterrupted

    saved = app.config["DB_RETRY_ATTEMPTS"]
    app.config["DB_RETRY_ATTEMPTS"] = 2
    try:
        every = faults.fail(r"^(UPDATE|SELECT) ", 1213, times=-1)
        with pytest.raises(TransactionInterrupted):
            run_job(app, "activities.no_shows")
    finally:
        app.config["DB_RETRY_ATTEMPTS"] = saved
    assert every.seen == 2


# ---------------------------------------------------------------------------------------------
# Real faults on MariaDB
# ---------------------------------------------------------------------------------------------


@contextmanager
def _statements(engine) -> Iterator[list[str]]:
    """Every statement sent while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.mysql
def test_a_real_deadlock_inside_a_savepoint_never_reuses_the_savepoint(api, demo, faults):
    """The server rolled the transaction back (and its savepoint with it): no ``ROLLBACK TO
    SAVEPOINT`` is sent on that connection (it failed with 1305 before); the donation runs again."""
    fund = open_fund(api, demo)
    admin = demo.user("demo-village-admin")
    insert = faults.fail(r"^INSERT INTO fund_entry\b", 1213, server_rollback=True)
    with _statements(db.engine) as seen:
        response = api.post(
            f"/funds/{fund['id']}/donations",
            admin,
            json=donation(700),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert response.status_code == 201, response.get_json()
    assert insert.seen == 2
    failed_at = next(i for i, s in enumerate(seen) if s.startswith("SIGNAL"))  # the deadlock
    assert not any(s.startswith("ROLLBACK TO SAVEPOINT") for s in seen[failed_at:])
    row = db.session.get(Fund, fund["id"])
    db.session.refresh(row)
    assert (row.balance_fen, row.entry_count) == (700, 1)
    assert _count(FundEntry, FundEntry.fund_id == fund["id"]) == 1


def _kill(thread_id: int) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(MYSQL_URL)
    side = pymysql.connect(
        host=url.host, port=url.port or 3306, user=url.username, password=url.password or ""
    )
    try:
        with side.cursor() as cursor:
            cursor.execute(f"KILL CONNECTION {int(thread_id)}")
    finally:
        side.close()


@pytest.mark.mysql
def test_a_connection_killed_mid_request_is_replaced_and_the_request_runs_again(
    api, demo, activity_id
):
    person = volunteer(demo.village_a)
    killed = []

    def kill_once(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO enrollment") and not killed:
            killed.append(conn.connection.dbapi_connection.thread_id())
            _kill(killed[0])

    event.listen(db.engine, "before_cursor_execute", kill_once)
    try:
        response = api.post(f"/activities/{activity_id}/enrollments", person)
    finally:
        event.remove(db.engine, "before_cursor_execute", kill_once)
    assert killed
    assert response.status_code == 201, response.get_json()
    assert _count(Enrollment, Enrollment.activity_id == activity_id) == 1


@pytest.mark.mysql
def test_a_pool_without_pre_ping_survives_a_database_restart(app):
    """Every pooled connection dies (as in a restart); the next request still answers 200,
    so ``pool_pre_ping`` can be dropped."""
    from backend import create_app

    other = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=MYSQL_URL,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False, "pool_size": 2, "max_overflow": 0},
    )
    client = other.test_client()
    assert client.get("/api/v1/regions").status_code == 200
    with other.app_context():
        engine = db.engine
        assert engine.pool._pre_ping is False
        ids = []
        connections = [engine.raw_connection() for _ in range(2)]
        for raw in connections:
            ids.append(raw.dbapi_connection.thread_id())
        for raw in connections:
            raw.close()  # back to the pool
        for thread_id in ids:
            _kill(thread_id)
    for _ in range(3):
        response = client.get("/api/v1/regions")
        assert response.status_code == 200, response.get_data(as_text=True)
    with other.app_context():
        db.engine.dispose()
