"""The only way the app talks to WeChat: a gateway over wechatpy (DESIGN.md §7, §9).

``gateway = WeChatGateway(); gateway.init_app(app)`` builds one client per app (kept in
``app.extensions["wechat"]``) pointed at ``WECHAT_API_BASE`` — the sandbox in development and
tests, ``https://api.weixin.qq.com/`` in production. The access token lives in shared storage
(Redis when ``REDIS_URL`` is set) and is fetched once under a lock however many workers want it;
while Redis is unreachable each process keeps its own token (``FallbackStorage``) so that nothing
a user sees depends on Redis. Within one request each WeChat call is made at most once for the
same input: a request that the database interrupts is run again (``backend/transactions.py``)
and must not call WeChat again — a login code works only once. WeChat answers are turned into
plain Python data or ``APIError`` subclasses; subscribe messages return a ``SendOutcome``
instead so that the notification dispatcher can decide what to do.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import redis
import requests
from flask import Flask, current_app, has_request_context, request
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage
from wechatpy.session.memorystorage import MemoryStorage
from wechatpy.session.redisstorage import RedisStorage

from backend.dependencies import Outage, redis_client
from backend.errors import (
    APIError,
    RateLimited,
    UpstreamError,
    UpstreamUnavailable,
    ValidationFailed,
    WeChatLoginFailed,
)

# Subscribe-message keyword types and their length limits (characters, as WeChat counts them):
# the templates fit values to them, the sandbox refuses longer values with 47003 as WeChat does.
KEYWORD_LIMITS = {
    "thing": 20,
    "name": 10,
    "phrase": 5,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "phone_number": 17,
    "car_number": 8,
}

log = logging.getLogger(__name__)

EXTENSION_KEY = "wechat"
REAL_API_BASE = "https://api.weixin.qq.com/"

# Token errors: drop the cached token, refresh once, retry once.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Subscribe message: permanent refusals (no subscription left, bad openid/template/data).
SKIP_ERRCODES = frozenset({43101, 43107, 47003, 40037, 40003})
# Subscribe message: worth trying again later (system busy, daily quota).
RETRY_ERRCODES = frozenset({-1, 45009})
LOGIN_ERRCODES = frozenset({40029, 40163, 40226})
RATE_LIMIT_ERRCODES = frozenset({45011})
RISKY_IMAGE_ERRCODE = 87014

SCENE_MAX_LENGTH = 32
SCENE_PATTERN = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]+$")
TEXT_SUGGESTIONS = ("pass", "review", "risky")

SendStatus = Literal["sent", "skipped", "retry", "failed"]
T = TypeVar("T")

_RELEASE_LOCK = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end"
)


class FallbackStorage(SessionStorage):
    """Token storage in Redis (shared by every worker) that falls back to this process's memory
    while Redis is unreachable, instead of failing every call that needs a token.

    Writes go to both, so a process that fetched a token keeps using it through an outage; reads
    use Redis whenever it answers. ``outage`` logs the switch once and skips Redis for a while.
    """

    def __init__(self, primary: SessionStorage, outage: Outage) -> None:
        self.primary = primary
        self.memory = MemoryStorage()
        self.outage = outage

    @property
    def shared(self) -> bool:
        """True while the token lives in Redis, False while this process uses its memory."""
        return not self.outage.down

    def get(self, key: str, default: Any = None) -> Any:
        if self.outage.available():
            try:
                value = self.primary.get(key, default)
            except redis.RedisError as error:
                self.outage.failed(error)
            else:
                self.outage.recovered()
                return value
        return self.memory.get(key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        self.memory.set(key, value, ttl)
        self._primary("set", key, value, ttl)

    def delete(self, key: str) -> None:
        self.memory.delete(key)
        self._primary("delete", key)

    def _primary(self, method: str, *args: Any) -> None:
        if not self.outage.available():
            return
        try:
            getattr(self.primary, method)(*args)
        except redis.RedisError as error:
            self.outage.failed(error)
        else:
            self.outage.recovered()


class CallRecord:
    """When this process last reached WeChat and last failed to (for /health; no extra calls)."""

    def __init__(self) -> None:
        self.ok_at = 0.0
        self.failed_at = 0.0

    def ok(self) -> None:
        self.ok_at = time.time()

    def failed(self) -> None:
        self.failed_at = time.time()

    @property
    def status(self) -> str:
        if not self.ok_at and not self.failed_at:
            return "unknown"
        return "error" if self.failed_at > self.ok_at else "ok"


def _reached(error: BaseException) -> bool:
    """Whether WeChat itself answered (an errcode) rather than being unreachable or busy."""
    if isinstance(error, WeChatClientException):
        if error.errcode is None:
            status = _http_status(error)
            return status is not None and status < 500
        return error.errcode != -1
    return False


@dataclass(frozen=True)
class SendOutcome:
    """What became of one subscribe message; the dispatcher branches on ``status``."""

    status: SendStatus
    errcode: int
    errmsg: str


class GatewayClient(WeChatClient):
    """A WeChatClient aimed at a configurable base URL, with a shared, locked access token.

    wechatpy hard-codes the token URL and sends ``client.wxa.*`` to its own base URL, and its
    ``auto_retry`` on token errors recurses without bound; this subclass fixes all three.
    """

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        api_base: str,
        timeout: float,
        session: SessionStorage,
        redis_client: redis.Redis | None = None,
        redis_outage: Outage | None = None,
    ) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=False)
        self.api_base = api_base
        self.API_BASE_URL = f"{api_base}cgi-bin/"
        self.wxa.API_BASE_URL = api_base
        # Every other endpoint group with its own absolute base follows the configured host too.
        # wechatpy binds its endpoint groups as instance attributes in __new__; read those rather
        # than inspect.getmembers, which would evaluate the access_token property (a fetch).
        for api in [v for v in vars(self).values() if isinstance(v, BaseWeChatAPI)]:
            own_base = getattr(api, "API_BASE_URL", "")
            if own_base.startswith(REAL_API_BASE) and api is not self.wxa:
                api.API_BASE_URL = api_base + own_base[len(REAL_API_BASE) :]
        self._redis = redis_client
        self._redis_outage = redis_outage
        self.calls = CallRecord()
        self._local_lock = threading.Lock()
        self._last_failure = float("-inf")  # monotonic time of the last failed fetch
        # How long a caller may wait for someone else's fetch (which itself obeys the timeout).
        self._wait_seconds = float(timeout) + 0.5
        self._redis_lock_key = f"wechat:{appid}:access_token_lock"
        self._redis_lock_ttl = int(timeout) + 5

    # -- token storage ----------------------------------------------------------------------

    @property
    def refresh_at_key(self) -> str:
        return f"{self.access_token_key}_refresh_at"

    def _fresh_token(self) -> str | None:
        """The stored token unless it is missing or due for renewal."""
        token = self.session.get(self.access_token_key)
        if not token:
            return None
        refresh_at = self.session.get(self.refresh_at_key)
        if refresh_at is not None and time.time() >= float(refresh_at):
            return None
        return token

    def _store_token(self, token: str, expires_in: int) -> None:
        # Renew a minute early, but never sooner than half-way through a short lifetime.
        refresh_at = time.time() + max(expires_in - 60, expires_in // 2)
        self.session.set(self.access_token_key, token, expires_in)
        self.session.set(self.refresh_at_key, refresh_at, expires_in)
        self.expires_at = int(time.time()) + expires_in

    def invalidate_token(self, stale: str | None) -> None:
        """Drop the stored token if it is still the one WeChat refused."""
        if stale is None or self.session.get(self.access_token_key) == stale:
            self.session.delete(self.access_token_key)
            self.session.delete(self.refresh_at_key)

    @property
    def access_token(self) -> str:
        """A valid token from shared storage, fetched under a lock when missing."""
        return self._fresh_token() or self.refresh_token(stale=None)

    def refresh_token(self, stale: str | None) -> str:
        """Fetch a token once across threads and workers; re-check the storage under the lock.

        Waiting is bounded by the timeout: a thread queued behind a fetch that failed gives up
        at once instead of starting its own, so a hung token endpoint cannot pile up requests.
        """
        waited_since = time.monotonic()
        if not self._local_lock.acquire(timeout=self._wait_seconds):
            raise UpstreamUnavailable(errors={"reason": "access_token_busy"})
        try:
            current = self._fresh_token()
            if current and current != stale:
                return current
            if self._last_failure >= waited_since:
                raise UpstreamUnavailable(errors={"reason": "access_token_unavailable"})
            try:
                if self._redis is not None and (
                    self._redis_outage is None or self._redis_outage.available()
                ):
                    try:
                        return self._refresh_under_redis_lock(stale)
                    except redis.RedisError as error:
                        # No shared lock without Redis: this process fetches its own token.
                        if self._redis_outage is None:
                            raise
                        self._redis_outage.failed(error)
                self.fetch_access_token()
                return self.session.get(self.access_token_key)
            except Exception:
                self._last_failure = time.monotonic()
                raise
        finally:
            self._local_lock.release()

    def _refresh_under_redis_lock(self, stale: str | None) -> str:
        assert self._redis is not None
        owner = uuid.uuid4().hex
        deadline = time.monotonic() + self._wait_seconds
        while True:
            if self._redis.set(self._redis_lock_key, owner, nx=True, ex=self._redis_lock_ttl):
                try:
                    current = self._fresh_token()
                    if current and current != stale:
                        return current
                    self.fetch_access_token()
                    return self.session.get(self.access_token_key)
                finally:
                    self._redis.eval(_RELEASE_LOCK, 1, self._redis_lock_key, owner)
            # Another worker is fetching: wait for its token rather than fetching again.
            current = self._fresh_token()
            if current and current != stale:
                return current
            if time.monotonic() > deadline:
                raise UpstreamUnavailable(errors={"reason": "access_token_lock_timeout"})
            time.sleep(0.05)

    def fetch_access_token(self) -> dict[str, Any]:
        """Fetch a token from ``cgi-bin/stable_token`` on the configured base URL."""
        log.info("fetching WeChat access token for %s", self.appid)
        try:
            response = self._http.post(
                f"{self.api_base}cgi-bin/stable_token",
                json={
                    "grant_type": "client_credential",
                    "appid": self.appid,
                    "secret": self.secret,
                    "force_refresh": False,
                },
                timeout=self.timeout,
            )
        except requests.RequestException:
            self.calls.failed()
            raise
        if response.status_code >= 500:
            self.calls.failed()
        else:
            self.calls.ok()
        try:
            response.raise_for_status()
            result = response.json()
        except requests.HTTPError as error:
            raise WeChatClientException(
                None, None, client=self, request=error.request, response=error.response
            ) from error
        except ValueError as error:
            raise WeChatClientException(
                None, "invalid token response", client=self, response=response
            ) from error
        if result.get("errcode"):
            raise WeChatClientException(
                int(result["errcode"]),
                result.get("errmsg", ""),
                client=self,
                request=response.request,
                response=response,
            )
        self._store_token(result["access_token"], int(result.get("expires_in", 7200)))
        return result

    # -- requests ---------------------------------------------------------------------------

    def _request(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        """wechatpy's request, retried exactly once with a new token on a token error."""
        try:
            result = self._request_with_token(method, url_or_endpoint, **kwargs)
        except (WeChatClientException, requests.RequestException) as error:
            (self.calls.ok if _reached(error) else self.calls.failed)()
            raise
        self.calls.ok()
        return result

    def _request_with_token(self, method: str, url_or_endpoint: str, **kwargs: Any) -> Any:
        explicit_token = "access_token" in (kwargs.get("params") or {})
        first = _copy_kwargs(kwargs)
        try:
            return super()._request(method, url_or_endpoint, **first)
        except WeChatClientException as error:
            if explicit_token or error.errcode not in TOKEN_ERRCODES:
                raise
            stale = first["params"].get("access_token")
            log.info("WeChat refused the access token (%s); refreshing once", error.errcode)
        self.invalidate_token(stale)
        self.refresh_token(stale)
        return super()._request(method, url_or_endpoint, **_copy_kwargs(kwargs))


