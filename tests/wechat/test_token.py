"""The access token: fetched once under concurrency, refreshed once on 40001, never looped."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import redis
from flask import Flask

from backend.errors import UpstreamError, UpstreamUnavailable
from backend.wechat import WeChatGateway

TOKEN_PATH = "cgi-bin/stable_token"
CHECK_PATH = "wxa/msg_sec_check"
THREADS = 8


def _race(apps: list[Flask], gateway: WeChatGateway, threads: int = THREADS) -> list[str]:
    """Start ``threads`` calls at once, spread over ``apps``; return their results."""
    barrier = threading.Barrier(threads)
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(app: Flask) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=5)
                suggest = gateway.check_text("你好", "sandbox-alice")
            with lock:
                results.append(suggest)
        except BaseException as error:  # noqa: BLE001 - re-raised in the test thread
            with lock:
                errors.append(error)

    pool = [threading.Thread(target=worker, args=(apps[i % len(apps)],)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=10)
    if errors:
        raise errors[0]
    return results


def test_cold_cache_fetches_once_in_memory(app, gateway: WeChatGateway, control) -> None:
    # A slow token endpoint widens the window in which the other threads find no token.
    control.fault(TOKEN_PATH, hang_seconds=0.3)
    assert _race([app], gateway) == ["pass"] * THREADS
    calls = control.calls()
    assert calls[TOKEN_PATH] == 1 and "cgi-bin/token" not in calls
    assert calls[CHECK_PATH] == THREADS


def test_cold_cache_fetches_once_across_workers_with_redis(
    app_factory: Callable[..., Flask], redis_config, control
) -> None:
    # Four apps stand for four worker processes: separate clients and locks, one Redis.
    gateway = WeChatGateway()
    apps = [app_factory(**redis_config) for _ in range(4)]
    for worker_app in apps:
        gateway.init_app(worker_app)
    control.fault(TOKEN_PATH, hang_seconds=0.3)
    assert _race(apps, gateway) == ["pass"] * THREADS
    assert control.calls()[TOKEN_PATH] == 1
    stored = redis.Redis.from_url(redis_config["REDIS_URL"]).keys(
        f"wechat:{redis_config['WECHAT_APPID']}:*"
    )
    assert any(key.endswith(b"_access_token") for key in stored)
    # A fifth worker starting later uses the shared token without fetching.
    late = app_factory(**redis_config)
    gateway.init_app(late)
    with late.app_context():
        assert gateway.check_text("你好", "sandbox-alice") == "pass"
    assert control.calls()[TOKEN_PATH] == 1


def test_expired_token_refreshes_once(app, gateway: WeChatGateway, control) -> None:
    assert gateway.check_text("你好", "sandbox-alice") == "pass"
    control.expire_tokens()
    assert gateway.check_text("你好", "sandbox-alice") == "pass"
    calls = control.calls()
    assert calls[TOKEN_PATH] == 2 and calls[CHECK_PATH] == 3
    assert gateway.check_text("你好", "sandbox-alice") == "pass"  # the new token is kept
    assert control.calls()[TOKEN_PATH] == 2


def test_expired_token_with_redis_refreshes_once(
    app_factory: Callable[..., Flask], redis_config, control
) -> None:
    gateway = WeChatGateway()
    apps = [app_factory(**redis_config) for _ in range(2)]
    for worker_app in apps:
        gateway.init_app(worker_app)
    with apps[0].app_context():
        gateway.check_text("你好", "sandbox-alice")
    control.expire_tokens()
    assert _race(apps, gateway, threads=4) == ["pass"] * 4
    assert control.calls()[TOKEN_PATH] == 2


@pytest.mark.parametrize("errcode", [40001, 42001, 40014])
def test_persistent_token_error_does_not_loop(app, gateway, control, errcode: int) -> None:
    control.fault(CHECK_PATH, errcode=errcode, times=-1)
    with pytest.raises(UpstreamError) as caught:
        gateway.check_text("你好", "sandbox-alice")
    assert caught.value.errors["errcode"] == errcode
    calls = control.calls()
    assert calls[CHECK_PATH] == 2 and calls[TOKEN_PATH] == 2


def test_persistent_token_error_on_send_fails_bounded(app, gateway, control) -> None:
    control.fault("cgi-bin/message/subscribe/send", errcode=40001, times=-1)
    outcome = gateway.send_subscribe_message("sandbox-alice", "tmpl-x", {"thing1": "通知"})
    assert (outcome.status, outcome.errcode) == ("failed", 40001)
    assert control.calls()["cgi-bin/message/subscribe/send"] == 2


@pytest.mark.parametrize("use_redis", [False, True])
def test_hung_token_endpoint_does_not_pile_up(
    app_factory: Callable[..., Flask], control, request, use_redis: bool
) -> None:
    config = request.getfixturevalue("redis_config") if use_redis else {}
    gateway = WeChatGateway()
    worker_app = app_factory(**config)
    gateway.init_app(worker_app)
    control.fault(TOKEN_PATH, hang_seconds=3)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable):
        _race([worker_app], gateway, threads=4)
    # Queued threads give up with the first fetch instead of each waiting out their own.
    assert time.monotonic() - started < 2.0
    assert control.calls()[TOKEN_PATH] == 1
