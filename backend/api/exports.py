"""CSV and XLSX downloads for admins (rosters, ledgers, scorecards)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response

from backend.utils import CHINA_TZ

CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence], fmt: str = "csv"
) -> Response:
    """A download of ``rows`` as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=filename[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        body, mimetype = buffer.getvalue(), XLSX_MIME
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_cell(v) for v in row])
        body, mimetype = ("\ufeff" + buffer.getvalue()).encode("utf-8"), CSV_MIME
    response = Response(body, mimetype=mimetype)
    name = f"{filename}.{fmt}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=export.{fmt}; filename*=UTF-8''{quote(name)}"
    )
    return response


def _cell(value):
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is not None:
            value = value.astimezone(CHINA_TZ)
        return (
            value.isoformat(sep=" ", timespec="minutes") if hasattr(value, "hour") else str(value)
        )
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formula injection in spreadsheets
    return value
