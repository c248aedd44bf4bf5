"""Certificate PDFs as a reader sees them: every text line's box (pdfminer) stays inside the
inner frame and touches no other line and no part of the QR code, for a short and a very long
service history and for an award certificate; the QR code decodes to the verification URL; the
wording fits what was served; an award certificate names the body that approved it."""

from __future__ import annotations

import io
import itertools
import shutil
import subprocess

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from backend.extensions import db
from backend.models import Activity, Certificate, Region, Volunteer
from backend.services import certificates
from tests.assessment_helpers import activity, attend
from tests.recognition_helpers import award_type, make_volunteer

pytestmark = pytest.mark.usefixtures("demo")

ALL_CATEGORIES = [
    "patrol",
    "publicity",
    "mediation",
    "safety_check",
    "convenience",
    "info_collection",
    "training",
]


def text_lines(data: bytes) -> list[tuple[str, tuple[float, float, float, float]]]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextLine

    def walk(item):
        if isinstance(item, LTTextLine):
            yield item
            return
        for child in getattr(item, "_objs", []) or []:
            yield from walk(child)

    lines = []
    for page in extract_pages(io.BytesIO(data)):
        for line in walk(page):
            if line.get_text().strip():
                lines.append((line.get_text().strip(), line.bbox))
    return lines


def rects(data: bytes):
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTRect

    page = next(extract_pages(io.BytesIO(data)))
    return page, [item for item in page if isinstance(item, LTRect)]


def intersects(a, b, slack: float = 0.0) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def layout_problems(data: bytes) -> list[str]:
    """Overlapping lines, lines outside the inner frame, lines over the QR code."""
    page, found = rects(data)
    frames = sorted((r for r in found if r.width > page.width / 2), key=lambda r: r.width)
    assert len(frames) >= 2, "the outer and the inner frame are drawn"
    inner = frames[0].bbox
    # The QR code's modules: the most common small square (glyph strokes of the seal are
    # rectangles too, but seldom squares of that one size).
    squares = [round(r.width, 2) for r in found if r.width < 6 and abs(r.width - r.height) < 0.01]
    module = max(set(squares), key=squares.count)
    modules = [
        r.bbox for r in found if round(r.width, 2) == module and abs(r.width - r.height) < 0.01
    ]
    assert len(modules) > 100, "a QR code is drawn"
    qr = (
        min(b[0] for b in modules),
        min(b[1] for b in modules),
        max(b[2] for b in modules),
        max(b[3] for b in modules),
    )
    lines = text_lines(data)
    problems = []
    for text, box in lines:
        if not (
            box[0] >= inner[0] and box[1] >= inner[1] and box[2] <= inner[2] and box[3] <= inner[3]
        ):
            problems.append(f"outside the frame: {text!r} {box}")
        if intersects(box, qr):
            problems.append(f"over the QR code: {text!r}")
    for (a, box_a), (b, box_b) in itertools.combinations(lines, 2):
        if intersects(box_a, box_b, slack=0.5):
            problems.append(f"overlap: {a!r} / {b!r}")
    return problems


def decoded_qr(data: bytes, tmp_path) -> str:
    zxingcpp = pytest.importorskip("zxingcpp")
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    from PIL import Image

    (tmp_path / "c.pdf").write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", str(tmp_path / "c.pdf"), str(tmp_path / "c")], check=True
    )
    image = Image.open(next(tmp_path.glob("c*.png")))
    found = zxingcpp.read_barcodes(image)
    assert len(found) == 1, found
    return found[0].text


def served(user, spans):
    """Attendances of ``user``: (region, start, minutes, category, title)."""
    organiser = db.session.scalar(select(Activity.organiser_id)) or user.id
    for region, start, minutes, category, title in spans:
        act = activity(region, type("U", (), {"id": organiser})(), start)
        act.category, act.title = category, title
        attend(act, user, minutes)
    db.session.commit()


@freeze_time("2026-04-02T10:00:00+08:00")
def test_a_new_volunteers_half_hour_certificate(api, demo, tmp_path):
    user, _ = make_volunteer(demo.village_a, "林小雨")
    served(user, [(demo.village_a, "2026-03-14 19:00", 30, "patrol", "夜间巡逻")])
    cert = api.post("/me/certificates", user, json={"kind": "service_hours"}).get_json()
    assert cert["content"] == (
        f"兹证明林**(志愿者编号{cert['facts'][0]['value']})于2026年3月14日,"
        "在龙津社区参加平安大联盟巡逻志愿服务活动1次,累计志愿服务时长0.5小时。特此证明。"
    )
    assert "等" not in cert["content"]
    assert cert["verify_url"] == f"http://localhost/api/v1/certificates/{cert['number']}"
    assert cert["verify_page"] == f"pages/recognition/certificates/index?number={cert['number']}"

    data = api.get(f"/certificates/{cert['number']}/pdf").get_data()
    assert layout_problems(data) == []
    texts = " ".join(text for text, _ in text_lines(data))
    assert "服务内容:巡逻" in texts and "星级" not in texts  # 0.5 h: no star
    assert decoded_qr(data, tmp_path) == cert["verify_url"]


