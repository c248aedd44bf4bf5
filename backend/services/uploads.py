"""Image uploads: size limit, type from the bytes, metadata stripped, content security."""

from __future__ import annotations

import hashlib
import io
import logging
import warnings

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from backend.errors import APIError, ContentRisky, UpstreamUnavailable, ValidationFailed
from backend.extensions import db, wechat
from backend.models import Upload, User
from backend.services.storage import storage

log = logging.getLogger(__name__)

# Pillow format → MIME type we accept.
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp", "GIF": "image/gif"}
# WeChat imgSecCheck accepts at most 1 MB and 750 × 1334 px; larger images are checked as a
# downscaled copy (the verdict is about what the picture shows, not its resolution).
CHECK_MAX_BYTES = 1024 * 1024
CHECK_MAX_SIZE = (750, 1334)


class FileTooLarge(APIError):
    status, code, message = 413, "file_too_large", "图片过大"


class UnsupportedFileType(APIError):
    status, code, message = 415, "unsupported_file_type", "仅支持 PNG、JPEG、WebP、GIF 格式的图片"


class ImageRisky(ContentRisky):
    message = "图片含有违规内容,请更换后再上传"


class ImageCheckUnavailable(UpstreamUnavailable):
    code, message = "content_check_unavailable", "图片安全检测暂不可用,请稍后重试"


def _open_image(data: bytes) -> Image.Image:
    """Decode ``data`` as one of the accepted formats, or raise 415."""
    max_pixels = current_app.config["UPLOAD_MAX_PIXELS"]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in FORMATS:
                raise UnsupportedFileType()
            if probe.width * probe.height > max_pixels:
                raise UnsupportedFileType("图片尺寸过大", code="image_too_large")
            probe.verify()  # structure and checksums; the image cannot be used afterwards
            image = Image.open(io.BytesIO(data))
            image.load()  # a truncated file fails here
    except APIError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise UnsupportedFileType() from exc
    return image


def _strip_metadata(image: Image.Image, data: bytes) -> bytes:
    """Re-encode without EXIF/text chunks: photos carry GPS positions and device ids (PIPL).

    GIFs are kept as they are (re-encoding would drop frames); they carry no EXIF.
    """
    if image.format == "GIF":
        return data
    fmt = image.format
    cleaned = ImageOps.exif_transpose(image)  # keep the visible orientation
    out = io.BytesIO()
    if fmt == "JPEG":
        if cleaned.mode not in ("RGB", "L"):
            cleaned = cleaned.convert("RGB")
        cleaned.save(out, "JPEG", quality=90)
    elif fmt == "WEBP":
        cleaned.save(out, "WEBP", quality=90)
    else:
        cleaned.save(out, "PNG")
    return out.getvalue()


def _check_copy(image: Image.Image, data: bytes) -> bytes:
    if len(data) <= CHECK_MAX_BYTES and (
        image.width <= CHECK_MAX_SIZE[0] and image.height <= CHECK_MAX_SIZE[1]
    ):
        return data
    small = ImageOps.exif_transpose(image).convert("RGB")
    small.thumbnail(CHECK_MAX_SIZE)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=80)
    return out.getvalue()


def save_image(user: User, data: bytes, filename: str = "") -> Upload:
    """Verify, check and store one image uploaded by ``user``; return its record."""
    if not data:
        raise ValidationFailed(errors={"file": ["请选择要上传的图片"]})
    limit = current_app.config["UPLOAD_MAX_BYTES"]
    if len(data) > limit:
        raise FileTooLarge(f"图片不能超过 {limit // (1024 * 1024) or 1} MB")
    image = _open_image(data)
    content_type = FORMATS[image.format]
    try:
        verdict = wechat.check_image(_check_copy(image, data), filename=f"upload.{image.format}")
    except APIError as exc:  # an unchecked image is never stored for others to see
        log.warning("image check unavailable (%s)", exc.code)
        raise ImageCheckUnavailable() from exc
    if verdict != "pass":
        raise ImageRisky()
    stored = _strip_metadata(image, data)
    key = storage().save(stored, content_type)
    upload = Upload(
        key=key,
        owner_id=user.id,
        content_type=content_type,
        size=len(stored),
        width=image.width,
        height=image.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        original_name=(filename or "")[:255],
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def read(key: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a stored file (404 for unknown or malformed keys)."""
    from backend.services.storage import content_type_of

    data = storage().open(key)
    return data, content_type_of(key)
