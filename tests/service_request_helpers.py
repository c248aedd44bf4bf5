"""Shared helpers for the service-request tests (API, jobs, races)."""

from __future__ import annotations

import io

from PIL import Image

from backend.extensions import db
from backend.models import Notification, ServiceRequest
from backend.services import service_requests as rules

GRID_A1 = "360981001001G01"  # 龙津社区第1网格 (demo-grid-worker's grid)
GRID_A2 = "360981001001G02"


def body(region, **overrides) -> dict:
    data = {
        "category": "hazard",
        "description": "小区东门井盖缺失,夜间行人容易踩空",
        "urgency": "normal",
        "region_id": region.id,
        "latitude": 28.1592,
        "longitude": 115.7712,
        "address": "龙津社区东门",
    }
    data.update(overrides)
    return data


def submit(api, user, region, **overrides):
    response = api.post("/service-requests", user, json=body(region, **overrides))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def fresh(request_id: int) -> ServiceRequest:
    db.session.expire_all()
    return db.session.get(ServiceRequest, request_id)


def png_bytes(color=(200, 30, 30), size=(8, 8), text: str | None = None) -> bytes:
    from PIL import PngImagePlugin

    image = Image.new("RGB", size, color)
    out = io.BytesIO()
    info = None
    if text:
        info = PngImagePlugin.PngInfo()
        info.add_itxt("Comment", text)
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def upload(api, user, data: bytes | None = None, filename: str = "photo.png"):
    return api.client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(data or png_bytes()), filename)},
        headers=api.headers(user),
        content_type="multipart/form-data",
    )


def notices(user_id: int, kind: str | None = None) -> list[Notification]:
    query = db.select(Notification).where(Notification.user_id == user_id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def to_state(api, demo, requester, state: str, **overrides) -> int:
    """A request of ``requester`` in grid A1, driven through the API to ``state``.

    Handled by demo-volunteer (assigned by the village admin) wherever a handler is needed.
    """
    admin = demo.user("demo-village-admin")
    volunteer = demo.user("demo-volunteer")
    request_id = submit(api, requester, demo.region(GRID_A1), **overrides)["id"]

    def post(path, user, payload=None):
        response = api.post(f"/service-requests/{request_id}/{path}", user, json=payload or {})
        assert response.status_code == 200, (path, response.get_json())

    if state == "submitted":
        return request_id
    post("assign", admin, {"assignee_id": volunteer.id})
    if state == "assigned":
        return request_id
    if state == "cancelled":
        post("cancel", requester, {"reason": "已自行解决"})
        return request_id
    if state == "rejected":
        post("reject", admin, {"reason": "不属于本平台受理范围"})
        return request_id
    post("accept", volunteer)
    if state == "in_progress":
        return request_id
    post("resolve", volunteer, {"note": "已联系物业补装井盖"})
    if state == "resolved":
        return request_id
    if state == "closed":
        post("rating", requester, {"score": 5, "comment": "处理及时"})
        return request_id
    if state == "reopened":
        post("reopen", requester, {"reason": "井盖又松动了"})
        return request_id
    raise ValueError(state)


__all__ = ["rules"]
