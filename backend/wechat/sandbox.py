"""A fake of the WeChat server APIs the project uses, served over real HTTP.

Development and tests point ``WECHAT_API_BASE`` at this app so that login, phone number,
subscribe messages, QR codes and content security work with no account and no network. Paths,
parameters, JSON shapes and errcodes follow the real API (api.weixin.qq.com):

- ``GET cgi-bin/token`` and ``POST cgi-bin/stable_token`` issue access tokens;
- ``GET sns/jscode2session``: code ``"<name>"`` logs in as openid ``"sandbox-<name>"``, once;
  ``"<name>#<anything>"`` is a fresh code for the same openid (a second login);
- ``POST wxa/business/getuserphonenumber``: an 11-digit code is the number itself;
- ``POST cgi-bin/message/subscribe/send`` records every message;
- ``POST wxa/getwxacodeunlimit`` draws a deterministic PNG from the scene;
- ``POST wxa/msg_sec_check`` (v2): ``违禁`` is risky, ``待审`` needs review;
- ``POST wxa/img_sec_check``: an image whose bytes contain ``违禁`` is risky (87014).

``GET /`` is a page for people (Chinese/English): the endpoints, the recorded messages and the
call counts. Control endpoints under ``/__sandbox__/`` inject faults (errcode, HTTP status,
hang), list the recorded messages and call counts, expire tokens and reset the state. The app
works when mounted under a prefix (``DispatcherMiddleware``), since every path is taken relative
to the mount.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from flask import Flask, Response, current_app, jsonify, render_template_string, request
from PIL import Image, ImageDraw
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, make_server, run_simple

from backend.wechat.gateway import KEYWORD_LIMITS

TOKEN_LIFETIME_SECONDS = 7200
STATE_KEY = "wechat_sandbox"
BANNED_WORD = "违禁"
REVIEW_WORD = "待审"
# getwxacodeunlimit: at most 32 visible characters from this set.
SCENE_PATTERN = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~]{1,32}$")
MINIPROGRAM_STATES = {"developer", "trial", "formal"}
ENV_VERSIONS = {"release", "trial", "develop"}

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40037: "invalid template_id",
    40097: "invalid args",
    40125: "invalid appsecret",
    40163: "code been used",
    40169: "invalid length for scene, or the data is not json string",
    41001: "access_token missing",
    41005: "media data missing",
    42001: "access_token expired",
    43101: "user refuse to accept the msg",
    43107: "subscribe message only for user who has subscribed",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    47003: "argument invalid!",
    87014: "risky content",
}


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class Fault:
    """An injected misbehaviour for the next ``remaining`` calls to ``path`` (-1: until cleared)."""

    path: str
    errcode: int | None = None
    http_status: int | None = None
    hang_seconds: float = 0.0
    remaining: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "errcode": self.errcode,
            "http_status": self.http_status,
            "hang_seconds": self.hang_seconds,
            "times": self.remaining,
        }


@dataclass
class SandboxState:
    """Everything the sandbox remembers; every access goes through ``lock``."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict[str, tuple[str, float]] = field(default_factory=dict)  # token -> (appid, expiry)
    stable_tokens: dict[str, str] = field(default_factory=dict)  # appid -> current stable token
    used_codes: set[tuple[str, str]] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)

    def reset(self) -> None:
        with self.lock:
            self.tokens.clear()
            self.stable_tokens.clear()
            self.used_codes.clear()
            self.messages.clear()
            self.calls.clear()
            self.faults.clear()

    def issue_token(self, appid: str) -> str:
        """Issue a new token (caller holds the lock)."""
        token = f"sandbox-token-{secrets.token_hex(16)}"
        self.tokens[token] = (appid, time.time() + TOKEN_LIFETIME_SECONDS)
        return token

    def token_appid(self, token: str) -> str | None:
        """The appid a still-valid token belongs to, else None."""
        with self.lock:
            entry = self.tokens.get(token)
            if entry is None or entry[1] <= time.time():
                return None
            return entry[0]

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.path == path and fault.remaining != 0:
                    if fault.remaining > 0:
                        fault.remaining -= 1
                    return fault
            self.faults = [f for f in self.faults if f.remaining != 0]
        return None


