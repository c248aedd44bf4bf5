"""``make faults``: scripted faults against a running gunicorn, with figures.

Everything runs on servers of the suite's own (``scripts/faults/servers.py``): a MariaDB instance
on its own datadir and port (so killing it hurts nobody), a Redis instance, the WeChat sandbox
as its own process (fault injection over HTTP), gunicorn (3 gthread workers) and schedulers.
Ports: gunicorn 5180, sandbox 5181, MariaDB 5190, Redis 5191 (``FAULTS_PORT_BASE`` moves them).

Each scenario drives load through HTTP like the mini-program would — a request answered 503 or
cut off is sent again with the same ``Idempotency-Key`` (honouring ``Retry-After``, capped) —
injects its fault, and then checks the database: 0 lost (every operation that succeeded has its
effect), 0 doubled (no effect twice), ``flask ledger check`` passes. Scenarios (``make faults
FAULTS="db-term redis-hang"`` runs a few): db-term, db-kill, db-outage, redis-stop, redis-hang,
wechat-fail, wechat-hang, worker-kill, two-schedulers.

The database scenarios run with ``DB_POOL_PRE_PING=0``: the transaction retry alone replaces the
connections a restart killed.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from scripts.faults.servers import ROOT, MariaDB, Stack, app_env, http_ok, python, wait_for

BASE = int(os.environ.get("FAULTS_PORT_BASE", "5180"))
API_PORT, SANDBOX_PORT, DB_PORT, REDIS_PORT = BASE, BASE + 1, BASE + 10, BASE + 11
DATABASE = "safe_alliance_faults"
RATE = float(os.environ.get("FAULTS_RATE", "50"))  # requests per second of the steady load
CLIENT_GIVE_UP_SECONDS = 30


# ---------------------------------------------------------------------------------------------
# Load: operations sent like the mini-program sends them
# ---------------------------------------------------------------------------------------------


@dataclass
class Op:
    """One user action; ``ok`` decides from an answer whether it took effect."""

    kind: str
    method: str
    path: str
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    ok: Callable[[int, dict], bool] = lambda status, _body: 200 <= status < 300
    key: str = ""
    done: bool = False
    gave_up: bool = False


@dataclass
class Answer:
    kind: str
    started: float
    ended: float
    status: int  # 0: connection refused, reset or timed out
    code: str = ""
    retry_after: str | None = None


class Client:
    """Sends operations, retrying 503s and cut-off requests with the same body and key."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.answers: list[Answer] = []
        self.lock = threading.Lock()

    def send_once(self, op: Op) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        started = time.monotonic()
        try:
            payload = json.dumps(op.body).encode() if op.body is not None else None
            conn.request(
                op.method,
                op.path,
                body=payload,
                headers={"Content-Type": "application/json", **op.headers},
            )
            response = conn.getresponse()
            raw = response.read()
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {}
            answer = Answer(
                op.kind,
                started,
                time.monotonic(),
                response.status,
                body.get("code", "") if isinstance(body, dict) else "",
                response.getheader("Retry-After"),
            )
            if op.ok(response.status, body if isinstance(body, dict) else {}):
                op.done = True
        except (OSError, http.client.HTTPException):
            answer = Answer(op.kind, started, time.monotonic(), 0)
        finally:
            conn.close()
        with self.lock:
            self.answers.append(answer)
        return answer

    def call(self, method: str, path: str, token: str, body: dict | None = None) -> dict:
        """A setup call that must succeed (retried like any other); its JSON answer."""
        captured: dict = {}

        def ok(status: int, answer: dict) -> bool:
            captured.update(answer)
            return 200 <= status < 300

        op = self.run(Op("setup", method, path, body, {"Authorization": f"Bearer {token}"}, ok))
        if not op.done:
            raise RuntimeError(f"{method} {path} failed: {captured}")
        return captured

    def run(self, op: Op) -> Op:
        """Until it takes effect, is refused for good (4xx), or 30 s have passed."""
        deadline = time.monotonic() + CLIENT_GIVE_UP_SECONDS
        while True:
            answer = self.send_once(op)
            if op.done or (400 <= answer.status < 500):
                return op
            if time.monotonic() > deadline:
                op.gave_up = True
                return op
            wait = 0.2
            if answer.retry_after and answer.retry_after.isdigit():
                wait = min(float(answer.retry_after), 1.0)  # the suite is impatient
            time.sleep(wait)


