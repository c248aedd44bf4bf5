"""Test fixtures: the app on SQLite or MySQL (TEST_DATABASE_URL), schema built by Alembic,
the WeChat sandbox on a loopback port, a clean database per test, and a client that records
every JSON response so the personal-data scan can read them all.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.serving import make_server

os.environ.setdefault("APP_ENV", "testing")
logging.getLogger("werkzeug").setLevel(logging.WARNING)

from backend import create_app  # noqa: E402
from backend.auth import issue_token  # noqa: E402
from backend.extensions import db  # noqa: E402
from backend.wechat import serve_in_thread  # noqa: E402

MYSQL_URL = os.environ.get("TEST_DATABASE_URL", "")
IS_MYSQL = MYSQL_URL.startswith("mysql")
# A second node of a multi-primary cluster (make test-galera): live-server requests alternate
# between an API instance on TEST_DATABASE_URL and one on this URL.
SECOND_WRITER_URL = os.environ.get("TEST_DATABASE_URL_2", "")


def pytest_collection_modifyitems(config, items):
    if IS_MYSQL:
        return
    skip = pytest.mark.skip(reason="needs MySQL/MariaDB: set TEST_DATABASE_URL")
    for item in items:
        if "mysql" in item.keywords:
            item.add_marker(skip)


# ---------------------------------------------------------------------------------------------
# Response recording for the personal-data scan
# ---------------------------------------------------------------------------------------------


@dataclass
class Recorded:
    caller_id: int | None
    path: str
    body: str


@dataclass
class ResponseLog:
    entries: list[Recorded] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, caller_id: int | None, path: str, body: str) -> None:
        with self.lock:
            self.entries.append(Recorded(caller_id, path, body))


RESPONSES = ResponseLog()


class RecordingClient(FlaskClient):
    """A test client that remembers every JSON body together with the caller's user id."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if response.mimetype == "application/json":
            caller = None
            headers = kwargs.get("headers") or {}
            auth = dict(headers).get("Authorization", "")
            if auth.startswith("Bearer "):
                caller = _TOKEN_OWNERS.get(auth[7:])
            path = args[0] if args and isinstance(args[0], str) else kwargs.get("path", "")
            RESPONSES.add(caller, str(path), response.get_data(as_text=True))
        return response


_TOKEN_OWNERS: dict[str, int] = {}


# ---------------------------------------------------------------------------------------------
# App, database, sandbox
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sandbox():
    server = serve_in_thread()
    yield server
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if MYSQL_URL:
        return MYSQL_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def upload_dir() -> str:
    return tempfile.mkdtemp(prefix="uploads-")


@pytest.fixture(scope="session")
def app(sandbox, database_url, upload_dir):
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url,
        WECHAT_API_BASE=sandbox.base_url,
        UPLOAD_DIR=upload_dir,
    )
    app.test_client_class = RecordingClient
    with app.app_context():
        _drop_everything()
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def _drop_everything() -> None:
    """Start from an empty database (the MySQL test database is reused between runs)."""
    from sqlalchemy import MetaData

    meta = MetaData()
    meta.reflect(bind=db.engine)
    with db.engine.begin() as conn:
        if db.engine.dialect.name == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(meta.sorted_tables):
            conn.execute(
                text(
                    f"DROP TABLE IF EXISTS `{table.name}`"
                    if db.engine.dialect.name == "mysql"
                    else f'DROP TABLE IF EXISTS "{table.name}"'
                )
            )
        if db.engine.dialect.name == "mysql":
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


def _clean_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        mysql = db.engine.dialect.name == "mysql"
        if mysql:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=0"))
        for table in tables:
            conn.execute(table.delete())
        if mysql:
            conn.execute(text("SET FOREIGN_KEY_CHECKS=1"))


@pytest.fixture(autouse=True)
def _clean(request, app, sandbox):
    """Each test starts with empty tables, a reset sandbox and an empty response log."""
    sandbox.state.reset()
    RESPONSES.entries.clear()
    from backend.extensions import limiter

    limiter.reset()
    with app.app_context():
        yield
        db.session.remove()
        _scan_personal_data()
        _clean_tables()


