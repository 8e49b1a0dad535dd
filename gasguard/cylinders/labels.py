"""Printable label sheets (PDF, A4, 3×8 labels) with segno QR codes of cylinder codes."""

import io
import os

import segno
from django.conf import settings
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
_FONT = None


def _font() -> str:
    global _FONT
    if _FONT is None:
        try:
            if os.path.exists(NOTO):
                pdfmetrics.registerFont(TTFont("NotoSansCJK", NOTO, subfontIndex=2))
                _FONT = "NotoSansCJK"
            else:
                raise OSError
        except Exception:  # noqa: BLE001 - any font problem falls back to the built-in CID font
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
            _FONT = "STSong-Light"
    return _FONT


def qr_content(code: str) -> str:
    """What the QR holds: the public page URL when a base URL is configured, else `/c/<code>`."""
    base = settings.GASGUARD_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}/c/{code}" if base else f"/c/{code}"


def _draw_qr(c: canvas.Canvas, text: str, x: float, y: float, size: float) -> None:
    qr = segno.make(text, error="m")
    matrix = list(qr.matrix)
    n = len(matrix)
    quiet = 2
    cell = size / (n + 2 * quiet)
    c.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(matrix):
        for col, bit in enumerate(row):
            if bit:
                c.rect(
                    x + (col + quiet) * cell, y + size - (r + quiet + 1) * cell, cell, cell, stroke=0, fill=1
                )


def label_sheet_pdf(cylinders, *, owner_name: str = "") -> bytes:
    """A4 sheets of 3×8 labels: QR, code, spec, serial, owner."""
    font = _font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle("气瓶码标签")
    cols, rows = 3, 8
    width, height = A4
    margin_x, margin_y = 8 * mm, 10 * mm
    cw = (width - 2 * margin_x) / cols
    ch = (height - 2 * margin_y) / rows
    for index, cyl in enumerate(cylinders):
        slot = index % (cols * rows)
        if index and slot == 0:
            c.showPage()
        col, row = slot % cols, slot // cols
        x = margin_x + col * cw
        y = height - margin_y - (row + 1) * ch
        c.setStrokeColorRGB(0.7, 0.7, 0.7)
        c.rect(x + 1, y + 1, cw - 2, ch - 2, stroke=1, fill=0)
        qr_size = ch - 6 * mm
        _draw_qr(c, qr_content(cyl.code), x + 2 * mm, y + 3 * mm, qr_size)
        tx = x + qr_size + 4 * mm
        c.setFont(font, 7)
        c.drawString(tx, y + ch - 7 * mm, "一瓶一码")
        c.setFont("Courier-Bold", 6.5)
        code = cyl.code
        c.drawString(tx, y + ch - 11 * mm, code[:11])
        c.drawString(tx, y + ch - 14 * mm, code[11:])
        c.setFont(font, 6.5)
        c.drawString(tx, y + ch - 18 * mm, f"{cyl.spec}  钢印 {cyl.serial}"[:28])
        c.drawString(tx, y + ch - 21.5 * mm, (owner_name or getattr(cyl.owner, "name", ""))[:16])
    if not cylinders:
        c.setFont(font, 12)
        c.drawString(margin_x, height - 30 * mm, "没有可打印的气瓶")
    c.showPage()
    c.save()
    return buf.getvalue()
