"""Image uploads: type from the bytes, size limits, metadata stripped, content security."""

from __future__ import annotations

import io
import os

import pytest
from PIL import Image

from backend.extensions import db
from backend.models import Upload
from backend.wechat.sandbox import Fault
from tests.service_request_helpers import png_bytes, upload


def _image_bytes(fmt: str, size=(16, 12), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(out, fmt, **save)
    return out.getvalue()


def _count() -> int:
    return db.session.scalar(db.select(db.func.count(Upload.id)))


@pytest.mark.parametrize(
    "fmt,mime",
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")],
)
def test_upload_and_read_back(api, app, new_user, fmt, mime):
    user = new_user("up")
    response = upload(api, user, _image_bytes(fmt), filename=f"photo.{fmt.lower()}")
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert data["content_type"] == mime and (data["width"], data["height"]) == (16, 12)
    assert data["url"].startswith("/api/v1/uploads/") and data["url"].endswith(
        {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}[fmt]
    )
    other = new_user("viewer")
    served = api.get(data["url"].removeprefix("/api/v1"), other)
    assert served.status_code == 200 and served.mimetype == mime
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served.data)).format == fmt
    # not without a token
    assert api.client.get(data["url"]).status_code == 401


def test_a_png_named_txt_is_a_png(api, new_user):
    response = upload(api, new_user("p"), png_bytes(), filename="notes.txt")
    assert response.status_code == 201
    assert response.get_json()["content_type"] == "image/png"
    assert response.get_json()["url"].endswith(".png")


@pytest.mark.parametrize(
    "data,filename",
    [
        (b"this is plain text, not a picture\n" * 4, "photo.png"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "icon.png"),
        (b"%PDF-1.4 fake", "scan.jpg"),
        (png_bytes()[:40], "truncated.png"),  # a PNG header with the body cut off
    ],
)
def test_text_or_other_bytes_named_png_are_refused(api, new_user, data, filename):
    response = upload(api, new_user("t"), data, filename=filename)
    assert response.status_code == 415, response.get_json()
    assert response.get_json()["code"] == "unsupported_file_type"
    assert _count() == 0


def test_bmp_is_not_an_accepted_type(api, new_user):
    response = upload(api, new_user("b"), _image_bytes("BMP"), filename="a.bmp")
    assert response.status_code == 415


def test_oversize_is_refused(api, app, new_user):
    user = new_user("big")
    old = app.config["UPLOAD_MAX_BYTES"]
    app.config["UPLOAD_MAX_BYTES"] = 1024 * 1024
    try:
        noisy = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))
        out = io.BytesIO()
        noisy.save(out, "PNG")
        assert len(out.getvalue()) > 1024 * 1024
        response = upload(api, user, out.getvalue())
        assert response.status_code == 413
        assert response.get_json()["code"] == "file_too_large"
        assert "1 MB" in response.get_json()["message"]
    finally:
        app.config["UPLOAD_MAX_BYTES"] = old
    assert _count() == 0


def test_decompression_bombs_are_refused(api, app, new_user):
    old = app.config["UPLOAD_MAX_PIXELS"]
    app.config["UPLOAD_MAX_PIXELS"] = 10_000
    try:
        response = upload(api, new_user("bomb"), _image_bytes("PNG", size=(200, 200)))
        assert response.status_code == 415 and response.get_json()["code"] == "image_too_large"
    finally:
        app.config["UPLOAD_MAX_PIXELS"] = old


def test_missing_file(api, new_user):
    user = new_user("m")
    none = api.client.post(
        "/api/v1/uploads", data={}, headers=api.headers(user), content_type="multipart/form-data"
    )
    assert none.status_code == 422 and "file" in none.get_json()["errors"]
    assert api.client.post("/api/v1/uploads", data={}).status_code == 401


def test_risky_image_is_refused(api, new_user, sandbox):
    response = upload(api, new_user("r"), png_bytes(text="违禁"))
    assert response.status_code == 422
    assert response.get_json()["code"] == "content_risky"
    assert sandbox.state.calls.get("wxa/img_sec_check", 0) >= 1
    assert _count() == 0


def test_unreachable_image_check_stores_nothing(api, new_user, sandbox):
    sandbox.state.faults.append(Fault(path="wxa/img_sec_check", http_status=500))
    response = upload(api, new_user("down"), png_bytes())
    assert response.status_code == 503
    assert response.get_json()["code"] == "content_check_unavailable"
    assert _count() == 0


def test_large_images_are_checked_as_a_small_copy(api, new_user, sandbox):
    response = upload(api, new_user("wide"), _image_bytes("JPEG", size=(1600, 900)))
    assert response.status_code == 201
    assert response.get_json()["width"] == 1600
    assert sandbox.state.calls.get("wxa/img_sec_check", 0) >= 1


def test_exif_and_gps_are_stripped(api, new_user):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (28.0, 9.0, 33.0)}  # GPS IFD
    data = _image_bytes("JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif()
    response = upload(api, new_user("gps"), data)
    assert response.status_code == 201
    served = api.get(response.get_json()["url"].removeprefix("/api/v1"), new_user("v"))
    assert not Image.open(io.BytesIO(served.data)).getexif()
    row = db.session.scalar(db.select(Upload))
    assert row.size == len(served.data) and row.original_name == "photo.png"


@pytest.mark.parametrize(
    "key",
    [
        "..%2F..%2Fetc%2Fpasswd",
        "202603-..%2F..%2Fsecret.png",
        "202603-" + "g" * 32 + ".png",
        "202603-" + "a" * 32 + ".exe",
        "202603-" + "a" * 32 + ".png",  # well formed but never stored
    ],
)
def test_bad_or_unknown_keys_are_404(api, new_user, key):
    response = api.get(f"/uploads/{key}", new_user("k"))
    assert response.status_code == 404
