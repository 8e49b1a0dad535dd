"""Excel (.xlsx) output shared by every list: streamed rows, flat memory, a file response;
and a fast reader for large imports (`xlsx_rows`).

XlsxWriter's `constant_memory` mode flushes each row to a temporary file as it is written,
so exporting a million rows needs the memory of one row. The workbook is written to a
temporary file that is unlinked at once; the open handle is handed to FileResponse and the
space is freed when the response closes it.
"""

import datetime
import io
import os
import tempfile
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.http import FileResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_OPTIONS = {
    "constant_memory": True,
    "strings_to_numbers": False,
    "strings_to_formulas": False,  # a name starting with "=" stays text (no formula injection)
    "strings_to_urls": False,
    "default_date_format": "yyyy-mm-dd",
}


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            from django.utils import timezone  # noqa: PLC0415

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, int | float | datetime.date | str):
        return value
    return str(value)


def write_workbook(
    target,
    *,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "Sheet1",
    widths: Sequence[int] | None = None,
    notes: Sequence[str] = (),
    constant_memory: bool = True,
) -> int:
    """Write one sheet (header row, then rows) to a path or file object; return the row count.

    `notes` go on a second sheet "说明" (used by import templates).
    """
    workbook = xlsxwriter.Workbook(
        target, {**_OPTIONS, "constant_memory": constant_memory, "in_memory": False}
    )
    sheet = workbook.add_worksheet(sheet_title[:31])
    bold = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for index, header in enumerate(headers):
        width = widths[index] if widths and index < len(widths) else max(10, min(40, len(header) * 2 + 4))
        sheet.set_column(index, index, width)
    sheet.write_row(0, 0, list(headers), bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, start=1):
        for col, raw in enumerate(row):
            value = _cell(raw)
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(count, col, value, datetime_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(count, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif isinstance(value, str):
                sheet.write_string(count, col, value)
            else:
                sheet.write(count, col, value)
    if notes:
        info = workbook.add_worksheet("说明")
        info.set_column(0, 0, 100)
        for index, line in enumerate(notes):
            info.write_string(index, 0, line)
    workbook.close()
    return count


def xlsx_response(
    *,
    filename: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    sheet_title: str = "Sheet1",
    widths: Sequence[int] | None = None,
) -> FileResponse:
    """Stream rows into a temporary .xlsx and return it as a download (memory stays flat)."""
    handle = tempfile.NamedTemporaryFile(prefix="gasguard-export-", suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    try:
        write_workbook(handle.name, headers=headers, rows=rows, sheet_title=sheet_title, widths=widths)
        stream = open(handle.name, "rb")  # noqa: SIM115 - closed by FileResponse
    finally:
        os.unlink(handle.name)
    return FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def xlsx_bytes(
    *, headers: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "Sheet1", notes=()
) -> bytes:
    """A small workbook in memory (templates, error reports)."""
    buffer = io.BytesIO()
    write_workbook(
        buffer, headers=headers, rows=rows, sheet_title=sheet_title, notes=notes, constant_memory=False
    )
    return buffer.getvalue()


def xlsx_rows(upload, *, field: str = "file"):
    """Rows of the first sheet of an uploaded workbook, as lists of Python values (str, float,
    int, bool, date, datetime; an empty cell is ""). python-calamine parses a 100k-row sheet about
    twenty times faster than openpyxl's read-only mode; values are the cached ones, as with
    openpyxl's data_only. An unreadable file is a ValidationFailed naming `field`."""
    from python_calamine import CalamineError, CalamineWorkbook

    from gasguard.core.errors import ValidationFailed

    upload.seek(0)
    try:
        sheet = CalamineWorkbook.from_filelike(upload).get_sheet_by_index(0)
        return sheet.iter_rows()
    except (CalamineError, IndexError, ValueError) as exc:
        raise ValidationFailed("无法读取 Excel 文件，请用模板重新填写", field=field) from exc
