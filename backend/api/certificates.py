"""Certificates: public verification by number, the PDF, and my certificates."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response, render_template_string, request
from flask_smorest import Blueprint

from backend.api.pagination import paged
from backend.auth import public, require_user
from backend.schemas.certificate import CertificateIssueIn, CertificateOut, CertificateRequestIn
from backend.schemas.common import PageQuery, page_of
from backend.services import certificates
from backend.utils import chinese_date

blp = Blueprint("certificates", __name__, url_prefix="/api/v1", description="证书")


@blp.route("/certificates", methods=["POST"])
@blp.arguments(CertificateIssueIn)
@blp.response(201, CertificateOut)
def issue(data):
    """Issue a volunteer's service-hour certificate (admins, scoped); 200 if already issued."""
    certificate, created = certificates.issue_service_hours_for(
        require_user(), data["volunteer_id"]
    )
    return certificate, 201 if created else 200


@blp.route("/certificates/<number>", methods=["GET"])
@blp.response(
    200,
    CertificateOut,
    description="JSON; a browser (Accept: text/html, e.g. a phone camera scanning the QR code "
    "printed on the certificate) gets the same verification as a page.",
)
@blp.alt_response(200, content_type="text/html", success=True, description="验证页面")
@public
def verify(number: str):
    """Verify a certificate by its number (revoked ones say so)."""
    if _wants_html():
        try:
            certificate = certificates.verify(number)
        except certificates.CertificateNotFound as exc:
            return _html_page(None, exc.message, 404)
        return _html_page(certificate, "", 200)
    return certificates.verify(number)


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return (
        best == "text/html"
        and request.accept_mimetypes[best] > request.accept_mimetypes["application/json"]
    )


VERIFY_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>证书验证 · 平安大联盟</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;
background:#f5f6f7;color:#1f2329}
main{max-width:560px;margin:0 auto;padding:24px 16px}
.card{background:#fff;border-radius:8px;padding:20px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.state{font-size:20px;font-weight:600;margin:0 0 12px}
.valid{color:#1f8a3b}.revoked,.missing{color:#c8161d}
dl{display:grid;grid-template-columns:7em 1fr;gap:8px 12px;margin:16px 0}
dt{color:#646a73}dd{margin:0;word-break:break-all}
p.content{line-height:1.7}
a{color:#1456f0}
</style></head><body><main><div class="card">
{% if certificate %}
<p class="state {{ certificate.status }}">{{ '✔ 证书有效' if certificate.status == 'valid'
  else '✖ 证书已撤销' }}</p>
<h1 style="font-size:18px;margin:0">{{ certificate.title }}</h1>
<p class="content">{{ certificate.holder_name }}:{{ certificate.content }}</p>
<dl>
<dt>证书编号</dt><dd>{{ certificate.number }}</dd>
{% if certificate.holder_id_masked %}<dt>身份证号</dt><dd>{{ certificate.holder_id_masked }}</dd>
{% endif %}
{% for label, value in facts %}<dt>{{ label }}</dt><dd>{{ value }}</dd>{% endfor %}
<dt>发证单位</dt><dd>{{ certificate.issuer }}</dd>
<dt>发证日期</dt><dd>{{ issued }}</dd>
{% if certificate.status == 'revoked' %}<dt>撤销原因</dt><dd>{{ certificate.revoke_reason }}</dd>
{% endif %}
</dl>
<p><a href="{{ pdf_url }}">查看证书 PDF</a></p>
{% else %}
<p class="state missing">✖ {{ message }}</p>
{% endif %}
<p style="color:#646a73;font-size:13px">平安大联盟 · 证书验证。也可在微信「平安大联盟」小程序
→ 我的证书 → 证书验证 输入编号查验。</p>
</div></main></body></html>"""


def _html_page(certificate, message: str, status: int) -> Response:
    """The verification as a page for people scanning the certificate's QR code."""
    body = render_template_string(
        VERIFY_PAGE,
        certificate=certificate,
        message=message,
        facts=(certificate.details or {}).get("facts", []) if certificate else [],
        issued=chinese_date(certificate.issued_at) if certificate else "",
        pdf_url=f"/api/v1/certificates/{certificate.number}/pdf" if certificate else "",
    )
    return Response(body, status=status, mimetype="text/html")


@blp.route("/certificates/<number>/pdf", methods=["GET"])
@blp.response(200, content_type="application/pdf")
@public
def pdf(number: str):
    """The certificate as a PDF (identity masked)."""
    certificate = certificates.verify(number)
    response = Response(certificates.render_pdf(certificate), mimetype="application/pdf")
    name = f"{certificate.title}-{certificate.number}.pdf"
    response.headers["Content-Disposition"] = (
        f"inline; filename={certificate.number}.pdf; filename*=UTF-8''{quote(name)}"
    )
    return response


@blp.route("/me/certificates", methods=["GET"])
@blp.arguments(PageQuery, location="query")
@blp.response(200, page_of(CertificateOut))
@paged
def my_certificates(args):
    """My certificates, newest first."""
    return certificates.mine_query(require_user())


@blp.route("/me/certificates", methods=["POST"])
@blp.arguments(CertificateRequestIn)
@blp.response(201, CertificateOut)
def request_certificate(data):
    """Ask for my service-hour certificate (志愿服务记录证明); 200 if my hours are unchanged."""
    certificate, created = certificates.request_service_hours(require_user())
    return certificate, 201 if created else 200