def _scan_personal_data() -> None:
    """No JSON response of this test showed a session key, or an unmasked phone, ID number or
    volunteer's real name to a caller who may not see it: the owner and admins whose scope
    covers the record may, and those who must act (:func:`_must_act`) see exactly what that
    needs."""
    from backend.models import User, Volunteer
    from backend.permissions import may_see_personal
    from backend.privacy import decrypt

    if not RESPONSES.entries:
        return
    secrets: list[tuple[str, int | None, object]] = []
    names: set[tuple[str, int | None]] = set()
    for user in db.session.scalars(db.select(User)):
        key = decrypt(user.session_key_enc)
        if key:
            secrets.append((key, -1, None))  # -1: nobody may see it
        phone = decrypt(user.phone_enc)
        if phone:
            secrets.append((phone, user.id, None))
    contact: set[tuple[str, int | None]] = set()  # (value, owner): a roster may show these
    for volunteer in db.session.scalars(db.select(Volunteer)):
        phone, name = decrypt(volunteer.phone_enc), decrypt(volunteer.real_name_enc)
        for value in (phone, decrypt(volunteer.id_number_enc), name):
            if value and len(value) >= 2:
                secrets.append((value, volunteer.user_id, volunteer.region))
        contact |= {(phone, volunteer.user_id), (name, volunteer.user_id)}
        names.add((name, volunteer.user_id))
    owners: dict[str, list[tuple[int | None, object]]] = {}
    for value, owner_id, region in secrets:
        owners.setdefault(value, []).append((owner_id, region))
    callers = {}
    for entry in RESPONSES.entries:
        assert '"session_key"' not in entry.body, f"session_key field in {entry.path}"
        for value, owner_id, _region in secrets:
            if value not in entry.body:
                continue
            if owner_id == -1:
                raise AssertionError(f"session key leaked by {entry.path}")
            if entry.caller_id not in callers:
                callers[entry.caller_id] = (
                    db.session.get(User, entry.caller_id) if entry.caller_id else None
                )
            viewer = callers[entry.caller_id]
            # Two people may share a name (or a test phone): the value is fine when the viewer
            # may see it for any of its owners.
            assert any(
                may_see_personal(viewer, owner, place)
                or (
                    (value, owner) in contact
                    and _must_act(viewer, owner, entry.path, (value, owner) in names)
                )
                for owner, place in owners[value]
            ), f"{entry.path} showed personal data of user {owner_id} to {entry.caller_id}"
    db.session.remove()


def _must_act(viewer, owner_id: int | None, path: str, is_name: bool) -> bool:
    """Who must act sees what they need (#11): an activity's organiser sees the real name and
    phone of people enrolled, waitlisted or absent on its roster; a dispatcher of a service
    request sees its candidates' real names (never their phones). Nobody else, nowhere else."""
    import re

    from backend.models import Activity, Enrollment, ServiceRequest
    from backend.permissions import ACTIVITY_MANAGE, SERVICE_REQUEST_DISPATCH, can

    if viewer is None or owner_id is None:
        return False
    roster = re.match(r"/api/v1/activities/(\d+)/enrollments(\?|$)", path)
    if roster:
        activity = db.session.get(Activity, int(roster[1]))
        status = db.session.scalar(
            db.select(Enrollment.status).where(
                Enrollment.activity_id == int(roster[1]), Enrollment.user_id == owner_id
            )
        )
        return (
            activity is not None
            and can(viewer, ACTIVITY_MANAGE, activity.region)
            and status in ("enrolled", "waitlisted", "no_show")
        )
    candidates = re.match(r"/api/v1/service-requests/(\d+)/candidates(\?|$)", path)
    if candidates and is_name:
        req = db.session.get(ServiceRequest, int(candidates[1]))
        return req is not None and (
            can(viewer, SERVICE_REQUEST_DISPATCH, req.region)
            or can(viewer, SERVICE_REQUEST_DISPATCH, req.tier_region)
        )
    return False


@pytest.fixture
def client(app) -> FlaskClient:
    return app.test_client()


# ---------------------------------------------------------------------------------------------
# Users and the demo county
# ---------------------------------------------------------------------------------------------

_codes = itertools.count(1)