class Load:
    """``threads`` workers sending operations from ``make_op`` at about ``rate`` per second."""

    def __init__(self, client: Client, make_op: Callable[[int], Op], threads: int, rate: float):
        self.client = client
        self.make_op = make_op
        self.threads = threads
        self.interval = threads / rate if rate else 0.0
        self.stop_event = threading.Event()
        self.ops: list[Op] = []
        self.counter = iter(range(10**9))
        self.lock = threading.Lock()
        self.workers = [threading.Thread(target=self._work) for _ in range(threads)]

    def _work(self) -> None:
        while not self.stop_event.is_set():
            started = time.monotonic()
            with self.lock:
                op = self.make_op(next(self.counter))
                self.ops.append(op)
            self.client.run(op)
            pause = self.interval - (time.monotonic() - started)
            if pause > 0:
                self.stop_event.wait(random.uniform(0.5, 1.5) * pause)

    def __enter__(self) -> Load:
        for worker in self.workers:
            worker.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop_event.set()
        for worker in self.workers:
            worker.join(timeout=CLIENT_GIVE_UP_SECONDS + 10)


def burst(client: Client, ops: list[Op], threads: int) -> None:
    """Every operation once, as fast as ``threads`` clients can (a check-in burst)."""
    queue = iter(ops)
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                op = next(queue, None)
            if op is None:
                return
            client.run(op)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


# ---------------------------------------------------------------------------------------------
# The environment
# ---------------------------------------------------------------------------------------------


