"""Login through WeChat, phone binding, profile, consent and account deletion."""

from __future__ import annotations

from flask import current_app, request
from sqlalchemy import select

from backend.auth import issue_token
from backend.errors import ContentUnderReview, Forbidden, ValidationFailed
from backend.extensions import db, wechat
from backend.models import Consent, RoleGrant, User, Volunteer
from backend.privacy import blind_index, encrypt
from backend.services import audit, content
from backend.services.regions import get_region
from backend.utils import utcnow

DELETED_NICKNAME = "已注销用户"


class AccountDisabled(Forbidden):
    code, message = "account_disabled", "账号已被停用,请联系管理员"


class ConsentVersionMismatch(ValidationFailed):
    code, message = "consent_version_mismatch", "隐私政策版本已更新,请阅读最新版本后再同意"


class ProfileUnderReview(ContentUnderReview):
    message = "内容需人工审核,审核通过前暂不生效"


def login_with_code(code: str) -> tuple[User, str, int]:
    """Exchange a wx.login code for a user (created on first login) and a token."""
    session = wechat.code2session(code)
    user = db.session.scalar(select(User).where(User.openid == session["openid"]))
    if user is None:
        user = User(openid=session["openid"], unionid=session.get("unionid"), nickname="")
        db.session.add(user)
    elif user.status != "active":
        raise AccountDisabled()
    user.session_key_enc = encrypt(session["session_key"])
    user.last_login_at = utcnow()
    db.session.flush()
    token, expires_at = issue_token(user)
    return user, token, expires_at


def bind_phone(user: User, code: str) -> User:
    """Bind the phone number WeChat vouches for (getPhoneNumber code)."""
    phone = wechat.get_phone_number(code)
    user.phone_enc = encrypt(phone)
    user.phone_hash = blind_index(phone)
    return user


def update_profile(user: User, data: dict) -> User:
    """Change nickname, avatar or home region; the nickname passes content security first."""
    if "nickname" in data and data["nickname"] != user.nickname:
        if content.check_text(user, data["nickname"], scene=content.SCENE_PROFILE) != "pass":
            raise ProfileUnderReview(errors={"nickname": ["昵称需人工审核"]})
        user.nickname = data["nickname"]
    if "avatar_url" in data:
        user.avatar_url = data["avatar_url"]
    if "region_id" in data:
        user.region_id = get_region(data["region_id"]).id if data["region_id"] else None
    return user


def accept_consent(user: User, version: str) -> Consent:
    """Record acceptance of the current privacy notice version (idempotent)."""
    current = current_app.config["PRIVACY_NOTICE_VERSION"]
    if version != current:
        raise ConsentVersionMismatch(errors={"version": [f"当前版本为 {current}"]})
    consent = db.session.scalar(
        select(Consent).where(Consent.user_id == user.id, Consent.version == version)
    )
    if consent is None:
        consent = Consent(
            user_id=user.id, version=version, ip=request.remote_addr or "" if request else ""
        )
        db.session.add(consent)
        user.consent_version = version
        user.consented_at = utcnow()
        db.session.flush()
    return consent


def consent_required(user: User) -> bool:
    return user.consent_version != current_app.config["PRIVACY_NOTICE_VERSION"]


def delete_account(user: User) -> None:
    """Erase personal fields; ledger rows stay, pointing at an anonymous account."""
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is not None:
        volunteer.real_name_enc = None
        volunteer.display_name = "已注销"
        volunteer.phone_enc = None
        volunteer.id_number_enc = None
        volunteer.id_number_hash = None
        volunteer.intro = ""
        volunteer.availability = ""
    for grant in db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)):
        db.session.delete(grant)
    audit.record(user, "account.delete", user, reason="用户注销账号")
    user.openid = None
    user.unionid = None
    user.nickname = DELETED_NICKNAME
    user.avatar_url = ""
    user.phone_enc = None
    user.phone_hash = None
    user.session_key_enc = None
    user.status = "deleted"
    user.deleted_at = utcnow()
    user.token_version += 1
