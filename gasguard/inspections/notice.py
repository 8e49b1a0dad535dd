"""The rectification notice (整改通知书) of a sealed inspection, as PDF (reportlab) and Word (python-docx).

Under 建城规〔2023〕4号 第九条, finding a hazard and not giving the user a written notice to
rectify is itself a major hazard; the notice lists each hazard with its description, legal
basis, prescribed action and deadline, the inspectors, and the representative's signature or
the recorded refusal. Both formats are rendered from `notice_context`, so they say the same.
"""

import io
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone

from gasguard.rules.catalog import get_catalog

TITLE = "燃气安全隐患整改通知书"
CID_FONT = "STSong-Light"


@dataclass
class NoticeItem:
    index: int
    code: str
    title: str
    description: str
    severity: str
    legal_basis: str
    action: str
    deadline: str
    status: str


@dataclass
class NoticeContext:
    number: str
    inspection_number: str
    target_name: str
    target_address: str
    responsible: str
    department: str
    inspected_on: str
    issued_on: str
    items: list[NoticeItem] = field(default_factory=list)
    inspectors: list[tuple[str, str]] = field(default_factory=list)  # (name, image path or "")
    representative: str = ""
    representative_image: str = ""
    representative_refused: bool = False
    refusal_note: str = ""
    seal_hash: str = ""
    intro: str = ""
    closing: str = ""


def _file_path(field_file) -> str:
    try:
        return field_file.path if field_file else ""
    except (NotImplementedError, ValueError):
        return ""


def notice_context(inspection) -> NoticeContext:
    """Everything the notice says, read from the sealed record and the ledger."""
    catalog = get_catalog()
    target = inspection.target
    answers = [a for a in inspection.answers.all() if a.is_hazard and a.hazard_id]
    items = []
    for index, answer in enumerate(sorted(answers, key=lambda a: a.rule_id), start=1):
        hazard = answer.hazard
        rule = catalog.get(answer.rule_id)
        status = "已立行立改" if answer.fixed_on_spot else "限期整改"
        items.append(
            NoticeItem(
                index=index,
                code=hazard.code or str(hazard.pk),
                title=hazard.title,
                description=hazard.description,
                severity=hazard.get_severity_display(),
                legal_basis=hazard.legal_basis or (rule.legal_basis if rule else ""),
                action=hazard.prescribed_action or "责令限期改正",
                deadline="当场整改完毕" if answer.fixed_on_spot else f"{hazard.deadline:%Y年%m月%d日}前",
                status=status,
            )
        )
    ctx = NoticeContext(
        number=inspection.notice_number or "（未下达）",
        inspection_number=inspection.number or str(inspection.pk),
        target_name=inspection.target_name,
        target_address=getattr(target, "address", "") or "",
        responsible=getattr(target, "contact_name", "") or getattr(target, "legal_representative", "") or "",
        department=inspection.department.name if inspection.department_id else "燃气安全监管部门",
        inspected_on=f"{timezone.localtime(inspection.started_at):%Y年%m月%d日}",
        issued_on=f"{timezone.localtime(inspection.notice_issued_at or timezone.now()):%Y年%m月%d日}",
        items=items,
        seal_hash=inspection.seal_hash,
    )
    ctx.intro = (
        f"{ctx.inspected_on}，本机关检查人员对你单位进行了燃气安全检查（检查记录编号 {ctx.inspection_number}），"
        f"发现存在下列燃气安全隐患。依据《全国城镇燃气安全专项整治工作方案》（安委〔2023〕3号）"
        f"及下列法律法规、标准，现责令你单位按以下要求整改："
    )
    ctx.closing = (
        "请你单位在规定时限内完成整改，并将整改情况及佐证材料（整改前后照片等）报送本机关。"
        "因客观原因无法立即整改到位的，应当采取有效管控措施并书面报告。逾期未整改或整改不到位的，"
        "将依法依规处理。"
    )
    for s in inspection.signatures.all():
        if s.signer_role == "inspector":
            ctx.inspectors.append((s.name, _file_path(s.image)))
        else:
            ctx.representative = s.name
            ctx.representative_refused = s.refused
            ctx.refusal_note = s.refusal_note
            ctx.representative_image = _file_path(s.image)
    return ctx


# --- PDF -----------------------------------------------------------------------------------


