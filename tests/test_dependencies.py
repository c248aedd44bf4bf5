"""Honest answers when a dependency is gone: Redis down or hung changes nothing a user sees but
rate-limit precision; health reports each dependency and says 503 only when the API cannot serve."""

from __future__ import annotations

import logging
import socket
import time
import uuid
from collections.abc import Iterator

import pytest
import requests
from wechatpy.exceptions import WeChatClientException

from backend import create_app
from backend.extensions import limiter
from tests.funds_support import donation, open_fund
from tests.notify_support import TOKEN_PATH

TOKEN_STORE_WARNING = "Redis (WeChat access token store) unreachable"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def hung_redis() -> Iterator[str]:
    """A port that accepts connections (the kernel's backlog) and never answers, like a
    SIGSTOPped Redis."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


@pytest.fixture
def live_redis_url(app) -> str:
    import redis as redis_lib

    url = app.config.get("REDIS_URL") or "redis://127.0.0.1:6379/6"
    try:
        redis_lib.Redis.from_url(url, socket_timeout=1).ping()
    except redis_lib.RedisError:
        pytest.skip(f"no Redis at {url}")
    return url


@pytest.fixture
def shared_limiter(app):
    """flask-limiter's Limiter is one object per process: give it back to the test app after."""
    yield
    limiter.init_app(app)
    limiter._storage_dead = False  # its fallback flag is not reset by init_app


def _app_with_redis(app, sandbox, redis_url: str, **config):
    return create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WECHAT_API_BASE=sandbox.base_url,
        REDIS_URL=redis_url,
        **config,
    )


def _donate(client, api, demo, fund_id: int):
    admin = demo.user("demo-village-admin")
    return client.post(
        f"/api/v1/funds/{fund_id}/donations",
        json=donation(880, note="支持平安巡逻,感谢志愿者"),
        headers={**api.headers(admin), "Idempotency-Key": uuid.uuid4().hex},
    )


def _logins(client, n: int) -> list[int]:
    return [
        client.post("/api/v1/auth/wechat", json={"code": f"r-{uuid.uuid4().hex[:8]}"}).status_code
        for _ in range(n)
    ]


@pytest.mark.parametrize("kind", ["stopped", "hung"])
def test_redis_down_changes_nothing_a_user_sees(
    kind, app, api, demo, sandbox, hung_redis, shared_limiter, caplog
):
    redis_url = f"redis://127.0.0.1:{_free_port()}/0" if kind == "stopped" else hung_redis
    fund = open_fund(api, demo)
    down = _app_with_redis(
        app, sandbox, redis_url, LOGIN_RATE_LIMIT="3 per minute", REDIS_SOCKET_TIMEOUT_SECONDS=0.2
    )
    client = down.test_client()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        # Rate limits still hold, counted in this process (not a 500 on every login).
        assert _logins(client, 4) == [200, 200, 200, 429]
        # Content security gets its token from this process's cache (not content_under_review).
        for _ in range(3):
            response = _donate(client, api, demo, fund["id"])
            assert response.status_code == 201, response.get_json()
            assert response.get_json()["note"] == "支持平安巡逻,感谢志愿者"
        health = client.get("/api/v1/health")
    assert time.monotonic() - started < 10  # short timeouts, no redis-py retries
    assert health.status_code == 200
    assert health.get_json() | {"version": "-"} == {
        "status": "degraded",
        "version": "-",
        "database": "ok",
        "redis": "error",
        "rate_limit_store": "memory",
        "wechat": "ok",
        "wechat_token_store": "memory",
    }
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert sum(TOKEN_STORE_WARNING in w for w in warnings) == 1, warnings  # once, not per call
    assert sum("falling back to in-memory storage" in w for w in warnings) == 1, warnings


def test_redis_back_is_used_again(app, sandbox, live_redis_url, shared_limiter):
    """After an outage the shared store is used again: the next check finds Redis and the
    token is written there for the other workers."""
    import redis as redis_lib

    from backend.extensions import wechat

    live = _app_with_redis(app, sandbox, live_redis_url, REDIS_RECHECK_SECONDS=0.1)
    with live.app_context():
        storage = wechat.client.session
        storage.outage.failed(redis_lib.ConnectionError("simulated outage"))
        assert wechat.status()["wechat_token_store"] == "memory"
        time.sleep(0.15)
        wechat.client.invalidate_token(None)
        token = wechat.client.access_token
        assert wechat.status()["wechat_token_store"] == "redis"
        assert storage.primary.get(wechat.client.access_token_key) == token


def test_health_is_ok_when_every_dependency_answers(app, sandbox, live_redis_url, shared_limiter):
    body = _app_with_redis(app, sandbox, live_redis_url).test_client().get("/api/v1/health")
    assert body.status_code == 200
    assert body.get_json()["status"] == "ok"
    assert body.get_json()["redis"] == "ok"
    assert body.get_json()["rate_limit_store"] == "redis"
    assert body.get_json()["wechat_token_store"] == "redis"


def test_health_without_redis_is_ok_and_says_so(app, sandbox):
    plain = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        WECHAT_API_BASE=sandbox.base_url,
        REDIS_URL=None,
        RATELIMIT_STORAGE_URI="memory://",
    )
    response = plain.test_client().get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["redis"], body["rate_limit_store"]) == (
        "ok",
        "not_configured",
        "memory",
    )
    assert body["wechat"] == "unknown"  # no WeChat call yet in this process: none is made


def test_health_is_degraded_while_wechat_is_unreachable(app, api, sandbox):
    requests.post(
        sandbox.base_url + "__sandbox__/faults",
        json={"path": TOKEN_PATH, "http_status": 503, "times": -1},
        timeout=2,
    ).raise_for_status()
    from backend.extensions import wechat

    wechat.client.invalidate_token(None)
    with pytest.raises(WeChatClientException):
        wechat.client.refresh_token(None)
    degraded = api.get("/health")
    assert degraded.status_code == 200
    assert (degraded.get_json()["status"], degraded.get_json()["wechat"]) == ("degraded", "error")
    requests.delete(sandbox.base_url + "__sandbox__/faults", timeout=2).raise_for_status()
    wechat.client.refresh_token(None)
    assert api.get("/health").get_json()["wechat"] == "ok"
