"""The current user: profile, consent, deletion."""

from __future__ import annotations

from flask_smorest import Blueprint

from backend.auth import require_user
from backend.schemas.identity import ConsentIn, ConsentOut, MeOut, MeUpdateIn
from backend.services import identity

blp = Blueprint("me", __name__, url_prefix="/api/v1/me", description="我的")


@blp.route("", methods=["GET"])
@blp.response(200, MeOut)
def get_me():
    """My profile, roles, volunteer status and points."""
    return require_user()


@blp.route("", methods=["PATCH"])
@blp.arguments(MeUpdateIn)
@blp.response(200, MeOut)
def update_me(data):
    """Change my nickname, avatar or home region."""
    return identity.update_profile(require_user(), data)


@blp.route("", methods=["DELETE"])
@blp.response(204)
def delete_me():
    """Delete my account: personal data erased, records kept anonymously."""
    identity.delete_account(require_user())


@blp.route("/consents", methods=["POST"])
@blp.arguments(ConsentIn)
@blp.response(201, ConsentOut)
def accept_consent(data):
    """Accept a version of the privacy notice."""
    return identity.accept_consent(require_user(), data["version"])