def _state() -> SandboxState:
    return current_app.extensions[STATE_KEY]


def _error(errcode: int, errmsg: str | None = None) -> Response:
    """A WeChat error answer: HTTP 200 with errcode/errmsg, as the real API does."""
    return jsonify({"errcode": errcode, "errmsg": errmsg or ERRMSG.get(errcode, "error")})


def _ok(**extra: Any) -> Response:
    return jsonify({"errcode": 0, "errmsg": "ok", **extra})


def _json_body() -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def _check_credentials(appid: str | None, secret: str | None) -> Response | None:
    if not appid:
        return _error(40013)
    if not secret or secret.startswith("invalid"):
        return _error(40125)
    return None


def _require_token() -> Response | None:
    token = request.args.get("access_token")
    if not token:
        return _error(41001)
    if _state().token_appid(token) is None:
        return _error(40001)
    return None


def _phone_for(code: str) -> str:
    if len(code) == 11 and code.isdigit():
        return code
    digest = int(hashlib.sha256(code.encode("utf-8")).hexdigest(), 16)
    second = "3456789"[digest % 7]
    return f"1{second}{(digest // 7) % 10**9:09d}"


def _draw_code(scene: str, width: int) -> bytes:
    """A deterministic grid picture of the scene, with three finder squares like a QR code."""
    modules = 21
    bits = "".join(
        f"{byte:08b}" for i in range(2) for byte in hashlib.sha256(f"{i}:{scene}".encode()).digest()
    )
    size = max(280, min(1280, width))
    cell = size // (modules + 2)
    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    offset = (size - cell * modules) // 2

    def box(col: int, row: int, span: int = 1, fill: str = "black") -> None:
        x0, y0 = offset + col * cell, offset + row * cell
        draw.rectangle([x0, y0, x0 + span * cell - 1, y0 + span * cell - 1], fill=fill)

    for row in range(modules):
        for col in range(modules):
            if bits[(row * modules + col) % len(bits)] == "1":
                box(col, row)
    for col, row in ((0, 0), (modules - 7, 0), (0, modules - 7)):
        box(col, row, 7)
        box(col + 1, row + 1, 5, "white")
        box(col + 2, row + 2, 3)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _check_subscribe_data(data: Any) -> str | None:
    """Why the template data is invalid (an errmsg for 47003), or None."""
    if not isinstance(data, dict) or not data:
        return "argument invalid! data is empty"
    for key, item in data.items():
        if not isinstance(item, dict) or item.get("value") in (None, ""):
            return f"argument invalid! data.{key}.value is empty"
        kind = re.sub(r"\d+$", "", str(key))
        limit = KEYWORD_LIMITS.get(kind)
        if limit is not None and len(str(item["value"])) > limit:
            return f"argument invalid! data.{key}.value exceeds limit {limit}"
    return None


