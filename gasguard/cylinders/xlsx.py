"""A fast, read-only reader for the first sheet of an .xlsx (registration of 100k+ cylinders).

openpyxl's read-only mode spends ~25 µs per cell; this streams the sheet XML with iterparse and
the shared-string table, returning raw cell values (strings, numbers, booleans). Dates arrive as
Excel serial numbers; `excel_date` converts them (1900 and 1904 date systems). Anything it does
not understand raises `UnsupportedWorkbook`, and the caller falls back to openpyxl.
"""

import re
import zipfile
from datetime import date, timedelta
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_RE = re.compile(r"([A-Z]+)(\d+)")
MAX_COLUMN = 16383  # XFD, Excel's last column (0-based)
MAX_ROW = 1048576  # Excel's last row


class UnsupportedWorkbook(Exception):
    """The workbook uses something this reader does not handle."""


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _first_sheet_path(zf: zipfile.ZipFile) -> tuple[str, bool]:
    import xml.etree.ElementTree as ET

    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    pr = wb.find(f"{NS}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    sheet = wb.find(f"{NS}sheets/{NS}sheet")
    if sheet is None:
        raise UnsupportedWorkbook("no sheet")
    rid = sheet.get(f"{REL_NS}id")
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels:
        if rel.get("Id") == rid:
            target = rel.get("Target").lstrip("/")
            return (target if target.startswith("xl/") else f"xl/{target}"), date1904
    raise UnsupportedWorkbook("sheet relation missing")


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    out = []
    with zf.open("xl/sharedStrings.xml") as fh:
        for _event, el in iterparse(fh, events=("end",)):
            if el.tag == f"{NS}si":
                out.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
                el.clear()
    return out


def read_rows(upload) -> tuple[list[list | None], bool]:
    """(rows as lists of raw values, date1904) of the first sheet; rows[i] is sheet row i + 1
    (None for a row the file leaves out)."""
    upload.seek(0)
    with zipfile.ZipFile(upload) as zf:
        path, date1904 = _first_sheet_path(zf)
        strings = _shared_strings(zf)
        rows: list[list] = []
        with zf.open(path) as fh:
            row: list = []
            for _event, el in iterparse(fh, events=("end",)):
                tag = el.tag
                if tag == f"{NS}c":
                    ref = el.get("r")
                    t = el.get("t", "n")
                    v = el.find(f"{NS}v")
                    if t == "inlineStr":
                        value = "".join(x.text or "" for x in el.iter(f"{NS}t"))
                    elif v is None or v.text is None:
                        value = None
                    elif t == "s":
                        index = int(v.text)
                        if not 0 <= index < len(strings):
                            raise UnsupportedWorkbook("shared string index out of range")
                        value = strings[index]
                    elif t in ("str", "e"):
                        value = v.text
                    elif t == "b":
                        value = v.text == "1"
                    elif t == "n":
                        text = v.text
                        value = float(text) if any(ch in text for ch in ".eE") else int(text)
                    else:
                        raise UnsupportedWorkbook(f"cell type {t}")
                    if ref:
                        m = _CELL_RE.fullmatch(ref)
                        if m is None:
                            raise UnsupportedWorkbook(f"cell reference {ref}")
                        index = _col(m.group(1))
                        if index > MAX_COLUMN:
                            raise UnsupportedWorkbook(f"cell {ref} beyond column XFD")
                        while len(row) < index:
                            row.append(None)
                    row.append(value)
                    el.clear()
                elif tag == f"{NS}row":
                    number = el.get("r")
                    if number is not None:
                        if not number.isdigit() or not len(rows) < int(number) <= MAX_ROW:
                            raise UnsupportedWorkbook(f"row number {number}")
                        # Rows Excel left out (empty) keep their place, so errors name the right row.
                        rows.extend([None] * (int(number) - 1 - len(rows)))
                    rows.append(row)
                    row = []
                    el.clear()
    upload.seek(0)
    return rows, date1904


def excel_date(value, date1904: bool = False):
    """An Excel serial day number → date; other values unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    base = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
    try:
        return base + timedelta(days=int(value))
    except (ValueError, OverflowError):
        return value  # NaN or beyond year 9999: left for the row check to name as not a date