class Env:
    """Servers of the run, the app (in process, for setup and checks) and its data."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.db: MariaDB = stack.mariadb(DB_PORT, name="faults-db")
        self.db.prepare()
        self.db.start()
        self.db.wait_ready()
        self.url = self.db.create_database(DATABASE)
        self.redis = stack.redis_server(REDIS_PORT)
        self.sandbox_url = f"http://127.0.0.1:{SANDBOX_PORT}/"
        self.env = app_env(
            self.url,
            REDIS_URL=self.redis.url,
            WECHAT_API_BASE=self.sandbox_url,
            WECHAT_TIMEOUT_SECONDS="2",
            LOGIN_RATE_LIMIT="100000 per minute",
            DB_POOL_PRE_PING="0",
            NOTIFY_RETRY_BASE_SECONDS="1",
            NOTIFY_RETRY_MAX_SECONDS="3",
        )
        stack.process(
            "sandbox",
            python("-m", "flask", "wechat", "sandbox", "--port", str(SANDBOX_PORT)),
            cwd=ROOT,
            env=self.env,
        )
        wait_for("sandbox", lambda: http_ok(self.sandbox_url + "__sandbox__/faults"), 30)
        flask = python("-m", "flask")
        subprocess.run(
            [*flask, "db", "upgrade"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [*flask, "seed", "demo"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.gunicorn = stack.process(
            "gunicorn",
            python(
                "-m",
                "gunicorn",
                "-w",
                "3",
                "-k",
                "gthread",
                "--threads",
                "4",
                "--timeout",
                "30",
                "-b",
                f"127.0.0.1:{API_PORT}",
                "wsgi:app",
            ),
            cwd=ROOT,
            env=self.env,
        )
        wait_for("gunicorn", lambda: http_ok(f"http://127.0.0.1:{API_PORT}/api/v1/health"), 60)
        from backend import create_app

        os.environ.setdefault("APP_ENV", "development")
        self.app = create_app(
            "development",
            SQLALCHEMY_DATABASE_URI=self.url,
            WECHAT_API_BASE=self.sandbox_url,
            SCHEDULER_ENABLED=False,
        )
        logging.getLogger().setLevel(logging.WARNING)  # the figures, not the app's INFO lines
        self._seq = 0

    # -- sandbox --------------------------------------------------------------------------

    def sandbox(self, method: str, path: str, body: dict | None = None) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", SANDBOX_PORT, timeout=10)
        try:
            conn.request(
                method,
                f"/__sandbox__/{path}",
                body=json.dumps(body) if body else None,
                headers={"Content-Type": "application/json"},
            )
            return json.loads(conn.getresponse().read() or b"{}")
        finally:
            conn.close()

    # -- data -----------------------------------------------------------------------------

    def ctx(self):
        return self.app.app_context()

    def token(self, user_id: int) -> str:
        from backend.auth import issue_token
        from backend.extensions import db
        from backend.models import User

        with self.ctx():
            return issue_token(db.session.get(User, user_id))[0]

    def user_id(self, login: str) -> int:
        from backend.extensions import db
        from backend.models import User

        with self.ctx():
            return db.session.scalar(db.select(User.id).where(User.openid == f"sandbox-{login}"))

    def volunteers(self, n: int, subscribe_to: str | None = None) -> list[tuple[int, str]]:
        """``n`` approved volunteers of 龙津社区 (ids and tokens), optionally subscribed."""
        from backend.auth import issue_token
        from backend.extensions import db
        from backend.models import Region, User, Volunteer
        from backend.privacy import encrypt, mask_name
        from backend.services.notifications import record_subscriptions

        people = []
        with self.ctx():
            village = db.session.scalar(db.select(Region).where(Region.code == "360981001001"))
            template = self.app.config["WECHAT_TEMPLATE_IDS"].get(subscribe_to or "")
            for _ in range(n):
                self._seq += 1
                tag = f"{uuid.uuid4().hex[:6]}{self._seq}"
                user = User(
                    openid=f"sandbox-fault-{tag}",
                    nickname=f"压测{self._seq}",
                    region_id=village.id,
                    consent_version="faults",
                )
                db.session.add(user)
                db.session.flush()
                name = f"压测志愿者{self._seq}"
                db.session.add(
                    Volunteer(
                        user_id=user.id,
                        number=f"FT{tag}",
                        real_name_enc=encrypt(name),
                        display_name=mask_name(name),
                        phone_enc=encrypt(f"139{self._seq:08d}"),
                        region_id=village.id,
                        skills=["巡防员"],
                        status="approved",
                    )
                )
                if template:
                    record_subscriptions(user, {template: "accept"})
                people.append(user)
            db.session.commit()
            return [(u.id, issue_token(u)[0]) for u in people]

    def activity(self, capacity: int, title: str) -> int:
        """A published patrol of 龙津社区 starting in 10 minutes (check-in open)."""
        from backend.utils import utcnow

        admin = self.token(self.user_id("demo-village-admin"))
        start = (utcnow() + timedelta(minutes=10)).replace(microsecond=0)
        body = {
            "title": title,
            "description": "故障演练:夜间巡逻",
            "category": "patrol",
            "region_id": self.region_id("360981001001"),
            "start_at": start.isoformat(),
            "end_at": (start + timedelta(hours=2)).isoformat(),
            "place_name": "龙津社区广场",
            "latitude": 28.1921,
            "longitude": 115.7763,
            "checkin_radius_m": 500,
            "capacity": capacity,
            "waitlist_enabled": True,
            "points_mode": "fixed",
            "points_value": 5,
        }
        client = Client(API_PORT)
        aid = client.call("POST", "/api/v1/activities", admin, body)["id"]
        client.call("POST", f"/api/v1/activities/{aid}/publish", admin)
        return aid

    def region_id(self, code: str) -> int:
        from backend.extensions import db
        from backend.models import Region

        with self.ctx():
            return db.session.scalar(db.select(Region.id).where(Region.code == code))

    def fund(self) -> int:
        """The 龙津社区 fund (opened once)."""
        from backend.extensions import db
        from backend.models import Fund

        region = self.region_id("360981001001")
        with self.ctx():
            found = db.session.scalar(db.select(Fund.id).where(Fund.region_id == region))
        if found:
            return found
        admin = self.token(self.user_id("demo-city-admin"))
        body = {"region_id": region, "name": "龙津社区平安基金", "purpose": "故障演练"}
        return Client(API_PORT).call("POST", "/api/v1/funds", admin, body)["id"]

    def ledger_check(self) -> bool:
        result = subprocess.run(
            python("-m", "flask", "ledger", "check"),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        return result.returncode == 0

    def scheduler(self, name: str):
        return self.stack.process(
            name, python("-m", "flask", "scheduler", "run"), cwd=ROOT, env=self.env
        )

    def retries(self) -> Counter:
        """Lines gunicorn's workers logged so far: re-runs and 503s of interrupted transactions."""
        text = self.gunicorn.log_path.read_text(errors="replace")
        return Counter(re=text.count("running it again"), gave_up=text.count("giving up after"))

    def workers(self) -> list[int]:
        """pids of gunicorn's workers (children of the master)."""
        master = self.gunicorn.pid
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(entry.name))
        return pids