def _copy_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    # wechatpy writes the token into the params dict; each attempt needs its own copy.
    copied = dict(kwargs)
    params = kwargs.get("params")
    copied["params"] = dict(params) if isinstance(params, Mapping) else (params or {})
    return copied


@dataclass
class _AppState:
    client: GatewayClient
    miniprogram_state: str
    env_version: str


def _http_status(error: WeChatClientException) -> int | None:
    response = getattr(error, "response", None)
    return getattr(response, "status_code", None)


def _translate(error: Exception) -> APIError:
    """Map a failed WeChat call to 503 (unreachable/busy) or 502 (refused)."""
    if isinstance(error, APIError):
        return error
    if isinstance(error, WeChatClientException):
        if error.errcode is None:
            status = _http_status(error)
            log.warning("WeChat answered HTTP %s", status)
            if status is None or status >= 500:
                return UpstreamUnavailable(errors={"http_status": status})
            return UpstreamError(errors={"http_status": status})
        if error.errcode == -1:
            return UpstreamUnavailable(errors={"errcode": -1, "errmsg": str(error.errmsg)})
        log.warning("WeChat errcode %s: %s", error.errcode, error.errmsg)
        return UpstreamError(errors={"errcode": error.errcode, "errmsg": str(error.errmsg)})
    if isinstance(error, requests.Timeout):
        return UpstreamUnavailable(errors={"reason": "timeout"})
    if isinstance(error, requests.RequestException):
        return UpstreamUnavailable(errors={"reason": "connection_error"})
    if isinstance(error, redis.RedisError):
        log.warning("token storage unavailable: %s", type(error).__name__)
        return UpstreamUnavailable(errors={"reason": "token_storage_unavailable"})
    raise error


