"""Fixtures: one sandbox served over real HTTP for the session, a bare Flask app per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from flask import Flask

from backend.wechat import WeChatGateway, serve_in_thread
from backend.wechat.sandbox import SandboxServer

TIMEOUT_SECONDS = 1.0
REDIS_URL = "redis://127.0.0.1:6379/15"


class SandboxControl:
    """Talks to the sandbox's ``/__sandbox__/`` control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.http = requests.Session()

    def _url(self, path: str) -> str:
        return f"{self.base_url}__sandbox__/{path}"

    def fault(self, path: str, **fault: Any) -> None:
        response = self.http.post(self._url("faults"), json={"path": path, **fault}, timeout=5)
        assert response.status_code == 201, response.text

    def clear_faults(self) -> None:
        self.http.delete(self._url("faults"), timeout=5).raise_for_status()

    def messages(self, touser: str | None = None) -> list[dict[str, Any]]:
        params = {"touser": touser} if touser else None
        response = self.http.get(self._url("messages"), params=params, timeout=5)
        return response.json()["messages"]

    def calls(self) -> dict[str, int]:
        return self.http.get(self._url("calls"), timeout=5).json()["calls"]

    def expire_tokens(self) -> None:
        self.http.post(self._url("expire-tokens"), timeout=5).raise_for_status()

    def reset(self) -> None:
        self.http.post(self._url("reset"), timeout=5).raise_for_status()


def make_app(base_url: str, **overrides: Any) -> Flask:
    """A bare Flask app configured for the gateway (not backend.create_app)."""
    app = Flask(__name__)
    app.config.update(
        TESTING=True,
        WECHAT_APPID="wx-test-appid",
        WECHAT_SECRET="test-secret",
        WECHAT_API_BASE=base_url,
        WECHAT_TIMEOUT_SECONDS=TIMEOUT_SECONDS,
        WECHAT_MINIPROGRAM_STATE="developer",
        WECHAT_ENV_VERSION="develop",
        REDIS_URL=None,
    )
    app.config.update(overrides)
    return app


@pytest.fixture(autouse=True)
def _clean() -> None:
    """Override tests/conftest.py's database cleanup: these tests use no database or app factory.

    Each test resets the sandbox through the ``control`` fixture instead.
    """


@pytest.fixture(scope="session")
def sandbox() -> Iterator[SandboxServer]:
    with serve_in_thread() as server:
        yield server


@pytest.fixture
def control(sandbox: SandboxServer) -> Iterator[SandboxControl]:
    ctl = SandboxControl(sandbox.base_url)
    ctl.reset()
    yield ctl
    ctl.reset()


@pytest.fixture
def gateway() -> WeChatGateway:
    return WeChatGateway()


@pytest.fixture
def app(sandbox: SandboxServer, control: SandboxControl, gateway: WeChatGateway) -> Iterator[Flask]:
    flask_app = make_app(sandbox.base_url)
    gateway.init_app(flask_app)
    with flask_app.app_context():
        yield flask_app


@pytest.fixture
def redis_config() -> Iterator[dict[str, str]]:
    """Config for Redis token storage (db 15) under a unique appid; its keys are removed after."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    appid = f"wx-test-{uuid.uuid4().hex[:12]}"
    yield {"REDIS_URL": REDIS_URL, "WECHAT_APPID": appid}
    for key in client.scan_iter(match=f"wechat:{appid}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def app_factory(sandbox: SandboxServer, control: SandboxControl):
    """Build more gateway-configured apps: ``app_factory(base_url=None, **config)``."""

    def build(base_url: str | None = None, **overrides: Any) -> Flask:
        return make_app(base_url or sandbox.base_url, **overrides)

    return build
