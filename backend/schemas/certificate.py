"""Certificates: verification by number, the holder's own list, service-hour certificates."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.models.award import CERTIFICATE_STATUS_NAMES
from backend.schemas.common import ChinaDateTime, StrictSchema


class CertificateOut(Schema):
    number = fields.String()
    kind = fields.String()
    title = fields.String()
    holder_name = fields.String(metadata={"description": "脱敏姓名或集体名称"})
    holder_id_masked = fields.String(metadata={"description": "脱敏身份证号"})
    content = fields.String()
    facts = fields.Function(
        lambda c: [{"label": k, "value": v} for k, v in (c.details or {}).get("facts", [])]
    )
    issuer = fields.String()
    issued_at = ChinaDateTime()
    status = fields.String()
    status_name = fields.Function(lambda c: CERTIFICATE_STATUS_NAMES[c.status])
    valid = fields.Function(lambda c: c.status == "valid")
    revoked_at = ChinaDateTime(allow_none=True)
    revoke_reason = fields.String()
    pdf_url = fields.Function(lambda c: f"/api/v1/certificates/{c.number}/pdf")
    verify_url = fields.Function(
        lambda c: c.verify_url,
        metadata={"description": "公开验证网址(证书上的二维码即此网址;浏览器打开显示验证页)"},
    )
    verify_page = fields.Function(
        lambda c: c.verify_page,
        metadata={"description": "小程序内的验证页面路径(带编号)"},
    )
    activities = fields.Function(
        lambda c: (c.details or {}).get("activities", []),
        metadata={"description": "志愿服务记录证明:最近的服务活动(名称、类别、日期、时长)"},
    )


class CertificateRequestIn(StrictSchema):
    kind = fields.String(
        required=True,
        validate=validate.OneOf(("service_hours",)),
        metadata={"description": "service_hours:志愿服务记录证明"},
    )


class CertificateIssueIn(CertificateRequestIn):
    volunteer_id = fields.Integer(required=True, metadata={"description": "管辖范围内的志愿者"})