# ---------------------------------------------------------------------------------------------
# Operations and their checks
# ---------------------------------------------------------------------------------------------


def donation_op(env: Env, fund_id: int, admin_token: str, note: str = "") -> Op:
    key = uuid.uuid4().hex
    body = {
        "amount_fen": random.randint(100, 99_999),
        "donor_name": "张三丰",
        "donor_type": "person",
        "channel": "wechat_transfer",
        "receipt_no": f"FT{key[:16]}",
    }
    if note:
        body["note"] = note
    return Op(
        "donation",
        "POST",
        f"/api/v1/funds/{fund_id}/donations",
        body,
        {"Authorization": f"Bearer {admin_token}", "Idempotency-Key": key},
        ok=lambda s, _b: s == 201,
        key=body["receipt_no"],
    )


def enrollment_op(activity_id: int, user_id: int, token: str) -> Op:
    # 409 already_enrolled: an earlier attempt committed but its answer was lost.
    return Op(
        "enrollment",
        "POST",
        f"/api/v1/activities/{activity_id}/enrollments",
        None,
        {"Authorization": f"Bearer {token}"},
        ok=lambda s, b: s == 201 or (s == 409 and b.get("code") == "already_enrolled"),
        key=f"{activity_id}:{user_id}",
    )


def read_op() -> Op:
    return Op("read", "GET", "/api/v1/activities?page_size=20")


def login_op() -> Op:
    return Op("login", "POST", "/api/v1/auth/wechat", {"code": f"faults-{uuid.uuid4().hex[:10]}"})


def check_donations(env: Env, fund_id: int, ops: list[Op]) -> tuple[int, int]:
    """(lost, doubled) among donation operations."""
    from backend.extensions import db
    from backend.models import FundEntry

    with env.ctx():
        rows = Counter(
            db.session.scalars(db.select(FundEntry.receipt_no).where(FundEntry.fund_id == fund_id))
        )
    done = [op for op in ops if op.kind == "donation" and op.done]
    lost = sum(1 for op in done if rows.get(op.key, 0) == 0)
    doubled = sum(1 for count in rows.values() if count > 1)
    return lost, doubled


def check_enrollments(env: Env, ops: list[Op]) -> tuple[int, int]:
    from backend.extensions import db
    from backend.models import Enrollment

    with env.ctx():
        rows = Counter(
            f"{a}:{u}"
            for a, u in db.session.execute(db.select(Enrollment.activity_id, Enrollment.user_id))
        )
    done = [op for op in ops if op.kind == "enrollment" and op.done]
    lost = sum(1 for op in done if rows.get(op.key, 0) == 0)
    doubled = sum(1 for count in rows.values() if count > 1)
    return lost, doubled