def create_sandbox_app() -> Flask:
    """Build the sandbox WSGI app; its state lives in ``app.extensions["wechat_sandbox"]``."""
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[STATE_KEY] = SandboxState()

    @app.before_request
    def _count_and_inject() -> Response | None:
        path = request.path.lstrip("/")
        if path.startswith("__sandbox__/") or path == "":
            return None
        state = _state()
        with state.lock:
            state.calls[path] = state.calls.get(path, 0) + 1
        fault = state.take_fault(path)
        if fault is None:
            return None
        if fault.hang_seconds > 0:
            time.sleep(fault.hang_seconds)
        if fault.http_status:
            return Response(
                f"sandbox fault: HTTP {fault.http_status}",
                status=fault.http_status,
                mimetype="text/plain",
            )
        if fault.errcode is not None:
            return _error(fault.errcode)
        return None  # a pure hang: answer normally, late

    # -- access token ---------------------------------------------------------------------

    @app.get("/cgi-bin/token")
    def token() -> Response:
        if request.args.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        problem = _check_credentials(request.args.get("appid"), request.args.get("secret"))
        if problem:
            return problem
        state = _state()
        with state.lock:
            access_token = state.issue_token(request.args["appid"])
        return jsonify({"access_token": access_token, "expires_in": TOKEN_LIFETIME_SECONDS})

    @app.post("/cgi-bin/stable_token")
    def stable_token() -> Response:
        body = _json_body()
        if body.get("grant_type") != "client_credential":
            return _error(40002, "invalid grant_type")
        appid, secret = body.get("appid"), body.get("secret")
        problem = _check_credentials(appid, secret)
        if problem:
            return problem
        state = _state()
        now = time.time()
        with state.lock:
            current = state.stable_tokens.get(appid)
            entry = state.tokens.get(current) if current else None
            if body.get("force_refresh") or entry is None or entry[1] <= now:
                if current:
                    state.tokens.pop(current, None)  # a forced refresh retires the old token
                current = state.issue_token(appid)
                state.stable_tokens[appid] = current
            expires_in = int(state.tokens[current][1] - now)
        return jsonify({"access_token": current, "expires_in": expires_in})

    # -- login and phone --------------------------------------------------------------------

    @app.get("/sns/jscode2session")
    def jscode2session() -> Response:
        appid = request.args.get("appid")
        problem = _check_credentials(appid, request.args.get("secret"))
        if problem:
            return problem
        if request.args.get("grant_type") != "authorization_code":
            return _error(40002, "invalid grant_type")
        code = request.args.get("js_code", "")
        if not code or code.startswith("invalid"):
            return _error(40029)
        state = _state()
        with state.lock:
            if (appid, code) in state.used_codes:
                return _error(40163)
            state.used_codes.add((appid, code))
        # "<name>#<nonce>" is the same person logging in again with a fresh code.
        name = code.split("#", 1)[0]
        return jsonify({"openid": f"sandbox-{name}", "session_key": secrets.token_urlsafe(16)})

    @app.post("/wxa/business/getuserphonenumber")
    def getuserphonenumber() -> Response:
        problem = _require_token()
        if problem:
            return problem
        code = str(_json_body().get("code") or "")
        if not code or code.startswith("invalid"):
            return _error(40029)
        phone = _phone_for(code)
        appid = _state().token_appid(request.args["access_token"])
        return _ok(
            phone_info={
                "phoneNumber": phone,
                "purePhoneNumber": phone,
                "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": appid},
            }
        )

    # -- subscribe message --------------------------------------------------------------------

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send() -> Response:
        problem = _require_token()
        if problem:
            return problem
        body = _json_body()
        touser, template_id = body.get("touser"), body.get("template_id")
        if not touser:
            return _error(40003)
        if not template_id:
            return _error(40037)
        state_value = body.get("miniprogram_state", "formal")
        if state_value not in MINIPROGRAM_STATES:
            return _error(47003, "argument invalid! miniprogram_state is invalid")
        invalid = _check_subscribe_data(body.get("data"))
        if invalid:
            return _error(47003, invalid)
        message = {
            "touser": touser,
            "template_id": template_id,
            "page": body.get("page"),
            "data": body.get("data"),
            "miniprogram_state": state_value,
            "lang": body.get("lang", "zh_CN"),
            "sent_at": _now_iso(),
        }
        state = _state()
        with state.lock:
            state.messages.append(message)
            msgid = len(state.messages)
        return _ok(msgid=msgid)

    # -- QR code ----------------------------------------------------------------------------

    @app.post("/wxa/getwxacodeunlimit")
    def getwxacodeunlimit() -> Response:
        problem = _require_token()
        if problem:
            return problem
        body = _json_body()
        scene = body.get("scene")
        if not isinstance(scene, str) or not SCENE_PATTERN.match(scene):
            return _error(40169)
        if body.get("env_version", "release") not in ENV_VERSIONS:
            return _error(40097, "invalid args: env_version")
        try:
            width = int(body.get("width", 430))
        except (TypeError, ValueError):
            return _error(40097, "invalid args: width")
        return Response(_draw_code(scene, width), mimetype="image/png")

    # -- content security -------------------------------------------------------------------

    @app.post("/wxa/msg_sec_check")
    def msg_sec_check() -> Response:
        problem = _require_token()
        if problem:
            return problem
        body = _json_body()
        content = str(body.get("content") or "")
        text = " ".join(str(body.get(k) or "") for k in ("content", "title", "nickname"))
        if BANNED_WORD in text:
            suggest, label = "risky", 20001
        elif REVIEW_WORD in text:
            suggest, label = "review", 21000
        else:
            suggest, label = "pass", 100
        if body.get("version") != 2:  # v1: only pass or 87014
            return _error(87014) if suggest == "risky" else _ok()
        if not body.get("openid"):
            return _error(40003)
        if body.get("scene") not in (1, 2, 3, 4):
            return _error(40097, "invalid args: scene")
        if not content:
            return _error(47003, "argument invalid! content is empty")
        detail = [
            {
                "strategy": "content_model",
                "errcode": 0,
                "suggest": suggest,
                "label": label,
                "prob": 90 if suggest != "pass" else 0,
            },
            {
                "strategy": "keyword",
                "errcode": 0,
                "suggest": suggest,
                "label": label,
                "level": 20,
                **(
                    {"keyword": BANNED_WORD if suggest == "risky" else REVIEW_WORD}
                    if suggest != "pass"
                    else {}
                ),
            },
        ]
        return _ok(
            result={"suggest": suggest, "label": label},
            detail=detail,
            trace_id=f"sandbox-{secrets.token_hex(8)}",
        )

    @app.post("/wxa/img_sec_check")
    def img_sec_check() -> Response:
        problem = _require_token()
        if problem:
            return problem
        media = request.files.get("media")
        if media is None:
            return _error(41005)
        if BANNED_WORD.encode("utf-8") in media.read():
            return _error(87014)
        return _ok()

    # -- control endpoints ------------------------------------------------------------------

    @app.post("/__sandbox__/faults")
    def add_fault() -> tuple[Response, int]:
        body = _json_body()
        path = str(body.get("path") or "").lstrip("/")
        if not path:
            return jsonify({"error": "path is required"}), 400
        try:
            fault = Fault(
                path=path,
                errcode=None if body.get("errcode") is None else int(body["errcode"]),
                http_status=None if body.get("http_status") is None else int(body["http_status"]),
                hang_seconds=float(body.get("hang_seconds") or 0),
                remaining=int(body.get("times", 1)),
            )
        except (TypeError, ValueError):
            return jsonify({"error": "errcode, http_status, hang_seconds, times: numbers"}), 400
        state = _state()
        with state.lock:
            state.faults.append(fault)
        return jsonify({"fault": fault.to_dict()}), 201

    @app.get("/__sandbox__/faults")
    def list_faults() -> Response:
        state = _state()
        with state.lock:
            return jsonify({"faults": [f.to_dict() for f in state.faults if f.remaining != 0]})

    @app.delete("/__sandbox__/faults")
    def clear_faults() -> Response:
        state = _state()
        with state.lock:
            state.faults.clear()
        return jsonify({"faults": []})

    @app.get("/__sandbox__/messages")
    def list_messages() -> Response:
        touser = request.args.get("touser")
        state = _state()
        with state.lock:
            messages = [m for m in state.messages if touser is None or m["touser"] == touser]
        return jsonify({"messages": messages})

    @app.get("/__sandbox__/calls")
    def list_calls() -> Response:
        state = _state()
        with state.lock:
            calls = dict(state.calls)
        fetches = calls.get("cgi-bin/token", 0) + calls.get("cgi-bin/stable_token", 0)
        return jsonify({"calls": calls, "token_fetches": fetches})

    @app.post("/__sandbox__/expire-tokens")
    def expire_tokens() -> Response:
        state = _state()
        with state.lock:
            count = len(state.tokens)
            state.tokens.clear()
            state.stable_tokens.clear()
        return jsonify({"expired": count})

    @app.post("/__sandbox__/reset")
    def reset() -> Response:
        _state().reset()
        return jsonify({"reset": True})

    @app.get("/")
    def index() -> Response:
        """A page for people: what the sandbox answers, and what it has recorded."""
        state = _state()
        with state.lock:
            messages = list(reversed(state.messages[-INDEX_MESSAGES:]))
            total = len(state.messages)
            calls = sorted(state.calls.items())
            faults = [f.to_dict() for f in state.faults if f.remaining != 0]
        methods: dict[str, set[str]] = {}
        for rule in app.url_map.iter_rules():
            if rule.endpoint != "static" and rule.rule != "/":
                methods.setdefault(rule.rule, set()).update(rule.methods - {"HEAD", "OPTIONS"})
        # The WeChat API first (in the order of ENDPOINT_NOTES), then the control endpoints.
        order = {path: i for i, path in enumerate(ENDPOINT_NOTES)}
        endpoints = sorted(methods, key=lambda path: (order.get(path, len(order)), path))
        body = render_template_string(
            INDEX_PAGE,
            root=request.script_root,
            endpoints=[
                (path, sorted(methods[path]), ENDPOINT_NOTES.get(path, ("", "")))
                for path in endpoints
            ],
            messages=messages,
            total=total,
            calls=calls,
            faults=faults,
            shown=INDEX_MESSAGES,
        )
        return Response(body, mimetype="text/html")

    return app


