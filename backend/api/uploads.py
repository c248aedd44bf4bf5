"""Image uploads (request photos, expense attachments) and serving them back."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint

from backend.auth import require_user
from backend.schemas.upload import UploadIn, UploadOut
from backend.services import uploads

blp = Blueprint("uploads", __name__, url_prefix="/api/v1/uploads", description="文件上传")


@blp.route("", methods=["POST"])
@blp.arguments(UploadIn, location="files")
@blp.response(201, UploadOut)
def upload(files):
    """Upload one image (multipart field `file`); returns its URL."""
    file = files["file"]
    return uploads.save_image(require_user(), file.read(), file.filename or "")


@blp.route("/<key>", methods=["GET"])
@blp.response(200, content_type="image/*")
def download(key: str):
    """One uploaded image (any logged-in user holding its URL)."""
    require_user()
    data, content_type = uploads.read(key)
    response = Response(data, mimetype=content_type)
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
