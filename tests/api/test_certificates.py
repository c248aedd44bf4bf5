"""Certificates: verification by number, the PDF with embedded Chinese font, my certificates."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from backend.extensions import db
from backend.models import Region
from backend.services import certificates
from tests.recognition_helpers import make_volunteer


def issue(demo, user=None, **overrides):
    city = db.session.get(Region, demo.city.id)
    fields = {
        "holder_name": "张**",
        "holder_id_masked": "3609**********1234",
        "content": "在2026年3月平安大联盟工作中表现突出,被评为“月度平安之星”。特发此证。",
        "issuer_region": city,
        "user_id": user.id if user else None,
        "details": {"facts": [["表彰项目", "月度平安之星"]]},
    }
    fields.update(overrides)
    certificate = certificates.issue("award", f"award:test:{fields['holder_name']}", **fields)
    db.session.commit()
    return certificate


def test_verify_by_number_and_unknown_numbers(api, demo):
    certificate = issue(demo)
    assert certificate.number.startswith("RY") and len(certificate.number) == 17
    body = api.get(f"/certificates/{certificate.number}").get_json()
    assert body["valid"] is True and body["issuer"] == "丰城市综治中心"
    assert body["facts"] == [{"label": "表彰项目", "value": "月度平安之星"}]
    assert body["pdf_url"] == f"/api/v1/certificates/{certificate.number}/pdf"
    lower = api.get(f"/certificates/{certificate.number.lower()}")
    assert lower.status_code == 200
    missing = api.get("/certificates/RY20260000000ZZZZ")
    assert missing.status_code == 404 and missing.get_json()["code"] == "certificate_not_found"
    assert api.get("/certificates/RY20260000000ZZZZ/pdf").status_code == 404


def test_issuing_twice_returns_the_same_certificate(demo):
    first = issue(demo)
    second = issue(demo)
    assert first.id == second.id and first.number == second.number


def test_my_certificates_only_mine(api, demo):
    mine, _ = make_volunteer(demo.village_a, "我的证")
    other, _ = make_volunteer(demo.village_a, "他的证")
    own = issue(demo, mine, holder_name="我**")
    issue(demo, other, holder_name="他**")
    body = api.get("/me/certificates", mine).get_json()
    assert [c["number"] for c in body["items"]] == [own.number]
    assert api.get("/me/certificates").status_code == 401


def test_pdf_embeds_a_chinese_font_and_renders(api, demo, tmp_path):
    certificate = issue(demo)
    response = api.get(f"/certificates/{certificate.number}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    if certificates.cjk_font() == "CertCJK":
        assert b"FontFile2" in data  # the TrueType font travels inside the PDF
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    pdf = tmp_path / "cert.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-png", "-r", "30", str(pdf), str(tmp_path / "page")], check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    assert image.width > image.height  # landscape
    reds = sum(1 for r, g, b in image.getdata() if r > 150 and g < 80 and b < 80)
    assert reds > 200  # the border, the title and the seal are drawn


def test_revoked_certificate_says_so_in_json_and_pdf(api, demo):
    certificate = issue(demo)
    certificates.revoke("award", certificate.source_key, "事迹不实")
    db.session.commit()
    body = api.get(f"/certificates/{certificate.number}").get_json()
    assert body["valid"] is False and body["status"] == "revoked"
    assert body["revoke_reason"] == "事迹不实" and body["revoked_at"]
    assert api.get(f"/certificates/{certificate.number}/pdf").status_code == 200


def test_without_a_truetype_font_the_cid_font_is_used(demo, monkeypatch):
    monkeypatch.setattr(certificates, "FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    monkeypatch.setattr(certificates, "_font_name", None)
    from flask import current_app

    monkeypatch.setitem(current_app.config, "CERTIFICATE_FONT_PATH", None)
    assert certificates.cjk_font() == "STSong-Light"
    data = certificates.render_pdf(issue(demo))
    assert data.startswith(b"%PDF") and b"STSong-Light" in data
