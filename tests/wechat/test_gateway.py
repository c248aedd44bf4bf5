"""The gateway against the sandbox over real HTTP: results, error mapping, send outcomes."""

from __future__ import annotations

import io
import time

import pytest
from PIL import Image

from backend.errors import (
    APIError,
    RateLimited,
    UpstreamError,
    UpstreamUnavailable,
    ValidationFailed,
    WeChatLoginFailed,
)
from backend.wechat import SendOutcome, WeChatGateway, serve_in_thread

SEND_PATH = "cgi-bin/message/subscribe/send"
LOGIN_PATH = "sns/jscode2session"
# Tests run with a 1 s timeout; a hanging call must give up well before the sandbox answers.
HANG_SECONDS = 3
HANG_LIMIT = 2.0


# -- login ---------------------------------------------------------------------------------


def test_login_code_maps_to_openid(app, gateway: WeChatGateway, control) -> None:
    session = gateway.code2session("alice")
    assert session["openid"] == "sandbox-alice"
    assert session["session_key"] and session["unionid"] is None
    # Login needs no access token, so it never waits on a token fetch.
    assert control.calls() == {LOGIN_PATH: 1}


def test_login_code_works_once(app, gateway: WeChatGateway) -> None:
    gateway.code2session("bob")
    with pytest.raises(WeChatLoginFailed) as caught:
        gateway.code2session("bob")
    assert caught.value.status == 401 and caught.value.code == "wechat_code_invalid"


@pytest.mark.parametrize("code", ["invalid-code", ""])
def test_invalid_login_code_is_401(app, gateway: WeChatGateway, code: str) -> None:
    with pytest.raises(WeChatLoginFailed):
        gateway.code2session(code)


def test_login_rate_limited(app, gateway: WeChatGateway, control) -> None:
    control.fault(LOGIN_PATH, errcode=45011)
    with pytest.raises(RateLimited):
        gateway.code2session("carol")


@pytest.mark.parametrize("fault", [{"errcode": -1}, {"http_status": 500}])
def test_login_upstream_trouble_is_503(app, gateway: WeChatGateway, control, fault) -> None:
    control.fault(LOGIN_PATH, **fault)
    with pytest.raises(UpstreamUnavailable) as caught:
        gateway.code2session("dave")
    assert caught.value.status == 503


def test_login_hang_gives_up_within_timeout(app, gateway: WeChatGateway, control) -> None:
    control.fault(LOGIN_PATH, hang_seconds=HANG_SECONDS)
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailable):
        gateway.code2session("erin")
    assert time.monotonic() - started < HANG_LIMIT


def test_login_unreachable_host_is_503(app_factory, gateway: WeChatGateway) -> None:
    with serve_in_thread() as server:
        base_url = server.base_url
    other = app_factory(base_url)  # the server is gone: connection refused
    gateway.init_app(other)
    with other.app_context(), pytest.raises(UpstreamUnavailable):
        gateway.code2session("frank")


# -- phone ---------------------------------------------------------------------------------


def test_phone_number(app, gateway: WeChatGateway) -> None:
    assert gateway.get_phone_number("13800138000") == "13800138000"
    derived = gateway.get_phone_number("phone-code-1")
    assert len(derived) == 11 and derived.isdigit() and derived.startswith("1")
    assert gateway.get_phone_number("phone-code-1") == derived


def test_invalid_phone_code_is_400(app, gateway: WeChatGateway) -> None:
    with pytest.raises(APIError) as caught:
        gateway.get_phone_number("invalid-phone")
    assert (caught.value.status, caught.value.code) == (400, "phone_code_invalid")


# -- subscribe message ---------------------------------------------------------------------


def test_send_records_wrapped_message(app, gateway: WeChatGateway, control) -> None:
    outcome = gateway.send_subscribe_message(
        "sandbox-alice",
        "tmpl-activity_reminder",
        {"thing1": "社区巡逻", "time2": {"value": "2024-05-01 09:00"}, "number3": 3},
        page="pages/activity/detail/index?id=1",
    )
    assert outcome == SendOutcome("sent", 0, "ok")
    [message] = control.messages(touser="sandbox-alice")
    assert message["data"] == {
        "thing1": {"value": "社区巡逻"},
        "time2": {"value": "2024-05-01 09:00"},
        "number3": {"value": "3"},
    }
    assert message["miniprogram_state"] == "developer" and message["lang"] == "zh_CN"
    assert message["page"] == "pages/activity/detail/index?id=1" and message["sent_at"]
    assert control.messages(touser="someone-else") == []


