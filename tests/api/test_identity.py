"""Login, phone, profile, consent and account deletion."""

from __future__ import annotations

from backend.extensions import db
from backend.models import User


def login(api, code: str):
    return api.post("/auth/wechat", json={"code": code})


def test_first_login_creates_user_and_returns_token(api):
    response = login(api, "alice")
    assert response.status_code == 200
    body = response.get_json()
    assert body["token"] and body["expires_at"] > 0
    assert body["user"]["consent_required"] is True
    assert "session_key" not in response.get_data(as_text=True)
    user = db.session.scalar(db.select(User).where(User.openid == "sandbox-alice"))
    assert user is not None
    assert user.session_key_enc and "session_key" not in user.session_key_enc
    me = api.get("/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.get_json()["id"] == user.id


def test_second_login_reuses_the_user(api, sandbox):
    first = login(api, "bob").get_json()["user"]["id"]
    second = login(api, "bob#2").get_json()["user"]["id"]
    assert first == second


def test_reused_code_is_401(api):
    assert login(api, "carol").status_code == 200
    response = login(api, "carol")
    assert response.status_code == 401
    assert response.get_json()["code"] == "wechat_code_invalid"


def test_invalid_code_is_401(api):
    response = login(api, "invalid-code")
    assert response.status_code == 401
    assert response.get_json()["code"] == "wechat_code_invalid"


def test_login_validation_errors(api):
    response = api.post("/auth/wechat", json={})
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"
    assert "code" in response.get_json()["errors"]
    response = api.post("/auth/wechat", json={"code": "x", "role": "city_admin"})
    assert response.status_code == 422
    assert "role" in response.get_json()["errors"]


def test_wechat_down_is_503_within_timeout(api, sandbox):
    import time

    sandbox.state.reset()
    import requests

    requests.post(
        sandbox.base_url + "__sandbox__/faults",
        json={"path": "sns/jscode2session", "errcode": -1, "times": 1},
        timeout=2,
    )
    response = login(api, "dave")
    assert response.status_code == 503
    assert response.get_json()["code"] == "wechat_unavailable"
    requests.post(
        sandbox.base_url + "__sandbox__/faults",
        json={"path": "sns/jscode2session", "hang_seconds": 5, "times": 1},
        timeout=2,
    )
    started = time.monotonic()
    response = login(api, "dave2")
    assert response.status_code == 503
    assert time.monotonic() - started < 4


def test_login_is_rate_limited(app, api):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    try:
        responses = [login(api, f"rl{i}") for i in range(5)]
    finally:
        app.config["LOGIN_RATE_LIMIT"] = "1000 per minute"
    assert [r.status_code for r in responses] == [200, 200, 200, 429, 429]
    assert responses[3].get_json() == {"code": "rate_limited", "message": "操作太频繁,请稍后再试"}


def test_bind_phone(api, new_user):
    user = new_user("phoneuser")
    response = api.post("/auth/phone", user, json={"code": "13812345678"})
    assert response.status_code == 200
    assert response.get_json()["phone"] == "13812345678"  # the owner sees it in full
    db.session.refresh(user)
    assert "13812345678" not in (user.phone_enc or "")
    bad = api.post("/auth/phone", user, json={"code": "invalid"})
    assert bad.status_code == 400
    assert bad.get_json()["code"] == "phone_code_invalid"


def test_update_profile_with_emoji_and_content_check(api, new_user):
    user = new_user("profile")
    response = api.patch("/me", user, json={"nickname": "平安小卫士🚓"})
    assert response.status_code == 200
    assert response.get_json()["nickname"] == "平安小卫士🚓"
    db.session.expire_all()
    assert db.session.get(User, user.id).nickname == "平安小卫士🚓"
    risky = api.patch("/me", user, json={"nickname": "违禁昵称"})
    assert risky.status_code == 422
    assert risky.get_json()["code"] == "content_risky"
    held = api.patch("/me", user, json={"nickname": "待审昵称"})
    assert held.status_code == 422
    assert held.get_json()["code"] == "content_under_review"
    assert api.get("/me", user).get_json()["nickname"] == "平安小卫士🚓"


def test_profile_rejects_mass_assignment(api, new_user):
    user = new_user("mass")
    for field, value in [
        ("status", "disabled"),
        ("roles", ["city_admin"]),
        ("points", 999),
        ("token_version", 99),
        ("id", 5),
    ]:
        response = api.patch("/me", user, json={field: value})
        assert response.status_code == 422, field
        assert field in response.get_json()["errors"]
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh.status == "active" and fresh.token_version == 1


def test_consent(app, api, new_user):
    user = new_user("consent", consent=False)
    assert api.get("/me", user).get_json()["consent_required"] is True
    wrong = api.post("/me/consents", user, json={"version": "1999-01"})
    assert wrong.status_code == 422
    assert wrong.get_json()["code"] == "consent_version_mismatch"
    version = app.config["PRIVACY_NOTICE_VERSION"]
    ok = api.post("/me/consents", user, json={"version": version})
    assert ok.status_code == 201
    again = api.post("/me/consents", user, json={"version": version})
    assert again.status_code == 201
    assert api.get("/me", user).get_json()["consent_required"] is False


def test_delete_account_erases_personal_data_and_revokes_token(api, demo, new_user):
    from tests.conftest import application

    user = new_user("leaver")
    token = api.token_for(user)
    headers = {"Authorization": f"Bearer {token}"}
    api.post("/auth/phone", user, json={"code": "13900001111"})
    applied = api.post("/volunteers", user, json=application(demo.village_a.id, seed=77))
    assert applied.status_code == 201
    volunteer_id = applied.get_json()["id"]
    response = api.delete("/me", headers=headers)
    assert response.status_code == 204
    assert api.get("/me", headers=headers).status_code == 401
    db.session.expire_all()
    fresh = db.session.get(User, user.id)
    assert fresh.status == "deleted" and fresh.openid is None and fresh.phone_enc is None
    from backend.models import AuditLog, Volunteer

    volunteer = db.session.get(Volunteer, volunteer_id)
    assert volunteer is not None  # the record stays, anonymised
    assert volunteer.real_name_enc is None and volunteer.id_number_enc is None
    assert volunteer.display_name == "已注销"
    assert db.session.scalar(db.select(AuditLog).where(AuditLog.action == "account.delete"))
    # the same WeChat user can start over as a new account
    assert login(api, "leaver-again").status_code == 200


def test_role_change_revokes_old_tokens(api, demo, new_user):
    from backend.services.roles import grant_role

    user = new_user("promoted")
    old = {"Authorization": f"Bearer {api.token_for(user)}"}
    assert api.get("/me", headers=old).status_code == 200
    grant_role(user, "village_admin", demo.village_a)
    db.session.commit()
    response = api.get("/me", headers=old)
    assert response.status_code == 401
    assert response.get_json()["code"] == "token_revoked"
    new = api.get("/me", user).get_json()
    assert new["is_admin"] is True
    assert new["roles"][0]["role"] == "village_admin"