def _pdf_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    # Noto CJK ships CFF outlines, which reportlab cannot embed; the built-in CID font needs no file.
    if CID_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def render_pdf(inspection) -> bytes:
    """The notice as an A4 PDF."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    ctx = notice_context(inspection)
    font = _pdf_font()
    base = ParagraphStyle("base", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8.5, leading=12)
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=26, alignment=TA_CENTER)
    center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)

    def p(text, style=base):
        return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"{TITLE} {ctx.number}",
        author=ctx.department,
        subject=ctx.target_name,
    )
    story = [p(TITLE, title), p(f"编号：{ctx.number}", center), Spacer(1, 5 * mm)]
    story.append(p(f"{ctx.target_name}：", base))
    if ctx.target_address:
        story.append(
            p(
                f"（地址：{ctx.target_address}{'；负责人：' + ctx.responsible if ctx.responsible else ''}）",
                small,
            )
        )
    story += [Spacer(1, 2 * mm), p("　　" + ctx.intro), Spacer(1, 3 * mm)]
    rows = [
        [p(h, small) for h in ("序号", "隐患（编号）", "隐患描述", "等级", "依据", "处置要求", "整改时限")]
    ]
    for item in ctx.items:
        rows.append(
            [
                p(item.index, small),
                p(f"{item.title}（{item.code}）", small),
                p(item.description, small),
                p(item.severity, small),
                p(item.legal_basis, small),
                p(f"{item.action}（{item.status}）", small),
                p(item.deadline, small),
            ]
        )
    widths = [9 * mm, 30 * mm, 38 * mm, 13 * mm, 36 * mm, 23 * mm, 25 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm), p("　　" + ctx.closing), Spacer(1, 6 * mm)]

    def signature_cell(label, name, image_path, note=""):
        cell = [p(f"{label}：{name}", base)]
        if image_path and Path(image_path).exists():
            cell.append(Image(image_path, width=36 * mm, height=13 * mm, kind="proportional"))
        if note:
            cell.append(p(note, small))
        return cell

    sig_rows = [signature_cell("检查人员", name, image) for name, image in ctx.inspectors]
    if ctx.representative_refused:
        sig_rows.append(
            signature_cell(
                "被检查单位代表", f"{ctx.representative}（拒绝签字）", "", f"拒签情况：{ctx.refusal_note}"
            )
        )
    else:
        sig_rows.append(signature_cell("被检查单位代表", ctx.representative, ctx.representative_image))
    story.append(Table([[row] for row in sig_rows], colWidths=[170 * mm]))
    story += [
        Spacer(1, 6 * mm),
        p(f"{ctx.department}（盖章）", ParagraphStyle("right", parent=base, alignment=2)),
        p(ctx.issued_on, ParagraphStyle("right2", parent=base, alignment=2)),
        Spacer(1, 6 * mm),
        p(f"检查记录 {ctx.inspection_number} 已签章封存，封存哈希 SHA-256：{ctx.seal_hash}", small),
        p("本通知书一式两份，一份送达被检查单位，一份存档。", small),
    ]
    doc.build(story)
    return buffer.getvalue()


# --- Word ----------------------------------------------------------------------------------


def render_docx(inspection) -> bytes:
    """The notice as a Word document (.docx) that offices can edit for their letterhead."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    ctx = notice_context(inspection)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    style = document.styles["Normal"]
    style.font.name = "宋体"
    style.font.size = Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")

    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = heading.add_run(TITLE)
    run.bold = True
    run.font.size = Pt(18)
    number = document.add_paragraph(f"编号：{ctx.number}")
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_paragraph(f"{ctx.target_name}：")
    if ctx.target_address:
        document.add_paragraph(
            f"（地址：{ctx.target_address}{'；负责人：' + ctx.responsible if ctx.responsible else ''}）"
        )
    document.add_paragraph("　　" + ctx.intro)
    table = document.add_table(rows=1, cols=7)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("序号", "隐患（编号）", "隐患描述", "等级", "依据", "处置要求", "整改时限"),
        strict=True,
    ):
        cell.text = text
    for item in ctx.items:
        cells = table.add_row().cells
        values = (
            str(item.index),
            f"{item.title}（{item.code}）",
            item.description,
            item.severity,
            item.legal_basis,
            f"{item.action}（{item.status}）",
            item.deadline,
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.add_paragraph("　　" + ctx.closing)
    for name, image in ctx.inspectors:
        para = document.add_paragraph(f"检查人员：{name}　")
        if image and Path(image).exists():
            para.add_run().add_picture(image, width=Mm(36))
    if ctx.representative_refused:
        document.add_paragraph(f"被检查单位代表：{ctx.representative}（拒绝签字）")
        document.add_paragraph(f"拒签情况：{ctx.refusal_note}")
    else:
        para = document.add_paragraph(f"被检查单位代表：{ctx.representative}　")
        if ctx.representative_image and Path(ctx.representative_image).exists():
            para.add_run().add_picture(ctx.representative_image, width=Mm(36))
    for text in (f"{ctx.department}（盖章）", ctx.issued_on):
        para = document.add_paragraph(text)
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.add_paragraph(f"检查记录 {ctx.inspection_number} 已签章封存，封存哈希 SHA-256：{ctx.seal_hash}")
    document.add_paragraph("本通知书一式两份，一份送达被检查单位，一份存档。")
    document.core_properties.title = f"{TITLE} {ctx.number}"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(inspection, ext: str) -> str:
    return f"整改通知书-{inspection.notice_number or inspection.number}.{ext}"
