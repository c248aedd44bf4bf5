"""The one export path: a service's :class:`~backend.services.sheets.Sheet` → a CSV or XLSX file.

Every download (rosters, fund ledgers, scorecards, service requests, the outbox) goes through
:func:`send_sheet`, and every cell through :func:`cell_value` according to its column's kind:
the charset, how money, dates and codes look, and what is done to hostile text are decided here
once. Views only pick the format: ``return send_sheet(service.some_sheet(...), fmt)``.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

from flask import Response

from backend.services.sheets import Column, Sheet
from backend.utils import CHINA_TZ, yuan

FORMATS = ("csv", "xlsx")
CSV_MIME = "text/csv; charset=utf-8"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FLAG_TEXT = {True: "是", False: "否"}


def send_sheet(sheet: Sheet, fmt: str) -> Response:
    """A download of ``sheet`` as CSV (UTF-8 with BOM, so Excel reads Chinese) or XLSX."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")  # the query schemas allow only these
    if fmt == "xlsx":
        body, mimetype = _xlsx(sheet), XLSX_MIME
    else:
        body, mimetype = _csv(sheet), CSV_MIME
    response = Response(body, mimetype=mimetype)
    name = f"{sheet.name}.{fmt}"
    response.headers["Content-Disposition"] = (
        f"attachment; filename=export.{fmt}; filename*=UTF-8''{quote(name)}"
    )
    return response


def cell_value(column: Column, value: Any) -> Any:
    """What one cell shows, by the kind of its column (the same for CSV and XLSX)."""
    if value is None or value == "":
        return ""
    kind = column.kind
    if kind == "money":
        return yuan(value)
    if kind == "datetime":
        return value.astimezone(CHINA_TZ).isoformat(sep=" ", timespec="minutes")
    if kind == "date":
        return value.isoformat()
    if kind == "code":
        return column.names.get(value, value)
    if kind == "flag":
        return FLAG_TEXT[bool(value)]
    if kind in ("integer", "number"):
        return value
    return _text(str(value))


def _text(value: str) -> str:
    if value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formula injection in spreadsheets
    return value


def _cells(sheet: Sheet):
    columns = sheet.columns
    for row in sheet.rows:
        yield [cell_value(column, value) for column, value in zip(columns, row, strict=True)]


def _csv(sheet: Sheet) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(sheet.titles)
    writer.writerows(_cells(sheet))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(sheet: Sheet) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet.name[:31])
    worksheet.append(sheet.titles)
    for cells in _cells(sheet):
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