INDEX_MESSAGES = 50
# path → (中文, English) for the index page.
ENDPOINT_NOTES = {
    "/cgi-bin/token": ("获取 access_token", "access token (appid + secret)"),
    "/cgi-bin/stable_token": ("获取稳定版 access_token", "stable access token"),
    "/sns/jscode2session": (
        "登录:code「<名字>」→ openid「sandbox-<名字>」,一个 code 只能用一次",
        'login: code "<name>" → openid "sandbox-<name>"; a code works once ("<name>#2" again)',
    ),
    "/wxa/business/getuserphonenumber": (
        "手机号:11 位数字的 code 即号码本身",
        "phone number: an 11-digit code is the number itself",
    ),
    "/cgi-bin/message/subscribe/send": (
        "订阅消息:全部记录在下方",
        "subscribe message: every one is recorded below",
    ),
    "/wxa/getwxacodeunlimit": (
        "小程序码:按 scene 画出确定的 PNG",
        "mini-program code: a PNG per scene",
    ),
    "/wxa/msg_sec_check": (
        "文本内容安全:含「违禁」为 risky,含「待审」为 review",
        'text security: "违禁" is risky, "待审" needs review',
    ),
    "/wxa/img_sec_check": (
        "图片内容安全:字节中含「违禁」为违规",
        'image security: bytes with "违禁" are risky',
    ),
    "/__sandbox__/messages": (
        "已发送的订阅消息(JSON,?touser= 过滤)",
        "recorded subscribe messages (JSON, ?touser= to filter)",
    ),
    "/__sandbox__/calls": ("各接口调用次数(JSON)", "calls per endpoint (JSON)"),
    "/__sandbox__/faults": (
        "注入故障:POST {path, errcode | http_status | hang_seconds, times};GET 列出;DELETE 清除",
        "inject faults: POST {path, errcode | http_status | hang_seconds, times}; GET; DELETE",
    ),
    "/__sandbox__/expire-tokens": ("让全部 access_token 失效", "expire every access token"),
    "/__sandbox__/reset": ("清空沙箱状态", "reset the sandbox"),
}