class Api:
    """Small helper around the test client: JSON calls as a given user."""

    def __init__(self, client: FlaskClient):
        self.client = client

    def token_for(self, user) -> str:
        token, _ = issue_token(user)
        _TOKEN_OWNERS[token] = user.id
        return token

    def headers(self, user=None, **extra) -> dict:
        headers = dict(extra)
        if user is not None:
            headers["Authorization"] = f"Bearer {self.token_for(user)}"
        return headers

    def call(self, method: str, path: str, user=None, json_body=None, headers=None, **kw):
        return self.client.open(
            "/api/v1" + path,
            method=method,
            json=json_body,
            headers=self.headers(user, **(headers or {})),
            **kw,
        )

    def get(self, path, user=None, **kw):
        return self.call("GET", path, user, **kw)

    def post(self, path, user=None, json=None, **kw):
        return self.call("POST", path, user, json_body=json if json is not None else {}, **kw)

    def patch(self, path, user=None, json=None, **kw):
        return self.call("PATCH", path, user, json_body=json or {}, **kw)

    def delete(self, path, user=None, **kw):
        return self.call("DELETE", path, user, **kw)


@pytest.fixture
def api(client) -> Api:
    return Api(client)


class Demo:
    """The demo county, loaded per test; users by login name, regions by code."""

    def __init__(self):
        from backend.models import Region, Team, User

        self.users = {
            u.openid.removeprefix("sandbox-"): u
            for u in db.session.scalars(db.select(User).where(User.openid.is_not(None)))
        }
        self.regions = {r.code: r for r in db.session.scalars(db.select(Region))}
        self.teams = list(db.session.scalars(db.select(Team)))

    def user(self, name: str):
        return db.session.merge(self.users[name])

    def region(self, code: str):
        return self.regions[code]

    @property
    def city(self):
        return self.regions["360981"]

    @property
    def township_a(self):  # 剑光街道
        return self.regions["360981001"]

    @property
    def township_b(self):  # 白土镇
        return self.regions["360981101"]

    @property
    def village_a(self):  # 龙津社区 (剑光街道)
        return self.regions["360981001001"]

    @property
    def village_a2(self):  # 新城社区 (剑光街道)
        return self.regions["360981001002"]

    @property
    def village_b(self):  # 白土村 (白土镇)
        return self.regions["360981101001"]


@pytest.fixture
def demo(app) -> Demo:
    from backend.demo.county import seed_demo

    seed_demo()
    db.session.commit()
    return Demo()


def make_user(name: str, *, consent: bool = True, region=None):
    """A fresh resident (optionally having accepted the privacy notice)."""
    from flask import current_app

    from backend.models import User

    user = User(
        openid=f"sandbox-{name}-{next(_codes)}",
        nickname=name,
        region_id=region.id if region else None,
    )
    if consent:
        user.consent_version = current_app.config["PRIVACY_NOTICE_VERSION"]
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def new_user():
    return make_user


def valid_id_number(seed: int) -> str:
    from backend.privacy import id_number_with_check_digit

    return id_number_with_check_digit(
        f"3609811990{(seed % 12) + 1:02d}{(seed % 28) + 1:02d}{seed % 1000:03d}"
    )


def application(village_id: int, seed: int = 1, **overrides) -> dict:
    body = {
        "real_name": "王小明",
        "phone": f"1380000{seed:04d}",
        "id_number": valid_id_number(seed),
        "village_id": village_id,
        "skills": ["巡防员", "宣传员"],
        "availability": "周末",
    }
    body.update(overrides)
    return body


# ---------------------------------------------------------------------------------------------
# A live server for race tests (real concurrent HTTP requests)
# ---------------------------------------------------------------------------------------------


class RoundRobin:
    """A WSGI app handing each request to the next of ``apps`` (writers on two Galera nodes)."""

    def __init__(self, apps: list) -> None:
        self.apps = apps
        self.turn = itertools.count()
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            app = self.apps[next(self.turn) % len(self.apps)]
        return app(environ, start_response)


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def second_writer(app, sandbox, upload_dir):
    """An API instance on the second cluster node, or None outside ``make test-galera``."""
    if not SECOND_WRITER_URL:
        return None
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=SECOND_WRITER_URL,
        WECHAT_API_BASE=sandbox.base_url,
        UPLOAD_DIR=upload_dir,
    )


@pytest.fixture
def live_server(app, second_writer) -> Iterator[LiveServer]:
    server = LiveServer(RoundRobin([app, second_writer]) if second_writer else app)
    yield server
    server.stop()


def json_of(response) -> dict:
    return json.loads(response.get_data(as_text=True))
