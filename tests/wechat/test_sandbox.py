"""The sandbox speaks the WeChat protocol over HTTP, also when mounted under a prefix."""

from __future__ import annotations

import requests

from backend.wechat import serve_in_thread


def _token(base_url: str) -> str:
    response = requests.post(
        f"{base_url}cgi-bin/stable_token",
        json={"grant_type": "client_credential", "appid": "wx-a", "secret": "s"},
        timeout=5,
    )
    body = response.json()
    assert body["expires_in"] > 7000
    return body["access_token"]


def test_token_endpoints_and_call_counts(sandbox, control) -> None:
    plain = requests.get(
        f"{sandbox.base_url}cgi-bin/token",
        params={"grant_type": "client_credential", "appid": "wx-a", "secret": "s"},
        timeout=5,
    ).json()
    assert plain["expires_in"] == 7200 and plain["access_token"]
    stable = _token(sandbox.base_url)
    assert _token(sandbox.base_url) == stable  # stable_token returns the same valid token
    bad = requests.get(
        f"{sandbox.base_url}cgi-bin/token",
        params={"grant_type": "client_credential", "appid": "wx-a", "secret": "invalid"},
        timeout=5,
    ).json()
    assert bad["errcode"] == 40125
    calls = control.calls()
    assert calls["cgi-bin/token"] == 2 and calls["cgi-bin/stable_token"] == 2


def test_protected_calls_check_the_token(sandbox, control) -> None:
    url = f"{sandbox.base_url}wxa/msg_sec_check"
    payload = {"content": "你好", "version": 2, "scene": 2, "openid": "sandbox-a"}
    assert requests.post(url, json=payload, timeout=5).json()["errcode"] == 41001
    unknown = requests.post(url, params={"access_token": "nope"}, json=payload, timeout=5)
    assert unknown.json()["errcode"] == 40001
    token = _token(sandbox.base_url)
    assert requests.post(url, params={"access_token": token}, json=payload, timeout=5).json()[
        "result"
    ] == {"suggest": "pass", "label": 100}
    control.expire_tokens()
    expired = requests.post(url, params={"access_token": token}, json=payload, timeout=5)
    assert expired.json()["errcode"] == 40001


def test_scene_rules_and_fault_times(sandbox, control) -> None:
    token = _token(sandbox.base_url)
    url = f"{sandbox.base_url}wxa/getwxacodeunlimit"
    too_long = requests.post(url, params={"access_token": token}, json={"scene": "x" * 33})
    assert too_long.json()["errcode"] == 40169
    bad_char = requests.post(url, params={"access_token": token}, json={"scene": "a b"})
    assert bad_char.json()["errcode"] == 40169

    control.fault("wxa/getwxacodeunlimit", errcode=45009, times=2)
    answers = [
        requests.post(url, params={"access_token": token}, json={"scene": "a=1"}, timeout=5)
        for _ in range(3)
    ]
    assert [a.headers["Content-Type"].split(";")[0] for a in answers] == [
        "application/json",
        "application/json",
        "image/png",
    ]
    control.fault("/wxa/getwxacodeunlimit", http_status=502, times=-1)
    for _ in range(3):
        assert (
            requests.post(url, params={"access_token": token}, json={"scene": "a"}).status_code
            == 502
        )
    control.clear_faults()
    assert requests.post(url, params={"access_token": token}, json={"scene": "a"}).ok


def test_mounted_under_a_prefix() -> None:
    with serve_in_thread(mount="/wechat-sandbox") as server:
        assert server.base_url.endswith("/wechat-sandbox/")
        response = requests.get(
            f"{server.base_url}sns/jscode2session",
            params={
                "appid": "wx-a",
                "secret": "s",
                "js_code": "alice",
                "grant_type": "authorization_code",
            },
            timeout=5,
        )
        assert response.json()["openid"] == "sandbox-alice"
        calls = requests.get(f"{server.base_url}__sandbox__/calls", timeout=5).json()
        assert calls["calls"] == {"sns/jscode2session": 1}


def test_the_index_page_lists_endpoints_and_recorded_messages() -> None:
    """/wechat-sandbox/ (as `make run` mounts it) answers a page for people, in both languages,
    with working links under the mount and the messages the API sent."""
    with serve_in_thread(mount="/wechat-sandbox") as server:
        empty = requests.get(server.base_url, timeout=5)
        assert empty.status_code == 200 and empty.headers["Content-Type"].startswith("text/html")
        assert "微信沙箱" in empty.text and "WeChat sandbox" in empty.text
        assert "还没有消息" in empty.text and "no message sent yet" in empty.text
        for path in (
            "/sns/jscode2session",
            "/cgi-bin/message/subscribe/send",
            "/wxa/msg_sec_check",
            "/__sandbox__/faults",
        ):
            assert f"<code>{path}</code>" in empty.text, path
        assert 'href="/wechat-sandbox/__sandbox__/messages"' in empty.text
        assert 'href="/wechat-sandbox/__sandbox__/calls"' in empty.text

        token = _token(server.base_url)
        sent = requests.post(
            f"{server.base_url}cgi-bin/message/subscribe/send",
            params={"access_token": token},
            json={
                "touser": "sandbox-demo-volunteer",
                "template_id": "tmpl-hours_recorded",
                "page": "pages/activity/hours/index",
                "data": {"thing1": {"value": "夜间巡逻<b>"}, "number2": {"value": "2"}},
            },
            timeout=5,
        )
        assert sent.json()["errcode"] == 0
        page = requests.get(server.base_url, timeout=5).text
        assert "Recorded messages (1)" in page and "sandbox-demo-volunteer" in page
        assert "thing1: 夜间巡逻&lt;b&gt;" in page  # escaped
        # The page is not itself counted as a WeChat call.
        calls = requests.get(f"{server.base_url}__sandbox__/calls", timeout=5).json()["calls"]
        assert "" not in calls and calls["cgi-bin/message/subscribe/send"] == 1


def test_the_dev_banner_links_the_sandbox_index() -> None:
    from backend.cli import DEV_BANNER

    banner = DEV_BANNER.format(base="http://127.0.0.1:5000", mount="/wechat-sandbox")
    assert "http://127.0.0.1:5000/wechat-sandbox/ " in banner
    assert "http://127.0.0.1:5000/wechat-sandbox/__sandbox__/messages" in banner