# ---------------------------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    requests: int = 0
    ok: int = 0
    refused: int = 0  # expected 4xx answers
    unavailable: int = 0  # 503
    server_errors: int = 0  # 500 and other 5xx but 503
    cut_off: int = 0  # connection refused/reset/timed out
    operations: int = 0
    gave_up: int = 0
    lost: int = 0
    doubled: int = 0
    recovery: float | None = None
    ledger_ok: bool = True
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.unavailable + self.server_errors + self.cut_off

    def count(self, answers: list[Answer]) -> None:
        for a in answers:
            self.requests += 1
            if 200 <= a.status < 400:
                self.ok += 1
            elif a.status == 503:
                self.unavailable += 1
                if a.retry_after is None:
                    self.problems.append("a 503 without Retry-After")
            elif a.status >= 500:
                self.server_errors += 1
            elif a.status == 0:
                self.cut_off += 1
            else:
                self.refused += 1

    def expect(self, condition: bool, problem: str) -> None:
        if not condition:
            self.problems.append(problem)


def _ops_figures(fig: Figures, env: Env, client: Client, ops: list[Op], fund_id: int | None):
    fig.count(client.answers)
    fig.operations = len(ops)
    fig.gave_up = sum(op.gave_up for op in ops)
    lost = doubled = 0
    if fund_id is not None:
        lost, doubled = check_donations(env, fund_id, ops)
    l2, d2 = check_enrollments(env, ops)
    fig.lost, fig.doubled = lost + l2, doubled + d2
    fig.ledger_ok = env.ledger_check()
    fig.expect(fig.lost == 0, f"{fig.lost} lost")
    fig.expect(fig.doubled == 0, f"{fig.doubled} doubled")
    fig.expect(fig.server_errors == 0, f"{fig.server_errors} server errors (500)")
    fig.expect(fig.gave_up == 0, f"{fig.gave_up} operations never succeeded")
    fig.expect(fig.ledger_ok, "flask ledger check failed")


def _mixed_load(env: Env, tag: str):
    fund_id = env.fund()
    admin = env.token(env.user_id("demo-village-admin"))
    people = env.volunteers(400)
    activities = [env.activity(60, f"{tag}巡逻{i}") for i in range(8)]
    client = Client(API_PORT)
    # Each volunteer in one activity (they all start at the same time: no time clash).
    pool = [(activities[i % 8], u, t) for i, (u, t) in enumerate(people)]
    random.shuffle(pool)
    enrollments = iter(pool)

    def make(i: int) -> Op:
        if i % 3 == 0:
            return donation_op(env, fund_id, admin)
        if i % 3 == 1:
            nxt = next(enrollments, None)
            if nxt is not None:
                return enrollment_op(*nxt)
        return read_op()

    return client, make, fund_id


def database_restart(env: Env, name: str, sig: int, down_seconds: float) -> Figures:
    fig = Figures(name)
    client, make, fund_id = _mixed_load(env, name)
    before = env.retries()
    with Load(client, make, threads=8, rate=RATE) as load:
        time.sleep(4)
        env.db.process.signal(sig)
        env.db.process.popen.wait(timeout=60)
        stopped = time.monotonic()
        time.sleep(down_seconds)
        env.db.start()
        env.db.wait_ready(60)
        up = time.monotonic()
        time.sleep(8)
    later = [a for a in client.answers if a.started >= up and 200 <= a.status < 300]
    fig.recovery = (min(a.ended for a in later) - up) if later else None
    after = env.retries() - before
    fig.notes.append(
        f"database down {up - stopped:.1f} s; server re-ran {after['re']} interrupted "
        f"transaction attempts, answered 503 after {after['gave_up']}"
    )
    _ops_figures(fig, env, client, load.ops, fund_id)
    fig.expect(fig.recovery is not None and fig.recovery <= 5, f"recovery {fig.recovery}")
    fig.expect(fig.failed == fig.unavailable, "a failure that was not a 503")
    if down_seconds == 0:
        fig.expect(fig.failed <= 0.01 * fig.requests, "more than 1% failed")
    return fig