@pytest.mark.parametrize(
    ("fault", "status", "errcode"),
    [
        ({"errcode": 43101}, "skipped", 43101),
        ({"errcode": 47003}, "skipped", 47003),
        ({"errcode": -1}, "retry", -1),
        ({"errcode": 45009}, "retry", 45009),
        ({"http_status": 500}, "retry", -1),
        ({"errcode": 40097}, "failed", 40097),
    ],
)
def test_send_outcomes(app, gateway: WeChatGateway, control, fault, status, errcode) -> None:
    control.fault(SEND_PATH, **fault)
    outcome = gateway.send_subscribe_message("sandbox-alice", "tmpl-x", {"thing1": "通知"})
    assert (outcome.status, outcome.errcode) == (status, errcode)
    assert control.calls()[SEND_PATH] == 1  # the gateway itself never retries a send
    assert control.messages() == []


def test_send_too_long_value_is_skipped(app, gateway: WeChatGateway) -> None:
    outcome = gateway.send_subscribe_message("sandbox-alice", "tmpl-x", {"thing1": "长" * 21})
    assert (outcome.status, outcome.errcode) == ("skipped", 47003)


def test_send_hang_is_retry_within_timeout(app, gateway: WeChatGateway, control) -> None:
    gateway.check_text("预热令牌", "sandbox-alice")  # warm the token so only the send hangs
    control.fault(SEND_PATH, hang_seconds=HANG_SECONDS)
    started = time.monotonic()
    outcome = gateway.send_subscribe_message("sandbox-alice", "tmpl-x", {"thing1": "通知"})
    assert outcome.status == "retry"
    assert time.monotonic() - started < HANG_LIMIT


def test_send_when_token_endpoint_down_is_retry(app, gateway: WeChatGateway, control) -> None:
    control.fault("cgi-bin/stable_token", http_status=503)
    outcome = gateway.send_subscribe_message("sandbox-alice", "tmpl-x", {"thing1": "通知"})
    assert outcome.status == "retry"


# -- QR code -------------------------------------------------------------------------------


def test_qrcode_is_a_png(app, gateway: WeChatGateway) -> None:
    data = gateway.get_unlimited_qrcode("a=12&t=check", page="pages/index/index", width=300)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (300, 300)
    assert gateway.get_unlimited_qrcode("a=12&t=check", width=300) == data  # deterministic
    assert gateway.get_unlimited_qrcode("a=13&t=check", width=300) != data


@pytest.mark.parametrize("scene", ["x" * 33, "", "中文"])
def test_qrcode_bad_scene_rejected_before_calling(app, gateway, control, scene) -> None:
    with pytest.raises(ValidationFailed) as caught:
        gateway.get_unlimited_qrcode(scene)
    assert caught.value.status == 422 and caught.value.errors["scene"]
    assert control.calls() == {}


# -- content security ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "suggest"),
    [("周六上午巡逻", "pass"), ("这段话待审一下", "review"), ("含有违禁内容", "risky")],
)
def test_check_text(app, gateway: WeChatGateway, content: str, suggest: str) -> None:
    assert gateway.check_text(content, "sandbox-alice") == suggest


def test_check_text_looks_at_title_and_nickname(app, gateway: WeChatGateway) -> None:
    assert gateway.check_text("正文", "sandbox-alice", scene=3, title="违禁标题") == "risky"


def test_check_text_errors(app, gateway: WeChatGateway, control) -> None:
    control.fault("wxa/msg_sec_check", errcode=-1)
    with pytest.raises(UpstreamUnavailable):
        gateway.check_text("你好", "sandbox-alice")
    control.fault("wxa/msg_sec_check", errcode=40097)
    with pytest.raises(UpstreamError) as caught:
        gateway.check_text("你好", "sandbox-alice")
    assert caught.value.status == 502 and caught.value.errors["errcode"] == 40097


def test_check_image(app, gateway: WeChatGateway) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    assert gateway.check_image(buffer.getvalue()) == "pass"
    assert gateway.check_image(buffer.getvalue() + "违禁".encode(), "bad.png") == "risky"


# -- several apps in one process ----------------------------------------------------------


def test_one_gateway_serves_several_apps(app, app_factory, gateway: WeChatGateway) -> None:
    with serve_in_thread(mount="/wechat-sandbox") as mounted:
        other = app_factory(mounted.base_url.rstrip("/"), WECHAT_APPID="wx-other")
        gateway.init_app(other)
        with other.app_context():
            assert gateway.code2session("gina")["openid"] == "sandbox-gina"
            assert gateway.check_text("你好", "sandbox-gina") == "pass"
            assert gateway.client.appid == "wx-other"
        # The first app's sandbox never saw the mounted one's code, so it is still fresh here.
        assert gateway.code2session("gina")["openid"] == "sandbox-gina"
        assert gateway.client.appid == "wx-test-appid"