@freeze_time("2026-04-02T10:00:00+08:00")
def test_a_very_long_history_still_fits(api, demo, app, tmp_path, monkeypatch):
    monkeypatch.setitem(
        app.config, "PUBLIC_BASE_URL", "https://pingan-dalianmeng.fengcheng.jiangxi.gov.cn/"
    )
    user, volunteer = make_volunteer(demo.village_a, "欧阳晓燕")
    places = [r for r in demo.regions.values() if r.level in ("village", "township")]
    spans = []
    for n in range(140):
        day = f"2025-{1 + n % 12:02d}-{1 + n % 27:02d} 08:00"
        spans.append(
            (
                places[n % len(places)],
                day,
                720,
                ALL_CATEGORIES[n % len(ALL_CATEGORIES)],
                f"第{n}次平安大联盟重点时段治安巡防暨防诈骗反邪教禁毒宣传进村入户走访活动",
            )
        )
    served(user, spans)
    cert = api.post("/me/certificates", user, json={"kind": "service_hours"}).get_json()
    assert "等地参加平安大联盟" in cert["content"] and "等志愿服务活动140次" in cert["content"]
    facts = {f["label"]: f["value"] for f in cert["facts"]}
    assert facts["服务内容"].count("、") == len(ALL_CATEGORIES) - 1
    assert facts["星级"] == "五星志愿者"

    data = api.get(f"/certificates/{cert['number']}/pdf").get_data()
    assert layout_problems(data) == []
    assert decoded_qr(data, tmp_path) == (
        f"https://pingan-dalianmeng.fengcheng.jiangxi.gov.cn/api/v1/certificates/{cert['number']}"
    )
    assert db.session.get(Volunteer, volunteer.id) is not None


def test_an_award_certificate_for_a_long_team_name_revoked(api, demo, tmp_path):
    city = db.session.get(Region, demo.city.id)
    cert = certificates.issue(
        "award",
        "award:layout",
        holder_name="丰城市剑光街道龙津社区红袖标平安巡防暨矛盾纠纷调解志愿服务队第一分队",
        content="在2026年度平安大联盟工作中表现突出,经丰城市综治中心审核,被评为"
        "“年度平安建设先进集体(重点时段治安巡防与矛盾纠纷多元化解工作)”(市级表彰)。"
        "特发此证,以资鼓励。",
        issuer_region=city,
        details={
            "facts": [
                ["表彰项目", "年度平安建设先进集体(重点时段治安巡防与矛盾纠纷多元化解工作)"],
                [
                    "表彰对象",
                    "志愿服务队 丰城市剑光街道龙津社区红袖标平安巡防暨矛盾纠纷调解志愿服务队",
                ],
                ["奖励积分", "200 分"],
            ]
        },
    )
    certificates.revoke("award", "award:layout", "重复表彰")
    db.session.commit()
    data = api.get(f"/certificates/{cert.number}/pdf").get_data()
    assert layout_problems(data) == []
    assert any("撤销" in text for text, _ in text_lines(data))


def test_the_approving_body_is_the_reviewer_and_issuer(api, demo):
    """A village-tier award is approved by the township: its centre reviewed and issues it."""
    target, volunteer = make_volunteer(demo.village_a, "周明")
    kind = award_type("月度平安之星", tier="village")
    nominated = api.post(
        "/nominations",
        demo.user("demo-village-admin"),
        json={
            "award_type_id": kind.id,
            "target_id": volunteer.id,
            "reason": "夜间巡逻表现突出",
            "period_label": "2026年3月",
        },
    )
    assert nominated.status_code == 201, nominated.get_json()
    approved = api.post(
        f"/nominations/{nominated.get_json()['id']}/approve",
        demo.user("demo-township-admin"),
        json={"reason": "同意"},
    )
    assert approved.status_code == 200, approved.get_json()
    cert = db.session.scalar(select(Certificate).where(Certificate.user_id == target.id))
    assert cert.issuer == "剑光街道综治中心"
    assert "经剑光街道综治中心审核" in cert.content and "龙津社区综治中心" not in cert.content


def test_verifying_in_a_browser_shows_a_page(api, demo):
    """Scanning the QR code with a phone camera opens the URL in a browser: a page, not JSON."""
    user, _ = make_volunteer(demo.village_a, "林小雨")
    served(user, [(demo.village_a, "2026-03-14 19:00", 30, "patrol", "夜间巡逻")])
    number = api.post("/me/certificates", user, json={"kind": "service_hours"}).get_json()["number"]
    page = api.client.get(
        f"/api/v1/certificates/{number}", headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert number in html and "有效" in html and "林**" in html and "0.5小时" in html
    assert f"/api/v1/certificates/{number}/pdf" in html
    missing = api.client.get(
        "/api/v1/certificates/FW20260000000ZZZZ", headers={"Accept": "text/html"}
    )
    assert missing.status_code == 404 and "证书编号不存在" in missing.get_data(as_text=True)
    assert api.get(f"/certificates/{number}").mimetype == "application/json"