def redis_fault(env: Env, name: str, hang: bool) -> Figures:
    fig = Figures(name)
    fund_id = env.fund()
    admin = env.token(env.user_id("demo-village-admin"))
    client = Client(API_PORT)
    health: list[str] = []

    def make(i: int) -> Op:
        if i % 2 == 0:
            return login_op()
        return donation_op(env, fund_id, admin, note="感谢平安志愿者的守护")

    with Load(client, make, threads=6, rate=RATE / 2) as load:
        time.sleep(3)
        redis = env.redis.process
        if hang:
            redis.signal(signal.SIGSTOP)
        else:
            env.redis.stop()
        for _ in range(10):
            time.sleep(1)
            health.append(_health())
        if hang:
            redis.signal(signal.SIGCONT)
        else:
            env.redis.start()
        time.sleep(2)
        health.append(_health())
    _ops_figures(fig, env, client, load.ops, fund_id)
    during = Counter(health[:-1])
    fig.notes.append(f"health while down: {dict(during)}, after: {health[-1]}")
    fig.expect(fig.failed == 0, f"{fig.failed} failed requests")
    fig.expect(set(during) == {"200 degraded"}, f"health while Redis was down: {dict(during)}")
    fig.expect(health[-1] == "200 ok", f"health after: {health[-1]}")
    codes = Counter(a.code for a in client.answers if a.status == 422)
    fig.expect(not codes, f"422 answers: {dict(codes)}")
    return fig


def _health() -> str:
    conn = http.client.HTTPConnection("127.0.0.1", API_PORT, timeout=10)
    try:
        conn.request("GET", "/api/v1/health")
        response = conn.getresponse()
        body = json.loads(response.read())
        return f"{response.status} {body.get('status')}"
    except (OSError, ValueError, http.client.HTTPException):
        return "no answer"
    finally:
        conn.close()


def _outbox_state(env: Env) -> Counter:
    from backend.extensions import db
    from backend.models import OutboxMessage

    with env.ctx():
        return Counter(db.session.scalars(db.select(OutboxMessage.status)))


def _wait_drained(env: Env, timeout: float) -> float:
    return wait_for(
        "outbox drained", lambda: not ({"pending", "sending"} & set(_outbox_state(env))), timeout, 1
    )


def _check_messages(env: Env, fig: Figures, expected: int) -> int:
    """Every outbox row sent, each subscribe message exactly once at the sandbox."""
    from backend.extensions import db
    from backend.models import OutboxMessage

    messages = env.sandbox("GET", "messages")["messages"]
    seen = Counter(
        (m["touser"], m["template_id"], json.dumps(m["data"], sort_keys=True)) for m in messages
    )
    with env.ctx():
        rows = db.session.execute(db.select(OutboxMessage.status, OutboxMessage.attempts)).all()
    states = Counter(status for status, _ in rows)
    fig.operations = len(rows)
    fig.lost = len(rows) - states.get("sent", 0)
    fig.doubled = sum(count - 1 for count in seen.values() if count > 1) + max(
        0, len(messages) - len(rows)
    )
    fig.notes.append(
        f"outbox {dict(states)}, sandbox messages {len(messages)}, "
        f"max attempts {max((a for _, a in rows), default=0)}"
    )
    fig.expect(len(rows) >= expected, f"{len(rows)} outbox rows, expected {expected}")
    fig.expect(fig.lost == 0, f"{fig.lost} notices not sent")
    fig.expect(fig.doubled == 0, f"{fig.doubled} messages sent twice")
    return max((a for _, a in rows), default=0)


def _clear_outbox(env: Env) -> None:
    from backend.extensions import db
    from backend.models import OutboxMessage

    with env.ctx():
        db.session.execute(db.delete(OutboxMessage))
        db.session.commit()
    env.sandbox("POST", "reset")