INDEX_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>微信沙箱 · WeChat sandbox</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:24px;color:#1f2329}
h1{font-size:22px}h2{font-size:17px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e5e6eb;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#f5f6f7}code,pre{font-family:Menlo,Consolas,monospace;font-size:12px}
pre{margin:0;white-space:pre-wrap;word-break:break-all}.muted{color:#646a73}
</style></head><body>
<h1>微信沙箱 · WeChat sandbox</h1>
<p>本地模拟的微信服务端接口:开发与测试无需微信账号、无需联网。<br>
<span class="muted">A local fake of the WeChat server APIs the project calls, so development and
tests need no WeChat account and no network. Point <code>WECHAT_API_BASE</code> at
<code>{{ root }}/</code>.</span></p>

<h2>接口 · Endpoints</h2>
<table><tr><th>方法 method</th><th>路径 path</th><th>说明</th><th>what it does</th></tr>
{% for path, methods, note in endpoints %}
<tr><td>{{ methods|join(", ") }}</td>
<td>{% if "GET" in methods and path.startswith("/__sandbox__/") %}
<a href="{{ root }}{{ path }}"><code>{{ path }}</code></a>
{% else %}<code>{{ path }}</code>{% endif %}</td>
<td>{{ note[0] }}</td><td class="muted">{{ note[1] }}</td></tr>
{% endfor %}
</table>

<h2>已发送的订阅消息 · Recorded messages ({{ total }})</h2>
{% if messages %}
<p class="muted">最近 {{ messages|length }} 条,最新在前 · the latest {{ messages|length }}, newest
first — all of them:
<a href="{{ root }}/__sandbox__/messages"><code>__sandbox__/messages</code></a></p>
<table><tr><th>时间 sent</th><th>接收者 touser</th><th>模板 template</th><th>页面 page</th>
<th>内容 data</th></tr>
{% for m in messages %}
<tr><td>{{ m.sent_at }}</td><td><code>{{ m.touser }}</code></td>
<td><code>{{ m.template_id }}</code></td>
<td><code>{{ m.page or "" }}</code></td>
<td><pre>{% for key, value in (m.data or {}).items() -%}
{{ key }}: {{ value.value if value is mapping else value }}
{% endfor %}</pre></td></tr>
{% endfor %}
</table>
{% else %}
<p class="muted">还没有消息 · no message sent yet.</p>
{% endif %}

<h2>调用次数 · Calls</h2>
{% if calls %}<table><tr><th>路径 path</th><th>次数 count</th></tr>
{% for path, count in calls %}
<tr><td><code>{{ path }}</code></td><td>{{ count }}</td></tr>{% endfor %}
</table>{% else %}<p class="muted">还没有调用 · no call yet.</p>{% endif %}
{% if faults %}<h2>待生效的故障 · Pending faults</h2>
<table><tr><th>path</th><th>errcode</th><th>http_status</th><th>hang_seconds</th><th>times</th></tr>
{% for f in faults %}<tr><td><code>{{ f.path }}</code></td><td>{{ f.errcode }}</td>
<td>{{ f.http_status }}</td><td>{{ f.hang_seconds }}</td><td>{{ f.times }}</td></tr>{% endfor %}
</table>{% endif %}
</body></html>"""


class SandboxServer:
    """A sandbox served by a werkzeug threaded server in a background thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, mount: str | None = None) -> None:
        self.app = create_sandbox_app()
        wsgi: Any = self.app
        prefix = ""
        if mount:
            prefix = "/" + mount.strip("/")
            wsgi = DispatcherMiddleware(Flask("sandbox-host"), {prefix: self.app})
        self._server: BaseWSGIServer = make_server(host, port, wsgi, threaded=True)
        self.host = host
        self.port = self._server.port
        self.base_url = f"http://{host}:{self.port}{prefix}/"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="wechat-sandbox",
            daemon=True,
        )
        self._thread.start()

    @property
    def state(self) -> SandboxState:
        return self.app.extensions[STATE_KEY]

    def shutdown(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, mount: str | None = None
) -> SandboxServer:
    """Serve a fresh sandbox in a background thread; port 0 picks a free port."""
    return SandboxServer(host, port, mount)


def run_sandbox(host: str = "127.0.0.1", port: int = 5001) -> None:
    """Serve the sandbox in the foreground (``flask wechat sandbox``)."""
    run_simple(host, port, create_sandbox_app(), threaded=True)