_RESULTS_KEY = "safe_alliance.wechat_results"


def _once_per_request(key: Hashable, fn: Callable[[], T]) -> T:
    """``fn()``, or its earlier result in this request (a re-run after a database interruption
    repeats no WeChat call: login and phone codes are single-use, checks cost quota)."""
    if not has_request_context():
        return fn()
    results = request.environ.setdefault(_RESULTS_KEY, {})
    if key not in results:
        results[key] = fn()
    return results[key]


def _call(fn: Callable[[], T], special: Mapping[int, Callable[[], APIError]] | None = None) -> T:
    """Run one WeChat call; errcodes in ``special`` get their own error, the rest ``_translate``."""
    try:
        return fn()
    except (WeChatClientException, requests.RequestException, redis.RedisError) as error:
        errcode = getattr(error, "errcode", None)
        if special and errcode in special:
            raise special[errcode]() from error
        raise _translate(error) from error


def _wrap_template_data(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Accept ``{field: value}`` or ``{field: {"value": value}}``; WeChat wants the latter."""
    wrapped: dict[str, dict[str, Any]] = {}
    for key, value in data.items():
        if isinstance(value, Mapping) and "value" in value:
            wrapped[key] = {**value, "value": str(value["value"])}
        else:
            wrapped[key] = {"value": "" if value is None else str(value)}
    return wrapped


def _classify_send_error(error: Exception) -> SendOutcome:
    if isinstance(error, WeChatClientException):
        if error.errcode is None:
            status = _http_status(error)
            if status is None or status >= 500:
                return SendOutcome("retry", -1, f"http {status}")
            return SendOutcome("failed", -1, f"http {status}")
        errcode, errmsg = int(error.errcode), str(error.errmsg)
        if errcode in SKIP_ERRCODES:
            return SendOutcome("skipped", errcode, errmsg)
        if errcode in RETRY_ERRCODES:
            return SendOutcome("retry", errcode, errmsg)
        return SendOutcome("failed", errcode, errmsg)
    if isinstance(error, requests.Timeout):
        return SendOutcome("retry", -1, "timeout")
    if isinstance(error, requests.RequestException):
        return SendOutcome("retry", -1, "connection error")
    if isinstance(error, UpstreamUnavailable | redis.RedisError):
        return SendOutcome("retry", -1, "token unavailable")
    raise error


class WeChatGateway:
    """Login, phone number, subscribe messages, QR codes and content security over wechatpy."""

    def __init__(self, app: Flask | None = None) -> None:
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Build this app's client from its config and keep it in ``app.extensions``."""
        config = app.config
        appid = config.get("WECHAT_APPID") or ""
        secret = config.get("WECHAT_SECRET") or ""
        if not appid or not secret:
            log.warning("WECHAT_APPID/WECHAT_SECRET are not set; WeChat calls will fail")
        api_base = str(config.get("WECHAT_API_BASE") or REAL_API_BASE)
        if not api_base.endswith("/"):
            api_base += "/"
        timeout = float(config.get("WECHAT_TIMEOUT_SECONDS") or 5)
        redis_connection: redis.Redis | None = None
        outage: Outage | None = None
        storage: SessionStorage
        if config.get("REDIS_URL"):
            redis_connection = redis_client(config["REDIS_URL"], config)
            outage = Outage(
                "Redis (WeChat access token store)",
                float(config.get("REDIS_RECHECK_SECONDS") or 10),
                log,
            )
            storage = FallbackStorage(
                RedisStorage(redis_connection, prefix=f"wechat:{appid}"), outage
            )
        else:
            storage = MemoryStorage()
        client = GatewayClient(
            appid,
            secret,
            api_base=api_base,
            timeout=timeout,
            session=storage,
            redis_client=redis_connection,
            redis_outage=outage,
        )
        app.extensions[EXTENSION_KEY] = _AppState(
            client=client,
            miniprogram_state=config.get("WECHAT_MINIPROGRAM_STATE") or "formal",
            env_version=config.get("WECHAT_ENV_VERSION") or "release",
        )

    @staticmethod
    def _state() -> _AppState:
        state = current_app.extensions.get(EXTENSION_KEY)
        if state is None:
            raise RuntimeError("WeChatGateway.init_app(app) has not been called for this app")
        return state

    @property
    def client(self) -> GatewayClient:
        """The current app's wechatpy client (for APIs the gateway does not wrap)."""
        return self._state().client

    def status(self) -> dict[str, str]:
        """What this process knows without calling WeChat: whether its last call reached
        WeChat (``ok``/``error``/``unknown``), and where the access token is kept."""
        client = self.client
        if isinstance(client.session, FallbackStorage):
            store = "redis" if client.session.shared else "memory"
        else:
            store = "memory"
        return {"wechat": client.calls.status, "wechat_token_store": store}

    # -- login and phone --------------------------------------------------------------------

    def code2session(self, code: str) -> dict[str, Any]:
        """Exchange a ``wx.login`` code for ``openid``, ``session_key`` and ``unionid``."""
        if not code:
            raise WeChatLoginFailed()
        client = self.client
        # jscode2session needs no access token: the explicit None keeps wechatpy from fetching
        # one (requests drops None params), so login works even while the token is unavailable.
        result = _once_per_request(
            ("jscode2session", code),
            lambda: _call(
                lambda: client.get(
                    "sns/jscode2session",
                    params={
                        "appid": client.appid,
                        "secret": client.secret,
                        "js_code": code,
                        "grant_type": "authorization_code",
                        "access_token": None,
                    },
                    api_base_url=client.wxa.API_BASE_URL,
                ),
                {
                    **{errcode: WeChatLoginFailed for errcode in LOGIN_ERRCODES},
                    **{errcode: RateLimited for errcode in RATE_LIMIT_ERRCODES},
                },
            ),
        )
        if not isinstance(result, dict) or not result.get("openid"):
            raise UpstreamError(errors={"reason": "no_openid"})
        return {
            "openid": result["openid"],
            "session_key": result.get("session_key"),
            "unionid": result.get("unionid"),
        }

    def get_phone_number(self, code: str) -> str:
        """The phone number (without country code) a ``getPhoneNumber`` code grants."""

        def invalid() -> APIError:
            return APIError("手机号授权凭证无效,请重新授权", code="phone_code_invalid", status=400)

        if not code:
            raise invalid()
        client = self.client
        result = _once_per_request(
            ("getuserphonenumber", code),
            lambda: _call(
                lambda: client.post(
                    "wxa/business/getuserphonenumber",
                    data={"code": code},
                    api_base_url=client.wxa.API_BASE_URL,
                ),
                {40029: invalid, **{errcode: RateLimited for errcode in RATE_LIMIT_ERRCODES}},
            ),
        )
        phone = (
            (result.get("phone_info") or {}).get("purePhoneNumber")
            if isinstance(result, dict)
            else None
        )
        if not phone:
            raise UpstreamError(errors={"reason": "no_phone_number"})
        return str(phone)

    # -- subscribe message ------------------------------------------------------------------

    def send_subscribe_message(
        self,
        openid: str,
        template_id: str,
        data: Mapping[str, Any],
        page: str | None = None,
        miniprogram_state: str | None = None,
        lang: str = "zh_CN",
    ) -> SendOutcome:
        """Send one subscribe message; never raises for WeChat answers, returns the outcome."""
        state = self._state()
        client = state.client
        payload: dict[str, Any] = {
            "touser": openid,
            "template_id": template_id,
            "data": _wrap_template_data(data),
            "miniprogram_state": miniprogram_state or state.miniprogram_state,
            "lang": lang,
        }
        if page:
            payload["page"] = page
        try:
            result = client.post(
                "cgi-bin/message/subscribe/send",
                data=payload,
                api_base_url=client.wxa.API_BASE_URL,
            )
        except (
            WeChatClientException,
            requests.RequestException,
            redis.RedisError,
            UpstreamUnavailable,
        ) as error:
            outcome = _classify_send_error(error)
            log.info(
                "subscribe message to %s: %s (%s)", template_id, outcome.status, outcome.errcode
            )
            return outcome
        errmsg = result.get("errmsg", "ok") if isinstance(result, dict) else "ok"
        return SendOutcome("sent", 0, str(errmsg))

    # -- QR code ----------------------------------------------------------------------------

    def get_unlimited_qrcode(
        self,
        scene: str,
        page: str | None = None,
        width: int = 430,
        check_path: bool = False,
        env_version: str | None = None,
    ) -> bytes:
        """A mini-program code (PNG bytes) that opens ``page`` with ``scene``."""
        problems = []
        if not scene or len(scene) > SCENE_MAX_LENGTH:
            problems.append(f"场景值长度须为 1 到 {SCENE_MAX_LENGTH} 个字符")
        if scene and not SCENE_PATTERN.match(scene):
            problems.append("场景值只能包含数字、英文字母和 !#$&'()*+,/:;=?@-._~")
        if problems:
            raise ValidationFailed(errors={"scene": problems})
        state = self._state()
        client = state.client
        payload: dict[str, Any] = {
            "scene": scene,
            "width": width,
            "check_path": check_path,
            "env_version": env_version or state.env_version,
        }
        if page:
            payload["page"] = page
        result = _once_per_request(
            ("getwxacodeunlimit", *sorted(payload.items())),
            lambda: _call(
                lambda: client.post(
                    "wxa/getwxacodeunlimit", data=payload, api_base_url=client.wxa.API_BASE_URL
                )
            ),
        )
        if isinstance(result, requests.Response) and result.headers.get(
            "Content-Type", ""
        ).startswith("image/"):
            return result.content
        raise UpstreamError(errors={"reason": "not_an_image"})

    # -- content security -------------------------------------------------------------------

    def check_text(
        self,
        content: str,
        openid: str,
        scene: int = 2,
        title: str | None = None,
        nickname: str | None = None,
    ) -> str:
        """msgSecCheck v2: ``"pass"``, ``"review"`` or ``"risky"`` for one piece of user text.

        ``scene``: 1 profile, 2 comment, 3 forum post, 4 social log. The caller decides what an
        unreachable checker means (``UpstreamUnavailable``); DESIGN says: hold the text.
        """
        client = self.client
        payload: dict[str, Any] = {
            "content": content,
            "version": 2,
            "scene": scene,
            "openid": openid,
        }
        if title:
            payload["title"] = title
        if nickname:
            payload["nickname"] = nickname
        result = _once_per_request(
            ("msg_sec_check", *sorted(payload.items())),
            lambda: _call(
                lambda: client.post(
                    "wxa/msg_sec_check", data=payload, api_base_url=client.wxa.API_BASE_URL
                )
            ),
        )
        suggest = (result.get("result") or {}).get("suggest") if isinstance(result, dict) else None
        # An answer we do not understand is never treated as a pass.
        return suggest if suggest in TEXT_SUGGESTIONS else "review"

    def check_image(self, data: bytes, filename: str = "image.png") -> str:
        """imgSecCheck: ``"pass"`` or ``"risky"`` for one image."""
        client = self.client

        def check() -> str:
            try:
                client.wxa.check_image_security((filename, data))
            except WeChatClientException as error:
                if error.errcode == RISKY_IMAGE_ERRCODE:
                    return "risky"
                raise _translate(error) from error
            except (requests.RequestException, redis.RedisError) as error:
                raise _translate(error) from error
            return "pass"

        return _once_per_request(("img_sec_check", hashlib.sha256(data).hexdigest()), check)