def wechat_fault(env: Env, name: str, fault: dict) -> Figures:
    fig = Figures(name)
    _clear_outbox(env)
    people = env.volunteers(60, subscribe_to="enrollment_result")
    activity = env.activity(30, f"{name}巡逻")
    scheduler = env.scheduler(f"scheduler-{name}")
    client = Client(API_PORT)
    env.sandbox("POST", "faults", {"path": "cgi-bin/message/subscribe/send", "times": -1, **fault})
    ops = [enrollment_op(activity, u, t) for u, t in people]
    started = time.monotonic()
    burst(client, ops, threads=6)
    time.sleep(max(0.0, 15 - (time.monotonic() - started)))  # WeChat stays down for 15 s
    during = _outbox_state(env)
    env.sandbox("DELETE", "faults")
    drained = _wait_drained(env, 90)
    scheduler.stop()
    fig.count(client.answers)
    fig.gave_up = sum(op.gave_up for op in ops)
    fig.recovery = drained
    fig.notes.append(f"outbox while WeChat was down: {dict(during)}")
    _check_messages(env, fig, expected=len(people))
    fig.expect(fig.failed == 0, f"{fig.failed} failed requests")
    fig.expect(fig.server_errors == 0, "server errors")
    return fig


def worker_kill(env: Env, kills: int) -> Figures:
    fig = Figures("worker-kill")
    n = int(os.environ.get("FAULTS_BURST", "300"))
    people = env.volunteers(n)
    activity = env.activity(n, "worker-kill 签到")
    client = Client(API_PORT)
    burst(client, [enrollment_op(activity, u, t) for u, t in people], threads=12)
    organiser = env.token(env.user_id("demo-village-admin"))
    code = client.call("GET", f"/api/v1/activities/{activity}/checkin-code", organiser)["code"]
    scan = {"code": code, "latitude": 28.1922, "longitude": 115.7763}
    checkins = [
        Op(
            "checkin",
            "POST",
            f"/api/v1/activities/{activity}/checkins",
            scan,
            {"Authorization": f"Bearer {t}"},
            ok=lambda s, b: s == 201 or (s == 409 and b.get("code") == "already_checked_in"),
            key=str(u),
        )
        for u, t in people
    ]
    client.answers.clear()
    killed: list[int] = []

    def killer() -> None:
        time.sleep(0.5)
        for _ in range(kills):
            workers = env.workers()
            if workers:
                victim = random.choice(workers)
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
            time.sleep(0.7)

    thread = threading.Thread(target=killer)
    started = time.monotonic()
    thread.start()
    burst(client, checkins, threads=16)
    thread.join()
    fig.notes.append(
        f"{n} check-ins in {time.monotonic() - started:.1f} s, {len(killed)} workers SIGKILLed"
    )
    fig.count(client.answers)
    fig.operations = len(checkins)
    fig.gave_up = sum(op.gave_up for op in checkins)
    from backend.extensions import db
    from backend.models import Attendance

    with env.ctx():
        rows = Counter(
            db.session.scalars(
                db.select(Attendance.user_id).where(Attendance.activity_id == activity)
            )
        )
    fig.lost = sum(1 for op in checkins if op.done and rows.get(int(op.key), 0) == 0)
    fig.lost += sum(1 for op in checkins if not op.done)
    fig.doubled = sum(1 for c in rows.values() if c > 1)
    fig.ledger_ok = env.ledger_check()
    fig.expect(fig.lost == 0, f"{fig.lost} check-ins lost")
    fig.expect(fig.doubled == 0, f"{fig.doubled} doubled")
    fig.expect(fig.server_errors == 0, f"{fig.server_errors} server errors")
    fig.expect(fig.ledger_ok, "flask ledger check failed")
    return fig


