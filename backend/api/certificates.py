"""Certificates: public verification by number, the PDF, and my certificates."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response
from flask_smorest import Blueprint

from backend.api.pagination import paginate
from backend.auth import public, require_user
from backend.schemas.certificate import CertificateIssueIn, CertificateOut, CertificateRequestIn
from backend.schemas.common import PageQuery, page_of
from backend.services import certificates

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
@blp.response(200, CertificateOut)
@public
def verify(number: str):
    """Verify a certificate by its number (revoked ones say so)."""
    return certificates.verify(number)


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
def my_certificates(args):
    """My certificates, newest first."""
    return paginate(certificates.mine_query(require_user()), args["page"], args["page_size"])


@blp.route("/me/certificates", methods=["POST"])
@blp.arguments(CertificateRequestIn)
@blp.response(201, CertificateOut)
def request_certificate(data):
    """Ask for my service-hour certificate (志愿服务记录证明); 200 if my hours are unchanged."""
    certificate, created = certificates.request_service_hours(require_user())
    return certificate, 201 if created else 200