def two_schedulers(env: Env) -> Figures:
    fig = Figures("two-schedulers")
    _clear_outbox(env)
    people = env.volunteers(30, subscribe_to="volunteer_review")
    from backend.extensions import db
    from backend.models import User
    from backend.services.notifications import enqueue, record_subscriptions

    template = env.app.config["WECHAT_TEMPLATE_IDS"]["volunteer_review"]
    count = 300
    with env.ctx():
        for user_id, _token in people:
            user = db.session.get(User, user_id)
            for _ in range(count // len(people)):
                record_subscriptions(user, {template: "accept"})
        for i in range(count):
            user_id = people[i % len(people)][0]
            enqueue(
                "volunteer_review",
                user_id,
                dedupe_key=f"faults:two:{i}",
                title="志愿者申请审核通过",
                fields={"result": "审核通过", "reason": f"演练{i}", "number": f"FT{i:06d}"},
            )
        db.session.commit()
    first, second = env.scheduler("scheduler-a"), env.scheduler("scheduler-b")
    fig.recovery = _wait_drained(env, 120)
    first.stop()
    second.stop()
    most = _check_messages(env, fig, expected=count)
    fig.expect(most == 1, f"a row was claimed {most} times")
    return fig


SCENARIOS: dict[str, Callable[[Env], Figures]] = {
    "db-term": lambda env: database_restart(env, "db-term", signal.SIGTERM, 0),
    "db-kill": lambda env: database_restart(env, "db-kill", signal.SIGKILL, 0),
    "db-outage": lambda env: database_restart(env, "db-outage", signal.SIGTERM, 6),
    "redis-stop": lambda env: redis_fault(env, "redis-stop", hang=False),
    "redis-hang": lambda env: redis_fault(env, "redis-hang", hang=True),
    "wechat-fail": lambda env: wechat_fault(env, "wechat-fail", {"errcode": -1}),
    "wechat-hang": lambda env: wechat_fault(
        env, "wechat-hang", {"hang_seconds": 3, "http_status": 504}
    ),
    "worker-kill": lambda env: worker_kill(env, kills=5),
    "two-schedulers": two_schedulers,
}


def report(figures: list[Figures]) -> None:
    print()
    print(
        f"{'scenario':15} {'requests':>8} {'2xx':>6} {'4xx':>5} {'503':>5} {'500':>4} "
        f"{'cut':>4} {'failed%':>7} {'ops':>5} {'lost':>4} {'doubled':>7} {'recovery':>9} "
        f"{'ledger':>6}  verdict"
    )
    for f in figures:
        pct = 100 * f.failed / f.requests if f.requests else 0.0
        recovery = f"{f.recovery:.2f} s" if f.recovery is not None else "-"
        verdict = "ok" if not f.problems else "FAIL: " + "; ".join(f.problems)
        print(
            f"{f.name:15} {f.requests:8} {f.ok:6} {f.refused:5} {f.unavailable:5} "
            f"{f.server_errors:4} {f.cut_off:4} {pct:6.2f}% {f.operations:5} {f.lost:4} "
            f"{f.doubled:7} {recovery:>9} {'ok' if f.ledger_ok else 'FAIL':>6}  {verdict}"
        )
        for note in f.notes:
            print(f"{'':15}   {note}")
    print(
        "recovery: database scenarios — from the database accepting connections again to the "
        "first 2xx; WeChat/scheduler scenarios — from the fault's end until the outbox was "
        "drained. cut: connections refused, reset or timed out (client retried)."
    )


def main() -> int:
    chosen = (os.environ.get("FAULTS") or " ".join(sys.argv[1:])).split() or list(SCENARIOS)
    unknown = [name for name in chosen if name not in SCENARIOS]
    if unknown:
        print(f"unknown scenario(s) {unknown}; choose from {list(SCENARIOS)}", file=sys.stderr)
        return 2
    started = time.monotonic()
    figures: list[Figures] = []
    with Stack("sa-faults-") as stack:
        print(
            f"== starting MariaDB :{DB_PORT}, Redis :{REDIS_PORT}, sandbox :{SANDBOX_PORT}, "
            f"gunicorn :{API_PORT} in {stack.home}",
            flush=True,
        )
        env = Env(stack)
        for name in chosen:
            print(f"== {name}", flush=True)
            try:
                figures.append(SCENARIOS[name](env))
            except Exception as error:  # noqa: BLE001 - report it and go on to the next one
                failed = Figures(name)
                failed.problems.append(f"{type(error).__name__}: {error}")
                figures.append(failed)
            if not env.gunicorn.alive():
                print(env.gunicorn.tail(), file=sys.stderr)
                break
        report(figures)
    print(f"== make faults: {time.monotonic() - started:.0f} s; servers stopped, folder removed")
    return 0 if all(not f.problems for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
